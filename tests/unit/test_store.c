/* Unit tests for store/: paths, append and read back, NaN, selectors,
 * pruning into rollups, counts, and refusing files that are not stores. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/store.h"
#include "util/xalloc.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/headroom-store-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char *cmd = xasprintf("rm -rf '%s'", dir);
	int rc = system(cmd);
	free(cmd);
	return rc;
}

static void test_default_path(void **state)
{
	(void)state;
	setenv("XDG_STATE_HOME", "/srv/state", 1);
	char *p = store_default_path();
	assert_string_equal(p, "/srv/state/headroom/history.db");
	free(p);
	// A relative XDG path is invalid per the spec and ignored.
	setenv("XDG_STATE_HOME", "rel/state", 1);
	setenv("HOME", "/home/ops", 1);
	p = store_default_path();
	assert_string_equal(p, "/home/ops/.local/state/headroom/history.db");
	free(p);
	unsetenv("XDG_STATE_HOME");
	unsetenv("HOME");
	assert_null(store_default_path());
}

static void test_append_read(void **state)
{
	(void)state;
	struct strbuf msgs;
	strbuf_init(&msgs, 0);
	struct diag d;
	diag_init_mem(&d, &msgs);
	char *path = xasprintf("%s/deep/er/history.db", dir);
	struct store *st = NULL;
	assert_int_equal(store_open(path, STORE_EXISTING, &d, &st), HR_E_NOTFOUND);
	assert_int_equal(store_open(path, STORE_CREATE, &d, &st), 0);
	for (int i = 0; i < 10; i++) {
		struct sample_set s;
		sample_set_init(&s);
		sample_set_add(&s, "local", "cpu.utilization", 0.1 * i);
		sample_set_add(&s, "local", "disk.used_ratio{mount=\"/\"}", 0.5);
		sample_set_add(&s, "local", "disk.used_ratio{mount=\"/data\"}", 0.6 + 0.01 * i);
		sample_set_add(&s, "redis", "redis.memory.used_ratio", i == 3 ? NAN : 0.2);
		assert_int_equal(store_append(st, 1000 + 10 * i, &s), 0);
		sample_set_free(&s);
	}
	struct series one = {0};
	assert_int_equal(store_read_series(st, "cpu.utilization", 1000, 1050, 0, &one), 0);
	assert_int_equal(one.n, 6);
	assert_true(one.t[0] == 1000 && one.t[5] == 1050);
	assert_true(fabs(one.v[5] - 0.5) < 1e-12);
	series_free(&one);
	// A cap keeps the newest points, still in time order.
	assert_int_equal(store_read_series(st, "cpu.utilization", 0, 1e9, 3, &one), 0);
	assert_int_equal(one.n, 3);
	assert_true(one.t[0] == 1070 && one.t[2] == 1090);
	series_free(&one);
	assert_int_equal(store_read_series(st, "redis.memory.used_ratio", 1030, 1030, 0, &one), 0);
	assert_int_equal(one.n, 1);
	assert_true(isnan(one.v[0]));
	series_free(&one);
	assert_int_equal(store_read_series(st, "no.such", 0, 1e9, 0, &one), 0);
	assert_int_equal(one.n, 0);

	struct store_series_list l;
	assert_int_equal(store_read(st, "disk.used_ratio", 0, 1e9, 0, &l), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.s[0].pts.n, 10);
	store_series_list_free(&l);
	assert_int_equal(store_read(st, "disk.used_ratio{mount=\"/data\"}", 0, 1e9, 0, &l), 0);
	assert_int_equal(l.n, 1);
	assert_true(fabs(l.s[0].pts.v[9] - 0.69) < 1e-12);
	store_series_list_free(&l);
	store_series_list_free(NULL);

	// Buckets of 30 s from 1000: [1000,1030) holds 0, 0.1, 0.2; [1030,1060) 0.3..0.5; [1060,1090) 0.6..0.8.
	assert_int_equal(store_read_buckets(st, "cpu.utilization", 1000, 1090, 30, &one), 0);
	assert_int_equal(one.n, 3);
	assert_true(one.t[0] == 1015 && one.t[1] == 1045 && one.t[2] == 1075);
	assert_true(fabs(one.v[0] - 0.1) < 1e-12 && fabs(one.v[1] - 0.4) < 1e-12 && fabs(one.v[2] - 0.7) < 1e-12);
	series_free(&one);
	// A bucket whose only value is NULL is NaN; empty buckets are left out.
	assert_int_equal(store_read_buckets(st, "redis.memory.used_ratio", 1025, 1200, 10, &one), 0);
	assert_int_equal(one.n, 7);
	assert_true(one.t[0] == 1030 && isnan(one.v[0]) && fabs(one.v[1] - 0.2) < 1e-12);
	series_free(&one);
	assert_int_equal(store_read_buckets(st, "no.such", 0, 1e9, 60, &one), 0);
	assert_int_equal(one.n, 0);
	assert_int_equal(store_read_buckets(st, "cpu.utilization", 0, 1e9, 0, &one), HR_E_INVALID);

	assert_int_equal(store_log_transition(st, 1090, "cpu", "cpu.utilization", "ok", "warning", 0.9, NULL), 0);
	struct store_stats ss;
	assert_int_equal(store_stats(st, &ss), 0);
	assert_int_equal(ss.samples, 40);
	assert_int_equal(ss.batched, 40);
	assert_int_equal(ss.batches, 10);
	assert_int_equal(ss.transitions, 1);
	assert_true(ss.last_t == 1090);
	store_close(st);

	// Reopened, everything is there.
	assert_int_equal(store_open(path, STORE_EXISTING, &d, &st), 0);
	assert_int_equal(store_stats(st, &ss), 0);
	assert_int_equal(ss.samples, 40);
	store_close(st);
	store_close(NULL);
	assert_string_equal(strbuf_str(&msgs), "");
	free(path);
	strbuf_free(&msgs);
}

static void test_prune(void **state)
{
	(void)state;
	struct diag d;
	diag_init_file(&d, stderr, "test");
	char *path = xasprintf("%s/prune.db", dir);
	struct store *st;
	assert_int_equal(store_open(path, STORE_CREATE, &d, &st), 0);
	// 20 minutes of 10 s samples: 0..119, value = index.
	for (int i = 0; i < 120; i++) {
		struct sample_set s;
		sample_set_init(&s);
		sample_set_add(&s, NULL, "m", i);
		assert_int_equal(store_append(st, 3000 + 10 * i, &s), 0);
		sample_set_free(&s);
	}
	// Keep 10 raw minutes, roll the rest into 5-minute buckets.
	struct store_retention r = {.raw_s = 600, .rollup_step_s = 300, .rollup_s = 86400};
	assert_int_equal(store_prune(st, 3000 + 1200, &r), 0);
	struct store_stats ss;
	assert_int_equal(store_stats(st, &ss), 0);
	assert_int_equal(ss.samples, 60);   // t >= 3600 kept
	assert_int_equal(ss.rollups, 2);    // [3000, 3300) and [3300, 3600)
	assert_int_equal(ss.batched, ss.samples);
	struct series s = {0};
	assert_int_equal(store_read_series(st, "m", 0, 1e9, 0, &s), 0);
	assert_int_equal(s.n, 62);
	// Bucket [3000, 3300) holds indexes 0..29: mean 14.5, stamped at its middle.
	assert_true(s.t[0] == 3150 && fabs(s.v[0] - 14.5) < 1e-9);
	assert_true(s.t[1] == 3450 && fabs(s.v[1] - 44.5) < 1e-9);
	assert_true(s.t[2] == 3600);
	series_free(&s);
	// Pruning again changes nothing; everything past the rollup age goes.
	assert_int_equal(store_prune(st, 3000 + 1200, &r), 0);
	assert_int_equal(store_stats(st, &ss), 0);
	assert_int_equal(ss.rollups, 2);
	r.rollup_s = 100;
	r.raw_s = 100;
	assert_int_equal(store_prune(st, 1e6, &r), 0);
	assert_int_equal(store_stats(st, &ss), 0);
	assert_true(ss.samples == 0 && ss.rollups == 0);
	store_close(st);
	free(path);
}

static void test_not_a_store(void **state)
{
	(void)state;
	char *path = xasprintf("%s/garbage.db", dir);
	FILE *fp = fopen(path, "wb");
	assert_non_null(fp);
	for (int i = 0; i < 512; i++)
		fputs("not sqlite ", fp);
	fclose(fp);
	struct strbuf msgs;
	strbuf_init(&msgs, 0);
	struct diag d;
	diag_init_mem(&d, &msgs);
	struct store *st = NULL;
	assert_int_equal(store_open(path, STORE_EXISTING, &d, &st), HR_E_IO);
	assert_null(st);
	assert_non_null(strstr(strbuf_str(&msgs), "garbage.db"));
	assert_non_null(strstr(strbuf_str(&msgs), "not a database"));
	strbuf_free(&msgs);
	free(path);
}

static void sql(const char *path, const char *text)
{
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	char *err = NULL;
	if (sqlite3_exec(db, text, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("%s: %s", text, err);
	sqlite3_close(db);
}

// A store a newer headroom wrote, and another program's database: a clear
// error, and nothing written into either.
static void test_foreign_schema(void **state)
{
	(void)state;
	struct strbuf msgs;
	strbuf_init(&msgs, 0);
	struct diag d;
	diag_init_mem(&d, &msgs);
	char *path = xasprintf("%s/newer.db", dir);
	struct store *st = NULL;
	assert_int_equal(store_open(path, STORE_CREATE, &d, &st), 0);
	store_close(st);
	sql(path, "UPDATE meta SET value = '2' WHERE key = 'schema'");
	st = NULL;
	assert_int_equal(store_open(path, STORE_EXISTING, &d, &st), HR_E_IO);
	assert_null(st);
	assert_non_null(strstr(strbuf_str(&msgs), "newer.db: written with schema version 2, this headroom reads version 1"));
	free(path);

	strbuf_reset(&msgs);
	path = xasprintf("%s/other.db", dir);
	sql(path, "CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT)");
	assert_int_equal(store_open(path, STORE_CREATE, &d, &st), HR_E_IO);
	assert_null(st);
	assert_non_null(strstr(strbuf_str(&msgs), "other.db: not a headroom history store"));
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_stmt *q;
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master", -1, &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(q, 0), 1); // still only `users`
	sqlite3_finalize(q);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(q, 0), "delete");
	sqlite3_finalize(q);
	sqlite3_close(db);
	free(path);
	strbuf_free(&msgs);
}

static void append1(struct store *st, double t, const char *name, double v, int want)
{
	struct sample_set s;
	sample_set_init(&s);
	sample_set_add(&s, NULL, name, v);
	assert_int_equal(store_append(st, t, &s), want);
	sample_set_free(&s);
}

// A write that fails at COMMIT (the disk is full; here the file size limit)
// is reported, and the store goes on: the next batch commits, and the series
// created by the failed batch gets a real id, not one from the rolled-back
// transaction (whose rowid the next new series would reuse).
static void test_commit_fails(void **state)
{
	(void)state;
	struct strbuf msgs;
	strbuf_init(&msgs, 0);
	struct diag d;
	diag_init_mem(&d, &msgs);
	char *path = xasprintf("%s/full.db", dir), *wal = xasprintf("%s-wal", path);
	struct store *st;
	assert_int_equal(store_open(path, STORE_CREATE, &d, &st), 0);
	append1(st, 1, "a", 1, 0);
	struct stat sb;
	assert_int_equal(stat(wal, &sb), 0);
	struct rlimit old, lim;
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);
	lim = old;
	lim.rlim_cur = (rlim_t)sb.st_size;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	append1(st, 2, "b", 2, HR_E_IO);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, prev);
	assert_non_null(strstr(strbuf_str(&msgs), "full.db"));
	append1(st, 3, "b", 3, 0);
	store_close(st);

	assert_int_equal(store_open(path, STORE_EXISTING, &d, &st), 0);
	append1(st, 4, "c", 4, 0);
	struct series b = {0}, c = {0};
	assert_int_equal(store_read_series(st, "b", 0, 10, 0, &b), 0);
	assert_int_equal(store_read_series(st, "c", 0, 10, 0, &c), 0);
	assert_int_equal(b.n, 1);
	assert_true(b.t[0] == 3 && b.v[0] == 3);
	assert_int_equal(c.n, 1);
	assert_true(c.t[0] == 4 && c.v[0] == 4);
	struct store_stats ss;
	assert_int_equal(store_stats(st, &ss), 0);
	assert_int_equal(ss.samples, 3);
	assert_int_equal(ss.batched, ss.samples);
	series_free(&b);
	series_free(&c);
	store_close(st);
	free(path);
	free(wal);
	strbuf_free(&msgs);
}

// A bucket rolled up in two prunes whose first part had only NaN (NULL)
// values: the merge keeps the second part's figures instead of NULL * 0.
static void test_rollup_merge_null(void **state)
{
	(void)state;
	struct diag d;
	diag_init_file(&d, stderr, "test");
	char *path = xasprintf("%s/merge.db", dir);
	struct store *st;
	assert_int_equal(store_open(path, STORE_CREATE, &d, &st), 0);
	append1(st, 10, "m", NAN, 0);
	append1(st, 20, "m", NAN, 0);
	append1(st, 200, "m", 4, 0);
	append1(st, 210, "m", 6, 0);
	struct store_retention r = {.raw_s = 100, .rollup_step_s = 300, .rollup_s = 86400};
	assert_int_equal(store_prune(st, 200, &r), 0); // rolls t < 100: the NaN part
	assert_int_equal(store_prune(st, 400, &r), 0); // rolls the rest into the same bucket
	struct series s = {0};
	assert_int_equal(store_read_series(st, "m", 0, 1e9, 0, &s), 0);
	assert_int_equal(s.n, 1);
	assert_true(s.t[0] == 150);
	assert_true(s.v[0] == 5);
	series_free(&s);
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_stmt *q;
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT n, min, max FROM rollups", -1, &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(q, 0), 2);
	assert_true(sqlite3_column_double(q, 1) == 4 && sqlite3_column_double(q, 2) == 6);
	sqlite3_finalize(q);
	sqlite3_close(db);
	store_close(st);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_path),
		cmocka_unit_test(test_append_read),
		cmocka_unit_test(test_prune),
		cmocka_unit_test(test_not_a_store),
		cmocka_unit_test(test_foreign_schema),
		cmocka_unit_test(test_commit_fails),
		cmocka_unit_test(test_rollup_merge_null),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
