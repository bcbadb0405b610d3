/* autoscale.h - the autoscaling loop's step, shared by `headroom autoscale`
 * and the agent, and the loop of `headroom autoscale` (autoscale_run()): for
 * each configured service, every autoscale.interval,
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
 * and each attempt first re-reads the real count.
 *
 * Bounds: each command runs in a process group of its own, killed whole at
 * autoscale.timeout or at a stop request (actuators/run.h). A resize in
 * flight is recorded in a pid file beside the store (STORE.autoscale-NAME.pid)
 * until its command has ended: after a kill -9 the next start waits for a
 * command still running, or kills its group once its timeout has passed,
 * before it reconciles and decides again. In the agent the steps run on a
 * thread of their own (autoscaler_start): a slow actuator delays neither
 * sampling nor /status, /metrics or alerts. */
#ifndef HR_PIPELINE_AUTOSCALE_H
#define HR_PIPELINE_AUTOSCALE_H

#include <jansson.h>
#include <signal.h>
#include <stdbool.h>

#include "config/config.h"
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
	/** a stop request (a signal handler's flag): kills a command in flight and
	 *  starts no other; borrowed, must outlive the autoscaler; NULL: none */
	const volatile sig_atomic_t *stop;
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
 * Decide (and act) for every service whose interval has come, on the
 * caller's thread (not after autoscaler_start()).
 * @param samples the round's metrics (borrowed for the call).
 */
void autoscaler_step(struct autoscaler *a, double now, const struct sample_set *samples);

/**
 * Run the steps on a thread of their own from now on, with a connection of
 * their own to the history store (opts.store_path) for the forecast. Feed it
 * with autoscaler_feed(); autoscaler_close() stops it (a command in flight
 * ends at the stop request or its timeout).
 * @return 0; HR_E_IO when the store or the thread cannot be opened (reported to d).
 */
HR_NODISCARD int autoscaler_start(struct autoscaler *a, struct diag *d);

/**
 * Hand a round to the thread and return at once: the thread steps with the
 * latest round it has been given (a round given while it was busy replaces
 * the one before, which is never stepped).
 * @param samples copied.
 */
void autoscaler_feed(struct autoscaler *a, double now, const struct sample_set *samples);

/**
 * The /metrics lines (render_autoscale_metrics), appended to out. After
 * autoscaler_start(), as they stood after the thread's last step (or before
 * its last resize): safe from any thread.
 */
HR_NODISCARD int autoscaler_metrics(struct autoscaler *a, struct strbuf *out);

/** The /status object (render_autoscale_status), as autoscaler_metrics(). @return a new reference. */
json_t *autoscaler_status(struct autoscaler *a);

/** What `headroom autoscale` runs its loop with (flags over the config). */
struct autoscale_params {
	const char *store;  /**< the SQLite store's path (live_store_path()) */
	bool once;          /**< one round, then return */
	bool verbose;       /**< log every decision, not only changes */
};

/**
 * The loop of `headroom autoscale`: every autoscale.interval, sample the
 * configured sources (pipeline/live), record the round in the store (the
 * history the predictive forecast reads) and step the autoscaler; until
 * *stop becomes non-zero, or after one round with p->once.
 * @param cfg borrowed; its autoscale section names the services.
 * @param log where the start, the decisions and the stop are logged.
 * @return 0 after a stop (or the one round); HR_E_IO when the store cannot
 *         be opened; HR_E_INVALID when a source, a trigger or a service is
 *         misconfigured (each reported to d).
 */
HR_NODISCARD int autoscale_run(const struct config *cfg, const struct autoscale_params *p, struct logger *log,
			       struct diag *d, volatile sig_atomic_t *stop);

#endif
