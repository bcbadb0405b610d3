/* planning.c - the planner set up from a loaded config (see planning.h). */
#include "pipeline/planning.h"

#include <stdlib.h>
#include <string.h>

#include "config/catalog.h"

static struct diag_loc locate(const void *ctx, const char *path)
{
	return config_loc(ctx, path);
}

int planning_catalog(struct planning *ps, const struct config *cfg, struct diag *d)
{
	memset(ps, 0, sizeof(*ps));
	char *dir = config_catalog_dir(cfg);
	int rc = catalog_load_dir(dir, d, &ps->cat);
	free(dir);
	if (rc)
		return rc;
	catalog_merge(&ps->cat, &cfg->catalog);
	rc = catalog_to_currency(&ps->cat, &cfg->economics, d);
	if (!rc)
		rc = config_check_refs(cfg, &ps->cat, d);
	if (rc)
		return rc;
	ps->in = (struct planner_input){
		.workload = &cfg->workload,
		.components = cfg->components,
		.n_components = cfg->n_components,
		.deployment = &cfg->deployment,
		.objectives = &cfg->objectives,
		.economics = &cfg->economics,
		.catalog = &ps->cat,
		.calibration = &cfg->calibration,
		.reliability = &cfg->reliability,
	};
	return 0;
}

int planning_init(struct planning *ps, const struct config *cfg, struct diag *d)
{
	int rc = planning_catalog(ps, cfg, d);
	return rc ? rc : planner_check(&ps->in, d, locate, cfg);
}

void planning_free(struct planning *ps)
{
	if (!ps)
		return;
	catalog_free(&ps->cat);
	memset(ps, 0, sizeof(*ps));
}

bool planning_has_workload(const struct config *cfg)
{
	return cfg && cfg->workload.users > 0 && (cfg->workload.n_requests > 0 || cfg->workload.n_tasks > 0);
}

int planning_next_step(const struct planning *ps, struct next_step *out)
{
	memset(out, 0, sizeof(*out));
	double users = ps->in.workload->users;
	int rc = planner_run(&ps->in, &users, 1, &out->now);
	if (rc || !out->now.feasible || !out->now.next.found)
		return rc;
	double at = out->now.next.users;
	rc = planner_run(&ps->in, &at, 1, &out->then);
	out->has_then = rc == 0;
	return rc;
}
