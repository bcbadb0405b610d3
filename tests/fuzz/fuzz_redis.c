/* libFuzzer target: Redis replies through the source's bounded RESP reader,
 * INFO text and redis:// URLs. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sources/redis.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct redis_info ri;
	// Results are ignored: only crashes, leaks and UB count. (gcc warns
	// on a (void) cast of a warn_unused_result call; the replay build is gcc.)
	int rc = 0;
	rc |= redis_parse_info((const char *)data, size, &ri);
	int type;
	const char *rwhy;
	rc |= redis_check_reply((const char *)data, size, &type, &rwhy);
	char *s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	struct redis_url u;
	const char *why;
	if (redis_parse_url(s, &u, &why) == 0)
		redis_url_free(&u);
	free(s);
	(void)rc;
	return 0;
}
