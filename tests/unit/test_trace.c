/* Unit tests for config/trace: the trace CSV, and one located line for each
 * way it can be wrong. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <time.h>

#include "config/trace.h"
#include "util/strbuf.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void test_parses(void **state)
{
	(void)state;
	static const char text[] = "timestamp,requests\n"
				   "1995-07-01T04:00:00Z,42\n"
				   "1995-07-01T04:01:00Z,61\r\n"
				   "1995-07-01T04:02:00Z,0\n";
	struct strbuf mem;
	strbuf_init(&mem, 0);
	struct diag d;
	diag_init_mem(&d, &mem);
	struct trace t;
	assert_int_equal(trace_parse("t.csv", text, strlen(text), &d, &t), 0);
	assert_int_equal(t.n, 3);
	assert_true(t.requests[0] == 42 && t.requests[1] == 61 && t.requests[2] == 0);
	assert_true(t.bucket_s == 60);
	assert_true(t.start == 804571200); // date -u -d 1995-07-01T04:00:00Z +%s
	trace_free(&t);
	strbuf_free(&mem);
}

struct bad_case {
	const char *text;
	const char *want; // the message, exactly
};

static void test_errors(void **state)
{
	(void)state;
	static const struct bad_case cases[] = {
		{"", "t.csv:1:1: error: empty file; expected the header line 'timestamp,requests'\n"},
		{"time,req\n", "t.csv:1:1: error: expected the header line 'timestamp,requests'\n"},
		{"timestamp,requests\n", "t.csv:2:1: error: no rows after the header; expected TIMESTAMP,REQUESTS\n"},
		{"timestamp,requests\n1995-07-01T04:00:00Z 42\n",
		 "t.csv:2:24: error: expected TIMESTAMP,REQUESTS, got no comma\n"},
		{"timestamp,requests\n1995-07-01 04:00,42\n",
		 "t.csv:2:1: error: expected a UTC time such as 1995-07-01T04:00:00Z\n"},
		{"timestamp,requests\n1995-02-30T04:00:00Z,42\n", "t.csv:2:1: error: no such date\n"},
		{"timestamp,requests\n1995-07-01T04:00:00Z,4x2\n",
		 "t.csv:2:23: error: expected a whole number of requests (0 or more)\n"},
		{"timestamp,requests\n1995-07-01T04:00:00Z,-1\n",
		 "t.csv:2:22: error: expected a whole number of requests (0 or more)\n"},
		{"timestamp,requests\n1995-07-01T04:00:00Z,\n",
		 "t.csv:2:22: error: expected a request count after the comma\n"},
		{"timestamp,requests\n1995-07-01T04:00:00Z,1\n1995-07-01T04:00:00Z,1\n",
		 "t.csv:3:1: error: the second bucket does not start after the first\n"},
		{"timestamp,requests\n1995-07-01T04:00:00Z,1\n1995-07-01T04:01:00Z,1\n1995-07-01T04:03:00Z,1\n",
		 "t.csv:4:1: error: bucket 3 starts 120 s after the one before, not 60 s: the rows must be contiguous buckets of one length\n"},
		{"timestamp,requests\n1995-07-01T04:00:00Z,1\n\n1995-07-01T04:01:00Z,1\n",
		 "t.csv:3:1: error: a blank line inside the trace; expected TIMESTAMP,REQUESTS\n"},
		// Two rows ten years apart were replayed for 24 s and 503 MB; one at
		// 9999-12-31 for minutes: the span is capped at 366 days.
		{"timestamp,requests\n2016-01-01T00:00:00Z,1\n2026-01-01T00:00:00Z,1\n",
		 "t.csv:3:1: error: this row takes the trace past 366 days from its first row, the longest span a trace may cover; cut it or replay it in parts\n"},
		{"timestamp,requests\n2026-01-01T00:00:00Z,1\n9999-12-31T00:00:00Z,1\n",
		 "t.csv:3:1: error: this row takes the trace past 366 days from its first row, the longest span a trace may cover; cut it or replay it in parts\n"},
		// 183 days apart: the second bucket ends 366 days after the first starts, the most allowed;
		// a third is past it.
		{"timestamp,requests\n2026-01-01T00:00:00Z,1\n2026-07-03T00:00:00Z,1\n2027-01-02T00:00:00Z,1\n",
		 "t.csv:4:1: error: this row takes the trace past 366 days from its first row, the longest span a trace may cover; cut it or replay it in parts\n"},
	};
	for (size_t i = 0; i < N(cases); i++) {
		struct strbuf mem;
		strbuf_init(&mem, 0);
		struct diag d;
		diag_init_mem(&d, &mem);
		struct trace t;
		int rc = trace_parse("t.csv", cases[i].text, strlen(cases[i].text), &d, &t);
		if (rc != HR_E_INVALID || strcmp(strbuf_str(&mem), cases[i].want) != 0)
			fail_msg("case %zu: rc %d, message '%s', want '%s'", i, rc, strbuf_str(&mem), cases[i].want);
		assert_null(t.requests);
		strbuf_free(&mem);
	}
}

/* ROWS rows of STEP seconds from 2024-01-01T00:00:00Z, after the header. */
static void rows(struct strbuf *text, long n, long step)
{
	strbuf_reset(text);
	assert_int_equal(strbuf_puts(text, "timestamp,requests\n"), 0);
	for (long i = 0; i < n; i++) {
		char ts[32];
		time_t at = (time_t)(1704067200 + i * step);
		struct tm tm;
		gmtime_r(&at, &tm);
		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
		assert_int_equal(strbuf_printf(text, "%s,1\n", ts), 0);
	}
}

/* The caps' edges: 366 days of hours is read, one hour more is not; so are
 * TRACE_MAX_ROWS rows of seconds (11.6 days), and not one more. */
static void test_caps(void **state)
{
	(void)state;
	struct strbuf text, mem;
	strbuf_init(&text, 0);
	strbuf_init(&mem, 0);
	struct diag d;
	diag_init_mem(&d, &mem);
	struct trace t;
	rows(&text, 366 * 24, 3600);
	assert_int_equal(trace_parse("t.csv", strbuf_str(&text), text.len, &d, &t), 0);
	assert_int_equal(t.n, 366 * 24);
	trace_free(&t);
	rows(&text, 366 * 24 + 1, 3600);
	assert_int_equal(trace_parse("t.csv", strbuf_str(&text), text.len, &d, &t), HR_E_INVALID);
	assert_string_equal(strbuf_str(&mem), "t.csv:8786:1: error: this row takes the trace past 366 days from its "
					      "first row, the longest span a trace may cover; cut it or replay it in parts\n");
	strbuf_reset(&mem);
	rows(&text, TRACE_MAX_ROWS, 1);
	assert_int_equal(trace_parse("t.csv", strbuf_str(&text), text.len, &d, &t), 0);
	assert_int_equal(t.n, TRACE_MAX_ROWS);
	trace_free(&t);
	rows(&text, TRACE_MAX_ROWS + 1, 1);
	assert_int_equal(trace_parse("t.csv", strbuf_str(&text), text.len, &d, &t), HR_E_INVALID);
	assert_string_equal(strbuf_str(&mem), "t.csv:1000002:1: error: more than 1000000 rows (buckets), the most a "
					      "trace may hold; cut it or use longer buckets\n");
	strbuf_free(&text);
	strbuf_free(&mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parses),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_caps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
