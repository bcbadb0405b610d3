/* export.h - the plan an export is written from (`headroom export`).
 *
 * Wiring shared by every exporter: set the planner up from the config
 * (pipeline/planning.h), plan the requested user count (the config's users
 * by default), optionally held to one stage template, place every
 * component (model/placement.h), and plan the growth point where that
 * deployment stops meeting its targets, whose replicas bound autoscaling. */
#ifndef HR_PIPELINE_EXPORT_H
#define HR_PIPELINE_EXPORT_H

#include <stdbool.h>

#include "config/config.h"
#include "model/placement.h"
#include "pipeline/planning.h"
#include "util/diag.h"

/** A planned deployment ready to export. Borrows the config; owns the rest. */
struct export_plan {
	const struct config *cfg;
	struct planning ps;
	struct deployment dep;      /**< the config's, held to one stage when asked */
	struct objectives obj;      /**< the config's; without the availability objective when
	                                 the stage asked for cannot meet it */
	struct planner_input in;    /**< ps.in pointing at dep */
	double users;
	bool stage_forced;          /**< --stage was given */
	struct plan_step step;      /**< the plan at users */
	bool has_then;
	struct plan_step then;      /**< the plan at step.next.users, when it breaks before the search cap */
	struct placement *pl;       /**< one per component (owned) */
};

/**
 * Plan and place.
 * @param users the user count, or a negative number for workload.users.
 * @param stage a stage to hold the plan to, or -1 for the cheapest of any.
 * @return 0; HR_E_IO or HR_E_INVALID after reporting config problems to d;
 *         HR_E_INFEASIBLE after reporting why no deployment meets the
 *         targets at users. ep is always safe to pass to export_plan_free().
 */
HR_NODISCARD int export_plan_init(struct export_plan *ep, const struct config *cfg, double users, int stage,
				  struct diag *d);

/** Release what export_plan_init() made. NULL is a no-op. */
void export_plan_free(struct export_plan *ep);

/** Largest replica count of component i across step and then: the autoscaling ceiling. */
unsigned export_max_replicas(const struct export_plan *ep, size_t i);

#endif
