headroom sla 99.9%
