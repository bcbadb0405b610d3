/* availability.c - series, parallel, k-of-n and failover composition.
 * Formulas and their sources: availability.h and docs/sla.md. */
#include "model/availability.h"

#include <math.h>
#include <stdbool.h>

#include "util/units.h"

static bool prob_ok(double a)
{
	return a >= 0 && a <= 1; // false for NAN too
}

double avail_series(const double *a, size_t n)
{
	double prod = 1.0;
	for (size_t i = 0; i < n; i++) {
		if (!prob_ok(a[i]))
			return NAN;
		prod *= a[i];
	}
	return prod;
}

double avail_parallel(const double *a, size_t n)
{
	// Down only when every part is down: U = prod (1 - A_i).
	double u = 1.0;
	for (size_t i = 0; i < n; i++) {
		if (!prob_ok(a[i]))
			return NAN;
		u *= 1.0 - a[i];
	}
	return 1.0 - u;
}

/* P(fewer than k of n up) = sum_{j<k} C(n,j) a^j (1-a)^(n-j), the failure
 * side of the binomial (research notes, "Availability maths", k-of-n): its
 * terms are small and summed, not subtracted from 1. C(n,j) by the
 * multiplicative recurrence stays below 2.7e299 for n <= 1000, and the
 * powers are at most 1, so nothing overflows; no factorials. */
static double k_of_n_unavail(unsigned k, unsigned n, double a)
{
	if (k == 0)
		return 0.0;
	if (k > n || a == 0)
		return 1.0;
	if (a == 1)
		return 0.0;
	double u1 = 1.0 - a, choose = 1.0, u = 0;
	for (unsigned j = 0; j < k; j++) {
		u += choose * pow(a, (double)j) * pow(u1, (double)(n - j));
		choose = choose * (double)(n - j) / (double)(j + 1); // C(n,j+1) from C(n,j)
	}
	return u > 1.0 ? 1.0 : u;
}

double avail_k_of_n(unsigned k, unsigned n, double a)
{
	if (!prob_ok(a))
		return NAN;
	return 1.0 - k_of_n_unavail(k, n, a);
}

/* Active-passive with n units (one active). First order (research notes,
 * "Availability maths"): each failure of the active unit, once per
 * MTBF + MTTR, costs the switch-over time; and the service is down when all
 * n units are down at once. With MTBF = MTTR a / (1 - a) the first term is
 * Tf / (MTBF + MTTR) = (1 - a) Tf / MTTR. A switch-over slower than a repair
 * is never taken, so the outage per failure is min(Tf, MTTR). */
static double failover_unavail(double a, unsigned n, double mttr_s, double failover_s)
{
	double u1 = 1.0 - a;
	double u = u1 * fmin(failover_s, mttr_s) / mttr_s + pow(u1, (double)n);
	return u > 1.0 ? 1.0 : u;
}

double avail_failover(double a, double mttr_s, double failover_s)
{
	if (!prob_ok(a) || !(mttr_s > 0) || !isfinite(mttr_s) || !(failover_s >= 0) ||
	    !isfinite(failover_s))
		return NAN;
	return 1.0 - failover_unavail(a, 2, mttr_s, failover_s);
}

double avail_downtime_s(double a, double period_s)
{
	if (!prob_ok(a) || !(period_s >= 0))
		return NAN;
	return (1.0 - a) * period_s;
}

double avail_downtime_min_month(double a)
{
	return avail_downtime_s(a, UNITS_SECONDS_PER_MONTH) / 60.0;
}

double avail_from_mtbf(double mtbf_s, double mttr_s)
{
	if (!(mtbf_s >= 0) || !(mttr_s >= 0) || !(mtbf_s + mttr_s > 0) || !isfinite(mtbf_s) ||
	    !isfinite(mttr_s))
		return NAN;
	return mtbf_s / (mtbf_s + mttr_s);
}

int avail_part_unavail(const struct avail_part *p, double *u, const char **why)
{
	*why = NULL;
	if (!prob_ok(p->availability)) {
		*why = "availability must be between 0% and 100%";
		return HR_E_INVALID;
	}
	if (p->count < 1 || p->count > AVAIL_MAX_COUNT) {
		*why = "count must be between 1 and 1000";
		return HR_E_INVALID;
	}
	if (p->k_needed < 1 || p->k_needed > p->count) {
		*why = "the units needed must be between 1 and the count";
		return HR_E_INVALID;
	}
	if (!(p->failover_s >= 0) || !isfinite(p->failover_s)) {
		*why = "failover time must be a finite duration";
		return HR_E_INVALID;
	}
	if (p->failover_s > 0) {
		if (p->count < 2 || p->k_needed != 1) {
			*why = "failover needs a standby: at least 2 units, of which 1 is needed";
			return HR_E_INVALID;
		}
		if (!(p->mttr_s > 0) || !isfinite(p->mttr_s)) {
			*why = "failover needs the repair time of a unit (mttr) to count failures";
			return HR_E_INVALID;
		}
		*u = failover_unavail(p->availability, p->count, p->mttr_s, p->failover_s);
		return 0;
	}
	*u = k_of_n_unavail(p->k_needed, p->count, p->availability);
	return 0;
}

int avail_compose(const struct avail_part *parts, size_t n, double *each_u, double *total_u,
		  size_t *index, const char **why)
{
	double log_up = 0; // log of prod (1 - U_i)
	for (size_t i = 0; i < n; i++) {
		double u;
		int rc = avail_part_unavail(&parts[i], &u, why);
		if (rc != 0) {
			if (index)
				*index = i;
			return rc;
		}
		if (each_u)
			each_u[i] = u;
		log_up += log1p(-u);
	}
	*total_u = -expm1(log_up);
	return 0;
}
