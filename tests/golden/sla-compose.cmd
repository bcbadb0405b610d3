headroom sla 99.95% --series lb=99.99%,app=99.9% --parallel 99.5%,99.5% --part db,count=2,failures=2/year,detect=30s,mttr=1h,failover=45s
