headroom queue --arrival 300/min --service 1.2s --target p95=5s --format json
