/* availability.h - composing availability: series, parallel, k-of-n, failover.
 *
 * Formulas (research notes, "Availability maths"), independent failures:
 *   series     A = prod A_i
 *   parallel   A = 1 - prod (1 - A_i)
 *   k-of-n     A = sum_{j=k..n} C(n,j) a^j (1-a)^(n-j)
 *   failover   A ~ 1 - Tf/(MTBF+MTTR) - (1-a)^2 (active-passive, first order)
 * Downtime per month uses the 730-hour month (43,800 min), like the costs.
 *
 * The redundancy formulas are worked on the unavailability 1 - A, the small
 * number a downtime budget is made of, summing small terms rather than
 * subtracting numbers close to 1. Out-of-domain arguments give NAN.
 *
 * A stage is described as a list of parts in series (struct avail_part):
 * a load balancer, N app nodes of which K must be up, a database pair with
 * failover. The planner fills such a list; `headroom sla` builds one from
 * its flags; avail_compose() evaluates it and reports each part. Both
 * report unavailabilities: 1 - U is the availability, U * period the
 * downtime, with no digits lost to rounding 1 - U near 1. */
#ifndef HR_AVAILABILITY_H
#define HR_AVAILABILITY_H

#include <stddef.h>

#include "util/error.h"

/** Series composition of n parts. */
double avail_series(const double *a, size_t n);
/** Parallel composition of n parts (any one suffices). */
double avail_parallel(const double *a, size_t n);
/** At least k of n identical parts of availability a up. */
double avail_k_of_n(unsigned k, unsigned n, double a);
/**
 * Active-passive pair with failover time failover_s; mttr_s is the repair
 * time of one node (MTBF follows from a and mttr_s).
 */
double avail_failover(double a, double mttr_s, double failover_s);
/** Minutes of downtime a month (730 h) at availability a. */
double avail_downtime_min_month(double a);

/** Seconds of downtime in a period of period_s seconds at availability a. */
double avail_downtime_s(double a, double period_s);

/** Availability from mean time between failures and mean time to repair: MTBF / (MTBF + MTTR). */
double avail_from_mtbf(double mtbf_s, double mttr_s);

/** Most units one part may have (k-of-n sums this many terms). */
#define AVAIL_MAX_COUNT 1000u

/**
 * One part of a stage: count identical units of which k_needed must be up.
 *   count 1, k_needed 1                   a single unit
 *   count n, k_needed 1                   n in parallel, instant takeover
 *   count n, k_needed k                   k-of-n (N+1 sizing: k carry the load)
 *   count n >= 2, k_needed 1, failover_s  active-passive: each failure of the
 *                                         active unit costs failover_s of outage
 */
struct avail_part {
	const char *name;     /**< borrowed label for reports ("db"); may be NULL */
	double availability;  /**< of one unit, in [0, 1] */
	unsigned count;       /**< units deployed, 1..AVAIL_MAX_COUNT */
	unsigned k_needed;    /**< units that must be up, 1..count */
	double failover_s;    /**< > 0: active-passive switch-over time (detection included); 0: none */
	double mttr_s;        /**< repair time of one unit; needed (> 0) when failover_s > 0 */
};

/**
 * Unavailability (1 - A) of one part with its redundancy applied, computed
 * directly so that it keeps its digits when A is close to 1.
 * @return 0 and *u set; HR_E_INVALID (with *why pointing at a static
 *         sentence) when a field is out of its domain.
 */
HR_NODISCARD int avail_part_unavail(const struct avail_part *part, double *u, const char **why);

/**
 * Parts in series (every part is needed): U = 1 - prod (1 - U_i), formed as
 * -expm1(sum log1p(-U_i)) so a small total keeps its digits. The stage's
 * availability is 1 - *total_u, its downtime in a period total_u * period.
 * @param each_u if not NULL, receives each part's unavailability (n entries).
 * @param index if not NULL, receives the index of the first bad part on error.
 * @return 0 and *total_u set; HR_E_INVALID with *why and *index on a bad
 *         part. n == 0 gives 0 (nothing that can fail).
 */
HR_NODISCARD int avail_compose(const struct avail_part *parts, size_t n, double *each_u,
			       double *total_u, size_t *index, const char **why);

#endif
