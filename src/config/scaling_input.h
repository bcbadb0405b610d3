/* scaling_input.h - the JSON document `headroom autoscale decide` reads
 * (docs/autoscale.md, "decide"), into model/scaling's structs.
 *
 * jansson parses (with duplicate keys rejected); this file checks the shape,
 * key by key, and reports the first problem as one line naming the JSON path
 * ("metrics[2].target_value: expected a number greater than 0") or, for a
 * syntax error, the line and column. Unknown keys are errors, as in the YAML
 * config. */
#ifndef HR_SCALING_INPUT_H
#define HR_SCALING_INPUT_H

#include <stddef.h>

#include "model/scaling.h"
#include "util/diag.h"
#include "util/error.h"

/** Largest document accepted (a decision input is a few KiB). */
#define SCALING_INPUT_MAX (4u << 20)

/** A parsed request. Owns everything it points to. */
struct scaling_request {
	struct scaling_spec spec;
	struct scaling_input in;            /**< metrics and replicas point into the arrays below */
	struct scaling_metric *metrics;     /**< owned, in.n_metrics of them */
	char **names;                       /**< owned metric names */
	struct scaling_replica *replicas;   /**< owned, in.n_replicas of them */
	struct scaling_state *state;        /**< owned history (large: on the heap) */
};

/**
 * Parse and check a request.
 * @param name what to call the input in messages ("stdin").
 * @param out filled on success; free with scaling_request_free().
 * @return 0; HR_E_INVALID after one message to d; HR_E_TOO_LARGE when longer
 *         than SCALING_INPUT_MAX.
 */
HR_NODISCARD int scaling_request_parse(const char *name, const char *text, size_t len, struct diag *d,
				       struct scaling_request *out);

/** Free a request's contents. NULL is a no-op. */
void scaling_request_free(struct scaling_request *r);

#endif
