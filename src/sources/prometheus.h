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
/** Largest instant query reply read (bytes): 256 series with their labels fit many times over. */
#define PROM_INSTANT_REPLY_MAX (1u << 20)
/** Largest range query reply read (bytes): 1,000 points of a few dozen series. */
#define PROM_RANGE_REPLY_MAX (4u << 20)
/**
 * Most JSON values (numbers, strings, arrays, objects) a reply may hold, counted
 * before it is parsed: jansson spends about 60 bytes on each, so 8 MiB of
 * "[0,0,0..." would cost hundreds of MiB. Instant and range replies.
 */
#define PROM_INSTANT_VALUES_MAX 50000
#define PROM_RANGE_VALUES_MAX 200000
/** Range queries one sample round may make for history back-fill (see prom_history). */
#define PROM_HISTORY_PER_ROUND 16

/**
 * Count the JSON values in text without parsing it (commas and opening
 * brackets outside strings, plus one), so a reply over a cap is refused
 * before jansson builds it.
 */
size_t prom_count_values(const char *text, size_t len);

/**
 * Parse an instant query reply (/api/v1/query): a vector or a scalar.
 * Each series becomes a metric called @p name, with the series' labels
 * (minus __name__) when the reply has more than one series. A series whose
 * value is NaN, +Inf or -Inf is no value: it is left out, and when nothing
 * is left the query fails with the reason ("the query gave +Inf, no
 * value"), so its trigger is UNKNOWN rather than "not applicable" or "inf%"
 * (KEDA's empty-means-zero outage, kedacore/keda#3065).
 * @param source borrowed source name for the metrics.
 * @param err on failure the reason (Prometheus' own "error" when it gave one).
 * @return 0; HR_E_NOTFOUND for an empty vector or no finite value;
 *         HR_E_TOO_LARGE over PROM_SERIES_MAX or PROM_INSTANT_VALUES_MAX;
 *         HR_E_PROTOCOL.
 */
HR_NODISCARD int prom_parse_instant(const char *text, size_t len, const char *name, const char *source,
				    struct sample_set *out, struct strbuf *err);

/**
 * Parse a range query reply (/api/v1/query_range, a matrix) and keep the
 * series whose name built as in prom_parse_instant() equals @p want.
 * @param out points appended in time order (NaN and infinite points left out).
 * @return 0; HR_E_NOTFOUND when no series has that name; HR_E_TOO_LARGE over
 *         PROM_RANGE_VALUES_MAX; HR_E_PROTOCOL.
 */
HR_NODISCARD int prom_parse_range(const char *text, size_t len, const char *name, const char *want,
				  struct series *out, struct strbuf *err);

#endif
