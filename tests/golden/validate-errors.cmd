# Every problem, located, with did-you-mean; exit 2.
headroom validate -f tests/golden/bad.yaml
