/* Unit tests for the network reply parsers: Prometheus API JSON and Redis
 * INFO and URLs, on fixture replies (tests/fixtures/{prom,redis}/). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sources/prometheus.h"
#include "sources/redis.h"
#include "util/xalloc.h"

static char *slurp(const char *rel, size_t *len)
{
	char *path = xasprintf("%s/%s", HR_FIXTURES, rel);
	FILE *fp = fopen(path, "rb");
	free(path);
	if (!fp)
		fail_msg("no fixture %s", rel);
	char *buf = xcalloc(1, 1 << 16);
	*len = fread(buf, 1, (1 << 16) - 1, fp);
	fclose(fp);
	return buf;
}

static void test_prom_instant(void **state)
{
	(void)state;
	size_t n;
	char *s = slurp("prom/vector.json", &n);
	struct sample_set out;
	sample_set_init(&out);
	struct strbuf err;
	strbuf_init(&err, 0);
	assert_int_equal(prom_parse_instant(s, n, "disk.used_ratio", "p", &out, &err), 0);
	assert_int_equal(out.n, 2);
	assert_string_equal(out.m[1].name, "disk.used_ratio{device=\"/dev/sdb1\",fstype=\"xfs\",mountpoint=\"/data\"}");
	assert_true(out.m[1].value == 0.9);
	assert_string_equal(out.m[0].source, "p");
	free(s);
	sample_set_free(&out);
	s = slurp("prom/scalar.json", &n);
	// NaN is no value: the trigger on it is UNKNOWN with this reason, not
	// "not applicable" (check said OK with 0 triggers).
	assert_int_equal(prom_parse_instant(s, n, "x", "p", &out, &err), HR_E_NOTFOUND);
	assert_int_equal(out.n, 0);
	assert_string_equal(strbuf_str(&err), "the query gave NaN, no value");
	free(s);
	sample_set_free(&out);
	s = slurp("prom/error.json", &n);
	assert_int_equal(prom_parse_instant(s, n, "x", "p", &out, &err), HR_E_PROTOCOL);
	assert_string_equal(strbuf_str(&err), "query failed: 1:5: parse error: unexpected end of input");
	free(s);
	static const char *const bad[] = {
		"", "[]", "{\"status\":\"success\"}", "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{}]}}",
		"{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"value\":[1,2]}]}}",
		"{\"status\":\"success\",\"data\":{\"resultType\":\"string\",\"result\":[1,\"a\"]}}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (prom_parse_instant(bad[i], strlen(bad[i]), "x", "p", &out, &err) == 0)
			fail_msg("accepted %s", bad[i]);
	assert_int_equal(out.n, 0);
	strbuf_free(&err);
}

// Label values are untrusted text: quotes, backslashes and line breaks are
// escaped, and a long label set keeps whole labels and its closing brace, so
// the name printed on the agent's /metrics stays one well-formed series.
static void test_prom_labels_escaped(void **state)
{
	(void)state;
	char long_v[400];
	memset(long_v, 'x', sizeof(long_v) - 1);
	long_v[sizeof(long_v) - 1] = '\0';
	char *s = xasprintf("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
			    "{\"metric\":{\"path\":\"a\\\"} 1\\nfake 2\\\\\",\"bad\\\"name\":\"v\"},\"value\":[1,\"1\"]},"
			    "{\"metric\":{\"a\":\"1\",\"b\":\"%s\",\"c\":\"3\"},\"value\":[1,\"2\"]}]}}",
			    long_v);
	struct sample_set out;
	sample_set_init(&out);
	struct strbuf err;
	strbuf_init(&err, 0);
	assert_int_equal(prom_parse_instant(s, strlen(s), "m", "p", &out, &err), 0);
	assert_int_equal(out.n, 2);
	assert_string_equal(out.m[0].name, "m{path=\"a\\\"} 1\\nfake 2\\\\\"}");
	assert_string_equal(out.m[1].name, "m{a=\"1\",c=\"3\"}");
	free(s);
	sample_set_free(&out);
	strbuf_free(&err);
	char buf[8];
	assert_string_equal(sample_label_escape("ab\"cd", buf, sizeof(buf)), "ab\\\"cd");
	assert_string_equal(sample_label_escape("abcdef\"", buf, sizeof(buf)), "abcdef");
	assert_string_equal(sample_label_escape("abcdef\xc3\xa9", buf, sizeof(buf)), "abcdef");
}

// Empty and NaN answers, and the caps that keep a hostile reply cheap.
/* +Inf, -Inf and NaN are no value, in a scalar, a vector or a range: a
 * ratio of +Inf was read as one ("inf%", an autoscaler at its max). */
static void test_prom_not_finite(void **state)
{
	(void)state;
	static const struct {
		const char *reply;
		int want;
		const char *want_err;
		size_t want_n;
	} cases[] = {
		{"{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1,\"+Inf\"]}}", HR_E_NOTFOUND,
		 "the query gave +Inf, no value", 0},
		{"{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1,\"-Inf\"]}}", HR_E_NOTFOUND,
		 "the query gave -Inf, no value", 0},
		{"{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
		 "{\"metric\":{},\"value\":[1,\"+Inf\"]}]}}", HR_E_NOTFOUND, "the query gave +Inf, no value", 0},
		{"{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
		 "{\"metric\":{\"i\":\"a\"},\"value\":[1,\"-Inf\"]},{\"metric\":{\"i\":\"b\"},\"value\":[1,\"NaN\"]}]}}",
		 HR_E_NOTFOUND, "the query gave -Inf and no finite value in 2 series", 0},
		{"{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
		 "{\"metric\":{\"i\":\"a\"},\"value\":[1,\"+Inf\"]},{\"metric\":{\"i\":\"b\"},\"value\":[1,\"0.5\"]}]}}",
		 0, "", 1},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sample_set out;
		sample_set_init(&out);
		struct strbuf err;
		strbuf_init(&err, 0);
		assert_int_equal(prom_parse_instant(cases[i].reply, strlen(cases[i].reply), "q", "p", &out, &err),
				 cases[i].want);
		assert_string_equal(strbuf_str(&err), cases[i].want_err);
		assert_int_equal(out.n, cases[i].want_n);
		for (size_t k = 0; k < out.n; k++)
			assert_true(isfinite(out.m[k].value));
		sample_set_free(&out);
		strbuf_free(&err);
	}
	const char *range = "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":["
			    "{\"metric\":{},\"values\":[[1,\"0.5\"],[2,\"+Inf\"],[3,\"-Inf\"],[4,\"0.6\"]]}]}}";
	struct series ser = {0};
	struct strbuf err;
	strbuf_init(&err, 0);
	assert_int_equal(prom_parse_range(range, strlen(range), "q", "q", &ser, &err), 0);
	assert_int_equal(ser.n, 2);
	series_free(&ser);
	strbuf_free(&err);
}

static void test_prom_no_value_and_caps(void **state)
{
	(void)state;
	struct sample_set out;
	sample_set_init(&out);
	struct strbuf err;
	strbuf_init(&err, 0);
	const char *empty = "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}";
	assert_int_equal(prom_parse_instant(empty, strlen(empty), "q", "p", &out, &err), HR_E_NOTFOUND);
	assert_string_equal(strbuf_str(&err), "the query returned no series (append 'or vector(0)' if none means 0)");
	const char *mixed = "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
			    "{\"metric\":{\"i\":\"a\"},\"value\":[1,\"NaN\"]},{\"metric\":{\"i\":\"b\"},\"value\":[1,\"0.5\"]}]}}";
	assert_int_equal(prom_parse_instant(mixed, strlen(mixed), "q", "p", &out, &err), 0);
	assert_int_equal(out.n, 1); // the NaN series is left out, the other kept
	assert_string_equal(out.m[0].name, "q{i=\"b\"}");
	sample_set_free(&out);
	const char *nans = "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
			   "{\"metric\":{},\"value\":[1,\"NaN\"]}]}}";
	assert_int_equal(prom_parse_instant(nans, strlen(nans), "q", "p", &out, &err), HR_E_NOTFOUND);
	const char *text = "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}";
	assert_int_equal(prom_parse_instant(text, strlen(text) - 3, "q", "p", &out, &err), HR_E_PROTOCOL);

	// Values are counted outside strings only.
	const char *v5 = "[1,2,{\"a\":\"x,[{\\\"\"}]";
	assert_int_equal(prom_count_values(v5, strlen(v5)), 5);
	// A flat array of small numbers over the cap is refused before parsing.
	struct strbuf big;
	strbuf_init(&big, 0);
	assert_int_equal(strbuf_puts(&big, "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[0"), 0);
	for (int i = 0; i < PROM_INSTANT_VALUES_MAX; i++)
		assert_int_equal(strbuf_puts(&big, ",0"), 0);
	assert_int_equal(strbuf_puts(&big, "]}}"), 0);
	assert_int_equal(prom_parse_instant(big.buf, big.len, "q", "p", &out, &err), HR_E_TOO_LARGE);
	assert_non_null(strstr(strbuf_str(&err), "JSON values; at most 50000 are read"));
	struct series ser = {0};
	assert_int_equal(prom_parse_range(big.buf, big.len, "q", "q", &ser, &err), HR_E_PROTOCOL); // under the range cap
	strbuf_free(&big);
	assert_int_equal(out.n, 0);
	strbuf_free(&err);
}

static void test_prom_range(void **state)
{
	(void)state;
	size_t n;
	char *s = slurp("prom/matrix.json", &n);
	struct series out = {0};
	struct strbuf err;
	strbuf_init(&err, 0);
	assert_int_equal(prom_parse_range(s, n, "m", "m{instance=\"a\"}", &out, &err), 0);
	assert_int_equal(out.n, 3);
	assert_true(out.t[2] == 1700000020 && out.v[2] == 3);
	series_free(&out);
	assert_int_equal(prom_parse_range(s, n, "m", "m{instance=\"c\"}", &out, &err), HR_E_NOTFOUND);
	free(s);
	strbuf_free(&err);
}

static void test_redis_info_url(void **state)
{
	(void)state;
	size_t n;
	char *s = slurp("redis/info.txt", &n);
	struct redis_info ri;
	assert_int_equal(redis_parse_info(s, n, &ri), 0);
	assert_true(ri.used_memory == 1048576 && ri.maxmemory == 4194304);
	assert_true(ri.connected_clients == 12 && ri.blocked_clients == 3 && ri.evicted_keys == 17);
	free(s);
	assert_int_equal(redis_parse_info("used_memory:12x\r\n", 17, &ri), HR_E_PROTOCOL);
	assert_int_equal(redis_parse_info("maxmemory:0\r\n", 13, &ri), HR_E_PROTOCOL);

	struct redis_url u;
	const char *why;
	assert_int_equal(redis_parse_url("redis://:pw@cache.internal:6380/2", &u, &why), 0);
	assert_string_equal(u.host, "cache.internal");
	assert_int_equal(u.port, 6380);
	assert_string_equal(u.password, "pw");
	assert_int_equal(u.db, 2);
	redis_url_free(&u);
	assert_int_equal(redis_parse_url("redis://127.0.0.1", &u, &why), 0);
	assert_int_equal(u.port, 6379);
	assert_null(u.password);
	redis_url_free(&u);
	assert_int_equal(redis_parse_url("http://x", &u, &why), HR_E_INVALID);
	assert_int_equal(redis_parse_url("redis://h:99999", &u, &why), HR_E_INVALID);
	assert_non_null(strstr(why, "65535"));
	assert_int_equal(redis_parse_url("redis://:6379", &u, &why), HR_E_INVALID);
	assert_int_equal(redis_parse_url("redis://h/x", &u, &why), HR_E_INVALID);
}

// The source's RESP reader: hiredis' parser with bounded reply builders.
static void test_redis_reply_bounds(void **state)
{
	(void)state;
	int type = -1;
	const char *why;
	assert_int_equal(redis_check_reply("+OK\r\n", 5, &type, &why), 0);
	assert_int_equal(type, 5); // REDIS_REPLY_STATUS
	assert_int_equal(redis_check_reply("$5\r\nhello\r\n", 11, &type, &why), 0);
	assert_int_equal(redis_check_reply("$-1\r\n", 5, &type, &why), 0);
	assert_int_equal(type, 4); // REDIS_REPLY_NIL, though hiredis types the task a string
	assert_int_equal(redis_check_reply(":42\r\n", 5, &type, &why), 0);
	assert_int_equal(type, 3);
	assert_int_equal(redis_check_reply("$5\r\nhel", 8, &type, &why), HR_E_UNAVAILABLE); // more to come
	// 17 bytes that made hiredis calloc 16 GiB and spend seconds freeing it.
	assert_int_equal(redis_check_reply("*2147483647\r\n", 13, &type, &why), HR_E_PROTOCOL);
	assert_string_equal(why, "an array, which no command sent here answers with");
	assert_int_equal(redis_check_reply("*0\r\n", 4, &type, &why), HR_E_PROTOCOL);
	// A bulk length past the cap is refused, even one that overflows.
	assert_int_equal(redis_check_reply("$9223372036854775807\r\nabc\r\n", 28, &type, &why), HR_E_UNAVAILABLE);
	assert_int_equal(redis_check_reply("+OK\r\n+OK\r\n", 10, &type, &why), HR_E_PROTOCOL);
	assert_string_equal(why, "more than one reply");
	assert_int_equal(redis_check_reply("!x\r\n", 4, &type, &why), HR_E_PROTOCOL);
	char *big = xcalloc(1, REDIS_REPLY_MAX + 16);
	int hl = snprintf(big, 32, "$%u\r\n", REDIS_REPLY_MAX + 1);
	memset(big + hl, 'x', REDIS_REPLY_MAX + 1);
	assert_int_equal(redis_check_reply(big, (size_t)hl + REDIS_REPLY_MAX + 3, &type, &why), HR_E_TOO_LARGE);
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prom_instant),
		cmocka_unit_test(test_prom_labels_escaped),
		cmocka_unit_test(test_prom_range), cmocka_unit_test(test_prom_no_value_and_caps), cmocka_unit_test(test_prom_not_finite),
		cmocka_unit_test(test_redis_info_url), cmocka_unit_test(test_redis_reply_bounds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
