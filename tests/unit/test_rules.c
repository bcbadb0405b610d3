/* Unit tests for model/rules: the trigger state machine as tables of
 * (time, value) -> expected state, the default policy and merging. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "model/rules.h"

struct step {
	double t, v;
	enum trigger_state want;
};

static void run_steps(const struct trigger_rule *r, const struct step *s, size_t n, double max_gap)
{
	struct rule_eval e;
	rules_eval_init(&e);
	for (size_t i = 0; i < n; i++) {
		(void)rules_step(r, &e, s[i].t, s[i].v, max_gap);
		if (e.state != s[i].want)
			fail_msg("%s: step %zu (t=%g v=%g): state %s, want %s", r->name, i, s[i].t, s[i].v,
				 rules_state_name(e.state), rules_state_name(s[i].want));
	}
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct trigger_rule cpu = {
	.name = "cpu", .metric = "cpu.utilization", .dir = TRIGGER_ABOVE,
	.warn = 0.7, .crit = 0.9, .for_s = 300, .hysteresis = 0.05,
};

static void test_for_duration(void **state)
{
	(void)state;
	static const struct step s[] = {
		{0, 0.5, TRIG_OK},
		{10, 0.8, TRIG_OK},   // past warn, pending
		{300, 0.8, TRIG_OK},  // 290 s past: not yet
		{310, 0.8, TRIG_WARN},// 300 s: fires
		{320, 0.95, TRIG_WARN},// past crit: pending crit
		{619, 0.95, TRIG_WARN},
		{620, 0.95, TRIG_CRIT},
		{630, 0.80, TRIG_WARN},// below crit by more than its band (0.855)
		{640, 0.50, TRIG_OK},
	};
	run_steps(&cpu, s, N(s), 0);
}

static void test_dip_restarts_for(void **state)
{
	(void)state;
	static const struct step s[] = {
		{0, 0.8, TRIG_OK},
		{200, 0.6, TRIG_OK},  // dipped: the `for` starts over
		{210, 0.8, TRIG_OK},
		{500, 0.8, TRIG_OK},  // 290 s since 210
		{510, 0.8, TRIG_WARN},
	};
	run_steps(&cpu, s, N(s), 0);
}

static void test_gap_restarts_for(void **state)
{
	(void)state;
	// With samples every 10 s and a 30 s gap limit, data missing from 100 to
	// 250 means the value was not seen staying high: start over at 250.
	struct rule_eval e;
	rules_eval_init(&e);
	for (double t = 0; t <= 100; t += 10)
		(void)rules_step(&cpu, &e, t, 0.8, 30);
	for (double t = 250; t < 550; t += 10) {
		(void)rules_step(&cpu, &e, t, 0.8, 30);
		assert_int_equal(e.state, TRIG_OK);
	}
	(void)rules_step(&cpu, &e, 550, 0.8, 30);
	assert_int_equal(e.state, TRIG_WARN);
	// Without a gap limit the same samples fire at 300.
	static const struct step s2[] = {
		{0, 0.8, TRIG_OK},
		{100, 0.8, TRIG_OK},
		{300, 0.8, TRIG_WARN},
	};
	run_steps(&cpu, s2, N(s2), 0);
}

static void test_hysteresis(void **state)
{
	(void)state;
	// Band: 5 % of 0.7 = 0.035; clears at or below 0.665.
	static const struct step s[] = {
		{0, 0.8, TRIG_OK},
		{300, 0.8, TRIG_WARN},
		{310, 0.69, TRIG_WARN},
		{320, 0.666, TRIG_WARN},
		{330, 0.664, TRIG_OK},
		{340, 0.71, TRIG_OK},
	};
	run_steps(&cpu, s, N(s), 0);
}

static void test_below_and_nan(void **state)
{
	(void)state;
	const struct trigger_rule free_disk = {
		.name = "free-disk", .metric = "disk.free_ratio", .dir = TRIGGER_BELOW,
		.warn = 0.3, .crit = 0.2, .for_s = 0, .hysteresis = 0.1,
	};
	static const struct step s[] = {
		{0, 0.5, TRIG_OK},
		{10, 0.25, TRIG_WARN}, // for 0: at once
		{20, NAN, TRIG_WARN},  // NaN samples are ignored
		{30, 0.15, TRIG_CRIT},
		{40, 0.21, TRIG_CRIT}, // band: 0.2 + 0.02
		{50, 0.221, TRIG_WARN},
		{60, 0.32, TRIG_WARN},
		{70, 0.33, TRIG_OK},
	};
	run_steps(&free_disk, s, N(s), 0);
	// A rule with only a crit level.
	const struct trigger_rule only_crit = {.name = "c", .metric = "m", .warn = NAN, .crit = 10};
	static const struct step s2[] = {{0, 11, TRIG_CRIT}, {1, 5, TRIG_OK}};
	run_steps(&only_crit, s2, N(s2), 0);
}

static void test_pending_and_pressure(void **state)
{
	(void)state;
	struct rule_eval e;
	rules_eval_init(&e);
	assert_true(rules_step(&cpu, &e, 0, 0.95, 0) == false);
	assert_int_equal(rules_pending(&cpu, &e), TRIG_CRIT);
	assert_true(rules_step(&cpu, &e, 300, 0.95, 0) == true);
	assert_int_equal(e.state, TRIG_CRIT);
	assert_true(e.since == 300);
	assert_int_equal(rules_pending(&cpu, &e), TRIG_OK);
	assert_true(fabs(rules_pressure(&cpu, 0.35) - 0.5) < 1e-12);
	const struct trigger_rule below = {.name = "b", .metric = "m", .dir = TRIGGER_BELOW, .warn = 0.2, .crit = 0.1};
	assert_true(fabs(rules_pressure(&below, 0.4) - 0.5) < 1e-12);
	// Replay is the same as stepping one by one.
	double t[] = {0, 150, 300}, v[] = {0.8, 0.8, 0.8};
	rules_eval_init(&e);
	rules_replay(&cpu, &e, t, v, 3, 0);
	assert_int_equal(e.state, TRIG_WARN);
}

static void test_defaults(void **state)
{
	(void)state;
	size_t n;
	const struct trigger_rule *d = rules_defaults(&n);
	assert_true(n >= 10);
	for (size_t i = 0; i < n; i++) {
		const char *why = rules_validate(&d[i]);
		if (why)
			fail_msg("default %s: %s", d[i].name, why);
		// Every default says where it came from and what to do.
		assert_non_null(strstr(d[i].origin, "seed 00"));
		assert_true(d[i].action && strlen(d[i].action) > 5);
		for (size_t k = 0; k < i; k++)
			assert_string_not_equal(d[i].name, d[k].name);
	}
	/* The levels of the default policy (docs/check.md, "Default triggers"). */
	struct { const char *name; double warn, crit; } want[] = {
		{"cpu", 0.7, 0.9}, {"memory", 0.8, 0.9}, {"disk", 0.8, 0.9},
		{"db-connections", 0.7, 0.9}, {"latency-p95", 0.5, 1.0}, {"error-rate", 0.01, 0.05},
	};
	for (size_t w = 0; w < N(want); w++) {
		bool found = false;
		for (size_t i = 0; i < n; i++) {
			if (strcmp(d[i].name, want[w].name) == 0) {
				found = true;
				assert_true(d[i].warn == want[w].warn && d[i].crit == want[w].crit);
			}
		}
		assert_true(found);
	}
}

static void test_merge_and_validate(void **state)
{
	(void)state;
	// An override that only moves the warn level; a new rule; a default turned off.
	struct trigger_rule user[] = {
		{.name = "cpu", .warn = 0.5, .crit = NAN, .for_s = NAN, .hysteresis = NAN, .origin = "h.yaml:3"},
		{.name = "celery", .metric = "redis.queue.length{key=\"celery\"}", .warn = 500, .crit = 1000,
		 .for_s = NAN, .hysteresis = NAN},
		{.name = "disk-plan", .warn = NAN, .crit = NAN, .for_s = NAN, .hysteresis = NAN, .disabled = true},
		{.name = "off", .metric = "m", .warn = 1, .crit = 2, .disabled = true},
	};
	size_t nd;
	(void)rules_defaults(&nd);
	struct rule_set s;
	rules_merge(user, 4, &s);
	assert_int_equal(s.n, nd - 1 + 1);
	assert_string_equal(s.rules[0].name, "cpu");
	assert_false(s.is_default[0]);
	assert_true(s.rules[0].warn == 0.5);
	assert_true(s.rules[0].crit == 0.9);      // from the default
	assert_true(s.rules[0].for_s == 300);     // from the default
	assert_true(s.rules[0].hysteresis == 0.05);
	assert_string_equal(s.rules[0].metric, "cpu.utilization");
	assert_string_equal(s.rules[0].origin, "h.yaml:3");
	assert_string_equal(s.rules[0].action, "Add workers or upgrade the VPS");
	assert_true(s.is_default[1]);
	const struct trigger_rule *last = &s.rules[s.n - 1];
	assert_string_equal(last->name, "celery");
	assert_true(last->for_s == 0 && last->hysteresis == 0); // a new rule: no delay, no band
	for (size_t i = 0; i < s.n; i++) {
		assert_string_not_equal(s.rules[i].name, "disk-plan");
		assert_string_not_equal(s.rules[i].name, "off");
		assert_null(rules_validate(&s.rules[i]));
	}
	rules_set_free(&s);
	rules_set_free(NULL);

	struct trigger_rule bad = {.name = "x", .metric = "m", .warn = 0.9, .crit = 0.5};
	assert_non_null(strstr(rules_validate(&bad), "crit must be at or above warn"));
	bad.dir = TRIGGER_BELOW;
	assert_null(rules_validate(&bad));
	bad.warn = bad.crit = NAN;
	assert_non_null(strstr(rules_validate(&bad), "warn or a crit"));
	bad.warn = 1, bad.hysteresis = 1;
	assert_non_null(strstr(rules_validate(&bad), "hysteresis"));
	bad.hysteresis = 0, bad.metric = NULL;
	assert_non_null(strstr(rules_validate(&bad), "metric"));
	assert_string_equal(rules_state_name(TRIG_WARN), "warning");
	assert_string_equal(rules_state_label(TRIG_UNKNOWN), "UNKNOWN");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_for_duration),
		cmocka_unit_test(test_dip_restarts_for),
		cmocka_unit_test(test_gap_restarts_for),
		cmocka_unit_test(test_hysteresis),
		cmocka_unit_test(test_below_and_nan),
		cmocka_unit_test(test_pending_and_pressure),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_merge_and_validate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
