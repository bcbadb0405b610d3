headroom plan -f examples/social.yaml --users 1k,50k --format json
