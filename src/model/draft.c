/* draft.c - the parts of `headroom init`'s draft that are computed: the
 * catalogue plan nearest to this machine (see draft.h). */
#include "model/draft.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void draft_free(struct draft *dr)
{
	if (!dr)
		return;
	for (size_t i = 0; i < dr->n; i++) {
		struct component *c = &dr->comps[i].c;
		free(c->name);
		free(c->image);
		free(c->build);
		free(c->command);
		free(c->health);
		free(c->queue);
		for (size_t j = 0; j < c->n_profiles; j++)
			free(c->profiles[j]);
		free(c->profiles);
		free(dr->comps[i].secrets);
	}
	free(dr->comps);
	free(dr->from);
	memset(dr, 0, sizeof(*dr));
}

static double log_gap(double a, double b)
{
	if (a <= 0 || b <= 0)
		return 0;
	return fabs(log2(a / b));
}

const struct offer *draft_nearest_plan(const struct catalog *cat, double vcpu, double memory_b, double disk_b,
				       const char *provider)
{
	const struct offer *best = NULL;
	double best_d = INFINITY;
	for (size_t i = 0; i < cat->n; i++) {
		const struct offer *o = &cat->offers[i];
		if (o->kind != OFFER_SERVER || o->non_commercial)
			continue;
		if (provider && (!o->provider || strcmp(o->provider, provider) != 0))
			continue;
		double d = log_gap(o->vcpu, vcpu) + log_gap(o->memory_b, memory_b) + 0.25 * log_gap(o->disk_b, disk_b);
		if (!best || d < best_d - 1e-9 || (fabs(d - best_d) <= 1e-9 && o->price < best->price)) {
			best = o;
			best_d = d;
		}
	}
	return best;
}
