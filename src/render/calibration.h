/* calibration.h - the file `headroom bench --calibrate` writes.
 *
 * The file is YAML, read back by the config loader through `calibration:
 * FILE` in a headroom config (docs/bench.md, "Calibration file"):
 *
 *   calibration:
 *     service_time: 1.096ms  # mean latency at concurrency 1 (a request alone)
 *     service_cv: 0.31       # its coefficient of variation (stddev / mean)
 *     cpu_per_request: 0.2ms # CPU per request (cores x utilisation / throughput)
 *     cpu_source: "process"  # how: process, machine or knee (informational)
 *     concurrency: 9.2       # requests in service at the knee: max_rps x service_time
 *     max_rps: 8400          # highest rate within the SLO
 *     cores: 2               # vCPUs of the machine measured
 *     sigma: 0.0213          # USL contention (only when the USL was fitted)
 *     kappa: 0.000105        # USL coherency
 *     gamma: 912.4           # req/s at concurrency 1
 *     ladder_stop: "..."     # why the closed ladder stopped (informational)
 *     url: "http://127.0.0.1:8080/"
 *     measured_at: "2026-11-22T10:00:00Z"
 *     slo: "p95=500ms"
 *     points:
 *       - {concurrency: 1, throughput: 912.4, p95: 1.3ms}
 *
 * Numbers are plain; durations carry a unit (units_parse_duration reads them). */
#ifndef HR_RENDER_CALIBRATION_H
#define HR_RENDER_CALIBRATION_H

#include <stddef.h>
#include <time.h>

#include "model/model.h"
#include "util/strbuf.h"
#include "util/error.h"

/** One measured point of the concurrency ladder. */
struct calibration_point {
	double concurrency;
	double throughput; /**< responses/s */
	double p95_s;      /**< latency at the SLO percentile */
};

/** Informational fields written beside the model's numbers. */
struct calibration_info {
	const char *url;          /**< borrowed */
	const char *slo;          /**< borrowed, e.g. "p95=500ms" */
	time_t measured_at;
	const struct calibration_point *points; /**< borrowed */
	size_t n_points;
	bool usl_fitted;          /**< write sigma, kappa and gamma */
	const char *cpu_source;   /**< borrowed: "process", "machine" or "knee" */
	const char *ladder_stop;  /**< borrowed: why the closed ladder stopped */
};

/**
 * The calibration file's YAML (libyaml's emitter, so strings such as the URL
 * are quoted right whatever they hold).
 * @param c service_s, service_cv, cpu_s (0: not written), concurrency,
 *        max_rps, cores, and sigma, kappa, gamma when info->usl_fitted.
 * @param info url, slo, time and points.
 * @return 0, or HR_E_TOO_LARGE past out's cap.
 */
HR_NODISCARD int calibration_render(const struct calibration *c, const struct calibration_info *info,
				    struct strbuf *out);

#endif
