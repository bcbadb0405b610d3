/* postgres.c - PostgreSQL statistics through libpq: connections in use
 * against max_connections, database size, buffer cache hit ratio, the
 * longest running query and replication lag.
 *
 * One query per sample, read-only, bounded twice: by statement_timeout on
 * the server, and by a deadline here, so a server that stops answering (a
 * stopped backend, a network partition) cannot hold the agent's loop until
 * TCP gives up (~15 min): past the deadline the connection is dropped. The role
 * needs pg_monitor (or to be a superuser) to see other sessions' state; with
 * less, the counts are still right but the longest query only covers its own
 * sessions (docs/metrics.md). */
#include <errno.h>
#include <libpq-fe.h>
#include <math.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/clock.h"
#include "sources/backends.h"
#include "util/xalloc.h"

/* Longest timeout honoured: statement_timeout is an int of milliseconds. */
#define PG_MAX_TIMEOUT_S 86400.0

struct pg {
	const struct source_config *cfg;
	PGconn *conn;
	double timeout_s;
	char timeout[32], stmt_timeout[48];
};

/* Columns: client connections, max_connections, database size, cache hit
 * ratio, longest active query (s), replication lag (s) - on a replica the
 * age of the last replayed transaction, on a primary the largest replay_lag
 * of its standbys, NULL with neither. */
static const char stats_sql[] =
	"SELECT"
	" (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'),"
	" current_setting('max_connections')::int,"
	" pg_database_size(current_database()),"
	" (SELECT sum(blks_hit)::float8 / nullif(sum(blks_hit) + sum(blks_read), 0) FROM pg_stat_database),"
	" (SELECT coalesce(max(extract(epoch FROM clock_timestamp() - query_start)), 0)"
	"    FROM pg_stat_activity WHERE state = 'active' AND backend_type = 'client backend'"
	"    AND pid <> pg_backend_pid()),"
	" CASE WHEN pg_is_in_recovery()"
	"   THEN extract(epoch FROM now() - pg_last_xact_replay_timestamp())"
	"   ELSE (SELECT max(extract(epoch FROM replay_lag)) FROM pg_stat_replication) END";

static int pg_open(const struct source_config *cfg, struct diag *d, void **state)
{
	const char *dsn = cfg->dsn ? cfg->dsn : cfg->url;
	if (!dsn) {
		diag_error(d, "metrics source '%s': needs dsn: a PostgreSQL connection string "
			   "(postgresql://USER@HOST:PORT/DB)", cfg->name ? cfg->name : "postgres");
		return HR_E_INVALID;
	}
	char *msg = NULL;
	PQconninfoOption *opts = PQconninfoParse(dsn, &msg);
	if (!opts) {
		diag_error(d, "metrics source '%s': dsn: %s", cfg->name ? cfg->name : "postgres",
			   msg ? msg : "not a connection string");
		PQfreemem(msg);
		return HR_E_INVALID;
	}
	PQconninfoFree(opts);
	struct pg *p = xcalloc(1, sizeof(*p));
	p->cfg = cfg;
	double t = cfg->timeout_s > 0 ? cfg->timeout_s : 5;
	if (t > PG_MAX_TIMEOUT_S)
		t = PG_MAX_TIMEOUT_S;
	p->timeout_s = t;
	// libpq's connect_timeout is whole seconds, at least 2 (libpq docs, 34.1.2).
	snprintf(p->timeout, sizeof(p->timeout), "%d", t < 2 ? 2 : (int)ceil(t));
	snprintf(p->stmt_timeout, sizeof(p->stmt_timeout), "-c statement_timeout=%d", (int)(t * 1000));
	*state = p;
	return 0;
}

static int pg_connect(struct pg *p, struct strbuf *err)
{
	if (p->conn && PQstatus(p->conn) == CONNECTION_OK)
		return 0;
	PQfinish(p->conn);
	const char *keys[] = {"dbname", "connect_timeout", "options", "application_name", NULL};
	const char *vals[] = {p->cfg->dsn ? p->cfg->dsn : p->cfg->url, p->timeout, p->stmt_timeout, "headroom",
			      NULL};
	// expand_dbname: the first dbname is a whole connection string.
	p->conn = PQconnectdbParams(keys, vals, 1);
	if (!p->conn || PQstatus(p->conn) != CONNECTION_OK) {
		const char *m = p->conn ? PQerrorMessage(p->conn) : "out of memory";
		source_error(err, "postgres: %.*s", (int)strcspn(m, "\n"), m);
		PQfinish(p->conn);
		p->conn = NULL;
		return HR_E_UNAVAILABLE;
	}
	return 0;
}

static double col(PGresult *r, int c)
{
	if (PQgetisnull(r, 0, c))
		return NAN;
	char *end;
	const char *s = PQgetvalue(r, 0, c);
	double v = strtod(s, &end);
	return end != s ? v : NAN;
}


/* Send the query and wait for its one result until the deadline. Returns the
 * result (NULL with *timed_out set past the deadline, or on a lost session);
 * the connection must be dropped after a NULL. */
static PGresult *query_until(PGconn *conn, const char *sql, double deadline, bool *timed_out)
{
	*timed_out = false;
	if (!PQsendQuery(conn, sql))
		return NULL;
	while (PQisBusy(conn)) {
		double left = deadline - clock_mono();
		if (left <= 0) {
			*timed_out = true;
			return NULL;
		}
		struct pollfd pfd = {.fd = PQsocket(conn), .events = POLLIN};
		int n = poll(&pfd, 1, (int)ceil(left * 1000));
		if (n < 0 && errno != EINTR)
			return NULL;
		if (n > 0 && !PQconsumeInput(conn))
			return NULL;
	}
	// The one statement's result, then NULL; drain the rest so the
	// connection is ready for the next sample.
	PGresult *r = PQgetResult(conn), *extra;
	while ((extra = PQgetResult(conn)) != NULL)
		PQclear(extra);
	return r;
}

static int pg_sample(void *state, const char *src, struct sample_set *out, struct strbuf *err)
{
	struct pg *p = state;
	int rc = pg_connect(p, err);
	if (rc)
		return rc;
	bool timed_out;
	PGresult *r = query_until(p->conn, stats_sql, clock_mono() + p->timeout_s, &timed_out);
	if (timed_out) {
		source_error(err, "postgres: no reply within %g s", p->timeout_s);
		// No PQcancel(): it opens a new connection with no timeout of its
		// own, which a partition would hold; the server's statement_timeout
		// (the same figure) ends the query on its side.
		PQfinish(p->conn);
		p->conn = NULL;
		return HR_E_TIMEOUT;
	}
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1 || PQnfields(r) != 6) {
		const char *m = PQerrorMessage(p->conn);
		source_error(err, "postgres: %.*s", (int)strcspn(m, "\n"), m[0] ? m : "unexpected reply");
		PQclear(r);
		// Reconnect next time: the session may be gone (server restart).
		PQfinish(p->conn);
		p->conn = NULL;
		return HR_E_UNAVAILABLE;
	}
	double used = col(r, 0), max = col(r, 1);
	sample_set_add(out, src, "postgres.connections.used", used);
	sample_set_add(out, src, "postgres.connections.max", max);
	sample_set_add(out, src, "postgres.connections.used_ratio", max > 0 ? used / max : NAN);
	sample_set_add(out, src, "postgres.database.size_bytes", col(r, 2));
	sample_set_add(out, src, "postgres.cache_hit_ratio", col(r, 3));
	sample_set_add(out, src, "postgres.longest_query_s", col(r, 4));
	sample_set_add(out, src, "postgres.replication_lag_s", col(r, 5));
	PQclear(r);
	return 0;
}

static void pg_close(void *state)
{
	struct pg *p = state;
	if (!p)
		return;
	PQfinish(p->conn);
	free(p);
}

static const char *const pg_prefixes[] = {"postgres.", NULL};

const struct source_ops source_postgres_ops = {
	.type = "postgres",
	.prefixes = pg_prefixes,
	.open = pg_open,
	.sample = pg_sample,
	.close = pg_close,
};
