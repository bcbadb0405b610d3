/* loadtest.h - the flows of `headroom bench`: one run, or the knee search
 * with what follows from it (the USL fit, the CPU per request, the server's
 * concurrency at the knee, the calibration), as report structs the
 * renderer prints (render/bench) and the calibration file takes
 * (render/calibration).
 *
 * What is measured comes from the load generator (loadgen/engine, loadgen/knee,
 * loadgen/cpu); what is inferred from it is decided here:
 *   - CPU per request by the utilisation law, D = busy CPU / completions
 *     (Denning & Buzen, "The Operational Analysis of Queueing Network
 *     Models", Computing Surveys 10(3), 1978): from the server's processes
 *     (--server-pid), else this machine's busy time less the load
 *     generator's for a loopback target, else cores / max_rps (an upper
 *     bound: as if the CPU saturated at the knee);
 *   - requests in service at the knee by Little's law, max_rps x service time;
 *   - whether a run measured what was asked (an accepted status at all; an
 *     open loop within RATE_MARGIN of its --rate). */
#ifndef HR_PIPELINE_LOADTEST_H
#define HR_PIPELINE_LOADTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "loadgen/cpu.h"
#include "loadgen/engine.h"
#include "loadgen/knee.h"
#include "render/bench.h"
#include "render/calibration.h"
#include "util/diag.h"

/** An open loop that completes less than this share of its --rate has not
 * measured the rate asked for (docs/bench.md). Looser than the knee's 98 %
 * (loadgen/knee.c), whose steps drop their warm-up: a whole run includes the
 * ramp and the requests still in flight at the end. */
#define LOADTEST_RATE_MARGIN 0.95

/** A run's figures for the renderer; borrows r's error names. */
void loadtest_run_report(const struct bench_result *r, const char *url, struct bench_run_report *out);

/**
 * Did the run measure what was asked? Nothing answered with an accepted
 * status (@p accept_text says which), or an open loop below
 * LOADTEST_RATE_MARGIN of its rate: one line each to d.
 * @return 0, or 1 when it did not.
 */
int loadtest_verdict(const struct bench_result *r, const char *url, const char *accept_text, struct diag *d);

/**
 * vCPUs of the machine measured: @p cores_flag when given, else what the
 * server's first process may run on (its CPU affinity), else this machine's
 * online CPUs for a loopback target or a measured process; 0 when the target
 * is elsewhere and no --cores was given.
 */
double loadtest_cores(double cores_flag, const pid_t *pids, size_t n_pids, const struct bench *b);

/** A knee search's settings. */
struct loadtest_knee_opts {
	const char *url, *slo_text, *accept_text;
	double slo_pct, slo_s;
	unsigned connections, threads;
	double step_s, timeout_s;
	const struct bench_status_set *accept;
	const pid_t *server_pids;    /**< --server-pid, n_pids of them */
	size_t n_pids;
	double cores;                /**< --cores; 0 = not given */
	/** Called as each step ends (may be NULL). */
	void (*on_step)(void *arg, const struct bench_step_report *s);
	void *arg;
};

/** What a knee search found. Self-contained: report's pointers point inside. */
struct loadtest_knee {
	struct bench_knee_report report;
	struct bench_step_report steps[KNEE_MAX_STEPS];
	struct calibration cal;                    /**< the calibration, when one can be written */
	struct calibration_info info;
	struct calibration_point points[KNEE_MAX_STEPS];
	char ladder[512];                          /**< why the closed ladder stopped */
	bool answered;                             /**< some step had an accepted response */
	bool calibratable;                         /**< a rate met the SLO and the service time is known */
};

/**
 * Run the search and infer what follows.
 * @return 0; EXIT-worthy errors: HR_E_INVALID for a --server-pid that is no
 *         process (reported to d); errors of knee_find() (reported).
 */
HR_NODISCARD int loadtest_knee(const struct loadtest_knee_opts *o, struct bench *b, struct diag *d,
			       struct loadtest_knee *out);

#endif
