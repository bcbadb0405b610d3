/* bench.c - `headroom bench`: load an HTTP service and say what it sustains.
 *
 * Flags follow wrk where they mean the same (-t, -c, -d, -H, --timeout,
 * --latency is always on). The engine is src/bench/engine.h; --find-knee
 * drives it through src/bench/knee.h and fits the Universal Scalability Law
 * (src/model/usl.h) to the closed-loop ladder; --calibrate also writes the
 * service time alone and its variability, the CPU per request (from the
 * server's processes, this machine, or the knee: src/bench/cpu.h) and the
 * server-side concurrency at the knee (docs/bench.md, "Calibration file"). */
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "bench/calibration.h"
#include "bench/cpu.h"
#include "bench/engine.h"
#include "bench/hist.h"
#include "bench/knee.h"
#include "cmd/cmd.h"
#include "model/usl.h"
#include "util/diag.h"
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
	"  -h, --help             this text\n"
	"\n"
	"Exit status: 0 done (failed requests are reported, not fatal), 1 the\n"
	"target could not be loaded at all or no calibration could be written,\n"
	"2 bad input.\n";

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
	pid_t server_pids[CPU_PROBE_MAX_PIDS];
	size_t n_pids;
	double cores;      /* --cores; 0 = not given */
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
	for (;;) {
		if (len == cap) {
			if (cap >= MAX_BODY) {
				fclose(fp);
				free(buf);
				return cmd_usage_error(NAME, "--body '%s': larger than 64 MiB", v);
			}
			cap *= 2;
			buf = xreallocarray(buf, cap, 1);
		}
		size_t got = fread(buf + len, 1, cap - len, fp);
		len += got;
		if (got == 0)
			break;
	}
	bool err = ferror(fp);
	fclose(fp);
	if (err) {
		free(buf);
		return cmd_usage_error(NAME, "--body '%s': read error", v);
	}
	f->body = buf;
	f->body_len = len;
	return 0;
}

enum { OPT_REQUESTS = 256, OPT_TIMEOUT, OPT_BODY, OPT_KNEE, OPT_SLO, OPT_CALIBRATE, OPT_FORMAT,
       OPT_LATLOG, OPT_SERVER_PID, OPT_CORES };

static int parse_flags(int argc, char **argv, struct flags *f)
{
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
		{"server-pid", required_argument, NULL, OPT_SERVER_PID},
		{"cores", required_argument, NULL, OPT_CORES},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	f->threads = cores > 0 ? (unsigned)cores : 1;
	f->connections = 10; /* wrk's default */
	f->duration_s = 10;
	f->timeout_s = 2;    /* wrk's default */
	f->slo_pct = 95;     /* seeds' latency trigger: p95 500 ms warn */
	f->slo_s = 0.5;
	f->slo_text = "p95=500ms";
	f->format = FORMAT_TEXT;
	opterr = 0;
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, "t:c:d:R:H:X:kh", opts, NULL)) != -1) {
		int rc = 0;
		double x;
		const char *why = NULL;
		switch (c) {
		case 't':
			rc = parse_unsigned("--threads", optarg, 1, MAX_THREADS, &f->threads);
			break;
		case 'c':
			rc = parse_unsigned("--connections", optarg, 1, MAX_CONNECTIONS, &f->connections);
			break;
		case 'd':
			rc = parse_dur("--duration", optarg, &f->duration_s);
			f->duration_set = true;
			break;
		case OPT_REQUESTS:
			if (units_parse_count(optarg, &x, &why) != 0 || x != floor(x) || x < 1 || x > 1e15)
				rc = cmd_usage_error(NAME, "--requests '%s': expected a whole number >= 1", optarg);
			f->requests = (uint64_t)x;
			break;
		case 'R':
			rc = parse_rate_flag(optarg, &f->rate);
			break;
		case OPT_TIMEOUT:
			rc = parse_dur("--timeout", optarg, &f->timeout_s);
			break;
		case 'H':
			if (f->n_headers == MAX_HEADERS)
				rc = cmd_usage_error(NAME, "-H: at most %d headers", MAX_HEADERS);
			else
				f->headers[f->n_headers++] = optarg;
			break;
		case 'X':
			f->method = optarg;
			break;
		case OPT_BODY:
			free(f->body);
			rc = read_body(optarg, f);
			break;
		case 'k':
			f->insecure = true;
			break;
		case OPT_KNEE:
			f->find_knee = true;
			break;
		case OPT_SLO:
			rc = parse_slo(optarg, f);
			break;
		case OPT_CALIBRATE:
			f->calibrate = optarg;
			f->find_knee = true;
			break;
		case OPT_FORMAT:
			if (cmd_parse_format(NAME, optarg, 1u << FORMAT_TEXT | 1u << FORMAT_JSON, &f->format))
				rc = EXIT_BAD_INPUT;
			break;
		case OPT_LATLOG:
			f->latency_log = optarg;
			break;
		case OPT_SERVER_PID: {
			unsigned pid;
			if (f->n_pids == CPU_PROBE_MAX_PIDS)
				rc = cmd_usage_error(NAME, "--server-pid: at most %d processes", CPU_PROBE_MAX_PIDS);
			else if (parse_unsigned("--server-pid", optarg, 1, MAX_PID, &pid) == 0)
				f->server_pids[f->n_pids++] = (pid_t)pid;
			else
				rc = EXIT_BAD_INPUT;
			break;
		}
		case OPT_CORES:
			if (units_parse_number(optarg, &x, &why) != 0 || !(x > 0) || x > MAX_CORES)
				rc = cmd_usage_error(NAME, "--cores '%s': expected the vCPUs of the server's machine, a number above 0 such as 2 or 1.5",
						     optarg);
			f->cores = x;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return -1;
		default:
			if (optopt && optopt < 256 && strchr("tcdRHX", optopt))
				rc = cmd_usage_error(NAME, "option -%c needs a value", optopt);
			else
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
	if (f->requests && !f->duration_set)
		f->duration_s = 0;
	if (f->find_knee) {
		if (f->rate > 0 || f->requests)
			return cmd_usage_error(NAME, "--find-knee chooses the rate itself; drop --rate and --requests");
		if (!f->duration_set)
			f->duration_s = 5;
	} else if (f->n_pids || f->cores > 0) {
		return cmd_usage_error(NAME, "%s only applies with --find-knee or --calibrate",
				       f->n_pids ? "--server-pid" : "--cores");
	}
	return 0;
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

static json_t *lat_json(const struct hist *h)
{
	json_t *o = json_object();
	json_object_set_new(o, "mean_s", json_real(hist_mean(h) / 1e6));
	static const struct { const char *k; double p; } ps[] = {
		{"p50_s", 50}, {"p90_s", 90}, {"p95_s", 95}, {"p99_s", 99}, {"p999_s", 99.9}};
	for (size_t i = 0; i < sizeof(ps) / sizeof(ps[0]); i++)
		json_object_set_new(o, ps[i].k, json_real((double)hist_percentile(h, ps[i].p) / 1e6));
	json_object_set_new(o, "min_s", json_real((double)hist_min(h) / 1e6));
	json_object_set_new(o, "max_s", json_real((double)hist_max(h) / 1e6));
	return o;
}

static json_t *result_json(const struct flags *f, const struct bench_result *r)
{
	json_t *o = json_object();
	json_object_set_new(o, "url", json_string(f->url));
	json_object_set_new(o, "mode", json_string(r->rate > 0 ? "open" : "closed"));
	json_object_set_new(o, "threads", json_integer(r->threads));
	json_object_set_new(o, "connections", json_integer(r->connections));
	if (r->rate > 0) {
		json_object_set_new(o, "rate_target", json_real(r->rate));
		json_object_set_new(o, "scheduled", json_integer((json_int_t)r->scheduled));
	}
	json_object_set_new(o, "requests", json_integer((json_int_t)r->requests));
	json_object_set_new(o, "duration_s", json_real(r->duration_s));
	json_object_set_new(o, "rps", json_real(r->duration_s > 0 ? (double)r->requests / r->duration_s : 0));
	json_object_set_new(o, "bytes", json_integer((json_int_t)r->bytes));
	json_object_set_new(o, "bytes_sent", json_integer((json_int_t)r->bytes_sent));
	json_t *e = json_object();
	for (int k = 0; k < BENCH_ERR_COUNT; k++)
		json_object_set_new(e, bench_error_names[k], json_integer((json_int_t)r->errors[k]));
	json_object_set_new(e, "non2xx", json_integer((json_int_t)r->non2xx));
	json_object_set_new(o, "errors", e);
	json_t *st = json_object();
	for (int k = 1; k <= 5; k++) {
		char key[4] = {(char)('0' + k), 'x', 'x', 0};
		json_object_set_new(st, key, json_integer((json_int_t)r->status_class[k]));
	}
	json_object_set_new(o, "status", st);
	json_object_set_new(o, "connects", json_integer((json_int_t)r->connects));
	json_object_set_new(o, "unfinished", json_integer((json_int_t)r->unfinished));
	json_object_set_new(o, "latency", lat_json(r->latency));
	if (r->latency_sent) {
		json_object_set_new(o, "latency_from_send", lat_json(r->latency_sent));
		json_object_set_new(o, "send_lag", lat_json(r->send_lag));
	}
	json_t *cpu = json_object();
	json_object_set_new(cpu, "user_s", json_real(r->cpu_user_s));
	json_object_set_new(cpu, "sys_s", json_real(r->cpu_sys_s));
	json_object_set_new(o, "cpu", cpu);
	json_object_set_new(o, "interrupted", json_boolean(r->interrupted));
	return o;
}

static void print_lat(const char *label, const struct hist *h)
{
	char a[7][24];
	printf("  %-10s mean %s  p50 %s  p90 %s  p95 %s  p99 %s  p99.9 %s  max %s\n", label,
	       units_fmt_duration(hist_mean(h) / 1e6, a[0], 24),
	       units_fmt_duration((double)hist_percentile(h, 50) / 1e6, a[1], 24),
	       units_fmt_duration((double)hist_percentile(h, 90) / 1e6, a[2], 24),
	       units_fmt_duration((double)hist_percentile(h, 95) / 1e6, a[3], 24),
	       units_fmt_duration((double)hist_percentile(h, 99) / 1e6, a[4], 24),
	       units_fmt_duration((double)hist_percentile(h, 99.9) / 1e6, a[5], 24),
	       units_fmt_duration((double)hist_max(h) / 1e6, a[6], 24));
}

static void print_result(const struct flags *f, const struct bench_result *r)
{
	char b1[32];
	printf("%s %.2fs @ %s\n", r->interrupted ? "Interrupted after" : "Ran", r->duration_s, f->url);
	printf("  %u threads, %u connections, ", r->threads, r->connections);
	if (r->rate > 0)
		printf("open loop at %.0f req/s (latency from the scheduled send)\n", r->rate);
	else
		printf("closed loop (latency from the actual send; not corrected for stalls: use --rate)\n");
	printf("  requests   %llu, %s read, %.1f req/s\n", (unsigned long long)r->requests,
	       units_fmt_size((double)r->bytes, b1, sizeof(b1)),
	       r->duration_s > 0 ? (double)r->requests / r->duration_s : 0);
	print_lat("latency", r->latency);
	if (r->latency_sent) {
		print_lat("from send", r->latency_sent);
		printf("  send lag   p99 %s (scheduled %llu, unsent or unfinished at the end %llu)\n",
		       units_fmt_duration((double)hist_percentile(r->send_lag, 99) / 1e6, b1, sizeof(b1)),
		       (unsigned long long)r->scheduled, (unsigned long long)r->unfinished);
	}
	printf("  errors    ");
	for (int k = 0; k < BENCH_ERR_COUNT; k++)
		printf(" %s %llu%s", bench_error_names[k], (unsigned long long)r->errors[k],
		       k + 1 < BENCH_ERR_COUNT ? "," : ";");
	printf(" non-2xx %llu\n", (unsigned long long)r->non2xx);
	printf("  cpu        %.2fs user, %.2fs sys\n", r->cpu_user_s, r->cpu_sys_s);
}

static void on_step(void *arg, const struct knee_step *s)
{
	const struct flags *f = arg;
	char a[24], b[24];
	progress_done();
	if (f->format != FORMAT_TEXT)
		return;
	if (s->open)
		printf("  rate %9.1f/s   ", s->rate);
	else
		printf("  concurrency %4u ", s->concurrency);
	printf(" %9.1f req/s  p%g %-8s mean %-8s errors %5.2f%%  %s%s\n", s->rps, f->slo_pct,
	       units_fmt_duration(s->pct_s, a, sizeof(a)), units_fmt_duration(s->mean_s, b, sizeof(b)),
	       100 * s->error_ratio, s->ok ? "ok" : "over: ", s->why);
	fflush(stdout);
}

/* How the CPU per request is known (docs/bench.md, "CPU per request"). */
enum cpu_mode {
	CPU_PROCESS, /* --server-pid: the server's own CPU time */
	CPU_MACHINE, /* a loopback target: this machine's busy time less ours */
	CPU_KNEE,    /* neither: cores / max_rps, as if the CPU saturated at the knee */
};

static const char *const cpu_mode_names[] = {"process", "machine", "knee"};

/* vCPUs of the machine measured: --cores, else what the server's first
 * process may run on (its CPU affinity), else this machine's online CPUs;
 * 0 when the target is elsewhere and --cores was not given. */
static double measured_cores(const struct flags *f, const struct bench *b)
{
	if (f->cores > 0)
		return f->cores;
	if (f->n_pids > 0) {
		cpu_set_t set;
		CPU_ZERO(&set);
		if (sched_getaffinity(f->server_pids[0], sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
			return CPU_COUNT(&set);
	}
	if (f->n_pids > 0 || bench_is_loopback(b)) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		return n > 0 ? (double)n : 1;
	}
	return 0;
}

/* Why the closed ladder stopped, in a sentence: what more connections can and cannot do. */
static const char *ladder_text(const struct knee_result *kr, char *buf, size_t n)
{
	const struct knee_step *s = kr->stop_step;
	if (!s) {
		snprintf(buf, n, "no closed-loop step ran");
		return buf;
	}
	switch (kr->stop) {
	case KNEE_STOP_SLO:
		snprintf(buf, n, "stopped at concurrency %u: %s", s->concurrency, s->why);
		break;
	case KNEE_STOP_FLAT:
		snprintf(buf, n,
			 "stopped at concurrency %u: throughput stopped growing (%.1f req/s, against %.1f at "
			 "concurrency %u); the service is serving all it can at once, and more connections only queue",
			 s->concurrency, s->rps, kr->before_rps, kr->before_concurrency);
		break;
	case KNEE_STOP_FELL:
		snprintf(buf, n,
			 "stopped at concurrency %u: throughput fell to %.1f req/s from %.1f at concurrency %u; "
			 "the service is past its peak concurrency (contention), and more connections cannot raise it",
			 s->concurrency, s->rps, kr->before_rps, kr->before_concurrency);
		break;
	default:
		snprintf(buf, n, "stopped at concurrency %u: the connection limit; raise -c to go further",
			 s->concurrency);
		break;
	}
	return buf;
}

static int run_knee(struct flags *f, struct bench *b, struct diag *d)
{
	double cores = measured_cores(f, b);
	enum cpu_mode mode = f->n_pids > 0 ? CPU_PROCESS : bench_is_loopback(b) ? CPU_MACHINE : CPU_KNEE;
	struct cpu_probe probe = {.root = "/"};
	memcpy(probe.pids, f->server_pids, f->n_pids * sizeof(pid_t));
	probe.n_pids = f->n_pids;
	if (mode == CPU_PROCESS) {
		double x;
		for (size_t i = 0; i < f->n_pids; i++) {
			struct cpu_probe one = {.root = "/", .pids = {f->server_pids[i]}, .n_pids = 1};
			if (cpu_probe_read(&one, &x) != 0) {
				diag_error(d, "--server-pid %ld: no such process to measure (/proc/%ld/stat)",
					   (long)f->server_pids[i], (long)f->server_pids[i]);
				return EXIT_BAD_INPUT;
			}
		}
	}
	struct knee_opts ko = {
		.slo_pct = f->slo_pct, .slo_s = f->slo_s, .max_connections = f->connections,
		.threads = f->threads, .step_s = f->duration_s, .timeout_s = f->timeout_s,
		.cpu_probe = mode == CPU_KNEE ? NULL : cpu_probe_read, .cpu_probe_arg = &probe,
		.on_step = on_step, .arg = f,
	};
	if (f->format == FORMAT_TEXT)
		printf("Finding the knee of %s at %s (steps of %gs, up to %u connections)\n", f->url,
		       f->slo_text, f->duration_s, f->connections);
	struct knee_result *kr = xcalloc(1, sizeof(*kr));
	int rc = knee_find(b, &ko, kr);
	if (rc && rc != HR_E_TIMEOUT) {
		diag_error(d, "load test failed: %s", hr_strerror(rc));
		free(kr);
		return 1;
	}
	/* USL fit on the closed ladder. */
	struct usl_point pts[KNEE_MAX_STEPS];
	struct calibration_point cps[KNEE_MAX_STEPS];
	size_t np = 0;
	for (size_t i = 0; i < kr->n; i++) {
		if (kr->steps[i].open || kr->steps[i].rps <= 0)
			continue;
		pts[np] = (struct usl_point){kr->steps[i].concurrency, kr->steps[i].rps};
		cps[np] = (struct calibration_point){kr->steps[i].concurrency, kr->steps[i].rps,
						     kr->steps[i].p95_s};
		np++;
	}
	struct usl_model m = {0};
	struct usl_fit_info fi = {0};
	bool fitted = np >= USL_MIN_POINTS && usl_fit(pts, np, &m, &fi) == 0;
	int status = 0;

	/* CPU per request: the utilisation law D = busy CPU / completions
	 * (= cores x utilisation / throughput), over every step that read the
	 * probe; else derived from the knee. */
	double cpu = NAN;
	if (mode == CPU_PROCESS && kr->cpu_requests > 0) {
		cpu = kr->cpu_s / (double)kr->cpu_requests;
	} else if (mode == CPU_MACHINE && kr->cpu_requests > 0) {
		double busy = kr->cpu_s - kr->self_cpu_s;
		cpu = (busy > 0 ? busy : 0) / (double)kr->cpu_requests;
	}
	if (!(cpu > 0)) {
		/* The probe never answered (a server that exited), or the machine's
		 * busy time was all ours: nothing measured, derive it. */
		mode = CPU_KNEE;
		cpu = kr->max_rps > 0 && cores > 0 ? cores / kr->max_rps : NAN;
	}
	/* Little's law on the time in service at the knee. */
	double conc = kr->max_rps * kr->service_s;
	char ladder[320];
	ladder_text(kr, ladder, sizeof(ladder));

	if (f->format == FORMAT_JSON) {
		json_t *o = json_object();
		json_object_set_new(o, "url", json_string(f->url));
		json_t *slo = json_object();
		json_object_set_new(slo, "percentile", json_real(f->slo_pct));
		json_object_set_new(slo, "latency_s", json_real(f->slo_s));
		json_object_set_new(o, "slo", slo);
		json_object_set_new(o, "max_rps", json_real(kr->max_rps));
		json_object_set_new(o, "peak_closed_rps", json_real(kr->peak_rps));
		json_object_set_new(o, "service_time_s", json_real(kr->service_s));
		json_object_set_new(o, "service_cv", json_real(kr->service_cv));
		json_object_set_new(o, "server_concurrency", json_real(conc));
		json_object_set_new(o, "cores", cores > 0 ? json_real(cores) : json_null());
		json_object_set_new(o, "cpu_per_request_s", isfinite(cpu) ? json_real(cpu) : json_null());
		json_object_set_new(o, "cpu_source", json_string(cpu_mode_names[mode]));
		json_t *ls = json_object();
		json_object_set_new(ls, "reason", json_string(knee_stop_name(kr->stop)));
		json_object_set_new(ls, "concurrency", kr->stop_step ? json_integer(kr->stop_step->concurrency) : json_null());
		json_object_set_new(ls, "text", json_string(ladder));
		json_object_set_new(o, "ladder_stop", ls);
		json_t *steps = json_array();
		for (size_t i = 0; i < kr->n; i++) {
			const struct knee_step *s = &kr->steps[i];
			json_t *j = json_object();
			json_object_set_new(j, "mode", json_string(s->open ? "open" : "closed"));
			json_object_set_new(j, "concurrency", json_integer(s->concurrency));
			if (s->open)
				json_object_set_new(j, "rate", json_real(s->rate));
			json_object_set_new(j, "rps", json_real(s->rps));
			json_object_set_new(j, "latency_at_slo_s", json_real(s->pct_s));
			json_object_set_new(j, "p95_s", json_real(s->p95_s));
			json_object_set_new(j, "mean_s", json_real(s->mean_s));
			json_object_set_new(j, "cv", json_real(s->cv));
			json_object_set_new(j, "error_ratio", json_real(s->error_ratio));
			json_object_set_new(j, "ok", json_boolean(s->ok));
			json_array_append_new(steps, j);
		}
		json_object_set_new(o, "steps", steps);
		if (fitted) {
			json_t *u = json_object();
			json_object_set_new(u, "sigma", json_real(m.sigma));
			json_object_set_new(u, "kappa", json_real(m.kappa));
			json_object_set_new(u, "gamma", json_real(m.gamma));
			json_object_set_new(u, "peak_concurrency", json_real(usl_peak_concurrency(&m)));
			json_object_set_new(u, "max_throughput", json_real(usl_max_throughput(&m)));
			json_object_set_new(u, "residual_se", json_real(fi.residual_se));
			json_object_set_new(o, "usl", u);
		} else {
			json_object_set_new(o, "usl", json_null());
		}
		json_dumpf(o, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(6));
		putchar('\n');
		json_decref(o);
	} else {
		char a[24], c2[24];
		if (kr->max_rps > 0)
			printf("Highest sustainable rate: %.1f req/s at %s (closed-loop peak %.1f req/s)\n",
			       kr->max_rps, f->slo_text, kr->peak_rps);
		else
			printf("No rate met %s\n", f->slo_text);
		printf("Closed ladder %s\n", ladder);
		if (kr->service_s > 0)
			printf("Service alone (concurrency 1): mean %s, cv %.3g; at the knee %.1f requests in service "
			       "(max_rps x service time)\n",
			       units_fmt_duration(kr->service_s, a, sizeof(a)), kr->service_cv, conc);
		if (mode == CPU_PROCESS && isfinite(cpu))
			printf("CPU per request: %s, measured on the server's process%s (%.3g vCPU)\n",
			       units_fmt_duration(cpu, c2, sizeof(c2)), f->n_pids > 1 ? "es" : "", cores);
		else if (mode == CPU_MACHINE && isfinite(cpu))
			printf("CPU per request: %s, from this machine's busy time less the load generator's (%.3g vCPU;\n"
			       "  anything else running counts too: --server-pid measures the server alone)\n",
			       units_fmt_duration(cpu, c2, sizeof(c2)), cores);
		else if (isfinite(cpu))
			printf("CPU per request: %s, derived from the knee (cores / max_rps, as if the CPU saturated\n"
			       "  there: an upper bound; --server-pid on the server's machine measures it)\n",
			       units_fmt_duration(cpu, c2, sizeof(c2)));
		if (fitted)
			printf("USL fit: sigma %.4g, kappa %.4g, gamma %.4g req/s; peak %.1f req/s at concurrency %.1f\n",
			       m.sigma, m.kappa, m.gamma, usl_max_throughput(&m), usl_peak_concurrency(&m));
		else
			printf("USL fit: needs %d closed-loop steps with responses, have %zu (the ladder %s)\n",
			       USL_MIN_POINTS, np, ladder);
	}
	/* As for a plain run (--help, docs/bench.md): nothing answered, exit 1. */
	bool answered = false;
	for (size_t i = 0; i < kr->n; i++)
		answered = answered || kr->steps[i].rps > 0;
	if (!answered) {
		diag_error(d, "no request succeeded at any step; is %s up?", f->url);
		status = 1;
	}
	if (f->calibrate) {
		if (!(kr->max_rps > 0) || !(kr->service_s > 0)) {
			diag_error(d, "no calibration written: no rate met %s", f->slo_text);
			status = 1;
		} else {
			struct calibration c = {
				.present = true, .sigma = m.sigma, .kappa = m.kappa, .gamma = m.gamma,
				.service_s = kr->service_s, .service_cv = kr->service_cv, .has_service_cv = true,
				.cpu_s = isfinite(cpu) ? cpu : 0, .concurrency = conc,
				.max_rps = kr->max_rps, .cores = cores,
			};
			struct calibration_info ci = {
				.url = f->url, .slo = f->slo_text, .measured_at = time(NULL), .points = cps,
				.n_points = np, .usl_fitted = fitted, .cpu_source = cpu_mode_names[mode],
				.ladder_stop = ladder,
			};
			if (calibration_write(f->calibrate, &c, &ci, d) != 0)
				status = 1;
			else if (f->format == FORMAT_TEXT)
				printf("Calibration written to %s%s\n", f->calibrate,
				       fitted ? "" : " (without sigma, kappa and gamma: the USL was not fitted)");
		}
	}
	free(kr);
	return status;
}

static int run_bench(int argc, char **argv)
{
	struct flags f = {0};
	int rc = parse_flags(argc, argv, &f);
	if (rc) {
		free(f.body);
		return rc < 0 ? 0 : rc;
	}
	struct diag d;
	diag_init_file(&d, stderr, "headroom bench");
	struct bench_target t = {
		.url = f.url, .method = f.method, .headers = f.headers, .n_headers = f.n_headers,
		.body = f.body_set ? f.body : NULL, .body_len = f.body_len, .insecure = f.insecure,
	};
	struct bench *b = NULL;
	rc = bench_new(&t, &d, &b);
	if (rc) {
		free(f.body);
		return rc == HR_E_INVALID ? EXIT_BAD_INPUT : 1;
	}
	/* A calibration scales by the measured machine's size: never guess it
	 * from this machine for a server elsewhere. */
	if (f.calibrate && measured_cores(&f, b) <= 0) {
		cmd_usage_error(NAME, "--calibrate: %s is not this machine; give --cores N, the vCPUs that serve it",
				bench_host(b));
		bench_free(b);
		free(f.body);
		return EXIT_BAD_INPUT;
	}
	FILE *log = NULL;
	if (f.latency_log) {
		log = fopen(f.latency_log, "w");
		if (!log) {
			diag_error(&d, "cannot write --latency-log '%s': %s", f.latency_log, strerror(errno));
			bench_free(b);
			free(f.body);
			return EXIT_BAD_INPUT;
		}
	}
	/* Writes to a closed TLS socket raise SIGPIPE inside OpenSSL. */
	signal(SIGPIPE, SIG_IGN);
	g_bench = b;
	struct sigaction sa = {0};
	sa.sa_handler = on_sigint;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	g_tty = isatty(STDERR_FILENO) && f.format == FORMAT_TEXT;

	int status = 0;
	if (f.find_knee) {
		status = run_knee(&f, b, &d);
	} else {
		struct bench_run_opts o = {
			.threads = f.threads, .connections = f.connections, .duration_s = f.duration_s,
			.requests = f.requests, .rate = f.rate, .timeout_s = f.timeout_s,
			.latency_log = log, .progress = g_tty ? progress : NULL, .progress_s = 1.0,
		};
		struct bench_result r;
		rc = bench_run(b, &o, &r);
		progress_done();
		if (rc) {
			diag_error(&d, "load test failed: %s", hr_strerror(rc));
			status = 1;
		} else {
			if (f.format == FORMAT_JSON) {
				json_t *j = result_json(&f, &r);
				json_dumpf(j, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(9));
				putchar('\n');
				json_decref(j);
			} else {
				print_result(&f, &r);
			}
			if (r.requests == 0 && bench_result_errors(&r) > 0) {
				diag_error(&d, "no request succeeded (%llu failed); is %s up?",
					   (unsigned long long)bench_result_errors(&r), f.url);
				status = 1;
			}
			bench_result_free(&r);
		}
	}
	g_bench = NULL;
	if (log && fclose(log) != 0) {
		diag_error(&d, "writing --latency-log '%s' failed", f.latency_log);
		status = 1;
	}
	bench_free(b);
	free(f.body);
	return status;
}

const struct hr_cmd cmd_bench = {NAME, "load-test an HTTP service; find its knee at an SLO", run_bench};
