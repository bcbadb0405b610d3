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
