/* bench.c - `headroom bench`: load an HTTP service and say what it sustains.
 *
 * Flags follow wrk where they mean the same (-t, -c, -d, -H, --timeout,
 * --latency is always on). The engine is src/loadgen/engine.h; --find-knee
 * drives it through src/loadgen/knee.h and fits the Universal Scalability Law
 * (src/model/usl.h) to the closed-loop ladder; --calibrate also writes the
 * service time alone and its variability, the CPU per request (from the
 * server's processes, this machine, or the knee: src/loadgen/cpu.h) and the
 * server-side concurrency at the knee (docs/bench.md, "Calibration file"). */
#include "cmd/cmd.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "loadgen/cpu.h"
#include "loadgen/engine.h"
#include "loadgen/knee.h"
#include "pipeline/loadtest.h"
#include "render/bench.h"
#include "render/calibration.h"
#include "util/diag.h"
#include "util/strbuf.h"
#include "util/units.h"
#include "util/xalloc.h"

#define NAME "bench"
/* Caps on what flags may ask for. */
#define MAX_CONNECTIONS 100000
#define MAX_THREADS 1024
#define MAX_HEADERS 64
#define MAX_BODY (64 * 1024 * 1024)
#define MAX_CORES 100000 /* --cores: past any machine one service runs on */
#define MAX_PID 4194304  /* PID_MAX_LIMIT on 64-bit Linux (proc(5), pid_max) */

static const char usage_text[] =
	"usage: headroom bench URL [OPTIONS]\n"
	"\n"
	"Load an HTTP/1.1 service (keep-alive; http:// or https://) and report\n"
	"throughput, latency percentiles and errors. Closed loop by default: each\n"
	"connection sends when its previous response arrives. With --rate, open\n"
	"loop: requests are scheduled at a constant rate and latency runs from the\n"
	"scheduled time, so a stalled server cannot hide (coordinated omission).\n"
	"\n"
	"Options:\n"
	"  -t, --threads N        event loops (default: the number of cores)\n"
	"  -c, --connections N    keep-alive connections in total (default 10)\n"
	"  -d, --duration D       run this long, e.g. 10s, 1m (default 10s; with\n"
	"                         --requests and no -d, the count alone bounds it;\n"
	"                         with --find-knee, the length of each step, default 5s)\n"
	"      --requests N       stop after N requests have ended\n"
	"  -R, --rate R           open loop at R requests/s in total (1000, 5k, 300/min)\n"
	"      --timeout D        a request without a full response by then fails (default 2s)\n"
	"  -H, --header 'K: V'    add a request header (repeatable)\n"
	"  -X, --method M         request method (default GET)\n"
	"      --body @FILE|TEXT  request body, from FILE or given inline\n"
	"  -k, --insecure         https: do not verify the certificate\n"
	"      --find-knee        step concurrency, then rate, up to the SLO; report the\n"
	"                         highest sustainable rate, why the concurrency ladder\n"
	"                         stopped, and a USL fit\n"
	"      --slo pNN=D        the SLO for --find-knee (default p95=500ms)\n"
	"      --calibrate FILE   with --find-knee: write the calibration the config's\n"
	"                         'calibration: FILE' reads (implies --find-knee): the\n"
	"                         service time alone and its cv, CPU per request, the\n"
	"                         requests in service at the knee, the USL fit\n"
	"      --server-pid PID   with --find-knee: measure CPU per request from this\n"
	"                         server process (/proc/PID/stat; repeat for each\n"
	"                         process of a multi-process server). Without it a\n"
	"                         loopback target is measured by this machine's busy\n"
	"                         time less the load generator's, and a remote one\n"
	"                         is derived from the knee (cores / max_rps, an upper\n"
	"                         bound)\n"
	"      --cores N          vCPUs of the machine that serves URL (default: this\n"
	"                         machine's, or the server process's CPU affinity, when\n"
	"                         the target is loopback or --server-pid is given;\n"
	"                         required with --calibrate otherwise)\n"
	"      --format text|json output format (default text)\n"
	"      --latency-log FILE debugging: write every latency (see docs/bench.md)\n"
	"      --ok-status LIST   statuses that count as success (default 2xx;\n"
	"                         e.g. 2xx,301,404)\n"
	"  -h, --help             this text\n"
	"\n"
	"Exit status: 0 done (failed requests are reported, not fatal); 1 no\n"
	"response had an accepted status, or an open loop reached less than 95% of\n"
	"its --rate, or no calibration could be written; 2 bad input (a flag that\n"
	"does nothing in the chosen mode included).\n";

struct flags {
	const char *url;
	unsigned threads, connections;
	double duration_s;
	bool duration_set;
	uint64_t requests;
	double rate;
	double timeout_s;
	const char *headers[MAX_HEADERS];
	size_t n_headers;
	const char *method;
	char *body;
	size_t body_len;
	bool body_set;
	bool insecure;
	bool find_knee;
	double slo_pct, slo_s;
	const char *slo_text;
	const char *calibrate;
	enum out_format format;
	const char *latency_log;
	bool slo_set;
	struct bench_status_set accept;
	const char *accept_text;
	pid_t server_pids[CPU_PROBE_MAX_PIDS];
	size_t n_pids;
	double cores;      /* --cores; 0 = not given */
	bool done;         /* --help was printed */
};


static struct bench *g_bench; /* for the SIGINT handler */

static void on_sigint(int sig)
{
	(void)sig;
	if (g_bench)
		bench_stop(g_bench);
}

static int parse_unsigned(const char *flag, const char *v, unsigned lo, unsigned hi, unsigned *out)
{
	double x;
	const char *why = NULL;
	if (units_parse_count(v, &x, &why) != 0 || x != floor(x) || x < lo || x > hi)
		return cmd_usage_error(NAME, "%s '%s': expected a whole number %u-%u", flag, v, lo, hi);
	*out = (unsigned)x;
	return 0;
}

static int parse_dur(const char *flag, const char *v, double *out)
{
	const char *why = NULL;
	if (units_parse_duration(v, out, &why) != 0 || !(*out > 0))
		return cmd_usage_error(NAME, "%s '%s': expected a duration such as 10s, 500ms or 2m", flag, v);
	return 0;
}

static int parse_rate_flag(const char *v, double *out)
{
	const char *why = NULL;
	int rc = strchr(v, '/') ? units_parse_rate(v, out, &why) : units_parse_count(v, out, &why);
	if (rc != 0 || !(*out > 0) || !isfinite(*out) || *out > 1e8)
		return cmd_usage_error(NAME, "--rate '%s': expected requests per second such as 1000, 5k or 300/min", v);
	return 0;
}

static int parse_slo(const char *v, struct flags *f)
{
	/* "pNN=DUR", "pNN.N=DUR" */
	const char *eq = strchr(v, '=');
	if (v[0] != 'p' || !eq || eq == v + 1)
		goto bad;
	char pct[16];
	size_t n = (size_t)(eq - v - 1);
	if (n >= sizeof(pct))
		goto bad;
	memcpy(pct, v + 1, n);
	pct[n] = 0;
	double p;
	const char *why = NULL;
	if (units_parse_number(pct, &p, &why) != 0 || !(p > 0 && p < 100))
		goto bad;
	if (units_parse_duration(eq + 1, &f->slo_s, &why) != 0 || !(f->slo_s > 0))
		goto bad;
	f->slo_pct = p;
	f->slo_text = v;
	return 0;
bad:
	return cmd_usage_error(NAME, "--slo '%s': expected pNN=DURATION such as p95=500ms or p99.9=1s", v);
}

static int read_body(const char *v, struct flags *f)
{
	f->body_set = true;
	if (v[0] != '@') {
		f->body = xstrdup(v);
		f->body_len = strlen(v);
		return 0;
	}
	FILE *fp = fopen(v + 1, "rb");
	if (!fp)
		return cmd_usage_error(NAME, "--body '%s': cannot open: %s", v, strerror(errno));
	size_t cap = 4096, len = 0;
	char *buf = xmalloc(cap);
	int rc = 0;
	for (;;) {
		if (len == cap) {
			if (cap >= MAX_BODY) {
				rc = cmd_usage_error(NAME, "--body '%s': larger than 64 MiB", v);
				goto out;
			}
			cap *= 2;
			buf = xreallocarray(buf, cap, 1);
		}
		size_t got = fread(buf + len, 1, cap - len, fp);
		len += got;
		if (got == 0)
			break;
	}
	if (ferror(fp))
		rc = cmd_usage_error(NAME, "--body '%s': read error", v);
out:
	fclose(fp);
	if (rc) {
		free(buf);
		return rc;
	}
	f->body = buf;
	f->body_len = len;
	return 0;
}

/* The setters: each takes an option's value into the flags.
 * @return 0 or the exit status of a usage error (after its message). */

static int set_threads(struct flags *f, const char *v)
{
	return parse_unsigned("--threads", v, 1, MAX_THREADS, &f->threads);
}

static int set_connections(struct flags *f, const char *v)
{
	return parse_unsigned("--connections", v, 1, MAX_CONNECTIONS, &f->connections);
}

static int set_duration(struct flags *f, const char *v)
{
	f->duration_set = true;
	return parse_dur("--duration", v, &f->duration_s);
}

static int set_requests(struct flags *f, const char *v)
{
	double x;
	const char *why = NULL;
	if (units_parse_count(v, &x, &why) != 0 || x != floor(x) || x < 1 || x > 1e15)
		return cmd_usage_error(NAME, "--requests '%s': expected a whole number >= 1", v);
	f->requests = (uint64_t)x;
	return 0;
}

static int set_rate(struct flags *f, const char *v)
{
	return parse_rate_flag(v, &f->rate);
}

static int set_timeout(struct flags *f, const char *v)
{
	return parse_dur("--timeout", v, &f->timeout_s);
}

static int set_header(struct flags *f, const char *v)
{
	if (f->n_headers == MAX_HEADERS)
		return cmd_usage_error(NAME, "-H: at most %d headers", MAX_HEADERS);
	f->headers[f->n_headers++] = v;
	return 0;
}

static int set_method(struct flags *f, const char *v)
{
	f->method = v;
	return 0;
}

static int set_body(struct flags *f, const char *v)
{
	free(f->body);
	f->body = NULL;
	return read_body(v, f);
}

static int set_insecure(struct flags *f, const char *v)
{
	(void)v;
	f->insecure = true;
	return 0;
}

static int set_knee(struct flags *f, const char *v)
{
	(void)v;
	f->find_knee = true;
	return 0;
}

static int set_slo(struct flags *f, const char *v)
{
	f->slo_set = true;
	return parse_slo(v, f);
}

static int set_ok_status(struct flags *f, const char *v)
{
	const char *why = NULL;
	f->accept_text = v;
	if (bench_status_parse(v, &f->accept, &why) != 0)
		return cmd_usage_error(NAME, "--ok-status '%s': %s", v, why);
	return 0;
}

static int set_calibrate(struct flags *f, const char *v)
{
	f->calibrate = v;
	f->find_knee = true;
	return 0;
}

static int set_format(struct flags *f, const char *v)
{
	return cmd_parse_format(NAME, v, 1u << FORMAT_TEXT | 1u << FORMAT_JSON, &f->format) ? EXIT_BAD_INPUT : 0;
}

static int set_latency_log(struct flags *f, const char *v)
{
	f->latency_log = v;
	return 0;
}

static int set_server_pid(struct flags *f, const char *v)
{
	unsigned pid;
	if (f->n_pids == CPU_PROBE_MAX_PIDS)
		return cmd_usage_error(NAME, "--server-pid: at most %d processes", CPU_PROBE_MAX_PIDS);
	if (parse_unsigned("--server-pid", v, 1, MAX_PID, &pid) != 0)
		return EXIT_BAD_INPUT;
	f->server_pids[f->n_pids++] = (pid_t)pid;
	return 0;
}

static int set_cores(struct flags *f, const char *v)
{
	double x;
	const char *why = NULL;
	if (units_parse_number(v, &x, &why) != 0 || !(x > 0) || x > MAX_CORES)
		return cmd_usage_error(NAME, "--cores '%s': expected the vCPUs of the server's machine, a number above 0 such as 2 or 1.5",
				       v);
	f->cores = x;
	return 0;
}

enum { OPT_REQUESTS = 256, OPT_TIMEOUT, OPT_BODY, OPT_KNEE, OPT_SLO, OPT_CALIBRATE, OPT_FORMAT,
       OPT_LATLOG, OPT_OK_STATUS, OPT_SERVER_PID, OPT_CORES };

/* The options: getopt_long's table, and the setter of each. */
static const struct option opts[] = {
	{"threads", required_argument, NULL, 't'},
	{"connections", required_argument, NULL, 'c'},
	{"duration", required_argument, NULL, 'd'},
	{"requests", required_argument, NULL, OPT_REQUESTS},
	{"rate", required_argument, NULL, 'R'},
	{"timeout", required_argument, NULL, OPT_TIMEOUT},
	{"header", required_argument, NULL, 'H'},
	{"method", required_argument, NULL, 'X'},
	{"body", required_argument, NULL, OPT_BODY},
	{"insecure", no_argument, NULL, 'k'},
	{"find-knee", no_argument, NULL, OPT_KNEE},
	{"slo", required_argument, NULL, OPT_SLO},
	{"calibrate", required_argument, NULL, OPT_CALIBRATE},
	{"format", required_argument, NULL, OPT_FORMAT},
	{"latency-log", required_argument, NULL, OPT_LATLOG},
	{"ok-status", required_argument, NULL, OPT_OK_STATUS},
	{"server-pid", required_argument, NULL, OPT_SERVER_PID},
	{"cores", required_argument, NULL, OPT_CORES},
	{"help", no_argument, NULL, 'h'},
	{0},
};

static const struct setter {
	int val;
	int (*set)(struct flags *f, const char *v);
} setters[] = {
	{'t', set_threads},
	{'c', set_connections},
	{'d', set_duration},
	{OPT_REQUESTS, set_requests},
	{'R', set_rate},
	{OPT_TIMEOUT, set_timeout},
	{'H', set_header},
	{'X', set_method},
	{OPT_BODY, set_body},
	{'k', set_insecure},
	{OPT_KNEE, set_knee},
	{OPT_SLO, set_slo},
	{OPT_CALIBRATE, set_calibrate},
	{OPT_FORMAT, set_format},
	{OPT_LATLOG, set_latency_log},
	{OPT_OK_STATUS, set_ok_status},
	{OPT_SERVER_PID, set_server_pid},
	{OPT_CORES, set_cores},
};

static void set_defaults(struct flags *f)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	f->threads = cores > 0 ? (unsigned)cores : 1;
	f->connections = 10; /* wrk's default */
	f->duration_s = 10;
	f->timeout_s = 2;    /* wrk's default */
	f->slo_pct = 95;     /* seeds' latency trigger: p95 500 ms warn */
	f->slo_s = 0.5;
	f->slo_text = "p95=500ms";
	f->format = FORMAT_TEXT;
	bench_status_2xx(&f->accept);
	f->accept_text = "2xx";
}

/* A flag that would do nothing in the chosen mode is a mistake to say,
 * not to ignore: the user believes it applied. @return 0 or EXIT_BAD_INPUT. */
static int check_mode(struct flags *f)
{
	if (f->requests && !f->duration_set)
		f->duration_s = 0;
	if (f->find_knee) {
		if (f->rate > 0 || f->requests)
			return cmd_usage_error(NAME, "--find-knee chooses the rate itself; drop --rate and --requests");
		if (f->latency_log)
			return cmd_usage_error(NAME, "--latency-log records one run; it does nothing with --find-knee");
		if (!f->duration_set)
			f->duration_s = 5;
	} else if (f->slo_set) {
		return cmd_usage_error(NAME, "--slo is the target of --find-knee; it does nothing without it");
	} else if (f->n_pids || f->cores > 0) {
		return cmd_usage_error(NAME, "%s only applies with --find-knee or --calibrate",
				       f->n_pids ? "--server-pid" : "--cores");
	}
	return 0;
}

/* @return 0 to go on (f->done after --help), or the exit status of a usage error. */
static int parse_flags(int argc, char **argv, struct flags *f)
{
	set_defaults(f);
	opterr = 0;
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, "t:c:d:R:H:X:kh", opts, NULL)) != -1) {
		const struct setter *s = NULL;
		for (size_t i = 0; i < sizeof(setters) / sizeof(setters[0]) && !s; i++)
			if (setters[i].val == c)
				s = &setters[i];
		int rc;
		if (s) {
			rc = s->set(f, optarg);
		} else if (c == 'h') {
			fputs(usage_text, stdout);
			f->done = true;
			return 0;
		} else if (optopt && optopt < 256 && strchr("tcdRHX", optopt)) {
			rc = cmd_usage_error(NAME, "option -%c needs a value", optopt);
		} else {
			rc = cmd_usage_error(NAME, "unknown option '%s'", argv[optind - 1]);
		}
		if (rc)
			return rc;
	}
	if (optind >= argc)
		return cmd_usage_error(NAME, "expected a URL");
	if (optind + 1 < argc)
		return cmd_usage_error(NAME, "unexpected argument '%s'", argv[optind + 1]);
	f->url = argv[optind];
	return check_mode(f);
}

/* ------------------------------------------------------------- printing */

static bool g_tty;

static void progress(void *arg, double elapsed, uint64_t requests, uint64_t errors, double p95)
{
	(void)arg;
	char d[32];
	fprintf(stderr, "\r\033[K  %5.1fs  %10.0f req/s  p95 %s  errors %llu", elapsed,
		elapsed > 0 ? (double)requests / elapsed : 0.0, units_fmt_duration(p95, d, sizeof(d)),
		(unsigned long long)errors);
	fflush(stderr);
}

static void progress_done(void)
{
	if (g_tty) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
}

/* Render a step's line as it ends (text only). */
static void on_step(void *arg, const struct bench_step_report *s)
{
	const struct flags *f = arg;
	progress_done();
	if (f->format != FORMAT_TEXT)
		return;
	struct strbuf sb;
	strbuf_init(&sb, 4096);
	if (bench_render_step_text(s, f->slo_pct, &sb) == 0)
		fputs(strbuf_str(&sb), stdout);
	strbuf_free(&sb);
	fflush(stdout);
}

static int run_knee(struct flags *f, struct bench *b, struct diag *d)
{
	struct loadtest_knee_opts o = {
		.url = f->url, .slo_text = f->slo_text, .accept_text = f->accept_text, .slo_pct = f->slo_pct,
		.slo_s = f->slo_s, .connections = f->connections, .threads = f->threads, .step_s = f->duration_s,
		.timeout_s = f->timeout_s, .accept = &f->accept, .server_pids = f->server_pids, .n_pids = f->n_pids,
		.cores = f->cores, .on_step = on_step, .arg = f,
	};
	struct loadtest_knee *k = xcalloc(1, sizeof(*k));
	struct strbuf sb;
	strbuf_init(&sb, 0);
	if (f->format == FORMAT_TEXT) {
		struct bench_knee_report head = {.url = f->url, .slo_text = f->slo_text};
		if (bench_render_knee_heading(&head, f->duration_s, f->connections, &sb) == 0)
			fputs(strbuf_str(&sb), stdout);
		fflush(stdout);
		strbuf_reset(&sb);
	}
	int status = 0;
	int rc = loadtest_knee(&o, b, d, k);
	if (rc) {
		status = rc == HR_E_INVALID ? EXIT_BAD_INPUT : 1;
		goto out;
	}
	rc = f->format == FORMAT_JSON ? bench_render_knee_json(&k->report, &sb) : bench_render_knee_text(&k->report, &sb);
	if (rc) {
		diag_error(d, "cannot render the result: %s", hr_strerror(rc));
		status = 1;
	} else {
		fputs(strbuf_str(&sb), stdout);
	}
	/* As for a plain run (--help, docs/bench.md): nothing answered with an
	 * accepted status, exit 1. */
	if (!k->answered) {
		diag_error(d, "no request succeeded with a status in %s at any step; is %s up and the URL right?",
			   f->accept_text, f->url);
		status = 1;
	}
	if (f->calibrate) {
		strbuf_reset(&sb);
		if (!k->calibratable) {
			diag_error(d, "no calibration written: no rate met %s", f->slo_text);
			status = 1;
		} else if (calibration_render(&k->cal, &k->info, &sb) != 0 ||
			   cmd_write(NAME, f->calibrate, strbuf_str(&sb), sb.len, true) != 0) {
			status = 1;
		} else if (f->format == FORMAT_TEXT) {
			printf("Calibration written to %s%s\n", f->calibrate,
			       k->info.usl_fitted ? "" : " (without sigma, kappa and gamma: the USL was not fitted)");
		}
	}
out:
	strbuf_free(&sb);
	free(k);
	return status;
}

/* One run: measure, render, judge. @return the exit status. */
static int run_once(const struct flags *f, struct bench *b, FILE *log, struct diag *d)
{
	struct bench_run_opts o = {
		.threads = f->threads, .connections = f->connections, .duration_s = f->duration_s,
		.requests = f->requests, .rate = f->rate, .timeout_s = f->timeout_s,
		.latency_log = log, .progress = g_tty ? progress : NULL, .progress_s = 1.0,
		.accept = &f->accept,
	};
	struct bench_result r;
	int rc = bench_run(b, &o, &r);
	progress_done();
	if (rc) {
		diag_error(d, "load test failed: %s", hr_strerror(rc));
		return 1;
	}
	struct bench_run_report rep;
	loadtest_run_report(&r, f->url, &rep);
	struct strbuf sb;
	strbuf_init(&sb, 0);
	int status;
	rc = f->format == FORMAT_JSON ? bench_render_run_json(&rep, &sb) : bench_render_run_text(&rep, &sb);
	if (rc) {
		diag_error(d, "cannot render the result: %s", hr_strerror(rc));
		status = 1;
	} else {
		fputs(strbuf_str(&sb), stdout);
		status = loadtest_verdict(&r, f->url, f->accept_text, d);
	}
	strbuf_free(&sb);
	bench_result_free(&r);
	return status;
}

/* The load generator for the URL, and the latency log when asked for.
 * @return 0 or the exit status. */
static int open_target(struct flags *f, struct diag *d, struct bench **b, FILE **log)
{
	struct bench_target t = {
		.url = f->url, .method = f->method, .headers = f->headers, .n_headers = f->n_headers,
		.body = f->body_set ? f->body : NULL, .body_len = f->body_len, .insecure = f->insecure,
	};
	int rc = bench_new(&t, d, b);
	if (rc)
		return rc == HR_E_INVALID ? EXIT_BAD_INPUT : 1;
	/* A calibration scales by the measured machine's size: never guess it
	 * from this machine for a server elsewhere. */
	if (f->calibrate && loadtest_cores(f->cores, f->server_pids, f->n_pids, *b) <= 0)
		return cmd_usage_error(NAME, "--calibrate: %s is not this machine; give --cores N, the vCPUs that serve it",
				       bench_host(*b));
	if (f->latency_log) {
		*log = fopen(f->latency_log, "w");
		if (!*log) {
			diag_error(d, "cannot write --latency-log '%s': %s", f->latency_log, strerror(errno));
			return EXIT_BAD_INPUT;
		}
	}
	return 0;
}

static int run_bench(int argc, char **argv)
{
	struct flags f = {0};
	struct bench *b = NULL;
	FILE *log = NULL;
	struct diag d;
	diag_init_file(&d, stderr, "headroom bench");
	int status = parse_flags(argc, argv, &f);
	if (status || f.done || (status = open_target(&f, &d, &b, &log)) != 0)
		goto out;
	/* Writes to a closed TLS socket raise SIGPIPE inside OpenSSL. */
	signal(SIGPIPE, SIG_IGN);
	g_bench = b;
	struct sigaction sa = {0};
	sa.sa_handler = on_sigint;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	g_tty = isatty(STDERR_FILENO) && f.format == FORMAT_TEXT;
	status = f.find_knee ? run_knee(&f, b, &d) : run_once(&f, b, log, &d);
	g_bench = NULL;
	if (log && fclose(log) != 0) {
		diag_error(&d, "writing --latency-log '%s' failed", f.latency_log);
		status = 1;
	}
out:
	bench_free(b);
	free(f.body);
	return status;
}

const struct hr_cmd cmd_bench = {NAME, "load-test an HTTP service; find its knee at an SLO", run_bench};
