headroom sla 99.95% --series lb=99.99%,app=99.9% --parallel 99.5%,99.5% --part db=99.9%,count=2,failover=60s,mttr=1h
