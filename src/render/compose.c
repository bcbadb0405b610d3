/* compose.c - the Compose file of a planned single or split stage (see compose.h).
 *
 * Health checks: PostgreSQL's own pg_isready, Redis's PING, and for a
 * component with a `health` path an HTTP GET with curl or, failing that,
 * wget (slim images carry one or the other). Intervals: 10 s checks, 3 s
 * timeout, 3 retries, 30 s start period (Docker's defaults are 30 s / 30 s
 * / 3 / 0 s, docs.docker.com/reference/dockerfile/#healthcheck; 10 s finds
 * a dead replica within the agent's sampling interval). Workers get a stop
 * grace period of their longest task plus 10 s, so a redeploy lets running
 * tasks finish (Compose's default is 10 s, then SIGKILL). */
#include "render/compose.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/plan.h"
#include "util/redact.h"

size_t compose_pg_index(const struct export_doc *x)
{
	size_t i = export_db_index(x);
	return i < x->n && x->pl[i].where != PLACE_MANAGED ? i : x->n;
}

static void volume_name(const struct component *c, char *buf, size_t n)
{
	snprintf(buf, n, "%s-data", c->name);
}

static void healthcheck(struct yamlw *w, const struct component *c, unsigned port)
{
	if (c->kind == COMP_POSTGRES) {
		yw_printf(w, "    healthcheck:\n      test: [\"CMD-SHELL\", \"pg_isready -U postgres\"]\n");
	} else if (c->kind == COMP_REDIS) {
		yw_printf(w, "    healthcheck:\n      test: [\"CMD\", \"redis-cli\", \"ping\"]\n");
	} else if (c->health && port) {
		char cmd[600];
		const char *path = c->health[0] == '/' ? c->health + 1 : c->health;
		snprintf(cmd, sizeof(cmd),
			 "curl -fsS http://127.0.0.1:%u/%s >/dev/null || wget -q -O /dev/null http://127.0.0.1:%u/%s || exit 1",
			 port, path, port, path);
		yw_printf(w, "    healthcheck:\n      test: [\"CMD-SHELL\", ");
		yw_quoted(w, cmd);
		yw_printf(w, "]\n");
	} else {
		char hint[200];
		snprintf(hint, sizeof(hint), "no health check: set components.%s.health (and port) to an HTTP path", c->name);
		yw_comment(w, 4, hint);
		return;
	}
	yw_printf(w, "      interval: 10s\n      timeout: 3s\n      retries: 3\n      start_period: 30s\n");
}

/* A component's command, with no credential in it: a secret still written
 * in the config (a hand-written one, a draft from before init replaced them)
 * becomes a ${VAR} reference, and the variables it reads are named, for
 * docker compose fills them in from the shell or an .env file. */
static void command(struct yamlw *w, const struct component *c)
{
	struct strbuf sb;
	strbuf_init(&sb, 0);
	struct redact_ref *refs = NULL;
	char **names = NULL, note[400];
	size_t n = 0, nn = 0;
	if (redact_refs(c->command, c->name, &sb, &refs, &n) != 0) {
		if (!w->rc)
			w->rc = HR_E_TOO_LARGE;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		snprintf(note, sizeof(note), "secret: %s in components.%s.command is written ${%s}, never its value",
			 refs[i].what, c->name, refs[i].var);
		yw_comment(w, 4, note);
	}
	nn = redact_ref_names(strbuf_str(&sb), &names);
	if (nn) {
		struct strbuf list;
		strbuf_init(&list, 300);
		for (size_t i = 0; i < nn; i++)
			if (strbuf_printf(&list, "%s${%s}", i ? ", " : "", names[i]))
				break;
		snprintf(note, sizeof(note), "reads %s: set %s in the shell or an .env file beside this one", strbuf_str(&list),
			 nn > 1 ? "them" : "it");
		strbuf_free(&list);
		yw_comment(w, 4, note);
	}
	yw_kwords(w, 4, "command", strbuf_str(&sb));
out:
	for (size_t i = 0; i < nn; i++)
		free(names[i]);
	free(names);
	free(refs);
	strbuf_free(&sb);
}

static double longest_task(const struct workload *wl)
{
	double m = 0;
	for (size_t i = 0; wl && i < wl->n_tasks; i++)
		if (wl->tasks[i].duration_s > m)
			m = wl->tasks[i].duration_s;
	return m;
}

static void service(struct yamlw *w, const struct export_doc *x, size_t i, bool split, bool has_queue_workers)
{
	const struct component *c = &x->comps[i];
	const struct placement *p = &x->pl[i];
	char a[32], b[32], note[400];
	if (p->where == PLACE_MANAGED) {
		snprintf(note, sizeof(note), "%s: the plan uses the managed %s '%s': no container; point the services at it",
			 c->name, c->kind == COMP_POSTGRES ? "database" : "cache", p->offer && p->offer->name ? p->offer->name : "?");
		yw_comment(w, 2, note);
		return;
	}
	yw_printf(w, "  ");
	yw_str(w, c->name);
	yw_printf(w, ":\n");
	const char *image = export_image(c);
	if (image) {
		yw_kv(w, 4, "image", image);
	} else if (!c->build) {
		char env[128], ph[300];
		export_env_name(c->name, "IMAGE", env, sizeof(env));
		snprintf(note, sizeof(note), "ASSUMPTION: the config names no image for %s (components.%s.image); set %s or the key",
			 c->name, c->name, env);
		yw_comment(w, 4, note);
		snprintf(ph, sizeof(ph), "${%s:-%s:latest}", env, c->name);
		yw_kq(w, 4, "image", ph);
	}
	if (c->build)
		yw_kv(w, 4, "build", c->build);
	unsigned port = export_port(c);
	if (c->kind == COMP_POSTGRES && x->pg_conf) {
		yw_printf(w, "    command: [\"postgres\", \"-c\", \"config_file=/etc/postgresql/postgresql.conf\"]\n");
	} else if (c->kind == COMP_REDIS && !c->command) {
		/* A broker must not evict queued jobs; a pure cache should (redis.io, eviction policies). */
		char mb[32];
		snprintf(mb, sizeof(mb), "%.0fmb", ceil(c->memory_base_b > c->memory_b ? c->memory_base_b / 1048576.0 : c->memory_b / 1048576.0));
		yw_printf(w, "    command: [\"redis-server\", \"--maxmemory\", \"%s\", \"--maxmemory-policy\", \"%s\"]\n", mb,
			  has_queue_workers ? "noeviction" : "allkeys-lru");
	} else if (c->command) {
		command(w, c);
	}
	if (c->n_profiles || (split && p->where == PLACE_DB_NODE)) {
		yw_printf(w, "    profiles: [");
		for (size_t k = 0; k < c->n_profiles; k++) {
			yw_printf(w, "%s", k ? ", " : "");
			yw_quoted(w, c->profiles[k]);
		}
		if (split && p->where == PLACE_DB_NODE)
			yw_printf(w, "%s\"db-node\"", c->n_profiles ? ", " : "");
		yw_printf(w, "]\n");
	}
	yw_printf(w, "    restart: unless-stopped\n");
	if (c->kind == COMP_PROXY) {
		yw_printf(w, "    ports:\n      - \"80:%u\"\n      - \"443:443\"\n", port);
	} else if (port) {
		yw_printf(w, "    expose:\n      - \"%u\"\n", port);
	}
	if (c->kind == COMP_POSTGRES) {
		volume_name(c, a, sizeof(a));
		yw_printf(w, "    volumes:\n      - ");
		yw_str(w, a);
		yw_printf(w, ":/var/lib/postgresql/data\n");
		/* A bind mount, not a top-level `configs:` entry: docker-compose 1.29
		 * ignores configs outside swarm, and the server would not start. */
		if (x->pg_conf) {
			char bind[600];
			snprintf(bind, sizeof(bind), "./%s:/etc/postgresql/postgresql.conf:ro", x->pg_conf);
			yw_printf(w, "      - ");
			yw_str(w, bind);
			yw_printf(w, "\n");
		}
	} else if (c->kind == COMP_REDIS) {
		volume_name(c, a, sizeof(a));
		yw_printf(w, "    volumes:\n      - ");
		yw_str(w, a);
		yw_printf(w, ":/data\n");
	}
	healthcheck(w, c, port);
	/* Start after the stores this node runs are healthy. */
	if (c->kind == COMP_APP || c->kind == COMP_WORKER || c->kind == COMP_PROXY) {
		bool any = false;
		for (size_t k = 0; k < x->n; k++) {
			const struct component *o = &x->comps[k];
			bool store = o->kind == COMP_POSTGRES || o->kind == COMP_REDIS;
			bool wanted = c->kind == COMP_PROXY ? o->kind == COMP_APP : store;
			if (!wanted || x->pl[k].where != PLACE_NODE || o->n_profiles)
				continue;
			if (!any)
				yw_printf(w, "    depends_on:\n");
			any = true;
			yw_printf(w, "      ");
			yw_str(w, o->name);
			yw_printf(w, ":\n        condition: %s\n",
				  store ? "service_healthy" : (o->health ? "service_healthy" : "service_started"));
		}
	}
	if (c->kind == COMP_WORKER) {
		double g = ceil(longest_task(x->workload)) + 10;
		yw_printf(w, "    stop_grace_period: %.0fs\n", g);
	}
	if (c->kind == COMP_APP || c->kind == COMP_WORKER) {
		snprintf(note, sizeof(note), "%u process%s per replica (components.%s.workers): its command must start that many",
			 c->workers ? c->workers : 1, c->workers > 1 ? "es" : "", c->name);
		yw_comment(w, 4, note);
	}
	yw_printf(w, "    deploy:\n      replicas: %u\n      resources:\n        limits:\n", p->replicas);
	yw_printf(w, "          cpus: \"%s\"\n", export_cpus(p->cpu_limit, a, sizeof(a)));
	yw_printf(w, "          memory: %s\n", export_mem_compose(p->mem_limit_b, b, sizeof(b)));
	yw_printf(w, "        reservations:\n");
	yw_printf(w, "          cpus: \"%s\"\n", export_cpus(p->cpu_request, a, sizeof(a)));
	yw_printf(w, "          memory: %s\n", export_mem_compose(p->mem_request_b, b, sizeof(b)));
}

/* The plan's PgBouncer (shape.pooler) beside the database it fronts, with
 * the pool the planner counted: pool_size server connections, at most
 * max_client_conn clients, transaction pooling (docs/plan.md, "Data tier").
 * One process uses one core at most (PgBouncer is single-threaded) and about
 * 2 kB a connection (pgbouncer.org, "Features"): 1 CPU and 64 MiB are
 * ceilings it does not reach. The image takes no secret from headroom. */
static void pgbouncer(struct yamlw *w, const struct export_doc *x, bool split)
{
	size_t db = export_db_index(x);
	const struct component *pg = &x->comps[db];
	char note[600];
	if (x->pl[db].where == PLACE_MANAGED) {
		snprintf(note, sizeof(note),
			 "%s: the plan puts PgBouncer in front of the managed database: use the provider's pooler, or run %s "
			 "pointed at it (pool %u, %u clients)", EXPORT_PGBOUNCER_NAME, EXPORT_PGBOUNCER_IMAGE, x->pool_size,
			 x->max_client_conn);
		yw_comment(w, 2, note);
		return;
	}
	yw_printf(w, "  %s:\n", EXPORT_PGBOUNCER_NAME);
	snprintf(note, sizeof(note), "The plan's PgBouncer: transaction pooling in front of %s, %u server connections", pg->name,
		 x->pool_size);
	yw_comment(w, 4, note);
	snprintf(note, sizeof(note), "(deployment.pooler.pool_size), up to %u clients (max_client_conn). Point the app's",
		 x->max_client_conn);
	yw_comment(w, 4, note);
	snprintf(note, sizeof(note), "database host at %s, port 5432; set DB_USER and DB_PASSWORD (or AUTH_FILE)",
		 EXPORT_PGBOUNCER_NAME);
	yw_comment(w, 4, note);
	yw_comment(w, 4, "as the image documents: headroom writes no secret.");
	yw_kv(w, 4, "image", EXPORT_PGBOUNCER_IMAGE);
	if (split)
		yw_printf(w, "    profiles: [\"db-node\"]\n");
	yw_printf(w, "    restart: unless-stopped\n    environment:\n      DB_HOST: ");
	yw_str(w, pg->name);
	yw_printf(w, "\n      DB_PORT: \"%u\"\n      POOL_MODE: transaction\n      DEFAULT_POOL_SIZE: \"%u\"\n"
		     "      MAX_CLIENT_CONN: \"%u\"\n      AUTH_TYPE: scram-sha-256\n",
		  export_port(pg), x->pool_size, x->max_client_conn);
	yw_printf(w, "    expose:\n      - \"5432\"\n    depends_on:\n      ");
	yw_str(w, pg->name);
	yw_printf(w, ":\n        condition: service_healthy\n");
	yw_printf(w, "    deploy:\n      resources:\n        limits:\n          cpus: \"1\"\n          memory: 64M\n"
		     "        reservations:\n          cpus: \"0.1\"\n          memory: 16M\n");
}

int compose_render(const struct export_doc *x, struct strbuf *out)
{
	enum stage_kind st = x->best->shape.stage;
	if (st != STAGE_SINGLE && st != STAGE_SINGLE_OPS && st != STAGE_SPLIT)
		return HR_E_INVALID;
	bool split = st == STAGE_SPLIT;
	struct yamlw w = {.out = out};
	export_header(&w, x);
	if (split)
		yw_printf(&w, "# Split: on the app node run `docker compose up -d`; on the database node\n"
			      "# `docker compose --profile db-node up -d` with only the database's service\n"
			      "# (profile db-node), and point the app's database host at that node.\n");
	yw_printf(&w, "# The reverse proxy's own routing (nginx.conf, traefik labels) is yours to keep.\n"
		      "# Check with: docker compose config\n\nservices:\n");
	bool has_queue_workers = false;
	for (size_t i = 0; i < x->n; i++)
		has_queue_workers |= x->comps[i].kind == COMP_WORKER;
	for (size_t i = 0; i < x->n; i++)
		service(&w, x, i, split, has_queue_workers);
	if (export_has_pooler(x))
		pgbouncer(&w, x, split);
	bool vols = false;
	for (size_t i = 0; i < x->n; i++) {
		const struct component *c = &x->comps[i];
		if ((c->kind != COMP_POSTGRES && c->kind != COMP_REDIS) || x->pl[i].where == PLACE_MANAGED)
			continue;
		if (!vols)
			yw_printf(&w, "\nvolumes:\n");
		vols = true;
		char a[300];
		volume_name(c, a, sizeof(a));
		yw_printf(&w, "  ");
		yw_str(&w, a);
		yw_printf(&w, ": {}\n");
	}
	return w.rc;
}
