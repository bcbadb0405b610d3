/* autoscale.c - the autoscaler's step for each service, and the loop of
 * `headroom autoscale` around it (see autoscale.h). */
#include "pipeline/autoscale.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actuators/actuator.h"
#include "model/forecast.h"
#include "model/scaling.h"
#include "pipeline/live.h"
#include "render/autoscale.h"
#include "sources/fetch.h"
#include "store/scalelog.h"
#include "util/clock.h"
#include "util/units.h"
#include "util/xalloc.h"

#define DAY 86400.0
/* Seasonal history the forecast reads, and how often it is refitted. */
#define FORECAST_HISTORY (28 * DAY)
#define FORECAST_REFIT 900.0
/* Two daily seasons before a forecast is trusted. */
#define FORECAST_SEASONS (2 * DAY)
/* Decisions and closed intents are kept this long. */
#define LOG_KEEP (30 * DAY)

struct svc {
	const struct autoscale_service_config *cfg;
	struct scaling_spec spec;
	struct scaling_metric metrics[SCALING_MAX_METRICS];
	unsigned n_reactive, n_metrics;
	double last_value[SCALING_MAX_METRICS], last_at[SCALING_MAX_METRICS];
	bool seen[SCALING_MAX_METRICS];
	char *pred_name[SCALING_MAX_METRICS];
	struct forecast *fc[SCALING_MAX_METRICS]; /* NULL: none yet / not enough history */
	double fc_at[SCALING_MAX_METRICS];
	int fc_said[SCALING_MAX_METRICS]; /* 0: nothing logged yet, 1: "reactive", 2: "predictive" */

	struct scaling_state *st;
	struct actuator *act;
	bool reconcile;          /* check for a resize interrupted by a restart first */
	double wait_until;       /* NaN, or until when a resize begun before a restart is waited for */
	double next;             /* next decision */
	double retry_at;         /* NaN: no backoff */
	unsigned failures_in_row;
	char error[256];
	/* what is shown */
	struct scaling_input in;
	struct scaling_decision dec;
	bool decided;
	int current, desired;
	enum scaling_why why;
	char reason[600];
	const char *mode;
	double at;
	unsigned long long by_why[AUTOSCALE_WHYS], ups, downs, act_failures;
	double last_scale_at;
	int last_from, last_to;
};

struct autoscaler {
	const struct autoscale_config *cfg;
	struct autoscaler_opts opts;
	struct scalelog *log;
	struct fetch *hook;
	struct svc *svc;
	size_t n;
	double last_prune;
	/* The thread (autoscaler_start); mu guards box* and snap*. */
	bool threaded, quit;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct sample_set box;     /* the latest round not yet stepped */
	double box_now;
	bool box_full;
	json_t *snap_status;       /* /status and /metrics as of the last snapshot() */
	struct strbuf snap_metrics;
	int snap_rc;
	struct store *own_history; /* the thread's own connection to the history store */
	struct strbuf hist_msgs;   /* what it reports (a failed read: no forecast this time) */
	struct diag hist_diag;
};

static void logf_(struct autoscaler *a, const char *fmt, ...) HR_PRINTF(2, 3);
static void logf_(struct autoscaler *a, const char *fmt, ...)
{
	if (!a->opts.log)
		return;
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	logger_printf(a->opts.log, "%s%s", a->opts.log_prefix ? a->opts.log_prefix : "", line);
}

static void load_rec(void *ctx, double t, int v)
{
	struct svc *s = ctx;
	scaling_state_add_rec(s->st, &s->spec, t, v);
}

static void load_event(void *ctx, double t, int v)
{
	struct svc *s = ctx;
	scaling_state_add_event(s->st, &s->spec, t, v);
}

/* STORE.autoscale-NAME.pid beside the store, where a resize in flight is
 * recorded; a name that is not a plain file name is hashed (FNV-1a). */
static char *pidfile_of(const char *store, const char *name)
{
	if (!autoscale_name_check(name))
		return xasprintf("%s.autoscale-%s.pid", store, name);
	uint64_t h = 14695981039346656037ull;
	for (const char *p = name; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	return xasprintf("%s.autoscale-%016llx.pid", store, (unsigned long long)h);
}

static int open_service(struct autoscaler *a, struct svc *s, const struct autoscale_service_config *c, double now,
			struct diag *d)
{
	s->cfg = c;
	autoscale_spec_from(c, a->cfg->max_age_s, &s->spec);
	const char *why = scaling_spec_check(&s->spec);
	if (why) {
		diag_error(d, "autoscale.services.%s: %s", c->name, why);
		return HR_E_INVALID;
	}
	/* Every metric is a value read from the sources (an external metric);
	 * with predictive, each also gets a forecast twin, added when it exists. */
	s->n_reactive = (unsigned)c->n_metrics;
	for (unsigned i = 0; i < s->n_reactive; i++) {
		const struct autoscale_metric_config *mc = &c->metrics[i];
		struct scaling_metric *m = &s->metrics[i];
		m->name = mc->metric;
		m->kind = SCALING_EXTERNAL;
		m->target_type = mc->target_average > 0 ? SCALING_AVERAGE_VALUE : SCALING_VALUE;
		m->target = mc->target_average > 0 ? mc->target_average : mc->target_value;
		m->activation = mc->activation;
		m->at_s = NAN;
		why = scaling_metric_check(m);
		if (why) {
			diag_error(d, "autoscale.services.%s.metrics[%u]: %s", c->name, i, why);
			return HR_E_INVALID;
		}
		s->pred_name[i] = xasprintf("%s (forecast +%.0fs)", mc->metric, c->predictive_lead_s);
	}
	int rc = actuator_open(c, a->cfg->timeout_s, d, &s->act);
	if (rc)
		return rc;
	char *pidfile = a->opts.store_path ? pidfile_of(a->opts.store_path, c->name) : NULL;
	actuator_guard(s->act, pidfile, a->opts.stop);
	free(pidfile);
	s->st = xmalloc(sizeof(*s->st));
	scaling_state_init(s->st);
	double keep = fmax(s->spec.up.stabilization_s, s->spec.down.stabilization_s);
	rc = scalelog_recs(a->log, c->name, now - keep - 1, load_rec, s);
	if (!rc)
		rc = scalelog_events(a->log, c->name, now - 1800 - 1, load_event, s);
	double active = NAN;
	if (!rc)
		rc = scalelog_last_active(a->log, c->name, &active);
	if (rc)
		return rc;
	s->st->last_active_s = isnan(active) ? now : active;
	s->reconcile = true;
	s->wait_until = NAN;
	s->retry_at = NAN;
	s->last_scale_at = NAN;
	s->at = NAN;
	s->current = s->desired = -1;
	s->mode = a->cfg->apply ? "apply" : "dry-run";
	s->next = now;
	return 0;
}

int autoscaler_open(const struct autoscale_config *cfg, const struct autoscaler_opts *opts, double now,
		    struct diag *d, struct autoscaler **out)
{
	struct autoscaler *a = xcalloc(1, sizeof(*a));
	a->cfg = cfg;
	a->opts = *opts;
	a->last_prune = -INFINITY;
	int rc = scalelog_open(opts->store_path, d, &a->log);
	a->svc = xcalloc(cfg->n_services + 1, sizeof(*a->svc));
	for (size_t i = 0; !rc && i < cfg->n_services; i++) {
		rc = open_service(a, &a->svc[i], &cfg->services[i], now, d);
		a->n++;
	}
	if (rc) {
		autoscaler_close(a);
		return rc;
	}
	if (opts->webhook && *opts->webhook)
		a->hook = fetch_new();
	if (a->hook)
		fetch_stop_on(a->hook, opts->stop);
	*out = a;
	return 0;
}

void autoscaler_close(struct autoscaler *a)
{
	if (!a)
		return;
	if (a->threaded) {
		pthread_mutex_lock(&a->mu);
		a->quit = true;
		pthread_cond_signal(&a->cv);
		pthread_mutex_unlock(&a->mu);
		pthread_join(a->thread, NULL);
		pthread_cond_destroy(&a->cv);
		pthread_mutex_destroy(&a->mu);
		sample_set_free(&a->box);
		json_decref(a->snap_status);
		strbuf_free(&a->snap_metrics);
		store_close(a->own_history);
		strbuf_free(&a->hist_msgs);
	}
	for (size_t i = 0; i < a->n; i++) {
		struct svc *s = &a->svc[i];
		actuator_close(s->act);
		free(s->st);
		for (unsigned k = 0; k < SCALING_MAX_METRICS; k++) {
			free(s->pred_name[k]);
			free(s->fc[k]);
		}
	}
	free(a->svc);
	scalelog_close(a->log);
	fetch_free(a->hook);
	free(a);
}

/* The value of a configured series this round: the exact series, or the only
 * series its selector matches. */
static const struct metric *find(const struct sample_set *ss, const char *name)
{
	const struct metric *m = sample_set_find(ss, name);
	if (m)
		return m;
	const struct metric *one = NULL;
	for (size_t i = 0; i < ss->n; i++) {
		if (!sample_name_matches(name, ss->m[i].name))
			continue;
		if (one)
			return NULL; /* ambiguous: not a value */
		one = &ss->m[i];
	}
	return one;
}

/* A seasonal forecast of metric i at now + lead, once two days of its history
 * are in the store; refitted every 15 minutes. NaN when there is none. */
static double forecast_value(struct autoscaler *a, struct svc *s, unsigned i, double now)
{
	if (!a->opts.history)
		return NAN;
	if (!s->fc[i] || now - s->fc_at[i] >= FORECAST_REFIT) {
		s->fc_at[i] = now;
		struct series h = {0};
		if (store_read_series(a->opts.history, s->metrics[i].name, now - FORECAST_HISTORY, now, 0, &h) != 0)
			series_free(&h);
		double span = h.n >= 2 ? h.t[h.n - 1] - h.t[0] : 0;
		struct forecast_opts fo = {.min_points = 10, .min_span_s = 600, .season_min_s = FORECAST_SEASONS};
		if (!s->fc[i])
			s->fc[i] = xmalloc(sizeof(*s->fc[i]));
		if (span < FORECAST_SEASONS || forecast_fit(h.t, h.v, h.n, &fo, s->fc[i]) != 0 ||
		    s->fc[i]->method == FORECAST_NONE || !s->fc[i]->seasonal) {
			free(s->fc[i]);
			s->fc[i] = NULL;
		}
		series_free(&h);
		char sp[32];
		if (!s->fc[i] && s->fc_said[i] != 1)
			logf_(a, "%s: predictive: reactive until 2 days of history of %s are stored (%s so far)",
			      s->cfg->name, s->metrics[i].name, units_fmt_duration(span, sp, sizeof(sp)));
		else if (s->fc[i] && s->fc_said[i] != 2)
			logf_(a, "%s: predictive: the seasonal forecast of %s is in use (%s of history)", s->cfg->name,
			      s->metrics[i].name, units_fmt_duration(span, sp, sizeof(sp)));
		s->fc_said[i] = s->fc[i] ? 2 : 1;
	}
	if (!s->fc[i])
		return NAN;
	double mean, sd;
	forecast_at(s->fc[i], now + s->cfg->predictive_lead_s, &mean, &sd);
	return mean > 0 ? mean : 0;
}

static void build_metrics(struct autoscaler *a, struct svc *s, double now, const struct sample_set *ss)
{
	for (unsigned i = 0; i < s->n_reactive; i++) {
		struct scaling_metric *m = &s->metrics[i];
		const struct metric *x = find(ss, m->name);
		if (x) {
			s->last_value[i] = x->value;
			s->last_at[i] = now;
			s->seen[i] = true;
		}
		/* Not in this round: the last value, with its age (stale after
		 * max_age); never seen: absent. */
		m->absent = !s->seen[i];
		m->value = s->seen[i] ? s->last_value[i] : NAN;
		m->at_s = s->seen[i] ? s->last_at[i] : NAN;
	}
	s->n_metrics = s->n_reactive;
	if (!s->cfg->predictive)
		return;
	for (unsigned i = 0; i < s->n_reactive && s->n_metrics < SCALING_MAX_METRICS; i++) {
		double f = forecast_value(a, s, i, now);
		if (isnan(f))
			continue;
		struct scaling_metric *p = &s->metrics[s->n_metrics++];
		*p = s->metrics[i];
		p->name = s->pred_name[i];
		p->value = f;
		p->absent = false;
		p->at_s = now;
		p->predictive = true;
	}
}

static void post(struct autoscaler *a, struct svc *s, double now, int from, int to)
{
	if (!a->hook)
		return;
	char text[800];
	snprintf(text, sizeof(text), "headroom autoscale: %s: %s", s->cfg->name, s->reason);
	json_t *body = json_pack("{s:s, s:s, s:i, s:i, s:s, s:s, s:f}", "text", text, "service", s->cfg->name, "from",
				 from, "to", to, "rule", scaling_why_name(s->why), "reason", s->reason, "time", now);
	char *js = body ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	if (!js) {
		logf_(a, "%s: webhook: cannot encode the event as JSON", s->cfg->name);
		return;
	}
	struct fetch_opts o = {.timeout_s = 5, .post_json = js, .max_body = 64 << 10};
	struct fetch_result res;
	struct strbuf err;
	strbuf_init(&err, 1024);
	if (fetch_url(a->hook, a->opts.webhook, &o, &res, &err) != 0)
		logf_(a, "%s: webhook failed: %s", s->cfg->name, strbuf_str(&err));
	else if (res.status < 200 || res.status >= 300)
		logf_(a, "%s: webhook answered HTTP %ld", s->cfg->name, res.status);
	strbuf_free(&res.body);
	strbuf_free(&err);
	free(js);
}

static void set_error(struct svc *s, const char *msg)
{
	snprintf(s->error, sizeof(s->error), "%s", msg);
}

/* A resize that was in flight when the loop stopped: what happened to it is
 * read from the actuator's count, and the command is never run again. */
static int reconcile(struct autoscaler *a, struct svc *s, double now, int current)
{
	struct scalelog_intent in;
	bool found;
	int rc = scalelog_pending(a->log, s->cfg->name, &in, &found);
	if (rc || !found)
		return rc;
	const char *state;
	int delta = 0;
	if (current == in.to) {
		state = "done";
		delta = in.to - in.from;
	} else if (current == in.from) {
		state = "aborted";
	} else {
		state = "unknown";
		/* Count what moved the intended way toward the rate bound. */
		if ((current - in.from) * (in.to - in.from) > 0)
			delta = current - in.from;
	}
	rc = scalelog_intent_end(a->log, in.id, state, now, s->cfg->name, in.t, delta,
				 "reconciled after a restart");
	if (rc)
		return rc;
	if (delta)
		scaling_state_add_event(s->st, &s->spec, in.t, delta);
	logf_(a, "%s: the resize %d -> %d begun before a restart was %s: %d running now%s", s->cfg->name, in.from,
	      in.to, !strcmp(state, "done") ? "applied" : !strcmp(state, "aborted") ? "not applied" : "overtaken",
	      current, delta ? "; counted toward the rate limit" : "; not run again");
	return 0;
}

/* A resize begun before a restart whose command still runs (the process
 * that began it was killed): it is waited for until its timeout, then its
 * group is killed. Nothing is reconciled or decided meanwhile, so it never
 * runs twice. @return true while it is waited for. */
static bool wait_previous(struct autoscaler *a, struct svc *s, double now)
{
	struct actuator_inflight f;
	if (!actuator_inflight(s->act, &f))
		return false;
	struct scalelog_intent in;
	bool found = false;
	char what[64] = "a resize";
	if (scalelog_pending(a->log, s->cfg->name, &in, &found) == 0 && found)
		snprintf(what, sizeof(what), "the resize %d -> %d", in.from, in.to);
	if (isnan(s->wait_until)) {
		/* Its recorded deadline, but never more than one timeout from now
		 * (a wall clock that jumped). */
		s->wait_until = fmin(f.deadline, now + a->cfg->timeout_s);
		char left[32];
		logf_(a, "%s: %s begun before a restart is still running (pid %ld): waiting for it to end, or %s at most "
			 "(its timeout), before deciding again", s->cfg->name, what, f.pid,
		      units_fmt_duration(fmax(0, s->wait_until - now), left, sizeof(left)));
	}
	if (now < s->wait_until)
		return true;
	actuator_inflight_kill(s->act);
	logf_(a, "%s: %s begun before a restart was still running at its timeout: its process group killed",
	      s->cfg->name, what);
	return false;
}

static bool stopping(const struct autoscaler *a)
{
	return a->opts.stop && *a->opts.stop;
}

/* The snapshot /status and /metrics show while the thread works (see autoscaler_start). */
static void snapshot(struct autoscaler *a);

static void decide_one(struct autoscaler *a, struct svc *s, double now, const struct sample_set *ss)
{
	s->next = now + a->cfg->interval_s;
	struct strbuf err;
	strbuf_init(&err, 1024);
	int current;
	if (s->reconcile && wait_previous(a, s, now))
		goto out;
	if (actuator_current(s->act, &current, &err) != 0) {
		if (stopping(a))
			goto out;
		s->act_failures++;
		s->mode = "error";
		if (strcmp(s->error, strbuf_str(&err)) != 0)
			logf_(a, "%s: cannot read the replica count: %s", s->cfg->name, strbuf_str(&err));
		set_error(s, strbuf_str(&err));
		goto out;
	}
	if (s->reconcile) {
		if (reconcile(a, s, now, current) != 0)
			goto out;
		s->reconcile = false;
		/* recordInitialRecommendation: with no recommendation stored, the
		 * count found counts as one (horizontal.go). */
		if (!s->st->n_recs)
			scaling_state_add_rec(s->st, &s->spec, now, current);
	}
	build_metrics(a, s, now, ss);
	s->in = (struct scaling_input){.now_s = now, .current_replicas = current, .metrics = s->metrics,
				       .n_metrics = s->n_metrics};
	if (scaling_decide(&s->spec, &s->in, s->st, &s->dec) != 0)
		goto out;
	const struct scaling_decision *d = &s->dec;
	int prev_desired = s->desired;
	enum scaling_why prev_why = s->why;
	bool was = s->decided;
	s->decided = true;
	s->current = current;
	s->desired = d->desired;
	s->why = d->why;
	s->at = now;
	s->by_why[d->why]++;
	scaling_explain(&s->spec, &s->in, d, s->reason, sizeof(s->reason));
	bool change = d->desired != current;
	bool backoff = !isnan(s->retry_at) && now < s->retry_at;
	s->mode = !a->cfg->apply ? "dry-run" : backoff && change ? "backoff" : "apply";
	struct scalelog_decision rec = {.service = s->cfg->name, .t = now, .current = current, .desired = d->desired,
					.recommendation = d->stabilized >= 0 ? d->metric_desired : -1,
					.why = scaling_why_name(d->why), .reason = s->reason, .mode = s->mode,
					.active = d->active};
	if (scalelog_decision(a->log, &rec) != 0)
		logf_(a, "%s: the decision could not be stored", s->cfg->name);
	bool news = !was || prev_desired != d->desired || prev_why != d->why || change;
	if (!a->cfg->apply || !change) {
		if (news || a->opts.verbose)
			logf_(a, "%s: %s%s", s->cfg->name, s->reason, change ? " [dry run: not applied]" : "");
		goto out;
	}
	if (backoff) {
		char left[32];
		if (news || a->opts.verbose)
			logf_(a, "%s: %s [waiting %s to retry after: %s]", s->cfg->name, s->reason,
			      units_fmt_duration(s->retry_at - now, left, sizeof(left)), s->error);
		goto out;
	}
	/* Intent first, committed; then the command; then its outcome. */
	long long id;
	if (scalelog_intent_begin(a->log, s->cfg->name, now, current, d->desired, &id) != 0) {
		logf_(a, "%s: %s [not applied: the intent could not be stored]", s->cfg->name, s->reason);
		goto out;
	}
	/* A resize may take minutes: show the decision meanwhile. */
	snapshot(a);
	int rc = actuator_scale(s->act, d->desired, &err);
	if (rc == -ECANCELED) {
		/* Its command was killed with its group: what it did is unknown, so
		 * the intent stays pending and the next start reconciles it with the
		 * real count. */
		logf_(a, "%s: the resize %d -> %d was interrupted by the stop (its command killed with its process "
			 "group); the next start reconciles it with the real count", s->cfg->name, current, d->desired);
		goto out;
	}
	if (rc) {
		s->act_failures++;
		s->failures_in_row++;
		double wait = a->cfg->interval_s * ldexp(1, (int)(s->failures_in_row < 20 ? s->failures_in_row - 1 : 19));
		if (wait > a->cfg->retry_max_s)
			wait = a->cfg->retry_max_s;
		s->retry_at = now + wait;
		set_error(s, strbuf_str(&err));
		s->mode = "backoff";
		if (scalelog_intent_end(a->log, id, "failed", now, s->cfg->name, now, 0, strbuf_str(&err)) != 0)
			logf_(a, "%s: the failure could not be stored", s->cfg->name);
		char w[32];
		logf_(a, "%s: %s [FAILED: %s; retry in %s]", s->cfg->name, s->reason, strbuf_str(&err),
		      units_fmt_duration(wait, w, sizeof(w)));
		goto out;
	}
	if (scalelog_intent_end(a->log, id, "done", now, s->cfg->name, now, d->desired - current, NULL) != 0)
		logf_(a, "%s: the scale event could not be stored", s->cfg->name);
	scaling_record_scale(s->st, &s->spec, now, current, d->desired);
	s->failures_in_row = 0;
	s->retry_at = NAN;
	s->error[0] = '\0';
	s->last_scale_at = now;
	s->last_from = current;
	s->last_to = d->desired;
	if (d->desired > current)
		s->ups++;
	else
		s->downs++;
	logf_(a, "%s: %s [applied]", s->cfg->name, s->reason);
	post(a, s, now, current, d->desired);
out:
	strbuf_free(&err);
}

void autoscaler_step(struct autoscaler *a, double now, const struct sample_set *samples)
{
	for (size_t i = 0; i < a->n && !stopping(a); i++)
		if (now >= a->svc[i].next - 1e-6)
			decide_one(a, &a->svc[i], now, samples);
	if (now - a->last_prune >= 3600) {
		a->last_prune = now;
		/* The windows and policy periods are at most an hour. */
		if (scalelog_prune(a->log, now - 2 * SCALING_MAX_WINDOW_S, now - LOG_KEEP) != 0)
			logf_(a, "autoscale: pruning the log failed");
	}
}

static void views(const struct autoscaler *a, struct autoscale_view *v)
{
	for (size_t i = 0; i < a->n; i++) {
		const struct svc *s = &a->svc[i];
		v[i] = (struct autoscale_view){
			.service = s->cfg->name, .actuator = actuator_type(s->act), .decided = s->decided,
			.current = s->current, .desired = s->desired, .min = s->spec.min_replicas,
			.max = s->spec.max_replicas, .why = scaling_why_name(s->why), .reason = s->reason,
			.mode = s->mode, .at = s->at, .scale_ups = s->ups, .scale_downs = s->downs,
			.failures = s->act_failures, .last_error = s->error[0] ? s->error : NULL,
			.retry_at = s->retry_at, .last_scale_at = s->last_scale_at, .last_from = s->last_from,
			.last_to = s->last_to, .decision = s->decided ? &s->dec : NULL,
			.input = s->decided ? &s->in : NULL, .spec = &s->spec};
		memcpy(v[i].decisions, s->by_why, sizeof(v[i].decisions));
	}
}

static int render_metrics(const struct autoscaler *a, struct strbuf *out)
{
	struct autoscale_view *v = xcalloc(a->n + 1, sizeof(*v));
	views(a, v);
	int rc = render_autoscale_metrics(v, a->n, a->cfg->apply, out);
	free(v);
	return rc;
}

static json_t *render_status(const struct autoscaler *a)
{
	struct autoscale_view *v = xcalloc(a->n + 1, sizeof(*v));
	views(a, v);
	json_t *o = render_autoscale_status(v, a->n, a->cfg->apply);
	free(v);
	return o;
}

int autoscaler_metrics(struct autoscaler *a, struct strbuf *out)
{
	if (!a->threaded)
		return render_metrics(a, out);
	pthread_mutex_lock(&a->mu);
	int rc = a->snap_rc ? a->snap_rc : strbuf_append(out, strbuf_str(&a->snap_metrics), a->snap_metrics.len);
	pthread_mutex_unlock(&a->mu);
	return rc;
}

json_t *autoscaler_status(struct autoscaler *a)
{
	if (!a->threaded)
		return render_status(a);
	pthread_mutex_lock(&a->mu);
	json_t *o = json_deep_copy(a->snap_status);
	pthread_mutex_unlock(&a->mu);
	return o;
}

/* --- the thread --- */

static void snapshot(struct autoscaler *a)
{
	if (!a->threaded)
		return;
	/* Rendered outside the lock: only this thread changes what it reads. */
	json_t *st = render_status(a);
	struct strbuf m;
	strbuf_init(&m, 4u << 20);
	int rc = render_metrics(a, &m);
	pthread_mutex_lock(&a->mu);
	json_decref(a->snap_status);
	a->snap_status = st;
	strbuf_free(&a->snap_metrics);
	a->snap_metrics = m;
	a->snap_rc = rc;
	pthread_mutex_unlock(&a->mu);
}

static void *thread_main(void *arg)
{
	struct autoscaler *a = arg;
	struct sample_set ss;
	sample_set_init(&ss);
	pthread_mutex_lock(&a->mu);
	for (;;) {
		while (!a->box_full && !a->quit)
			pthread_cond_wait(&a->cv, &a->mu);
		if (a->quit)
			break;
		sample_set_free(&ss);
		sample_set_move(&ss, &a->box);
		double now = a->box_now;
		a->box_full = false;
		pthread_mutex_unlock(&a->mu);
		autoscaler_step(a, now, &ss);
		snapshot(a);
		if (a->own_history)
			strbuf_reset(&a->hist_msgs);
		pthread_mutex_lock(&a->mu);
	}
	pthread_mutex_unlock(&a->mu);
	sample_set_free(&ss);
	return NULL;
}

int autoscaler_start(struct autoscaler *a, struct diag *d)
{
	if (a->opts.history) {
		/* The caller's connection is the caller's thread's: the forecast
		 * reads through one of our own. */
		if (store_open(a->opts.store_path, STORE_EXISTING, d, &a->own_history) != 0)
			return HR_E_IO;
		strbuf_init(&a->hist_msgs, 1 << 16);
		diag_init_mem(&a->hist_diag, &a->hist_msgs);
		store_set_diag(a->own_history, &a->hist_diag);
		a->opts.history = a->own_history;
	}
	pthread_mutex_init(&a->mu, NULL);
	pthread_cond_init(&a->cv, NULL);
	sample_set_init(&a->box);
	strbuf_init(&a->snap_metrics, 4u << 20);
	a->threaded = true;
	snapshot(a);
	int e = pthread_create(&a->thread, NULL, thread_main, a);
	if (e) {
		diag_error(d, "autoscale: cannot start its thread: %s", strerror(e));
		a->threaded = false;
		pthread_cond_destroy(&a->cv);
		pthread_mutex_destroy(&a->mu);
		json_decref(a->snap_status);
		a->snap_status = NULL;
		strbuf_free(&a->snap_metrics);
		store_close(a->own_history);
		a->own_history = NULL;
		a->opts.history = NULL;
		strbuf_free(&a->hist_msgs);
		return HR_E_IO;
	}
	return 0;
}

void autoscaler_feed(struct autoscaler *a, double now, const struct sample_set *samples)
{
	struct sample_set copy;
	sample_set_init(&copy);
	for (size_t i = 0; i < samples->n; i++)
		sample_set_add(&copy, samples->m[i].source, samples->m[i].name, samples->m[i].value);
	pthread_mutex_lock(&a->mu);
	sample_set_free(&a->box);
	sample_set_init(&a->box);
	sample_set_move(&a->box, &copy);
	a->box_now = now;
	a->box_full = true;
	pthread_cond_signal(&a->cv);
	pthread_mutex_unlock(&a->mu);
	sample_set_free(&copy);
}

/* Rounds every interval from the sources' warm-up on; @return the count. */
static unsigned long long run_rounds(struct autoscaler *as, struct live *lv, double interval, bool once,
				     struct logger *log, volatile sig_atomic_t *stop)
{
	double next = clock_unix() + live_warmup(lv);
	clock_sleep_until(next, stop);
	unsigned long long rounds = 0;
	while (!*stop) {
		double now = clock_unix();
		struct live_result res;
		/* The history the predictive forecast reads. */
		if (live_record(lv, now, NULL, &res) != 0)
			logger_printf(log, "the samples could not be stored");
		autoscaler_step(as, now, &res.samples);
		live_result_free(&res);
		rounds++;
		if (once)
			break;
		next += interval;
		if (next < clock_unix())
			next = clock_unix() + interval;
		clock_sleep_until(next, stop);
	}
	return rounds;
}

int autoscale_run(const struct config *cfg, const struct autoscale_params *p, struct logger *log, struct diag *d,
		  volatile sig_atomic_t *stop)
{
	struct store *st = NULL;
	struct live *lv = NULL;
	struct autoscaler *as = NULL;
	int rc = HR_E_IO;
	if (store_open(p->store, STORE_CREATE, d, &st) != 0)
		goto out;
	double interval = cfg->autoscale.interval_s;
	struct live_opts lo = {.store = st, .use_history = false, .interval_s = interval};
	rc = HR_E_INVALID;
	if (live_open(cfg, &lo, d, &lv) != 0)
		goto out;
	struct autoscaler_opts ao = {.store_path = p->store, .history = st, .webhook = cfg->agent.webhook,
				     .log = log, .verbose = p->verbose, .stop = stop};
	if (autoscaler_open(&cfg->autoscale, &ao, clock_unix(), d, &as) != 0)
		goto out;
	char ib[32];
	logger_printf(log, "%s", cfg->autoscale.apply ? "starting: resizing (autoscale.apply: true)"
						    : "starting: a dry run, nothing is resized (autoscale.apply: false)");
	if (p->verbose)
		logger_printf(log, "deciding every %s, store %s", units_fmt_duration(interval, ib, sizeof(ib)), p->store);
	unsigned long long rounds = run_rounds(as, lv, interval, p->once, log, stop);
	if (!p->once)
		logger_printf(log, "stopping after %llu rounds", rounds);
	rc = 0;
out:
	autoscaler_close(as);
	live_close(lv);
	store_close(st);
	return rc;
}
