/* live.h - the pure part of a live round: what a round found (per source,
 * per trigger, state changes) and the decisions made on it.
 *
 * pipeline/live.c samples the sources and runs each trigger's rule machine;
 * what follows from those outcomes is decided here, without I/O or a clock,
 * so it can be tested as tables of cases: which series decides a trigger
 * (the worst), whether every source that should give its metric did (one
 * down or silent makes the trigger UNKNOWN, whatever the others gave), why a
 * trigger has no value (whose it was to give), which changes of state are
 * reported, the round's status and its bottleneck. */
#ifndef HR_MODEL_LIVE_H
#define HR_MODEL_LIVE_H

#include <stdbool.h>
#include <stddef.h>

#include "model/forecast.h"
#include "model/rules.h"
#include "model/sample.h"

/** What happened to one source in the last sample. */
struct live_source {
	const char *name;  /**< borrowed */
	const char *type;  /**< borrowed, static */
	int rc;            /**< 0 when it answered */
	char *error;       /**< owned one-line reason when rc != 0 */
	double took_s;     /**< how long the sample took */
	size_t given;      /**< metrics it gave (some, even with rc != 0: a query of several failed) */
	size_t first;      /**< index in the round's samples of the first of them */
};

/** How a source's last sample went (live_source_state()). */
enum live_source_state {
	LIVE_SOURCE_UP,      /**< answered, no error */
	LIVE_SOURCE_PARTIAL, /**< answered in part: some metrics, and an error for the rest */
	LIVE_SOURCE_SILENT,  /**< answered without an error, and without a single metric */
	LIVE_SOURCE_DOWN,    /**< unreachable, out of time, or failed with nothing given */
};

/** The state of a source after its sample: see enum live_source_state. */
enum live_source_state live_source_state(const struct live_source *s);

/** "up", "partial", "silent", "down" (static). */
const char *live_source_state_name(enum live_source_state st);

/**
 * Why a source is not up, in one line: its error, or for a silent one
 * "answered with no metric". NULL for a source that is up (borrowed or static).
 */
const char *live_source_reason(const struct live_source *s);

/** The state of one trigger after a sample. */
struct live_trigger {
	const struct trigger_rule *rule; /**< borrowed */
	bool is_default;                 /**< from the default policy */
	bool skipped;                    /**< not applicable here: no source for it, or NaN */
	bool no_value;                   /**< skipped because its series are NaN here, not for want of a source */
	enum trigger_state state;        /**< UNKNOWN when its source is down */
	enum trigger_state pending;      /**< level the value is past without its `for` yet */
	double pending_s;                /**< for how long (seconds) */
	double since;                    /**< when the state was entered (NaN: unknown) */
	char *series;                    /**< owned: the series that decided the state, or NULL */
	const char *source;              /**< borrowed: the source of that series, or NULL */
	double value;                    /**< its value now, NaN when none */
	double pressure;                 /**< value against warn, see rules_pressure() */
	char *message;                   /**< owned: why UNKNOWN or skipped, or which source a firing state
					      was decided without; NULL otherwise */
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
	enum trigger_state status;  /**< worst state of the triggers that apply (a caller may make it worse) */
	long bottleneck;            /**< index into trig of the bottleneck, -1 when none */
	const char *status_note;    /**< borrowed: why the caller made status worse than the triggers' (a plan
				         no deployment meets), for the summary; NULL otherwise */
};


/** Free a result's contents. NULL is a no-op. */
void live_result_free(struct live_result *r);

/**
 * Is (s1, p1) worse than (s2, p2)? Worse state first, then higher pressure
 * (rules_pressure()); a pressure beats NaN.
 */
bool live_worse(enum trigger_state s1, double p1, enum trigger_state s2, double p2);

/** What one source did about a trigger's metric this round, for live_judge(). */
struct live_provider {
	const struct live_source *src; /**< borrowed: the source and how its sample went */
	bool provides;                 /**< it is the kind of source that gives the metric (as configured) */
	size_t matched;                /**< series of the metric it gave this round, NaN ones included */
};

/**
 * Whether a trigger's verdict stands on every source that should give its
 * metric, and why a trigger has no value. Called once the worst usable
 * series has set t->state, t->series and t->value (t->series NULL: none).
 *
 * A source that provides the metric and gave no series of it is to blame
 * when it is down, silent or answered in part, whatever the other sources
 * gave: the trigger is UNKNOWN naming it (and counting the others), the
 * value of the sources that answered kept for the record. A WARNING or
 * CRITICAL the sources that answered show stands (the alert gets through),
 * with the missing source in t->message. A source that is up and gave other
 * metrics is only to blame when nobody gave a series of the metric (a
 * selector with labels may name series only another source has).
 *
 * With no usable series and nobody to blame: series that exist but are NaN
 * make the trigger not applicable; else nobody provides the metric: a
 * default trigger is skipped, a configured one is UNKNOWN (with a
 * did-you-mean among @p names).
 * @param names base names the sources can give (borrowed), for did-you-mean.
 */
void live_judge(struct live_trigger *t, const char *const *names, size_t n_names, const struct live_provider *prov,
		size_t n_prov);

/**
 * Finish a round whose triggers are evaluated: the status (worst state of the
 * triggers that apply), the bottleneck (the worst of those that are not
 * UNKNOWN), and r->chg, the changes of state against @p last. A change is
 * reported when the state differs from the last one, except a first OK.
 * @param last per trigger, the state reported last round; updated.
 * @param seen per trigger, reported at least once; updated.
 */
void live_finish(struct live_result *r, enum trigger_state *last, bool *seen);

#endif
