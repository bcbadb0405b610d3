headroom plan -f examples/agents.yaml
