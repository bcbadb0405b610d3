/* backends.h - the ops tables of the metric source backends (source.c lists them). */
#ifndef HR_BACKENDS_H
#define HR_BACKENDS_H

#include "sources/source.h"

/** /proc, statvfs and cgroup v2 of this machine (local.c). */
extern const struct source_ops source_local_ops;
/** The Prometheus HTTP API: instant and range queries (prometheus.c). */
extern const struct source_ops source_prometheus_ops;
/** PostgreSQL statistics views through libpq (postgres.c). */
extern const struct source_ops source_postgres_ops;
/** Redis INFO and queue list lengths through hiredis (redis.c). */
extern const struct source_ops source_redis_ops;
/** An HTTP endpoint probed N times: status, latency percentiles, errors (http.c). */
extern const struct source_ops source_http_ops;

#endif
