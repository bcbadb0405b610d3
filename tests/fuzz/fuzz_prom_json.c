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
	(void)prom_parse_instant((const char *)data, size, "m", "p", &out, &err);
	struct series s = {0};
	(void)prom_parse_range((const char *)data, size, "m", "m{instance=\"a\"}", &s, &err);
	series_free(&s);
	sample_set_free(&out);
	strbuf_free(&err);
	return 0;
}
