/* libFuzzer target: Prometheus HTTP API replies (instant and range). */
#include <stddef.h>
#include <stdint.h>

#include "sources/prometheus.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sample_set out;
	sample_set_init(&out);
	struct strbuf err;
	strbuf_init(&err, 4096);
	// Results are ignored: only crashes, leaks and UB count. (gcc warns
	// on a (void) cast of a warn_unused_result call; the replay build is gcc.)
	int rc = 0;
	rc |= prom_parse_instant((const char *)data, size, "m", "p", &out, &err);
	struct series s = {0};
	rc |= prom_parse_range((const char *)data, size, "m", "m{instance=\"a\"}", &s, &err);
	series_free(&s);
	sample_set_free(&out);
	strbuf_free(&err);
	(void)rc;
	return 0;
}
