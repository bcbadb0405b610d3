/* prometheus.h - the Prometheus HTTP API reply parsers, exported for tests
 * and the fuzz target. Replies are untrusted JSON (jansson), size-capped by
 * the fetch and bounded here in series and points. */
#ifndef HR_PROMETHEUS_H
#define HR_PROMETHEUS_H

#include <stddef.h>

#include "model/sample.h"
#include "util/error.h"
#include "util/strbuf.h"

/** Most series one query may return (a selector matching every container...). */
#define PROM_SERIES_MAX 256

/**
 * Parse an instant query reply (/api/v1/query): a vector or a scalar.
 * Each series becomes a metric called @p name, with the series' labels
 * (minus __name__) when the reply has more than one series.
 * @param source borrowed source name for the metrics.
 * @param err on failure the reason (Prometheus' own "error" when it gave one).
 * @return 0 (an empty vector adds nothing); HR_E_PROTOCOL.
 */
HR_NODISCARD int prom_parse_instant(const char *text, size_t len, const char *name, const char *source,
				    struct sample_set *out, struct strbuf *err);

/**
 * Parse a range query reply (/api/v1/query_range, a matrix) and keep the
 * series whose name built as in prom_parse_instant() equals @p want.
 * @param out points appended in time order.
 * @return 0; HR_E_NOTFOUND when no series has that name; HR_E_PROTOCOL.
 */
HR_NODISCARD int prom_parse_range(const char *text, size_t len, const char *name, const char *want,
				  struct series *out, struct strbuf *err);

#endif
