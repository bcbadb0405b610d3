/* usl.c - see usl.h. */
#include "model/usl.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

#define NP 3 /* parameters: sigma, kappa, gamma */

/* Convergence settings as usl4j uses (tolerance 1e-12, 5000 iterations). */
#define MAX_ITER 5000
#define REL_TOL 1e-12

double usl_throughput(const struct usl_model *m, double n)
{
	return m->gamma * n / (1.0 + m->sigma * (n - 1.0) + m->kappa * n * (n - 1.0));
}

double usl_latency(const struct usl_model *m, double n)
{
	return (1.0 + m->sigma * (n - 1.0) + m->kappa * n * (n - 1.0)) / m->gamma;
}

double usl_peak_concurrency(const struct usl_model *m)
{
	if (m->kappa <= 0)
		return INFINITY;
	/* A fit of a saturated server (flat or falling throughput: one worker)
	 * reaches sigma = 1, where the formula gives N* = 0 and X(0) = 0/0. Load
	 * is measured from one request in flight, so the peak is at least there. */
	double n = sqrt((1.0 - m->sigma) / m->kappa);
	return n > 1.0 ? n : 1.0;
}

double usl_max_throughput(const struct usl_model *m)
{
	if (m->kappa > 0)
		return usl_throughput(m, usl_peak_concurrency(m));
	if (m->sigma > 0)
		return m->gamma / m->sigma;
	return INFINITY;
}

int usl_concurrency_at_latency(const struct usl_model *m, double r, double *n)
{
	double s = m->sigma, k = m->kappa, g = m->gamma;
	if (!(r >= 1.0 / g) || !isfinite(r))
		return HR_E_RANGE;
	if (k > 0) {
		double disc = s * s + k * k + 2.0 * k * (2.0 * g * r + s - 2.0);
		*n = (k - s + sqrt(disc)) / (2.0 * k);
		return 0;
	}
	if (s > 0) {
		*n = (g * r - 1.0) / s + 1.0; /* linear: R = (1 + s (N - 1)) / g */
		return 0;
	}
	return HR_E_RANGE; /* latency is 1/gamma at every concurrency */
}

int usl_throughput_at_latency(const struct usl_model *m, double r, double *x)
{
	double n;
	int rc = usl_concurrency_at_latency(m, r, &n);
	if (rc < 0)
		return rc;
	*x = n / r;
	return 0;
}

int usl_concurrency_at_throughput(const struct usl_model *m, double x, double *n)
{
	double s = m->sigma, k = m->kappa, g = m->gamma;
	if (!(x > 0) || !isfinite(x))
		return HR_E_RANGE;
	double a = x * k, b = x * s - x * k - g, c = x * (1.0 - s);
	if (!(c > 0))
		return HR_E_RANGE; /* sigma = 1: no rising branch; the root N = 0 is 0/0 */
	if (a == 0) {
		if (b >= 0)
			return HR_E_RANGE; /* x at or above the Amdahl ceiling */
		*n = -c / b;
		return 0;
	}
	double disc = b * b - 4.0 * a * c;
	if (disc < 0)
		return HR_E_RANGE;
	/* Smaller root, in the cancellation-free form 2c / (-b + sqrt(disc)). */
	double q = -b + sqrt(disc);
	if (q <= 0)
		return HR_E_RANGE;
	*n = 2.0 * c / q;
	return 0;
}

int usl_latency_at_throughput(const struct usl_model *m, double x, double *r)
{
	double n;
	int rc = usl_concurrency_at_throughput(m, x, &n);
	if (rc < 0)
		return rc;
	*r = n / x;
	return 0;
}

/* ---- fitting ---- */

static const double lower[NP] = {0.0, 0.0, 1e-12};
static const double upper[NP] = {1.0, 1.0, INFINITY};

static double rss_of(const struct usl_point *pts, size_t n, const double *p)
{
	struct usl_model m = {p[0], p[1], p[2]};
	double s = 0;
	for (size_t i = 0; i < n; i++) {
		double r = pts[i].x - usl_throughput(&m, pts[i].n);
		s += r * r;
	}
	return s;
}

/* Solve the k x k system a y = b (Gaussian elimination, partial pivoting). */
static bool solve(int k, double a[NP][NP], double *b, double *y)
{
	for (int c = 0; c < k; c++) {
		int piv = c;
		for (int r = c + 1; r < k; r++)
			if (fabs(a[r][c]) > fabs(a[piv][c]))
				piv = r;
		if (!(fabs(a[piv][c]) > 0))
			return false;
		if (piv != c) {
			for (int j = 0; j < k; j++) {
				double t = a[c][j];
				a[c][j] = a[piv][j];
				a[piv][j] = t;
			}
			double t = b[c];
			b[c] = b[piv];
			b[piv] = t;
		}
		for (int r = c + 1; r < k; r++) {
			double f = a[r][c] / a[c][c];
			for (int j = c; j < k; j++)
				a[r][j] -= f * a[c][j];
			b[r] -= f * b[c];
		}
	}
	for (int r = k - 1; r >= 0; r--) {
		double s = b[r];
		for (int j = r + 1; j < k; j++)
			s -= a[r][j] * y[j];
		y[r] = s / a[r][r];
	}
	return true;
}

/* Levenberg-Marquardt with Marquardt's diagonal scaling; a parameter at a
 * bound whose gradient points out of the box is held there (active set),
 * and every step is projected back into the box. */
static double lm(const struct usl_point *pts, size_t n, double *p, int *iters)
{
	double cost = rss_of(pts, n, p);
	double lambda = 1e-3;
	int it;
	for (it = 0; it < MAX_ITER; it++) {
		double jtj[NP][NP] = {{0}}, jtr[NP] = {0};
		for (size_t i = 0; i < n; i++) {
			double N = pts[i].n;
			double d = 1.0 + p[0] * (N - 1.0) + p[1] * N * (N - 1.0);
			double f = p[2] * N / d;
			double g[NP] = {-p[2] * N * (N - 1.0) / (d * d),
					-p[2] * N * N * (N - 1.0) / (d * d), N / d};
			double r = pts[i].x - f;
			for (int a = 0; a < NP; a++) {
				jtr[a] += g[a] * r;
				for (int b = 0; b < NP; b++)
					jtj[a][b] += g[a] * g[b];
			}
		}
		int idx[NP], k = 0;
		for (int a = 0; a < NP; a++) {
			bool at_lo = p[a] <= lower[a] && jtr[a] <= 0;
			bool at_hi = p[a] >= upper[a] && jtr[a] >= 0;
			if (!at_lo && !at_hi)
				idx[k++] = a;
		}
		if (k == 0)
			break;
		bool improved = false;
		while (lambda < 1e20) {
			double a[NP][NP], b[NP], y[NP];
			for (int r = 0; r < k; r++) {
				for (int c = 0; c < k; c++)
					a[r][c] = jtj[idx[r]][idx[c]];
				double dg = jtj[idx[r]][idx[r]];
				a[r][r] += lambda * (dg > 0 ? dg : 1.0);
				b[r] = jtr[idx[r]];
			}
			if (!solve(k, a, b, y)) {
				lambda *= 10;
				continue;
			}
			double q[NP];
			memcpy(q, p, sizeof(q));
			for (int r = 0; r < k; r++) {
				double v = p[idx[r]] + y[r];
				if (v < lower[idx[r]])
					v = lower[idx[r]];
				if (v > upper[idx[r]])
					v = upper[idx[r]];
				q[idx[r]] = v;
			}
			double c2 = rss_of(pts, n, q);
			if (isfinite(c2) && c2 <= cost) {
				double gain = cost - c2;
				memcpy(p, q, sizeof(q));
				cost = c2;
				lambda = lambda / 10 > 1e-12 ? lambda / 10 : 1e-12;
				improved = gain > REL_TOL * (cost > 1e-300 ? cost : 1e-300);
				if (!improved) {
					*iters = it + 1;
					return cost;
				}
				break;
			}
			lambda *= 10;
		}
		if (!improved)
			break;
	}
	*iters = it;
	return cost;
}

int usl_fit(const struct usl_point *pts, size_t n, struct usl_model *out, struct usl_fit_info *info)
{
	if (!pts || n < USL_MIN_POINTS)
		return HR_E_INVALID;
	double best_ratio = 0;
	size_t distinct = 0;
	for (size_t i = 0; i < n; i++) {
		if (!(pts[i].n > 0) || !isfinite(pts[i].n) || !(pts[i].x >= 0) || !isfinite(pts[i].x))
			return HR_E_INVALID;
		if (pts[i].x / pts[i].n > best_ratio)
			best_ratio = pts[i].x / pts[i].n;
		bool seen = false;
		for (size_t j = 0; j < i; j++)
			seen = seen || pts[j].n == pts[i].n;
		distinct += !seen;
	}
	if (best_ratio <= 0 || distinct < 3)
		return HR_E_INVALID;

	/* Starts: the R package's (0.01, 1e-4), usl4j's (0.1, 0.01), and the
	 * linear-scaling corner; gamma starts at the best X/N in each. */
	const double starts[][2] = {{0.01, 1e-4}, {0.1, 0.01}, {0.0, 0.0}, {0.5, 1e-3}};
	double best_cost = INFINITY, best[NP] = {0};
	int best_iters = 0;
	for (size_t s = 0; s < sizeof(starts) / sizeof(starts[0]); s++) {
		double p[NP] = {starts[s][0], starts[s][1], best_ratio};
		int iters = 0;
		double c = lm(pts, n, p, &iters);
		if (isfinite(c) && c < best_cost) {
			best_cost = c;
			memcpy(best, p, sizeof(best));
			best_iters = iters;
		}
	}
	if (!isfinite(best_cost))
		return HR_E_INFEASIBLE;
	out->sigma = best[0];
	out->kappa = best[1];
	out->gamma = best[2];
	if (info) {
		info->rss = best_cost;
		info->residual_se = n > NP ? sqrt(best_cost / (double)(n - NP)) : 0.0;
		info->iterations = best_iters;
	}
	return 0;
}
