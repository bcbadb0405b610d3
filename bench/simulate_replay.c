/* bench_simulate: steps per second of model/simulate's replay, one policy at
 * a time on one core. The trace is replayed as often as it takes to run for
 * the given seconds; a "step" is one tick of the replay (the queueing step:
 * demand, ready replicas, backlog, p95, the SLO count), with a policy's
 * decision every sync on top for the autoscalers.
 *
 *   bench_simulate TRACE.csv SECONDS */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "config/trace.h"
#include "model/simulate.h"
#include "util/clock.h"
#include "util/diag.h"

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: bench_simulate TRACE.csv SECONDS\n");
		return 2;
	}
	struct diag d;
	diag_init_file(&d, stderr, "bench_simulate");
	struct trace tr;
	if (trace_load(argv[1], &d, &tr) != 0)
		return 1;
	double secs = atof(argv[2]);
	// A CPU-bound service: 50 ms, 8 slots per replica; the demand as recorded.
	struct sim_service svc = {.service_s = 0.05, .concurrency = 8, .cv = 1};
	struct sim_params p = {.bucket_s = tr.bucket_s, .scale = 1, .slo_p95_s = 0.5, .startup_s = 30,
			       .sync_s = 15, .metric_lag_s = 15, .season_s = 86400, .price_hour = 0.0104};
	double peak = 0;
	for (size_t i = 0; i < tr.n; i++)
		peak = fmax(peak, tr.requests[i] / tr.bucket_s);
	int peak_n = sim_replicas_for(&svc, peak, p.slo_p95_s, 100000);
	static const enum sim_policy_kind kinds[] = {SIM_STATIC, SIM_HPA, SIM_KEDA, SIM_PREDICTIVE};
	printf("%-11s %12s %10s %14s\n", "policy", "steps", "seconds", "steps/s");
	for (size_t k = 0; k < 4; k++) {
		struct sim_policy pol;
		sim_policy_defaults(&pol, kinds[k], &svc, 2 * peak_n);
		pol.replicas = peak_n;
		void *work = calloc(1, sim_workspace_size(&p, &pol, tr.n));
		struct sim_result r;
		double t0 = clock_mono(), t;
		size_t steps = 0, runs = 0;
		do {
			if (sim_run(tr.requests, tr.n, &svc, &p, &pol, work, &r, NULL) != 0)
				return 1;
			steps += r.ticks;
			runs++;
			t = clock_mono() - t0;
		} while (t < secs);
		printf("%-11s %12zu %10.2f %14.3g   (%zu replays; %.1f replica-hours, %.1f min over the SLO)\n",
		       sim_policy_name(kinds[k]), steps, t, steps / t, runs, r.replica_hours, r.slo_violation_minutes);
		free(work);
	}
	trace_free(&tr);
	return 0;
}
