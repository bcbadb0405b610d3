/* Unit tests for render/bench: the exact text of a run, a step and a knee
 * (apk-tools style: the renderer writes into a buffer), and the JSON's keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "render/bench.h"

static const char *const names[] = {"connect", "read", "write", "timeout", "parse"};
static const uint64_t errs[] = {1, 0, 0, 2, 0};

static void test_run_text(void **state)
{
	(void)state;
	struct bench_run_report r = {
		.url = "http://127.0.0.1:8080/", .duration_s = 10, .threads = 2, .connections = 10,
		.requests = 12345, .bytes = 1 << 20, .error_names = names, .errors = errs, .n_errors = 5,
		.non2xx = 3, .latency = {0.001, 0.0009, 0.0015, 0.002, 0.004, 0.01, 0.0002, 0.02},
		.cpu_user_s = 0.5, .cpu_sys_s = 1.25,
	};
	struct strbuf sb;
	strbuf_init(&sb, 0);
	assert_int_equal(bench_render_run_text(&r, &sb), 0);
	assert_string_equal(strbuf_str(&sb),
			    "Ran 10.00s @ http://127.0.0.1:8080/\n"
			    "  2 threads, 10 connections, closed loop (latency from the actual send; not corrected for stalls: use --rate)\n"
			    "  requests   12345, 1.0 MiB read, 1234.5 req/s\n"
			    "  latency    mean 1.00 ms  p50 900 us  p90 1.50 ms  p95 2.00 ms  p99 4.00 ms  p99.9 10.0 ms  max 20.0 ms\n"
			    "  errors     connect 1, read 0, write 0, timeout 2, parse 0; non-2xx 3\n"
			    "  cpu        0.50s user, 1.25s sys\n");
	strbuf_reset(&sb);
	assert_int_equal(bench_render_run_json(&r, &sb), 0);
	assert_non_null(strstr(strbuf_str(&sb), "\"mode\": \"closed\""));
	assert_non_null(strstr(strbuf_str(&sb), "\"timeout\": 2"));
	assert_non_null(strstr(strbuf_str(&sb), "\"rps\": 1234.5"));
	strbuf_free(&sb);
}

static void test_step_and_ladder(void **state)
{
	(void)state;
	struct bench_step_report s = {.concurrency = 8, .rps = 196.4, .pct_s = 0.045, .mean_s = 0.041, .error_ratio = 0,
				      .ok = true, .why = ""};
	struct strbuf sb;
	strbuf_init(&sb, 0);
	assert_int_equal(bench_render_step_text(&s, 95, &sb), 0);
	assert_string_equal(strbuf_str(&sb),
			    "  concurrency    8      196.4 req/s  p95 45.0 ms  mean 41.0 ms  errors  0.00%  ok\n");
	struct bench_knee_report k = {.has_stop_step = true, .stop = LADDER_FELL, .stop_concurrency = 32,
				      .stop_rps = 150, .before_rps = 190, .before_concurrency = 16};
	strbuf_reset(&sb);
	assert_int_equal(bench_render_ladder(&k, &sb), 0);
	assert_string_equal(strbuf_str(&sb),
			    "stopped at concurrency 32: throughput fell to 150.0 req/s from 190.0 at concurrency 16; the "
			    "service is past its peak concurrency (contention), and more connections cannot raise it");
	k.stop = LADDER_CONNECTIONS;
	strbuf_reset(&sb);
	assert_int_equal(bench_render_ladder(&k, &sb), 0);
	assert_non_null(strstr(strbuf_str(&sb), "raise -c"));
	strbuf_free(&sb);
}

static void test_knee_text(void **state)
{
	(void)state;
	struct bench_knee_report k = {
		.url = "http://x/", .slo_text = "p95=500ms", .slo_pct = 95, .slo_s = 0.5, .max_rps = 195.2,
		.peak_rps = 196.4, .service_s = 0.041, .service_cv = 0.05, .concurrency = 8.0, .cores = 2,
		.cpu_s = 0.0012, .cpu_source = "process", .n_pids = 1, .has_stop_step = true, .stop = LADDER_FLAT,
		.stop_concurrency = 16, .stop_rps = 196.4, .before_rps = 195, .before_concurrency = 8,
		.usl_points = 2, .usl_min_points = 3,
	};
	struct strbuf sb;
	strbuf_init(&sb, 0);
	assert_int_equal(bench_render_knee_text(&k, &sb), 0);
	const char *t = strbuf_str(&sb);
	assert_non_null(strstr(t, "Highest sustainable rate: 195.2 req/s at p95=500ms (closed-loop peak 196.4 req/s)\n"));
	assert_non_null(strstr(t, "CPU per request: 1.20 ms, measured on the server's process (2 vCPU)\n"));
	assert_non_null(strstr(t, "USL fit: needs 3 closed-loop steps with responses, have 2"));
	strbuf_reset(&sb);
	k.cpu_s = NAN;
	assert_int_equal(bench_render_knee_json(&k, &sb), 0);
	assert_non_null(strstr(strbuf_str(&sb), "\"cpu_per_request_s\": null"));
	assert_non_null(strstr(strbuf_str(&sb), "\"usl\": null"));
	strbuf_free(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run_text),
		cmocka_unit_test(test_step_and_ladder),
		cmocka_unit_test(test_knee_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
