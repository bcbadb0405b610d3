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
#include <ctype.h>
#include <errno.h>
#include <libpq-fe.h>
#include <math.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sources/backends.h"
#include "util/clock.h"
#include "util/xalloc.h"

/* Longest timeout honoured: statement_timeout is an int of milliseconds. */
#define PG_MAX_TIMEOUT_S 86400.0

struct pg {
	_Atomic bool cancel; /* source_cancel(): end the waits below */
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

/* libpq quotes what it could not parse ("invalid percent-encoded token:
 * \"p%zz\"", "missing \"=\" after \"word\""): in a DSN that is part of the
 * password, so every quoted fragment is masked before the message is shown. */
static void mask_quoted(const char *msg, char *buf, size_t n)
{
	size_t o = 0;
	bool in = false;
	for (const char *p = msg; *p && *p != '\n' && o + 4 < n; p++) {
		if (*p == '"') {
			if (!in)
				o += (size_t)snprintf(buf + o, n - o, "\"***");
			else
				buf[o++] = '"';
			in = !in;
		} else if (!in) {
			buf[o++] = *p;
		}
	}
	if (in && o + 1 < n)
		buf[o++] = '"';
	buf[o] = '\0';
}

/* A URI DSN that libpq would split in the wrong place, so that its errors
 * would echo the password's tail as a host name: refused here, with a
 * message that does not repeat it. NULL when the URI is well formed. */
static const char *uri_problem(const char *dsn)
{
	const char *p = NULL;
	if (strncmp(dsn, "postgresql://", 13) == 0)
		p = dsn + 13;
	else if (strncmp(dsn, "postgres://", 11) == 0)
		p = dsn + 11;
	if (!p)
		return NULL;
	size_t auth = strcspn(p, "/?#");
	const char *at = memchr(p, '@', auth);
	if (at && memchr(at + 1, '@', auth - (size_t)(at + 1 - p)))
		return "the user or password holds an unencoded '@'; write it as %40";
	for (const char *c = dsn; *c; c++) {
		if (*c == ' ' || *c == '\t')
			return "a URI cannot hold a blank; write a space as %20";
		if (*c == '%' && !(isxdigit((unsigned char)c[1]) && isxdigit((unsigned char)c[2])))
			return "'%' must start a two-digit hex escape; write a literal % as %25";
	}
	return NULL;
}

static int pg_open(const struct source_config *cfg, struct diag *d, void **state)
{
	const char *dsn = cfg->dsn ? cfg->dsn : cfg->url;
	const char *name = cfg->name ? cfg->name : "postgres";
	if (!dsn) {
		diag_error(d, "metrics source '%s': needs dsn: a PostgreSQL connection string "
			   "(postgresql://USER@HOST:PORT/DB)", name);
		return HR_E_INVALID;
	}
	const char *bad = uri_problem(dsn);
	if (bad) {
		diag_error(d, "metrics source '%s': dsn: %s", name, bad);
		return HR_E_INVALID;
	}
	char *msg = NULL;
	PQconninfoOption *opts = PQconninfoParse(dsn, &msg);
	if (!opts) {
		char safe[512];
		mask_quoted(msg ? msg : "not a connection string", safe, sizeof(safe));
		diag_error(d, "metrics source '%s': dsn: %s", name, safe);
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
	/* libpq's connect_timeout is whole seconds, at least 2 (libpq docs, 34.1.2);
	 * the deadline in pg_connect() is the tighter bound. */
	snprintf(p->timeout, sizeof(p->timeout), "%d", t < 2 ? 2 : (int)ceil(t));
	snprintf(p->stmt_timeout, sizeof(p->stmt_timeout), "-c statement_timeout=%d", (int)(t * 1000));
	*state = p;
	return 0;
}

/* Wait until the socket is ready as libpq asks, or the deadline.
 * @return 1 ready, 0 past the deadline, HR_E_UNAVAILABLE without a socket
 * or once cancelled, -errno on a poll error. */
static int wait_socket(PGconn *conn, bool for_write, double deadline, _Atomic bool *cancel)
{
	for (;;) {
		double left = deadline - clock_mono();
		if (left <= 0)
			return 0;
		struct pollfd pfd = {.fd = PQsocket(conn), .events = for_write ? POLLOUT : POLLIN};
		if (pfd.fd < 0 || (cancel && atomic_load(cancel)))
			return HR_E_UNAVAILABLE;
		/* Slices of 100 ms, so a cancel is seen in time. */
		int n = poll(&pfd, 1, (int)ceil(fmin(left, 0.1) * 1000));
		if (n > 0)
			return 1;
		if (n < 0 && errno != EINTR)
			return -errno;
	}
}

/* Connect within the sample's deadline: libpq's own connect_timeout is per
 * host and whole seconds, and a server that accepts and then drips its
 * handshake would hold PQconnectdb() past it. */
static int pg_connect(struct pg *p, double deadline, struct strbuf *err)
{
	if (p->conn && PQstatus(p->conn) == CONNECTION_OK)
		return 0;
	PQfinish(p->conn);
	const char *keys[] = {"dbname", "connect_timeout", "options", "application_name", NULL};
	const char *vals[] = {p->cfg->dsn ? p->cfg->dsn : p->cfg->url, p->timeout, p->stmt_timeout, "headroom",
			      NULL};
	/* expand_dbname: the first dbname is a whole connection string. */
	p->conn = PQconnectStartParams(keys, vals, 1);
	PostgresPollingStatusType st = PGRES_POLLING_WRITING;
	bool timed_out = false;
	while (p->conn && PQstatus(p->conn) != CONNECTION_BAD && st != PGRES_POLLING_OK &&
	       st != PGRES_POLLING_FAILED) {
		int w = wait_socket(p->conn, st == PGRES_POLLING_WRITING, deadline, &p->cancel);
		if (w <= 0) {
			timed_out = w == 0;
			break;
		}
		st = PQconnectPoll(p->conn);
	}
	if (!p->conn || PQstatus(p->conn) != CONNECTION_OK) {
		if (timed_out) {
			source_error(err, "postgres: no connection within %g s", p->timeout_s);
		} else {
			/* libpq's message names host, port and user; source_sample()
			 * masks what could still be secret in it. */
			const char *m = p->conn ? PQerrorMessage(p->conn) : "out of memory";
			source_error(err, "postgres: %.*s", (int)strcspn(m, "\n"), m);
		}
		PQfinish(p->conn);
		p->conn = NULL;
		return timed_out ? HR_E_TIMEOUT : HR_E_UNAVAILABLE;
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
static PGresult *query_until(PGconn *conn, const char *sql, double deadline, _Atomic bool *cancel,
			      bool *timed_out)
{
	*timed_out = false;
	if (!PQsendQuery(conn, sql))
		return NULL;
	while (PQisBusy(conn)) {
		double left = deadline - clock_mono();
		if (left <= 0 || atomic_load(cancel)) {
			*timed_out = true;
			return NULL;
		}
		struct pollfd pfd = {.fd = PQsocket(conn), .events = POLLIN};
		int n = poll(&pfd, 1, (int)ceil(fmin(left, 0.1) * 1000));
		if (n < 0 && errno != EINTR)
			return NULL;
		if (n > 0 && !PQconsumeInput(conn))
			return NULL;
	}
	/* The one statement's result, then NULL; drain the rest so the
	 * connection is ready for the next sample. */
	PGresult *r = PQgetResult(conn), *extra;
	while ((extra = PQgetResult(conn)) != NULL)
		PQclear(extra);
	return r;
}

static int pg_sample(void *state, const char *src, struct sample_set *out, struct strbuf *err)
{
	struct pg *p = state;
	/* One deadline for the whole sample, connection included. */
	double deadline = clock_mono() + p->timeout_s;
	int rc = pg_connect(p, deadline, err);
	if (rc)
		return rc;
	bool timed_out;
	PGresult *r = query_until(p->conn, stats_sql, deadline, &p->cancel, &timed_out);
	if (timed_out) {
		source_error(err, "postgres: no reply within %g s", p->timeout_s);
		/* No PQcancel(): it opens a new connection with no timeout of its
		 * own, which a partition would hold; the server's statement_timeout
		 * (the same figure) ends the query on its side. */
		rc = HR_E_TIMEOUT;
		goto out;
	}
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1 || PQnfields(r) != 6) {
		const char *m = PQerrorMessage(p->conn);
		source_error(err, "postgres: %.*s", (int)strcspn(m, "\n"), m[0] ? m : "unexpected reply");
		rc = HR_E_UNAVAILABLE;
		goto out;
	}
	double used = col(r, 0), max = col(r, 1);
	sample_set_add(out, src, "postgres.connections.used", used);
	sample_set_add(out, src, "postgres.connections.max", max);
	sample_set_add(out, src, "postgres.connections.used_ratio", max > 0 ? used / max : NAN);
	sample_set_add(out, src, "postgres.database.size_bytes", col(r, 2));
	sample_set_add(out, src, "postgres.cache_hit_ratio", col(r, 3));
	sample_set_add(out, src, "postgres.longest_query_s", col(r, 4));
	sample_set_add(out, src, "postgres.replication_lag_s", col(r, 5));
out:
	PQclear(r);
	if (rc) {
		/* Reconnect next time: the session may be gone (server restart),
		 * or still busy with the query that ran out of time. */
		PQfinish(p->conn);
		p->conn = NULL;
	}
	return rc;
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
static const char *const pg_known[] = {"postgres.connections.used", "postgres.connections.max",
				       "postgres.connections.used_ratio", "postgres.database.size_bytes",
				       "postgres.cache_hit_ratio", "postgres.longest_query_s",
				       "postgres.replication_lag_s", NULL};

static void pg_cancel(void *state)
{
	atomic_store(&((struct pg *)state)->cancel, true);
}

const struct source_ops source_postgres_ops = {
	.type = "postgres",
	.prefixes = pg_prefixes,
	.open = pg_open,
	.sample = pg_sample,
	.close = pg_close,
	.cancel = pg_cancel,
	.known = pg_known,
};
