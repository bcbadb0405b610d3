/* live.c - a live round: sample every source on its own thread, evaluate
 * every trigger per series, forecast, and record the round (see live.h). */
#include "pipeline/live.h"

#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sources/source.h"
#include "util/clock.h"
#include "util/str.h"
#include "util/xalloc.h"

#define DAY 86400.0

/* Every source samples on a thread of its own, so a slow one (a peer that
 * drips its reply) cannot delay the others. The round waits for them up to
 * a budget: the longest source timeout plus ROUND_GRACE_S for a source that
 * overruns its own deadline (a DNS lookup); one still sampling then is left
 * out of the round, its triggers UNKNOWN, and is not asked again until it
 * has answered. A stop request ends the wait at once. */
#define ROUND_GRACE_S 1.0

struct worker {
	struct live *lv;
	struct source *src;
	pthread_t tid;
	bool started;
	/* Under lv->mu: */
	bool go, busy, done, quit;
	unsigned long round;     /* the round its last sample was asked for */
	double t0;               /* when that sample began (clock_mono) */
	struct sample_set out;
	struct strbuf err;
	int rc;
	double took;
};

/* One rule machine per (trigger, series). */
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
	struct worker *w;          /* one per source */
	pthread_mutex_t mu;
	pthread_cond_t cv;         /* any change of a worker's state */
	unsigned long round;
	double budget_s;           /* how long a round waits for its sources */
	struct rule_set rules;
	struct eval_slot *ev;
	size_t n_ev, cap_ev;
	enum trigger_state *last;  /* per rule: state reported last round */
	bool *seen;                /* per rule: reported at least once */
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
	/* Checked after the merge: an override may leave out what its default has. */
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
	pthread_mutex_init(&lv->mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&lv->cv, &ca);
	pthread_condattr_destroy(&ca);
	lv->w = xcalloc(lv->n_src + 1, sizeof(*lv->w));
	double longest = 0;
	for (size_t i = 0; i < lv->n_src; i++) {
		const struct source_config *sc = cfg && cfg->n_sources ? &cfg->sources[i] : source_default_config();
		double t = sc->timeout_s > 0 ? sc->timeout_s : 5;
		longest = t > longest ? t : longest;
	}
	lv->budget_s = longest + ROUND_GRACE_S;
	if (rc) {
		live_close(lv);
		return rc;
	}
	*out = lv;
	return 0;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct live *lv = w->lv;
	pthread_mutex_lock(&lv->mu);
	for (;;) {
		while (!w->go && !w->quit)
			pthread_cond_wait(&lv->cv, &lv->mu);
		if (w->quit)
			break;
		w->go = false;
		pthread_mutex_unlock(&lv->mu);
		struct sample_set out;
		sample_set_init(&out);
		struct strbuf err;
		strbuf_init(&err, 4096);
		double t0 = clock_mono();
		int rc = source_sample(w->src, &out, &err);
		double took = clock_mono() - t0;
		pthread_mutex_lock(&lv->mu);
		sample_set_free(&w->out);
		strbuf_free(&w->err);
		w->out = out;
		w->err = err;
		w->rc = rc;
		w->took = took;
		w->busy = false;
		w->done = true;
		pthread_cond_broadcast(&lv->cv);
	}
	pthread_mutex_unlock(&lv->mu);
	return NULL;
}

/* Start the workers on first use: `validate` opens a live and never samples. */
static void start_workers(struct live *lv)
{
	/* Signals go to the main thread: the workers block them, so SIGTERM
	 * interrupts the agent's sleep, not a sample. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (size_t i = 0; i < lv->n_src; i++) {
		struct worker *w = &lv->w[i];
		if (w->started)
			continue;
		w->lv = lv;
		w->src = lv->src[i];
		sample_set_init(&w->out);
		strbuf_init(&w->err, 4096);
		if (pthread_create(&w->tid, NULL, worker_main, w) != 0)
			abort(); /* out of threads: xalloc's policy for resources */
		w->started = true;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

int live_validate(const struct config *cfg, struct diag *d)
{
	struct live *lv = NULL;
	int rc = live_open(cfg, NULL, d, &lv);
	if (rc)
		return rc;
	/* Every configured trigger's metric must be one a configured source
	 * gives (docs/metrics.md): `check` would say UNKNOWN for ever. */
	const char **names = NULL;
	size_t n_names = 0, cap = 0;
	for (size_t i = 0; i < lv->n_src; i++)
		source_known_names(lv->src[i], &names, &n_names, &cap);
	for (size_t ri = 0; ri < lv->rules.n; ri++) {
		const struct trigger_rule *r = &lv->rules.rules[ri];
		if (lv->rules.is_default[ri] || !r->metric)
			continue;
		bool known = false;
		for (size_t i = 0; i < lv->n_src && !known; i++)
			known = source_knows(lv->src[i], r->metric);
		if (known)
			continue;
		char *base = xstrndup(r->metric, sample_base_len(r->metric));
		const char *hint = str_suggest(base, names, n_names);
		char path[160];
		snprintf(path, sizeof(path), "triggers.%s.metric", r->name ? r->name : "?");
		struct diag_loc loc = config_loc(cfg, path);
		if (!loc.line) {
			/* An override that names no metric: point at the trigger. */
			snprintf(path, sizeof(path), "triggers.%s", r->name ? r->name : "?");
			loc = config_loc(cfg, path);
		}
		diag_at(d, DIAG_ERROR, &loc, "triggers.%s: no configured source gives '%s'%s%s%s", r->name, base,
			hint ? "; did you mean '" : " (docs/metrics.md lists what each source gives)", hint ? hint : "",
			hint ? "'?" : "");
		free(base);
		rc = HR_E_INVALID;
	}
	free(names);
	live_close(lv);
	return rc;
}

void live_close(struct live *lv)
{
	if (!lv)
		return;
	if (lv->w) {
		/* A sample still running is cancelled (it ends within about a
		 * second), then every worker is joined before its source closes. */
		pthread_mutex_lock(&lv->mu);
		for (size_t i = 0; i < lv->n_src; i++) {
			if (lv->w[i].busy)
				source_cancel(lv->src[i]);
			lv->w[i].quit = true;
		}
		pthread_cond_broadcast(&lv->cv);
		pthread_mutex_unlock(&lv->mu);
		for (size_t i = 0; i < lv->n_src; i++) {
			if (!lv->w[i].started)
				continue;
			pthread_join(lv->w[i].tid, NULL);
			sample_set_free(&lv->w[i].out);
			strbuf_free(&lv->w[i].err);
		}
		free(lv->w);
		pthread_mutex_destroy(&lv->mu);
		pthread_cond_destroy(&lv->cv);
	}
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

/* History of a series: the store's, or when it has none, the range query of
 * the source that gave the series (Prometheus keeps what we never stored). */
static void history(struct live *lv, const char *series, const char *source, double from, double to,
		    struct series *out)
{
	if (lv->opts.store && store_read_series(lv->opts.store, series, from, to, 0, out) == 0 && out->n)
		return;
	series_free(out);
	for (size_t i = 0; source && i < lv->n_src; i++) {
		if (strcmp(source_name(lv->src[i]), source) != 0 || !source_has_history(lv->src[i]))
			continue;
		/* A source still sampling from an earlier round owns its connection. */
		pthread_mutex_lock(&lv->mu);
		bool busy = lv->w[i].busy;
		pthread_mutex_unlock(&lv->mu);
		if (busy)
			return;
		/* A thousand points resolve a `for` in an hour's window (3.6 s) and
		 * a trend in a month's (43 min). */
		double step = (to - from) / 1000 > 1 ? (to - from) / 1000 : 1;
		struct strbuf err;
		strbuf_init(&err, 1024);
		if (source_history(lv->src[i], series, from, to, step, out, &err) != 0)
			series_free(out);
		strbuf_free(&err);
		return;
	}
}

/* The machine for (rule, series); a new one is fed the stored history first. */
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
		/* Enough history to see a `for` through, and an hour to settle the
		 * hysteresis state; older points cannot change the answer much. */
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
	size_t usable = 0;
	enum trigger_state best = TRIG_OK;
	double best_p = NAN;
	const struct metric *best_m = NULL;
	/* A copy, not a pointer: eval_for() may move the machines (more than
	 * 32 series of one trigger reallocate them). */
	struct rule_eval best_ev;
	rules_eval_init(&best_ev);
	const struct rule_eval *best_e = &best_ev;
	for (size_t i = 0; i < ss->n; i++) {
		const struct metric *m = &ss->m[i];
		if (!sample_name_matches(r->metric, m->name))
			continue;
		if (isnan(m->value))
			continue;
		usable++;
		struct rule_eval *e = eval_for(lv, ri, m->name, m->source, now);
		(void)rules_step(r, e, now, m->value, lv->opts.max_gap_s);
		double p = rules_pressure(r, m->value);
		if (!best_m || live_worse(e->state, p, best, best_p)) {
			best = e->state, best_p = p, best_m = m, best_ev = *e;
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
	}
	/* Did every source that should give the metric give it? And with no
	 * value, whose was it to give? Did-you-mean looks among the base names
	 * every source can give (disk.used_ration -> disk.used_ratio), whether or
	 * not they were sampled this round. */
	const char **names = NULL;
	size_t n_names = 0, cap = 0;
	if (!usable)
		for (size_t i = 0; i < lv->n_src; i++)
			source_known_names(lv->src[i], &names, &n_names, &cap);
	struct live_provider *prov = xcalloc(res->n_src + 1, sizeof(*prov));
	for (size_t i = 0; i < res->n_src; i++) {
		const struct live_source *s = &res->src[i];
		prov[i].src = s;
		prov[i].provides = source_provides(lv->src[i], r->metric);
		for (size_t k = s->first; k < s->first + s->given && k < ss->n; k++)
			prov[i].matched += sample_name_matches(r->metric, ss->m[k].name);
	}
	live_judge(t, names, n_names, prov, res->n_src);
	free(prov);
	free(names);
}

/* Forget the machines of series not seen for longer than a `for` can
 * bridge (max_gap): a peer renaming its series every round would otherwise
 * grow them without bound. A series that comes back starts again from the
 * store's history. */
static void prune_machines(struct live *lv, double now)
{
	size_t k = 0;
	for (size_t i = 0; i < lv->n_ev; i++) {
		struct eval_slot *e = &lv->ev[i];
		if (!isnan(e->e.last_t) && now - e->e.last_t > lv->opts.max_gap_s) {
			free(e->series);
			continue;
		}
		lv->ev[k++] = *e;
	}
	lv->n_ev = k;
}

/* Ask every idle source for a sample and wait for them within the budget. */
static void sample_all(struct live *lv, struct live_result *out)
{
	start_workers(lv);
	pthread_mutex_lock(&lv->mu);
	unsigned long round = ++lv->round;
	double t0 = clock_mono();
	for (size_t i = 0; i < lv->n_src; i++) {
		struct worker *w = &lv->w[i];
		if (w->busy)
			continue; /* still on an earlier round's sample */
		w->busy = w->go = true;
		w->done = false;
		w->round = round;
		w->t0 = t0;
	}
	pthread_cond_broadcast(&lv->cv);
	for (;;) {
		bool waiting = false;
		for (size_t i = 0; i < lv->n_src; i++)
			waiting |= lv->w[i].busy && lv->w[i].round == round;
		double left = t0 + lv->budget_s - clock_mono();
		if (!waiting || left <= 0 || (lv->opts.stop && *lv->opts.stop))
			break;
		/* Wake at least every 50 ms to see a stop request. */
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_nsec += (long)(fmin(left, 0.05) * 1e9);
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&lv->cv, &lv->mu, &ts);
	}
	for (size_t i = 0; i < lv->n_src; i++) {
		struct worker *w = &lv->w[i];
		struct live_source *s = &out->src[i];
		s->name = source_name(lv->src[i]);
		s->type = source_type(lv->src[i]);
		if (w->done && w->round == round) {
			s->first = out->samples.n;
			sample_set_move(&out->samples, &w->out);
			s->given = out->samples.n - s->first;
			s->rc = w->rc;
			s->took_s = w->took;
			if (s->rc)
				s->error = xstrdup(w->err.len ? strbuf_str(&w->err) : hr_strerror(s->rc));
			w->done = false;
			continue;
		}
		/* Busy: asked this round and not done within the budget, or still
		 * on an earlier round's sample. */
		s->rc = HR_E_TIMEOUT;
		s->took_s = clock_mono() - w->t0;
		s->error = lv->opts.stop && *lv->opts.stop
				   ? xstrdup("stopped before it answered")
				   : xasprintf("still sampling after %.1f s (past its timeout); left out of this round",
					       s->took_s);
		if (w->done) {
			/* An earlier round's late answer: too old to use. */
			sample_set_free(&w->out);
			w->done = false;
		}
	}
	pthread_mutex_unlock(&lv->mu);
}

void live_round(struct live *lv, double now, struct live_result *out)
{
	memset(out, 0, sizeof(*out));
	out->now = now;
	out->bottleneck = -1;
	out->src = xcalloc(lv->n_src + 1, sizeof(*out->src));
	out->n_src = lv->n_src;
	sample_all(lv, out);

	out->trig = xcalloc(lv->rules.n + 1, sizeof(*out->trig));
	out->n_trig = lv->rules.n;
	for (size_t ri = 0; ri < lv->rules.n; ri++)
		evaluate(lv, ri, out, &out->trig[ri]);
	live_finish(out, lv->last, lv->seen);
	prune_machines(lv, now);
}

int live_record(struct live *lv, double now, struct diag *append_d, struct live_result *out)
{
	live_round(lv, now, out);
	struct store *st = lv->opts.store;
	if (!store_writable(st) || (lv->opts.stop && *lv->opts.stop))
		return 0;
	if (append_d)
		store_set_diag(st, append_d);
	return store_append(st, now, &out->samples);
}

const char *live_store_path(const char *flag, const struct config *cfg, char **owned)
{
	*owned = NULL;
	if (flag)
		return flag;
	if (cfg && cfg->agent.store)
		return cfg->agent.store;
	return *owned = store_default_path();
}
