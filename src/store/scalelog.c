/* scalelog.c - the autoscaler's recommendations, resizes, intents and
 * decisions in the history store's file (see scalelog.h). */
#include "store/scalelog.h"

#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "util/xalloc.h"

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS scale_recs(service TEXT NOT NULL, t REAL NOT NULL, replicas INTEGER NOT NULL);"
	"CREATE INDEX IF NOT EXISTS scale_recs_st ON scale_recs(service, t);"
	"CREATE TABLE IF NOT EXISTS scale_events(service TEXT NOT NULL, t REAL NOT NULL, delta INTEGER NOT NULL);"
	"CREATE INDEX IF NOT EXISTS scale_events_st ON scale_events(service, t);"
	"CREATE TABLE IF NOT EXISTS scale_intents(id INTEGER PRIMARY KEY, service TEXT NOT NULL, t REAL NOT NULL,"
	" from_n INTEGER NOT NULL, to_n INTEGER NOT NULL, state TEXT NOT NULL, t_end REAL, error TEXT);"
	"CREATE INDEX IF NOT EXISTS scale_intents_ss ON scale_intents(service, state);"
	"CREATE TABLE IF NOT EXISTS scale_decisions(service TEXT NOT NULL, t REAL NOT NULL, current INTEGER NOT NULL,"
	" desired INTEGER NOT NULL, why TEXT NOT NULL, reason TEXT NOT NULL, mode TEXT NOT NULL);"
	"CREATE INDEX IF NOT EXISTS scale_decisions_t ON scale_decisions(t);"
	"CREATE TABLE IF NOT EXISTS scale_active(service TEXT PRIMARY KEY, t REAL NOT NULL);";

struct scalelog {
	sqlite3 *db;
	char *path;
	struct diag *d;
};

static int fail(struct scalelog *l, const char *what)
{
	diag_error(l->d, "autoscale log %s: %s: %s", l->path, what, sqlite3_errmsg(l->db));
	return HR_E_IO;
}

static int exec(struct scalelog *l, const char *sql)
{
	char *err = NULL;
	if (sqlite3_exec(l->db, sql, NULL, NULL, &err) != SQLITE_OK) {
		diag_error(l->d, "autoscale log %s: %s", l->path, err ? err : sqlite3_errmsg(l->db));
		sqlite3_free(err);
		return HR_E_IO;
	}
	return 0;
}

int scalelog_open(const char *path, struct diag *d, struct scalelog **out)
{
	/* The history store checks (and creates) the file and its schema version:
	 * its rules decide whose file this is. */
	struct store *st;
	int rc = store_open(path, STORE_CREATE, d, &st);
	if (rc)
		return rc;
	store_close(st);
	struct scalelog *l = xcalloc(1, sizeof(*l));
	l->path = xstrdup(path);
	l->d = d;
	if (sqlite3_open_v2(path, &l->db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		rc = fail(l, "cannot open");
		goto out;
	}
	sqlite3_busy_timeout(l->db, 5000);
	rc = exec(l, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
	if (!rc)
		rc = exec(l, schema);
out:
	if (rc) {
		scalelog_close(l);
		return rc;
	}
	*out = l;
	return 0;
}

void scalelog_close(struct scalelog *l)
{
	if (!l)
		return;
	sqlite3_close(l->db);
	free(l->path);
	free(l);
}

static int prep(struct scalelog *l, const char *sql, sqlite3_stmt **q)
{
	if (sqlite3_prepare_v2(l->db, sql, -1, q, NULL) != SQLITE_OK)
		return fail(l, "preparing a statement");
	return 0;
}

/* Run a prepared statement to its end and finalise it. */
static int done(struct scalelog *l, sqlite3_stmt *q, const char *what)
{
	int rc = sqlite3_step(q) == SQLITE_DONE ? 0 : fail(l, what);
	sqlite3_finalize(q);
	return rc;
}

static int end_tx(struct scalelog *l, int rc)
{
	if (!rc)
		rc = exec(l, "COMMIT");
	/* A failed COMMIT may leave the transaction open (store.c says why). */
	if (rc && !sqlite3_get_autocommit(l->db))
		(void)exec(l, "ROLLBACK");
	return rc;
}

int scalelog_decision(struct scalelog *l, const struct scalelog_decision *dec)
{
	int rc = exec(l, "BEGIN IMMEDIATE");
	if (rc)
		return rc;
	sqlite3_stmt *q;
	rc = prep(l, "INSERT INTO scale_decisions VALUES(?, ?, ?, ?, ?, ?, ?)", &q);
	if (!rc) {
		sqlite3_bind_text(q, 1, dec->service, -1, SQLITE_STATIC);
		sqlite3_bind_double(q, 2, dec->t);
		sqlite3_bind_int(q, 3, dec->current);
		sqlite3_bind_int(q, 4, dec->desired);
		sqlite3_bind_text(q, 5, dec->why, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 6, dec->reason, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 7, dec->mode, -1, SQLITE_STATIC);
		rc = done(l, q, "logging a decision");
	}
	if (!rc && dec->recommendation >= 0 && !(rc = prep(l, "INSERT INTO scale_recs VALUES(?, ?, ?)", &q))) {
		sqlite3_bind_text(q, 1, dec->service, -1, SQLITE_STATIC);
		sqlite3_bind_double(q, 2, dec->t);
		sqlite3_bind_int(q, 3, dec->recommendation);
		rc = done(l, q, "recording a recommendation");
	}
	if (!rc && dec->active && !(rc = prep(l, "INSERT OR REPLACE INTO scale_active VALUES(?, ?)", &q))) {
		sqlite3_bind_text(q, 1, dec->service, -1, SQLITE_STATIC);
		sqlite3_bind_double(q, 2, dec->t);
		rc = done(l, q, "recording activity");
	}
	return end_tx(l, rc);
}

int scalelog_intent_begin(struct scalelog *l, const char *service, double t, int from, int to, long long *id)
{
	sqlite3_stmt *q;
	int rc = prep(l, "INSERT INTO scale_intents(service, t, from_n, to_n, state) VALUES(?, ?, ?, ?, 'pending')",
		      &q);
	if (rc)
		return rc;
	sqlite3_bind_text(q, 1, service, -1, SQLITE_STATIC);
	sqlite3_bind_double(q, 2, t);
	sqlite3_bind_int(q, 3, from);
	sqlite3_bind_int(q, 4, to);
	rc = done(l, q, "writing an intent");
	if (!rc)
		*id = sqlite3_last_insert_rowid(l->db);
	return rc;
}

int scalelog_intent_end(struct scalelog *l, long long id, const char *state, double t, const char *service,
			double event_t, int delta, const char *error)
{
	int rc = exec(l, "BEGIN IMMEDIATE");
	if (rc)
		return rc;
	sqlite3_stmt *q;
	rc = prep(l, "UPDATE scale_intents SET state = ?, t_end = ?, error = ? WHERE id = ?", &q);
	if (!rc) {
		sqlite3_bind_text(q, 1, state, -1, SQLITE_STATIC);
		sqlite3_bind_double(q, 2, t);
		sqlite3_bind_text(q, 3, error, -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 4, id);
		rc = done(l, q, "closing an intent");
	}
	if (!rc && delta != 0 && !(rc = prep(l, "INSERT INTO scale_events VALUES(?, ?, ?)", &q))) {
		sqlite3_bind_text(q, 1, service, -1, SQLITE_STATIC);
		sqlite3_bind_double(q, 2, event_t);
		sqlite3_bind_int(q, 3, delta);
		rc = done(l, q, "recording a scale event");
	}
	return end_tx(l, rc);
}

int scalelog_pending(struct scalelog *l, const char *service, struct scalelog_intent *out, bool *found)
{
	*found = false;
	sqlite3_stmt *q;
	int rc = prep(l, "SELECT id, t, from_n, to_n FROM scale_intents WHERE service = ? AND state = 'pending'"
			 " ORDER BY id LIMIT 1", &q);
	if (rc)
		return rc;
	sqlite3_bind_text(q, 1, service, -1, SQLITE_STATIC);
	int s = sqlite3_step(q);
	if (s == SQLITE_ROW) {
		*found = true;
		out->id = sqlite3_column_int64(q, 0);
		out->t = sqlite3_column_double(q, 1);
		out->from = sqlite3_column_int(q, 2);
		out->to = sqlite3_column_int(q, 3);
	}
	sqlite3_finalize(q);
	return s == SQLITE_ROW || s == SQLITE_DONE ? 0 : fail(l, "reading intents");
}

static int rows(struct scalelog *l, const char *sql, const char *service, double since, scalelog_row_fn fn,
		void *ctx)
{
	sqlite3_stmt *q;
	int rc = prep(l, sql, &q);
	if (rc)
		return rc;
	sqlite3_bind_text(q, 1, service, -1, SQLITE_STATIC);
	sqlite3_bind_double(q, 2, since);
	int s;
	while ((s = sqlite3_step(q)) == SQLITE_ROW)
		fn(ctx, sqlite3_column_double(q, 0), sqlite3_column_int(q, 1));
	sqlite3_finalize(q);
	return s == SQLITE_DONE ? 0 : fail(l, "reading the autoscaler's history");
}

int scalelog_recs(struct scalelog *l, const char *service, double since, scalelog_row_fn fn, void *ctx)
{
	return rows(l, "SELECT t, replicas FROM scale_recs WHERE service = ? AND t >= ? ORDER BY t", service, since,
		    fn, ctx);
}

int scalelog_events(struct scalelog *l, const char *service, double since, scalelog_row_fn fn, void *ctx)
{
	return rows(l, "SELECT t, delta FROM scale_events WHERE service = ? AND t >= ? ORDER BY t", service, since, fn,
		    ctx);
}

int scalelog_last_active(struct scalelog *l, const char *service, double *t)
{
	*t = NAN;
	sqlite3_stmt *q;
	int rc = prep(l, "SELECT t FROM scale_active WHERE service = ?", &q);
	if (rc)
		return rc;
	sqlite3_bind_text(q, 1, service, -1, SQLITE_STATIC);
	int s = sqlite3_step(q);
	if (s == SQLITE_ROW)
		*t = sqlite3_column_double(q, 0);
	sqlite3_finalize(q);
	return s == SQLITE_ROW || s == SQLITE_DONE ? 0 : fail(l, "reading activity");
}

int scalelog_prune(struct scalelog *l, double keep_state_before, double keep_log_before)
{
	int rc = exec(l, "BEGIN IMMEDIATE");
	if (rc)
		return rc;
	static const char *const sql[] = {
		"DELETE FROM scale_recs WHERE t < ?1",
		"DELETE FROM scale_events WHERE t < ?1",
		"DELETE FROM scale_decisions WHERE t < ?2",
		"DELETE FROM scale_intents WHERE state != 'pending' AND t < ?2",
	};
	for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]) && !rc; i++) {
		sqlite3_stmt *q;
		rc = prep(l, sql[i], &q);
		if (rc)
			break;
		sqlite3_bind_double(q, 1, keep_state_before);
		if (sqlite3_bind_parameter_count(q) > 1)
			sqlite3_bind_double(q, 2, keep_log_before);
		rc = done(l, q, "pruning");
	}
	return end_tx(l, rc);
}
