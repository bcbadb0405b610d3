/* planner_eval.c - one shape at one demand: is it well formed, what it costs
 * (and the floor of that cost the search prunes on), its availability, the
 * verdict on every constraint, and the options that cost nothing (pooler,
 * read cache, Sentinel) turned on where its failures ask for them.
 *
 * Placement of the components (docs/plan.md, "Stages"):
 *   single, single+ops  one node "all": every component (the database a
 *                       managed offer when deployment.database is managed)
 *   split               node "app" (app, worker, proxy, other, redis) + node "db"
 *                       (postgres) or a managed database
 *   ha                  2..5 "app" nodes behind a load balancer; postgres on a
 *                       primary + standby pair or managed; redis on the app nodes
 *                       (one instance, a single point of failure; or a primary
 *                       and a replica under Sentinel) or managed
 *   cluster             >= 3 Kubernetes "node"s, same database and cache choices,
 *                       plus the control plane
 * The data tier grows within a stage (docs/plan.md, "The data tier"): read
 * replicas of the database (split, ha, cluster), PgBouncer in front of each
 * database server, a Redis read cache taking reads off the database, and
 * worker nodes of their own (split, ha: seed 002's "VPS 2: Workers").
 * On every node that runs them, app and worker components are scaled to one
 * process per vCPU (seed 004, "--workers $(nproc)"): replicas = max(1,
 * floor(vCPU / workers per replica)). A process serves at most one core
 * (CPython's GIL, the Node.js event loop), so the CPU pool of a node has
 * min(vCPU, processes) servers. */
#include "model/planner_int.h"

#include <math.h>
#include <string.h>

#include "model/availability.h"
#include "model/cost.h"

/* Redis Sentinel needs three Sentinels on hosts that fail independently
 * (redis.io, "High availability with Redis Sentinel"); its failover time is
 * reliability.cache_failover_s. */
#define SENTINEL_HOSTS 3u

/* Do two offers come from one provider? Offers outside the catalogue (a
 * caller's own) are compared by name. */
static bool same_provider(const struct ctx *cx, const struct offer *a, const struct offer *b)
{
	const struct provider *pa = provider_of(cx, a), *pb = provider_of(cx, b);
	if (pa && pb)
		return pa == pb;
	return a->provider && b->provider && strcmp(a->provider, b->provider) == 0;
}

static bool stage_has_ops(enum stage_kind s)
{
	return s != STAGE_SINGLE;
}

static bool stage_multi(enum stage_kind s)
{
	return s == STAGE_HA || s == STAGE_CLUSTER;
}

/* Hosts that fail independently for Sentinel processes: the app nodes, the
 * self-run database nodes and the worker nodes. */
static unsigned sentinel_hosts(const struct plan_shape *s)
{
	return s->n_app + (s->db_node ? s->n_db + s->n_replicas : 0) + (s->wrk_node ? s->n_wrk : 0);
}

/* Options that cost nothing, and when a shape can have them. */
static bool pooler_possible(const struct ctx *cx, const struct plan_shape *s)
{
	return cx->prof.has_pg && cx->pooler != POOLER_NEVER && (!s->managed_db || s->managed_db->pooler);
}

static bool sentinel_possible(const struct ctx *cx, const struct plan_shape *s)
{
	return cx->prof.has_redis && !s->managed_cache && stage_multi(s->stage) && sentinel_hosts(s) >= SENTINEL_HOSTS;
}

/* Is the shape well formed for its stage? */
int pl_shape_check(const struct ctx *cx, const struct plan_shape *s)
{
	const struct profile *p = &cx->prof;
	if (!s->app || s->app->kind != OFFER_SERVER || s->n_app == 0 || s->stage >= STAGE_COUNT)
		return HR_E_INVALID;
	bool db_sep = s->db_node || s->managed_db;
	if (s->db_node && (s->db_node->kind != OFFER_SERVER || s->n_db == 0))
		return HR_E_INVALID;
	if (s->db_node && s->managed_db)
		return HR_E_INVALID;
	if (s->managed_db && s->managed_db->kind != OFFER_MANAGED_DB)
		return HR_E_INVALID;
	if (s->managed_cache && (s->managed_cache->kind != OFFER_MANAGED_CACHE || !p->has_redis))
		return HR_E_INVALID;
	if (db_sep && !p->has_pg)
		return HR_E_INVALID;
	if (s->n_replicas && (!db_sep || s->n_replicas > PLANNER_MAX_REPLICAS))
		return HR_E_INVALID;
	if (s->pooler && !p->has_pg)
		return HR_E_INVALID;
	if (s->pooler && s->managed_db && !s->managed_db->pooler)
		return HR_E_INVALID;
	if (s->read_cache && !cx->rc_avail)
		return HR_E_INVALID;
	if (s->redis_ha && !sentinel_possible(cx, s))
		return HR_E_INVALID;
	if (s->wrk_node && (s->wrk_node->kind != OFFER_SERVER || s->n_wrk == 0 || s->n_wrk > PLANNER_MAX_WORKER_NODES ||
			    !p->has_worker || (s->stage != STAGE_SPLIT && s->stage != STAGE_HA)))
		return HR_E_INVALID;
	if (!s->wrk_node && s->n_wrk)
		return HR_E_INVALID;
	switch (s->stage) {
	case STAGE_SINGLE:
	case STAGE_SINGLE_OPS:
		/* The database is on the node, or managed where deployment.database says so. */
		if (s->n_app != 1 || s->db_node || s->n_replicas || s->managed_cache)
			return HR_E_INVALID;
		if (s->managed_db && cx->in->deployment->database != DB_MANAGED)
			return HR_E_INVALID;
		break;
	case STAGE_SPLIT:
		if (s->n_app != 1 || (p->has_pg && !db_sep) || (s->db_node && s->n_db != 1) || s->managed_cache)
			return HR_E_INVALID;
		break;
	case STAGE_HA:
	case STAGE_CLUSTER:
		if (s->stage == STAGE_HA && (s->n_app < 2 || s->n_app > PLANNER_HA_MAX_NODES))
			return HR_E_INVALID;
		if (s->stage == STAGE_CLUSTER && s->n_app < PLANNER_CLUSTER_MIN_NODES)
			return HR_E_INVALID;
		if ((p->has_pg && !db_sep) || (s->db_node && s->n_db != 2))
			return HR_E_INVALID;
		break;
	default:
		return HR_E_INVALID;
	}
	if ((s->db_node && !same_provider(cx, s->app, s->db_node)) ||
	    (s->managed_db && !same_provider(cx, s->app, s->managed_db)) ||
	    (s->managed_cache && !same_provider(cx, s->app, s->managed_cache)) ||
	    (s->wrk_node && !same_provider(cx, s->app, s->wrk_node)))
		return HR_E_NOTFOUND;
	return 0;
}

/* The extras of a stage built on app plan a; HR_E_NOTFOUND when the provider
 * sells no load balancer (ha, cluster) or control plane (cluster). */
int pl_extras_for(const struct ctx *cx, enum stage_kind stage, const struct offer *a, struct extras *x)
{
	const struct provider *pv = provider_of(cx, a);
	memset(x, 0, sizeof(*x));
	if (stage_multi(stage)) {
		x->lb = pv ? pv->lb : NULL;
		if (!x->lb)
			return HR_E_NOTFOUND;
	}
	if (stage == STAGE_CLUSTER) {
		x->k8s = pv ? pv->k8s : NULL;
		if (!x->k8s)
			return HR_E_NOTFOUND;
	}
	if (stage_has_ops(stage)) {
		x->backup = pv ? pv->backup : NULL;
		x->monitoring = cx->monitoring;
	}
	x->volume = pv ? pv->volume : NULL;
	return 0;
}

/* A read replica of a managed offer: its stated replica price, else an
 * instance of the offer (AWS bills a read replica as a DB instance of its
 * class; DigitalOcean a read-only node as a node of the cluster's plan). */
static double managed_replica_price(const struct offer *m)
{
	return m->replica_price > 0 ? m->replica_price : m->price;
}

/* A shape's monthly cost with vol_gb of volumes. With vol_gb = 0 it is a
 * floor of the shape's cost whatever volumes it turns out to need: the terms
 * are summed in one fixed order and rounding is monotonic, so adding a
 * non-negative volume term can only raise every partial sum. */
static void shape_cost(const struct ctx *cx, const struct plan_shape *s, const struct extras *x, double vol_gb,
		       const struct demand *d, struct cost_breakdown *k)
{
	const struct offer *a = s->app;
	memset(k, 0, sizeof(*k));
	k->servers = a->price * s->n_app + (s->db_node ? s->db_node->price * s->n_db : 0);
	if (s->n_replicas)
		k->replicas = s->n_replicas * (s->db_node ? s->db_node->price : managed_replica_price(s->managed_db));
	if (s->wrk_node)
		k->workers = s->wrk_node->price * s->n_wrk;
	if (stage_has_ops(s->stage)) {
		/* Back up the node holding the database (the primary of a pair); a
		 * managed database includes its backups, replicas are copies. */
		if (s->db_node)
			k->backups = cost_backup(x->backup, s->db_node->price);
		else if (!s->managed_db && (s->stage <= STAGE_SINGLE_OPS || !cx->prof.has_pg))
			k->backups = cost_backup(x->backup, a->price);
		k->monitoring = x->monitoring ? x->monitoring->price : 0;
	}
	k->lb = x->lb ? x->lb->price : 0;
	k->k8s = x->k8s ? x->k8s->price : 0;
	k->managed_db = s->managed_db ? s->managed_db->price : 0;
	k->managed_cache = s->managed_cache ? s->managed_cache->price : 0;
	k->volumes = cost_volume(x->volume, vol_gb);
	k->ops = cost_ops(cx->in->economics, s->stage);
	k->external = d->ext_cost_month;
	cost_sum(k, d->users);
}

/* shape_cost(s, vol_gb = 0).total without filling a breakdown: the same
 * terms, summed in the same order as cost_sum(), so bit for bit the same
 * floor (the search asks for it hundreds of thousands of times). */
double pl_shape_floor(const struct ctx *cx, const struct plan_shape *s, const struct extras *x,
		      const struct demand *d)
{
	const struct offer *a = s->app;
	double servers = a->price * s->n_app + (s->db_node ? s->db_node->price * s->n_db : 0);
	double replicas = s->n_replicas ? s->n_replicas * (s->db_node ? s->db_node->price : managed_replica_price(s->managed_db))
					: 0;
	double workers = s->wrk_node ? s->wrk_node->price * s->n_wrk : 0;
	double backups = 0, monitoring = 0;
	if (stage_has_ops(s->stage)) {
		if (s->db_node)
			backups = cost_backup(x->backup, s->db_node->price);
		else if (!s->managed_db && (s->stage <= STAGE_SINGLE_OPS || !cx->prof.has_pg))
			backups = cost_backup(x->backup, a->price);
		monitoring = x->monitoring ? x->monitoring->price : 0;
	}
	double infra = servers + replicas + workers + backups + monitoring + (x->lb ? x->lb->price : 0) +
		       (s->managed_db ? s->managed_db->price : 0) + (s->managed_cache ? s->managed_cache->price : 0) +
		       (x->k8s ? x->k8s->price : 0) + cost_volume(x->volume, 0);
	return infra + cost_ops(cx->in->economics, s->stage) + d->ext_cost_month;
}

/* Disk of one database server: the whole database, topped up with a volume
 * where the provider sells one. Returns the GB bought. */
static double db_disk(const struct offer *q, const struct extras *x, const struct demand *d, struct plan_candidate *c)
{
	if (q->disk_b <= 0)
		return 0;
	c->has[PRES_DB_DISK] = true;
	double room = q->disk_b * c->limit[PRES_DB_DISK];
	if (d->db_size_b > room && x->volume) {
		double gb = ceil((d->db_size_b / c->limit[PRES_DB_DISK] - q->disk_b) / 1e9);
		c->util[PRES_DB_DISK] = d->db_size_b / (q->disk_b + gb * 1e9);
		return gb;
	}
	c->util[PRES_DB_DISK] = d->db_size_b / q->disk_b;
	return 0;
}

/* The app nodes needed to carry the peak: k of n, k = ceil(n x the tier's
 * load at capacity) (headroom default: N+1 sizing). The read replicas alike. */
static unsigned nodes_needed(unsigned n, double raw_load)
{
	if (n <= 1)
		return 1;
	double need = ceil(n * raw_load - 1e-9);
	return need < 1 ? 1 : (need > n ? n : (unsigned)need);
}

/* A shape as availability sees it: which nodes, where the database, its
 * replicas and the cache run, what watches them, and the SLAs its provider
 * publishes. Worker nodes of their own serve no request: not a part. */
static void shape_stage(const struct ctx *cx, const struct plan_shape *s, const struct extras *x, double raw_load,
			const struct demand *d, struct avail_stage *st)
{
	const struct profile *p = &cx->prof;
	bool single = s->stage <= STAGE_SINGLE_OPS;
	bool multi = stage_multi(s->stage);
	memset(st, 0, sizeof(*st));
	st->app_nodes = s->n_app;
	st->app_needed = nodes_needed(s->n_app, raw_load);
	st->peak_share = cx->peak_share;
	st->single_node = single;
	st->monitored = stage_has_ops(s->stage);
	st->kubernetes = s->stage == STAGE_CLUSTER;
	st->lb = x->lb != NULL;
	st->lb_sla = x->lb ? x->lb->availability : 0;
	st->k8s_sla = x->k8s ? x->k8s->availability : 0;
	st->node_sla = s->app->availability;
	st->db_bytes = d->db_size_b;
	if (!p->has_pg) {
		st->db = AVAIL_DB_NONE;
	} else if (s->db_node) {
		st->db = s->n_db >= 2 ? AVAIL_DB_PAIR : AVAIL_DB_NODE;
	} else if (s->managed_db) {
		st->db = s->managed_db->ha ? AVAIL_DB_MANAGED_HA : AVAIL_DB_MANAGED;
		st->db_sla = s->managed_db->availability;
	} else {
		st->db = AVAIL_DB_ON_NODE;
	}
	if (p->has_pg && s->n_replicas && (s->db_node || s->managed_db)) {
		/* The replicas carry the reads while k of them are up (k of n on
		 * their load at capacity, as the app tier). */
		struct db_load dl = db_load_of(cx, d, s->n_replicas, s->read_cache);
		double v = s->db_node ? vcpu_of(s->db_node) : s->managed_db->vcpu;
		double base = s->db_node ? p->pg_cpu_base : 0;
		st->db_replicas = s->n_replicas;
		st->db_replicas_needed = nodes_needed(s->n_replicas, v > 0 ? (dl.replica + dl.replay + base) / v : 0);
	}
	if (!p->has_redis) {
		st->cache = AVAIL_CACHE_NONE;
	} else if (s->managed_cache) {
		st->cache = s->managed_cache->ha ? AVAIL_CACHE_MANAGED_HA : AVAIL_CACHE_MANAGED;
		st->cache_sla = s->managed_cache->availability;
	} else if (multi && s->redis_ha) {
		st->cache = AVAIL_CACHE_SENTINEL; /* a primary and a replica on two app nodes */
	} else {
		st->cache = multi ? AVAIL_CACHE_ONE_NODE : AVAIL_CACHE_ON_NODE; /* one Redis on an app node */
	}
}

/* The data tier's share of a stage's availability (database, replicas,
 * cache): avail_stage_u() with the rest remembered as nothing, so its
 * answer is those parts alone; remembered by every field they read. */
static int data_tier_log_up(struct ctx *cx, const struct avail_stage *st, double *log_up)
{
	struct amemo key = {.used = true, .db = (unsigned char)st->db, .cache = (unsigned char)st->cache,
			    .monitored = st->monitored, .kubernetes = st->kubernetes, .reps = st->db_replicas,
			    .need = st->db_replicas_needed, .db_bytes = st->db_bytes, .db_sla = st->db_sla,
			    .cache_sla = st->cache_sla, .peak_share = st->peak_share};
	uint64_t h = dbits(key.db_bytes) * 0x9E3779B97F4A7C15ULL ^ dbits(key.db_sla) * 0xC2B2AE3D27D4EB4FULL ^
		     dbits(key.cache_sla) * 0x165667B19E3779F9ULL ^ dbits(key.peak_share) ^
		     ((uint64_t)key.db << 1 ^ (uint64_t)key.cache << 5 ^ (uint64_t)key.monitored << 9 ^
		      (uint64_t)key.kubernetes << 10 ^ (uint64_t)key.reps << 11 ^ (uint64_t)key.need << 27);
	h ^= h >> 31;
	size_t mask = AMEMO_CAP - 1, i = (size_t)h & mask;
	for (size_t probes = 0; probes < AMEMO_CAP; probes++, i = (i + 1) & mask) {
		struct amemo *e = &cx->amemo[i];
		if (!e->used)
			break;
		if (e->db == key.db && e->cache == key.cache && e->monitored == key.monitored &&
		    e->kubernetes == key.kubernetes && e->reps == key.reps && e->need == key.need &&
		    dbits(e->db_bytes) == dbits(key.db_bytes) && dbits(e->db_sla) == dbits(key.db_sla) &&
		    dbits(e->cache_sla) == dbits(key.cache_sla) && dbits(e->peak_share) == dbits(key.peak_share)) {
			*log_up = e->log_up;
			return 0;
		}
	}
	struct avail_memo nothing = {.done = true, .log_up = 0};
	double u;
	int rc = avail_stage_u(&cx->rel, st, &nothing, &u);
	if (rc)
		return rc;
	*log_up = key.log_up = log1p(-u);
	/* Keep the table at most half full; past that start afresh (a bound on
	 * memory, not on the search). */
	if (2 * (cx->amemo_n + 1) > AMEMO_CAP) {
		memset(cx->amemo, 0, AMEMO_CAP * sizeof(*cx->amemo));
		cx->amemo_n = 0;
		i = (size_t)h & mask;
	}
	while (cx->amemo[i].used)
		i = (i + 1) & mask;
	cx->amemo[i] = key;
	cx->amemo_n++;
	return 0;
}

/* The composed availability of a shape (the app part remembered in its
 * tier: every database, replica and cache option leaves it the same); 0
 * when it cannot be composed. */
static double shape_availability(struct ctx *cx, const struct plan_shape *s, const struct extras *x,
				 struct tier *t, const struct demand *d)
{
	struct avail_stage st;
	double u;
	shape_stage(cx, s, x, t->raw_load, d, &st);
	/* The app tier's parts once per tier (their own memo), the data tier's
	 * once per combination: U = 1 - exp(log_up(app tier) + log_up(data tier)),
	 * the same sum avail_stage_u() forms, grouped. */
	if (!t->avail.done && avail_stage_u(&cx->rel, &st, &t->avail, &u) != 0)
		return 0;
	double data;
	if (data_tier_log_up(cx, &st, &data) != 0)
		return 0;
	return 1 + expm1(t->avail.log_up + data);
}

/* Combine an evaluated app tier with the rest of the shape. */
static int eval_full(struct ctx *cx, const struct plan_shape *s, struct tier *t,
		     const struct demand *d, struct plan_candidate *c)
{
	const struct profile *p = &cx->prof;
	/* The search builds its shapes from the provider's own offers, with the
	 * options options_open() allows: checked once by construction, not for
	 * each of its evaluations (planner_evaluate() and the growth scans check). */
	int rc = cx->searching ? 0 : pl_shape_check(cx, s);
	if (rc)
		return rc;
	memset(c, 0, sizeof(*c));
	cx->evaluated++;
	c->shape = *s;
	c->provider = s->app->provider;
	const struct offer *a = s->app;
	unsigned n = s->n_app;
	struct extras x;
	rc = pl_extras_for(cx, s->stage, a, &x);
	if (rc)
		return rc;
	c->lb = x.lb;
	c->k8s = x.k8s;
	c->monitored = stage_has_ops(s->stage);
	c->backup = x.backup;
	c->monitoring = x.monitoring;
	c->volume = x.volume;
	c->app_replicas = t->replicas;
	c->app_processes = t->processes;
	for (int k = 0; k < PRES_COUNT; k++)
		c->limit[k] = cx->lim[k];
	for (int k = 0; k <= PRES_TASK_SLOTS; k++) {
		c->has[k] = t->has[k];
		c->util[k] = t->util[k];
	}

	/* Disk: each app node stores the files (and the database on one node);
	 * what does not fit under the limit is bought as a volume. */
	double vol_gb = 0;
	if (a->disk_b > 0) {
		c->has[PRES_DISK] = true;
		double room = a->disk_b * c->limit[PRES_DISK];
		if (t->need_disk > room && c->volume) {
			double gb = (t->need_disk / c->limit[PRES_DISK] - a->disk_b) / 1e9;
			vol_gb += ceil(gb) * n;
			c->util[PRES_DISK] = t->need_disk / (a->disk_b + ceil(gb) * 1e9);
		} else {
			c->util[PRES_DISK] = t->need_disk / a->disk_b;
		}
	}

	/* Worker nodes of their own: the tasks' CPU, memory and slots, spread. */
	double clients = n * t->replicas * p->app_pool;
	if (s->wrk_node) {
		const struct offer *wn = s->wrk_node;
		double wv = vcpu_of(wn), m = s->n_wrk;
		unsigned rw = replicas_for(wv, p->wrk_workers);
		c->wrk_replicas = rw;
		c->has[PRES_WORKER_CPU] = c->has[PRES_WORKER_MEMORY] = true;
		c->util[PRES_WORKER_CPU] = (d->task_cpu / m + rw * p->wrk_cpu_base) / wv;
		c->util[PRES_WORKER_MEMORY] =
			wn->memory_b > 0 ? (rw * p->wrk_mem + d->task_mem_b / m) / wn->memory_b : INFINITY;
		if (d->task_rate > 0) {
			c->has[PRES_TASK_SLOTS] = true;
			c->util[PRES_TASK_SLOTS] = d->task_inflight / m / (rw * p->wrk_slots);
		}
		clients += m * rw * p->wrk_pool;
	} else {
		clients += n * replicas_for(vcpu_of(a), p->wrk_workers) * p->wrk_pool;
	}
	c->db_clients = p->has_pg ? clients : 0;

	/* The database: the primary (and its standby), its read replicas, the
	 * pooler in front of each server. */
	unsigned max_conn = p->pg_max_conn;
	unsigned nr = s->n_replicas;
	struct db_load dl = db_load_of(cx, d, nr, s->read_cache);
	if (s->db_node) {
		const struct offer *q = s->db_node;
		double qv = vcpu_of(q);
		c->has[PRES_DB_CPU] = c->has[PRES_DB_MEMORY] = true;
		c->util[PRES_DB_CPU] = (dl.primary + p->pg_cpu_base) / qv;
		c->util[PRES_DB_MEMORY] = q->memory_b > 0 ? p->pg_mem / q->memory_b : INFINITY;
		vol_gb += db_disk(q, &x, d, c) * (s->n_db + nr);
		if (nr) {
			c->has[PRES_REPLICA_CPU] = true;
			c->util[PRES_REPLICA_CPU] = (dl.replica + dl.replay + p->pg_cpu_base) / qv;
		}
	} else if (s->managed_db) {
		const struct offer *m = s->managed_db;
		if (m->vcpu > 0) {
			c->has[PRES_DB_CPU] = true;
			c->util[PRES_DB_CPU] = dl.primary / m->vcpu;
			if (nr) {
				c->has[PRES_REPLICA_CPU] = true;
				c->util[PRES_REPLICA_CPU] = (dl.replica + dl.replay) / m->vcpu;
			}
		}
		if (m->disk_b > 0) {
			c->has[PRES_DB_DISK] = true;
			c->util[PRES_DB_DISK] = d->db_size_b / m->disk_b;
		}
		if (m->max_connections > 0)
			max_conn = m->max_connections;
	}
	if (p->has_pg && s->pooler) {
		/* PgBouncer, transaction pooling (pgbouncer.org/config.html): the
		 * clients' pools end at the pooler, which holds pool_size server
		 * connections to each database server; a transaction holds one of
		 * them while it runs (Little: transactions in flight = busy time). */
		c->has[PRES_DB_CONNECTIONS] = c->has[PRES_POOLER_POOL] = true;
		c->util[PRES_DB_CONNECTIONS] = cx->pool_size / max_conn;
		c->util[PRES_POOLER_POOL] = (dl.primary > dl.replica ? dl.primary : dl.replica) / cx->pool_size;
		if (clients > 0) {
			c->has[PRES_POOLER_CLIENTS] = true;
			c->util[PRES_POOLER_CLIENTS] = clients / cx->max_client;
		}
	} else if (p->has_pg && clients > 0) {
		/* Every process holds its pool to the primary (and, with replicas,
		 * another to one of them: the primary is the busiest). */
		c->has[PRES_DB_CONNECTIONS] = true;
		c->util[PRES_DB_CONNECTIONS] = clients / max_conn;
	}

	/* The cache. */
	if (s->managed_cache) {
		const struct offer *m = s->managed_cache;
		if (m->memory_b > 0) {
			c->has[PRES_CACHE_MEMORY] = true;
			c->util[PRES_CACHE_MEMORY] = p->redis_mem / m->memory_b;
		}
	}

	/* Bandwidth against the transfer the servers include (pooled, as Hetzner
	 * and DigitalOcean pool it); not checked when a plan states none. Worker
	 * nodes and replicas serve no users: their transfer is not counted. */
	double transfer = a->transfer_b * n;
	bool transfer_known = a->transfer_b > 0;
	if (s->db_node) {
		transfer += s->db_node->transfer_b * s->n_db;
		transfer_known = transfer_known && s->db_node->transfer_b > 0;
	}
	if (transfer_known && d->egress_month_b > 0) {
		c->has[PRES_BANDWIDTH] = true;
		c->util[PRES_BANDWIDTH] = d->egress_month_b / transfer;
	}

	/* External APIs against their rate limits: the same for every shape. */
	for (size_t i = 0; i < d->n_ext; i++) {
		if (d->ext[i].rate_limit <= 0)
			continue;
		double u = d->ext[i].rate / d->ext[i].rate_limit;
		if (!c->has[PRES_EXT_RATE] || u > c->util[PRES_EXT_RATE])
			c->util[PRES_EXT_RATE] = u;
		c->has[PRES_EXT_RATE] = true;
	}

	/* Availability: the parts of the stage from failures and recoveries
	 * (model/availability.h), in series. */
	c->availability = shape_availability(cx, s, &x, t, d);
	c->app_needed = nodes_needed(s->n_app, t->raw_load);
	c->util[PRES_AVAILABILITY] = c->availability;
	c->has[PRES_AVAILABILITY] = cx->avail_target > 0;

	/* p95, when the tier was solved. */
	if (t->p95_done) {
		c->has[PRES_P95] = t->has[PRES_P95];
		c->util[PRES_P95] = t->p95_s;
		c->p95_s = t->p95_s;
		memcpy(c->class_p95, t->class_p95, sizeof(c->class_p95));
	} else {
		c->p95_s = NAN;
		for (size_t i = 0; i < PLANNER_MAX_CLASSES; i++)
			c->class_p95[i] = NAN;
	}

	/* Cost. */
	c->volume_gb = vol_gb;
	shape_cost(cx, s, &x, vol_gb, d, &c->cost);

	/* Verdict: the constraint furthest over its target fails the shape. */
	c->feasible = true;
	double worst = 0;
	for (int r = 0; r < PRES_COUNT; r++) {
		if (!c->has[r])
			continue;
		if (r == PRES_P95 && !t->p95_done)
			continue;
		double ratio = ratio_of(cx, c, r);
		if (!(ratio > 1 + EPS))
			continue;
		c->over |= BIT(r);
		if (c->feasible || ratio > worst) {
			c->feasible = false;
			c->fail = (enum plan_res)r;
			worst = ratio;
		}
	}
	if (c->feasible && !t->p95_done && cx->p95_target > 0 && cx->any_covered) {
		/* The caller skipped the queue because a cheap constraint failed;
		 * a shape is never feasible without its p95. */
		c->feasible = false;
		c->fail = PRES_P95;
		c->over |= BIT(PRES_P95);
	}
	return 0;
}

/* The free options a candidate's failures ask for (bit per option). */
enum { OPT_POOLER = 1, OPT_CACHE = 2, OPT_SENTINEL = 4 };

/* The constraints each free option can fix. */
static unsigned fixes_of(unsigned opts, const struct plan_shape *s)
{
	unsigned m = 0;
	if (opts & OPT_POOLER)
		m |= BIT(PRES_DB_CONNECTIONS);
	if (opts & OPT_CACHE) {
		m |= BIT(PRES_DB_CPU) | BIT(PRES_REPLICA_CPU) | BIT(PRES_POOLER_POOL);
		if (s->n_replicas)
			m |= BIT(PRES_AVAILABILITY); /* lighter replicas: fewer must stay up */
		if (s->stage <= STAGE_SINGLE_OPS && !s->managed_db)
			m |= BIT(PRES_CPU) | BIT(PRES_P95); /* the database shares the node */
	}
	if (opts & OPT_SENTINEL)
		m |= BIT(PRES_AVAILABILITY);
	return m;
}

/* The free options still open to a shape. */
static unsigned options_open(const struct ctx *cx, const struct plan_shape *s)
{
	unsigned o = 0;
	if (!s->pooler && cx->pooler == POOLER_ANY && pooler_possible(cx, s))
		o |= OPT_POOLER;
	if (!s->read_cache && cx->rc_avail)
		o |= OPT_CACHE;
	if (!s->redis_ha && sentinel_possible(cx, s))
		o |= OPT_SENTINEL;
	return o;
}

/* Evaluate a priced shape, turning on the options that cost nothing (a
 * pooler, a read cache, Sentinel) where its failures ask for them and only
 * then: the simplest deployment that works is the one reported. A shape is
 * tried again only when every constraint it fails is one an open option can
 * fix; each option only helps the constraints it fixes (the pooler trades
 * the database's connection limit for its own, and is turned on only when
 * that limit fails without it), so the loop finds a feasible variant when
 * there is one. tiers[0] is the app tier without a read cache, tiers[1]
 * with one (they differ only where the database shares the app node).
 * *open_fix receives the constraints options left untried could still fix. */
int pl_eval_options(struct ctx *cx, struct plan_shape s, struct tier *tiers[2], const struct demand *d,
		    struct plan_candidate *c, unsigned *open_fix)
{
	if (cx->pooler == POOLER_ALWAYS && cx->prof.has_pg)
		s.pooler = true;
	int rc = eval_full(cx, &s, tiers[s.read_cache], d, c);
	for (int round = 0; rc == 0 && !c->feasible && round < 3; round++) {
		unsigned open = options_open(cx, &s);
		if (!open || (c->over & ~fixes_of(open, &s)))
			break; /* something no option fixes fails anyway */
		bool changed = false;
		if ((open & OPT_POOLER) && (c->over & fixes_of(OPT_POOLER, &s)))
			s.pooler = changed = true;
		if ((open & OPT_CACHE) && (c->over & fixes_of(OPT_CACHE, &s)))
			s.read_cache = changed = true;
		if ((open & OPT_SENTINEL) && (c->over & fixes_of(OPT_SENTINEL, &s)))
			s.redis_ha = changed = true;
		if (!changed)
			break;
		struct plan_candidate next;
		rc = eval_full(cx, &s, tiers[s.read_cache], d, &next);
		if (rc == 0)
			*c = next;
	}
	if (open_fix)
		*open_fix = c->feasible ? 0 : fixes_of(options_open(cx, &c->shape), &c->shape);
	return rc;
}

/* planner_evaluate() in a context: every figure, the queue always solved. */
int pl_evaluate(struct ctx *cx, const struct plan_shape *shape, const struct demand *d,
		struct plan_candidate *out)
{
	int rc = pl_shape_check(cx, shape);
	if (rc)
		return rc;
	struct tier_with with = pl_tier_with_of(cx, shape, d);
	struct tier t;
	pl_tier_cheap(cx, shape->app, shape->n_app, &with, d, &t);
	pl_tier_p95(cx, shape->app, shape->n_app, d, &t);
	return eval_full(cx, shape, &t, d, out);
}

/* pl_evaluate() with the free options decided as the search decides them. */
int pl_evaluate_options(struct ctx *cx, const struct plan_shape *shape, const struct demand *d,
			struct plan_candidate *out)
{
	struct plan_shape s = *shape;
	s.pooler = s.read_cache = s.redis_ha = false;
	int rc = pl_shape_check(cx, &s);
	if (rc)
		return rc;
	struct tier t[2];
	struct tier *tp[2] = {&t[0], &t[0]};
	struct tier_with with = pl_tier_with_of(cx, &s, d);
	pl_tier_cheap(cx, s.app, s.n_app, &with, d, &t[0]);
	pl_tier_p95(cx, s.app, s.n_app, d, &t[0]);
	if (cx->rc_avail && with.db) {
		s.read_cache = true;
		with = pl_tier_with_of(cx, &s, d);
		s.read_cache = false;
		pl_tier_cheap(cx, s.app, s.n_app, &with, d, &t[1]);
		pl_tier_p95(cx, s.app, s.n_app, d, &t[1]);
		tp[1] = &t[1];
	}
	return pl_eval_options(cx, s, tp, d, out, NULL);
}

int planner_evaluate(const struct planner_input *in, const struct plan_shape *shape,
		     const struct demand *d, struct plan_candidate *out)
{
	struct ctx cx;
	pl_ctx_init(&cx, in);
	int rc = pl_evaluate(&cx, shape, d, out);
	pl_ctx_free(&cx);
	return rc;
}

int planner_avail_parts(const struct planner_input *in, const struct plan_shape *shape,
			const struct demand *d, struct avail_part *parts)
{
	struct ctx cx;
	pl_ctx_init(&cx, in);
	int rc = pl_avail_parts(&cx, shape, d, parts);
	pl_ctx_free(&cx);
	return rc;
}

int pl_avail_parts(struct ctx *cx, const struct plan_shape *shape, const struct demand *d,
		   struct avail_part *parts)
{
	int rc = pl_shape_check(cx, shape);
	if (rc)
		return rc;
	struct extras x;
	rc = pl_extras_for(cx, shape->stage, shape->app, &x);
	if (rc)
		return rc;
	struct tier_with with = pl_tier_with_of(cx, shape, d);
	struct tier t;
	pl_tier_cheap(cx, shape->app, shape->n_app, &with, d, &t);
	struct avail_stage st;
	shape_stage(cx, shape, &x, t.raw_load, d, &st);
	size_t n;
	rc = avail_stage_parts(&cx->rel, &st, parts, &n);
	return rc ? rc : (int)n;
}
