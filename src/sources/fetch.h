/* fetch.h - one HTTP request with libcurl, the reply capped in size.
 *
 * Shared by the prometheus and http sources and the agent's webhook. Replies
 * are untrusted: the body is kept up to a cap (curl dynbuf's "toobig"), and
 * the header section up to FETCH_MAX_HEADERS, past which the transfer is
 * aborted with HR_E_TOO_LARGE; the timeout covers the whole transfer. No
 * compressed encoding is asked for, so the cap is on what is held. */
#ifndef HR_FETCH_H
#define HR_FETCH_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"
#include "util/strbuf.h"

/** Default cap on a reply body. */
#define FETCH_MAX_BODY (8u << 20)
/** Cap on a reply's header section (status line and every header). */
#define FETCH_MAX_HEADERS (64u << 10)

/** How to make the request. */
struct fetch_opts {
	double timeout_s;        /**< whole transfer, connection included */
	const char *user;        /**< basic auth user, or NULL */
	const char *password;    /**< basic auth password, or NULL */
	const char *token;       /**< bearer token, or NULL */
	const char *post_json;   /**< POST this JSON body instead of a GET, or NULL */
	size_t max_body;         /**< cap on the reply body; 0 = FETCH_MAX_BODY */
	bool keep_body;          /**< keep the body in the result (else only count it) */
	bool secret_url;         /**< the URL is a secret (a webhook): messages name only its origin */
};

/** What came back. */
struct fetch_result {
	long status;         /**< HTTP status, 0 when there was no reply */
	double total_s;      /**< time of the whole transfer */
	struct strbuf body;  /**< the body when keep_body (owned; strbuf_free) */
};

/** A reusable client (keeps connections alive between requests). Opaque. */
struct fetch;

/** A new client; free with fetch_free(). */
struct fetch *fetch_new(void);
/** Free a client. NULL is a no-op. */
void fetch_free(struct fetch *f);

/**
 * Make one request.
 * @param res filled (res->body initialised here; free it with strbuf_free()).
 * @param err on failure a one-line reason (curl's, or the cap).
 * @return 0 when a reply came (any status); HR_E_TOO_LARGE; HR_E_TIMEOUT;
 *         HR_E_UNAVAILABLE when no reply came.
 */
HR_NODISCARD int fetch_url(struct fetch *f, const char *url, const struct fetch_opts *opts,
			   struct fetch_result *res, struct strbuf *err);

/**
 * Abort the request running on @p f now, and every later one (the client is
 * being closed). Safe from another thread; the transfer ends within about a
 * second (libcurl's progress callback), with HR_E_TIMEOUT.
 */
void fetch_cancel(struct fetch *f);

/**
 * Abort requests while *stop is non-zero (a signal handler's flag: the
 * agent's webhook stops on SIGTERM). NULL: never.
 */
void fetch_stop_on(struct fetch *f, const volatile sig_atomic_t *stop);

/** URL-encode a query parameter value. Caller frees the result. */
char *fetch_escape(struct fetch *f, const char *s);

#endif
