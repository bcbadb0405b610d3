/* draft.h - a first headroom config, drafted by `headroom init`.
 *
 * The draft is the model's own structs (components, the current node) with
 * a note beside every value saying where it came from: read from the
 * team's compose file (with its place), measured on this machine, or an
 * ASSUMPTION with what to measure to replace it. config/draft.c fills it;
 * render/draft.c writes it as YAML with the notes as comments. */
#ifndef HR_MODEL_DRAFT_H
#define HR_MODEL_DRAFT_H

#include <stdbool.h>
#include <stddef.h>

#include "model/model.h"

/** Longest note. */
#define DRAFT_NOTE_MAX 512

/** Where a value came from. */
struct draft_note {
	bool assumed;              /**< a guess: written "# ASSUMPTION: ..." */
	char text[DRAFT_NOTE_MAX]; /**< why, and for a guess what to measure; "" = no comment */
};

/** One component of the draft. */
struct draft_component {
	struct component c;          /**< owns its strings (name, image, build, command, health, queue, profiles) */
	char origin[256];            /**< "docker-compose.yml:12:3", or "" */
	struct draft_note kind, workers, concurrency, memory, db_pool, max_connections, queue, profiles;
	struct draft_note *secrets;  /**< owned: one per credential of the service, naming the variable to set */
	size_t n_secrets;
};

/** The workload guesses, each stated (config/draft.c says where each comes from). */
struct draft_workload {
	double users, daily_active, peak_concurrent;
	double req_rate, req_duration_s, req_cpu_s, req_memory_b, req_db_queries, req_db_query_s, req_bytes_out;
	double task_rate_per_user, task_duration_s, task_cpu_s, task_memory_b, task_db_queries;
	double storage_per_user_b, storage_base_b;
	double p95_s;
};

/** A drafted config. */
struct draft {
	char *from;                    /**< the compose file, or NULL for a starter */
	double vcpu, memory_b, disk_b; /**< this machine */
	char provider[64], plan[64];   /**< the closest catalogue plan */
	double plan_vcpu, plan_memory_b, plan_disk_b, plan_price;
	char plan_currency[4];
	struct draft_workload w;
	bool has_app, has_worker, has_pg, has_redis;
	struct draft_component *comps;
	size_t n;
};

/** Release a draft's contents; NULL is a no-op. */
void draft_free(struct draft *dr);

/**
 * The server plan closest to a machine: the smallest sum of |log2| ratios
 * of vCPUs and memory, plus a quarter of that of disk (disks differ most
 * and matter least for the fit); on a tie the cheaper, then the first.
 * Plans whose terms forbid commercial use are left out.
 * @param provider only this provider's plans, or NULL for all.
 * @return a borrowed entry of cat, or NULL when it sells no server.
 */
const struct offer *draft_nearest_plan(const struct catalog *cat, double vcpu, double memory_b, double disk_b,
				       const char *provider);

#endif
