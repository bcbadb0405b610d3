/* http.h - an incremental HTTP/1.1 response parser for the load generator.
 *
 * The generator reads into one buffer per thread and hands every read to
 * http_resp_feed(); the parser keeps only a small state per connection (no
 * copy of the response), so input may be split anywhere, even inside a CRLF.
 * It frames the message as RFC 9112 section 6.3 says, in this order:
 *   - interim 1xx responses (except 101) are skipped;
 *   - a reply to HEAD, and 1xx/204/304 replies, have no body;
 *   - Transfer-Encoding ending in "chunked": chunked (trailers skipped);
 *     any other Transfer-Encoding: the body runs to the connection close;
 *   - Content-Length: that many bytes (a list of equal values is allowed,
 *     differing values are an error);
 *   - otherwise the body runs to the connection close.
 * Bodies are counted, not kept. Everything is bounded: one line keeps at
 * most HTTP_LINE_MAX bytes (a longer header is skipped unless its value is
 * needed for framing, then it is an error) and the header section at most
 * HTTP_HEADER_MAX bytes (so may the trailers, and any single line).
 *
 * Header and body are accepted with bare LF line ends too (RFC 9112 2.2
 * allows a recipient to). Obsolete line folding is tolerated on headers that
 * do not frame the message, and an error on those that do. */
#ifndef HR_BENCH_HTTP_H
#define HR_BENCH_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

/** Bytes of one header line kept; longer lines are skipped when harmless. */
#define HTTP_LINE_MAX 256
/** Bytes the status line and header section may take in total. */
#define HTTP_HEADER_MAX (64 * 1024)

/** http_resp_feed() result: the message is complete. */
#define HTTP_DONE 1
/** http_resp_feed() result: all input consumed, more is needed. */
#define HTTP_MORE 0

/**
 * Parser state for one response. Embed it in the connection and call
 * http_resp_init() before each response; the result fields are valid once
 * http_resp_feed() or http_resp_eof() returned HTTP_DONE. The other fields
 * are private.
 */
struct http_resp {
	/* results */
	int status;            /**< final status code, 100..999 */
	int version_minor;     /**< 0 for HTTP/1.0, 1 for HTTP/1.1 */
	bool keep_alive;       /**< the connection may carry another request */
	bool body_to_close;    /**< the body was delimited by the connection close */
	bool chunked;          /**< the body was chunked */
	uint64_t header_bytes; /**< status line, headers and trailers, interim responses included */
	uint64_t body_bytes;   /**< payload bytes (chunk data, without framing) */
	/* private */
	int state;
	bool head;
	bool has_length;
	bool conn_close, conn_keep;
	bool te_present;
	bool last_framing;     /* the previous header line framed the message */
	uint64_t length;
	uint64_t remaining;
	size_t line_len;       /* bytes of the current line seen so far */
	char line[HTTP_LINE_MAX];
};

/**
 * Prepare @p p for the next response.
 * @param head_request the request was HEAD (its response has no body).
 */
void http_resp_init(struct http_resp *p, bool head_request);

/**
 * Feed received bytes.
 * @param buf, len the bytes (borrowed; not kept).
 * @param used set to the bytes consumed: all of them for HTTP_MORE; up to the
 *        end of the message for HTTP_DONE (the rest belongs to whatever
 *        follows, which a one-request-at-a-time client treats as an error).
 * @return HTTP_MORE, HTTP_DONE, HR_E_PROTOCOL for a malformed response, or
 *         HR_E_TOO_LARGE when the header section passes HTTP_HEADER_MAX.
 */
HR_NODISCARD int http_resp_feed(struct http_resp *p, const char *buf, size_t len, size_t *used);

/**
 * The peer closed the connection.
 * @return HTTP_DONE when that ends a close-delimited body; HR_E_PROTOCOL when
 *         the response is cut short.
 */
HR_NODISCARD int http_resp_eof(struct http_resp *p);

/** True while nothing of the response has been fed yet. */
bool http_resp_untouched(const struct http_resp *p);

#endif
