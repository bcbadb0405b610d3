headroom plan -f examples/altius.yaml
