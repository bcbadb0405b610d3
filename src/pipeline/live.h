/* live.h - the pipeline `check` and `agent` share:
 *   sources -> sample set -> (store) -> rules per series -> forecast -> results.
 *
 * Wiring only (the layer above the adapters): the sources, the store, the rules and
 * the forecast do the work. A live keeps one rule machine per (trigger,
 * series); a machine created for a series already in the store is first fed
 * that series' recent history, so a `for` that started before this process
 * (an earlier agent, the agent while `check` runs) is honoured. */
#ifndef HR_LIVE_H
#define HR_LIVE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"
#include "model/live.h"
#include "model/forecast.h"
#include "model/rules.h"
#include "model/sample.h"
#include "store/store.h"
#include "util/diag.h"

/** Options. */
struct live_opts {
	struct store *store;     /**< borrowed history, or NULL */
	bool use_history;        /**< replay and forecast from the store, else the sources' range queries */
	double max_gap_s;        /**< see rules_step(); 0 = 3 x interval, at least 30 s */
	double interval_s;       /**< sampling interval of the agent (for max_gap) */
	bool forecast;           /**< fit forecasts from the store */
	double horizon_s;        /**< forecast horizon (default 90 days) */
	double history_s;        /**< history read for forecasts (default 30 days) */
	/** A stop request (the agent's signal flag), or NULL: a round waiting for its sources returns at once. */
	const volatile sig_atomic_t *stop;
};

/** The pipeline (opaque). */
struct live;

/**
 * Open every configured source (the local one when there are none) and merge
 * the triggers over the defaults.
 * @param cfg borrowed, may be NULL (nothing configured); must outlive the live.
 * @param out a new live; free with live_close().
 * @return 0; HR_E_INVALID when a source or a trigger is misconfigured (reported to d).
 */
HR_NODISCARD int live_open(const struct config *cfg, const struct live_opts *opts, struct diag *d,
			   struct live **out);

/**
 * Check what live_open() checks (every source's settings: URLs, DSNs; every
 * trigger's levels), and that each configured trigger's metric is one a
 * configured source gives, with a did-you-mean. Nothing is sampled.
 * @param cfg borrowed; NULL is valid (nothing configured).
 * @return 0, or HR_E_INVALID after reporting each problem to d.
 */
HR_NODISCARD int live_validate(const struct config *cfg, struct diag *d);

/** Close. NULL is a no-op. */
void live_close(struct live *lv);

/** The longest warm-up any source needs between open and the first sample. */
double live_warmup(const struct live *lv);

/**
 * Sample every source and evaluate every trigger at Unix time @p now. The
 * sources sample at once, each on a thread of its own; the round waits for
 * them up to the longest source timeout plus a second. A source still
 * sampling then is left out (HR_E_TIMEOUT, "still sampling"), its triggers
 * UNKNOWN; it is asked again once it has answered.
 * @param out filled; free with live_result_free().
 */
void live_round(struct live *lv, double now, struct live_result *out);

/**
 * Sample a round (live_round()) and record it: its samples are appended to
 * the store of live_opts, in one transaction, when there is a store that may
 * be written and no stop was requested while sampling (a round cut short is
 * not news). The one way a command takes a round and keeps it.
 * @param append_d where the store reports from the append on (a failed
 *        append's message: `check` keeps it for a note), or NULL: where it
 *        reported before.
 * @param out filled as by live_round(); free with live_result_free().
 * @return 0 (recorded, or nothing to record); HR_E_IO when the append failed
 *         (the message went to the store's diag).
 */
HR_NODISCARD int live_record(struct live *lv, double now, struct diag *append_d, struct live_result *out);

/**
 * The history store's path: @p flag (--store) when given, else the config's
 * agent.store, else the default (store_default_path()).
 * @param cfg may be NULL (nothing configured).
 * @param owned set to the default's string when that is the answer (the
 *        caller frees it), else NULL.
 * @return the path (borrowed from flag, cfg or *owned), or NULL when there
 *         is none: no flag, no agent.store, and neither XDG_STATE_HOME nor
 *         HOME is usable.
 */
const char *live_store_path(const char *flag, const struct config *cfg, char **owned);

/** Turn forecasting on or off for the next rounds (the agent fits once a minute). */
void live_set_forecast(struct live *lv, bool on);

/** The merged rule set (borrowed). */
const struct rule_set *live_rules(const struct live *lv);

#endif
