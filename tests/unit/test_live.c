/* Unit tests for model/live: the decisions of a live round as tables of
 * trigger outcomes -> status, bottleneck, reported changes, and the reason a
 * trigger has no value. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/live.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct trigger_rule cpu = {.name = "cpu", .metric = "cpu.utilization", .warn = 0.7, .crit = 0.9};
static const struct trigger_rule disk = {.name = "disk", .metric = "disk.used_ratio", .warn = 0.8, .crit = 0.9};
static const struct trigger_rule mem = {.name = "memory", .metric = "memory.used_ratio", .warn = 0.8, .crit = 0.9};

static void test_worse_orders_state_then_pressure(void **state)
{
	(void)state;
	assert_true(live_worse(TRIG_CRIT, 0.1, TRIG_WARN, 5));
	assert_false(live_worse(TRIG_WARN, 5, TRIG_CRIT, 0.1));
	assert_true(live_worse(TRIG_OK, 0.9, TRIG_OK, 0.5));
	assert_false(live_worse(TRIG_OK, 0.5, TRIG_OK, 0.9));
	assert_true(live_worse(TRIG_OK, 0.1, TRIG_OK, NAN));  // a pressure beats none
	assert_false(live_worse(TRIG_OK, NAN, TRIG_OK, 0.1));
	assert_false(live_worse(TRIG_OK, NAN, TRIG_OK, NAN));
	assert_false(live_worse(TRIG_OK, 0.5, TRIG_OK, 0.5)); // ties keep the first
}

/* A round of three triggers: the status is the worst that applies, the
 * bottleneck the worst that is not UNKNOWN, skipped ones count for neither. */
static void test_finish_status_bottleneck(void **state)
{
	(void)state;
	struct live_trigger trig[3] = {
		{.rule = &cpu, .state = TRIG_OK, .pressure = 0.9, .value = 0.63},
		{.rule = &disk, .state = TRIG_UNKNOWN, .pressure = NAN, .value = NAN},
		{.rule = &mem, .state = TRIG_OK, .pressure = 0.95, .value = 0.76},
	};
	struct live_result r = {.trig = trig, .n_trig = 3};
	enum trigger_state last[3] = {0};
	bool seen[3] = {0};
	live_finish(&r, last, seen);
	assert_int_equal(r.status, TRIG_UNKNOWN);
	assert_int_equal(r.bottleneck, 2); // memory: higher pressure; disk is UNKNOWN
	// First round: only the UNKNOWN is a change (a first OK is not news).
	assert_int_equal(r.n_chg, 1);
	assert_ptr_equal(r.chg[0].rule, &disk);
	assert_string_equal(r.chg[0].series, "disk.used_ratio");
	assert_int_equal(r.chg[0].from, TRIG_OK);
	assert_int_equal(r.chg[0].to, TRIG_UNKNOWN);
	for (size_t i = 0; i < r.n_chg; i++) {
		free(r.chg[i].series);
		free(r.chg[i].message);
	}
	free(r.chg);

	// Second round: disk recovers to OK (a change now it was seen), cpu
	// fires, memory is skipped and counts for nothing.
	trig[0].state = TRIG_WARN;
	trig[1].state = TRIG_OK;
	trig[1].pressure = 0.1;
	trig[2].skipped = true;
	trig[2].state = TRIG_CRIT;
	struct live_result r2 = {.trig = trig, .n_trig = 3};
	live_finish(&r2, last, seen);
	assert_int_equal(r2.status, TRIG_WARN);
	assert_int_equal(r2.bottleneck, 0);
	assert_int_equal(r2.n_chg, 2);
	assert_ptr_equal(r2.chg[0].rule, &cpu);
	assert_int_equal(r2.chg[0].to, TRIG_WARN);
	assert_ptr_equal(r2.chg[1].rule, &disk);
	assert_int_equal(r2.chg[1].from, TRIG_UNKNOWN);
	assert_int_equal(r2.chg[1].to, TRIG_OK);
	assert_int_equal(last[2], TRIG_OK); // skipped: its last state is kept
	for (size_t i = 0; i < r2.n_chg; i++) {
		free(r2.chg[i].series);
		free(r2.chg[i].message);
	}
	free(r2.chg);
}

/* Nothing applies: OK, no bottleneck. */
static void test_finish_all_skipped(void **state)
{
	(void)state;
	struct live_trigger trig[1] = {{.rule = &cpu, .skipped = true, .state = TRIG_CRIT}};
	struct live_result r = {.trig = trig, .n_trig = 1};
	enum trigger_state last[1] = {0};
	bool seen[1] = {0};
	live_finish(&r, last, seen);
	assert_int_equal(r.status, TRIG_OK);
	assert_int_equal(r.bottleneck, -1);
	assert_int_equal(r.n_chg, 0);
	free(r.chg);
}

struct missing_case {
	const char *what;
	bool is_default;
	size_t matched;
	const char *names[3];
	int src_rc;        // -1: no source provides it
	const char *src_error;
	bool want_skipped;
	enum trigger_state want_state;
	const char *want_message;
};

static void test_explain_missing(void **state)
{
	(void)state;
	static const struct missing_case cases[] = {
		{"NaN series: not applicable", false, 1, {"cpu.utilization"}, 0, NULL, true, TRIG_OK,
		 "not applicable: cpu.utilization has no value here"},
		{"provider down", false, 0, {NULL}, -2, "connection refused", false, TRIG_UNKNOWN,
		 "source 'prom' (prometheus) is down: connection refused"},
		{"provider down, no reason", false, 0, {NULL}, -2, NULL, false, TRIG_UNKNOWN,
		 "source 'prom' (prometheus) is down: no reason given"},
		{"provider up, no value, a near name", false, 0, {"cpu.utilisation", "load.1m"}, 0, NULL, false,
		 TRIG_UNKNOWN, "source 'prom' (prometheus) gave no value for 'cpu.utilization'; did you mean 'cpu.utilisation'?"},
		{"provider up, no value, nothing near", false, 0, {"load.1m"}, 0, NULL, false, TRIG_UNKNOWN,
		 "source 'prom' (prometheus) gave no value for 'cpu.utilization'"},
		{"nobody provides a default", true, 0, {"load.1m"}, -1, NULL, true, TRIG_OK,
		 "no configured source provides 'cpu.utilization'"},
		{"nobody provides a configured one", false, 0, {"load.1m"}, -1, NULL, false, TRIG_UNKNOWN,
		 "no configured source provides 'cpu.utilization' (docs/metrics.md lists the metrics)"},
		{"nobody provides, a typo", false, 0, {"cpu.utilizaton"}, -1, NULL, false, TRIG_UNKNOWN,
		 "no configured source provides 'cpu.utilization'; did you mean 'cpu.utilizaton'?"},
	};
	for (size_t i = 0; i < N(cases); i++) {
		const struct missing_case *c = &cases[i];
		struct live_trigger t = {.rule = &cpu, .is_default = c->is_default, .value = NAN};
		size_t n_names = 0;
		while (n_names < 3 && c->names[n_names])
			n_names++;
		/* A source that answered gave other metrics: up, not silent. */
		struct live_source src = {.name = "prom", .type = "prometheus",
					  .rc = c->src_rc == -1 ? 0 : c->src_rc, .error = (char *)c->src_error,
					  .given = c->src_rc <= 0 && c->src_rc >= -1 ? 3 : 0};
		struct live_provider prov = {.src = &src, .provides = c->src_rc != -1, .matched = c->matched};
		live_judge(&t, c->names, n_names, &prov, 1);
		if (t.skipped != c->want_skipped || t.state != c->want_state || !t.message ||
		    strcmp(t.message, c->want_message) != 0)
			fail_msg("%s: skipped %d state %d message '%s'", c->what, t.skipped, (int)t.state,
				 t.message ? t.message : "(null)");
		free(t.message);
	}
}

/* A source that answered in part (one Prometheus query of several gave
 * NaN) is not "down": the trigger on the missing metric says which value
 * was missing and why; a source that gave nothing, or timed out, is down. */
static void test_explain_partial(void **state)
{
	(void)state;
	static const struct {
		int rc;
		size_t given;
		const char *want;
	} cases[] = {
		{HR_E_NOTFOUND, 3, "source 'prom' (prometheus) gave no value for 'cpu.utilization': q: the query gave NaN"},
		{HR_E_NOTFOUND, 0, "source 'prom' (prometheus) is down: q: the query gave NaN"},
		{HR_E_TIMEOUT, 3, "source 'prom' (prometheus) is down: q: the query gave NaN"},
		{HR_E_UNAVAILABLE, 1, "source 'prom' (prometheus) is down: q: the query gave NaN"},
	};
	for (size_t i = 0; i < N(cases); i++) {
		struct live_trigger t = {.rule = &cpu, .value = NAN};
		struct live_source src = {.name = "prom", .type = "prometheus", .rc = cases[i].rc,
					  .error = (char *)"q: the query gave NaN", .given = cases[i].given};
		struct live_provider prov = {.src = &src, .provides = true};
		live_judge(&t, NULL, 0, &prov, 1);
		assert_int_equal(t.state, TRIG_UNKNOWN);
		assert_string_equal(t.message, cases[i].want);
		free(t.message);
	}
}

/* How a source's sample went, from its code and what it gave. */
static void test_source_state(void **state)
{
	(void)state;
	static const struct {
		int rc;
		size_t given;
		const char *error;
		enum live_source_state want;
		const char *want_reason;
	} cases[] = {
		{0, 8, NULL, LIVE_SOURCE_UP, NULL},
		{0, 0, NULL, LIVE_SOURCE_SILENT, "answered with no metric"},
		{HR_E_UNAVAILABLE, 0, "Connection refused", LIVE_SOURCE_DOWN, "Connection refused"},
		{HR_E_UNAVAILABLE, 1, "all 10 probes failed", LIVE_SOURCE_DOWN, "all 10 probes failed"}, /* http.up = 0 */
		{HR_E_TIMEOUT, 3, NULL, LIVE_SOURCE_DOWN, "no reason given"},
		{HR_E_NOTFOUND, 0, "q: NaN", LIVE_SOURCE_DOWN, "q: NaN"},
		{HR_E_NOTFOUND, 2, "q: NaN", LIVE_SOURCE_PARTIAL, "q: NaN"},
	};
	for (size_t i = 0; i < N(cases); i++) {
		struct live_source s = {.name = "s", .type = "t", .rc = cases[i].rc, .given = cases[i].given,
					.error = (char *)cases[i].error};
		assert_int_equal(live_source_state(&s), cases[i].want);
		const char *why = live_source_reason(&s);
		if (cases[i].want_reason)
			assert_string_equal(why, cases[i].want_reason);
		else
			assert_null(why);
	}
	assert_string_equal(live_source_state_name(LIVE_SOURCE_UP), "up");
	assert_string_equal(live_source_state_name(LIVE_SOURCE_PARTIAL), "partial");
	assert_string_equal(live_source_state_name(LIVE_SOURCE_SILENT), "silent");
	assert_string_equal(live_source_state_name(LIVE_SOURCE_DOWN), "down");
}

/* One source of a round, for the table below: "-" does not provide the
 * metric; otherwise its state and how many series of it it gave. */
struct src_case {
	const char *name;
	char kind;       /* 'u' up, 'd' down, 's' silent, 'p' partial, '-' does not provide it */
	size_t matched;
};

struct judge_case {
	const char *what;
	struct src_case src[6];
	bool has_value;             /* the sources that answered gave a usable series */
	enum trigger_state state;   /* its state, when has_value */
	enum trigger_state want_state;
	bool want_skipped;
	const char *want_message;   /* NULL: none */
};

/* Per-source truth: a source that gives a trigger's metric and did not
 * answer makes the trigger UNKNOWN naming it, even when another source gave
 * the metric (issue 18: one Redis down behind one up said OK). */
static void test_judge_sources(void **state)
{
	(void)state;
	static const struct judge_case cases[] = {
		{"two Redis, one down: UNKNOWN naming it", {{"up", 'u', 1}, {"down", 'd', 0}}, true, TRIG_OK,
		 TRIG_UNKNOWN, false,
		 "source 'down' (redis) is down: refused; the value shown is from the sources that answered"},
		{"the same, the answering one critical: the alert stands", {{"up", 'u', 1}, {"down", 'd', 0}}, true,
		 TRIG_CRIT, TRIG_CRIT, false,
		 "source 'down' (redis) is down: refused; the state stands on the sources that answered"},
		{"warning stands too", {{"up", 'u', 1}, {"down", 'd', 0}}, true, TRIG_WARN, TRIG_WARN, false,
		 "source 'down' (redis) is down: refused; the state stands on the sources that answered"},
		{"the down one does not give the metric: OK", {{"up", 'u', 1}, {"down", '-', 0}}, true, TRIG_OK,
		 TRIG_OK, false, NULL},
		{"both answered: OK", {{"a", 'u', 1}, {"b", 'u', 2}}, true, TRIG_OK, TRIG_OK, false, NULL},
		{"a silent one: UNKNOWN", {{"up", 'u', 1}, {"mute", 's', 0}}, true, TRIG_OK, TRIG_UNKNOWN, false,
		 "source 'mute' (redis) is silent: it answered with no metric; the value shown is from the sources "
		 "that answered"},
		{"one answered in part without it: UNKNOWN", {{"up", 'u', 1}, {"half", 'p', 0}}, true, TRIG_OK,
		 TRIG_UNKNOWN, false,
		 "source 'half' (redis) gave no value for 'redis.memory.used_ratio': refused; the value shown is "
		 "from the sources that answered"},
		{"one in part that gave it: OK", {{"up", 'u', 1}, {"half", 'p', 1}}, true, TRIG_OK, TRIG_OK, false,
		 NULL},
		{"an up one without a labelled series another gave: OK", {{"a", 'u', 1}, {"b", 'u', 0}}, true,
		 TRIG_OK, TRIG_OK, false, NULL},
		{"NaN from the up one, the other down: UNKNOWN, not skipped", {{"up", 'u', 1}, {"down", 'd', 0}},
		 false, TRIG_OK, TRIG_UNKNOWN, false, "source 'down' (redis) is down: refused"},
		{"NaN from every one that answered: not applicable", {{"a", 'u', 1}, {"b", 'u', 0}}, false, TRIG_OK,
		 TRIG_OK, true, "not applicable: redis.memory.used_ratio has no value here"},
		{"no value: the down one is blamed before the up one", {{"a", 'u', 0}, {"down", 'd', 0}}, false,
		 TRIG_OK, TRIG_UNKNOWN, false,
		 "source 'down' (redis) is down: refused; also without it: 'a' (up)"},
		{"many down: the first named, three more, the rest counted",
		 {{"up", 'u', 1}, {"d1", 'd', 0}, {"d2", 'd', 0}, {"d3", 's', 0}, {"d4", 'd', 0}, {"d5", 'd', 0}},
		 true, TRIG_OK, TRIG_UNKNOWN, false,
		 "source 'd1' (redis) is down: refused; also without it: 'd2' (down), 'd3' (silent), 'd4' (down) and "
		 "1 more; the value shown is from the sources that answered"},
		{"every one down", {{"d1", 'd', 0}, {"d2", 'd', 0}}, false, TRIG_OK, TRIG_UNKNOWN, false,
		 "source 'd1' (redis) is down: refused; also without it: 'd2' (down)"},
	};
	static const struct trigger_rule rm = {.name = "redis-memory", .metric = "redis.memory.used_ratio",
					       .warn = 0.8, .crit = 0.9};
	for (size_t i = 0; i < N(cases); i++) {
		const struct judge_case *c = &cases[i];
		struct live_source src[6];
		struct live_provider prov[6];
		size_t n = 0;
		for (; n < 6 && c->src[n].name; n++) {
			char k = c->src[n].kind;
			src[n] = (struct live_source){.name = c->src[n].name, .type = "redis",
						      .rc = k == 'd' ? HR_E_UNAVAILABLE : k == 'p' ? HR_E_NOTFOUND : 0,
						      .given = k == 'd' || k == 's' ? 0 : 5,
						      .error = k == 'd' || k == 'p' ? (char *)"refused" : NULL};
			prov[n] = (struct live_provider){.src = &src[n], .provides = k != '-', .matched = c->src[n].matched};
		}
		struct live_trigger t = {.rule = &rm, .value = NAN, .state = TRIG_OK};
		if (c->has_value) {
			t.series = (char *)"redis.memory.used_ratio";
			t.value = 0.5;
			t.state = c->state;
		}
		live_judge(&t, NULL, 0, prov, n);
		bool msg_ok = c->want_message ? t.message && strcmp(t.message, c->want_message) == 0 : !t.message;
		if (t.state != c->want_state || t.skipped != c->want_skipped || !msg_ok)
			fail_msg("%s: state %d skipped %d message '%s'", c->what, (int)t.state, t.skipped,
				 t.message ? t.message : "(null)");
		free(t.message);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_worse_orders_state_then_pressure),
		cmocka_unit_test(test_finish_status_bottleneck),
		cmocka_unit_test(test_finish_all_skipped),
		cmocka_unit_test(test_explain_missing),
		cmocka_unit_test(test_explain_partial),
		cmocka_unit_test(test_source_state),
		cmocka_unit_test(test_judge_sources),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
