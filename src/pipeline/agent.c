/* agent.c - the agent's loop: each round sampled, stored, evaluated, logged,
 * posted and published (see agent.h). */
#include "pipeline/agent.h"

#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/autoscale.h"
#include "pipeline/dashboard.h"
#include "pipeline/live.h"
#include "render/jsondoc.h"
#include "render/report.h"
#include "serve/httpd.h"
#include "sources/fetch.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/lograte.h"
#include "util/units.h"
#include "util/xalloc.h"

/* The log with repeated lines rate-limited (util/lograte): the first of a
 * kind is logged, then one summary a window with the count and the last
 * text, never silence for good; recovery is logged with what went unlogged. */
#define LOG_WINDOW_S 600.0

struct rlog {
	struct logger *out;
	struct lograte rate;
};

static void log_limited(struct rlog *l, const char *key, double now, const char *fmt, ...) HR_PRINTF(4, 5);
static void log_limited(struct rlog *l, const char *key, double now, const char *fmt, ...)
{
	char text[LOGRATE_TEXT];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (lograte_hit(&l->rate, key, text, now))
		logger_printf(l->out, "%s", text);
}

static void log_recovered(struct rlog *l, const char *key, const char *fmt, ...) HR_PRINTF(3, 4);
static void log_recovered(struct rlog *l, const char *key, const char *fmt, ...)
{
	if (!lograte_active(&l->rate, key))
		return;
	unsigned long held = lograte_clear(&l->rate, key);
	char text[LOGRATE_TEXT];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (held)
		logger_printf(l->out, "%s (%lu more failure%s were not logged in full)", text, held, held == 1 ? "" : "s");
	else
		logger_printf(l->out, "%s", text);
}

/* The summaries due: "... 312 more in the last 10 min: TEXT". */
static void log_due(struct rlog *l, double now)
{
	struct lograte_summary sm;
	char span[32];
	while (lograte_due(&l->rate, now, &sm))
		logger_printf(l->out, "... %lu more in the last %s: %s", sm.held,
			      units_fmt_duration(sm.window_s, span, sizeof(span)), sm.last);
}

/* Post one state change. The sampling loop waits for the post, so the
 * caller gives each round's posts one time budget (timeout_s is what is left
 * of it). @return 0 when the endpoint answered (any status), else the fetch
 * error (the endpoint is down or slow: the round's other posts are skipped). */
static int post_webhook(struct fetch *f, const char *url, const struct live_change *c, double now,
			double timeout_s, struct rlog *log)
{
	struct strbuf js;
	strbuf_init(&js, 64 << 10);
	int rc = 0;
	if (jsondoc_render_compact(report_webhook_json(c, now), &js) != 0) {
		/* Without a body fetch_url() would send a GET. */
		logger_printf(log->out, "webhook: cannot encode the change of %s as JSON", c->rule->name);
		goto out;
	}
	/* The URL is a secret (Slack's is its path): messages name its origin only. */
	struct fetch_opts o = {.timeout_s = timeout_s, .post_json = strbuf_str(&js), .max_body = 64 << 10,
			       .secret_url = true};
	struct fetch_result res;
	struct strbuf err;
	strbuf_init(&err, 1024);
	rc = fetch_url(f, url, &o, &res, &err);
	if (rc)
		log_limited(log, "webhook", now, "webhook failed: %s", strbuf_str(&err));
	else if (res.status < 200 || res.status >= 300)
		log_limited(log, "webhook", now, "webhook answered HTTP %ld", res.status);
	else {
		log_recovered(log, "webhook", "webhook posts again");
		log_recovered(log, "webhook unsent", "webhook: every state change posted again");
	}
	strbuf_free(&res.body);
	strbuf_free(&err);
out:
	strbuf_free(&js);
	return rc;
}

/* Log a source going down or coming back (its triggers' UNKNOWN says which;
 * the log says why). */
static void log_sources(const struct live_result *res, bool *up, size_t n_up, struct rlog *log)
{
	for (size_t i = 0; i < res->n_src && i < n_up; i++) {
		const struct live_source *s = &res->src[i];
		bool now_up = s->rc == 0;
		char key[LOGRATE_KEY];
		snprintf(key, sizeof(key), "source %s", s->name);
		if (now_up && !up[i])
			log_recovered(log, key, "source %s (%s) answers again", s->name, s->type);
		else if (!now_up && up[i])
			/* A source that flaps is logged once a window, with a count. */
			log_limited(log, key, res->now, "source %s (%s) is down: %s", s->name, s->type,
				    s->error ? s->error : "no reason given");
		up[i] = now_up;
	}
}

struct loop {
	const struct config *cfg;
	const struct agent_params *p;
	struct rlog *log;
	struct strbuf store_msg;   /* the store's messages, logged through the limiter */
	struct diag store_diag;
	struct store *st;
	struct fetch *hook;
	struct httpd *http;
	struct autoscaler *as;  /* the autoscaler, on its own thread, when the config has autoscale:, else NULL */
	struct dashboard *dash;
	unsigned long long rounds, store_errors;
};

/* A store operation failed (a full disk, a lost file): logged through the
 * limiter, counted on /metrics. */
static void store_failed(struct loop *L, double now)
{
	L->store_errors++;
	const char *m = strbuf_str(&L->store_msg);
	const char *e = strstr(m, "error: ");
	char *line = xstrndup(e ? e + 7 : m, strcspn(e ? e + 7 : m, "\n"));
	log_limited(L->log, "store", now, "cannot write the history: %s", line[0] ? line : "unknown error");
	free(line);
	strbuf_reset(&L->store_msg);
}

#ifndef HEADROOM_VERSION
#define HEADROOM_VERSION "dev"
#endif

/* Each change: logged, kept in the store, posted. The round's posts share
 * one budget: half the interval, from 1 s up to 5 s. A webhook that is down
 * or slow costs one timeout a round, not one per change (a source going
 * down changes every trigger on it). */
static void handle_changes(struct loop *L, const struct live_result *res, double now)
{
	double hook_end = clock_mono() + fmax(1, fmin(5, L->p->interval_s / 2));
	size_t unsent = 0;
	bool gave_up = false;
	struct strbuf line;
	strbuf_init(&line, 16 << 10);
	for (size_t i = 0; i < res->n_chg; i++) {
		const struct live_change *c = &res->chg[i];
		strbuf_reset(&line);
		if (report_change_line(c, false, &line) != 0) {
			/* cut at the cap: logged as far as it goes */
		}
		logger_printf(L->log->out, "%s%s%s", strbuf_str(&line), c->message ? ": " : "",
			      c->message ? c->message : "");
		if (store_log_transition(L->st, now, c->rule->name, c->series, rules_state_name(c->from),
					 rules_state_name(c->to), c->value, c->message) != 0)
			store_failed(L, now);
		if (L->hook) {
			double left = hook_end - clock_mono();
			if (gave_up || left < 1e-3)
				unsent++;
			else if (post_webhook(L->hook, L->cfg->agent.webhook, c, now, left, L->log) != 0)
				gave_up = true;
		}
	}
	strbuf_free(&line);
	if (unsent)
		log_limited(L->log, "webhook unsent", now, "webhook: %zu state change%s not posted (the webhook is down or slow)",
			    unsent, unsent == 1 ? "" : "s");
}

/* Render /status and /metrics from the round and publish them. */
static void publish(struct loop *L, const struct live_result *res)
{
	json_t *doc = report_json(res, NULL, NULL);
	if (L->as)
		json_object_set_new(doc, "autoscale", autoscaler_status(L->as));
	json_object_set_new(doc, "agent",
			    json_pack("{s:s, s:f, s:s, s:I, s:I}", "listen", L->p->listen, "interval_s",
				      L->p->interval_s, "store", L->p->store, "rounds", (json_int_t)L->rounds,
				      "store_errors", (json_int_t)L->store_errors));
	struct strbuf sb;
	strbuf_init(&sb, 16u << 20);
	if (jsondoc_render(doc, &sb) == 0)
		httpd_publish(L->http, "/status", "application/json", strbuf_str(&sb));
	else
		log_limited(L->log, "render", res->now, "cannot render /status");
	strbuf_reset(&sb);
	if (report_metrics(res, L->rounds, L->store_errors, &sb) == 0 && (!L->as || autoscaler_metrics(L->as, &sb) == 0))
		httpd_publish(L->http, "/metrics", "text/plain; version=0.0.4; charset=utf-8", strbuf_str(&sb));
	else
		log_limited(L->log, "render", res->now, "cannot render /metrics");
	strbuf_free(&sb);
	/* the page for a browser (GET /) and the part it fetches to refresh itself */
	struct strbuf page, part;
	strbuf_init(&page, 32u << 20);
	strbuf_init(&part, 32u << 20);
	struct dashboard_about about = {HEADROOM_VERSION, L->cfg ? L->cfg->path : NULL, L->p->listen,
					fmax(2, L->p->interval_s)};
	if (dashboard_update(L->dash, L->st, res, &about, &page, &part) == 0) {
		httpd_publish(L->http, "/", "text/html; charset=utf-8", strbuf_str(&page));
		httpd_publish(L->http, "/dashboard.part", "text/html; charset=utf-8", strbuf_str(&part));
	} else {
		log_limited(L->log, "render", res->now, "cannot render the dashboard");
	}
	strbuf_free(&page);
	strbuf_free(&part);
}

/* Rounds on the schedule until a stop is requested. */
static void run_rounds(struct loop *L, struct live *lv, volatile sig_atomic_t *stop)
{
	const struct agent_params *p = L->p;
	struct store_retention ret = {
		.raw_s = L->cfg && L->cfg->agent.retention_s > 0 ? L->cfg->agent.retention_s : 7 * 86400.0,
		.rollup_step_s = 300,
		/* Rollups a year and a month: a year-on-year peak is still there. */
		.rollup_s = 400 * 86400.0,
	};
	double start = clock_unix(), next = start, last_prune = 0, last_forecast = -INFINITY;
	bool *src_up = NULL;
	size_t n_src_up = 0;
	/* The first round needs the sources' warm-up (two /proc/stat reads). */
	clock_sleep_until(next + live_warmup(lv), stop);
	next = clock_unix();
	while (!*stop) {
		double now = clock_unix(), t0 = clock_mono();
		/* Fits read days of history: once a minute is plenty for an ETA in hours. */
		bool fc = now - last_forecast >= 60;
		live_set_forecast(lv, fc);
		if (fc)
			last_forecast = now;
		struct live_result res;
		int stored = live_record(lv, now, NULL, &res);
		if (*stop) {
			/* Stopped while sampling: the round is incomplete, not news. */
			live_result_free(&res);
			break;
		}
		L->rounds++;
		if (!src_up) {
			n_src_up = res.n_src;
			src_up = xcalloc(n_src_up ? n_src_up : 1, sizeof(*src_up));
			for (size_t i = 0; i < n_src_up; i++)
				src_up[i] = true;
		}
		log_sources(&res, src_up, n_src_up, L->log);
		if (stored != 0) {
			store_failed(L, now);
		} else {
			log_recovered(L->log, "store", "the history is written again");
			if (p->verbose)
				logger_printf(L->log->out, "stored batch t=%.6f n=%zu", now, res.samples.n);
		}
		handle_changes(L, &res, now);
		/* The autoscaler steps on its own thread: a slow actuator delays no round. */
		if (L->as)
			autoscaler_feed(L->as, now, &res.samples);
		publish(L, &res);
		live_result_free(&res);
		if (now - last_prune >= 3600) {
			if (store_prune(L->st, now, &ret) != 0)
				store_failed(L, now);
			last_prune = now;
		}
		log_due(L->log, now);
		/* The next round starts on the schedule, not after this one: a
		 * round that overran is logged, and the ticks it covered skipped. */
		double took = clock_mono() - t0;
		next += p->interval_s;
		double late = clock_unix() - next;
		if (late > 0) {
			double skipped = ceil(late / p->interval_s);
			next += skipped * p->interval_s;
			char a[32], b[32];
			log_limited(L->log, "overrun", now, "a round took %s, longer than the %s interval; %.0f tick%s skipped",
				    units_fmt_duration(took, a, sizeof(a)), units_fmt_duration(p->interval_s, b, sizeof(b)),
				    skipped, skipped == 1 ? "" : "s");
		}
		clock_sleep_until(next, stop);
	}
	free(src_up);
}

int agent_run(const struct config *cfg, const struct agent_params *p, struct logger *log, struct diag *d,
	      volatile sig_atomic_t *stop)
{
	struct rlog rl = {.out = log};
	lograte_init(&rl.rate, LOG_WINDOW_S);
	struct loop L = {.cfg = cfg, .p = p, .log = &rl};
	struct live *lv = NULL;
	strbuf_init(&L.store_msg, 1 << 16);
	int rc = HR_E_IO;
	if (store_open(p->store, STORE_CREATE, d, &L.st) != 0)
		goto out;
	/* From here the store's messages are logged through the limiter: a full
	 * disk fails every round, and must neither flood the log nor silence it. */
	diag_init_mem(&L.store_diag, &L.store_msg);
	L.store_diag.max_errors = 0;
	store_set_diag(L.st, &L.store_diag);
	struct live_opts lo = {.store = L.st, .use_history = true, .interval_s = p->interval_s, .forecast = true,
			       .stop = stop};
	rc = HR_E_INVALID;
	if (live_open(cfg, &lo, d, &lv) != 0)
		goto out;
	const char *why = NULL;
	rc = httpd_start(&(struct httpd_opts){.listen = p->listen, .token = p->token}, &L.http, &why);
	if (rc) {
		diag_error(d, "cannot listen on %s: %s", p->listen, why);
		goto out;
	}
	struct autoscaler_opts ao = {.store_path = p->store, .history = L.st, .webhook = cfg ? cfg->agent.webhook : NULL,
				     .log = log, .log_prefix = "autoscale: ", .verbose = p->verbose, .stop = stop};
	if (cfg && cfg->autoscale.present && ((rc = autoscaler_open(&cfg->autoscale, &ao, clock_unix(), d, &L.as)) != 0 ||
					      (rc = autoscaler_start(L.as, d)) != 0))
		goto out;
	httpd_declare(L.http, "/status");
	httpd_declare(L.http, "/metrics");
	httpd_declare(L.http, "/");
	httpd_declare(L.http, "/dashboard.part");
	L.dash = dashboard_new();
	L.hook = cfg && cfg->agent.webhook ? fetch_new() : NULL;
	if (L.hook)
		fetch_stop_on(L.hook, stop); /* SIGTERM ends a post in flight */
	char ibuf[32];
	logger_printf(log, "sampling every %s into %s, serving http://%s/metrics%s",
		      units_fmt_duration(p->interval_s, ibuf, sizeof(ibuf)), p->store, p->listen,
		      p->token ? " (bearer token required)" : "");
	run_rounds(&L, lv, stop);
	logger_printf(log, "stopping after %llu rounds", L.rounds);
	rc = 0;
out:
	httpd_stop(L.http);
	dashboard_free(L.dash);
	fetch_free(L.hook);
	autoscaler_close(L.as);
	live_close(lv);
	store_close(L.st);
	strbuf_free(&L.store_msg);
	return rc;
}
