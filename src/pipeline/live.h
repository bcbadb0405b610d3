/* live.h - the pipeline `check` and `agent` share:
 *   sources -> sample set -> (store) -> rules per series -> forecast -> results.
 *
 * Wiring only (this is the cmd layer): the sources, the store, the rules and
 * the forecast do the work. A live keeps one rule machine per (trigger,
 * series); a machine created for a series already in the store is first fed
 * that series' recent history, so a `for` that started before this process
 * (an earlier agent, the agent while `check` runs) is honoured. */
#ifndef HR_LIVE_H
#define HR_LIVE_H

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

/** Close. NULL is a no-op. */
void live_close(struct live *lv);

/** The longest warm-up any source needs between open and the first sample. */
double live_warmup(const struct live *lv);

/**
 * Sample every source and evaluate every trigger at Unix time @p now.
 * @param out filled; free with live_result_free().
 */
void live_round(struct live *lv, double now, struct live_result *out);

/** Turn forecasting on or off for the next rounds (the agent fits once a minute). */
void live_set_forecast(struct live *lv, bool on);

/** The merged rule set (borrowed). */
const struct rule_set *live_rules(const struct live *lv);

#endif
