/* store.h - metric history and trigger state changes in SQLite.
 *
 * One file, WAL mode, at $XDG_STATE_HOME/headroom/history.db by default.
 * Each store_append() is one transaction (a batch: every metric of one
 * sample), so a process killed at any moment leaves the file as of its last
 * commit: SQLite's WAL makes a commit durable against a process crash as soon
 * as COMMIT returns (synchronous=NORMAL only risks the last commits on power
 * loss, https://www.sqlite.org/wal.html#durability). Each batch is also
 * recorded in a `batches` table with its size, so anyone can verify the file
 * holds every sample of every committed batch.
 *
 * Raw samples older than the retention are folded into rollups (mean, min and
 * max per step) by store_prune(); range reads return rollups for the old part
 * and raw samples for the recent part, in time order. */
#ifndef HR_STORE_H
#define HR_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "model/sample.h"
#include "util/diag.h"
#include "util/error.h"

/** An open store (opaque). */
struct store;

/** How to open a store. */
enum store_mode {
	STORE_CREATE,   /**< create the file and its directory when missing (the agent) */
	STORE_EXISTING, /**< open only a file that exists: HR_E_NOTFOUND otherwise */
	STORE_READONLY, /**< read a file that exists, never write it nor create a file beside it (a
			     store check may not write: with no -wal and -shm, an immutable snapshot):
			     HR_E_NOTFOUND when missing; writes fail with HR_E_IO */
};

/**
 * The default path: $XDG_STATE_HOME/headroom/history.db, or
 * $HOME/.local/state/headroom/history.db when XDG_STATE_HOME is unset or not
 * absolute (XDG Base Directory Specification 0.8).
 * @return a new string the caller frees, or NULL when neither variable is usable.
 */
char *store_default_path(void);

/**
 * Open (and, with STORE_CREATE, create) a store.
 * @param out a new store the caller closes with store_close().
 * STORE_CREATE and STORE_EXISTING open to write: a file this user may not
 * write is refused before SQLite reads it (its first read would create a -wal
 * and -shm owned by this user; open it STORE_READONLY). An empty -wal and a
 * -shm this user may not write, which another user's read-only open left,
 * are removed first when no process has them open (a warning to d).
 * @return 0; HR_E_NOTFOUND (STORE_EXISTING and no file); HR_E_IO with a
 *         message to d when the file cannot be opened or written, is not a
 *         store (another program's SQLite database is left untouched), was
 *         written with another schema version (a newer headroom), or has a
 *         -wal or -shm of another user that cannot be removed (the message
 *         says which files to remove).
 */
HR_NODISCARD int store_open(const char *path, enum store_mode mode, struct diag *d, struct store **out);

/** Send the store's later messages to @p d (borrowed) instead of the one it was opened with. */
void store_set_diag(struct store *st, struct diag *d);

/** Can this store be written (not opened with STORE_READONLY)? NULL: false. */
bool store_writable(const struct store *st);

/** Close the store. NULL is a no-op. */
void store_close(struct store *st);

/**
 * Append one batch: every metric of @p s at time @p t, in one transaction.
 * NaN values are stored as NULL and read back as NaN.
 * @return 0 or HR_E_IO (message to the store's diag).
 */
HR_NODISCARD int store_append(struct store *st, double t, const struct sample_set *s);

/** One series read back. */
struct store_series {
	char *name;          /**< owned full series name */
	struct series pts;   /**< owned points */
};

/** Several series. */
struct store_series_list {
	struct store_series *s; /**< owned array */
	size_t n;
};

/** Free a list. NULL is a no-op. */
void store_series_list_free(struct store_series_list *l);

/**
 * Read every series matching @p selector (see sample_name_matches()) between
 * two times (inclusive), rollups first then raw samples, ascending in time.
 * @param max_points per series, the newest kept when there are more (0: no cap).
 * @return 0 or HR_E_IO.
 */
HR_NODISCARD int store_read(struct store *st, const char *selector, double from, double to,
			    size_t max_points, struct store_series_list *out);

/**
 * Read one series by its exact name between two times (inclusive), as
 * store_read() does for each series it finds.
 * @param out points are appended; the caller frees them (series_free()).
 * @return 0 (no points when the series is unknown) or HR_E_IO.
 */
HR_NODISCARD int store_read_series(struct store *st, const char *name, double from, double to,
				   size_t max_points, struct series *out);

/**
 * Read one series by its exact name between two times, averaged into
 * buckets of step seconds (SQLite does the averaging: a week of 10-second
 * samples is 60,480 rows, a chart needs a few hundred points). Bucket k
 * covers [from + k step, from + (k + 1) step); its point is at the bucket's
 * middle with the mean of the values in it (rollups count as one value).
 * A bucket with no row is left out; one whose values are all NULL is NaN.
 * @param out points are appended in time order; the caller frees them.
 * @return 0 (no points when the series is unknown); HR_E_INVALID for a
 *         step that is not positive; HR_E_IO.
 */
HR_NODISCARD int store_read_buckets(struct store *st, const char *name, double from, double to, double step,
				    struct series *out);

/** Record a trigger state change. @return 0 or HR_E_IO. */
HR_NODISCARD int store_log_transition(struct store *st, double t, const char *trigger, const char *series,
				      const char *from, const char *to, double value, const char *message);

/** How long to keep what. */
struct store_retention {
	double raw_s;        /**< keep raw samples this long (agent.retention, default 7d) */
	double rollup_step_s;/**< width of a rollup bucket (default 5 min) */
	double rollup_s;     /**< keep rollups this long (default 400 d) */
};

/**
 * Fold raw samples older than now - raw_s into rollups and delete them; delete
 * rollups and transitions older than now - rollup_s. One transaction.
 * @return 0 or HR_E_IO.
 */
HR_NODISCARD int store_prune(struct store *st, double now, const struct store_retention *r);

/** Counts for tests and the kill test: samples stored, and the sum of batch sizes. */
struct store_stats {
	long long samples;   /**< raw sample rows */
	long long batched;   /**< sum of the sizes the batches table recorded */
	long long batches;   /**< committed batches */
	long long rollups;   /**< rollup rows */
	long long transitions;
	double last_t;       /**< time of the last batch, NaN when none */
};

/** Fill the counts. @return 0 or HR_E_IO. */
HR_NODISCARD int store_stats(struct store *st, struct store_stats *out);

#endif
