/* plandoc.h - everything the plan's documents show, gathered from a config:
 * the milestones planned, the month growth reaches each, where each one's
 * downtime comes from, plans at many user counts for the charts, today's
 * plan and the next, the merged trigger policy, and the config's values
 * marked given or defaulted. `plan --format md|html` renders it
 * (render/plan_md.h, render/plan_html.h).
 *
 * Wiring only: the planner, the availability model, the rules and the
 * config loader do the work. */
#ifndef HR_PIPELINE_PLANDOC_H
#define HR_PIPELINE_PLANDOC_H

#include <stddef.h>

#include "config/config.h"
#include "model/rules.h"
#include "pipeline/planning.h"
#include "render/plan_md.h"

/** Plans at this many user counts between the first and the last milestone (plus the milestones). */
#define PLANDOC_CURVE_POINTS 48

/** The gathered data; owns everything input points to. */
struct plandoc {
	struct plan_report report;    /**< the milestones (steps owned) */
	struct plan_doc_input input;  /**< ready for plan_render_md() / plan_render_html() */
	struct plan_step *steps;
	double *months;
	struct plan_doc_avail *avail;
	struct plan_step *curve;
	size_t n_curve;
	struct next_step next;
	struct rule_set rules;
	struct plan_doc_value *values;
	size_t n_values, cap_values;
};

/**
 * Plan the milestones and gather the rest.
 * @param ps a planner ready to run (planning_init()); borrowed, must outlive pd.
 * @param cfg the config it was set up from; borrowed, must outlive pd.
 * @param source the config's name as the documents show it.
 * @param version headroom's version.
 * @param users n milestones.
 * @return 0; an error of planner_run() (a user count that is not one).
 */
HR_NODISCARD int plandoc_gather(const struct planning *ps, const struct config *cfg, const char *source,
				const char *version, const double *users, size_t n, struct plandoc *pd);

/** Free what plandoc_gather() made. NULL is a no-op. */
void plandoc_free(struct plandoc *pd);

#endif
