/* libFuzzer target: the JSON document of `headroom autoscale decide`, and
 * the decision made from whatever it accepts (model/scaling must hold on any
 * input the parser lets through). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "config/scaling_input.h"
#include "model/scaling.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf msgs;
	strbuf_init(&msgs, 4096);
	struct diag d;
	diag_init_mem(&d, &msgs);
	struct scaling_request r;
	if (scaling_request_parse("fuzz", (const char *)data, size, &d, &r) == 0) {
		struct scaling_decision dec;
		if (scaling_decide(&r.spec, &r.in, r.state, &dec) == 0) {
			char buf[600];
			scaling_explain(&r.spec, &r.in, &dec, buf, sizeof(buf));
			for (unsigned i = 0; i < dec.n_props; i++)
				scaling_explain_proposal(&r.spec, &r.in, i, &dec.props[i], buf, sizeof(buf));
		}
	}
	scaling_request_free(&r);
	strbuf_free(&msgs);
	return 0;
}
