/* sample.h - a set of named metric values taken at one moment.
 *
 * Every source fills one of these per sample. A metric name is a dotted base
 * name with optional Prometheus-style labels, `disk.used_ratio{mount="/"}`
 * (docs/metrics.md lists them all). Values are in base units: ratios 0-1,
 * seconds, bytes, counts. NaN means "not applicable here" (a Redis without
 * maxmemory has no memory ratio); a trigger on such a metric is skipped, not
 * failed. A metric a source should have given but did not is absent. */
#ifndef HR_MODEL_SAMPLE_H
#define HR_MODEL_SAMPLE_H

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

/** Longest metric name, labels included. */
#define SAMPLE_NAME_MAX 200

/** One named value. */
struct metric {
	char *name;         /**< owned */
	double value;
	const char *source; /**< borrowed name of the source that gave it (outlives the set) */
};

/** A growable set of metrics. Zero-initialise, or use sample_set_init(). */
struct sample_set {
	struct metric *m; /**< owned array of n entries */
	size_t n;
	size_t cap;
};

/** Initialise an empty set. */
void sample_set_init(struct sample_set *s);
/** Free everything the set owns; the set is empty and reusable after. NULL is a no-op. */
void sample_set_free(struct sample_set *s);
/**
 * Add a metric (the name is copied). Names longer than SAMPLE_NAME_MAX are
 * truncated; a source builds names from untrusted text (Redis keys), so the
 * cap keeps one bad key from growing every later buffer.
 * @param source borrowed, must outlive the set; may be NULL.
 */
void sample_set_add(struct sample_set *s, const char *source, const char *name, double value);
/** Like sample_set_add() with a printf-style name. */
void sample_set_addf(struct sample_set *s, const char *source, double value, const char *fmt, ...)
	HR_PRINTF(4, 5);
/**
 * Escape a label value as the Prometheus text format wants it (backslash,
 * double quote and line feed as \\, \" and \n), so that a series name
 * `base{key="VALUE"}` stays one well-formed series whatever VALUE holds
 * (a Prometheus label, a Redis key). A value that does not fit is cut at a
 * whole character or escape.
 * @param buf receives the escaped value, NUL-terminated; n > 0.
 * @return buf.
 */
char *sample_label_escape(const char *v, char *buf, size_t n);
/** Move every metric of @p from to the end of @p to; @p from is left empty. */
void sample_set_move(struct sample_set *to, struct sample_set *from);
/** The metric with exactly this name, or NULL. Borrowed. */
const struct metric *sample_set_find(const struct sample_set *s, const char *name);

/**
 * Does a series name match a selector? A selector matches the series with the
 * same name, and a selector without labels matches its base name under any
 * labels: `disk.used_ratio` matches `disk.used_ratio{mount="/data"}`.
 */
bool sample_name_matches(const char *selector, const char *series);

/**
 * Is the series a counter (a total that only grows, reset by a restart:
 * net.rx_bytes, net.tx_bytes, redis.evicted_keys, docs/metrics.md) rather
 * than a gauge? /metrics types it `counter` and names it with `_total`.
 */
bool sample_is_counter(const char *series);

/** Length of the base name of a series (up to its '{' or its end). */
size_t sample_base_len(const char *series);

/** The unit of a metric's values, as docs/metrics.md ("Naming") reads it off the name. */
enum sample_unit {
	SAMPLE_UNIT_COUNT,      /**< a plain number: connections, keys, a load, a status code */
	SAMPLE_UNIT_RATIO,      /**< a fraction 0-1, shown as a percentage: `_ratio`, `utilization` */
	SAMPLE_UNIT_BYTES,      /**< bytes: `_bytes` */
	SAMPLE_UNIT_SECONDS,    /**< seconds: `_s`, `.wait`, a percentile (`http.p95`), `http.max` */
	SAMPLE_UNIT_PER_SECOND, /**< a rate: `_per_second`, `request_rate` */
};

/**
 * The unit of a series, from the end of its base name (labels are ignored):
 * the one rule every renderer that prints a level or a value follows, so
 * `check`, the plan document and the exported alert rules agree. A name
 * that says nothing (`postgres.connections.max`, `redis.queue.length`) is a
 * count; only the HTTP probe's `http.max` is a time among the `.max` names.
 */
enum sample_unit sample_unit(const char *series);

/** A time series read back from a source or the store (times in Unix seconds). */
struct series {
	double *t;   /**< owned, ascending */
	double *v;   /**< owned */
	size_t n;
	size_t cap;
};

/** Append a point (times must not go backwards; the caller sorts). */
void series_push(struct series *s, double t, double v);
/** Free the points; the series is empty and reusable after. NULL is a no-op. */
void series_free(struct series *s);

#endif
