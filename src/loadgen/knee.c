/* knee.c - see knee.h. */
#include "loadgen/knee.h"

#include <math.h>
#include <string.h>

#include "loadgen/hist.h"

const char *knee_stop_name(enum knee_stop s)
{
	switch (s) {
	case KNEE_STOP_SLO: return "slo";
	case KNEE_STOP_FLAT: return "flat";
	case KNEE_STOP_FELL: return "fell";
	default: return "connections";
	}
}

/* Thresholds (knee.h): achieved/target, failed share, growth per doubling,
 * bisection stop (relative width). */
#define MIN_ACHIEVED 0.98
#define MAX_ERRORS 0.01
#define MIN_GROWTH 1.05
/* A fall: throughput at least 10 % under the best step. Smaller drops are
 * within the step-to-step spread of a shared machine (docs/bench.md, "Cost
 * per response": 10-20 % run to run) and are taken as flat. */
#define MAX_FALL 0.90
#define RESOLUTION 0.03
#define MAX_OPEN_STEPS 10

static int step(struct bench *b, const struct knee_opts *o, struct knee_result *out, bool open,
		unsigned conc, double rate, struct knee_step **res)
{
	if (out->n >= KNEE_MAX_STEPS)
		return HR_E_RANGE;
	struct bench_run_opts ro = {
		.threads = o->threads < conc ? o->threads : conc,
		.connections = conc,
		.duration_s = o->step_s,
		.rate = open ? rate : 0,
		.timeout_s = o->timeout_s,
		.warmup_s = o->step_s * 0.2,
		.accept = o->accept,
		.cpu_probe = o->cpu_probe,
		.cpu_probe_arg = o->cpu_probe_arg,
	};
	struct bench_result r;
	int rc = bench_run(b, &ro, &r);
	if (rc)
		return rc;
	struct knee_step *s = &out->steps[out->n++];
	memset(s, 0, sizeof(*s));
	s->open = open;
	s->concurrency = conc;
	s->rate = open ? rate : 0;
	s->rps = r.duration_s > 0 ? (double)r.requests / r.duration_s : 0;
	s->pct_s = (double)hist_percentile(r.latency, o->slo_pct) / 1e6;
	s->p95_s = (double)hist_percentile(r.latency, 95) / 1e6;
	s->mean_s = hist_mean(r.latency) / 1e6;
	s->cv = s->mean_s > 0 ? hist_stddev(r.latency) / 1e6 / s->mean_s : 0;
	s->requests = r.requests;
	s->cpu_s = r.probe_cpu_s;
	s->self_cpu_s = r.self_window_cpu_s;
	/* A response outside the accepted statuses (a 404, a 500) is no
	 * success: a knee found on error pages would be a knee of the error page. */
	uint64_t e = bench_result_errors(&r) + r.rejected;
	uint64_t all = bench_result_errors(&r) + r.requests;
	s->error_ratio = all ? (double)e / (double)all : 1.0;
	s->fail = KNEE_OK;
	s->why = "";
	if (r.requests == 0) {
		s->fail = KNEE_NO_RESPONSES;
		s->why = "no responses";
	} else if (s->error_ratio > MAX_ERRORS) {
		s->fail = KNEE_ERRORS;
		s->why = "errors above 1%";
	} else if (s->pct_s > o->slo_s) {
		s->fail = KNEE_SLOW;
		s->why = "latency above the SLO";
	} else if (open && s->rps < MIN_ACHIEVED * rate) {
		s->fail = KNEE_BEHIND;
		s->why = "fell behind the rate";
	}
	s->ok = s->fail == KNEE_OK;
	if (isfinite(s->cpu_s)) {
		out->cpu_s += s->cpu_s;
		out->self_cpu_s += s->self_cpu_s;
		out->cpu_requests += s->requests;
	}
	bool stopped = r.interrupted;
	bench_result_free(&r);
	if (o->on_step)
		o->on_step(o->arg, s);
	*res = s;
	return stopped ? HR_E_TIMEOUT : 0;
}

int knee_find(struct bench *b, const struct knee_opts *o, struct knee_result *out)
{
	memset(out, 0, sizeof(*out));
	if (!(o->slo_pct > 0 && o->slo_pct < 100) || !(o->slo_s > 0) || o->max_connections < 1 ||
	    o->threads < 1 || !(o->step_s > 0))
		return HR_E_INVALID;

	/* 1. Closed ladder. */
	double best = 0;
	unsigned closed = 0;
	for (unsigned n = 1;; n = n * 2 > o->max_connections ? o->max_connections : n * 2) {
		struct knee_step *s;
		int rc = step(b, o, out, false, n, 0, &s);
		if (rc)
			return rc;
		closed++;
		if (n == 1) {
			out->service_s = s->mean_s;
			out->service_cv = s->cv;
		}
		bool grew = s->rps >= best * MIN_GROWTH;
		bool fell = s->rps < best * MAX_FALL;
		out->before_rps = best;
		out->before_concurrency = out->peak_concurrency;
		if (s->ok && s->rps > best) {
			best = s->rps;
			out->peak_concurrency = n;
		}
		out->stop_step = s;
		if (!s->ok) {
			out->stop = KNEE_STOP_SLO;
			break;
		}
		if (!grew && closed >= KNEE_MIN_CLOSED) {
			/* More connections only queue at the server once its own
			 * concurrency is used; a fall means contention past its peak. */
			out->stop = fell ? KNEE_STOP_FELL : KNEE_STOP_FLAT;
			break;
		}
		if (n >= o->max_connections) {
			out->stop = KNEE_STOP_CONNECTIONS;
			break;
		}
	}
	out->peak_rps = best;
	if (best <= 0)
		return 0; /* not even one request within the SLO */

	/* 2. Open-loop bisection on the rate. */
	double lo = 0, hi = 0, r = best;
	for (int i = 0; i < MAX_OPEN_STEPS; i++) {
		struct knee_step *s;
		int rc = step(b, o, out, true, o->max_connections, r, &s);
		if (rc)
			return rc;
		if (s->ok) {
			lo = r;
			if (hi == 0) {
				/* The closed ladder may have been capped by connections. */
				if (r >= best * 1.5)
					break;
				r *= 1.25;
				continue;
			}
		} else {
			hi = r;
		}
		if (hi > 0 && hi - lo <= RESOLUTION * hi)
			break;
		r = hi > 0 ? (lo > 0 ? (lo + hi) / 2 : hi * 0.7) : r;
	}
	out->max_rps = lo;
	return 0;
}
