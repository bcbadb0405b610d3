headroom plan -f examples/knowledge.yaml
