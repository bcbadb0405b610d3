/* libFuzzer target: Redis INFO replies and redis:// URLs. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sources/redis.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct redis_info ri;
	(void)redis_parse_info((const char *)data, size, &ri);
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
	return 0;
}
