/* libFuzzer target for the bench HTTP response parser (src/loadgen/http.h).
 * The first input byte chooses where to split the rest into two feeds and
 * whether the request was HEAD, so partial reads are fuzzed too. Checks the
 * parser's promises: it never consumes more than it was given, a completed
 * message does not change on further input, and counters stay in range. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "loadgen/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	bool head = data[0] & 1;
	size_t len = size - 1;
	const char *in = (const char *)data + 1;
	size_t cut = len ? (size_t)(data[0] >> 1) % (len + 1) : 0;

	struct http_resp p;
	http_resp_init(&p, head);
	size_t used = 0, total = 0;
	int rc = http_resp_feed(&p, in, cut, &used);
	if (used > cut)
		abort();
	total += used;
	if (rc == HTTP_MORE) {
		rc = http_resp_feed(&p, in + cut, len - cut, &used);
		if (used > len - cut)
			abort();
		total += used;
		if (rc == HTTP_MORE)
			rc = http_resp_eof(&p);
	}
	if (total > len)
		abort();
	if (rc == HTTP_DONE) {
		if (p.status < 100 || p.status > 999 || p.body_bytes > len ||
		    p.header_bytes > HTTP_HEADER_MAX + 1 + len)
			abort();
		if (http_resp_eof(&p) != HTTP_DONE)
			abort();
	} else if (rc != HR_E_PROTOCOL && rc != HR_E_TOO_LARGE && rc != HTTP_MORE) {
		abort();
	}
	return 0;
}
