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
#include "model/forecast.h"
#include "model/rules.h"
#include "model/sample.h"
#include "store/store.h"
#include "util/diag.h"

/** What happened to one source in the last sample. */
struct live_source {
	const char *name;  /**< borrowed */
	const char *type;  /**< borrowed, static */
	int rc;            /**< 0 when it answered */
	char *error;       /**< owned one-line reason when rc != 0 */
	double took_s;     /**< how long the sample took */
};

/** The state of one trigger after a sample. */
struct live_trigger {
	const struct trigger_rule *rule; /**< borrowed */
	bool is_default;                 /**< from the default policy */
	bool skipped;                    /**< not applicable here: no source for it, or NaN */
	enum trigger_state state;        /**< UNKNOWN when its source is down */
	enum trigger_state pending;      /**< level the value is past without its `for` yet */
	double pending_s;                /**< for how long (seconds) */
	double since;                    /**< when the state was entered (NaN: unknown) */
	char *series;                    /**< owned: the series that decided the state, or NULL */
	const char *source;              /**< borrowed: the source of that series, or NULL */
	double value;                    /**< its value now, NaN when none */
	double pressure;                 /**< value against warn, see rules_pressure() */
	char *message;                   /**< owned: why UNKNOWN or skipped; NULL otherwise */
	enum forecast_method method;     /**< FORECAST_NONE when no forecast was made */
	struct forecast_eta eta_warn, eta_crit;
};

/** A state change, for the log, the store and the webhook. */
struct live_change {
	const struct trigger_rule *rule; /**< borrowed */
	char *series;                    /**< owned */
	enum trigger_state from, to;
	double value;
	char *message;                   /**< owned or NULL */
};

/** The result of one round. */
struct live_result {
	double now;                 /**< Unix time of the sample */
	struct sample_set samples;  /**< every metric of every source */
	struct live_source *src;    /**< owned, n_src of them */
	size_t n_src;
	struct live_trigger *trig;  /**< owned, n_trig of them, in rule order */
	size_t n_trig;
	struct live_change *chg;    /**< owned state changes since the last round */
	size_t n_chg;
	enum trigger_state status;  /**< worst state of the triggers that apply */
	long bottleneck;            /**< index into trig of the bottleneck, -1 when none */
};

/** Free a result's contents. NULL is a no-op. */
void live_result_free(struct live_result *r);

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
