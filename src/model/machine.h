/* machine.h - the machine a component gets in a planned deployment.
 *
 * `headroom tune postgres -f` and `headroom tune app -f` size a server for
 * the node the planner chose at a user count: this module reads that node
 * off a plan step (its catalogue plan, vCPUs and memory) and says how much of
 * it the component may use, given what else the plan puts on the same node.
 *
 *   database  on its own node (split, ha, cluster): all of that node;
 *             managed: the offer's size (the provider owns the settings);
 *             on the app node (single, single+ops): the postgres
 *             component's `memory` when the config gives it, else the node's
 *             memory, marked shared.
 *   app/worker  an app node's vCPUs (a worker's own node when the plan gives
 *             workers nodes of their own), and its memory less what the
 *             other components placed there reserve (postgres and redis
 *             unless they run elsewhere, proxy and other, the other app and
 *             worker components' processes).
 *
 * Pure: no I/O, no globals. */
#ifndef HR_MACHINE_H
#define HR_MACHINE_H

#include <stdbool.h>

#include "model/model.h"
#include "model/planner.h"
#include "util/error.h"

/** Where the component runs. */
enum machine_where {
	MACHINE_OWN_NODE,  /**< a node of its own (the database node of split/ha/cluster) */
	MACHINE_MANAGED,   /**< a managed service */
	MACHINE_SHARED,    /**< a node it shares with other components */
};

/** A machine and the component's share of it. */
struct machine {
	enum machine_where where;
	const struct offer *offer;   /**< the catalogue entry (borrowed) */
	const struct component *comp;/**< the component sized (borrowed) */
	double vcpu;                 /**< vCPUs of the node */
	double node_memory_b;        /**< memory of the node */
	double memory_b;             /**< memory the component may use */
	bool memory_from_config;     /**< memory_b is the component's own `memory` (database on a shared node) */
	double others_b;             /**< app/worker: memory the other components on the node reserve */
	unsigned max_connections;    /**< database: what the plan checked the connections against */
	double peak_connections;     /**< database: connections the plan expects at the peak; NaN when none */
	double db_size_b;            /**< database: its planned size */
	bool pooler;                 /**< database: PgBouncer in front (the peak counts its server connections) */
	unsigned replicas;           /**< database: read replicas of the same plan (the settings suit them too) */
	double cpu_share;            /**< app/worker: CPU time over wall time of the work at the peak
	                                  (Little's law: cores used / requests or tasks in flight); NaN when none */
};

/**
 * The database's machine in a plan step.
 * @param in the planner input the step was planned with (borrowed).
 * @param why set to a static sentence on failure.
 * @return 0; HR_E_NOTFOUND when the config has no postgres component;
 *         HR_E_INFEASIBLE when the step has no deployment at all.
 */
HR_NODISCARD int machine_for_db(const struct planner_input *in, const struct plan_step *st, struct machine *out,
				const char **why);

/**
 * An app or worker component's machine in a plan step: an app node, or a
 * worker node when the plan gives the workers nodes of their own.
 * @param comp the component (one of in->components), kind COMP_APP or COMP_WORKER.
 * @return 0; HR_E_INVALID when comp is not an app or worker; HR_E_INFEASIBLE
 *         when the step has no deployment at all.
 */
HR_NODISCARD int machine_for_app(const struct planner_input *in, const struct plan_step *st,
				 const struct component *comp, struct machine *out, const char **why);

/** The memory a component reserves: per process for app/worker, the instance otherwise (as the planner counts it). */
double machine_component_memory(const struct component *c);

#endif
