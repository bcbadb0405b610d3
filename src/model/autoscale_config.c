/* autoscale_config.c - the checks of a loaded `autoscale:` section and its
 * translation into the autoscaler's spec (see autoscale_config.h). */
#include "model/autoscale_config.h"

#include <string.h>

#include "model/scaling.h"

const char *autoscale_name_check(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 63)
		return "expected 1 to 63 characters";
	if (s[0] == '-' || s[0] == '.')
		return "must not start with '-' or '.'";
	if (strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != n)
		return "only letters, digits, '.', '_' and '-' are allowed";
	return NULL;
}

static void rules_from(struct scaling_rules *r, const struct autoscale_rules_config *c)
{
	r->stabilization_s = c->stabilization_s;
	r->select = (enum scaling_select)c->select;
	r->tolerance = c->tolerance;
	/* No policies given: keep the autoscaling/v2 defaults already in r. */
	if (!c->n_policies)
		return;
	r->n_policies = 0;
	for (size_t i = 0; i < c->n_policies && i < SCALING_MAX_POLICIES; i++)
		r->policies[r->n_policies++] = (struct scaling_policy){
			(enum scaling_policy_type)c->policies[i].type, (int)c->policies[i].value,
			c->policies[i].period_s};
}

void autoscale_spec_from(const struct autoscale_service_config *c, double max_age_s, struct scaling_spec *out)
{
	scaling_spec_defaults(out);
	out->min_replicas = (int)c->min;
	out->max_replicas = (int)c->max;
	out->idle_replicas = c->has_idle ? (int)c->idle : -1;
	out->cooldown_s = c->cooldown_s;
	out->max_age_s = max_age_s;
	out->fallback_replicas = c->has_fallback ? (int)c->fallback_replicas : -1;
	out->fallback_failures = c->fallback_failures;
	out->fallback_behavior = (enum scaling_fallback)c->fallback_behavior;
	rules_from(&out->up, &c->scale_up);
	rules_from(&out->down, &c->scale_down);
}
