headroom plan -f examples/pareto.yaml
