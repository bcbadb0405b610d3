/* live.c - the pure part of a live round: its result, which state is worse,
 * why a trigger has no value, and the state changes (see live.h). */
#include "model/live.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/str.h"
#include "util/xalloc.h"

void live_result_free(struct live_result *r)
{
	if (!r)
		return;
	sample_set_free(&r->samples);
	for (size_t i = 0; i < r->n_src; i++)
		free(r->src[i].error);
	free(r->src);
	for (size_t i = 0; i < r->n_trig; i++) {
		free(r->trig[i].series);
		free(r->trig[i].message);
	}
	free(r->trig);
	for (size_t i = 0; i < r->n_chg; i++) {
		free(r->chg[i].series);
		free(r->chg[i].message);
	}
	free(r->chg);
	memset(r, 0, sizeof(*r));
}

bool live_worse(enum trigger_state s1, double p1, enum trigger_state s2, double p2)
{
	if (s1 != s2)
		return s1 > s2;
	if (isnan(p2))
		return !isnan(p1);
	return !isnan(p1) && p1 > p2;
}

enum live_source_state live_source_state(const struct live_source *s)
{
	if (!s->rc)
		return s->given ? LIVE_SOURCE_UP : LIVE_SOURCE_SILENT;
	/* Unreachable, out of time, or nothing at all came back. */
	if (s->rc == HR_E_UNAVAILABLE || s->rc == HR_E_TIMEOUT || !s->given)
		return LIVE_SOURCE_DOWN;
	return LIVE_SOURCE_PARTIAL;
}

const char *live_source_state_name(enum live_source_state st)
{
	switch (st) {
	case LIVE_SOURCE_UP: return "up";
	case LIVE_SOURCE_PARTIAL: return "partial";
	case LIVE_SOURCE_SILENT: return "silent";
	case LIVE_SOURCE_DOWN: return "down";
	}
	return "?";
}

const char *live_source_reason(const struct live_source *s)
{
	switch (live_source_state(s)) {
	case LIVE_SOURCE_UP: return NULL;
	case LIVE_SOURCE_SILENT: return "answered with no metric";
	default: return s->error ? s->error : "no reason given";
	}
}

/* Most other sources named after the one blamed: the rest are counted. */
#define OTHERS_NAMED 3

/* Why @p p gave no series of the trigger's metric, in one line (owned). */
static char *blame_line(const struct live_provider *p, const char *metric, const char *mean)
{
	const struct live_source *s = p->src;
	switch (live_source_state(s)) {
	case LIVE_SOURCE_DOWN:
		return xasprintf("source '%s' (%s) is down: %s", s->name, s->type, live_source_reason(s));
	case LIVE_SOURCE_SILENT:
		return xasprintf("source '%s' (%s) is silent: it %s", s->name, s->type, live_source_reason(s));
	case LIVE_SOURCE_PARTIAL:
		return xasprintf("source '%s' (%s) gave no value for '%s': %s", s->name, s->type, metric,
				 live_source_reason(s));
	case LIVE_SOURCE_UP:
		break;
	}
	return xasprintf("source '%s' (%s) gave no value for '%s'%s", s->name, s->type, metric, mean);
}

/* Is this provider to blame for the metric? One that gave a series of it
 * never is; one that is not up always is; one that is up only when nobody
 * gave a series (@p matched, over every source). */
static bool to_blame(const struct live_provider *p, size_t matched)
{
	if (!p->provides || p->matched)
		return false;
	return live_source_state(p->src) != LIVE_SOURCE_UP || !matched;
}

/* The blame for a trigger's metric: the first source to blame, a source
 * that is not up before one that is (the likelier cause), then the names of
 * the others. NULL when nobody is to blame. */
static char *blame(const struct live_provider *prov, size_t n_prov, size_t matched, const char *metric,
		   const char *mean)
{
	const struct live_provider *first = NULL;
	for (int pass = 0; pass < 2 && !first; pass++)
		for (size_t i = 0; i < n_prov && !first; i++)
			if (to_blame(&prov[i], matched) &&
			    (pass || live_source_state(prov[i].src) != LIVE_SOURCE_UP))
				first = &prov[i];
	if (!first)
		return NULL;
	char *line = blame_line(first, metric, mean);
	size_t others = 0;
	for (size_t i = 0; i < n_prov; i++) {
		if (&prov[i] == first || !to_blame(&prov[i], matched))
			continue;
		if (others++ >= OTHERS_NAMED)
			continue;
		char *more = xasprintf("%s%s'%s' (%s)", line, others > 1 ? ", " : "; also without it: ",
				       prov[i].src->name, live_source_state_name(live_source_state(prov[i].src)));
		free(line);
		line = more;
	}
	if (others > OTHERS_NAMED) {
		char *more = xasprintf("%s and %zu more", line, others - OTHERS_NAMED);
		free(line);
		line = more;
	}
	return line;
}

void live_judge(struct live_trigger *t, const char *const *names, size_t n_names, const struct live_provider *prov,
		size_t n_prov)
{
	const struct trigger_rule *r = t->rule;
	size_t matched = 0;
	for (size_t i = 0; i < n_prov; i++)
		matched += prov[i].matched;
	/* A near miss among the names we do have is most likely a typo in the trigger. */
	const char *hint = t->series ? NULL : str_suggest(r->metric, names, n_names);
	char *mean = hint ? xasprintf("; did you mean '%s'?", hint) : xstrdup("");
	char *why = blame(prov, n_prov, matched, r->metric, mean);
	if (t->series && why) {
		/* A value came, but not from every source that gives it. */
		bool firing = t->state == TRIG_WARN || t->state == TRIG_CRIT;
		t->message = xasprintf("%s; %s the sources that answered", why,
				       firing ? "the state stands on" : "the value shown is from");
		if (!firing)
			t->state = TRIG_UNKNOWN;
	} else if (why) {
		t->state = TRIG_UNKNOWN;
		t->message = why;
		why = NULL;
	} else if (t->series) {
		/* Every source that gives it did. */
	} else if (matched) {
		t->skipped = t->no_value = true;
		t->message = xasprintf("not applicable: %s has no value here", r->metric);
	} else if (t->is_default) {
		t->skipped = true;
		t->message = xasprintf("no configured source provides '%s'", r->metric);
	} else {
		t->state = TRIG_UNKNOWN;
		t->message = xasprintf("no configured source provides '%s'%s", r->metric,
				       hint ? mean : " (docs/metrics.md lists the metrics)");
	}
	free(why);
	free(mean);
}

void live_finish(struct live_result *r, enum trigger_state *last, bool *seen)
{
	r->status = TRIG_OK;
	r->bottleneck = -1;
	if (!r->chg)
		r->chg = xcalloc(r->n_trig + 1, sizeof(*r->chg));
	for (size_t ri = 0; ri < r->n_trig; ri++) {
		const struct live_trigger *t = &r->trig[ri];
		if (t->skipped)
			continue;
		if (t->state > r->status)
			r->status = t->state;
		if (t->state != last[ri] && (seen[ri] || t->state != TRIG_OK)) {
			struct live_change *c = &r->chg[r->n_chg++];
			c->rule = t->rule;
			c->series = xstrdup(t->series ? t->series : t->rule->metric);
			c->from = last[ri];
			c->to = t->state;
			c->value = t->value;
			c->message = t->message ? xstrdup(t->message) : NULL;
		}
		last[ri] = t->state;
		seen[ri] = true;
		if (t->state != TRIG_UNKNOWN &&
		    (r->bottleneck < 0 ||
		     live_worse(t->state, t->pressure, r->trig[r->bottleneck].state, r->trig[r->bottleneck].pressure)))
			r->bottleneck = (long)ri;
	}
}
