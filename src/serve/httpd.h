/* httpd.h - the agent's HTTP endpoints (libmicrohttpd), serving documents
 * that the sampling loop publishes.
 *
 * The server thread never computes anything: each round the loop renders
 * its documents (/metrics, /status, ...) and publishes them here; a request
 * gets a copy of the last published version, under a mutex. /healthz is
 * built in and open (a liveness probe needs no secret and learns nothing);
 * every other path needs the bearer token when one is set. */
#ifndef HR_SERVE_HTTPD_H
#define HR_SERVE_HTTPD_H

#include <stdbool.h>
#include <sys/socket.h>

#include "util/error.h"

/** The shortest bearer token served beyond loopback. A token is guessed by
 * trying them all: 16 random characters of hex (`openssl rand -hex 8`) are
 * 64 bits, 5.8 million years of guesses at 100,000 a second (a 16-character
 * b64token more); a 1-character one falls in 66 tries. */
#define HTTPD_TOKEN_MIN 16

/** How to serve. */
struct httpd_opts {
	const char *listen; /**< HOST:PORT or [V6]:PORT; "localhost" is 127.0.0.1 */
	const char *token;  /**< bearer token required on every path but /healthz; NULL = open */
};

/** A running server (opaque). */
struct httpd;

/**
 * Parse HOST:PORT or [V6]:PORT ("localhost" is 127.0.0.1).
 * @param loopback set when the address is a loopback one.
 * @param why on error, a static one-line reason.
 * @return 0 or HR_E_INVALID.
 */
HR_NODISCARD int httpd_parse_listen(const char *s, struct sockaddr_storage *ss, bool *loopback, const char **why);

/**
 * Would the agent serve on @p listen with @p token? The address parsed as
 * httpd_parse_listen() does, and one that is not loopback needs a token
 * (anyone on the network could read the metrics) of at least
 * HTTPD_TOKEN_MIN characters. httpd_start() and `validate` ask the same
 * question.
 * @param token NULL or "" when none is set.
 * @param why on refusal, a static one-line reason.
 * @return 0 or HR_E_INVALID.
 */
HR_NODISCARD int httpd_check_listen(const char *listen, const char *token, const char **why);

/**
 * Start serving on a thread of libmicrohttpd's.
 * @param out a new server; stop it with httpd_stop().
 * @param why on failure, a one-line reason (static or strerror's).
 * @return 0; HR_E_INVALID for a bad address, or a token shorter than
 *         HTTPD_TOKEN_MIN on an address that is not loopback; HR_E_IO when
 *         it cannot listen.
 */
HR_NODISCARD int httpd_start(const struct httpd_opts *o, struct httpd **out, const char **why);

/**
 * Publish a document: until the next publish of @p path, GET @p path answers
 * 200 with @p body (copied) and @p type. A path never published answers 503
 * "no sample yet" if it is declared with httpd_declare(), else 404.
 * @param path borrowed, must be static (a literal): it is kept.
 * @param body NULL withdraws the document (503 until the next publish).
 */
void httpd_publish(struct httpd *h, const char *path, const char *type, const char *body);

/** Declare a path the loop will publish (503 until it does). @p path must be static. */
void httpd_declare(struct httpd *h, const char *path);

/** Stop the server and free everything. NULL is a no-op. */
void httpd_stop(struct httpd *h);

#endif
