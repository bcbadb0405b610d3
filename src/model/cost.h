/* cost.h - money a month: the parts of a deployment, operations time,
 * external APIs, the serverless comparison and the unit economics.
 *
 * Every amount is per 730-hour month in the model's currency (model.h); the
 * catalogue prices are already in that currency when they get here. Pure. */
#ifndef HR_COST_H
#define HR_COST_H

#include "model/demand.h"
#include "model/model.h"
#include "util/error.h"

/** A month's cost, part by part. */
struct cost_breakdown {
	double servers;       /**< app nodes and database nodes (primary, standby): count * plan price */
	double replicas;      /**< read replicas: self-run nodes, or the managed offer's replica price */
	double workers;       /**< worker nodes of their own */
	double backups;       /**< provider backup percentage of the backed-up servers */
	double monitoring;    /**< uptime monitoring / alerting */
	double lb;            /**< load balancer */
	double managed_db;    /**< managed PostgreSQL */
	double managed_cache; /**< managed Redis */
	double k8s;           /**< Kubernetes control plane */
	double volumes;       /**< block storage beyond the servers' own disks */
	double infra;         /**< sum of the above: what the providers bill */
	double ops;           /**< operations hours * rate for the stage (not in infra) */
	double external;      /**< external API calls */
	double total;         /**< infra + ops + external */
	double per_user;      /**< total / users (0 when users is 0) */
};

/** Unit economics when economics gives revenue tiers. */
struct cost_economics {
	bool present;          /**< users_per_customer > 0 and tiers given */
	double customers;      /**< users / users_per_customer */
	double revenue;        /**< customers * sum(share * price) */
	double per_customer;   /**< total cost / customers */
	double margin;         /**< (revenue - total) / revenue; may be negative */
};

/** The cheapest serverless way to serve the same requests (compute only). */
struct cost_serverless {
	const struct offer *offer; /**< borrowed from the catalogue; NULL when it sells none */
	double cost;               /**< money a month */
	double memory_b;           /**< memory per function instance priced */
};

/** Operations cost of a stage: economics.operations.hours[stage] * rate. */
double cost_ops(const struct economics *e, enum stage_kind stage);

/** Backups: the offer's percentage of the backed-up servers' price (0 without an offer). */
double cost_backup(const struct offer *backup, double server_price);

/** Block storage of gb gigabytes (10^9 bytes, as providers bill) at the offer's price. */
double cost_volume(const struct offer *volume, double gb);

/**
 * Fill infra, total and per_user from the parts, ops and external.
 * @param users the user count the plan serves (per_user is 0 when it is 0).
 */
void cost_sum(struct cost_breakdown *c, double users);

/**
 * What one function platform would charge for the month's requests:
 * invocations * per_million / 1e6 + GB-seconds * per_gb_s + CPU-hours * per_cpu_h,
 * with every invocation billed for its whole wall time at memory_b
 * (functions bill wall time, including the wait on an external API).
 * Free tiers are ignored (a conservative, stated choice).
 */
double cost_function(const struct offer *fn, const struct demand *d, double memory_b);

/**
 * The cheapest OFFER_FUNCTION entry of the catalogue for the demand, among
 * those whose terms allow commercial use (non_commercial entries are skipped).
 * @param memory_b memory an instance needs (at least 128 MiB is priced, the
 *        smallest AWS Lambda size).
 */
void cost_serverless_best(const struct catalog *cat, const struct demand *d, double memory_b,
			  struct cost_serverless *out);

/** Unit economics of a month's total cost at a user count. */
void cost_unit_economics(const struct economics *e, double users, double total,
			 struct cost_economics *out);

#endif
