/* autoscale.h - the autoscaling loop's step, shared by `headroom autoscale`
 * and the agent: for each configured service, every autoscale.interval,
 *
 *   metrics from the round's samples -> model/scaling decision -> log it
 *   (store + log line) -> when applying and the count changes: write the
 *   intent to the store, run the actuator, record the scale event (or the
 *   failure and its backoff), post the webhook.
 *
 * The history (recommendations, scale events, KEDA's last activity, resizes
 * in flight) lives in the SQLite store (store/scalelog.h), so a restart keeps
 * the stabilisation windows and the rate bound, and a resize interrupted by
 * a crash is reconciled with the actuator's real count, never run again.
 *
 * Safety: a metric missing from the round keeps its last value only until it
 * is autoscale.max_age old, then it is stale; missing, NaN, stale or empty
 * metrics never scale down (model/scaling). A failed resize is retried with
 * a doubling wait (interval, 2 x interval, ... up to autoscale.retry_max)
 * and each attempt first re-reads the real count. */
#ifndef HR_PIPELINE_AUTOSCALE_H
#define HR_PIPELINE_AUTOSCALE_H

#include <jansson.h>
#include <stdbool.h>

#include "model/autoscale_config.h"
#include "model/sample.h"
#include "store/store.h"
#include "util/diag.h"
#include "util/logger.h"
#include "util/strbuf.h"

/** Options. */
struct autoscaler_opts {
	const char *store_path;  /**< the SQLite file (the agent's history store) */
	struct store *history;   /**< borrowed, for the predictive forecast; NULL: no forecast */
	const char *webhook;     /**< Slack-compatible URL posted on each resize, or NULL */
	struct logger *log;      /**< borrowed; where the decisions, resizes and failures go; NULL: nowhere */
	const char *log_prefix;  /**< before each line ("autoscale: " in the agent's log), or NULL */
	bool verbose;            /**< log every decision, not only changes */
};

/** The loop (opaque). */
struct autoscaler;

/**
 * Open: the actuators, the store's autoscaler tables, each service's
 * history. Runs no command.
 * @param cfg borrowed; must outlive the autoscaler.
 * @param now the start time (a service never seen active counts as active
 *        now, so it is not scaled to zero before a cooldown: kedacore/keda#5008).
 * @return 0; HR_E_INVALID or HR_E_IO after reporting to d.
 */
HR_NODISCARD int autoscaler_open(const struct autoscale_config *cfg, const struct autoscaler_opts *opts, double now,
				 struct diag *d, struct autoscaler **out);

/** Close. NULL is a no-op. */
void autoscaler_close(struct autoscaler *a);

/**
 * Decide (and act) for every service whose interval has come.
 * @param samples the round's metrics (borrowed for the call).
 */
void autoscaler_step(struct autoscaler *a, double now, const struct sample_set *samples);

/** The /metrics lines (render_autoscale_metrics). */
HR_NODISCARD int autoscaler_metrics(const struct autoscaler *a, struct strbuf *out);

/** The /status object (render_autoscale_status). @return a new reference. */
json_t *autoscaler_status(const struct autoscaler *a);

#endif
