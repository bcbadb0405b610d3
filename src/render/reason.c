/* reason.c - a planner's reason in words (see reason.h). */
#include "render/reason.h"

#include <string.h>

#include "render/plan.h"
#include "util/units.h"

/* A borrowed name, "?" when the config or catalogue gives none. */
static const char *nm(const char *s)
{
	return s ? s : "?";
}

/* Why no shape meets the targets at a milestone. */
static int why_step(struct strbuf *out, const struct plan_reason *r)
{
	switch (r->kind) {
	case PLAN_REASON_EXT_RATE:
		return strbuf_printf(out,
				     "%s calls at %.3g/s need more than %.0f%% of its %.3g/s rate limit; "
				     "no deployment changes that (raise the limit or spread keys)",
				     nm(r->name), r->rate, r->target * 100, r->rate_limit);
	case PLAN_REASON_NO_SHAPE:
		return strbuf_puts(out, "the catalogue offers no shape for the allowed stages and providers");
	case PLAN_REASON_NOT_AT_ONCE:
		return strbuf_printf(out,
				     "every constraint is met by some shape, but none meets them all at once; the closest "
				     "fails on %s",
				     planner_res_name(r->res));
	case PLAN_REASON_AVAIL_UNMONITORED:
		return strbuf_printf(out,
				     "availability: no allowed stage has monitoring and backups, which a %.3f%% objective needs",
				     r->target * 100);
	case PLAN_REASON_AVAIL_BEST: {
		int rc = strbuf_printf(out, "availability: no shape reaches the %.3f%% objective (the best: %.3f%%)",
				       r->target * 100, r->best * 100);
		if (rc || !r->name)
			return rc;
		return strbuf_printf(out, "; the closest shape's largest downtime is the %s, %.3g of %.3g min a month",
				     r->name, r->part_u * UNITS_SECONDS_PER_MONTH / 60,
				     r->total_u * UNITS_SECONDS_PER_MONTH / 60);
	}
	case PLAN_REASON_P95:
		return strbuf_printf(out, "p95: no shape answers within %.3g s (the best: %.3g s)", r->target, r->best);
	case PLAN_REASON_LIMIT:
		return strbuf_printf(out, "%s: no shape keeps it under %.0f%% (the best reaches %.0f%%)",
				     planner_res_name(r->res), r->target * 100, r->best * 100);
	default:
		return 0;
	}
}

/* A change of the config, as the keys to write. */
static int why_fix(struct strbuf *out, const struct plan_reason *r)
{
	switch (r->kind) {
	case PLAN_REASON_FIX_POOLER:
		return strbuf_puts(out, "a connection pooler (deployment.pooler.use: any)");
	case PLAN_REASON_FIX_MAX_CONNECTIONS:
		return strbuf_printf(out, "components.%s.max_connections: %.0f (each connection costs the server memory)",
				     nm(r->name), r->value);
	case PLAN_REASON_FIX_DB_POOL: {
		int rc = 0;
		size_t n = r->n_pools < PLAN_REASON_MAX_POOLS ? r->n_pools : PLAN_REASON_MAX_POOLS;
		for (size_t i = 0; i < n && !rc; i++)
			rc = strbuf_printf(out, "%scomponents.%s.db_pool: %u", i ? ", " : "", nm(r->pools[i].component),
					   r->pools[i].db_pool);
		if (!rc && r->n_pools > n)
			rc = strbuf_puts(out, ", ...");
		return rc;
	}
	case PLAN_REASON_FIX_MAX_CLIENT_CONN:
		return strbuf_printf(out, "deployment.pooler.max_client_conn: %u", (unsigned)r->value);
	case PLAN_REASON_FIX_MAX_REPLICAS:
		return strbuf_printf(out, "deployment.max_read_replicas: %u", (unsigned)r->value);
	case PLAN_REASON_FIX_ALL_STAGES:
		return strbuf_puts(out, "every stage (deployment.stages left out)");
	case PLAN_REASON_FIX_ANY_DATABASE:
		return strbuf_puts(out, "deployment.database: any");
	case PLAN_REASON_FIX_ALL_PROVIDERS:
		return strbuf_puts(out, "every provider of the catalogue (deployment.providers left out)");
	default:
		return 0;
	}
}

/* Why deployment.current is not a shape the model evaluates. */
static int why_current(struct strbuf *out, const struct plan_reason *r)
{
	switch (r->kind) {
	case PLAN_REASON_CUR_UNKNOWN_PLAN:
		return strbuf_printf(out, "plan '%s' is not in the catalogue", nm(r->name));
	case PLAN_REASON_CUR_REPLICA_PLANS:
		return strbuf_printf(out, "replicas of two plans ('%s', '%s'): the model has one plan per role", nm(r->name),
				     nm(r->other));
	case PLAN_REASON_CUR_NOT_A_NODE:
		return strbuf_printf(out, "'%s' is not a node the model places", nm(r->name));
	case PLAN_REASON_CUR_CACHE_NODE:
		return strbuf_puts(out, "a node of its own for Redis is not modelled (Redis runs on the app nodes, or a "
					"managed offer)");
	case PLAN_REASON_CUR_ROLE_PLANS:
		return strbuf_printf(out, "nodes of two plans ('%s', '%s') in one role: the model has one plan per role",
				     nm(r->name), nm(r->other));
	case PLAN_REASON_CUR_REPLICA_OF:
		return strbuf_printf(out, "replicas of '%s' beside %s: the model's replicas are of the database's own plan",
				     nm(r->name), r->other ? r->other : "no database");
	case PLAN_REASON_CUR_NOT_A_STAGE:
		return strbuf_printf(out,
				     "these nodes are not a '%s' stage (single: one node; split: one app and one db node or a "
				     "managed database; ha: 2-%u app nodes, a db pair or a managed database; cluster: at least "
				     "%u nodes; workers of their own on split and ha), or the provider sells no load balancer "
				     "or control plane the stage needs",
				     plan_stage_name(r->stage), PLANNER_HA_MAX_NODES, PLANNER_CLUSTER_MIN_NODES);
	default:
		return 0;
	}
}

int reason_write(struct strbuf *out, const struct plan_reason *r)
{
	/* planner.h lists the kinds by group: the milestone's, the fixes, today's. */
	if (r->kind >= PLAN_REASON_CUR_UNKNOWN_PLAN)
		return why_current(out, r);
	if (r->kind >= PLAN_REASON_FIX_POOLER)
		return why_fix(out, r);
	return why_step(out, r);
}

const char *reason_text(const struct plan_reason *r, char *buf, size_t n)
{
	struct strbuf sb;
	strbuf_init(&sb, 0);
	if (reason_write(&sb, r) != 0)
		strbuf_reset(&sb); /* past 64 MiB: no reason says that much */
	if (n > 0) {
		size_t k = sb.len < n - 1 ? sb.len : n - 1;
		if (k)
			memcpy(buf, sb.buf, k);
		buf[k] = 0;
	}
	strbuf_free(&sb);
	return buf;
}
