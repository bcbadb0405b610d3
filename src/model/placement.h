/* placement.h - a planned deployment, component by component: where each
 * runs, how many replicas, and the CPU and memory each replica asks for and
 * may use. The exports (compose, Kubernetes) write these figures.
 *
 * From the planner's choice (planner.h) and the demand at its user count:
 *   replicas       app and worker groups: the planner's replicas per node
 *                  (one process per vCPU) x app nodes; proxy and other: one
 *                  per app node; postgres and redis: one, unless managed
 *   cpu request    the replica's share of the group's CPU demand (utilisation
 *                  law) + its idle cost
 *   cpu limit      one core per process (a process serves at most one core,
 *                  the planner's premise), at most the node's vCPUs
 *   memory request resident memory of its processes + its share of the memory
 *                  held by requests or tasks in flight (Little's law)
 *   memory limit   the request over the memory utilisation objective (80 % by
 *                  default), so the limit sits where the plan's own target is
 *   queue target   worker: tasks one replica finishes in a KEDA polling
 *                  interval: slots / mean task duration x interval
 * Pure: no I/O. */
#ifndef HR_MODEL_PLACEMENT_H
#define HR_MODEL_PLACEMENT_H

#include <stdbool.h>
#include <stddef.h>

#include "model/planner.h"

/** KEDA's default pollingInterval, seconds (keda.sh/docs, ScaledObject spec). */
#define PLACEMENT_KEDA_POLL_S 30.0
/** Smallest CPU request written: 10 millicores. */
#define PLACEMENT_MIN_CPU 0.01
/** Smallest memory written: 16 MiB. */
#define PLACEMENT_MIN_MEM (16.0 * 1048576.0)

/** Where a component runs in a planned shape. */
enum placement_where {
	PLACE_NODE,    /**< on the app node(s) ("all" on single stages) */
	PLACE_DB_NODE, /**< on the database node(s) of split/ha/cluster */
	PLACE_MANAGED, /**< a managed offer: no container to run */
};

/** One component of a planned deployment. */
struct placement {
	const struct component *comp;  /**< borrowed from the planner input */
	enum placement_where where;
	const struct offer *offer;     /**< the node plan it runs on, or the managed offer; borrowed */
	unsigned replicas;             /**< in total */
	double cpu_request, cpu_limit; /**< cores per replica */
	double mem_request_b, mem_limit_b; /**< bytes per replica */
	double task_s;                 /**< worker: mean task duration, seconds (0 without tasks) */
	unsigned queue_target;         /**< worker: list length one replica clears in a KEDA poll */
};

/**
 * Place every component of the step's chosen candidate.
 * @param in the planner input the step was planned with (borrowed).
 * @param st a planned step; its best candidate is placed.
 * @param out caller storage of in->n_components entries, in component order.
 * @return 0; HR_E_INVALID when the step has no candidate node plan.
 */
HR_NODISCARD int placement_compute(const struct planner_input *in, const struct plan_step *st,
				   struct placement *out);

#endif
