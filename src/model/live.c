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

static void set_unknown(struct live_trigger *t, char *msg)
{
	t->state = TRIG_UNKNOWN;
	t->message = msg;
}

void live_explain_missing(struct live_trigger *t, size_t matched, const char *const *names, size_t n_names,
			  const struct live_provider *prov, size_t n_prov)
{
	const struct trigger_rule *r = t->rule;
	if (matched) {
		t->skipped = true;
		t->message = xasprintf("not applicable: %s has no value here", r->metric);
		return;
	}
	/* No value: whose was it to give? A near miss among the names we do have
	 * is most likely a typo in the trigger. */
	const char *hint = str_suggest(r->metric, names, n_names);
	char *mean = hint ? xasprintf("; did you mean '%s'?", hint) : xstrdup("");
	for (size_t i = 0; i < n_prov; i++) {
		if (!prov[i].provides)
			continue;
		const struct live_source *s = prov[i].src;
		/* Down: unreachable, out of time, or nothing at all came back. */
		bool down = s->rc == HR_E_UNAVAILABLE || s->rc == HR_E_TIMEOUT || !s->given;
		if (s->rc && !down)
			set_unknown(t, xasprintf("source '%s' (%s) gave no value for '%s': %s", s->name, s->type,
						 r->metric, s->error ? s->error : "no reason given"));
		else if (s->rc)
			set_unknown(t, xasprintf("source '%s' (%s) is down: %s", s->name, s->type,
						 s->error ? s->error : "no reason given"));
		else
			set_unknown(t, xasprintf("source '%s' (%s) gave no value for '%s'%s", s->name, s->type,
						 r->metric, mean));
		goto out;
	}
	if (t->is_default) {
		t->skipped = true;
		t->message = xasprintf("no configured source provides '%s'", r->metric);
	} else {
		set_unknown(t, xasprintf("no configured source provides '%s'%s", r->metric,
					 hint ? mean : " (docs/metrics.md lists the metrics)"));
	}
out:
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
