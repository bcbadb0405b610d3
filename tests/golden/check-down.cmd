# A source that is down: its triggers are UNKNOWN with the reason, exit 3.
headroom check -f tests/golden/check-down.yaml --no-history
