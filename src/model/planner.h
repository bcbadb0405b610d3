/* planner.h - the cheapest deployment that meets every target, milestone by milestone.
 *
 * Design note. A candidate deployment is a *shape*: a stage template
 * (single, single+ops, split, ha, cluster; model.h), a server plan and count
 * for the app nodes, how the database runs (on the app node, on its own
 * node(s), or a managed offer) and where Redis runs (on the app nodes or a
 * managed offer). planner_evaluate() turns a shape and a demand into
 * utilisation per resource, a p95 per request class (M/M/c), an availability
 * (from each part's failures and recoveries, model/availability.h) and a
 * monthly cost. planner_run() searches
 * every shape the catalogue allows for each milestone and keeps the cheapest
 * feasible one, preferring the simpler stage on equal cost.
 *
 * The search is exhaustive over stage x provider x plans x database x cache;
 * over the node count it is pruned by a monotonicity argument (docs/plan.md,
 * "Search"): adding an app node lowers every per-node load and raises the
 * availability, and only raises the database connections, so the smallest
 * count meeting the per-node targets is the only one that can be cheapest;
 * if it breaks the connection limit, every larger count does too. A shape
 * whose cost floor (its price without volumes) is already above its stage's
 * best is not evaluated: it could change none of the results.
 *
 * Pure: no I/O, no globals, no clock. */
#ifndef HR_PLANNER_H
#define HR_PLANNER_H

#include <stdbool.h>
#include <stddef.h>

#include "model/availability.h"
#include "model/cost.h"
#include "model/demand.h"
#include "model/model.h"
#include "util/diag.h"
#include "util/error.h"

/** Most request classes a workload may have (a config error past it). */
#define PLANNER_MAX_CLASSES 32
/** Most app nodes in the `ha` stage: seed 000 (Altius), section 5, "You need
 *  K8s when: More than 5 application instances". */
#define PLANNER_HA_MAX_NODES 5u
/** Fewest nodes of a `cluster`: seed 002 (Pareto), stage 3, "Kubernetes Cluster (3 nodes)". */
#define PLANNER_CLUSTER_MIN_NODES 3u
/** Most nodes of a `cluster` the search tries. */
#define PLANNER_CLUSTER_MAX_NODES 200u

/** The constraints a candidate is checked against (JSON names: planner_res_name()). */
enum plan_res {
	PRES_CPU,            /**< app-node CPU (all of it on single-node stages) */
	PRES_MEMORY,         /**< app-node memory */
	PRES_DISK,           /**< app-node disk (files; the database too on one node) */
	PRES_CONNECTIONS,    /**< requests in flight / worker slots (workers x concurrency) */
	PRES_TASK_SLOTS,     /**< tasks running / worker-component slots */
	PRES_DB_CPU,         /**< database node or managed DB vCPU */
	PRES_DB_MEMORY,      /**< database node memory */
	PRES_DB_DISK,        /**< database node or managed DB storage */
	PRES_DB_CONNECTIONS, /**< replicas x workers x pool / max_connections */
	PRES_CACHE_MEMORY,   /**< managed Redis memory */
	PRES_BANDWIDTH,      /**< monthly egress / included transfer */
	PRES_EXT_RATE,       /**< external API calls/s / its rate limit */
	PRES_P95,            /**< request p95 / objective */
	PRES_AVAILABILITY,   /**< unavailability / allowed unavailability */
	PRES_COUNT
};

/** JSON/text name of a constraint ("cpu", "db_connections", "p95", ...). */
const char *planner_res_name(enum plan_res r);

/** Everything the planner reads; all borrowed. */
struct planner_input {
	const struct workload *workload;
	const struct component *components;
	size_t n_components;
	const struct deployment *deployment;
	const struct objectives *objectives;
	const struct economics *economics;
	const struct catalog *catalog;       /**< prices already in economics.currency */
	const struct calibration *calibration; /**< NULL or !present: use the declared CPU */
	const struct reliability *reliability; /**< how parts fail and recover; NULL: avail_defaults() */
};

/** A deployment shape to evaluate. */
struct plan_shape {
	enum stage_kind stage;
	const struct offer *app;           /**< server plan of the app nodes ("all" on single stages) */
	unsigned n_app;                    /**< app nodes */
	const struct offer *db_node;       /**< self-run PostgreSQL on its own node(s), or NULL */
	unsigned n_db;                     /**< 1 (split) or 2 (primary + standby, ha/cluster) */
	const struct offer *managed_db;    /**< managed PostgreSQL, or NULL */
	const struct offer *managed_cache; /**< managed Redis, or NULL (Redis on the app nodes) */
};

/** A shape, evaluated. */
struct plan_candidate {
	struct plan_shape shape;
	const char *provider;            /**< borrowed from the catalogue */
	const struct offer *lb, *k8s, *backup, *monitoring, *volume; /**< extras, or NULL */
	double volume_gb;                /**< block storage bought beyond the servers' disks */
	unsigned app_replicas;           /**< replicas of each app component per app node */
	unsigned app_processes;          /**< app processes per app node */
	struct cost_breakdown cost;
	double util[PRES_COUNT];         /**< raw utilisation (p95: seconds; availability: A) */
	double limit[PRES_COUNT];        /**< the target it is checked against */
	bool has[PRES_COUNT];            /**< whether the constraint applies */
	double class_p95[PLANNER_MAX_CLASSES]; /**< per request class, seconds */
	double p95_s;                    /**< worst p95 over the classes the objective covers */
	double availability;             /**< composed monthly availability */
	bool monitored;                  /**< false on `single`: no alerting, so no SLA can be promised */
	bool feasible;
	enum plan_res fail;              /**< when infeasible: the constraint most over its target */
};

/** When the chosen deployment stops meeting its targets as users grow. */
struct plan_trigger {
	bool found;        /**< false: it holds up to `users` (the search cap) */
	enum plan_res res; /**< the constraint that breaks first */
	double users;      /**< the growth point: first user count at which it breaks */
	double months;     /**< months from now at the workload's growth rate; < 0 when unknown */
};

/** The plan for one milestone. */
struct plan_step {
	double users;
	struct demand demand;
	bool feasible;
	char why[320];                 /**< infeasible: why no shape meets the targets */
	struct plan_candidate best;    /**< the choice (or, when infeasible, the closest attempt) */
	bool has_runner_up;
	struct plan_candidate runner_up; /**< the cheapest feasible shape of another stage */
	bool has_binding;
	struct plan_candidate binding; /**< the dearest shape cheaper than best; its fail is why */
	bool stage_feasible[STAGE_COUNT];
	double stage_cost[STAGE_COUNT];  /**< cheapest feasible total per stage */
	enum plan_res bottleneck;      /**< highest utilisation against its limit */
	double bottleneck_ratio;       /**< util / limit of the bottleneck */
	struct plan_trigger next;
	struct cost_serverless serverless;
	struct cost_economics econ;
	unsigned long evaluated;       /**< shapes evaluated in full for this milestone (not those ruled out on cost) */
	struct avail_breakdown downtime; /**< where best's downtime comes from, by part and cause */
};

/**
 * Check a model before planning: every request class has an app component
 * to serve it, tasks a worker, database use a postgres component, the
 * current nodes' plans exist, the objective is reachable at zero load.
 * Reports one line per problem to d.
 * @param locate if not NULL, maps a dotted key path ("workload.tasks[0]") to
 *        where it is written, so each message points at its line (config_loc()).
 * @param ctx passed to locate.
 * @return 0, or HR_E_INVALID after reporting.
 */
HR_NODISCARD int planner_check(const struct planner_input *in, struct diag *d,
				 struct diag_loc (*locate)(const void *ctx, const char *path), const void *ctx);

/**
 * Evaluate one shape at a demand.
 * @return 0 and *out filled; HR_E_NOTFOUND when the catalogue cannot build
 *         the shape (no load balancer or Kubernetes offer from its provider,
 *         parts from different providers); HR_E_INVALID for a malformed shape.
 */
HR_NODISCARD int planner_evaluate(const struct planner_input *in, const struct plan_shape *shape,
				  const struct demand *d, struct plan_candidate *out);

/**
 * Plan every milestone.
 * @param users n user counts.
 * @param out n steps, filled (caller-owned storage).
 * @return 0; an error from demand_at() for a bad user count. A milestone no
 *         shape can meet is not an error: its step has feasible = false and why.
 */
HR_NODISCARD int planner_run(const struct planner_input *in, const double *users, size_t n,
			     struct plan_step *out);

/**
 * The milestones to plan when none are given on the command line: explicit
 * workload.milestones, else users * (1 + growth)^m for m = 0..months,
 * stopping before the curve passes WORKLOAD_MAX_USERS.
 * @param months horizon when the workload has no explicit milestones.
 * @param out caller storage of at least cap entries.
 * @return the number written (at most cap; fewer than months + 1 when the
 *         curve passes WORKLOAD_MAX_USERS first).
 */
size_t planner_milestones(const struct workload *w, unsigned months, double *out, size_t cap);

/** Most parts planner_avail_parts() lists. */
#define PLANNER_AVAIL_PARTS AVAIL_STAGE_PARTS

/**
 * The parts in series whose composition is a shape's availability in
 * planner_evaluate() (avail_stage_parts(): the zone, the app tier with k of
 * n nodes carrying the load at d, the database, the cache, the load
 * balancer, the control plane, the releases), each with its causes of
 * downtime. For reports (`headroom sla -f`): composing them gives exactly
 * the candidate's availability.
 * @param parts caller storage of PLANNER_AVAIL_PARTS; names are static strings.
 * @return the number of parts, or an error as planner_evaluate() returns.
 */
HR_NODISCARD int planner_avail_parts(const struct planner_input *in, const struct plan_shape *shape,
				     const struct demand *d, struct avail_part *parts);

/** Total servers of a candidate (all roles). */
unsigned planner_node_count(const struct plan_candidate *c);

/** The deployment for the users now and the one after its first growth point. */
struct next_step {
	struct plan_step now;  /**< the cheapest deployment for workload.users */
	bool has_then;         /**< now is feasible and breaks at now.next.users */
	struct plan_step then; /**< the cheapest deployment at that growth point */
};

#endif
