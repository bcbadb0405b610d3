/* queue.c - M/M/c by the Erlang B recursion; response-time tail and quantiles.
 *
 * Design note. Everything derives from three numbers of a stable queue:
 * C (Erlang C), mu = 1/S and theta = c mu - lambda. The FCFS waiting time is
 * 0 with probability 1 - C and Exp(theta) with probability C; the response
 * time adds an independent Exp(mu) service (research notes, "Queueing
 * models"; Kleinrock, Queueing Systems vol. 1, 1975, section 3.5; Gross and
 * Harris, Fundamentals of Queueing Theory, 4th ed., section 2.3). So
 *
 *   P(T > t) = (1 - C) e^{-mu t} + C * H(t; mu, theta)
 *
 * where H is the tail of the sum of Exp(mu) and Exp(theta) (hypoexponential):
 *
 *   H(t) = (theta e^{-mu t} - mu e^{-theta t}) / (theta - mu)        theta != mu
 *        = e^{-mu t} (1 + mu t)                 (Erlang-2)           theta == mu
 *
 * The first form cancels catastrophically as theta -> mu, so H is evaluated
 * as e^{-lo t} (1 + lo t g((hi - lo) t)) with lo = min(mu, theta),
 * hi = max(mu, theta) and g(x) = (1 - e^{-x}) / x = -expm1(-x) / x, g(0) = 1:
 * algebraically the same, exact at theta == mu, and smooth near it. */
#include "model/queue.h"

#include <math.h>

/* Bisection stops when the bracket is this small relative to its top. The
 * quantile is then known to about 1e-13 relative, far below what any input
 * (a measured service time) can justify; 400 halvings bound the loop. */
#define QUANTILE_REL_TOL 1e-13
#define QUANTILE_MAX_ITER 400

/* A stable queue reduced to the three numbers its tail depends on. */
struct mmc {
	double c_wait; /* Erlang C */
	double mu;     /* service rate, 1/S */
	double theta;  /* rate of the conditional wait, c mu - lambda (> 0) */
};

double queue_erlang_b(unsigned c, double a)
{
	if (!(a >= 0) || !isfinite(a))
		return NAN;
	// B(0) = 1; B(k) = a B(k-1) / (k + a B(k-1)). Each step maps [0, 1] into
	// [0, 1] and damps earlier rounding, so it is stable for any c (Jagerman,
	// "Some properties of the Erlang loss function", BSTJ 53(3), 1974; the
	// same loop as PDQ's ErlangR in DrQz/pdq-qnm-pkg lib/PDQ_MServer.c).
	double b = 1.0;
	for (unsigned k = 1; k <= c; k++) {
		double ab = a * b;
		b = ab / ((double)k + ab);
	}
	return b;
}

double queue_erlang_c(unsigned c, double a)
{
	if (!(a >= 0) || !isfinite(a))
		return NAN;
	if (a >= (double)c)
		return 1.0;
	double b = queue_erlang_b(c, a);
	double rho = a / (double)c;
	// C = B / (1 - rho + rho B) (research notes, "Queueing models"); the
	// denominator is at least B, so C <= 1, and at least 1 - rho > 0.
	double cw = b / (1.0 - rho + rho * b);
	return cw > 1.0 ? 1.0 : cw;
}

static bool args_ok(double lambda, double service_s, unsigned c)
{
	return lambda >= 0 && isfinite(lambda) && service_s > 0 && isfinite(service_s) && c >= 1;
}

/* Fill *q for a stable queue; false when lambda S >= c. */
static bool mmc_init(double lambda, double service_s, unsigned c, struct mmc *q)
{
	double a = lambda * service_s;
	if (!(a < (double)c))
		return false;
	q->mu = 1.0 / service_s;
	q->theta = (double)c * q->mu - lambda;
	if (!(q->theta > 0))
		return false; // a < c but rounding left no headroom: treat as saturated
	q->c_wait = queue_erlang_c(c, a);
	return true;
}

/* (1 - e^{-x}) / x for x >= 0, with its limit 1 at 0. */
static double g_expm1(double x)
{
	return x > 0 ? -expm1(-x) / x : 1.0;
}

static double mmc_tail(const struct mmc *q, double t)
{
	if (t <= 0)
		return 1.0;
	double lo = fmin(q->mu, q->theta), hi = fmax(q->mu, q->theta);
	double h = exp(-lo * t) * (1.0 + lo * t * g_expm1((hi - lo) * t));
	double tail = (1.0 - q->c_wait) * exp(-q->mu * t) + q->c_wait * h;
	return tail > 1.0 ? 1.0 : tail;
}

static double mmc_quantile(const struct mmc *q, double p)
{
	if (p <= 0)
		return 0;
	double want = 1.0 - p; // find t with P(T > t) = 1 - p
	// Bracket: the tail is 1 at 0 and falls at least as fast as e^{-lo t},
	// so doubling from the mean service time reaches it in few steps.
	double lo = 0, hi = 1.0 / q->mu;
	for (int i = 0; i < 2000 && mmc_tail(q, hi) > want; i++) {
		lo = hi;
		hi *= 2;
	}
	for (int i = 0; i < QUANTILE_MAX_ITER && hi - lo > QUANTILE_REL_TOL * hi; i++) {
		double mid = lo + (hi - lo) / 2;
		if (mmc_tail(q, mid) > want)
			lo = mid;
		else
			hi = mid;
	}
	return hi;
}

int queue_solve(double lambda, double service_s, unsigned c, struct queue_result *out)
{
	if (!args_ok(lambda, service_s, c))
		return HR_E_INVALID;
	double a = lambda * service_s;
	*out = (struct queue_result){
		.utilization = a / (double)c,
		.servers = c,
	};
	struct mmc q;
	if (!mmc_init(lambda, service_s, c, &q)) {
		// Arrivals outpace service: the queue grows without bound, every
		// arrival eventually waits, and no mean or percentile exists.
		out->stable = false;
		out->p_wait = 1.0;
		out->mean_wait_s = out->mean_response_s = INFINITY;
		out->p50_s = out->p95_s = out->p99_s = INFINITY;
		return 0;
	}
	out->stable = true;
	out->p_wait = q.c_wait;
	// Wq = C / (c mu - lambda), R = S + Wq (research notes, "Queueing models").
	out->mean_wait_s = q.c_wait / q.theta;
	out->mean_response_s = service_s + out->mean_wait_s;
	out->p50_s = mmc_quantile(&q, 0.50);
	out->p95_s = mmc_quantile(&q, 0.95);
	out->p99_s = mmc_quantile(&q, 0.99);
	return 0;
}

double queue_response_tail(double lambda, double service_s, unsigned c, double t)
{
	if (!args_ok(lambda, service_s, c) || isnan(t))
		return NAN;
	struct mmc q;
	if (!mmc_init(lambda, service_s, c, &q))
		return 1.0;
	return mmc_tail(&q, t);
}

double queue_response_quantile(double lambda, double service_s, unsigned c, double p)
{
	if (!args_ok(lambda, service_s, c) || !(p >= 0 && p < 1))
		return NAN;
	struct mmc q;
	if (!mmc_init(lambda, service_s, c, &q))
		return INFINITY;
	return mmc_quantile(&q, p);
}

/* Does c servers' p-quantile meet the target? */
static bool meets(double lambda, double service_s, unsigned c, double p, double target_s)
{
	struct mmc q;
	return mmc_init(lambda, service_s, c, &q) && mmc_quantile(&q, p) <= target_s;
}

int queue_servers_for(double lambda, double service_s, double p, double target_s,
		      unsigned max_c, unsigned *c)
{
	if (!args_ok(lambda, service_s, 1) || !(p > 0 && p < 1) || !(target_s > 0) ||
	    !isfinite(target_s) || max_c < 1)
		return HR_E_INVALID;
	// With unlimited servers nobody waits and T is the service time alone,
	// Exp(mu), whose p-quantile -S ln(1 - p) bounds every finite c from below.
	if (target_s < -service_s * log1p(-p))
		return HR_E_INFEASIBLE;
	// The fewest servers for a stable queue: c > lambda S.
	double first = floor(lambda * service_s) + 1;
	if (first > (double)max_c)
		return HR_E_INFEASIBLE;
	unsigned lo = (unsigned)first;
	if (meets(lambda, service_s, lo, p, target_s)) {
		*c = lo;
		return 0;
	}
	// The quantile falls as c grows (C falls, theta grows), so gallop up to
	// a count that meets the target, then bisect between the last miss and it.
	unsigned hi = lo;
	for (;;) {
		if (hi == max_c)
			return HR_E_INFEASIBLE;
		lo = hi;
		hi = hi > max_c / 2 ? max_c : hi * 2;
		if (meets(lambda, service_s, hi, p, target_s))
			break;
	}
	while (hi - lo > 1) { // invariant: lo misses, hi meets
		unsigned mid = lo + (hi - lo) / 2;
		if (meets(lambda, service_s, mid, p, target_s))
			hi = mid;
		else
			lo = mid;
	}
	*c = hi;
	return 0;
}
