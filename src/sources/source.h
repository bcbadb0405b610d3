/* source.h - metric sources behind one small ops table.
 *
 * A source is a backend (local, prometheus, postgres, redis, http) with
 * {open, sample, close} and, where the backend keeps history, a range query.
 * Adding a backend is adding a file and a row to the table in source.c
 * (wrk's struct sock, curl's vtls).
 *
 * A source that cannot be reached does not fail the caller: source_sample()
 * returns an error code and a one-line reason, and the caller marks the
 * triggers on the metrics that source provides UNKNOWN with that reason. */
#ifndef HR_SOURCE_H
#define HR_SOURCE_H

#include <stdbool.h>
#include <stddef.h>

#include "model/source_config.h"
#include "model/sample.h"
#include "util/diag.h"
#include "util/error.h"
#include "util/strbuf.h"

/** The operations of one backend. */
struct source_ops {
	const char *type; /**< the `type:` in the config */
	/**
	 * Metric base-name prefixes this backend provides ("postgres."), NULL
	 * terminated; NULL when the provided names come from the config
	 * (prometheus queries), see source_provides().
	 */
	const char *const *prefixes;
	/**
	 * Minimum time between open and the first useful sample (CPU needs two
	 * /proc/stat reads); 0 when one sample stands alone.
	 */
	double warmup_s;
	/**
	 * Check the config and set up. Must not need the remote end to be up:
	 * an unreachable server is a sample error, not an open error.
	 * @return 0 and *state; HR_E_INVALID after reporting a config problem to d.
	 */
	int (*open)(const struct source_config *cfg, struct diag *d, void **state);
	/**
	 * Take one sample, appending metrics to out (source name as given).
	 * @return 0; or a negative code with a one-line reason in err.
	 */
	int (*sample)(void *state, const char *source, struct sample_set *out, struct strbuf *err);
	/** Release the state. NULL is a no-op. */
	void (*close)(void *state);
	/**
	 * Optional: history of one metric between two times, one point per step.
	 * @return 0; HR_E_NOTFOUND when the source does not know the metric;
	 *         another code with a reason in err.
	 */
	int (*history)(void *state, const char *metric, double from, double to, double step,
		       struct series *out, struct strbuf *err);
	/** Optional: the metric names the config makes this source provide, NULL terminated. */
	const char *const *(*names)(void *state);
	/**
	 * Optional: make a sample running on another thread end soon (within
	 * about a second) with an error; later samples end at once too. Called
	 * only before close. Thread-safe.
	 */
	void (*cancel)(void *state);
	/**
	 * Every metric base name this backend can give, NULL terminated, for
	 * validation and did-you-mean (docs/metrics.md lists them); NULL when
	 * they come from the config (names()).
	 */
	const char *const *known;
};

/**
 * Write a source's one-line failure reason into err (replacing what was
 * there). A reason longer than the buffer's cap is dropped, not an error:
 * backends call this on their way out of a failure already being reported.
 */
void source_error(struct strbuf *err, const char *fmt, ...) HR_PRINTF(2, 3);

/** An open source. */
struct source;

/**
 * Open a source from its config.
 * @param cfg borrowed; must outlive the source.
 * @param d where config problems go.
 * @param out a new source the caller frees with source_close().
 * @return 0; HR_E_INVALID for an unknown type or a bad setting (reported to d).
 */
HR_NODISCARD int source_open(const struct source_config *cfg, struct diag *d, struct source **out);

/**
 * Sample the source. Metrics are appended to out with the source's name.
 * @param err on failure gets a one-line reason (reset first).
 * @return 0 or a negative code.
 */
HR_NODISCARD int source_sample(struct source *src, struct sample_set *out, struct strbuf *err);

/**
 * Mask in err whatever could be a secret of this source (its password, token,
 * the password in its URL or DSN, and any credential util/redact.h
 * recognises). source_sample() and source_history() do it to their own err.
 */
void source_redact(const struct source *src, struct strbuf *err);

/** Make a sample running on another thread end soon; see source_ops.cancel. Thread-safe. */
void source_cancel(struct source *src);

/**
 * Does this source give a metric with exactly this base name (labels
 * ignored)? Unlike source_provides(), which answers "is it this source's to
 * give" by prefix, this is the exact list, for `validate` and did-you-mean.
 */
bool source_knows(const struct source *src, const char *selector);

/**
 * Append every base name this source can give to names (borrowed strings),
 * growing it as needed.
 */
void source_known_names(const struct source *src, const char ***names, size_t *n, size_t *cap);

/** Close a source. NULL is a no-op. */
void source_close(struct source *src);

/** The source's name (config name, or its type). Borrowed. */
const char *source_name(const struct source *src);
/** The source's type. Borrowed, static. */
const char *source_type(const struct source *src);
/** Time to wait between open and the first sample (see source_ops.warmup_s). */
double source_warmup(const struct source *src);

/** Would this source provide a metric matching the selector (a trigger's metric)? */
bool source_provides(const struct source *src, const char *selector);

/** Does the source keep history (source_history() can answer)? */
bool source_has_history(const struct source *src);

/** Range query; see source_ops.history. HR_E_UNSUPPORTED when the backend keeps none. */
HR_NODISCARD int source_history(struct source *src, const char *metric, double from, double to,
				double step, struct series *out, struct strbuf *err);

/** The config of the source used when nothing is configured: local, mount "/". */
const struct source_config *source_default_config(void);

#endif
