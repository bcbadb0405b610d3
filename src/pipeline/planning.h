/* planning.h - the planner set up from a loaded config, for `plan`, `sla -f`
 * and `check` (which names the cheapest next step when a trigger fires).
 *
 * Wiring only: load the shipped catalogue, merge the config's own entries,
 * convert every price to the model's currency, check references and the
 * model, then hand the planner its input. */
#ifndef HR_PIPELINE_PLANNING_H
#define HR_PIPELINE_PLANNING_H

#include <stdbool.h>

#include "config/config.h"
#include "model/planner.h"
#include "util/diag.h"

/** A planner ready to run. Owns the catalogue; borrows the config. */
struct planning {
	struct catalog cat;
	struct planner_input in;
};

/**
 * Only the catalogue part of planning_init(): shipped entries, the config's,
 * prices in the model's currency, references checked. ps->in is set too,
 * but the model itself is not checked (planner_check()).
 * @return 0; HR_E_IO or HR_E_INVALID after reporting to d.
 */
HR_NODISCARD int planning_catalog(struct planning *ps, const struct config *cfg, struct diag *d);

/**
 * Prepare the planner for cfg (borrowed; it must outlive ps).
 * @return 0; HR_E_IO or HR_E_INVALID after reporting to d. ps is always
 *         safe to pass to planning_free().
 */
HR_NODISCARD int planning_init(struct planning *ps, const struct config *cfg, struct diag *d);

/** Release what planning_init() made. NULL is a no-op. */
void planning_free(struct planning *ps);

/** Does this config describe a workload the planner can size? */
bool planning_has_workload(const struct config *cfg);


/**
 * Plan for the config's current users, then for the user count at which that
 * deployment first breaks a target.
 * @return 0; an error from planner_run().
 */
HR_NODISCARD int planning_next_step(const struct planning *ps, struct next_step *out);

#endif
