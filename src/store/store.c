/* store.c - metric history and trigger state changes in SQLite (see store.h).
 *
 * Writes go through prepared statements and a series-name -> id cache, so
 * a sample of forty metrics is one transaction and no B-tree lookup per
 * name; a read merges raw points and rollups. */
#include "store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/xalloc.h"

/* The schema this code reads and writes; meta('schema') in the file. */
#define STORE_SCHEMA 1

/* Schema version 1. WITHOUT ROWID tables keyed (series, t) keep one row per
 * point with no second index: a 10 s sample of 40 series for 7 days is 2.4M
 * rows, read back by range on (series, t). */
static const char schema[] =
	"CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"INSERT OR IGNORE INTO meta VALUES('schema', '1');" /* '1': STORE_SCHEMA */
	"CREATE TABLE IF NOT EXISTS series(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
	" base TEXT NOT NULL);"
	"CREATE INDEX IF NOT EXISTS series_base ON series(base);"
	"CREATE TABLE IF NOT EXISTS samples(series INTEGER NOT NULL, t REAL NOT NULL, v REAL,"
	" PRIMARY KEY(series, t)) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS rollups(series INTEGER NOT NULL, t REAL NOT NULL,"
	" n INTEGER NOT NULL, mean REAL, min REAL, max REAL, PRIMARY KEY(series, t)) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS batches(t REAL PRIMARY KEY, n INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS transitions(t REAL NOT NULL, trigger TEXT NOT NULL, series TEXT,"
	" from_state TEXT NOT NULL, to_state TEXT NOT NULL, value REAL, message TEXT);"
	"CREATE INDEX IF NOT EXISTS transitions_t ON transitions(t);";

/* Series name -> id, an open-addressing hash (FNV-1a); the agent looks up
 * every metric of every sample, so this stays off SQLite's B-tree. */
struct idmap {
	char **keys;
	int64_t *ids;
	size_t cap, n;
};

struct store {
	sqlite3 *db;
	char *path;
	struct diag *d;
	sqlite3_stmt *ins_sample, *ins_series, *get_series, *ins_batch;
	struct idmap ids;
	bool readonly;
};

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 14695981039346656037ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static void idmap_free(struct idmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->keys[i]);
	free(m->keys);
	free(m->ids);
	memset(m, 0, sizeof(*m));
}

static void idmap_put(struct idmap *m, const char *key, int64_t id);

static void idmap_grow(struct idmap *m)
{
	struct idmap old = *m;
	m->cap = old.cap ? 2 * old.cap : 64;
	m->n = 0;
	m->keys = xcalloc(m->cap, sizeof(*m->keys));
	m->ids = xcalloc(m->cap, sizeof(*m->ids));
	for (size_t i = 0; i < old.cap; i++)
		if (old.keys[i])
			idmap_put(m, old.keys[i], old.ids[i]);
	idmap_free(&old);
}

static void idmap_put(struct idmap *m, const char *key, int64_t id)
{
	if (2 * (m->n + 1) > m->cap)
		idmap_grow(m);
	size_t i = fnv1a(key) & (m->cap - 1);
	while (m->keys[i])
		i = (i + 1) & (m->cap - 1);
	m->keys[i] = xstrdup(key);
	m->ids[i] = id;
	m->n++;
}

static bool idmap_get(const struct idmap *m, const char *key, int64_t *id)
{
	if (!m->cap)
		return false;
	for (size_t i = fnv1a(key) & (m->cap - 1); m->keys[i]; i = (i + 1) & (m->cap - 1)) {
		if (strcmp(m->keys[i], key) == 0) {
			*id = m->ids[i];
			return true;
		}
	}
	return false;
}

char *store_default_path(void)
{
	const char *xdg = getenv("XDG_STATE_HOME");
	/* The spec: a relative path in an XDG variable is invalid and ignored. */
	if (xdg && xdg[0] == '/')
		return xasprintf("%s/headroom/history.db", xdg);
	const char *home = getenv("HOME");
	if (home && home[0] == '/')
		return xasprintf("%s/.local/state/headroom/history.db", home);
	return NULL;
}

/* mkdir -p of the directory part of path, mode 0700 (history can be private). */
static int make_parent(const char *path)
{
	char *dir = xstrdup(path);
	int rc = 0;
	for (char *p = dir + 1; *p && !rc; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST)
			rc = -errno;
		*p = '/';
	}
	free(dir);
	return rc;
}

static int fail(struct store *st, const char *what)
{
	diag_error(st->d, "history store %s: %s: %s", st->path, what, sqlite3_errmsg(st->db));
	return HR_E_IO;
}

/* What the file holds before anything is written to it: nothing yet, a
 * store of this schema, or something this code must not touch - another
 * program's database, or a store a newer headroom wrote (its tables may
 * mean something else; writing version-1 rows into it would corrupt it). */
static int check_schema(struct store *st)
{
	static const char sql[] =
		"SELECT (SELECT count(*) FROM sqlite_master WHERE type = 'table'),"
		" (SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta')";
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK)
		return fail(st, "cannot read");
	int rc = sqlite3_step(q);
	long long tables = rc == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
	bool has_meta = rc == SQLITE_ROW && sqlite3_column_int64(q, 1) > 0;
	sqlite3_finalize(q);
	if (rc != SQLITE_ROW)
		return fail(st, "cannot read");
	if (tables == 0)
		return 0;
	long long version = -1;
	if (has_meta) {
		if (sqlite3_prepare_v2(st->db, "SELECT value FROM meta WHERE key = 'schema'", -1, &q, NULL) !=
		    SQLITE_OK)
			return fail(st, "cannot read its schema version");
		if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_type(q, 0) != SQLITE_NULL) {
			const char *v = (const char *)sqlite3_column_text(q, 0);
			char *end;
			long long n = v ? strtoll(v, &end, 10) : -1;
			if (v && end != v && *end == '\0' && n > 0)
				version = n;
		}
		sqlite3_finalize(q);
	}
	if (version < 0) {
		diag_error(st->d, "history store %s: not a headroom history store (an SQLite database without "
			   "headroom's schema version); give another --store path", st->path);
		return HR_E_IO;
	}
	if (version != STORE_SCHEMA) {
		diag_error(st->d, "history store %s: written with schema version %lld, this headroom reads "
			   "version %d%s", st->path, version, STORE_SCHEMA,
			   version > STORE_SCHEMA ? "; use the headroom that wrote it, or another --store path" : "");
		return HR_E_IO;
	}
	return 0;
}

static int prepare(struct store *st, const char *sql, sqlite3_stmt **out)
{
	if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, out, NULL) != SQLITE_OK)
		return fail(st, "preparing a statement");
	return 0;
}

/* Does the file exist? */
static bool exists(const char *path)
{
	struct stat sb;
	return lstat(path, &sb) == 0;
}

/* Read-only: open for reading, never write (no schema, no PRAGMA), and
 * never create a file. A WAL store is read through its -wal and -shm; when
 * they are missing, a read-only connection creates them if the directory
 * lets it (SQLite 3.22+, www.sqlite.org/wal.html#readonly), owned by this
 * user with the store's mode: a check run by another user then locked the
 * owner's agent out ("attempt to write a readonly database"). So without
 * both files the store is read as an immutable snapshot (URI
 * "immutable=1"): nothing is created, and with no -wal there is nothing
 * beyond the file to read. With both, they are only read; when this user
 * may not even read them, the snapshot again. */
static int open_readonly(struct store *st)
{
	char *wal = xasprintf("%s-wal", st->path), *shm = xasprintf("%s-shm", st->path);
	bool both = exists(wal) && exists(shm);
	free(wal);
	free(shm);
	if (both && sqlite3_open_v2(st->path, &st->db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
		sqlite3_busy_timeout(st->db, 5000);
		sqlite3_stmt *q;
		if (sqlite3_prepare_v2(st->db, "SELECT count(*) FROM sqlite_master", -1, &q, NULL) == SQLITE_OK) {
			int rc = sqlite3_step(q);
			sqlite3_finalize(q);
			if (rc == SQLITE_ROW)
				return 0;
		}
	}
	sqlite3_close(st->db);
	st->db = NULL;
	char *uri = sqlite3_mprintf("file:%s?immutable=1", st->path);
	int flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_URI;
	int rc = sqlite3_open_v2(uri, &st->db, flags, NULL);
	sqlite3_free(uri);
	return rc == SQLITE_OK ? 0 : fail(st, "cannot open");
}

/* Is the -shm open in a connection? SQLite's unix VFS holds a read lock on
 * byte 128 of it (UNIX_SHM_DMS, its "dead man switch") while it does. Sets
 * *pid to the holder's. */
static bool shm_in_use(const char *shm, pid_t *pid)
{
	int fd = open(shm, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return false;
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 128, .l_len = 1};
	bool used = fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK;
	*pid = used ? fl.l_pid : 0;
	close(fd);
	return used;
}

/* The writer's side of the same sharing: a -wal or -shm this user may not
 * write, left by another user's read-only open (an older headroom, the
 * sqlite3 shell), would make SQLite open the store read-only for good. An
 * empty -wal holds no transaction (a reader never writes one) and the -shm
 * is an index rebuilt from the -wal, so when no connection has them open
 * both are removed, and a warning says so. Otherwise (a -wal with
 * transactions in it, a reader still on it, a folder that keeps them) the
 * open is refused with the fix in one line. */
static int reclaim_wal(struct store *st)
{
	char *wal = xasprintf("%s-wal", st->path), *shm = xasprintf("%s-shm", st->path);
	int rc = 0;
	struct stat ws = {0}, ss = {0};
	bool has_wal = lstat(wal, &ws) == 0, has_shm = lstat(shm, &ss) == 0;
	bool foreign_wal = has_wal && access(wal, W_OK) != 0, foreign_shm = has_shm && access(shm, W_OK) != 0;
	if (!foreign_wal && !foreign_shm)
		goto out;
	const struct stat *who = foreign_wal ? &ws : &ss;
	char why[96] = "";
	pid_t pid = 0;
	if (has_wal && ws.st_size > 0)
		snprintf(why, sizeof(why), "the -wal holds transactions");
	else if (has_shm && shm_in_use(shm, &pid))
		snprintf(why, sizeof(why), "process %d has them open", (int)pid);
	else if ((unlink(wal) != 0 && errno != ENOENT) || (unlink(shm) != 0 && errno != ENOENT))
		snprintf(why, sizeof(why), "removing them failed: %s", strerror(errno));
	if (why[0]) {
		diag_error(st->d, "history store %s: its -wal and -shm belong to uid %u and this user (uid %u) may "
			   "not write them (another user's command opened the store); %s. Stop what uses the store, "
			   "remove %s and %s, and run the agent and every check as one user or in a group-writable "
			   "folder (docs/check.md)", st->path, (unsigned)who->st_uid, (unsigned)geteuid(), why, wal, shm);
		rc = HR_E_IO;
		goto out;
	}
	diag_warn(st->d, "history store %s: removed its empty -wal and its -shm, which uid %u left and this user "
		  "(uid %u) could not write", st->path, (unsigned)who->st_uid, (unsigned)geteuid());
out:
	free(wal);
	free(shm);
	return rc;
}

/* The file for a new store, created here (mode 0666 less the umask) rather
 * than by SQLite (0644 whatever the umask), so that a umask of 002 makes a
 * store its group may write (docs/check.md). An empty file is an empty
 * SQLite database. */
static int create_file(struct store *st)
{
	int fd = open(st->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0666);
	if (fd < 0 && errno != EEXIST) {
		int e = errno;
		diag_error(st->d, "history store %s: cannot create it: %s", st->path, strerror(e));
		return -e;
	}
	if (fd >= 0)
		close(fd);
	return 0;
}

int store_open(const char *path, enum store_mode mode, struct diag *d, struct store **out)
{
	struct stat sb;
	if ((mode == STORE_EXISTING || mode == STORE_READONLY) && stat(path, &sb) != 0)
		return HR_E_NOTFOUND;
	if (mode == STORE_CREATE) {
		int rc = make_parent(path);
		if (rc) {
			diag_error(d, "history store %s: cannot create its directory: %s", path, hr_strerror(rc));
			return HR_E_IO;
		}
	}
	struct store *st = xcalloc(1, sizeof(*st));
	st->path = xstrdup(path);
	st->d = d;
	int rc = 0;
	if (mode == STORE_READONLY) {
		st->readonly = true;
		rc = open_readonly(st);
		if (!rc)
			rc = check_schema(st);
		sqlite3_stmt *q;
		/* An empty file holds no history yet: as good as none. */
		if (!rc && sqlite3_prepare_v2(st->db, "SELECT 1 FROM sqlite_master WHERE name = 'samples'", -1, &q,
					      NULL) == SQLITE_OK) {
			if (sqlite3_step(q) != SQLITE_ROW)
				rc = HR_E_NOTFOUND;
			sqlite3_finalize(q);
		}
		/* Reads only: the statements that look up, never those that write. */
		if (!rc)
			rc = prepare(st, "SELECT id FROM series WHERE name = ?", &st->get_series);
		goto out;
	}
	if (mode == STORE_CREATE && !exists(path) && create_file(st) != 0) {
		rc = HR_E_IO;
		goto out;
	}
	/* A store this user may not write is not opened to write: SQLite would
	 * open it read-only without a word, and its first read would create a
	 * -wal and -shm this user owns. The caller opens it STORE_READONLY. */
	if (exists(path) && access(path, W_OK) != 0) {
		diag_error(d, "history store %s: this user may not write it: %s", path, strerror(errno));
		rc = HR_E_IO;
		goto out;
	}
	rc = reclaim_wal(st);
	if (rc)
		goto out;
	int flags = SQLITE_OPEN_READWRITE | (mode == STORE_CREATE ? SQLITE_OPEN_CREATE : 0);
	if (sqlite3_open_v2(path, &st->db, flags, NULL) != SQLITE_OK) {
		rc = fail(st, "cannot open");
		goto out;
	}
	if (sqlite3_db_readonly(st->db, "main") == 1) {
		diag_error(d, "history store %s: opened read-only (a read-only file system?)", path);
		rc = HR_E_IO;
		goto out;
	}
	/* A reader (check) and the writer (agent) share the file; wait for a lock
	 * rather than fail while the other commits. */
	sqlite3_busy_timeout(st->db, 5000);
	rc = check_schema(st);
	if (rc)
		goto out;
	char *err = NULL;
	const char *setup = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;";
	if (sqlite3_exec(st->db, setup, NULL, NULL, &err) != SQLITE_OK ||
	    sqlite3_exec(st->db, schema, NULL, NULL, &err) != SQLITE_OK) {
		diag_error(d, "history store %s: %s", path, err ? err : sqlite3_errmsg(st->db));
		sqlite3_free(err);
		rc = HR_E_IO;
		goto out;
	}
	rc = prepare(st, "INSERT OR REPLACE INTO samples(series, t, v) VALUES(?, ?, ?)", &st->ins_sample);
	if (!rc)
		rc = prepare(st, "INSERT INTO series(name, base) VALUES(?, ?)", &st->ins_series);
	if (!rc)
		rc = prepare(st, "SELECT id FROM series WHERE name = ?", &st->get_series);
	if (!rc)
		rc = prepare(st, "INSERT OR REPLACE INTO batches(t, n) VALUES(?, ?)", &st->ins_batch);
out:
	if (rc) {
		store_close(st);
		return rc;
	}
	*out = st;
	return 0;
}

void store_set_diag(struct store *st, struct diag *d)
{
	st->d = d;
}

bool store_writable(const struct store *st)
{
	return st && !st->readonly;
}

static int refuse_readonly(struct store *st)
{
	diag_error(st->d, "history store %s: opened read-only", st->path);
	return HR_E_IO;
}

void store_close(struct store *st)
{
	if (!st)
		return;
	sqlite3_finalize(st->ins_sample);
	sqlite3_finalize(st->ins_series);
	sqlite3_finalize(st->get_series);
	sqlite3_finalize(st->ins_batch);
	sqlite3_close(st->db);
	idmap_free(&st->ids);
	free(st->path);
	free(st);
}

static int exec(struct store *st, const char *sql)
{
	char *err = NULL;
	if (sqlite3_exec(st->db, sql, NULL, NULL, &err) != SQLITE_OK) {
		diag_error(st->d, "history store %s: %s", st->path, err ? err : sqlite3_errmsg(st->db));
		sqlite3_free(err);
		return HR_E_IO;
	}
	return 0;
}

/* The id of a series: from the cache, else the series table; with create,
 * a series not seen yet is added. The one lookup every write and read uses,
 * so each name goes to SQLite once per open store. Ids are never reused
 * (rows of series are never deleted), so a cached id stays right; a miss is
 * not cached, as the agent may add the series later.
 * @return 0; HR_E_NOTFOUND when absent and !create; HR_E_IO. */
static int series_lookup(struct store *st, const char *name, bool create, int64_t *id)
{
	if (idmap_get(&st->ids, name, id))
		return 0;
	sqlite3_stmt *q = st->get_series;
	sqlite3_reset(q);
	sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
	int step = sqlite3_step(q);
	int rc = 0;
	if (step == SQLITE_ROW) {
		*id = sqlite3_column_int64(q, 0);
	} else if (step != SQLITE_DONE) {
		rc = fail(st, "looking up a series");
	} else if (!create) {
		rc = HR_E_NOTFOUND;
	} else {
		sqlite3_stmt *ins = st->ins_series;
		sqlite3_reset(ins);
		sqlite3_bind_text(ins, 1, name, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 2, name, (int)sample_base_len(name), SQLITE_STATIC);
		if (sqlite3_step(ins) == SQLITE_DONE)
			*id = sqlite3_last_insert_rowid(st->db);
		else
			rc = fail(st, "adding a series");
	}
	sqlite3_reset(q);
	if (!rc)
		idmap_put(&st->ids, name, *id);
	return rc;
}

int store_append(struct store *st, double t, const struct sample_set *s)
{
	if (st->readonly)
		return refuse_readonly(st);
	int rc = exec(st, "BEGIN IMMEDIATE");
	if (rc)
		return rc;
	for (size_t i = 0; i < s->n && !rc; i++) {
		int64_t id;
		rc = series_lookup(st, s->m[i].name, true, &id);
		if (rc)
			break;
		sqlite3_stmt *q = st->ins_sample;
		sqlite3_reset(q);
		sqlite3_bind_int64(q, 1, id);
		sqlite3_bind_double(q, 2, t);
		if (isnan(s->m[i].value))
			sqlite3_bind_null(q, 3);
		else
			sqlite3_bind_double(q, 3, s->m[i].value);
		if (sqlite3_step(q) != SQLITE_DONE)
			rc = fail(st, "inserting a sample");
	}
	if (!rc) {
		sqlite3_stmt *q = st->ins_batch;
		sqlite3_reset(q);
		sqlite3_bind_double(q, 1, t);
		sqlite3_bind_int64(q, 2, (sqlite3_int64)s->n);
		if (sqlite3_step(q) != SQLITE_DONE)
			rc = fail(st, "recording the batch");
	}
	if (!rc)
		rc = exec(st, "COMMIT");
	if (rc) {
		/* Rolling back keeps the file at the last good batch; the cached ids
		 * of series created in this transaction are gone with it. A failed
		 * COMMIT (disk full, I/O error) may or may not have rolled back
		 * already (sqlite.org/lang_transaction.html, "Response To Errors
		 * Within A Transaction"): roll back what is still open, or every
		 * later BEGIN fails. */
		if (!sqlite3_get_autocommit(st->db))
			(void)exec(st, "ROLLBACK");
		idmap_free(&st->ids);
	}
	return rc;
}

void store_series_list_free(struct store_series_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++) {
		free(l->s[i].name);
		series_free(&l->s[i].pts);
	}
	free(l->s);
	memset(l, 0, sizeof(*l));
}

static int read_one(struct store *st, int64_t id, double from, double to, size_t max_points,
		    struct series *out)
{
	/* Newest first so a cap keeps the recent end; reversed below. */
	static const char sql[] =
		"SELECT t, v FROM ("
		" SELECT t, mean AS v FROM rollups WHERE series = ?1 AND t BETWEEN ?2 AND ?3"
		" UNION ALL SELECT t, v FROM samples WHERE series = ?1 AND t BETWEEN ?2 AND ?3)"
		" ORDER BY t DESC LIMIT ?4";
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK)
		return fail(st, "reading history");
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_double(q, 2, from);
	sqlite3_bind_double(q, 3, to);
	sqlite3_bind_int64(q, 4, max_points ? (sqlite3_int64)max_points : -1);
	size_t n0 = out->n;
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		double v = sqlite3_column_type(q, 1) == SQLITE_NULL ? NAN : sqlite3_column_double(q, 1);
		series_push(out, sqlite3_column_double(q, 0), v);
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return fail(st, "reading history");
	for (size_t i = n0, j = out->n ? out->n - 1 : 0; i < j; i++, j--) {
		double t = out->t[i], v = out->v[i];
		out->t[i] = out->t[j], out->v[i] = out->v[j];
		out->t[j] = t, out->v[j] = v;
	}
	return 0;
}

int store_read(struct store *st, const char *selector, double from, double to, size_t max_points,
	       struct store_series_list *out)
{
	memset(out, 0, sizeof(*out));
	bool exact = strchr(selector, '{') != NULL;
	sqlite3_stmt *q;
	const char *sql = exact ? "SELECT id, name FROM series WHERE name = ?"
				: "SELECT id, name FROM series WHERE base = ?";
	if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK)
		return fail(st, "listing series");
	sqlite3_bind_text(q, 1, selector, -1, SQLITE_STATIC);
	int rc = 0, step;
	size_t cap = 0;
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		if (out->n == cap) {
			cap = cap ? 2 * cap : 4;
			out->s = xreallocarray(out->s, cap, sizeof(*out->s));
		}
		struct store_series *s = &out->s[out->n++];
		memset(s, 0, sizeof(*s));
		s->name = xstrdup((const char *)sqlite3_column_text(q, 1));
		rc = read_one(st, sqlite3_column_int64(q, 0), from, to, max_points, &s->pts);
		if (rc)
			break;
	}
	if (!rc && step != SQLITE_DONE)
		rc = fail(st, "listing series");
	sqlite3_finalize(q);
	if (rc)
		store_series_list_free(out);
	return rc;
}

int store_read_series(struct store *st, const char *name, double from, double to, size_t max_points,
		      struct series *out)
{
	int64_t id;
	int rc = series_lookup(st, name, false, &id);
	if (rc)
		return rc == HR_E_NOTFOUND ? 0 : rc;
	return read_one(st, id, from, to, max_points, out);
}

int store_read_buckets(struct store *st, const char *name, double from, double to, double step, struct series *out)
{
	if (!(step > 0) || !isfinite(step) || !isfinite(from) || !isfinite(to))
		return HR_E_INVALID;
	int64_t id;
	int rc = series_lookup(st, name, false, &id);
	if (rc)
		return rc == HR_E_NOTFOUND ? 0 : rc;
	sqlite3_stmt *q;
	static const char sql[] =
		"SELECT CAST((t - ?2) / ?4 AS INTEGER) AS b, AVG(v) FROM ("
		" SELECT t, mean AS v FROM rollups WHERE series = ?1 AND t >= ?2 AND t < ?3"
		" UNION ALL SELECT t, v FROM samples WHERE series = ?1 AND t >= ?2 AND t < ?3)"
		" GROUP BY b ORDER BY b";
	if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK)
		return fail(st, "reading history");
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_double(q, 2, from);
	sqlite3_bind_double(q, 3, to);
	sqlite3_bind_double(q, 4, step);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		double v = sqlite3_column_type(q, 1) == SQLITE_NULL ? NAN : sqlite3_column_double(q, 1);
		series_push(out, from + ((double)sqlite3_column_int64(q, 0) + 0.5) * step, v);
	}
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : fail(st, "reading history");
}

int store_log_transition(struct store *st, double t, const char *trigger, const char *series,
			 const char *from, const char *to, double value, const char *message)
{
	if (st->readonly)
		return refuse_readonly(st);
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(st->db, "INSERT INTO transitions VALUES(?, ?, ?, ?, ?, ?, ?)", -1, &q,
			       NULL) != SQLITE_OK)
		return fail(st, "logging a state change");
	sqlite3_bind_double(q, 1, t);
	sqlite3_bind_text(q, 2, trigger, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, series, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, from, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, to, -1, SQLITE_STATIC);
	if (isnan(value))
		sqlite3_bind_null(q, 6);
	else
		sqlite3_bind_double(q, 6, value);
	sqlite3_bind_text(q, 7, message, -1, SQLITE_STATIC);
	int rc = sqlite3_step(q) == SQLITE_DONE ? 0 : fail(st, "logging a state change");
	sqlite3_finalize(q);
	return rc;
}

static int bind_exec(struct store *st, const char *sql, double a, double b)
{
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK)
		return fail(st, "pruning");
	sqlite3_bind_double(q, 1, a);
	if (sqlite3_bind_parameter_count(q) > 1)
		sqlite3_bind_double(q, 2, b);
	int rc = sqlite3_step(q) == SQLITE_DONE ? 0 : fail(st, "pruning");
	sqlite3_finalize(q);
	return rc;
}

int store_prune(struct store *st, double now, const struct store_retention *r)
{
	double raw_cut = now - r->raw_s, roll_cut = now - r->rollup_s;
	double step = r->rollup_step_s > 0 ? r->rollup_step_s : 300;
	if (st->readonly)
		return refuse_readonly(st);
	int rc = exec(st, "BEGIN IMMEDIATE");
	if (rc)
		return rc;
	/* A bucket is stamped with its middle (multiples of the step + step/2), so
	 * a rollup point stands where its samples were; a bucket already rolled up
	 * (a partial one from an earlier prune) is merged by weight. */
	rc = bind_exec(st,
		       "INSERT INTO rollups(series, t, n, mean, min, max)"
		       " SELECT series, CAST(t / ?2 AS INTEGER) * ?2 + ?2 / 2 AS b, count(v), avg(v), min(v), max(v)"
		       " FROM samples WHERE t < ?1 GROUP BY series, b"
		       /* A part with only NULL values has n = 0 and NULL figures: it
		        * must not turn the merged ones NULL (NULL * 0 is NULL, and
		        * SQLite's two-argument min/max are NULL when either is). */
		       " ON CONFLICT(series, t) DO UPDATE SET"
		       " mean = (coalesce(rollups.mean * rollups.n, 0) + coalesce(excluded.mean * excluded.n, 0))"
		       "        / nullif(rollups.n + excluded.n, 0),"
		       " n = rollups.n + excluded.n,"
		       " min = coalesce(min(rollups.min, excluded.min), rollups.min, excluded.min),"
		       " max = coalesce(max(rollups.max, excluded.max), rollups.max, excluded.max)",
		       raw_cut, step);
	if (!rc)
		rc = bind_exec(st, "DELETE FROM samples WHERE t < ?1", raw_cut, 0);
	if (!rc)
		rc = bind_exec(st, "DELETE FROM batches WHERE t < ?1", raw_cut, 0);
	if (!rc)
		rc = bind_exec(st, "DELETE FROM rollups WHERE t < ?1", roll_cut, 0);
	if (!rc)
		rc = bind_exec(st, "DELETE FROM transitions WHERE t < ?1", roll_cut, 0);
	if (!rc)
		rc = exec(st, "COMMIT");
	/* As in store_append(): a failed COMMIT may have left the transaction open. */
	if (rc && !sqlite3_get_autocommit(st->db))
		(void)exec(st, "ROLLBACK");
	return rc;
}

static int count(struct store *st, const char *sql, double *out)
{
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK)
		return fail(st, "counting");
	int rc = sqlite3_step(q);
	*out = rc == SQLITE_ROW && sqlite3_column_type(q, 0) != SQLITE_NULL ? sqlite3_column_double(q, 0) : NAN;
	sqlite3_finalize(q);
	return rc == SQLITE_ROW ? 0 : fail(st, "counting");
}

int store_stats(struct store *st, struct store_stats *out)
{
	double v[6];
	static const char *const sql[] = {
		"SELECT count(*) FROM samples", "SELECT coalesce(sum(n), 0) FROM batches",
		"SELECT count(*) FROM batches", "SELECT count(*) FROM rollups",
		"SELECT count(*) FROM transitions", "SELECT max(t) FROM batches",
	};
	for (int i = 0; i < 6; i++) {
		int rc = count(st, sql[i], &v[i]);
		if (rc)
			return rc;
	}
	out->samples = (long long)v[0];
	out->batched = (long long)v[1];
	out->batches = (long long)v[2];
	out->rollups = (long long)v[3];
	out->transitions = (long long)v[4];
	out->last_t = v[5];
	return 0;
}
