headroom sla -f examples/altius.yaml
