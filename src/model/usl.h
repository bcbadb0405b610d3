/* usl.h - the Universal Scalability Law (Gunther): fit and inverses.
 *
 *   X(N) = gamma N / (1 + sigma (N - 1) + kappa N (N - 1))
 *
 * N is concurrency (requests in flight), X throughput (requests/s), sigma the
 * contention (serial fraction), kappa the coherency (crosstalk) penalty,
 * gamma the throughput at N = 1. Latency by Little's law is R(N) = N / X(N).
 * Formulas as in N. J. Gunther, "Guerrilla Capacity Planning" (2007) and the
 * R package usl (smoeding/usl, R/usl.R): peak at N* = sqrt((1 - sigma)/kappa),
 * Amdahl ceiling gamma/sigma.
 *
 * The fit is bounded nonlinear least squares on X(N) (Levenberg-Marquardt
 * with an active set for the bounds 0 <= sigma, kappa <= 1, gamma > 0), as
 * the R package does with nlxb/port; an unbounded fit can return a negative
 * kappa that makes the inverses meaningless.
 *
 * Two inverses in the Java port usl4j are wrong and are not copied here:
 * its latencyAtThroughput is the kappa = 0 (Amdahl) formula, and its
 * throughputAtLatency has the sign of (kappa - sigma) reversed; both agree
 * with the formulas below only when kappa = 0 or sigma = kappa. Its
 * concurrencyAtThroughput, built on the first, inherits the error (on the
 * Cisco fit it puts 11048/s at N = 15.4, where X(15.4) is about 9700/s).
 *
 * Pure computation: no I/O, no globals. */
#ifndef HR_USL_H
#define HR_USL_H

#include <stddef.h>

#include "util/error.h"

/** USL parameters. */
struct usl_model {
	double sigma; /**< contention, 0..1 */
	double kappa; /**< coherency, 0..1 */
	double gamma; /**< throughput at concurrency 1, per second */
};

/** One measurement: throughput observed at a concurrency. */
struct usl_point {
	double n; /**< concurrency, > 0 */
	double x; /**< throughput, per second, >= 0 */
};

/** Quality of a fit. */
struct usl_fit_info {
	double rss;         /**< residual sum of squares */
	double residual_se; /**< sqrt(rss / (points - 3)); 0 with exactly 3 points */
	int iterations;     /**< Levenberg-Marquardt iterations of the best start */
};

/** Fewest points usl_fit() accepts: one per parameter. */
#define USL_MIN_POINTS 3

/**
 * Fit the USL to measurements by bounded least squares.
 * @param pts, n the measurements (borrowed), at least USL_MIN_POINTS with at
 *        least 3 distinct concurrencies.
 * @param out the fitted parameters.
 * @param info filled when not NULL.
 * @return 0; HR_E_INVALID for too few or out-of-domain points (n <= 0, x < 0,
 *         non-finite, all throughputs 0); HR_E_INFEASIBLE when no start converges.
 */
HR_NODISCARD int usl_fit(const struct usl_point *pts, size_t n, struct usl_model *out,
			 struct usl_fit_info *info);

/** Throughput X(N) at concurrency @p n. */
double usl_throughput(const struct usl_model *m, double n);

/** Latency R(N) = N / X(N), in seconds. */
double usl_latency(const struct usl_model *m, double n);

/**
 * Concurrency of peak throughput, sqrt((1 - sigma)/kappa), and at least 1 (a
 * saturated server fits sigma = 1, where the formula gives 0); INFINITY when
 * kappa = 0.
 */
double usl_peak_concurrency(const struct usl_model *m);

/** Highest throughput: X at the peak, or gamma/sigma when kappa = 0 (INFINITY when both are 0). */
double usl_max_throughput(const struct usl_model *m);

/**
 * Concurrency at which latency reaches @p r (seconds): the positive root of
 * kappa N^2 + (sigma - kappa) N + (1 - sigma - gamma r) = 0.
 * @return 0; HR_E_RANGE when r is below the latency at N = 1 (1/gamma) or
 *         when no concurrency reaches it (kappa = sigma = 0).
 */
HR_NODISCARD int usl_concurrency_at_latency(const struct usl_model *m, double r, double *n);

/** Throughput at latency @p r: N(r) / r. Errors as usl_concurrency_at_latency(). */
HR_NODISCARD int usl_throughput_at_latency(const struct usl_model *m, double r, double *x);

/**
 * Latency on the rising branch at throughput @p x: the smaller root N of
 * x kappa N^2 + (x sigma - x kappa - gamma) N + x (1 - sigma) = 0, then N/x.
 * @return 0; HR_E_RANGE when x <= 0 or x is above usl_max_throughput().
 */
HR_NODISCARD int usl_latency_at_throughput(const struct usl_model *m, double x, double *r);

/**
 * Concurrency on the rising branch at throughput @p x (see
 * usl_latency_at_throughput()); HR_E_RANGE also when sigma = 1, which has no
 * rising branch.
 */
HR_NODISCARD int usl_concurrency_at_throughput(const struct usl_model *m, double x, double *n);

#endif
