/* apptune.h - workers, threads and memory for the common app servers.
 *
 * Each runtime's own documentation gives the number of processes (Gunicorn:
 * 2 x cores + 1; Uvicorn, Node's cluster, Puma: one per core; Celery: one
 * per CPU for prefork). Threads or concurrency per process come from how
 * much of a request's time is CPU (Goetz's pool sizing: cores / CPU share
 * requests in flight keep the cores busy), within each runtime's guidance.
 * Memory caps the processes when the resident size of one is known;
 * otherwise each gets an equal share of the memory budget. Every figure
 * comes with the sentence and the source that explain it.
 *
 * Pure: no I/O, no globals but constant tables. */
#ifndef HR_APPTUNE_H
#define HR_APPTUNE_H

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

/** The app servers. */
enum apptune_runtime {
	APPTUNE_UVICORN,
	APPTUNE_GUNICORN,
	APPTUNE_NODE,
	APPTUNE_PUMA,
	APPTUNE_CELERY,
	APPTUNE_RUNTIME_COUNT
};

/**
 * Default share of memory the processes may fill: 80 %, seed 004's memory
 * warning level and the planner's default memory limit (objectives.memory).
 */
#define APPTUNE_MEMORY_SHARE 0.80
/** Most CPUs accepted. */
#define APPTUNE_CPUS_MAX 1024u
/** Least memory accepted: 64 MiB. */
#define APPTUNE_MEMORY_MIN_B (64.0 * 1024 * 1024)
/** Least memory budget left for the processes: 32 MiB. */
#define APPTUNE_BUDGET_MIN_B (32.0 * 1024 * 1024)
/** Most memory accepted: 64 TiB. */
#define APPTUNE_MEMORY_MAX_B (64.0 * 1024 * 1024 * 1024 * 1024)
/**
 * Smallest CPU share used: 1 %. Below it the in-flight target (cores / share)
 * would run past a hundred per core, where the rule has no support.
 */
#define APPTUNE_CPU_SHARE_MIN 0.01

/** What the sizing needs. */
struct apptune_input {
	enum apptune_runtime runtime;
	unsigned cpus;          /**< vCPUs the processes may use, at least 1 */
	double memory_b;        /**< memory of the machine */
	double memory_share;    /**< fraction of memory_b to fill at most; 0 = APPTUNE_MEMORY_SHARE */
	double reserved_b;      /**< memory other components on the machine reserve, taken off the budget */
	double worker_memory_b; /**< resident bytes of one process; 0 = unknown */
	double cpu_share;       /**< CPU time over wall time of a request or task, (0, 1]; NaN = unknown (CPU-bound) */
};

/** One step of the reasoning. */
struct apptune_reason {
	char text[240];      /**< the sentence, with its figures */
	const char *source;  /**< static: where the rule comes from */
};

/** Most reasons one result holds. */
#define APPTUNE_MAX_REASONS 8

/** The sizing. */
struct apptune_result {
	unsigned processes;       /**< worker processes */
	unsigned threads;         /**< threads, greenlets or in-flight requests per process */
	const char *pool;         /**< static: "sync", "gthread", "asyncio", "cluster", "threads", "single", "prefork", "gevent" */
	double target_inflight;   /**< requests or tasks in flight that keep the cores busy */
	double budget_b;          /**< memory the processes may fill: memory_b x share - reserved_b */
	double memory_per_process_b; /**< the stated resident size, or the budget's equal share */
	bool memory_stated;       /**< memory_per_process_b is the input's worker_memory_b */
	double memory_total_b;    /**< processes x memory_per_process_b */
	double heap_mib;          /**< node: --max-old-space-size in MiB; 0 otherwise */
	char command[200];        /**< the flags, e.g. "gunicorn --workers 9 --threads 1 --worker-class sync" */
	struct apptune_reason reasons[APPTUNE_MAX_REASONS];
	size_t n_reasons;
	const char *warning;      /**< static sentence, or NULL */
};

/** "uvicorn", "gunicorn", "node", "puma", "celery". */
const char *apptune_runtime_name(enum apptune_runtime r);

/** Parse a runtime name. @return 0, or HR_E_INVALID. */
HR_NODISCARD int apptune_parse_runtime(const char *s, enum apptune_runtime *out);

/** "uvicorn, gunicorn, node, puma or celery". */
const char *apptune_choices(void);

/** @return NULL when the input can be sized, else a static sentence naming the flag. */
const char *apptune_check(const struct apptune_input *in);

/**
 * Size the processes.
 * @return 0 and *out filled; HR_E_INVALID when apptune_check() refuses the input.
 */
HR_NODISCARD int apptune_compute(const struct apptune_input *in, struct apptune_result *out);

#endif
