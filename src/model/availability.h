/* availability.h - composing availability: series, parallel, k-of-n, failover.
 *
 * Formulas (research notes, "Availability maths"), independent failures:
 *   series     A = prod A_i
 *   parallel   A = 1 - prod (1 - A_i)
 *   k-of-n     A = sum_{j=k..n} C(n,j) a^j (1-a)^(n-j)
 *   failover   A ~ 1 - Tf/(MTBF+MTTR) - (1-a)^2 (active-passive, first order)
 * Downtime per month uses the 730-hour month (43,800 min), like the costs. */
#ifndef HR_AVAILABILITY_H
#define HR_AVAILABILITY_H

#include <stddef.h>

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

#endif
