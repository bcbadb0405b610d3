/* Unit tests for util/lograte: a table of occurrences in time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "util/lograte.h"

/* A disk-full error every 10 s for an hour, with a 10 min window: the log
 * gets the first line, then one summary per window, and never goes silent
 * (the agent stopped for good after 20 errors). */
static void test_flood_summarised(void **state)
{
	(void)state;
	struct lograte lr;
	lograte_init(&lr, 600);
	int logged = 0, summaries = 0;
	unsigned long held = 0;
	for (int t = 0; t < 3600; t += 10) {
		if (lograte_hit(&lr, "store", "database or disk is full", t))
			logged++;
		struct lograte_summary s;
		while (lograte_due(&lr, t, &s)) {
			summaries++;
			held += s.held;
			assert_string_equal(s.key, "store");
			assert_string_equal(s.last, "database or disk is full");
			assert_true(s.window_s >= 600 && s.window_s < 610);
		}
	}
	assert_int_equal(logged, 1);
	assert_int_equal(summaries, 5); // at 600, 1200, ... 3000 s
	assert_int_equal(held + (unsigned long)logged + lr.slot[0].held, 360);
	// It clears: the caller logs the recovery with what went unlogged.
	unsigned long n = lograte_clear(&lr, "store");
	assert_int_equal(n, 59);
	assert_false(lograte_active(&lr, "store"));
	// The next failure is logged in full at once.
	assert_true(lograte_hit(&lr, "store", "again", 3700));
}

/* Keys are independent; a quiet window lets the next one through. */
static void test_keys_and_quiet_window(void **state)
{
	(void)state;
	struct lograte lr;
	lograte_init(&lr, 60);
	assert_true(lograte_hit(&lr, "webhook", "timeout", 0));
	assert_true(lograte_hit(&lr, "store", "full", 1));
	assert_false(lograte_hit(&lr, "webhook", "timeout", 2));
	struct lograte_summary s;
	assert_false(lograte_due(&lr, 30, &s));
	assert_true(lograte_due(&lr, 61, &s));
	assert_string_equal(s.key, "webhook");
	assert_int_equal(s.held, 1);
	assert_false(lograte_due(&lr, 61, &s)); // store held nothing
	assert_true(lograte_hit(&lr, "store", "full", 70)); // its window passed quietly
	assert_int_equal(lograte_clear(&lr, "nope"), 0);
}

/* More keys than slots: the oldest gives way; nothing grows. */
static void test_many_keys(void **state)
{
	(void)state;
	struct lograte lr;
	lograte_init(&lr, 60);
	char k[32];
	for (int i = 0; i < LOGRATE_KEYS * 3; i++) {
		snprintf(k, sizeof(k), "source %d", i);
		assert_true(lograte_hit(&lr, k, "down", i));
	}
	assert_true(lograte_active(&lr, "source 95"));
	assert_false(lograte_active(&lr, "source 0"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flood_summarised),
		cmocka_unit_test(test_keys_and_quiet_window),
		cmocka_unit_test(test_many_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
