/* bench/scaling_decide.c - figures for bench/scaling.sh (not a test): how many
 * decisions a second model/scaling makes, in the shapes a simulator replays:
 *   queue:    one external queue metric (KEDA's Redis list), no replica list;
 *   cpu:      CPU utilisation over 20 replicas plus a queue metric;
 *   history:  the queue case with a one-hour window full of recommendations;
 *   explain:  the queue case plus building the reason text every time.
 * Each case replays a day of 15 s syncs over a daily load curve, recording
 * the scale events as the loop does.
 * Usage: scaling_decide [SECONDS_PER_CASE] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model/scaling.h"

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct scaling_state st;
static struct scaling_replica reps[20];

static double run(const char *name, double budget_s, bool cpu, bool long_window, bool explain)
{
	struct scaling_spec spec;
	scaling_spec_defaults(&spec);
	spec.min_replicas = 1;
	spec.max_replicas = 20;
	if (long_window)
		spec.down.stabilization_s = spec.up.stabilization_s = 3600;
	struct scaling_metric m[2] = {
		{.name = "queue", .kind = SCALING_EXTERNAL, .target_type = SCALING_AVERAGE_VALUE, .target = 50,
		 .at_s = NAN},
		{.name = "cpu", .kind = SCALING_RESOURCE, .target_type = SCALING_UTILIZATION, .target = 70, .cpu = true,
		 .at_s = NAN},
	};
	for (int i = 0; i < 20; i++) {
		reps[i].state = SCALING_READY;
		for (int s = 0; s < SCALING_MAX_SLOTS; s++)
			reps[i].usage[s] = reps[i].requests[s] = NAN;
		reps[i].requests[0] = 1000;
	}
	scaling_state_init(&st);
	struct scaling_decision d;
	char why[512];
	unsigned long long n = 0, changes = 0;
	int cur = 1;
	double t = 0, t0 = mono(), el = 0;
	volatile size_t sink = 0;
	do {
		for (int k = 0; k < 5760; k++, n++) { // a day of 15 s syncs
			double load = 300 + 250 * sin(2 * M_PI * t / 86400) + 40 * sin(t / 900);
			m[0].value = load;
			for (int i = 0; i < 20; i++)
				reps[i].usage[0] = i < cur ? 700 * load / (50.0 * cur) : NAN;
			struct scaling_input in = {.now_s = t, .current_replicas = cur, .metrics = m,
						   .n_metrics = cpu ? 2 : 1, .replicas = reps,
						   .n_replicas = cpu ? (unsigned)cur : 0};
			if (scaling_decide(&spec, &in, &st, &d) != 0)
				abort();
			if (explain)
				sink += strlen(scaling_explain(&spec, &in, &d, why, sizeof(why)));
			if (d.desired != cur) {
				scaling_record_scale(&st, &spec, t, cur, d.desired);
				cur = d.desired;
				changes++;
			}
			t += 15;
		}
		el = mono() - t0;
	} while (el < budget_s);
	(void)sink;
	double rate = (double)n / el;
	printf("scaling %-8s %12llu decisions in %5.2f s: %12.0f decisions/s (%.0f ns each), %llu scale events\n", name,
	       n, el, rate, 1e9 / rate, changes);
	return rate;
}

int main(int argc, char **argv)
{
	double budget = argc > 1 ? strtod(argv[1], NULL) : 2;
	if (!(budget > 0))
		budget = 2;
	run("queue", budget, false, false, false);
	run("cpu", budget, true, false, false);
	run("history", budget, false, true, false);
	run("explain", budget, false, false, true);
	return 0;
}
