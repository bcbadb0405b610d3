#include "util/clock.h"
#include "pipeline/live.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sources/source.h"
#include "util/xalloc.h"

#define DAY 86400.0

// One rule machine per (trigger, series).
struct eval_slot {
	size_t rule;
	char *series;
	struct rule_eval e;
};

struct live {
	const struct config *cfg;
	struct live_opts opts;
	struct source **src;
	size_t n_src;
	struct rule_set rules;
	struct eval_slot *ev;
	size_t n_ev, cap_ev;
	enum trigger_state *last;  // per rule: state reported last round
	bool *seen;                // per rule: reported at least once
};


int live_open(const struct config *cfg, const struct live_opts *opts, struct diag *d, struct live **out)
{
	struct live *lv = xcalloc(1, sizeof(*lv));
	lv->cfg = cfg;
	if (opts)
		lv->opts = *opts;
	if (lv->opts.horizon_s <= 0)
		lv->opts.horizon_s = 90 * DAY;
	if (lv->opts.history_s <= 0)
		lv->opts.history_s = 30 * DAY;
	if (lv->opts.max_gap_s <= 0) {
		double iv = lv->opts.interval_s > 0 ? lv->opts.interval_s : 10;
		lv->opts.max_gap_s = 3 * iv < 30 ? 30 : 3 * iv;
	}
	int rc = 0;
	size_t n = cfg && cfg->n_sources ? cfg->n_sources : 1;
	lv->src = xcalloc(n, sizeof(*lv->src));
	for (size_t i = 0; i < n; i++) {
		const struct source_config *sc = cfg && cfg->n_sources ? &cfg->sources[i] : source_default_config();
		int r = source_open(sc, d, &lv->src[lv->n_src]);
		if (r)
			rc = r;
		else
			lv->n_src++;
	}
	const struct trigger_rule *user = cfg ? cfg->triggers : NULL;
	size_t n_user = cfg ? cfg->n_triggers : 0;
	rules_merge(user, n_user, &lv->rules);
	// Checked after the merge: an override may leave out what its default has.
	for (size_t i = 0; i < lv->rules.n; i++) {
		const char *why = rules_validate(&lv->rules.rules[i]);
		if (why) {
			const struct trigger_rule *r = &lv->rules.rules[i];
			diag_error(d, "%s%strigger '%s': %s", r->origin && !lv->rules.is_default[i] ? r->origin : "",
				   r->origin && !lv->rules.is_default[i] ? ": " : "", r->name ? r->name : "?", why);
			rc = HR_E_INVALID;
		}
	}
	lv->last = xcalloc(lv->rules.n + 1, sizeof(*lv->last));
	lv->seen = xcalloc(lv->rules.n + 1, sizeof(*lv->seen));
	if (rc) {
		live_close(lv);
		return rc;
	}
	*out = lv;
	return 0;
}

void live_close(struct live *lv)
{
	if (!lv)
		return;
	for (size_t i = 0; i < lv->n_src; i++)
		source_close(lv->src[i]);
	free(lv->src);
	for (size_t i = 0; i < lv->n_ev; i++)
		free(lv->ev[i].series);
	free(lv->ev);
	free(lv->last);
	free(lv->seen);
	rules_set_free(&lv->rules);
	free(lv);
}

double live_warmup(const struct live *lv)
{
	double w = 0;
	for (size_t i = 0; i < lv->n_src; i++)
		if (source_warmup(lv->src[i]) > w)
			w = source_warmup(lv->src[i]);
	return w;
}

void live_set_forecast(struct live *lv, bool on)
{
	lv->opts.forecast = on;
}

const struct rule_set *live_rules(const struct live *lv)
{
	return &lv->rules;
}

// History of a series: the store's, or when it has none, the range query of
// the source that gave the series (Prometheus keeps what we never stored).
static void history(struct live *lv, const char *series, const char *source, double from, double to,
		    struct series *out)
{
	if (lv->opts.store && store_read_series(lv->opts.store, series, from, to, 0, out) == 0 && out->n)
		return;
	series_free(out);
	for (size_t i = 0; source && i < lv->n_src; i++) {
		if (strcmp(source_name(lv->src[i]), source) != 0 || !source_has_history(lv->src[i]))
			continue;
		// A thousand points resolve a `for` in an hour's window (3.6 s) and
		// a trend in a month's (43 min).
		double step = (to - from) / 1000 > 1 ? (to - from) / 1000 : 1;
		struct strbuf err;
		strbuf_init(&err, 1024);
		if (source_history(lv->src[i], series, from, to, step, out, &err) != 0)
			series_free(out);
		strbuf_free(&err);
		return;
	}
}

// The machine for (rule, series); a new one is fed the stored history first.
static struct rule_eval *eval_for(struct live *lv, size_t ri, const char *series, const char *source, double now)
{
	for (size_t i = 0; i < lv->n_ev; i++)
		if (lv->ev[i].rule == ri && strcmp(lv->ev[i].series, series) == 0)
			return &lv->ev[i].e;
	if (lv->n_ev == lv->cap_ev) {
		lv->cap_ev = lv->cap_ev ? 2 * lv->cap_ev : 32;
		lv->ev = xreallocarray(lv->ev, lv->cap_ev, sizeof(*lv->ev));
	}
	struct eval_slot *s = &lv->ev[lv->n_ev++];
	s->rule = ri;
	s->series = xstrdup(series);
	rules_eval_init(&s->e);
	const struct trigger_rule *r = &lv->rules.rules[ri];
	if (lv->opts.use_history) {
		// Enough history to see a `for` through, and an hour to settle the
		// hysteresis state; older points cannot change the answer much.
		double look = 4 * r->for_s > 3600 ? 4 * r->for_s : 3600;
		struct series h = {0};
		history(lv, series, source, now - look, now - 1e-3, &h);
		rules_replay(r, &s->e, h.t, h.v, h.n, lv->opts.max_gap_s);
		series_free(&h);
	}
	return &s->e;
}

static void forecast_trigger(struct live *lv, struct live_trigger *t, double now)
{
	struct series h = {0};
	history(lv, t->series, t->source, now - lv->opts.history_s, now - 1e-3, &h);
	series_push(&h, now, t->value);
	struct forecast f;
	if (forecast_fit(h.t, h.v, h.n, NULL, &f) == 0 && f.method != FORECAST_NONE) {
		t->method = f.method;
		forecast_eta(&f, t->rule->dir, t->rule->warn, now, t->value, lv->opts.horizon_s, &t->eta_warn);
		forecast_eta(&f, t->rule->dir, t->rule->crit, now, t->value, lv->opts.horizon_s, &t->eta_crit);
	}
	series_free(&h);
}

static void evaluate(struct live *lv, size_t ri, struct live_result *res, struct live_trigger *t)
{
	const struct trigger_rule *r = &lv->rules.rules[ri];
	const struct sample_set *ss = &res->samples;
	double now = res->now;
	memset(t, 0, sizeof(*t));
	t->rule = r;
	t->is_default = lv->rules.is_default[ri];
	t->value = t->pressure = t->since = NAN;
	t->eta_warn.eta_s = t->eta_warn.lo_s = t->eta_warn.hi_s = INFINITY;
	t->eta_crit = t->eta_warn;
	size_t matched = 0, usable = 0;
	enum trigger_state best = TRIG_OK;
	double best_p = NAN;
	const struct metric *best_m = NULL;
	const struct rule_eval *best_e = NULL;
	for (size_t i = 0; i < ss->n; i++) {
		const struct metric *m = &ss->m[i];
		if (!sample_name_matches(r->metric, m->name))
			continue;
		matched++;
		if (isnan(m->value))
			continue;
		usable++;
		struct rule_eval *e = eval_for(lv, ri, m->name, m->source, now);
		(void)rules_step(r, e, now, m->value, lv->opts.max_gap_s);
		double p = rules_pressure(r, m->value);
		if (!best_m || live_worse(e->state, p, best, best_p)) {
			best = e->state, best_p = p, best_m = m, best_e = e;
		}
	}
	if (usable) {
		t->state = best;
		t->value = best_m->value;
		t->pressure = best_p;
		t->series = xstrdup(best_m->name);
		t->source = best_m->source;
		t->since = best_e->since;
		t->pending = rules_pending(r, best_e);
		if (t->pending != TRIG_OK) {
			double from = best_e->beyond_since[t->pending - TRIG_WARN];
			t->pending_s = now - from;
		}
		if (lv->opts.forecast && lv->opts.use_history)
			forecast_trigger(lv, t, now);
		return;
	}
	// No value: whose was it to give?
	const char **names = xcalloc(ss->n + 1, sizeof(*names));
	for (size_t i = 0; i < ss->n; i++)
		names[i] = ss->m[i].name;
	struct live_provider *prov = xcalloc(res->n_src + 1, sizeof(*prov));
	for (size_t i = 0; i < res->n_src; i++) {
		prov[i].src = &res->src[i];
		prov[i].provides = source_provides(lv->src[i], r->metric);
	}
	live_explain_missing(t, matched, names, ss->n, prov, res->n_src);
	free(prov);
	free(names);
}

void live_round(struct live *lv, double now, struct live_result *out)
{
	memset(out, 0, sizeof(*out));
	out->now = now;
	out->bottleneck = -1;
	out->src = xcalloc(lv->n_src + 1, sizeof(*out->src));
	out->n_src = lv->n_src;
	struct strbuf err;
	strbuf_init(&err, 4096);
	for (size_t i = 0; i < lv->n_src; i++) {
		struct live_source *s = &out->src[i];
		s->name = source_name(lv->src[i]);
		s->type = source_type(lv->src[i]);
		double t0 = clock_mono();
		s->rc = source_sample(lv->src[i], &out->samples, &err);
		s->took_s = clock_mono() - t0;
		if (s->rc)
			s->error = xstrdup(err.len ? strbuf_str(&err) : hr_strerror(s->rc));
	}
	strbuf_free(&err);

	out->trig = xcalloc(lv->rules.n + 1, sizeof(*out->trig));
	out->n_trig = lv->rules.n;
	for (size_t ri = 0; ri < lv->rules.n; ri++)
		evaluate(lv, ri, out, &out->trig[ri]);
	live_finish(out, lv->last, lv->seen);
}
