/* scalelog.h - the autoscaler's memory, in the history store's SQLite file.
 *
 * Its own connection to the same WAL file as store.c (SQLite serialises the
 * writers), and tables of its own, created when missing:
 *
 *   scale_recs(service, t, replicas)          recommendations, for the windows
 *   scale_events(service, t, delta)           resizes done (+ up, - down), for the rate bound
 *   scale_intents(id, service, t, from_n, to_n, state, t_end, error)
 *                                             a resize about to be attempted: written
 *                                             (state 'pending') and committed BEFORE the
 *                                             actuator runs, closed after
 *   scale_decisions(service, t, current, desired, why, reason, mode)
 *                                             every decision with its reason
 *   scale_active(service, t)                  KEDA's lastActiveTime
 *
 * So a restart (or a kill -9 at any point) finds the windows, the rate bound
 * and any resize that was in flight: a pending intent is reconciled against
 * the actuator's real count, never run again. An intent is closed only once
 * its command has ended (killed at its timeout with its process group); one
 * left pending by a kill -9 while its command still runs is reconciled only
 * after that command has ended or been killed (the pid file of
 * actuators/actuator.h, which pipeline/autoscale reads first). Each call is one transaction;
 * a committed row survives the process being killed (WAL, as store.h says). */
#ifndef HR_SCALELOG_H
#define HR_SCALELOG_H

#include <stdbool.h>

#include "util/diag.h"
#include "util/error.h"

/** An open log (opaque). */
struct scalelog;

/**
 * Open (creating the file, its directory and the tables when missing).
 * @param out a new log; close with scalelog_close().
 * @return 0 or HR_E_IO (reported to d).
 */
HR_NODISCARD int scalelog_open(const char *path, struct diag *d, struct scalelog **out);

/** Close. NULL is a no-op. */
void scalelog_close(struct scalelog *l);

/** One decision to record. */
struct scalelog_decision {
	const char *service;
	double t;
	int current, desired;
	int recommendation;   /**< the unstabilised recommendation recorded, or -1 */
	const char *why;      /**< scaling_why_name() */
	const char *reason;   /**< the full sentence */
	const char *mode;     /**< "apply", "dry-run", "backoff" */
	bool active;          /**< a trigger was active: lastActiveTime = t */
};

/** Record a decision (and its recommendation, and the activity) in one transaction. */
HR_NODISCARD int scalelog_decision(struct scalelog *l, const struct scalelog_decision *dec);

/**
 * Write a pending intent and commit it, before the actuator runs.
 * @param id receives the intent's id.
 */
HR_NODISCARD int scalelog_intent_begin(struct scalelog *l, const char *service, double t, int from, int to,
				       long long *id);

/**
 * Close an intent. @p state is "done" (the resize happened: a scale event of
 * @p delta is recorded at @p event_t in the same transaction; delta 0 records
 * none), "failed", or "aborted" (it did not happen). @p error may be NULL.
 */
HR_NODISCARD int scalelog_intent_end(struct scalelog *l, long long id, const char *state, double t,
				     const char *service, double event_t, int delta, const char *error);

/** A pending intent, as found after a restart. */
struct scalelog_intent {
	long long id;
	double t;
	int from, to;
};

/** The oldest pending intent of a service. @return 0 (found says whether there is one) or HR_E_IO. */
HR_NODISCARD int scalelog_pending(struct scalelog *l, const char *service, struct scalelog_intent *out,
				  bool *found);

/** Called for each stored row, oldest first. */
typedef void (*scalelog_row_fn)(void *ctx, double t, int value);

/** Recommendations of a service since @p since. */
HR_NODISCARD int scalelog_recs(struct scalelog *l, const char *service, double since, scalelog_row_fn fn, void *ctx);
/** Scale events (delta) of a service since @p since. */
HR_NODISCARD int scalelog_events(struct scalelog *l, const char *service, double since, scalelog_row_fn fn,
				 void *ctx);

/** KEDA's lastActiveTime of a service. @param t NaN when never recorded. */
HR_NODISCARD int scalelog_last_active(struct scalelog *l, const char *service, double *t);

/**
 * Delete recommendations and events older than @p keep_state_before and
 * decisions and closed intents older than @p keep_log_before.
 */
HR_NODISCARD int scalelog_prune(struct scalelog *l, double keep_state_before, double keep_log_before);

#endif
