headroom plan -f examples/pareto.yaml --users 1000000,2000000
