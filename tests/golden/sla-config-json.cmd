headroom sla -f examples/agents.yaml --format json
