/* apptune.c - workers, threads and memory per app server (see apptune.h
 * for each runtime's rule and its source). */
#include "model/apptune.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/units.h"

static const char *const names[APPTUNE_RUNTIME_COUNT] = {"uvicorn", "gunicorn", "node", "puma", "celery"};

/* Where each rule comes from (docs/tune.md repeats them). */
static const char S_GOETZ[] =
	"Goetz et al., Java Concurrency in Practice (2006), 8.2 Sizing thread pools: "
	"threads = cores x utilisation x (1 + wait / compute)";
static const char S_MEMORY[] =
	"seed 004 (FastAPI + PostgreSQL scaling strategy): memory warning above 80%; "
	"the planner's default memory limit (objectives.utilization.memory)";
static const char S_GUNICORN_WORKERS[] =
	"Gunicorn docs, Design, \"How Many Workers?\": (2 x $num_cores) + 1, "
	"docs.gunicorn.org/en/stable/design.html#how-many-workers";
static const char S_GUNICORN_THREADS[] =
	"Gunicorn docs, Settings, threads: more than 1 turns the sync worker into gthread, "
	"docs.gunicorn.org/en/stable/settings.html#threads";
static const char S_UVICORN[] =
	"FastAPI docs, Server Workers (one worker process per core to use them all), "
	"fastapi.tiangolo.com/deployment/server-workers; Uvicorn docs, Deployment (--workers), "
	"www.uvicorn.org/deployment";
static const char S_NODE_CLUSTER[] =
	"Node.js docs, Cluster: the primary forks one worker per os.availableParallelism(), "
	"nodejs.org/api/cluster.html";
static const char S_NODE_HEAP[] =
	"Node.js docs, CLI, --max-old-space-size: 1536 (1.5 GiB) on a machine with 2 GiB, "
	"nodejs.org/api/cli.html";
static const char S_PUMA[] =
	"Puma docs, Deployment, Cluster Mode Tips and Container/VPS sizing: workers = CPU cores, single mode "
	"on 1 core, the default 5 threads unless 50%+ of the time waits on I/O, "
	"github.com/puma/puma/blob/master/docs/deployment.md";
static const char S_CELERY_PREFORK[] =
	"Celery docs, Workers, Concurrency: --concurrency defaults to the number of CPUs; prefork suits "
	"CPU-bound tasks, docs.celeryq.dev/en/stable/userguide/workers.html";
static const char S_CELERY_GEVENT[] =
	"Celery docs, Concurrency: eventlet and gevent for I/O-bound tasks, hundreds or thousands of "
	"green threads where prefork runs a few processes per CPU, "
	"docs.celeryq.dev/en/stable/userguide/concurrency/";

/* The line both Puma (threads) and Celery (the pool) draw: work that waits
 * on I/O half its time or more is "I/O-heavy" (Puma docs, Deployment). */
#define IO_HEAVY_WAIT 0.5
/* Puma's default thread count on MRI (Puma docs, Deployment). */
#define PUMA_THREADS 5u
/* V8's old space as a share of a process's memory: 1536 MiB of 2 GiB (Node.js docs). */
#define NODE_HEAP_SHARE 0.75

const char *apptune_runtime_name(enum apptune_runtime r)
{
	return (unsigned)r < APPTUNE_RUNTIME_COUNT ? names[r] : "?";
}

int apptune_parse_runtime(const char *s, enum apptune_runtime *out)
{
	for (unsigned i = 0; s && i < APPTUNE_RUNTIME_COUNT; i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = (enum apptune_runtime)i;
			return 0;
		}
	}
	return HR_E_INVALID;
}

const char *apptune_choices(void)
{
	return "uvicorn, gunicorn, node, puma or celery";
}

const char *apptune_check(const struct apptune_input *in)
{
	if ((unsigned)in->runtime >= APPTUNE_RUNTIME_COUNT)
		return "--runtime: expected uvicorn, gunicorn, node, puma or celery";
	if (in->cpus < 1 || in->cpus > APPTUNE_CPUS_MAX)
		return "--cpus: a whole number of CPUs from 1 to 1024";
	if (!(in->memory_b >= APPTUNE_MEMORY_MIN_B))
		return "--ram: at least 64MiB for the processes";
	if (!(in->memory_b <= APPTUNE_MEMORY_MAX_B))
		return "--ram: at most 64TiB";
	if (!(in->memory_share >= 0 && in->memory_share <= 1))
		return "the memory share is a fraction from 0 to 1";
	if (!(in->worker_memory_b >= 0) || in->worker_memory_b > APPTUNE_MEMORY_MAX_B)
		return "--worker-memory: a size from 0 to 64TiB";
	if (!isnan(in->cpu_share) && !(in->cpu_share > 0 && in->cpu_share <= 1))
		return "--cpu-share: a fraction above 0 and at most 100%";
	if (!(in->reserved_b >= 0))
		return "the memory other components reserve cannot be negative";
	double share = in->memory_share > 0 ? in->memory_share : APPTUNE_MEMORY_SHARE;
	if (!(in->memory_b * share - in->reserved_b >= APPTUNE_BUDGET_MIN_B))
		return "the other components on the machine leave less than 32MiB of its memory budget";
	return NULL;
}

static void reason(struct apptune_result *r, const char *source, const char *fmt, ...) HR_PRINTF(3, 4);
static void reason(struct apptune_result *r, const char *source, const char *fmt, ...)
{
	if (r->n_reasons >= APPTUNE_MAX_REASONS)
		return;
	struct apptune_reason *x = &r->reasons[r->n_reasons++];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(x->text, sizeof(x->text), fmt, ap);
	va_end(ap);
	x->source = source;
}

static unsigned ceil_u(double x)
{
	return x < 1 ? 1u : (unsigned)ceil(x - 1e-9);
}

int apptune_compute(const struct apptune_input *in, struct apptune_result *out)
{
	memset(out, 0, sizeof(*out));
	if (apptune_check(in))
		return HR_E_INVALID;
	const unsigned c = in->cpus;
	const bool known = !isnan(in->cpu_share);
	const double share = known ? fmax(in->cpu_share, APPTUNE_CPU_SHARE_MIN) : 1;
	const double wait = 1 - share;
	const bool io_heavy = wait >= IO_HEAVY_WAIT;
	const double mshare = in->memory_share > 0 ? in->memory_share : APPTUNE_MEMORY_SHARE;
	char b1[32], b2[32];

	/* The in-flight requests (or tasks) that keep every core busy. */
	out->target_inflight = c / share;
	if (known)
		reason(out, S_GOETZ,
		       "the work is %.0f%% CPU and %.0f%% waiting, so %.1f in flight keep %u core%s busy "
		       "(cores / CPU share)",
		       share * 100, wait * 100, out->target_inflight, c, c == 1 ? "" : "s");
	else
		reason(out, S_GOETZ,
		       "no CPU share known (give -f with a workload, or --cpu-share): CPU-bound assumed, "
		       "so %u in flight keep %u core%s busy",
		       c, c, c == 1 ? "" : "s");
	out->budget_b = in->memory_b * mshare - in->reserved_b;
	if (in->reserved_b > 0) {
		char b3[32];
		reason(out, S_MEMORY, "memory budget: %.0f%% of %s, less the %s other components reserve, = %s",
		       mshare * 100, units_fmt_size(in->memory_b, b1, sizeof(b1)),
		       units_fmt_size(in->reserved_b, b3, sizeof(b3)), units_fmt_size(out->budget_b, b2, sizeof(b2)));
	} else {
		reason(out, S_MEMORY, "memory budget: %.0f%% of %s = %s", mshare * 100,
		       units_fmt_size(in->memory_b, b1, sizeof(b1)), units_fmt_size(out->budget_b, b2, sizeof(b2)));
	}

	/* Processes by each runtime's own rule. */
	unsigned p = c;
	switch (in->runtime) {
	case APPTUNE_GUNICORN:
		p = 2 * c + 1;
		reason(out, S_GUNICORN_WORKERS, "workers: 2 x %u cores + 1 = %u", c, p);
		break;
	case APPTUNE_UVICORN:
		reason(out, S_UVICORN, "workers: one per core = %u, each an event loop on one core", p);
		break;
	case APPTUNE_NODE:
		reason(out, S_NODE_CLUSTER, "processes: one per core = %u (cluster)", p);
		break;
	case APPTUNE_PUMA:
		if (c == 1)
			reason(out, S_PUMA, "1 core: single mode (workers 0), one process");
		else
			reason(out, S_PUMA, "workers: one per core = %u (workers :auto)", p);
		break;
	case APPTUNE_CELERY:
		if (!io_heavy) {
			p = ceil_u(out->target_inflight);
			reason(out, S_CELERY_PREFORK, "prefork pool: %u child process%s, one task each (%u CPU%s%s)", p,
			       p == 1 ? "" : "es", c, c == 1 ? "" : "s", p > c ? ", more for the time tasks wait" : "");
		} else {
			reason(out, S_CELERY_GEVENT,
			       "tasks wait %.0f%% of their time: gevent pool, one worker process per core = %u", wait * 100, p);
		}
		break;
	case APPTUNE_RUNTIME_COUNT:
		break;
	}

	/* Memory: the stated size of one process caps how many fit. */
	if (in->worker_memory_b > 0) {
		double fit = floor(out->budget_b / in->worker_memory_b);
		if (fit < 1) {
			out->warning = "one process needs more memory than the budget holds: a bigger machine, or "
				       "less memory per process";
			p = 1;
		} else if (p > fit) {
			reason(out, S_MEMORY, "memory: %s / %s per process = %.0f fit, so %u, not %u",
			       units_fmt_size(out->budget_b, b1, sizeof(b1)),
			       units_fmt_size(in->worker_memory_b, b2, sizeof(b2)), fit, (unsigned)fit, p);
			p = (unsigned)fit;
		}
		out->memory_per_process_b = in->worker_memory_b;
		out->memory_stated = true;
	} else {
		out->memory_per_process_b = floor(out->budget_b / p);
		reason(out, S_MEMORY, "memory: no size per process known, so each of %u may grow to %s", p,
		       units_fmt_size(out->memory_per_process_b, b1, sizeof(b1)));
	}
	out->processes = p;
	out->memory_total_b = p * out->memory_per_process_b;

	/* Threads or concurrency per process. */
	unsigned t = ceil_u(out->target_inflight / p);
	switch (in->runtime) {
	case APPTUNE_GUNICORN:
		out->threads = t;
		out->pool = t > 1 ? "gthread" : "sync";
		reason(out, S_GUNICORN_THREADS, "threads: %.1f in flight / %u worker%s = %u, worker class %s",
		       out->target_inflight, p, p == 1 ? "" : "s", t, out->pool);
		snprintf(out->command, sizeof(out->command), "gunicorn --workers %u --threads %u --worker-class %s", p, t,
			 out->pool);
		break;
	case APPTUNE_UVICORN:
		out->threads = t;
		out->pool = "asyncio";
		reason(out, S_GOETZ, "concurrency: %u request%s in flight per worker keep its core busy; more only queue",
		       t, t == 1 ? "" : "s");
		snprintf(out->command, sizeof(out->command), "uvicorn --workers %u", p);
		break;
	case APPTUNE_NODE:
		out->threads = t;
		out->pool = "cluster";
		out->heap_mib = floor(out->memory_per_process_b * NODE_HEAP_SHARE / (1024.0 * 1024.0));
		reason(out, S_GOETZ, "concurrency: %u request%s in flight per process keep its core busy", t,
		       t == 1 ? "" : "s");
		reason(out, S_NODE_HEAP, "heap: 75%% of %s per process = --max-old-space-size=%.0f",
		       units_fmt_size(out->memory_per_process_b, b1, sizeof(b1)), out->heap_mib);
		snprintf(out->command, sizeof(out->command), "NODE_OPTIONS=--max-old-space-size=%.0f, %u cluster worker%s",
			 out->heap_mib, p, p == 1 ? "" : "s");
		break;
	case APPTUNE_PUMA:
		out->threads = io_heavy && t > PUMA_THREADS ? t : PUMA_THREADS;
		out->pool = c == 1 ? "single" : "threads";
		if (io_heavy)
			reason(out, S_PUMA, "threads: waits %.0f%% on I/O, so %.1f in flight / %u = %u, at least the default %u",
			       wait * 100, out->target_inflight, p, out->threads, PUMA_THREADS);
		else
			reason(out, S_PUMA, "threads: the default %u (less than half the time waits on I/O)", PUMA_THREADS);
		snprintf(out->command, sizeof(out->command), "puma --workers %u --threads %u:%u", c == 1 ? 0 : p,
			 out->threads, out->threads);
		break;
	case APPTUNE_CELERY:
		if (!io_heavy) {
			out->threads = 1;
			out->pool = "prefork";
			snprintf(out->command, sizeof(out->command), "celery worker --pool prefork --concurrency %u", p);
		} else {
			out->threads = t;
			out->pool = "gevent";
			reason(out, S_CELERY_GEVENT, "concurrency: %.1f in flight / %u process%s = %u greenlets each",
			       out->target_inflight, p, p == 1 ? "" : "es", t);
			snprintf(out->command, sizeof(out->command),
				 "celery worker --pool gevent --concurrency %u (%u such worker%s)", t, p, p == 1 ? "" : "s");
		}
		break;
	case APPTUNE_RUNTIME_COUNT:
		break;
	}
	return 0;
}
