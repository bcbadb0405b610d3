/* planner.h - the cheapest deployment that meets every target, milestone by milestone.
 *
 * Design note. A candidate deployment is a *shape*: a stage template
 * (single, single+ops, split, ha, cluster; model.h), a server plan and count
 * for the app nodes, and a data tier: how the database runs (on the app
 * node, on its own node(s), or a managed offer), its read replicas, a
 * connection pooler (PgBouncer) in front of it, a Redis read cache taking
 * reads off it, where Redis runs (on the app nodes, as a Sentinel-managed
 * primary and replica there, or a managed offer), and whether the workers
 * run on nodes of their own. planner_evaluate() turns a shape and a demand into
 * utilisation per resource, a p95 per request class (M/M/c), an availability
 * (from each part's failures and recoveries, model/availability.h) and a
 * monthly cost. planner_run() searches
 * every shape the catalogue allows for each milestone and keeps the cheapest
 * feasible one, preferring the simpler stage on equal cost.
 *
 * The search covers stage x provider x plans x database x replicas x cache
 * x workers; over the counts (app nodes, replicas, worker nodes) it is
 * pruned by monotonicity arguments (docs/plan.md, "Search"): adding an app
 * node lowers every per-node load and raises the availability, and only
 * raises the database connections, so the smallest count meeting the
 * per-node targets is the only one that can be cheapest; if it breaks the
 * connection limit, every larger count does too. The options that cost
 * nothing (pooler, read cache, Sentinel) are turned on only where a shape
 * needs them. A shape whose cost floor (its price without volumes) is
 * already above its stage's best is not evaluated: it could change none of
 * the results.
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
/** Most worker nodes of their own a shape may have (a search bound). */
#define PLANNER_MAX_WORKER_NODES 50u
/** Most read replicas of one database: Amazon RDS's limit, "Each DB instance
 *  can have up to 15 read replicas" (RDS API, CreateDBInstanceReadReplica). */
#define PLANNER_MAX_REPLICAS 15u

/** The constraints a candidate is checked against (JSON names: planner_res_name()). */
enum plan_res {
	PRES_CPU,            /**< app-node CPU (all of it on single-node stages) */
	PRES_MEMORY,         /**< app-node memory */
	PRES_DISK,           /**< app-node disk (files; the database too on one node) */
	PRES_CONNECTIONS,    /**< requests in flight / worker slots (workers x concurrency) */
	PRES_TASK_SLOTS,     /**< tasks running / worker-component slots */
	PRES_WORKER_CPU,     /**< worker nodes of their own: CPU */
	PRES_WORKER_MEMORY,  /**< worker nodes of their own: memory */
	PRES_DB_CPU,         /**< database (primary) node or managed DB vCPU */
	PRES_DB_MEMORY,      /**< database node memory */
	PRES_DB_DISK,        /**< database node or managed DB storage */
	PRES_DB_CONNECTIONS, /**< server connections / max_connections (clients' pools, or the pooler's pool) */
	PRES_REPLICA_CPU,    /**< each read replica's vCPU: its share of the reads plus replaying the writes */
	PRES_POOLER_CLIENTS, /**< client connections / the pooler's max_client_conn */
	PRES_POOLER_POOL,    /**< transactions in flight on one database server / the pooler's pool_size */
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
	unsigned n_replicas;               /**< read replicas: nodes of db_node's plan, or of managed_db */
	bool pooler;                       /**< PgBouncer (transaction pooling) in front of each database server */
	bool read_cache;                   /**< the app reads through Redis: cache_hit_ratio of the reads off the DB */
	const struct offer *managed_cache; /**< managed Redis, or NULL (Redis on the app nodes) */
	bool redis_ha;                     /**< Redis on the app nodes as primary + replica under Sentinel */
	const struct offer *wrk_node;      /**< worker nodes of their own (split, ha), or NULL (on the app nodes) */
	unsigned n_wrk;                    /**< how many */
};

/** A shape, evaluated. */
struct plan_candidate {
	struct plan_shape shape;
	const char *provider;            /**< borrowed from the catalogue */
	const struct offer *lb, *k8s, *backup, *monitoring, *volume; /**< extras, or NULL */
	double volume_gb;                /**< block storage bought beyond the servers' disks */
	unsigned app_replicas;           /**< replicas of each app component per app node */
	unsigned app_processes;          /**< app processes per app node */
	unsigned app_needed;             /**< app nodes that carry the peak (k of n_app; availability's k-of-n); set with availability */
	unsigned wrk_replicas;           /**< replicas of each worker component per worker node (own nodes) */
	double db_clients;               /**< client connections to the database (processes x db_pool) */
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
	unsigned over;                   /**< bit r set: constraint r over its target */
};

/** When the chosen deployment stops being the plan's choice as users grow. */
struct plan_trigger {
	bool found;        /**< false: it holds up to `users` (the search cap) */
	bool cheaper;      /**< true: another shape becomes cheaper (volumes grow); false: a constraint breaks */
	enum plan_res res; /**< the constraint that breaks first (when !cheaper) */
	double users;      /**< the growth point: first user count at which it stops being the choice */
	double months;     /**< months from now at the workload's growth rate; < 0 when unknown */
	struct plan_candidate then; /**< cheaper: the shape that takes over, evaluated at `users` */
};

/**
 * What a reason says. The model gives a kind and its figures; render/reason.h
 * words them. Each kind lists the fields of struct plan_reason it sets.
 */
enum plan_reason_kind {
	PLAN_REASON_NONE,                /**< nothing to say (feasible, or a valid current deployment) */
	/* Why no shape meets the targets at a milestone (plan_step.why). */
	PLAN_REASON_EXT_RATE,            /**< name's calls at rate need more than target of its rate_limit */
	PLAN_REASON_NO_SHAPE,            /**< the catalogue offers no shape for the allowed stages and providers */
	PLAN_REASON_NOT_AT_ONCE,         /**< every constraint is met by some shape, none meets all; the closest
	                                      fails on res */
	PLAN_REASON_AVAIL_UNMONITORED,   /**< no allowed stage has the monitoring and backups target needs */
	PLAN_REASON_AVAIL_BEST,          /**< no shape reaches target, the best reaches best; name (or NULL): the closest
	                                      shape's part with the most downtime, part_u of its total_u */
	PLAN_REASON_P95,                 /**< no shape answers within target seconds, the best in best */
	PLAN_REASON_LIMIT,               /**< no shape keeps res under target, the best reaches best */
	/* A change of the config that lifts an infeasible milestone (plan_remedy.what). */
	PLAN_REASON_FIX_POOLER,          /**< deployment.pooler.use: any */
	PLAN_REASON_FIX_MAX_CONNECTIONS, /**< components.<name>.max_connections: value */
	PLAN_REASON_FIX_DB_POOL,         /**< components.<pools[i].component>.db_pool: pools[i].db_pool, for each */
	PLAN_REASON_FIX_MAX_CLIENT_CONN, /**< deployment.pooler.max_client_conn: value */
	PLAN_REASON_FIX_MAX_REPLICAS,    /**< deployment.max_read_replicas: value */
	PLAN_REASON_FIX_ALL_STAGES,      /**< every stage (deployment.stages left out) */
	PLAN_REASON_FIX_ANY_DATABASE,    /**< deployment.database: any */
	PLAN_REASON_FIX_ALL_PROVIDERS,   /**< every provider of the catalogue (deployment.providers left out) */
	/* Why deployment.current is not a shape (plan_current.why, planner_current_shape()). */
	PLAN_REASON_CUR_UNKNOWN_PLAN,    /**< plan name (NULL: none given) is not in the catalogue */
	PLAN_REASON_CUR_REPLICA_PLANS,   /**< replicas of two plans, name and other */
	PLAN_REASON_CUR_NOT_A_NODE,      /**< offer name is not a node the model places */
	PLAN_REASON_CUR_CACHE_NODE,      /**< a node of its own for Redis */
	PLAN_REASON_CUR_ROLE_PLANS,      /**< nodes of two plans, name and other, in one role */
	PLAN_REASON_CUR_REPLICA_OF,      /**< replicas of name beside other (NULL: no database), not its plan */
	PLAN_REASON_CUR_NOT_A_STAGE,     /**< the nodes are not a stage of kind stage, or the provider lacks a part
	                                      it needs */
	PLAN_REASON_COUNT
};

/** Most components one PLAN_REASON_FIX_DB_POOL change lists. */
#define PLAN_REASON_MAX_POOLS 8

/**
 * A reason, as data: a kind and the figures and names its words need.
 * Names are borrowed: from the config (components, plans, external APIs),
 * the catalogue (offers) or static strings of the model (parts of a stage);
 * they live as long as the planner's input.
 */
struct plan_reason {
	enum plan_reason_kind kind;
	enum plan_res res;        /**< NOT_AT_ONCE, LIMIT: the constraint */
	enum stage_kind stage;    /**< CUR_NOT_A_STAGE: the stage deployment.current names */
	const char *name;         /**< the API, part, component, plan or offer the kind names; may be NULL */
	const char *other;        /**< the second plan or offer the kind names; may be NULL */
	double target;            /**< EXT_RATE, LIMIT: the share of the limit allowed; AVAIL_*: the availability
	                               objective; P95: the objective in seconds */
	double best;              /**< AVAIL_BEST: the best availability; P95: the best p95 in seconds; LIMIT: the
	                               lowest utilisation any shape reaches */
	double rate, rate_limit;  /**< EXT_RATE: calls per second, and the API's limit */
	double part_u, total_u;   /**< AVAIL_BEST with a name: that part's unavailability, and the closest shape's */
	double value;             /**< FIX_MAX_CONNECTIONS, FIX_MAX_CLIENT_CONN, FIX_MAX_REPLICAS: the new value */
	size_t n_pools;           /**< FIX_DB_POOL: components changed (pools holds the first PLAN_REASON_MAX_POOLS) */
	struct plan_pool_change {
		const char *component; /**< its name, or NULL */
		unsigned db_pool;      /**< its new db_pool */
	} pools[PLAN_REASON_MAX_POOLS];
};

/** Most remedies an infeasible milestone lists. */
#define PLANNER_MAX_REMEDIES 3

/** A change of the config that makes an infeasible milestone feasible. */
struct plan_remedy {
	struct plan_reason what;    /**< the change, as config keys (a PLAN_REASON_FIX_* kind) */
	struct plan_candidate plan; /**< the cheapest shape with it */
};

/** The plan for one milestone. */
struct plan_step {
	double users;
	double month;                  /**< months from workload.users at its growth rate; NAN without one */
	struct demand demand;
	bool feasible;
	struct plan_reason why;        /**< infeasible: why no shape meets the targets */
	enum plan_res blocking;        /**< infeasible: the constraint that blocks (PRES_COUNT: none alone) */
	double blocking_ratio;         /**< its best utilisation / limit over every shape evaluated */
	struct plan_remedy remedies[PLANNER_MAX_REMEDIES]; /**< infeasible: the cheapest first */
	size_t n_remedies;
	bool has_current;              /**< deployment.current is a shape the model can evaluate */
	struct plan_candidate current; /**< deployment.current at this milestone */
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

/**
 * deployment.current as a shape: "all" nodes on a single stage, "app" (or
 * "node") nodes, "db" nodes (the primary and standby), "replica" nodes,
 * "worker" nodes, and managed offers by their kind; the pooler when
 * deployment.pooler.use is always.
 * @param why filled with the reason when the nodes do not make a shape
 *        (PLAN_REASON_NONE otherwise).
 * @return 0; HR_E_NOTFOUND without a current deployment; HR_E_INVALID when
 *         its nodes are not a shape of its stage (why says what).
 */
HR_NODISCARD int planner_current_shape(const struct planner_input *in, struct plan_shape *out,
				       struct plan_reason *why);

/** What runs today, against the growth curve. */
struct plan_current {
	bool present;                  /**< deployment.current is given */
	bool valid;                    /**< and makes a shape (else why) */
	struct plan_reason why;        /**< when !valid: why not (a PLAN_REASON_CUR_* kind) */
	struct plan_candidate now;     /**< evaluated at workload.users */
	struct plan_trigger until;     /**< the first user count at which it fails (never "cheaper") */
};

/**
 * Evaluate deployment.current at workload.users and find the first user
 * count at which it stops meeting every target, and on what.
 * @return 0 (out->present false without a current deployment); an error
 *         from demand_at().
 */
HR_NODISCARD int planner_current(const struct planner_input *in, struct plan_current *out);

/** A dedicated stack per enterprise customer (economics.dedicated). */
struct plan_dedicated {
	bool present;
	double users;             /**< users of one customer */
	unsigned customers;
	double availability;      /**< the objective it was planned for (0 = none) */
	struct plan_step step;    /**< the plan of one stack */
	double total;             /**< customers x one stack's total (infra + operations + external) */
	double margin;            /**< (revenue - one stack's total) / revenue; NAN without a revenue */
	double margin_infra;      /**< (revenue - one stack's infrastructure) / revenue (seed 000 section 9's
	                               "margin on infrastructure"); NAN without a revenue */
};

/**
 * Plan one dedicated stack: the cheapest shape for economics.dedicated.users
 * at economics.dedicated.availability (or the objectives' availability).
 * @return 0 (out->present false without the section); an error from demand_at().
 */
HR_NODISCARD int planner_dedicated(const struct planner_input *in, struct plan_dedicated *out);

/** Most parts planner_avail_parts() lists. */
#define PLANNER_AVAIL_PARTS AVAIL_STAGE_PARTS

/**
 * The parts in series whose composition is a shape's availability in
 * planner_evaluate() (avail_stage_parts(): the zone, the app tier with k of
 * n nodes carrying the load at d, the database, its read replicas (k of n
 * carrying the reads), the cache (one node, a Sentinel or managed pair), the
 * load balancer, the control plane, the releases), each with its causes of
 * downtime. Worker nodes of their own are not in the request path and not
 * listed. For reports (`headroom sla -f`): composing them gives exactly the
 * candidate's availability.
 * @param parts caller storage of PLANNER_AVAIL_PARTS; names are static strings.
 * @return the number of parts, or an error as planner_evaluate() returns.
 */
HR_NODISCARD int planner_avail_parts(const struct planner_input *in, const struct plan_shape *shape,
				     const struct demand *d, struct avail_part *parts);

/** Total servers of a candidate (all roles). */
unsigned planner_node_count(const struct plan_candidate *c);

/** Do two shapes name the same deployment (same parts, counts and options)? */
bool planner_shape_equal(const struct plan_shape *a, const struct plan_shape *b);

/** Months from workload.users to users at the workload's growth rate; NAN without one. */
double planner_month_of(const struct workload *w, double users);

/** The deployment for the users now and the one after its first growth point. */
struct next_step {
	struct plan_step now;  /**< the cheapest deployment for workload.users */
	bool has_then;         /**< now is feasible and breaks at now.next.users */
	struct plan_step then; /**< the cheapest deployment at that growth point */
};

#endif
