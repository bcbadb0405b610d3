/* live.h - the pure part of a live round: what a round found (per source,
 * per trigger, state changes) and the decisions made on it.
 *
 * pipeline/live.c samples the sources and runs each trigger's rule machine;
 * what follows from those outcomes is decided here, without I/O or a clock,
 * so it can be tested as tables of cases: which series decides a trigger
 * (the worst), why a trigger has no value (whose it was to give), which
 * changes of state are reported, the round's status and its bottleneck. */
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

/**
 * Is (s1, p1) worse than (s2, p2)? Worse state first, then higher pressure
 * (rules_pressure()); a pressure beats NaN.
 */
bool live_worse(enum trigger_state s1, double p1, enum trigger_state s2, double p2);

/** What a source can say about a metric nobody gave, for live_explain_missing(). */
struct live_provider {
	const struct live_source *src; /**< borrowed: the source and how its sample went */
	bool provides;                 /**< it is the kind of source that gives the metric */
};

/**
 * A trigger none of whose series has a value: set t->skipped or UNKNOWN and
 * t->message (owned) with the reason. Series that exist but are NaN make the
 * trigger not applicable; else the first source that provides the metric is
 * to blame (down, or answered without it, with a did-you-mean among
 * @p names); else nobody provides it: a default trigger is skipped, a
 * configured one is UNKNOWN.
 * @param matched how many series matched the trigger's metric (all NaN).
 * @param names the names sampled this round (borrowed), for did-you-mean.
 */
void live_explain_missing(struct live_trigger *t, size_t matched, const char *const *names, size_t n_names,
			  const struct live_provider *prov, size_t n_prov);

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
