/* loadtest.c - the flows of `headroom bench`: a run's report and verdict,
 * the knee search and what is inferred from it (see loadtest.h). */
#include "pipeline/loadtest.h"

#include <math.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "loadgen/hist.h"
#include "model/usl.h"
#include "util/xalloc.h"

static void latency_of(const struct hist *h, struct bench_latency *l)
{
	l->mean_s = hist_mean(h) / 1e6;
	l->p50_s = (double)hist_percentile(h, 50) / 1e6;
	l->p90_s = (double)hist_percentile(h, 90) / 1e6;
	l->p95_s = (double)hist_percentile(h, 95) / 1e6;
	l->p99_s = (double)hist_percentile(h, 99) / 1e6;
	l->p999_s = (double)hist_percentile(h, 99.9) / 1e6;
	l->min_s = (double)hist_min(h) / 1e6;
	l->max_s = (double)hist_max(h) / 1e6;
}

void loadtest_run_report(const struct bench_result *r, const char *url, struct bench_run_report *out)
{
	memset(out, 0, sizeof(*out));
	out->url = url;
	out->interrupted = r->interrupted;
	out->duration_s = r->duration_s;
	out->threads = r->threads;
	out->connections = r->connections;
	out->rate = r->rate;
	out->scheduled = r->scheduled;
	out->requests = r->requests;
	out->bytes = r->bytes;
	out->bytes_sent = r->bytes_sent;
	out->connects = r->connects;
	out->unfinished = r->unfinished;
	out->non2xx = r->non2xx;
	out->rejected = r->rejected;
	out->error_names = bench_error_names;
	out->errors = r->errors;
	out->n_errors = BENCH_ERR_COUNT;
	memcpy(out->status_class, r->status_class, sizeof(out->status_class));
	latency_of(r->latency, &out->latency);
	if (r->latency_sent && r->send_lag) {
		out->open_detail = true;
		latency_of(r->latency_sent, &out->latency_sent);
		latency_of(r->send_lag, &out->send_lag);
	}
	out->cpu_user_s = r->cpu_user_s;
	out->cpu_sys_s = r->cpu_sys_s;
}

int loadtest_verdict(const struct bench_result *r, const char *url, const char *accept_text, struct diag *d)
{
	int status = 0;
	uint64_t ok = r->requests - r->rejected;
	if (ok == 0 && !r->interrupted) {
		if (r->requests)
			diag_error(d, "no response had a status in %s (%llu responses: %llu 2xx, %llu 3xx, %llu 4xx, %llu 5xx); "
				   "is the URL right? (--ok-status accepts others)",
				   accept_text, (unsigned long long)r->requests, (unsigned long long)r->status_class[2],
				   (unsigned long long)r->status_class[3], (unsigned long long)r->status_class[4],
				   (unsigned long long)r->status_class[5]);
		else
			diag_error(d, "no request succeeded (%llu failed); is %s up?",
				   (unsigned long long)bench_result_errors(r), url);
		status = 1;
	}
	double rps = r->duration_s > 0 ? (double)r->requests / r->duration_s : 0;
	if (r->rate > 0 && !r->interrupted && rps < LOADTEST_RATE_MARGIN * r->rate) {
		diag_error(d, "reached %.0f req/s, %.0f%% of --rate %.0f (at least %.0f%% needed): the target or this "
			   "client could not keep up; the latencies are for a lower rate",
			   rps, 100 * rps / r->rate, r->rate, 100 * LOADTEST_RATE_MARGIN);
		status = 1;
	}
	return status;
}

double loadtest_cores(double cores_flag, const pid_t *pids, size_t n_pids, const struct bench *b)
{
	if (cores_flag > 0)
		return cores_flag;
	if (n_pids > 0) {
		cpu_set_t set;
		CPU_ZERO(&set);
		if (sched_getaffinity(pids[0], sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
			return CPU_COUNT(&set);
	}
	if (n_pids > 0 || bench_is_loopback(b)) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		return n > 0 ? (double)n : 1;
	}
	return 0;
}

/* How the CPU per request is known (docs/bench.md, "CPU per request"). */
enum cpu_mode { CPU_PROCESS, CPU_MACHINE, CPU_KNEE };
static const char *const cpu_mode_names[] = {"process", "machine", "knee"};

static void step_of(const struct knee_step *s, struct bench_step_report *out)
{
	*out = (struct bench_step_report){
		.open = s->open, .concurrency = s->concurrency, .rate = s->rate, .rps = s->rps, .pct_s = s->pct_s,
		.p95_s = s->p95_s, .mean_s = s->mean_s, .cv = s->cv, .error_ratio = s->error_ratio, .ok = s->ok,
		.why = s->why,
	};
}

struct step_relay {
	const struct loadtest_knee_opts *o;
};

static void relay_step(void *arg, const struct knee_step *s)
{
	const struct step_relay *r = arg;
	if (!r->o->on_step)
		return;
	struct bench_step_report sr;
	step_of(s, &sr);
	r->o->on_step(r->o->arg, &sr);
}

static enum bench_ladder_stop ladder_of(enum knee_stop s)
{
	switch (s) {
	case KNEE_STOP_SLO: return LADDER_SLO;
	case KNEE_STOP_FLAT: return LADDER_FLAT;
	case KNEE_STOP_FELL: return LADDER_FELL;
	case KNEE_STOP_CONNECTIONS: break;
	}
	return LADDER_CONNECTIONS;
}

int loadtest_knee(const struct loadtest_knee_opts *o, struct bench *b, struct diag *d, struct loadtest_knee *out)
{
	memset(out, 0, sizeof(*out));
	double cores = loadtest_cores(o->cores, o->server_pids, o->n_pids, b);
	enum cpu_mode mode = o->n_pids > 0 ? CPU_PROCESS : bench_is_loopback(b) ? CPU_MACHINE : CPU_KNEE;
	struct cpu_probe probe = {.root = "/"};
	memcpy(probe.pids, o->server_pids, o->n_pids * sizeof(pid_t));
	probe.n_pids = o->n_pids;
	for (size_t i = 0; mode == CPU_PROCESS && i < o->n_pids; i++) {
		double x;
		struct cpu_probe one = {.root = "/", .pids = {o->server_pids[i]}, .n_pids = 1};
		if (cpu_probe_read(&one, &x) != 0) {
			diag_error(d, "--server-pid %ld: no such process to measure (/proc/%ld/stat)",
				   (long)o->server_pids[i], (long)o->server_pids[i]);
			return HR_E_INVALID;
		}
	}
	struct step_relay relay = {o};
	struct knee_opts ko = {
		.slo_pct = o->slo_pct, .slo_s = o->slo_s, .max_connections = o->connections, .threads = o->threads,
		.step_s = o->step_s, .timeout_s = o->timeout_s, .accept = o->accept,
		.cpu_probe = mode == CPU_KNEE ? NULL : cpu_probe_read, .cpu_probe_arg = &probe,
		.on_step = relay_step, .arg = &relay,
	};
	struct knee_result *kr = xcalloc(1, sizeof(*kr));
	int rc = knee_find(b, &ko, kr);
	if (rc && rc != HR_E_TIMEOUT) {
		diag_error(d, "load test failed: %s", hr_strerror(rc));
		goto out;
	}
	rc = 0;
	/* The USL fit on the closed ladder. */
	struct usl_point pts[KNEE_MAX_STEPS];
	size_t np = 0;
	for (size_t i = 0; i < kr->n; i++) {
		step_of(&kr->steps[i], &out->steps[i]);
		out->answered = out->answered || (kr->steps[i].rps > 0 && kr->steps[i].error_ratio < 1);
		if (kr->steps[i].open || kr->steps[i].rps <= 0)
			continue;
		pts[np] = (struct usl_point){kr->steps[i].concurrency, kr->steps[i].rps};
		out->points[np] = (struct calibration_point){kr->steps[i].concurrency, kr->steps[i].rps,
							     kr->steps[i].p95_s};
		np++;
	}
	struct usl_model m = {0};
	struct usl_fit_info fi = {0};
	bool fitted = np >= USL_MIN_POINTS && usl_fit(pts, np, &m, &fi) == 0;

	/* CPU per request by the utilisation law over every step that read the
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
	double conc = kr->max_rps * kr->service_s; /* Little's law at the knee */

	struct bench_knee_report *k = &out->report;
	*k = (struct bench_knee_report){
		.url = o->url, .slo_text = o->slo_text, .slo_pct = o->slo_pct, .slo_s = o->slo_s,
		.max_rps = kr->max_rps, .peak_rps = kr->peak_rps, .service_s = kr->service_s,
		.service_cv = kr->service_cv, .concurrency = conc, .cores = cores, .cpu_s = cpu,
		.cpu_source = cpu_mode_names[mode], .n_pids = o->n_pids, .stop = ladder_of(kr->stop),
		.stop_name = knee_stop_name(kr->stop), .has_stop_step = kr->stop_step != NULL,
		.stop_concurrency = kr->stop_step ? kr->stop_step->concurrency : 0,
		.stop_rps = kr->stop_step ? kr->stop_step->rps : 0, .before_rps = kr->before_rps,
		.before_concurrency = kr->before_concurrency, .stop_why = kr->stop_step ? kr->stop_step->why : NULL,
		.steps = out->steps, .n_steps = kr->n, .fitted = fitted, .sigma = m.sigma, .kappa = m.kappa,
		.gamma = m.gamma, .peak_concurrency = fitted ? usl_peak_concurrency(&m) : NAN,
		.max_throughput = fitted ? usl_max_throughput(&m) : NAN, .residual_se = fi.residual_se,
		.usl_points = np, .usl_min_points = USL_MIN_POINTS,
	};
	struct strbuf ladder;
	strbuf_init(&ladder, sizeof(out->ladder) - 1);
	if (bench_render_ladder(k, &ladder) != 0) {
		/* Cut at the buffer: the sentence is informational. */
	}
	memcpy(out->ladder, strbuf_str(&ladder), ladder.len + 1);
	strbuf_free(&ladder);

	out->calibratable = kr->max_rps > 0 && kr->service_s > 0;
	out->cal = (struct calibration){
		.present = true, .sigma = m.sigma, .kappa = m.kappa, .gamma = m.gamma, .service_s = kr->service_s,
		.service_cv = kr->service_cv, .has_service_cv = true, .cpu_s = isfinite(cpu) ? cpu : 0,
		.concurrency = conc, .max_rps = kr->max_rps, .cores = cores,
	};
	out->info = (struct calibration_info){
		.url = o->url, .slo = o->slo_text, .measured_at = time(NULL), .points = out->points, .n_points = np,
		.usl_fitted = fitted, .cpu_source = cpu_mode_names[mode], .ladder_stop = out->ladder,
	};
out:
	free(kr);
	return rc;
}
