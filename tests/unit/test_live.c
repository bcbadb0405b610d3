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
		struct live_source src = {.name = "prom", .type = "prometheus",
					  .rc = c->src_rc == -1 ? 0 : c->src_rc, .error = (char *)c->src_error};
		struct live_provider prov = {.src = &src, .provides = c->src_rc != -1};
		live_explain_missing(&t, c->matched, c->names, n_names, &prov, 1);
		if (t.skipped != c->want_skipped || t.state != c->want_state || !t.message ||
		    strcmp(t.message, c->want_message) != 0)
			fail_msg("%s: skipped %d state %d message '%s'", c->what, t.skipped, (int)t.state,
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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
