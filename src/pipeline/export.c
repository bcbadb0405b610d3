/* export.c - the plan an export is written from (see export.h). */
#include "pipeline/export.h"

#include <stdlib.h>
#include <string.h>

#include "render/plan.h"
#include "render/reason.h"
#include "util/xalloc.h"

int export_plan_init(struct export_plan *ep, const struct config *cfg, double users, int stage, struct diag *d)
{
	memset(ep, 0, sizeof(*ep));
	ep->cfg = cfg;
	int rc = planning_init(&ep->ps, cfg, d);
	if (rc)
		return rc;
	if (!planning_has_workload(cfg)) {
		diag_error(d, "%s: the workload has no users, requests or tasks: nothing to size", cfg->path);
		return HR_E_INVALID;
	}
	ep->dep = cfg->deployment;
	if (stage >= 0 && stage < STAGE_COUNT) {
		for (int s = 0; s < STAGE_COUNT; s++)
			ep->dep.stage_allowed[s] = s == stage;
		ep->stage_forced = true;
	}
	ep->in = ep->ps.in;
	ep->in.deployment = &ep->dep;
	ep->users = users >= 0 ? users : cfg->workload.users;
	rc = planner_run(&ep->in, &ep->users, 1, &ep->step);
	if (rc) {
		diag_error(d, "cannot plan %.0f users: %s", ep->users, hr_strerror(rc));
		return rc;
	}
	if (!ep->step.feasible && ep->stage_forced && ep->step.best.shape.app &&
	    ep->step.best.fail == PRES_AVAILABILITY) {
		/* The stage asked for cannot meet the availability objective by its
		 * make (one node, no failover): write it anyway, as --stage asks, and
		 * say what it gives up. */
		char why[REASON_STEP_MAX];
		reason_text(&ep->step.why, why, sizeof(why));
		ep->obj = cfg->objectives;
		ep->obj.availability = 0;
		ep->in.objectives = &ep->obj;
		rc = planner_run(&ep->in, &ep->users, 1, &ep->step);
		if (rc) {
			diag_error(d, "cannot plan %.0f users: %s", ep->users, hr_strerror(rc));
			return rc;
		}
		if (ep->step.feasible)
			diag_warn(d, "the '%s' stage does not meet objectives.availability (%s); exported as --stage asks",
				  plan_stage_name((enum stage_kind)stage), why);
	}
	if (!ep->step.feasible) {
		if (ep->stage_forced)
			diag_error(d, "at %.0f users no '%s' deployment meets the targets: %s", ep->users,
				   plan_stage_name((enum stage_kind)stage),
				   reason_text(&ep->step.why, (char[REASON_STEP_MAX]){0}, REASON_STEP_MAX));
		else
			diag_error(d, "at %.0f users no deployment meets the targets: %s", ep->users,
				   reason_text(&ep->step.why, (char[REASON_STEP_MAX]){0}, REASON_STEP_MAX));
		return HR_E_INFEASIBLE;
	}
	if (ep->step.next.found && ep->step.next.users > ep->users) {
		double at = ep->step.next.users;
		ep->has_then = planner_run(&ep->in, &at, 1, &ep->then) == 0 && ep->then.feasible;
	}
	ep->pl = xcalloc(cfg->n_components ? cfg->n_components : 1, sizeof(*ep->pl));
	rc = placement_compute(&ep->in, &ep->step, ep->pl);
	if (rc)
		diag_error(d, "cannot place the components of the plan: %s", hr_strerror(rc));
	return rc;
}

unsigned export_max_replicas(const struct export_plan *ep, size_t i)
{
	unsigned r = ep->pl[i].replicas;
	if (ep->has_then) {
		struct placement *p = xcalloc(ep->cfg->n_components, sizeof(*p));
		if (placement_compute(&ep->in, &ep->then, p) == 0 && p[i].replicas > r)
			r = p[i].replicas;
		free(p);
	}
	return r;
}

void export_plan_free(struct export_plan *ep)
{
	if (!ep)
		return;
	free(ep->pl);
	planning_free(&ep->ps);
	memset(ep, 0, sizeof(*ep));
}
