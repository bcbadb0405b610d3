/* availability.h - availability from failures, recoveries and planned downtime.
 *
 * Design note. Availability is not a product of providers' SLAs: those are
 * credit thresholds (they set service credits: AWS Compute SLA,
 * https://aws.amazon.com/compute/sla/, 2022-05-05 version; DigitalOcean
 * Droplet SLA, https://www.digitalocean.com/sla/cpu-droplets, 2025-06-03).
 * A stage is parts in series (a
 * zone, the app nodes, the database, the cache, a load balancer, the control
 * plane, the releases), each a group of identical units; each unit has
 * causes of downtime, each with a rate and a time down that depends on how it
 * recovers (a restore from backup, a standby image started, a load balancer's
 * health check, a database failover, a pod restarted by Kubernetes), and the
 * group's structure says what redundancy buys:
 *
 *   one unit        U = X / (1 + X),  X = sum rate_c * down_c
 *                   (A = MTTF / (MTTF + MTTR) with failure modes in
 *                   competition; Treynor et al., "The Calculus of Service
 *                   Availability", ACM Queue 15(2), 2017)
 *   pool            k of n needed at the peak (share s of the time), one
 *                   otherwise; a failed unit's share of the traffic is lost
 *                   until the load balancer takes it out (takeover):
 *                   U = min(u1, s P(<k up) + (1-s) P(<1 up) + B), binomial on
 *                   the unit unavailability u from unplanned causes, and
 *                   B = Y / (1 + Y), Y = sum rate_c * min(takeover_c, down_c)
 *   failover pair   one active, the others standby: each failure of the
 *                   active costs its failover:
 *                   U = min(u1, u^n + B + sum_planned rate_c * min(takeover_c, down_c))
 *
 * u1 is the figure of one unit alone (planned causes included), so that
 * redundancy never makes a part worse; planned causes (deploys, reboots) are
 * rolled through a pool (zero downtime with two or more units) and switched
 * over in a pair. Every term grows with every down time and shrinks with the
 * units, so a longer repair never raises availability and a redundant unit
 * never lowers it (tests/unit/test_availability.c checks both on random
 * parts). A published SLA may bound a part (max_u): for a part that is all
 * the provider's (a load balancer) the bound is all that is known.
 *
 * Parts compose in series, U = 1 - prod (1 - U_i), formed as
 * -expm1(sum log1p(-U_i)) so that a small total keeps its digits. Each
 * part's U is split among its causes, so a report can say how many minutes
 * a month each part and cause costs. Downtime per month uses the 730-hour
 * month (43,800 min), like the costs.
 *
 * avail_stage_parts() turns a stage (which nodes, where the database and the
 * cache run, what watches them) and the reliability inputs into its parts:
 * the one composition `plan`, `sla -f` and `check` share. Out-of-domain
 * arguments of the plain formulas give NAN. */
#ifndef HR_AVAILABILITY_H
#define HR_AVAILABILITY_H

#include <stdbool.h>
#include <stddef.h>

#include "model/model.h"
#include "util/error.h"

/** Series composition of n parts. */
double avail_series(const double *a, size_t n);
/** Parallel composition of n parts (any one suffices). */
double avail_parallel(const double *a, size_t n);
/** At least k of n identical parts of availability a up (binomial). */
double avail_k_of_n(unsigned k, unsigned n, double a);
/** Minutes of downtime a month (730 h) at availability a. */
double avail_downtime_min_month(double a);
/** Seconds of downtime in a period of period_s seconds at availability a. */
double avail_downtime_s(double a, double period_s);
/** Availability from mean time between failures and mean time to repair: MTBF / (MTBF + MTTR). */
double avail_from_mtbf(double mtbf_s, double mttr_s);

/** Most units one part may have (k-of-n sums this many terms). */
#define AVAIL_MAX_COUNT 1000u
/** Most causes one part lists. */
#define AVAIL_MAX_CAUSES 4

/** One way a unit stops serving, and how long it is out each time. */
struct avail_cause {
	const char *name;   /**< borrowed label: "host", "software", "deploy", "reboot", ... */
	double rate;        /**< events per second, per unit */
	double down_s;      /**< how long the unit is out per event: detection + recovery */
	double takeover_s;  /**< pool or pair: outage per event before the others serve (health
	                         check, failover); ignored for a part of one unit */
	bool planned;       /**< a planned event (deploy, reboot): rolled through a pool,
	                         switched over in a pair */
};

/** What redundancy a part has. */
enum avail_mode {
	AVAIL_POOL,     /**< units serve side by side; k_needed must be up */
	AVAIL_FAILOVER, /**< one active unit, the others standby */
};

/**
 * One part of a stage: count identical units.
 *
 * With n_causes == 0 the unit has a fixed availability (a published SLA, or
 * `headroom sla --series 99.9%`): k of n on it, no takeover (a failover pair
 * needs causes: an availability does not say how often the active unit fails).
 */
struct avail_part {
	const char *name;         /**< borrowed label for reports ("db"); may be NULL */
	unsigned count;           /**< units deployed, 1..AVAIL_MAX_COUNT */
	unsigned k_needed;        /**< pool: units needed at the peak, 1..count; pair: 1 */
	enum avail_mode mode;
	double peak_share;        /**< pool: share of the time k_needed are needed, (0, 1]; 0 counts as 1 */
	double availability;      /**< of one unit, when n_causes == 0, in [0, 1] */
	const char *fixed_cause;  /**< the label of that fixed figure in a breakdown; NULL: "unit" */
	struct avail_cause causes[AVAIL_MAX_CAUSES];
	size_t n_causes;
	double max_u;             /**< > 0: a published SLA bounds the part's unavailability at this */
};

/** A part, evaluated. */
struct avail_part_u {
	double u;                          /**< the part's unavailability */
	double cause_u[AVAIL_MAX_CAUSES];  /**< u split by cause (sums to u); [0] holds all of a fixed figure */
	double unit_u;                     /**< one unit's unavailability from unplanned causes (fixed: 1 - availability) */
	bool bounded;                      /**< max_u applied */
	/* The arithmetic, for reports (0 for a fixed figure): */
	double x;                          /**< sum rate * down over every cause */
	double single_u;                   /**< X / (1 + X): the part as one unit */
	double structural_u;               /**< pool: s P(<k up) + (1-s) P(<1 up); pair: u^n */
	double takeover_u;                 /**< Y / (1 + Y), Y = sum rate * min(takeover, down), unplanned */
	double planned_u;                  /**< pair: planned switch-overs, sum rate * min(takeover, down) */
	bool as_single;                    /**< redundancy could not beat one unit: u = single_u */
};

/**
 * Evaluate one part.
 * @return 0 and *out filled; HR_E_INVALID with *why pointing at a static
 *         sentence when a field is out of its domain.
 */
HR_NODISCARD int avail_part_eval(const struct avail_part *part, struct avail_part_u *out, const char **why);

/**
 * Parts in series (every part is needed): U = 1 - prod (1 - U_i).
 * @param each if not NULL, receives each part's evaluation (n entries).
 * @param index if not NULL, receives the index of the first bad part on error.
 * @return 0 and *total_u set; HR_E_INVALID with *why and *index on a bad
 *         part. n == 0 gives 0 (nothing that can fail).
 */
HR_NODISCARD int avail_compose(const struct avail_part *parts, size_t n, struct avail_part_u *each,
			       double *total_u, size_t *index, const char **why);

/** The defaults of `reliability:` (config/schema_objectives.c and docs/config.md give their sources). */
void avail_defaults(struct reliability *r);

/** Where the database runs, as availability sees it. */
enum avail_db {
	AVAIL_DB_NONE,       /**< no database */
	AVAIL_DB_ON_NODE,    /**< on the one node of a single-node stage */
	AVAIL_DB_NODE,       /**< self-run on a node of its own, restored from backup */
	AVAIL_DB_PAIR,       /**< self-run primary + standby with automatic failover (Patroni) */
	AVAIL_DB_MANAGED,    /**< managed, one node: the provider replaces and restores it */
	AVAIL_DB_MANAGED_HA, /**< managed with a standby: the provider fails over */
};

/** Where Redis runs, as availability sees it. */
enum avail_cache {
	AVAIL_CACHE_NONE,       /**< no cache */
	AVAIL_CACHE_ON_NODE,    /**< on the one node of a single-node stage */
	AVAIL_CACHE_ONE_NODE,   /**< one instance on one of several app nodes */
	AVAIL_CACHE_MANAGED,    /**< managed, one node */
	AVAIL_CACHE_MANAGED_HA, /**< managed with a replica that takes over */
	AVAIL_CACHE_SENTINEL,   /**< self-run primary + replica on two app nodes, Sentinel failing over */
};

/** A stage as availability sees it; the planner fills it from a shape. */
struct avail_stage {
	unsigned app_nodes;   /**< nodes serving requests (1 on single, single+ops and split) */
	unsigned app_needed;  /**< of them needed to carry the peak, 1..app_nodes */
	double peak_share;    /**< share of the time at the peak (workload.busy_time a day); 0 counts as 1 */
	bool single_node;     /**< everything on one node (single, single+ops) */
	bool monitored;       /**< uptime monitoring with alerting, backups and a standby image (all but `single`) */
	bool kubernetes;      /**< pods restarted and rescheduled by Kubernetes (cluster) */
	bool lb;              /**< behind a load balancer */
	enum avail_db db;
	double db_bytes;      /**< database size, for restores */
	unsigned db_replicas; /**< read replicas of the database (self-run nodes, or managed instances) */
	unsigned db_replicas_needed; /**< of them needed to carry the reads, 1..db_replicas (0 without replicas) */
	enum avail_cache cache;
	double node_sla;      /**< published SLA of the servers' plan, 0 = none: bounds the zone's share */
	double lb_sla;        /**< of the load balancer, 0 = none published */
	double k8s_sla;       /**< of the Kubernetes control plane, 0 = none published */
	double db_sla;        /**< of a managed database, 0 = none published */
	double cache_sla;     /**< of a managed cache, 0 = none published */
};

/** Most parts avail_stage_parts() lists. */
#define AVAIL_STAGE_PARTS 8

/**
 * A load balancer or control plane that publishes no SLA is taken at the
 * lowest figure found published for one (DigitalOcean's regional load
 * balancer, 99.9 %, https://www.digitalocean.com/sla/regional-load-balancers;
 * AWS EC2's instance level, 99.5 %, https://aws.amazon.com/compute/sla/,
 * 2022-05-05 version, for a control plane), not at a generous guess.
 */
#define AVAIL_LB_UNPUBLISHED 0.999
/** See AVAIL_LB_UNPUBLISHED. */
#define AVAIL_K8S_UNPUBLISHED 0.995
/** A published "100 %" is a credit promise, not a failure rate: no part is
 *  taken at better than five nines. */
#define AVAIL_PUBLISHED_MAX 0.99999

/**
 * The parts in series of a stage (docs/plan.md, "Availability"): zone, node
 * or app, db, replicas, cache, lb, control-plane, releases (those that
 * apply, in that order). Names and cause labels are static strings.
 * @param r the reliability inputs (avail_defaults() for the defaults).
 * @param parts caller storage of AVAIL_STAGE_PARTS.
 * @param n receives the number of parts.
 * @return 0; HR_E_INVALID when the stage is malformed (no app node, more
 *         needed than there are, more than AVAIL_MAX_COUNT).
 */
HR_NODISCARD int avail_stage_parts(const struct reliability *r, const struct avail_stage *st,
				   struct avail_part *parts, size_t *n);

/** Where avail_stage_parts() puts the app tier (after the zone). */
#define AVAIL_APP_PART 1

/** The parts of a stage other than its database and cache, evaluated once
 *  for the many shapes that share them (one app tier of one provider). */
struct avail_memo {
	bool done;        /**< false: not yet evaluated (zero-initialise, or reset when the tier changes) */
	double log_up;    /**< sum of log(1 - U) over the zone, app, lb, control-plane and releases parts */
};

/**
 * The stage's unavailability: what composing avail_stage_parts() with
 * avail_compose() gives (to rounding: the terms are summed in another
 * order), without building the report.
 * @param memo if not NULL, remembers every part but the database, its replicas and the
 *        cache between calls whose stages differ only there; the caller
 *        resets done when anything else changes (the app tier, the provider).
 * @return 0; HR_E_INVALID as avail_stage_parts().
 */
HR_NODISCARD int avail_stage_u(const struct reliability *r, const struct avail_stage *st, struct avail_memo *memo,
			       double *u);

/** Most lines a breakdown holds: every cause of every part of a stage. */
#define AVAIL_LINES_MAX (AVAIL_STAGE_PARTS * AVAIL_MAX_CAUSES)

/** Where the downtime comes from: one line per part and cause. */
struct avail_breakdown {
	double total_u;  /**< the stage's unavailability */
	size_t n;        /**< lines used, in part order, causes in their order; zero lines left out */
	struct avail_line {
		const char *part;  /**< borrowed from the part */
		const char *cause; /**< borrowed from the cause */
		double u;          /**< unavailability this cause of this part adds */
	} line[AVAIL_LINES_MAX];
};

/**
 * Compose parts and list the downtime each part and cause costs.
 * @return 0; HR_E_INVALID (with *why) as avail_compose().
 */
HR_NODISCARD int avail_breakdown(const struct avail_part *parts, size_t n, struct avail_breakdown *out,
				 const char **why);

#endif
