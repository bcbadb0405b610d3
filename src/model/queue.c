/* queue.c - M/M/c by the Erlang B recursion; response-time tail and quantiles;
 * M/G/c by the Allen-Cunneen approximation.
 *
 * Design note. Everything derives from three numbers of a stable queue:
 * C (Erlang C), mu = 1/S and theta = c mu - lambda. The FCFS waiting time is
 * 0 with probability 1 - C and Exp(theta) with probability C; the response
 * time adds an independent Exp(mu) service (Kleinrock, Queueing Systems
 * vol. 1, 1975, section 3.5; Gross and Harris, Fundamentals of Queueing
 * Theory, 4th ed., section 2.3). So
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
 * algebraically the same, exact at theta == mu, and smooth near it.
 *
 * M/G/c (the _g functions). There is no closed form; headroom takes the
 * Allen-Cunneen approximation of the mean wait (A. O. Allen, Probability,
 * Statistics, and Queueing Theory with Computer Science Applications, 2nd
 * ed., Academic Press, 1990; Gross, Shortle, Thompson and Harris,
 * Fundamentals of Queueing Theory, 4th ed., Wiley, 2008, on G/G/c
 * approximations):
 *
 *   P(wait) ~ C (the Erlang C of M/M/c),  Wq(M/G/c) ~ Wq(M/M/c) (Ca^2 + Cs^2) / 2
 *
 * with Ca = 1 (Poisson arrivals: many independent users). For percentiles
 * the conditional wait is taken as exponential with that mean, rate
 * theta' = theta / f, f = (1 + Cs^2) / 2 (the waiting time of GI/G/c is
 * asymptotically exponential in heavy traffic: Kingman, J. R. Stat. Soc. B
 * 24(2), 1962; Koellerstroem, J. Appl. Prob. 11(3), 1974; Whitt,
 * "Approximations for the GI/G/m queue", Prod. Oper. Mgmt 2(2), 1993, uses
 * the same shape), and the service time B is fitted on its two moments:
 *
 *   cv <= 1  B = S (1 - cv) + Exp(mean S cv): a constant plus an exponential
 *            (cv 0 is the constant, cv 1 the exponential itself)
 *   cv > 1   B = Exp(nu1) w.p. p1, Exp(nu2) w.p. p2, with balanced means
 *            p1 = (1 + sqrt((cv^2 - 1)/(cv^2 + 1))) / 2, nu_i = 2 p_i / S
 *            (Whitt, Oper. Res. 30(1), 1982)
 *
 * so every tail is a sum of the H above: for cv <= 1, with d = S (1 - cv),
 * nu = 1 / (S cv) and u = t - d,
 *
 *   P(T > t) = 1                                       t < d
 *            = (1 - C) e^{-nu u} + C H(u; nu, theta')  t >= d  (cv = 0: C e^{-theta' u})
 *
 * and for cv > 1 the mixture of the two phases. With cv = 1: d = 0,
 * nu = mu, theta' = theta, which is the M/M/c tail bit for bit (f is 1
 * exactly). tests/unit/test_queue.c checks the percentiles against a
 * discrete-event simulation with constant, lognormal and hyperexponential
 * service times. */
#include "model/queue.h"

#include <math.h>

/* Bisection stops when the bracket is this small relative to its top. The
 * quantile is then known to about 1e-13 relative, far below what any input
 * (a measured service time) can justify; 400 halvings bound the loop. */
#define QUANTILE_REL_TOL 1e-13
#define QUANTILE_MAX_ITER 400

/* The service-time shapes of the M/G/c fit (design note above). */
enum shape {
	SHAPE_CONST, /* cv 0: a constant S */
	SHAPE_SHEXP, /* cv in (0, 1]: S (1 - cv) + Exp(nu1); cv 1 is the exponential */
	SHAPE_H2,    /* cv > 1: Exp(nu1) w.p. p1, Exp(nu2) w.p. 1 - p1 */
};

/* The service time's distribution, fitted on its mean and cv. */
struct service {
	enum shape shape;
	double shift;    /* the constant part d */
	double nu1, nu2; /* phase rates */
	double p1;       /* H2: weight of phase 1 */
};

/* A stable queue reduced to the numbers its tail depends on. */
struct mgc {
	double c_wait;  /* P(wait): Erlang C */
	double mu;      /* 1/S, the start of the quantile's bracket */
	double theta;   /* rate of the conditional wait: (c mu - lambda) / f */
	struct service b;
};

double queue_erlang_b(unsigned c, double a)
{
	if (!(a >= 0) || !isfinite(a))
		return NAN;
	/* B(0) = 1; B(k) = a B(k-1) / (k + a B(k-1)). Each step maps [0, 1] into
	 * [0, 1] and damps earlier rounding, so it is stable for any c (Jagerman,
	 * "Some properties of the Erlang loss function", BSTJ 53(3), 1974; the
	 * same loop as PDQ's ErlangR in DrQz/pdq-qnm-pkg lib/PDQ_MServer.c). */
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
	/* C = B / (1 - rho + rho B), as PDQ's ErlangR (DrQz/pdq-qnm-pkg,
	 * lib/PDQ_MServer.c); the denominator is at least B, so C <= 1, and at
	 * least 1 - rho > 0. */
	double cw = b / (1.0 - rho + rho * b);
	return cw > 1.0 ? 1.0 : cw;
}

static bool cv_ok(double cv)
{
	return cv >= 0 && cv <= QUEUE_MAX_CV;
}

static bool args_ok(double lambda, double service_s, double cv, unsigned c)
{
	return lambda >= 0 && isfinite(lambda) && service_s > 0 && isfinite(service_s) && c >= 1 &&
	       cv_ok(cv);
}

/* Fit the service time's shape on its mean and cv (design note). */
static void service_fit(double service_s, double cv, struct service *b)
{
	*b = (struct service){.shape = SHAPE_SHEXP};
	if (cv == 0) {
		b->shape = SHAPE_CONST;
		b->shift = service_s;
	} else if (cv <= 1) {
		/* At cv = 1 the shift is 0 and the rate 1/S exactly: the exponential. */
		b->shift = service_s * (1.0 - cv);
		b->nu1 = 1.0 / (service_s * cv);
	} else {
		double cv2 = cv * cv;
		b->shape = SHAPE_H2;
		b->p1 = 0.5 * (1.0 + sqrt((cv2 - 1.0) / (cv2 + 1.0)));
		b->nu1 = 2.0 * b->p1 / service_s;
		b->nu2 = 2.0 * (1.0 - b->p1) / service_s;
	}
}

/* Fill *q for a stable queue; false when lambda S >= c. */
static bool mgc_init(double lambda, double service_s, double cv, unsigned c, struct mgc *q)
{
	double a = lambda * service_s;
	if (!(a < (double)c))
		return false;
	q->mu = 1.0 / service_s;
	double theta = (double)c * q->mu - lambda;
	if (!(theta > 0))
		return false; /* a < c but rounding left no headroom: treat as saturated */
	/* Allen-Cunneen: the mean wait scales by f = (Ca^2 + Cs^2) / 2 with Ca = 1;
	 * the conditional wait keeps P(wait) = C, so its rate divides by f. f is
	 * exactly 1 at cv = 1, which keeps M/M/c bit for bit. */
	double f = (1.0 + cv * cv) / 2.0;
	q->theta = theta / f;
	q->c_wait = queue_erlang_c(c, a);
	service_fit(service_s, cv, &q->b);
	return true;
}

/* (1 - e^{-x}) / x for x >= 0, with its limit 1 at 0. */
static double g_expm1(double x)
{
	return x > 0 ? -expm1(-x) / x : 1.0;
}

/* P(Exp(a) + Exp(b) > t), t > 0: the hypoexponential tail H of the design note. */
static double hypo_tail(double a, double b, double t)
{
	double lo = fmin(a, b), hi = fmax(a, b);
	return exp(-lo * t) * (1.0 + lo * t * g_expm1((hi - lo) * t));
}

static double mgc_tail(const struct mgc *q, double t)
{
	const struct service *b = &q->b;
	double c = q->c_wait, tail;
	switch (b->shape) {
	case SHAPE_CONST: {
		double u = t - b->shift;
		if (u < 0)
			return 1.0;
		tail = c * exp(-q->theta * u);
		break;
	}
	case SHAPE_SHEXP: {
		double u = t - b->shift;
		if (u <= 0)
			return 1.0;
		tail = (1.0 - c) * exp(-b->nu1 * u) + c * hypo_tail(b->nu1, q->theta, u);
		break;
	}
	default: { /* SHAPE_H2 */
		if (t <= 0)
			return 1.0;
		double p2 = 1.0 - b->p1;
		double free = b->p1 * exp(-b->nu1 * t) + p2 * exp(-b->nu2 * t);
		double waited = b->p1 * hypo_tail(b->nu1, q->theta, t) + p2 * hypo_tail(b->nu2, q->theta, t);
		tail = (1.0 - c) * free + c * waited;
		break;
	}
	}
	return tail > 1.0 ? 1.0 : tail;
}

/* The smallest t with tail(t) <= 1 - p, by bisection: tail is non-increasing. */
static double bisect_quantile(double (*tail)(const void *, double), const void *arg, double start,
			      double p)
{
	if (p <= 0)
		return 0;
	double want = 1.0 - p; /* find t with P(T > t) = 1 - p */
	/* Bracket: the tail is 1 at 0 and falls at least exponentially, so
	 * doubling from the mean service time reaches it in few steps. */
	double lo = 0, hi = start;
	for (int i = 0; i < 2000 && tail(arg, hi) > want; i++) {
		lo = hi;
		hi *= 2;
	}
	for (int i = 0; i < QUANTILE_MAX_ITER && hi - lo > QUANTILE_REL_TOL * hi; i++) {
		double mid = lo + (hi - lo) / 2;
		if (tail(arg, mid) > want)
			lo = mid;
		else
			hi = mid;
	}
	return hi;
}

static double mgc_tail_v(const void *q, double t)
{
	return mgc_tail(q, t);
}

static double mgc_quantile(const struct mgc *q, double p)
{
	return bisect_quantile(mgc_tail_v, q, 1.0 / q->mu, p);
}

int queue_solve_g(double lambda, double service_s, double cv, unsigned c, struct queue_result *out)
{
	if (!args_ok(lambda, service_s, cv, c))
		return HR_E_INVALID;
	double a = lambda * service_s;
	*out = (struct queue_result){
		.utilization = a / (double)c,
		.servers = c,
		.service_cv = cv,
	};
	struct mgc q;
	if (!mgc_init(lambda, service_s, cv, c, &q)) {
		/* Arrivals outpace service: the queue grows without bound, every
		 * arrival eventually waits, and no mean or percentile exists. */
		out->stable = false;
		out->p_wait = 1.0;
		out->mean_wait_s = out->mean_response_s = INFINITY;
		out->p50_s = out->p95_s = out->p99_s = INFINITY;
		return 0;
	}
	out->stable = true;
	out->p_wait = q.c_wait;
	/* Wq = C / theta' (M/M/c: C / (c mu - lambda), as PDQ's ErlangR,
	 * lib/PDQ_MServer.c; times f by Allen-Cunneen), R = S + Wq. */
	out->mean_wait_s = q.c_wait / q.theta;
	out->mean_response_s = service_s + out->mean_wait_s;
	out->p50_s = mgc_quantile(&q, 0.50);
	out->p95_s = mgc_quantile(&q, 0.95);
	out->p99_s = mgc_quantile(&q, 0.99);
	return 0;
}

int queue_solve(double lambda, double service_s, unsigned c, struct queue_result *out)
{
	return queue_solve_g(lambda, service_s, 1.0, c, out);
}

double queue_response_tail_g(double lambda, double service_s, double cv, unsigned c, double t)
{
	if (!args_ok(lambda, service_s, cv, c) || isnan(t))
		return NAN;
	struct mgc q;
	if (!mgc_init(lambda, service_s, cv, c, &q))
		return 1.0;
	return mgc_tail(&q, t);
}

double queue_response_tail(double lambda, double service_s, unsigned c, double t)
{
	return queue_response_tail_g(lambda, service_s, 1.0, c, t);
}

double queue_response_quantile_g(double lambda, double service_s, double cv, unsigned c, double p)
{
	if (!args_ok(lambda, service_s, cv, c) || !(p >= 0 && p < 1))
		return NAN;
	struct mgc q;
	if (!mgc_init(lambda, service_s, cv, c, &q))
		return INFINITY;
	return mgc_quantile(&q, p);
}

double queue_response_quantile(double lambda, double service_s, unsigned c, double p)
{
	return queue_response_quantile_g(lambda, service_s, 1.0, c, p);
}

double queue_mean_wait_g(double lambda, double service_s, double cv, unsigned c)
{
	if (!args_ok(lambda, service_s, cv, c))
		return NAN;
	struct mgc q;
	if (!mgc_init(lambda, service_s, cv, c, &q))
		return INFINITY;
	return q.c_wait / q.theta;
}

/* P(B > t) of the fitted service time alone. */
static double service_tail(const void *arg, double t)
{
	const struct service *b = arg;
	switch (b->shape) {
	case SHAPE_CONST:
		return t < b->shift ? 1.0 : 0.0;
	case SHAPE_SHEXP:
		return t <= b->shift ? 1.0 : exp(-b->nu1 * (t - b->shift));
	default:
		return t <= 0 ? 1.0 : b->p1 * exp(-b->nu1 * t) + (1.0 - b->p1) * exp(-b->nu2 * t);
	}
}

double queue_service_quantile(double service_s, double cv, double p)
{
	if (!(service_s > 0) || !isfinite(service_s) || !cv_ok(cv) || !(p >= 0 && p < 1))
		return NAN;
	struct service b;
	service_fit(service_s, cv, &b);
	switch (b.shape) {
	case SHAPE_CONST:
		return service_s;
	case SHAPE_SHEXP:
		/* d - S cv ln(1 - p); at cv = 1 the exponential's -S ln(1 - p). */
		return b.shift - service_s * cv * log1p(-p);
	default:
		return bisect_quantile(service_tail, &b, service_s, p);
	}
}

/* Does c servers' p-quantile meet the target? */
static bool meets(double lambda, double service_s, double cv, unsigned c, double p, double target_s)
{
	struct mgc q;
	return mgc_init(lambda, service_s, cv, c, &q) && mgc_quantile(&q, p) <= target_s;
}

int queue_servers_for_g(double lambda, double service_s, double cv, double p, double target_s,
			unsigned max_c, unsigned *c)
{
	if (!args_ok(lambda, service_s, cv, 1) || !(p > 0 && p < 1) || !(target_s > 0) ||
	    !isfinite(target_s) || max_c < 1)
		return HR_E_INVALID;
	/* With unlimited servers nobody waits and T is the service time alone,
	 * whose p-quantile bounds every finite c from below. */
	if (target_s < queue_service_quantile(service_s, cv, p))
		return HR_E_INFEASIBLE;
	/* The fewest servers for a stable queue: c > lambda S. */
	double first = floor(lambda * service_s) + 1;
	if (first > (double)max_c)
		return HR_E_INFEASIBLE;
	unsigned lo = (unsigned)first;
	if (meets(lambda, service_s, cv, lo, p, target_s)) {
		*c = lo;
		return 0;
	}
	/* The quantile falls as c grows (C falls, theta grows), so gallop up to
	 * a count that meets the target, then bisect between the last miss and it. */
	unsigned hi = lo;
	for (;;) {
		if (hi == max_c)
			return HR_E_INFEASIBLE;
		lo = hi;
		hi = hi > max_c / 2 ? max_c : hi * 2;
		if (meets(lambda, service_s, cv, hi, p, target_s))
			break;
	}
	while (hi - lo > 1) { /* invariant: lo misses, hi meets */
		unsigned mid = lo + (hi - lo) / 2;
		if (meets(lambda, service_s, cv, mid, p, target_s))
			hi = mid;
		else
			lo = mid;
	}
	*c = hi;
	return 0;
}

int queue_servers_for(double lambda, double service_s, double p, double target_s, unsigned max_c,
		      unsigned *c)
{
	return queue_servers_for_g(lambda, service_s, 1.0, p, target_s, max_c, c);
}
