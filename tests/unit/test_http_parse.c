/* Unit tests for loadgen/http: a table of responses, each parsed whole, one
 * byte at a time, and split at every position; all three must agree. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loadgen/http.h"

struct tcase {
	const char *name;
	const char *in;
	bool head;
	int want;            /* HTTP_DONE, or an error code */
	bool needs_eof;      /* the message ends only at the connection close */
	int status;
	uint64_t body;
	bool keep_alive;
	size_t tail;         /* bytes after the message left unconsumed */
};

static const struct tcase cases[] = {
	{"content-length", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", false, HTTP_DONE,
	 false, 200, 5, true, 0},
	{"nginx-like", "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Sat, 22 Nov 2026 10:00:00 GMT\r\n"
		       "Content-Type: text/html\r\nContent-Length: 15\r\nConnection: keep-alive\r\n"
		       "ETag: \"1-f\"\r\nAccept-Ranges: bytes\r\n\r\nhello headroom\n",
	 false, HTTP_DONE, false, 200, 15, true, 0},
	{"zero length", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", false, HTTP_DONE, false, 200, 0,
	 true, 0},
	{"bare LF", "HTTP/1.1 404 Not Found\nContent-Length: 3\n\nabc", false, HTTP_DONE, false, 404, 3,
	 true, 0},
	{"no reason phrase", "HTTP/1.1 200\r\nContent-Length: 1\r\n\r\nx", false, HTTP_DONE, false, 200,
	 1, true, 0},
	{"connection close", "HTTP/1.1 503 Busy\r\nConnection: close\r\nContent-Length: 2\r\n\r\nno",
	 false, HTTP_DONE, false, 503, 2, false, 0},
	{"connection list", "HTTP/1.1 200 OK\r\nConnection: Upgrade, CLOSE\r\nContent-Length: 0\r\n\r\n",
	 false, HTTP_DONE, false, 200, 0, false, 0},
	{"http/1.0 default close", "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nhi", false, HTTP_DONE,
	 false, 200, 2, false, 0},
	{"http/1.0 keep-alive", "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nhi",
	 false, HTTP_DONE, false, 200, 2, true, 0},
	{"chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"
		    "1A;name=value\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\n\r\n",
	 false, HTTP_DONE, false, 200, 31, true, 0},
	{"chunked trailers", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n3\r\nabc\r\n"
			     "0\r\nX-Checksum: 1\r\nX-Other: 2\r\n\r\n",
	 false, HTTP_DONE, false, 200, 3, true, 0},
	{"chunked and length", "HTTP/1.1 200 OK\r\nContent-Length: 99\r\nTransfer-Encoding: chunked\r\n\r\n"
			       "2\r\nok\r\n0\r\n\r\n",
	 false, HTTP_DONE, false, 200, 2, false, 0},
	{"close delimited", "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end", false,
	 HTTP_DONE, true, 200, 13, false, 0},
	{"te not chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nzz", false, HTTP_DONE, true,
	 200, 2, false, 0},
	{"head has no body", "HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n", true, HTTP_DONE, false,
	 200, 0, true, 0},
	{"204 no body", "HTTP/1.1 204 No Content\r\n\r\n", false, HTTP_DONE, false, 204, 0, true, 0},
	{"304 no body", "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n", false, HTTP_DONE,
	 false, 304, 0, true, 0},
	{"100 continue", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok",
	 false, HTTP_DONE, false, 201, 2, true, 0},
	{"equal length list", "HTTP/1.1 200 OK\r\nContent-Length: 3, 3\r\n\r\nabc", false, HTTP_DONE,
	 false, 200, 3, true, 0},
	{"folded harmless header", "HTTP/1.1 200 OK\r\nX-A: one\r\n two\r\nContent-Length: 1\r\n\r\nz",
	 false, HTTP_DONE, false, 200, 1, true, 0},
	{"data after message", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nzHTTP/1.1", false, HTTP_DONE,
	 false, 200, 1, true, 8},
	/* errors */
	{"not http", "SSH-2.0-OpenSSH\r\n\r\n", false, HR_E_PROTOCOL, false, 0, 0, false, 0},
	{"http/2 status", "HTTP/2 200\r\n\r\n", false, HR_E_PROTOCOL, false, 0, 0, false, 0},
	{"bad status digits", "HTTP/1.1 2x0 OK\r\n\r\n", false, HR_E_PROTOCOL, false, 0, 0, false, 0},
	{"status too small", "HTTP/1.1 099 OK\r\n\r\n", false, HR_E_PROTOCOL, false, 0, 0, false, 0},
	{"101 upgrade", "HTTP/1.1 101 Switching\r\nUpgrade: websocket\r\n\r\n", false, HR_E_PROTOCOL,
	 false, 0, 0, false, 0},
	{"differing lengths", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
	 false, HR_E_PROTOCOL, false, 0, 0, false, 0},
	{"negative length", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", false, HR_E_PROTOCOL, false,
	 0, 0, false, 0},
	{"huge length", "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n", false,
	 HR_E_PROTOCOL, false, 0, 0, false, 0},
	{"space before colon", "HTTP/1.1 200 OK\r\nContent-Length : 1\r\n\r\nz", false, HR_E_PROTOCOL,
	 false, 0, 0, false, 0},
	{"no colon", "HTTP/1.1 200 OK\r\nbroken\r\n\r\n", false, HR_E_PROTOCOL, false, 0, 0, false, 0},
	{"folded framing header", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n 2\r\n\r\nz", false,
	 HR_E_PROTOCOL, false, 0, 0, false, 0},
	{"bad chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", false,
	 HR_E_PROTOCOL, false, 0, 0, false, 0},
	{"chunk without crlf", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokX\r\n", false,
	 HR_E_PROTOCOL, false, 0, 0, false, 0},
	{"chunk size overflow", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\n",
	 false, HR_E_PROTOCOL, false, 0, 0, false, 0},
};

/* Feed in pieces at the given split points; returns the result. */
static int feed_split(const struct tcase *c, const size_t *cuts, size_t ncuts, struct http_resp *p,
		      size_t *consumed)
{
	size_t len = strlen(c->in), at = 0;
	http_resp_init(p, c->head);
	*consumed = 0;
	for (size_t k = 0; k <= ncuts; k++) {
		size_t end = k < ncuts ? cuts[k] : len;
		size_t used = 0;
		int rc = http_resp_feed(p, c->in + at, end - at, &used);
		assert_true(used <= end - at);
		*consumed += used;
		if (rc != HTTP_MORE)
			return rc;
		assert_int_equal(used, end - at);
		at = end;
	}
	return c->needs_eof ? http_resp_eof(p) : HTTP_MORE;
}

static void check(const struct tcase *c, int rc, const struct http_resp *p, size_t consumed)
{
	if (rc != c->want)
		fail_msg("%s: got %d, want %d", c->name, rc, c->want);
	if (c->want != HTTP_DONE)
		return;
	if (p->status != c->status || p->body_bytes != c->body || p->keep_alive != c->keep_alive ||
	    consumed != strlen(c->in) - c->tail)
		fail_msg("%s: status %d body %llu keep %d consumed %zu", c->name, p->status,
			 (unsigned long long)p->body_bytes, p->keep_alive, consumed);
}

static void test_table_whole(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct http_resp p;
		size_t consumed;
		int rc = feed_split(&cases[i], NULL, 0, &p, &consumed);
		check(&cases[i], rc, &p, consumed);
	}
}

static void test_table_bytewise(void **state)
{
	(void)state;
	size_t cuts[512];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = strlen(cases[i].in);
		assert_true(len < 512);
		for (size_t k = 0; k + 1 < len; k++)
			cuts[k] = k + 1;
		struct http_resp p;
		size_t consumed;
		int rc = feed_split(&cases[i], cuts, len ? len - 1 : 0, &p, &consumed);
		check(&cases[i], rc, &p, consumed);
	}
}

static void test_table_every_split(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = strlen(cases[i].in);
		for (size_t a = 1; a < len; a++) {
			for (size_t b = a; b < len; b += 7) {
				size_t cuts[2] = {a, b};
				struct http_resp p;
				size_t consumed;
				int rc = feed_split(&cases[i], cuts, 2, &p, &consumed);
				check(&cases[i], rc, &p, consumed);
			}
		}
	}
}

static void test_truncated_is_error(void **state)
{
	(void)state;
	struct http_resp p;
	size_t used;
	const char *in = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc";
	http_resp_init(&p, false);
	assert_true(http_resp_untouched(&p));
	assert_int_equal(http_resp_feed(&p, in, strlen(in), &used), HTTP_MORE);
	assert_false(http_resp_untouched(&p));
	assert_int_equal(http_resp_eof(&p), HR_E_PROTOCOL);

	const char *ch = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel";
	http_resp_init(&p, false);
	assert_int_equal(http_resp_feed(&p, ch, strlen(ch), &used), HTTP_MORE);
	assert_int_equal(http_resp_eof(&p), HR_E_PROTOCOL);
}

/* Header sections are capped; one long harmless header is skipped. */
static void test_bounds(void **state)
{
	(void)state;
	struct http_resp p;
	size_t used;
	char *big = malloc(HTTP_HEADER_MAX + 100);
	const char *pre = "HTTP/1.1 200 OK\r\nX-Long: ";
	size_t n = strlen(pre);
	memcpy(big, pre, n);
	memset(big + n, 'a', 2000);
	memcpy(big + n + 2000, "\r\nContent-Length: 1\r\n\r\nz", 25);
	http_resp_init(&p, false);
	assert_int_equal(http_resp_feed(&p, big, n + 2000 + 24, &used), HTTP_DONE);
	assert_int_equal(p.body_bytes, 1);

	memset(big + n, 'a', HTTP_HEADER_MAX);
	http_resp_init(&p, false);
	assert_int_equal(http_resp_feed(&p, big, n + HTTP_HEADER_MAX, &used), HR_E_TOO_LARGE);

	/* An endless chunk-size line ends too. */
	const char *ch = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;";
	http_resp_init(&p, false);
	assert_int_equal(http_resp_feed(&p, ch, strlen(ch), &used), HTTP_MORE);
	memset(big, 'x', HTTP_HEADER_MAX);
	assert_int_equal(http_resp_feed(&p, big, HTTP_HEADER_MAX, &used), HR_E_TOO_LARGE);

	/* A long Content-Length line is an error, not a silent truncation. */
	memcpy(big, "HTTP/1.1 200 OK\r\nContent-Length: ", 33);
	memset(big + 33, '0', 400);
	memcpy(big + 433, "1\r\n\r\nz", 6);
	http_resp_init(&p, false);
	assert_int_equal(http_resp_feed(&p, big, 439, &used), HR_E_PROTOCOL);
	free(big);
}

/* A large body is counted without being looked at. */
static void test_large_body(void **state)
{
	(void)state;
	struct http_resp p;
	size_t used;
	const char *h = "HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n";
	char chunk[4096];
	memset(chunk, 'b', sizeof(chunk));
	http_resp_init(&p, false);
	assert_int_equal(http_resp_feed(&p, h, strlen(h), &used), HTTP_MORE);
	uint64_t left = 1000000;
	int rc = HTTP_MORE;
	while (left > 0) {
		size_t n = left < sizeof(chunk) ? (size_t)left : sizeof(chunk);
		rc = http_resp_feed(&p, chunk, n, &used);
		assert_int_equal(used, n);
		left -= n;
	}
	assert_int_equal(rc, HTTP_DONE);
	assert_int_equal(p.body_bytes, 1000000);
	assert_int_equal(p.header_bytes, strlen(h));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_whole),
		cmocka_unit_test(test_table_bytewise),
		cmocka_unit_test(test_table_every_split),
		cmocka_unit_test(test_truncated_is_error),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_large_body),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
