/* queue.h - M/M/c queues: Erlang C, waiting and response-time percentiles;
 * M/G/c by the Allen-Cunneen approximation.
 *
 * Notation as in PDQ's ErlangR (DrQz/pdq-qnm-pkg, lib/PDQ_MServer.c): lambda
 * arrival rate, S mean service time, c servers, A = lambda*S offered load,
 * rho = A/c.
 * Erlang C is computed from the Erlang B recursion B(k) = A B(k-1)/(k + A B(k-1))
 * (no factorials, no powers), then C = B / (1 - rho + rho B). Pure: no I/O.
 *
 * The _g functions take the service time's coefficient of variation cv
 * (standard deviation / mean: 0 constant, 1 exponential, > 1 more variable)
 * and approximate M/G/c; with cv = 1 they are the M/M/c functions, bit for
 * bit. docs/queue.md gives every formula with its source. */
#ifndef HR_QUEUE_H
#define HR_QUEUE_H

#include <stdbool.h>

#include "util/error.h"

/** The solved queue. Times in seconds. */
struct queue_result {
	double utilization;  /**< rho = lambda S / c (may be >= 1) */
	bool stable;         /**< rho < 1 */
	double p_wait;       /**< Erlang C: probability an arrival waits (1 when unstable) */
	double mean_wait_s;  /**< Wq (INFINITY when unstable) */
	double mean_response_s; /**< R = S + Wq */
	double p50_s, p95_s, p99_s; /**< response-time percentiles (INFINITY when unstable) */
	unsigned servers;
	double service_cv;   /**< the service time's coefficient of variation solved for (1 = M/M/c) */
};

/** The largest service-time coefficient of variation the _g functions take:
 *  past it a two-moment fit says little about a percentile. */
#define QUEUE_MAX_CV 10.0

/**
 * Erlang B (loss) probability for c servers at offered load a (Erlangs),
 * by the recursion above; exact to rounding for any c (no overflow).
 * @return B in [0, 1] (1 when c is 0, 0 when a is 0 and c > 0); NAN when a
 *         is negative or not finite.
 */
double queue_erlang_b(unsigned c, double a);

/**
 * Erlang C probability of waiting for c servers at offered load a (Erlangs).
 * @return C in [0, 1]; 1 when a >= c; NAN when a is negative or not finite.
 */
double queue_erlang_c(unsigned c, double a);

/**
 * Solve an M/M/c queue.
 * @param lambda arrivals per second (>= 0).
 * @param service_s mean service time (> 0).
 * @param c servers (>= 1).
 * @return 0, or HR_E_INVALID for out-of-domain arguments.
 */
HR_NODISCARD int queue_solve(double lambda, double service_s, unsigned c, struct queue_result *out);

/**
 * P(T > t): the probability that the FCFS response time (wait + service)
 * of a stable M/M/c queue exceeds t seconds.
 * @return a probability in [0, 1]; 1 when unstable; NAN for bad arguments.
 */
double queue_response_tail(double lambda, double service_s, unsigned c, double t);

/**
 * The p-quantile of the FCFS response time (wait + service) of a stable
 * M/M/c queue, found by bisection on P(T > t) (no closed-form inverse).
 * @param p in [0, 1).
 * @return seconds; INFINITY when unstable; NAN for bad arguments.
 */
double queue_response_quantile(double lambda, double service_s, unsigned c, double p);

/**
 * The fewest servers whose response-time p-quantile is at most target_s.
 * @param max_c give up past this many servers.
 * @return 0 and *c set; HR_E_INFEASIBLE when even infinite servers cannot
 *         (target below the service-time quantile) or max_c is not enough;
 *         HR_E_INVALID for out-of-domain arguments.
 */
HR_NODISCARD int queue_servers_for(double lambda, double service_s, double p, double target_s,
				   unsigned max_c, unsigned *c);

/**
 * Solve an M/G/c queue approximately (Allen-Cunneen): Poisson arrivals,
 * service times of mean S and coefficient of variation cv, c servers, FCFS.
 * P(wait) is the Erlang C of M/M/c; the mean wait is the M/M/c one times
 * (1 + cv^2) / 2; the conditional wait is taken as exponential with that
 * mean, and the service time as S (1 - cv) + Exp(mean S cv) for cv <= 1 or
 * a two-phase hyperexponential with balanced means for cv > 1, so the
 * percentiles have closed-form tails (docs/queue.md, "M/G/c").
 * With cv = 1 this is queue_solve() exactly.
 * @param cv in [0, QUEUE_MAX_CV].
 * @return 0, or HR_E_INVALID for out-of-domain arguments.
 */
HR_NODISCARD int queue_solve_g(double lambda, double service_s, double cv, unsigned c,
			       struct queue_result *out);

/**
 * P(T > t) of the M/G/c approximation of queue_solve_g().
 * @return a probability in [0, 1]; 1 when unstable; NAN for bad arguments.
 */
double queue_response_tail_g(double lambda, double service_s, double cv, unsigned c, double t);

/**
 * The p-quantile of the response time of the M/G/c approximation, by
 * bisection on queue_response_tail_g().
 * @return seconds; INFINITY when unstable; NAN for bad arguments.
 */
double queue_response_quantile_g(double lambda, double service_s, double cv, unsigned c, double p);

/**
 * The mean wait in queue of the M/G/c approximation (Allen-Cunneen), without
 * the percentile search: cheap enough for an inner loop.
 * @return seconds; INFINITY when unstable; NAN for bad arguments.
 */
double queue_mean_wait_g(double lambda, double service_s, double cv, unsigned c);

/**
 * The p-quantile of the service time alone (no waiting: unlimited servers)
 * under the distribution the _g functions assume for mean S and cv.
 * @return seconds; NAN for bad arguments.
 */
double queue_service_quantile(double service_s, double cv, double p);

/**
 * queue_servers_for() for the M/G/c approximation.
 * @return as queue_servers_for(); the floor below which no c can meet the
 *         target is queue_service_quantile().
 */
HR_NODISCARD int queue_servers_for_g(double lambda, double service_s, double cv, double p,
				     double target_s, unsigned max_c, unsigned *c);

#endif
