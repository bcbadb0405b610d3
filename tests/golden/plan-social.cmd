headroom plan -f examples/social.yaml
