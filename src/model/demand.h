/* demand.h - what a user count asks of the deployment, before any machine is chosen.
 *
 * From the workload alone (model.h, "Semantics of load"):
 *   concurrent users      C = users * daily_active * peak_concurrent
 *   request arrivals      lambda_r = C * rate_r                     (per class)
 *   task arrivals         lambda_t = rate_t + C * rate_per_user_t   (per class)
 *   CPU cores             sum lambda * cpu_s                        (utilisation law U = X D)
 *   in flight             L = sum lambda * duration_s               (Little's law L = lambda W)
 *   memory in flight      sum lambda * duration_s * memory_b
 *   DB busy cores         sum lambda * db_queries * db_query_s
 *   DB reads              db_read_share of the queries and of their busy time
 *   DB size               storage_base + users * storage_per_user
 *   monthly volumes       peak rate * busy_time * 365/12 days
 * Formulas: Little's law (J. D. C. Little, Operations Research 9(3):383-387,
 * 1961) and the utilisation law (Denning & Buzen, "The Operational Analysis
 * of Queueing Network Models", Computing Surveys 10(3), 1978).
 * Everything here is independent of the deployment; the planner divides it
 * over nodes. Pure: no I/O, no globals. */
#ifndef HR_DEMAND_H
#define HR_DEMAND_H

#include <stddef.h>

#include "model/model.h"
#include "util/error.h"

/** Most distinct external APIs one workload may call (a config error past it). */
#define DEMAND_MAX_EXT 16

/** Hours a day the peak load is assumed to last when workload.busy_time is 0:
 *  a working day (headroom's assumption, stated in docs/plan.md). */
#define DEMAND_DEFAULT_BUSY_HOURS 8.0

/** Demand on one external API, summed over the classes that call it. */
struct ext_demand {
	const char *name;     /**< borrowed from the workload */
	double rate;          /**< calls/s at the peak */
	double rate_limit;    /**< the tightest limit any class declared; 0 = none */
	double calls_month;   /**< calls a month */
	double cost_month;    /**< money a month: sum calls * price */
};

/** Per-resource demand at one user count. */
struct demand {
	double users;
	double concurrent;      /**< users online at the peak */
	double req_rate;        /**< requests/s, all classes */
	double app_cpu;         /**< cores of CPU the request classes need */
	double req_cpu_mean_s;  /**< CPU seconds per request, weighted by rate (0 without requests) */
	double app_inflight;    /**< requests in flight (Little) */
	double app_mem_b;       /**< bytes held by requests in flight */
	double task_rate;       /**< tasks/s */
	double task_cpu;        /**< cores the tasks need */
	double task_inflight;   /**< tasks running at once (Little): worker slots busy */
	double task_mem_b;      /**< bytes held by running tasks */
	double db_qps;          /**< database queries/s */
	double db_cpu;          /**< database busy time per second = cores, taking query
	                             time as server time (an upper bound) */
	double db_read_qps;     /**< the read queries among db_qps (workload.db_read_share) */
	double db_read_cpu;     /**< their share of db_cpu (reads and writes taken as equally long) */
	double db_size_b;       /**< database bytes */
	double files_b;         /**< file storage bytes (not in the database) */
	double egress_bps;      /**< response bytes/s at the peak */
	double egress_month_b;  /**< response bytes a month */
	double requests_month;  /**< requests a month */
	double req_gb_s_month;  /**< sum requests * duration a month, in seconds (for GB-s pricing) */
	double req_cpu_s_month; /**< CPU seconds of requests a month */
	struct ext_demand ext[DEMAND_MAX_EXT];
	size_t n_ext;
	double ext_cost_month;  /**< sum of ext[].cost_month */
};

/** Concurrent users at the peak for a user count: users * daily_active * peak_concurrent. */
double demand_concurrent(const struct workload *w, double users);

/** Seconds a month of peak-level load: busy_time (default 8 h) * 365/12. */
double demand_busy_seconds_month(const struct workload *w);

/**
 * Compute the demand of the workload at a user count.
 * @param w the workload (borrowed; ext names in the result point into it).
 * @param users registered users (>= 0).
 * @param out filled in full.
 * @return 0; HR_E_INVALID for a negative user count; HR_E_RANGE when the
 *         workload calls more than DEMAND_MAX_EXT distinct external APIs.
 */
HR_NODISCARD int demand_at(const struct workload *w, double users, struct demand *out);

#endif
