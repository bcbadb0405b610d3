/* redact.h - take secrets out of text before it is printed, logged, stored
 * or posted.
 *
 * One function for every place a message can carry a credential: a
 * source's error (libpq and libcurl echo parts of what they were given), a
 * diagnostic's source line, the agent's log, /status, the store's
 * transitions table and the webhook body. It replaces, with "***":
 *
 *   - the password of URL userinfo, whatever the scheme:
 *     postgresql://app:s3cret@db/app -> postgresql://app:***@db/app. The
 *     userinfo ends at the last '@' before the path, so a password holding
 *     '@', '%', a space or ':' is covered whole;
 *   - the value of a KEY=VALUE pair (libpq's "host=db password=x", a query
 *     string "?token=x&"), and of a KEY: VALUE pair when KEY is quoted (JSON)
 *     or starts a line (YAML), where KEY ends in password, passwd, pwd,
 *     secret, token, apikey or api_key, any case; a quoted value is covered
 *     to its closing quote;
 *   - the credentials after "Bearer " or "Basic " (8 characters or more:
 *     shorter is a word of prose, "a bearer token");
 *   - every occurrence of each literal secret the caller knows (a configured
 *     password, a token, a webhook URL) of at least REDACT_MIN_LITERAL bytes.
 *
 * Written by hand: no library in the project's set does this. It is a
 * scanner over bytes, linear in the text, and never grows a message by more
 * than a few bytes per secret. */
#ifndef HR_REDACT_H
#define HR_REDACT_H

#include <stddef.h>

#include "util/error.h"
#include "util/strbuf.h"

/** What replaces a secret. */
#define REDACT_MASK "***"

/** Literal secrets shorter than this are not searched for (they would mask ordinary words). */
#define REDACT_MIN_LITERAL 4

/**
 * Append text to out with every secret replaced by REDACT_MASK.
 * @param text NUL-terminated; NULL appends nothing.
 * @param secrets literal secrets to mask wherever they occur, NULL terminated;
 *        may be NULL. Entries shorter than REDACT_MIN_LITERAL are ignored.
 * @return 0 or HR_E_TOO_LARGE (out's cap; out holds what fitted).
 */
HR_NODISCARD int redact_append(struct strbuf *out, const char *text, const char *const *secrets);

/**
 * Redact text into a new string.
 * @return a string the caller frees (never NULL; "" for NULL text).
 */
char *redact_dup(const char *text, const char *const *secrets);

/**
 * Redact a string in place. Masking never makes the text longer than
 * strlen(text) + 3 per secret, so the caller's buffer must have room for that;
 * use this only on buffers from redact-aware code (strbuf) - otherwise use
 * redact_dup().
 * @param buf NUL-terminated, of size n; the result is cut to fit n.
 */
void redact_inplace(char *buf, size_t n, const char *const *secrets);

/**
 * Write URL without what could be secret: scheme://host[:port], then a slash and the mask
 * when it had a path or query (a webhook URL's secret is its path).
 * @param buf receives the result, NUL-terminated; n > 0.
 * @return buf.
 */
char *redact_url_origin(const char *url, char *buf, size_t n);

#endif
