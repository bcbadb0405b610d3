/* fuzz_config.c - libFuzzer target for the config loader: YAML parsing
 * (libyaml into the node tree), the schema walk, units, ${VAR} expansion,
 * money conversion and the catalogue entries of `catalog:`. Any input must
 * give either a config or messages, never a crash, a leak or UB.
 *
 *   make fuzz FUZZ_SECONDS=600      (tests/fuzz/run.sh, seeded from examples/) */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "util/diag.h"
#include "util/strbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	// One fixed variable so ${HR_FUZZ} takes the expansion path too.
	setenv("HR_FUZZ", "fuzz-value", 0);
	struct strbuf msgs;
	strbuf_init(&msgs, 1 << 20);
	struct diag d;
	diag_init_mem(&d, &msgs);
	d.show_source = size & 1; // both message shapes, with and without the caret
	struct config *cfg = NULL;
	int rc = config_load_string("fuzz.yaml", (const char *)data, size, &d, &cfg);
	// A failed load must have said why; a successful one must have said nothing.
	if ((rc != 0) != (msgs.len != 0) || (rc == 0) != (cfg != NULL))
		abort();
	if (cfg) {
		// Exercise the located-message lookup on what was loaded.
		struct diag_loc loc = config_loc(cfg, "deployment.current.nodes[0].plan");
		(void)loc;
	}
	config_free(cfg);
	strbuf_free(&msgs);
	return 0;
}
