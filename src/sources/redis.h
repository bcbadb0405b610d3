/* redis.h - the parts of the Redis source exported for tests and fuzzing. */
#ifndef HR_REDIS_H
#define HR_REDIS_H

#include <stddef.h>

#include "util/error.h"

/** Fields of INFO headroom reads; NaN when absent. */
struct redis_info {
	double used_memory, maxmemory, evicted_keys, connected_clients, blocked_clients;
};

/**
 * Parse the text of an INFO reply ("key:value\r\n" lines, "# Section" headers).
 * @return 0, or HR_E_PROTOCOL when used_memory is missing or a value is not a number.
 */
HR_NODISCARD int redis_parse_info(const char *text, size_t len, struct redis_info *out);

/** Largest reply the source reads (bytes); INFO is about 5 KiB. */
#define REDIS_REPLY_MAX (512u << 10)

/**
 * Parse one reply from @p buf as the source does: hiredis' RESP reader with
 * bounded reply builders, which refuse any array (no command the source sends
 * answers with one; "*2147483647" would otherwise be a 16 GiB calloc) and any
 * string or input over REDIS_REPLY_MAX. For tests and the fuzz target.
 * @param type the reply's REDIS_REPLY_* type on success.
 * @param why a static reason on failure.
 * @return 0; HR_E_UNAVAILABLE when the reply is incomplete; HR_E_PROTOCOL;
 *         HR_E_TOO_LARGE.
 */
HR_NODISCARD int redis_check_reply(const char *buf, size_t len, int *type, const char **why);

/** A parsed redis:// URL. Strings are owned; free with redis_url_free(). */
struct redis_url {
	char *host;
	int port;
	char *password; /**< NULL when none */
	int db;
};

/**
 * Parse redis://[:PASSWORD@]HOST[:PORT][/DB] (the form redis-cli -u takes).
 * @return 0 or HR_E_INVALID with *why set to a static sentence.
 */
HR_NODISCARD int redis_parse_url(const char *url, struct redis_url *out, const char **why);

/** Free a parsed URL's strings. */
void redis_url_free(struct redis_url *u);

#endif
