/* exports.c - what the Compose and Kubernetes exports share: the header,
 * default images and ports, CPU and memory in the forms each reads (see exports.h). */
#include "render/exports.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "render/plan.h"
#include "util/units.h"

void export_header(struct yamlw *w, const struct export_doc *x)
{
	char nodes[256], cost[64];
	plan_nodes_text(x->best, nodes, sizeof(nodes));
	units_fmt_money(x->best->cost.total, x->currency, cost, sizeof(cost));
	yw_printf(w,
		  "# Written by headroom %s `export %s` from %s.\n"
		  "# Stage %s at %.0f users: %s, %s a month.\n"
		  "# Replicas, CPU and memory come from the plan: export again when the config changes.\n",
		  x->version, x->kind, x->source, plan_stage_name(x->best->shape.stage), x->users, nodes, cost);
}

bool export_has_pooler(const struct export_doc *x)
{
	if (!x->best || !x->best->shape.pooler || export_db_index(x) >= x->n)
		return false;
	/* A component of that name is the team's own pooler: not written twice. */
	for (size_t i = 0; i < x->n; i++)
		if (strcmp(x->comps[i].name, EXPORT_PGBOUNCER_NAME) == 0)
			return false;
	return true;
}

size_t export_db_index(const struct export_doc *x)
{
	for (size_t i = 0; i < x->n; i++)
		if (x->comps[i].kind == COMP_POSTGRES)
			return i;
	return x->n;
}

const char *export_image(const struct component *c)
{
	if (c->image)
		return c->image;
	switch (c->kind) {
	case COMP_POSTGRES: return "postgres:16";
	case COMP_REDIS: return "redis:7-alpine";
	case COMP_PROXY: return "nginx:1.27-alpine";
	default: return NULL;
	}
}

unsigned export_port(const struct component *c)
{
	if (c->port)
		return c->port;
	switch (c->kind) {
	case COMP_POSTGRES: return 5432;
	case COMP_REDIS: return 6379;
	case COMP_PROXY: return 80;
	default: return 0;
	}
}

void export_env_name(const char *comp, const char *suffix, char *buf, size_t n)
{
	size_t j = 0;
	for (size_t i = 0; comp[i] && j + 1 < n; i++)
		buf[j++] = isalnum((unsigned char)comp[i]) ? (char)toupper((unsigned char)comp[i]) : '_';
	buf[j] = 0;
	snprintf(buf + j, n - j, "_%s", suffix);
}

char *export_cpus(double cores, char *buf, size_t n)
{
	double c = ceil(cores * 100 - 1e-9) / 100;
	if (c < 0.01)
		c = 0.01;
	snprintf(buf, n, "%g", c);
	return buf;
}

char *export_millicores(double cores, char *buf, size_t n)
{
	double m = ceil(cores * 1000 - 1e-9);
	if (m < 1)
		m = 1;
	if (fmod(m, 1000) == 0)
		snprintf(buf, n, "%.0f", m / 1000);
	else
		snprintf(buf, n, "%.0fm", m);
	return buf;
}

char *export_mem_compose(double bytes, char *buf, size_t n)
{
	snprintf(buf, n, "%.0fM", ceil(bytes / 1048576.0 - 1e-9));
	return buf;
}

char *export_mem_k8s(double bytes, char *buf, size_t n)
{
	snprintf(buf, n, "%.0fMi", ceil(bytes / 1048576.0 - 1e-9));
	return buf;
}
