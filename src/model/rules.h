/* rules.h - triggers: warn/crit levels, `for` durations, hysteresis.
 *
 * A trigger (struct trigger_rule, model.h) watches one metric. Its state is a
 * small machine fed one sample at a time (rules_step): a level (warn or crit)
 * becomes active once the value has stayed beyond it, without a gap in the
 * data, for the rule's `for`; it clears when the value comes back past the
 * level moved by the hysteresis. The state is the highest active level. The
 * agent feeds the machine live; `check` replays the stored history into a
 * fresh machine and then feeds the current sample, so both agree.
 *
 * Pure code: no I/O, no clock (times are passed in), no globals but the
 * constant default policy. */
#ifndef HR_RULES_H
#define HR_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "model/model.h"
#include "util/error.h"

/** Trigger states, in Nagios order so the worst is the largest. */
enum trigger_state {
	TRIG_OK = 0,
	TRIG_WARN = 1,
	TRIG_CRIT = 2,
	TRIG_UNKNOWN = 3,
};

/** "ok", "warning", "critical", "unknown" (the JSON names). */
const char *rules_state_name(enum trigger_state s);
/** "OK", "WARNING", "CRITICAL", "UNKNOWN" (the Nagios names). */
const char *rules_state_label(enum trigger_state s);

/** The live state of one trigger on one series. */
struct rule_eval {
	enum trigger_state state; /**< TRIG_OK, TRIG_WARN or TRIG_CRIT */
	double since;             /**< when the state was entered (NaN before any sample) */
	double beyond_since[2];   /**< warn, crit: since when the value is past the level; NaN if not */
	double last_t;            /**< time of the last sample fed (NaN: none) */
	double value;             /**< the last value fed (NaN: none) */
};

/** Reset to OK with no history. */
void rules_eval_init(struct rule_eval *e);

/**
 * Feed one sample.
 * @param r the rule; a level that is NaN is not used.
 * @param t sample time in seconds (any epoch; must not go backwards).
 * @param v the value; NaN samples are ignored.
 * @param max_gap_s a gap between samples longer than this breaks a `for`
 *        (data stopped: the value was not seen staying past the level); 0 = no limit.
 * @return true when the state changed.
 */
bool rules_step(const struct trigger_rule *r, struct rule_eval *e, double t, double v, double max_gap_s);

/** Feed n samples in time order (rules_step for each). */
void rules_replay(const struct trigger_rule *r, struct rule_eval *e, const double *t, const double *v,
		  size_t n, double max_gap_s);

/**
 * The level the value is pending for: the highest level the value is past but
 * whose `for` has not run out yet, or TRIG_OK when none.
 */
enum trigger_state rules_pending(const struct trigger_rule *r, const struct rule_eval *e);

/**
 * How far a value is towards its warn level: v / warn for a rule firing
 * above, warn / v for one firing below (1 = at the level, > 1 past it).
 * @return the ratio, or NaN when the rule has no usable warn level.
 */
double rules_pressure(const struct trigger_rule *r, double v);

/** Is the value past the level in the rule's direction? */
bool rules_beyond(const struct trigger_rule *r, double level, double v);

/**
 * The default policy built from the seeds (docs/check.md, "Default triggers");
 * each entry names the seed it comes from in `origin` and its advice in `action`.
 * @param n set to the number of rules.
 * @return a static array; never NULL.
 */
const struct trigger_rule *rules_defaults(size_t *n);

/** The defaults and the user's rules, merged. */
struct rule_set {
	struct trigger_rule *rules; /**< owned array; the strings in it are borrowed */
	bool *is_default;           /**< owned; true for a rule from the default policy untouched */
	size_t n;
};

/**
 * Merge user rules over the defaults. A user rule with a default's name
 * overrides it field by field: what the config leaves out (metric NULL,
 * warn/crit/for/hysteresis NaN, action NULL) comes from the default. A rule
 * with `disabled` set (`enabled: false`) drops itself and the default it
 * names. Other user rules follow the defaults, in config order.
 * @param user borrowed; must outlive the set.
 * @param out filled; free with rules_set_free().
 */
void rules_merge(const struct trigger_rule *user, size_t n_user, struct rule_set *out);

/** Free a merged set. NULL is a no-op. */
void rules_set_free(struct rule_set *s);

/**
 * Check a rule for mistakes a user can make: no metric, both levels NaN,
 * levels in the wrong order for the direction, negative `for` or hysteresis.
 * @return NULL when valid, else a static sentence saying what is wrong.
 */
const char *rules_validate(const struct trigger_rule *r);

#endif
