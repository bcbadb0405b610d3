/* agent.c - `headroom agent`: the daemon.
 *
 * Every interval: sample the sources, store the batch (one transaction),
 * evaluate the triggers, log state changes and post them to the webhook.
 * A libmicrohttpd thread serves what the last round rendered (/metrics in
 * the Prometheus text format, /status as JSON, /healthz); the two threads
 * share only those rendered strings, under a mutex. SIGTERM or SIGINT stop
 * the loop between rounds: the HTTP server stops, the store is closed. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "util/clock.h"
#include "cmd/cmd.h"
#include "pipeline/autoscale.h"
#include "pipeline/live.h"
#include "cmd/report.h"
#include "config/config.h"
#include "sources/fetch.h"
#include "store/store.h"
#include "util/diag.h"
#include "util/units.h"
#include "util/xalloc.h"

static const char usage_text[] =
	"usage: headroom agent [-f FILE] [--listen HOST:PORT] [--interval DURATION]\n"
	"                      [--store FILE] [-v]\n"
	"\n"
	"Sample every configured metric source each interval into the history store,\n"
	"evaluate the triggers, send state changes to the log and the webhook, and\n"
	"serve /metrics (Prometheus text format), /status (JSON) and /healthz.\n"
	"With an autoscale: section it also runs the autoscaler (headroom autoscale).\n"
	"\n"
	"  -f, --file FILE        config (default ./headroom.yaml when it exists)\n"
	"      --listen HOST:PORT address to serve on (default agent.listen,\n"
	"                         127.0.0.1:9870); a non-loopback address needs\n"
	"                         agent.token\n"
	"      --interval DUR     sampling interval (default agent.interval, 10s)\n"
	"      --store FILE       history database (default agent.store, else\n"
	"                         $XDG_STATE_HOME/headroom/history.db)\n"
	"  -v, --verbose          log every stored batch\n"
	"  -h, --help             this text\n"
	"\n"
	"Stops cleanly on SIGTERM or SIGINT. Exit status: 0 after a clean stop,\n"
	"2 on bad input, 1 when it cannot start (store, address in use).\n";

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

struct shared {
	pthread_mutex_t mu;
	char *metrics;       // rendered /metrics
	char *status;        // rendered /status
	const char *token;   // borrowed; NULL = open
};


static void logf_(const char *fmt, ...) HR_PRINTF(1, 2);
static void logf_(const char *fmt, ...)
{
	char ts[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "headroom agent: %s ", ts);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

// Constant time in the length of the expected token: a timing side channel
// should not reveal how much of a guess was right.
static bool token_ok(const char *want, const char *header)
{
	static const char prefix[] = "Bearer ";
	// The scheme is case-insensitive (RFC 9110, section 11.1); the token is not.
	if (!header || strncasecmp(header, prefix, sizeof(prefix) - 1) != 0)
		return false;
	const char *got = header + sizeof(prefix) - 1;
	size_t wl = strlen(want), gl = strlen(got);
	unsigned char diff = (unsigned char)(wl != gl);
	for (size_t i = 0; i < wl; i++)
		diff |= (unsigned char)(want[i] ^ (i < gl ? got[i] : 0));
	return diff == 0;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned code, const char *type, const char *body)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", type);
	if (code == MHD_HTTP_UNAUTHORIZED)
		MHD_add_response_header(r, "WWW-Authenticate", "Bearer realm=\"headroom\"");
	enum MHD_Result ret = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
			      const char *version, const char *upload, size_t *upload_len, void **con_cls)
{
	(void)version, (void)upload, (void)con_cls;
	struct shared *sh = cls;
	if (*upload_len)
		return MHD_NO;
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", "GET only\n");
	// /healthz stays open so a supervisor's liveness probe needs no secret;
	// it reveals nothing but that the process answers.
	if (strcmp(url, "/healthz") == 0)
		return reply(c, MHD_HTTP_OK, "text/plain", "ok\n");
	if (sh->token && !token_ok(sh->token, MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization")))
		return reply(c, MHD_HTTP_UNAUTHORIZED, "text/plain", "a bearer token is required\n");
	bool metrics = strcmp(url, "/metrics") == 0, status = strcmp(url, "/status") == 0;
	if (!metrics && !status)
		return reply(c, MHD_HTTP_NOT_FOUND, "text/plain", "not found; try /metrics, /status or /healthz\n");
	pthread_mutex_lock(&sh->mu);
	char *body = xstrdup(metrics ? sh->metrics : sh->status);
	pthread_mutex_unlock(&sh->mu);
	enum MHD_Result ret = body ? reply(c, MHD_HTTP_OK, metrics ? "text/plain; version=0.0.4; charset=utf-8"
								 : "application/json",
					   body)
				   : reply(c, MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain", "no sample yet\n");
	free(body);
	return ret;
}

/* HOST:PORT or [V6]:PORT -> a socket address. */
static int parse_listen(const char *s, struct sockaddr_storage *ss, bool *loopback, const char **why)
{
	memset(ss, 0, sizeof(*ss));
	const char *colon = strrchr(s, ':');
	if (!colon || colon == s || !colon[1]) {
		*why = "expected HOST:PORT, e.g. 127.0.0.1:9870 or [::1]:9870";
		return HR_E_INVALID;
	}
	char *end;
	long port = strtol(colon + 1, &end, 10);
	if (*end || port < 1 || port > 65535) {
		*why = "the port must be a number from 1 to 65535";
		return HR_E_INVALID;
	}
	char host[128];
	size_t hl = (size_t)(colon - s);
	if (s[0] == '[' && hl >= 2 && s[hl - 1] == ']')
		s++, hl -= 2;
	if (hl >= sizeof(host)) {
		*why = "the host is too long";
		return HR_E_INVALID;
	}
	memcpy(host, s, hl);
	host[hl] = '\0';
	if (strcmp(host, "localhost") == 0)
		snprintf(host, sizeof(host), "127.0.0.1");
	struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)port);
		*loopback = (ntohl(v4->sin_addr.s_addr) >> 24) == 127;
	} else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)port);
		*loopback = IN6_IS_ADDR_LOOPBACK(&v6->sin6_addr);
	} else {
		*why = "the host must be an IPv4 or IPv6 address (or localhost)";
		return HR_E_INVALID;
	}
	return 0;
}


/* Post one state change. The sampling loop waits for the post, so the
 * caller gives each round's posts one time budget (timeout_s is what is left
 * of it). @return 0 when the endpoint answered (any status), else the fetch
 * error (the endpoint is down or slow: the round's other posts are skipped). */
static int post_webhook(struct fetch *f, const char *url, const struct live_change *c, double now,
			double timeout_s)
{
	char v[32];
	report_fmt_value(c->rule->metric, c->value, v, sizeof(v));
	struct strbuf text;
	strbuf_init(&text, 4096);
	int rc = strbuf_printf(&text, "headroom: %s %s -> %s (%s = %s)", c->rule->name, rules_state_label(c->from),
			       rules_state_label(c->to), c->series, v);
	if (!rc && c->to == TRIG_UNKNOWN && c->message)
		rc = strbuf_printf(&text, ": %s", c->message);
	else if (!rc && c->to != TRIG_OK && c->rule->action)
		rc = strbuf_printf(&text, ". Do: %s", c->rule->action);
	// Slack incoming webhooks take {"text": ...}; Mattermost, Rocket.Chat
	// and Discord's /slack endpoint accept the same body.
	json_t *body = json_pack("{s:s, s:s, s:s, s:s, s:s, s:f}", "text", strbuf_str(&text), "trigger", c->rule->name,
				 "from", rules_state_name(c->from), "to", rules_state_name(c->to), "series", c->series,
				 "time", now);
	char *js = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	strbuf_free(&text);
	if (!js) {
		// Without a body fetch_url() would send a GET.
		logf_("webhook: cannot encode the change of %s as JSON", c->rule->name);
		return 0;
	}
	struct fetch_opts o = {.timeout_s = timeout_s, .post_json = js, .max_body = 64 << 10};
	struct fetch_result res;
	struct strbuf err;
	strbuf_init(&err, 1024);
	rc = fetch_url(f, url, &o, &res, &err);
	if (rc)
		logf_("webhook failed: %s", strbuf_str(&err));
	else if (res.status < 200 || res.status >= 300)
		logf_("webhook answered HTTP %ld", res.status);
	strbuf_free(&res.body);
	strbuf_free(&err);
	free(js);
	return rc;
}

static void autoscale_log(void *ctx, const char *line)
{
	(void)ctx;
	logf_("autoscale: %s", line);
}

static void sleep_until(double t)
{
	for (;;) {
		double left = t - clock_unix();
		if (left <= 0 || stop_requested)
			return;
		struct timespec ts = {(time_t)left, (long)((left - floor(left)) * 1e9)};
		// A signal interrupts the sleep (no SA_RESTART): stop promptly.
		if (nanosleep(&ts, NULL) != 0 && errno == EINTR && stop_requested)
			return;
	}
}

struct agent_args {
	const char *file, *listen, *store;
	double interval;
	bool verbose;
};

static int run_loop(struct config *cfg, const struct agent_args *a)
{
	struct diag d;
	diag_init_file(&d, stderr, "headroom agent");
	const char *listen = a->listen ? a->listen : cfg && cfg->agent.listen ? cfg->agent.listen : "127.0.0.1:9870";
	const char *token = cfg ? cfg->agent.token : NULL;
	if (token && !*token)
		token = NULL;
	struct sockaddr_storage ss;
	bool loopback = false;
	const char *why = NULL;
	if (parse_listen(listen, &ss, &loopback, &why) != 0) {
		fprintf(stderr, "headroom agent: listen '%s': %s\n", listen, why);
		return EXIT_BAD_INPUT;
	}
	if (!loopback && !token) {
		fprintf(stderr, "headroom agent: refusing to serve on %s without agent.token: anyone on the network "
				"could read the metrics; set agent.token or listen on 127.0.0.1\n", listen);
		return EXIT_BAD_INPUT;
	}
	double interval = a->interval > 0 ? a->interval : cfg && cfg->agent.interval_s > 0 ? cfg->agent.interval_s : 10;

	char *def_path = NULL;
	const char *store_path = a->store ? a->store : cfg && cfg->agent.store ? cfg->agent.store : NULL;
	if (!store_path)
		store_path = def_path = store_default_path();
	if (!store_path) {
		fprintf(stderr, "headroom agent: no store path: set agent.store, --store, XDG_STATE_HOME or HOME\n");
		return 1;
	}
	struct store *st = NULL;
	if (store_open(store_path, STORE_CREATE, &d, &st) != 0) {
		free(def_path);
		return 1;
	}
	struct live_opts lo = {.store = st, .use_history = true, .interval_s = interval, .forecast = true};
	struct live *lv = NULL;
	if (live_open(cfg, &lo, &d, &lv) != 0) {
		store_close(st);
		free(def_path);
		return EXIT_BAD_INPUT;
	}

	// The autoscaler's step runs after each round (docs/autoscale.md).
	struct autoscaler *as = NULL;
	struct autoscaler_opts ao = {.store_path = store_path, .history = st, .webhook = cfg ? cfg->agent.webhook : NULL,
				     .log = autoscale_log, .verbose = a->verbose};
	if (cfg && cfg->autoscale.present && autoscaler_open(&cfg->autoscale, &ao, clock_unix(), &d, &as) != 0) {
		live_close(lv);
		store_close(st);
		free(def_path);
		return EXIT_BAD_INPUT;
	}

	struct shared sh = {.token = token};
	pthread_mutex_init(&sh.mu, NULL);
	struct MHD_Daemon *httpd = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | (ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0), 0, NULL, NULL, handle,
		&sh, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss, MHD_OPTION_CONNECTION_LIMIT, (unsigned)64,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10, MHD_OPTION_END);
	if (!httpd) {
		fprintf(stderr, "headroom agent: cannot listen on %s: %s\n", listen, strerror(errno ? errno : EADDRINUSE));
		autoscaler_close(as);
		live_close(lv);
		store_close(st);
		free(def_path);
		pthread_mutex_destroy(&sh.mu);
		return 1;
	}
	struct sigaction sa = {.sa_handler = on_signal};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	struct fetch *hook = cfg && cfg->agent.webhook ? fetch_new() : NULL;
	struct store_retention ret = {
		.raw_s = cfg && cfg->agent.retention_s > 0 ? cfg->agent.retention_s : 7 * 86400.0,
		.rollup_step_s = 300,
		// Rollups a year and a month: a year-on-year peak is still there.
		.rollup_s = 400 * 86400.0,
	};
	char ibuf[32];
	logf_("sampling every %s into %s, serving http://%s/metrics%s", units_fmt_duration(interval, ibuf, sizeof(ibuf)),
	      store_path, listen, token ? " (bearer token required)" : "");
	unsigned long long rounds = 0, store_errors = 0;
	double next = clock_unix(), last_prune = 0, last_forecast = -INFINITY;
	// Whether each source answered last round, to log when one goes down or
	// comes back (its triggers' UNKNOWN says which; the log says why).
	bool *src_up = NULL;
	size_t n_src_up = 0;
	// The first round needs the sources' warm-up (two /proc/stat reads).
	sleep_until(next + live_warmup(lv));
	while (!stop_requested) {
		double now = clock_unix();
		// Fits read days of history: once a minute is plenty for an ETA in hours.
		bool fc = now - last_forecast >= 60;
		live_set_forecast(lv, fc);
		if (fc)
			last_forecast = now;
		struct live_result res;
		live_round(lv, now, &res);
		rounds++;
		if (!src_up) {
			n_src_up = res.n_src;
			src_up = xcalloc(n_src_up ? n_src_up : 1, sizeof(*src_up));
			for (size_t i = 0; i < n_src_up; i++)
				src_up[i] = true;
		}
		for (size_t i = 0; i < res.n_src && i < n_src_up; i++) {
			const struct live_source *s = &res.src[i];
			bool up = s->rc == 0;
			if (up && !src_up[i])
				logf_("source %s (%s) answers again", s->name, s->type);
			else if (!up && src_up[i])
				logf_("source %s (%s) is down: %s", s->name, s->type, s->error ? s->error : "no reason given");
			src_up[i] = up;
		}
		if (store_append(st, now, &res.samples) != 0)
			store_errors++;
		else if (a->verbose)
			logf_("stored batch t=%.6f n=%zu", now, res.samples.n);
		if (as)
			autoscaler_step(as, now, &res.samples);
		// The round's posts share one budget: half the interval, from 1 s up
		// to 5 s. A webhook that is down or slow costs one timeout a round,
		// not one per change (a source going down changes every trigger on it).
		double hook_end = clock_mono() + fmax(1, fmin(5, interval / 2));
		size_t unsent = 0;
		bool gave_up = false;
		for (size_t i = 0; i < res.n_chg; i++) {
			const struct live_change *c = &res.chg[i];
			char v[32];
			logf_("%s %s -> %s (%s = %s)%s%s", c->rule->name, rules_state_label(c->from), rules_state_label(c->to),
			      c->series, report_fmt_value(c->rule->metric, c->value, v, sizeof(v)),
			      c->message ? ": " : "", c->message ? c->message : "");
			if (store_log_transition(st, now, c->rule->name, c->series, rules_state_name(c->from),
						 rules_state_name(c->to), c->value, c->message) != 0)
				store_errors++;
			if (hook) {
				double left = hook_end - clock_mono();
				if (gave_up || left < 1e-3)
					unsent++;
				else if (post_webhook(hook, cfg->agent.webhook, c, now, left) != 0)
					gave_up = true;
			}
		}
		if (unsent)
			logf_("webhook: %zu state change%s not posted (the webhook is down or slow)", unsent,
			      unsent == 1 ? "" : "s");
		struct strbuf m;
		strbuf_init(&m, 16u << 20);
		json_t *doc = report_json(&res);
		json_object_set_new(doc, "agent", json_pack("{s:s, s:f, s:s, s:I, s:I}", "listen", listen, "interval_s",
							    interval, "store", store_path, "rounds", (json_int_t)rounds,
							    "store_errors", (json_int_t)store_errors));
		if (as)
			json_object_set_new(doc, "autoscale", autoscaler_status(as));
		char *status = json_dumps(doc, JSON_INDENT(2));
		json_decref(doc);
		int mrc = report_metrics(&res, rounds, store_errors, &m);
		if (!mrc && as)
			mrc = autoscaler_metrics(as, &m);
		char *metrics = mrc == 0 ? strbuf_take(&m) : NULL;
		strbuf_free(&m);
		pthread_mutex_lock(&sh.mu);
		free(sh.metrics);
		free(sh.status);
		sh.metrics = metrics;
		sh.status = status;
		pthread_mutex_unlock(&sh.mu);
		live_result_free(&res);
		if (now - last_prune >= 3600) {
			if (store_prune(st, now, &ret) != 0)
				store_errors++;
			last_prune = now;
		}
		next += interval;
		// Fell behind (a slow source): skip the missed ticks, don't burst.
		if (next < clock_unix())
			next = clock_unix() + interval;
		sleep_until(next);
	}
	logf_("stopping after %llu rounds", rounds);
	free(src_up);
	MHD_stop_daemon(httpd);
	fetch_free(hook);
	autoscaler_close(as);
	free(sh.metrics);
	free(sh.status);
	pthread_mutex_destroy(&sh.mu);
	live_close(lv);
	store_close(st);
	free(def_path);
	return 0;
}

static int run(int argc, char **argv)
{
	static const struct option opts[] = {
		{"file", required_argument, NULL, 'f'},
		{"listen", required_argument, NULL, 'l'},
		{"interval", required_argument, NULL, 'i'},
		{"store", required_argument, NULL, 's'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct agent_args a = {0};
	int c;
	const char *why;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'f': a.file = optarg; break;
		case 'l': a.listen = optarg; break;
		case 'i':
			if (units_parse_duration(optarg, &a.interval, &why) != 0 || a.interval < 0.05)
				return cmd_usage_error("agent", "--interval '%s': %s", optarg,
						       a.interval < 0.05 ? "at least 50ms" : why);
			break;
		case 's': a.store = optarg; break;
		case 'v': a.verbose = true; break;
		case 'h': fputs(usage_text, stdout); return 0;
		default: return cmd_usage_error("agent", "unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cmd_usage_error("agent", "unexpected argument '%s'", argv[optind]);
	struct diag d;
	diag_init_file(&d, stderr, "headroom agent");
	d.show_source = true;
	struct config *cfg = NULL;
	const char *path = cmd_config_path(a.file);
	FILE *probe = a.file ? NULL : fopen(path, "r");
	if (probe)
		fclose(probe);
	if ((a.file || probe) && config_load(path, &d, &cfg) != 0)
		return EXIT_BAD_INPUT;
	int rc = run_loop(cfg, &a);
	config_free(cfg);
	return rc;
}

const struct hr_cmd cmd_agent = {"agent", "the daemon: sample, store, alert, serve /metrics", run};
