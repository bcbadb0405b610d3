/* autoscale.h - what the autoscaler shows: the decision document of
 * `headroom autoscale decide` (docs/autoscale.md), written into a buffer. */
#ifndef HR_RENDER_AUTOSCALE_H
#define HR_RENDER_AUTOSCALE_H

#include "model/scaling.h"
#include "util/strbuf.h"

/**
 * The decision as JSON: {"desired_replicas", "proposals": [{"metric",
 * "replicas", "utilization", "reason"}], "reason"}, two-space indent, keys in
 * that order, numbers with 12 significant digits, null where there is none.
 * @return 0, or HR_E_TOO_LARGE when out's cap is reached.
 */
HR_NODISCARD int render_decision_json(const struct scaling_spec *spec, const struct scaling_input *in,
				      const struct scaling_decision *d, struct strbuf *out);

#endif
