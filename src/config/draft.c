/* draft.c - compose file + this machine -> a first config (see draft.h).
 *
 * Every default below is either a documented default of the software the
 * service runs (cited where it is used) or an ASSUMPTION written into the
 * draft with what to measure instead. The workload guesses are the
 * starter's (examples/starter.yaml), the task guesses seed 002's encoding
 * (examples/pareto.yaml). */
#include "config/draft.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/strbuf.h"
#include "util/xalloc.h"

#define MIB 1048576.0

static void note(struct draft_note *n, bool assumed, const char *fmt, ...) HR_PRINTF(3, 4);

static void note(struct draft_note *n, bool assumed, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(n->text, sizeof(n->text), fmt, ap);
	va_end(ap);
	n->assumed = assumed;
}

/* Whole MiB, at least 1: sizes the config writes as "NMiB". */
static double round_mib(double b)
{
	double m = floor(b / MIB);
	return (m < 1 ? 1 : m) * MIB;
}

static bool cmd_has(const char *cmd, const char *word)
{
	return cmd && strstr(cmd, word) != NULL;
}

/* A whole number of a flag's value, or 0. */
static unsigned flag_uint(const char *cmd, const char *const *flags)
{
	char *v = NULL;
	if (compose_flag(cmd, flags, &v))
		return 0;
	char *end;
	unsigned long n = strtoul(v, &end, 10);
	/* "puma -t 0:16": the maximum is what can run at once. */
	if (*end == ':')
		n = strtoul(end + 1, &end, 10);
	bool ok = end != v && *end == 0 && n > 0 && n <= 100000;
	free(v);
	return ok ? (unsigned)n : 0;
}

/* Redis's own size units (redis.conf: "1k => 1000 bytes, 1kb => 1024 bytes"). */
static int redis_bytes(const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);
	if (end == s || v < 0 || !isfinite(v))
		return HR_E_INVALID;
	char u[4] = {0};
	for (size_t i = 0; i < 3 && end[i]; i++)
		u[i] = (char)tolower((unsigned char)end[i]);
	double m = 1;
	if (!u[0]) m = 1;
	else if (!strcmp(u, "k")) m = 1e3;
	else if (!strcmp(u, "kb")) m = 1024;
	else if (!strcmp(u, "m")) m = 1e6;
	else if (!strcmp(u, "mb")) m = MIB;
	else if (!strcmp(u, "g")) m = 1e9;
	else if (!strcmp(u, "gb")) m = 1024 * MIB;
	else return HR_E_INVALID;
	*out = v * m;
	return 0;
}

/* The memory a service was given in the file, with the note saying where. */
static bool memory_from_file(const struct compose_service *s, double per, struct draft_component *dc,
			     const char *what)
{
	double b = s->mem_limit_b > 0 ? s->mem_limit_b : s->mem_reservation_b;
	if (b <= 0)
		return false;
	dc->c.memory_base_b = round_mib(b / (per > 0 ? per : 1));
	if (per > 1)
		note(&dc->memory, false, "%s %.0f MiB over %.0f processes (%s)", s->mem_limit_b > 0 ? "memory limit" : "memory reservation",
		     b / MIB, per, what);
	else
		note(&dc->memory, false, "%s %.0f MiB (%s); a limit is a ceiling, not use: compare with docker stats",
		     s->mem_limit_b > 0 ? "memory limit" : "memory reservation", b / MIB, what);
	return true;
}

/* An app: processes and in-flight requests per process, from the server its command runs. */
static void draft_app(const struct compose_service *s, const char *cmd, struct draft_component *dc)
{
	static const char *const f_workers[] = {"-w", "--workers", NULL};
	static const char *const f_threads[] = {"--threads", NULL};
	static const char *const f_limit[] = {"--limit-concurrency", NULL};
	static const char *const f_puma_t[] = {"-t", "--threads", NULL};
	unsigned per = flag_uint(cmd, f_workers);
	struct component *c = &dc->c;
	if (cmd_has(cmd, "gunicorn")) {
		unsigned th = flag_uint(cmd, f_threads);
		bool async = cmd_has(cmd, "uvicorn") || cmd_has(cmd, "gevent") || cmd_has(cmd, "eventlet");
		c->workers = per ? per : 1;
		note(&dc->workers, false, per ? "gunicorn --workers %u" : "gunicorn's default: one worker process%.0u (docs.gunicorn.org, settings: workers)", per);
		if (th) {
			c->concurrency = th;
			note(&dc->concurrency, false, "gunicorn --threads %u", th);
		} else if (async) {
			c->concurrency = 100;
			note(&dc->concurrency, true, "an async worker class; 100 in-flight requests per process; measure with headroom bench --find-knee");
		} else {
			c->concurrency = 1;
			note(&dc->concurrency, false, "gunicorn's sync worker serves one request at a time (docs.gunicorn.org, design)");
		}
	} else if (cmd_has(cmd, "uvicorn")) {
		unsigned lim = flag_uint(cmd, f_limit);
		c->workers = per ? per : 1;
		note(&dc->workers, false, per ? "uvicorn --workers %u" : "uvicorn's default: one process%.0u (uvicorn.org, settings)", per);
		c->concurrency = lim ? lim : 100;
		if (lim)
			note(&dc->concurrency, false, "uvicorn --limit-concurrency %u", lim);
		else
			note(&dc->concurrency, true, "100 in-flight requests per process; measure with headroom bench --find-knee");
	} else if (cmd_has(cmd, "puma")) {
		unsigned th = flag_uint(cmd, f_puma_t);
		c->workers = per ? per : 1;
		note(&dc->workers, !per, per ? "puma --workers %u" : "puma in single mode: one process%.0u", per);
		c->concurrency = th ? th : 5;
		note(&dc->concurrency, false, th ? "puma --threads max %u" : "puma's default maximum of 5 threads%.0u (puma.io, README)", th);
	} else {
		bool node = cmd_has(cmd, "node") || cmd_has(cmd, "npm") || cmd_has(cmd, "yarn") ||
			    (s->image && strncmp(s->image, "node", 4) == 0);
		c->workers = per ? per : 1;
		if (per)
			note(&dc->workers, false, "--workers %u in its command", per);
		else
			note(&dc->workers, !node, node ? "Node.js serves from one process" : "one process per replica; measure with ps in the container");
		c->concurrency = 100;
		note(&dc->concurrency, true, "100 in-flight requests per process; measure with headroom bench --find-knee");
	}
	if (!memory_from_file(s, c->workers, dc, "the compose file")) {
		c->memory_base_b = 256 * MIB;
		note(&dc->memory, true, "256 MiB resident per process; measure with docker stats --no-stream");
	}
}

/* A queue worker: processes and tasks per process, from the framework's flags and documented defaults. */
static void draft_worker(const struct compose_service *s, const char *cmd, const struct compose_kind *k,
			 double vcpu, struct draft_component *dc)
{
	static const char *const f_conc[] = {"-c", "--concurrency", NULL};
	static const char *const f_pool[] = {"-P", "--pool", NULL};
	static const char *const f_queues[] = {"-Q", "--queues", NULL};
	static const char *const f_sq[] = {"-q", "--queue", NULL};
	static const char *const f_proc[] = {"-p", "--processes", NULL};
	static const char *const f_thr[] = {"-t", "--threads", NULL};
	struct component *c = &dc->c;
	unsigned n;
	char *v = NULL;
	switch (k->framework) {
	case FW_CELERY: {
		n = flag_uint(cmd, f_conc);
		bool green = compose_flag(cmd, f_pool, &v) == 0 && v && strcmp(v, "prefork") != 0;
		unsigned conc = n ? n : (unsigned)(vcpu > 0 ? vcpu : 1);
		const char *src = n ? "celery --concurrency" : "celery's default --concurrency, the number of CPUs (docs.celeryq.dev, workers guide), here";
		if (green) {
			c->workers = 1;
			c->concurrency = conc;
			note(&dc->workers, false, "celery --pool %s runs one process", v);
			note(&dc->concurrency, false, "%s %u", src, conc);
		} else {
			c->workers = conc;
			c->concurrency = 1;
			note(&dc->workers, false, "%s %u: prefork processes, one task each", src, conc);
		}
		free(v);
		v = NULL;
		if (compose_flag(cmd, f_queues, &v) == 0) {
			v[strcspn(v, ",")] = 0;
			c->queue = xstrdup(v);
			note(&dc->queue, false, "celery -Q: the Redis list of its first queue");
		} else {
			c->queue = xstrdup("celery");
			note(&dc->queue, false, "Celery's default queue (task_default_queue), a Redis list of that name");
		}
		break;
	}
	case FW_RQ:
		c->workers = 1;
		c->concurrency = 1;
		note(&dc->workers, false, "an RQ worker runs one job at a time (python-rq.org, workers)");
		{
			/* "rq worker high default": the queues follow the word worker. */
			const char *q = strstr(cmd, "worker");
			q = q ? q + 6 : "";
			while (*q == ' ' || *q == '-') {
				if (*q == '-') /* skip an option and, when separate, nothing more */
					q += strcspn(q, " ");
				else
					q++;
			}
			size_t ql = strcspn(q, " ");
			if (ql) {
				c->queue = xasprintf("rq:queue:%.*s", (int)ql, q);
				note(&dc->queue, false, "rq worker's first queue, the list RQ keeps it in");
			} else {
				c->queue = xstrdup("rq:queue:default");
				note(&dc->queue, false, "RQ's default queue, the list rq:queue:default");
			}
		}
		break;
	case FW_SIDEKIQ:
		n = flag_uint(cmd, f_conc);
		c->workers = 1;
		c->concurrency = n ? n : 5;
		note(&dc->concurrency, false, n ? "sidekiq --concurrency %u" : "Sidekiq's default concurrency of 5 threads%.0u (sidekiq wiki, Advanced Options)", n);
		if (compose_flag(cmd, f_sq, &v) == 0) {
			v[strcspn(v, ",")] = 0;
			c->queue = xasprintf("queue:%s", v);
			note(&dc->queue, false, "sidekiq -q: its first queue's list");
		} else {
			c->queue = xstrdup("queue:default");
			note(&dc->queue, false, "Sidekiq's default queue, the list queue:default");
		}
		break;
	case FW_DRAMATIQ:
		n = flag_uint(cmd, f_proc);
		c->workers = n ? n : (unsigned)(vcpu > 0 ? vcpu : 1);
		note(&dc->workers, false, n ? "dramatiq --processes %u" : "dramatiq's default: one process per CPU%.0u (dramatiq.io, cli)", n);
		n = flag_uint(cmd, f_thr);
		c->concurrency = n ? n : 8;
		note(&dc->concurrency, false, n ? "dramatiq --threads %u" : "dramatiq's default of 8 threads%.0u (dramatiq.io, cli)", n);
		break;
	case FW_ARQ:
		c->workers = 1;
		c->concurrency = 10;
		note(&dc->concurrency, false, "arq's default max_jobs of 10 (arq-docs.helpmanual.io, Worker)");
		c->queue = xstrdup("arq:queue");
		note(&dc->queue, false, "arq's default queue name; it is a sorted set, so KEDA's list trigger cannot read it");
		break;
	case FW_BULLMQ:
		c->workers = 1;
		c->concurrency = 1;
		note(&dc->concurrency, true,
		     "BullMQ's default Worker concurrency is 1 (docs.bullmq.io, workers/concurrency); set your Worker's option");
		c->queue = xasprintf("bull:%s:wait", s->name);
		note(&dc->queue, true, "a queue named after the service; find yours with redis-cli --scan --pattern 'bull:*:wait'");
		break;
	case FW_NONE:
		c->workers = 1;
		c->concurrency = 1;
		note(&dc->concurrency, true, "one task at a time per process; measure with your queue's metrics");
		break;
	}
	free(v);
	if (!memory_from_file(s, c->workers, dc, "the compose file")) {
		c->memory_base_b = 256 * MIB;
		note(&dc->memory, true, "256 MiB resident per process; measure with docker stats --no-stream");
	}
}

static void draft_service(const struct compose_service *s, double vcpu, double mem, struct draft_component *dc)
{
	struct compose_kind k;
	compose_classify(s, &k);
	struct component *c = &dc->c;
	c->name = xstrdup(s->name);
	c->kind = k.kind;
	c->image = xstrdup(s->image);
	c->build = xstrdup(s->build);
	c->command = xstrdup(s->command);
	c->port = s->port;
	c->health = xstrdup(s->health);
	c->max_connections = 0;
	snprintf(dc->origin, sizeof(dc->origin), "%s:%d:%d", s->file, s->line, s->col);
	note(&dc->kind, k.assumed, "%s", k.why);
	/* Credentials: compose.c left references in the command and kept no
	 * value; the draft says which variable to set, and where. */
	if (s->n_secrets)
		dc->secrets = xcalloc(s->n_secrets, sizeof(*dc->secrets));
	for (size_t i = 0; i < s->n_secrets; i++) {
		const struct compose_secret *x = &s->secrets[i];
		struct draft_note *n = &dc->secrets[dc->n_secrets++];
		if (x->env)
			note(n, false,
			     "secret: %s (%s:%d:%d) is not copied (the exports write no environment);\n"
			     "set %s where the service runs (docker compose: %s: ${%s} with the value in the shell\n"
			     "or .env; Kubernetes: from a Secret)",
			     x->what, x->file, x->line, x->col, x->var, x->var, x->var);
		else
			note(n, false,
			     "secret: %s in its command (%s:%d:%d) is now ${%s}, written\n"
			     "$${%s} below so that headroom keeps the reference for export; set %s\n"
			     "where the service runs (docker compose: the shell or .env; export k8s: the Secret it names)",
			     x->what, x->file, x->line, x->col, x->var, x->var, x->var);
	}
	if (s->n_profiles) {
		c->profiles = xcalloc(s->n_profiles, sizeof(*c->profiles));
		struct strbuf sb;
		strbuf_init(&sb, 256);
		for (size_t i = 0; i < s->n_profiles; i++) {
			c->profiles[c->n_profiles++] = xstrdup(s->profiles[i]);
			if ((i && strbuf_puts(&sb, ", ")) || strbuf_puts(&sb, s->profiles[i]))
				break;
		}
		note(&dc->profiles, true, "runs only with --profile %s; planned as if it always ran", strbuf_str(&sb));
		strbuf_free(&sb);
	}
	/* A command with an entrypoint before it is what runs. */
	struct strbuf cb;
	strbuf_init(&cb, 1u << 17);
	if ((s->entrypoint && strbuf_puts(&cb, s->entrypoint)) || strbuf_puts(&cb, " ") ||
	    (s->command && strbuf_puts(&cb, s->command)))
		strbuf_reset(&cb);
	const char *cmd = strbuf_str(&cb);
	switch (k.kind) {
	case COMP_APP:
		draft_app(s, cmd, dc);
		break;
	case COMP_WORKER:
		draft_worker(s, cmd, &k, vcpu, dc);
		break;
	case COMP_POSTGRES: {
		const char *mc = strstr(cmd, "max_connections=");
		unsigned long n = mc ? strtoul(mc + 16, NULL, 10) : 0;
		c->max_connections = n > 0 && n < 1000000 ? (unsigned)n : 100;
		if (n > 0 && n < 1000000)
			note(&dc->max_connections, false, "-c max_connections=%lu in its command", n);
		else
			note(&dc->max_connections, false, "PostgreSQL's default (postgresql.org/docs/current/runtime-config-connection.html)");
		if (!memory_from_file(s, 1, dc, "the compose file")) {
			c->memory_base_b = round_mib(mem / 4 > 2048 * MIB ? 2048 * MIB : mem / 4);
			note(&dc->memory, true,
			     "a quarter of this machine's memory (PGTune's shared_buffers = RAM/4), at most 2 GiB; measure with SHOW shared_buffers and pg_stat_activity");
		}
		break;
	}
	case COMP_REDIS: {
		static const char *const f_max[] = {"--maxmemory", NULL};
		char *v = NULL;
		double b;
		if (compose_flag(cmd, f_max, &v) == 0 && redis_bytes(v, &b) == 0 && b > 0) {
			c->memory_base_b = round_mib(b);
			note(&dc->memory, false, "redis --maxmemory %s", v);
		} else if (!memory_from_file(s, 1, dc, "the compose file")) {
			c->memory_base_b = 256 * MIB;
			note(&dc->memory, true, "256 MiB (seed 004's --maxmemory 256mb); measure with redis-cli INFO memory (used_memory_peak)");
		}
		free(v);
		break;
	}
	case COMP_PROXY:
	case COMP_OTHER:
		c->workers = 1;
		if (!memory_from_file(s, 1, dc, "the compose file")) {
			c->memory_base_b = (k.kind == COMP_PROXY ? 64 : 256) * MIB;
			note(&dc->memory, true, "%s MiB; measure with docker stats --no-stream", k.kind == COMP_PROXY ? "64" : "256");
		}
		break;
	}
	/* Replicas in the file are processes the model counts per replica of the group. */
	if (s->replicas > 1 && (k.kind == COMP_APP || k.kind == COMP_WORKER)) {
		unsigned per = c->workers ? c->workers : 1;
		c->workers = per * s->replicas;
		char was[DRAFT_NOTE_MAX];
		snprintf(was, sizeof(was), "%s", dc->workers.text[0] ? dc->workers.text : "one process each");
		note(&dc->workers, dc->workers.assumed, "deploy.replicas %u x %u (%s)", s->replicas, per, was);
	}
	strbuf_free(&cb);
}

static void add_starter(struct draft *dr, const char *name, enum component_kind kind, const char *image,
			unsigned port)
{
	struct draft_component *dc = &dr->comps[dr->n++];
	dc->c.name = xstrdup(name);
	dc->c.kind = kind;
	dc->c.image = image ? xstrdup(image) : NULL;
	dc->c.port = port;
}

/* A starter for this machine: an app behind nginx with PostgreSQL and Redis. */
static void draft_starter(struct draft *dr, double mem)
{
	dr->comps = xcalloc(4, sizeof(*dr->comps));
	add_starter(dr, "app", COMP_APP, NULL, 8000);
	struct draft_component *a = &dr->comps[0];
	note(&a->kind, true, "your web/API service; set image (or build) and command to yours");
	a->c.workers = 1;
	a->c.concurrency = 100;
	note(&a->workers, true, "one process per replica; the plan adds replicas per vCPU");
	note(&a->concurrency, true, "100 in-flight requests per process; measure with headroom bench --find-knee");
	a->c.memory_base_b = 256 * MIB;
	note(&a->memory, true, "256 MiB resident per process; measure with docker stats --no-stream");
	a->c.health = xstrdup("/health");
	add_starter(dr, "db", COMP_POSTGRES, "postgres:16", 5432);
	struct draft_component *p = &dr->comps[1];
	p->c.max_connections = 100;
	note(&p->max_connections, false, "PostgreSQL's default (postgresql.org/docs/current/runtime-config-connection.html)");
	p->c.memory_base_b = round_mib(mem / 4 > 2048 * MIB ? 2048 * MIB : mem / 4);
	note(&p->memory, true, "a quarter of this machine's memory (PGTune's shared_buffers = RAM/4), at most 2 GiB; measure with SHOW shared_buffers");
	add_starter(dr, "cache", COMP_REDIS, "redis:7-alpine", 6379);
	dr->comps[2].c.memory_base_b = 256 * MIB;
	note(&dr->comps[2].memory, true, "256 MiB (seed 004's --maxmemory 256mb); measure with redis-cli INFO memory");
	add_starter(dr, "proxy", COMP_PROXY, "nginx:1.27-alpine", 80);
	dr->comps[3].c.memory_base_b = 64 * MIB;
	note(&dr->comps[3].memory, true, "64 MiB; measure with docker stats --no-stream");
}

int draft_build(const struct compose_project *p, double vcpu, double memory_b, double disk_b,
		const struct catalog *cat, const char *provider, struct diag *d, struct draft *out)
{
	memset(out, 0, sizeof(*out));
	out->vcpu = vcpu;
	out->memory_b = memory_b;
	out->disk_b = disk_b;
	const struct offer *o = draft_nearest_plan(cat, vcpu, memory_b, disk_b, provider);
	if (!o) {
		if (provider)
			diag_error(d, "the price catalogue has no server plan of provider '%s' (see headroom catalog)", provider);
		else
			diag_error(d, "the price catalogue has no server plan");
		return HR_E_NOTFOUND;
	}
	snprintf(out->provider, sizeof(out->provider), "%s", o->provider ? o->provider : "");
	snprintf(out->plan, sizeof(out->plan), "%s", o->name);
	out->plan_vcpu = o->vcpu;
	out->plan_memory_b = o->memory_b;
	out->plan_disk_b = o->disk_b;
	out->plan_price = o->price;
	memcpy(out->plan_currency, o->currency, sizeof(out->plan_currency));

	if (p) {
		out->from = xstrdup(p->path);
		out->comps = xcalloc(p->n ? p->n : 1, sizeof(*out->comps));
		for (size_t i = 0; i < p->n; i++)
			draft_service(&p->services[i], vcpu, memory_b, &out->comps[out->n++]);
	} else {
		draft_starter(out, memory_b);
	}
	for (size_t i = 0; i < out->n; i++) {
		enum component_kind k = out->comps[i].c.kind;
		out->has_app |= k == COMP_APP;
		out->has_worker |= k == COMP_WORKER;
		out->has_pg |= k == COMP_POSTGRES;
		out->has_redis |= k == COMP_REDIS;
	}
	if (!out->has_app && !out->has_worker) {
		struct diag_loc loc = {.file = p->path, .line = p->n ? p->services[0].line : 1,
				       .col = p->n ? p->services[0].col : 1, .span = 1};
		diag_at(d, DIAG_ERROR, &loc,
			"no service serves requests or runs tasks (every one is a database, cache, proxy or side service); nothing to plan");
		draft_free(out);
		return HR_E_INVALID;
	}
	/* Database connections: a pool per process where there is a database. */
	for (size_t i = 0; i < out->n && out->has_pg; i++) {
		struct draft_component *dc = &out->comps[i];
		if (dc->c.kind == COMP_APP) {
			dc->c.db_pool = 5;
			note(&dc->db_pool, true, "5 connections per process (SQLAlchemy's default pool_size); measure with pg_stat_activity");
		} else if (dc->c.kind == COMP_WORKER) {
			dc->c.db_pool = 2;
			note(&dc->db_pool, true, "2 connections per process; measure with pg_stat_activity");
		}
	}

	/* The workload: every figure a guess until measured. Request figures are
	 * the starter's api class, task figures seed 002's Celery task. */
	struct draft_workload *w = &out->w;
	w->users = 1000;
	w->daily_active = 0.30;
	w->peak_concurrent = 0.10;
	if (out->has_app) {
		w->req_rate = 6.0 / 60;
		w->req_duration_s = 0.120;
		w->req_cpu_s = 0.015;
		w->req_memory_b = 2 * MIB;
		w->req_bytes_out = 20000;
		if (out->has_pg) {
			w->req_db_queries = 4;
			w->req_db_query_s = 0.002;
		}
		w->p95_s = 0.5;
	}
	if (out->has_worker) {
		w->task_rate_per_user = 1.0 / 3600;
		w->task_duration_s = 2;
		w->task_cpu_s = 0.3;
		w->task_memory_b = 100 * MIB;
		if (out->has_pg)
			w->task_db_queries = 10;
	}
	if (out->has_pg) {
		w->storage_per_user_b = 5 * MIB;
		w->storage_base_b = 500 * MIB;
	}
	return 0;
}
