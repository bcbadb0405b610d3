/* Unit tests for store/scalelog: what a restart finds - recommendations,
 * scale events, KEDA's last activity, and a resize left pending. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/scalelog.h"

struct rows {
	double t[8];
	int v[8];
	int n;
};

static void collect(void *ctx, double t, int v)
{
	struct rows *r = ctx;
	if (r->n < 8)
		r->t[r->n] = t, r->v[r->n] = v, r->n++;
}

static void test_roundtrip(void **state)
{
	(void)state;
	char dir[] = "/tmp/headroom-scalelog.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[64];
	snprintf(path, sizeof(path), "%s/h.db", dir);
	struct diag d;
	struct strbuf msgs;
	strbuf_init(&msgs, 4096);
	diag_init_mem(&d, &msgs);
	struct scalelog *l;
	assert_int_equal(scalelog_open(path, &d, &l), 0);
	struct scalelog_decision dec = {.service = "w", .t = 100, .current = 1, .desired = 3, .recommendation = 4,
					.why = "limit_up", .reason = "r", .mode = "apply", .active = true};
	assert_int_equal(scalelog_decision(l, &dec), 0);
	dec.t = 110, dec.recommendation = -1, dec.active = false;
	assert_int_equal(scalelog_decision(l, &dec), 0);
	long long id;
	assert_int_equal(scalelog_intent_begin(l, "w", 100, 1, 3, &id), 0);
	assert_int_equal(scalelog_intent_end(l, id, "done", 101, "w", 100, 2, NULL), 0);
	assert_int_equal(scalelog_intent_begin(l, "w", 120, 3, 5, &id), 0);
	scalelog_close(l); // as if killed with the resize in flight

	assert_int_equal(scalelog_open(path, &d, &l), 0);
	struct rows r = {0};
	assert_int_equal(scalelog_recs(l, "w", 0, collect, &r), 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.v[0], 4);
	memset(&r, 0, sizeof(r));
	assert_int_equal(scalelog_events(l, "w", 0, collect, &r), 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.v[0], 2);
	double t;
	assert_int_equal(scalelog_last_active(l, "w", &t), 0);
	assert_true(t == 100);
	assert_int_equal(scalelog_last_active(l, "other", &t), 0);
	assert_true(isnan(t));
	struct scalelog_intent in;
	bool found;
	assert_int_equal(scalelog_pending(l, "w", &in, &found), 0);
	assert_true(found);
	assert_int_equal(in.from, 3);
	assert_int_equal(in.to, 5);
	assert_int_equal(scalelog_intent_end(l, in.id, "aborted", 130, "w", 120, 0, "reconciled"), 0);
	assert_int_equal(scalelog_pending(l, "w", &in, &found), 0);
	assert_false(found);
	// Pruning keeps the recent state.
	assert_int_equal(scalelog_prune(l, 105, 105), 0);
	memset(&r, 0, sizeof(r));
	assert_int_equal(scalelog_recs(l, "w", 0, collect, &r), 0);
	assert_int_equal(r.n, 0);
	scalelog_close(l);
	// Not a headroom store: refused, untouched.
	char other[80];
	snprintf(other, sizeof(other), "%s/other.db", dir);
	char cmd[200];
	snprintf(cmd, sizeof(cmd), "sqlite3 '%s' 'create table x(a)'", other);
	if (system(cmd) == 0) {
		assert_int_equal(scalelog_open(other, &d, &l), HR_E_IO);
		assert_non_null(strstr(strbuf_str(&msgs), "not a headroom history store"));
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	strbuf_free(&msgs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
