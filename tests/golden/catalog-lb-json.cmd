headroom catalog --kind lb --format json
