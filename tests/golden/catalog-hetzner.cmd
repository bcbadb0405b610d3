headroom catalog --provider hetzner
