/* queue.h - what `headroom queue` prints: a solved M/M/c (or M/G/c) queue,
 * or the fewest servers for a response-time target, as text or JSON
 * (docs/queue.md has the schema). */
#ifndef HR_RENDER_QUEUE_H
#define HR_RENDER_QUEUE_H

#include <stdbool.h>

#include "model/queue.h"
#include "util/error.h"
#include "util/strbuf.h"

/** A queue answer to render; all borrowed. */
struct queue_report {
	const char *arrival, *service; /**< as the user typed them, for the heading */
	double lambda;                 /**< arrivals per second */
	double service_s;              /**< mean service time */
	double cv;                     /**< the service time's coefficient of variation (1 = M/M/c) */
	const struct queue_result *r;  /**< the solved queue; NULL when a target was not met */
	bool has_target;               /**< --target was asked */
	double q, target_s;            /**< the target: quantile and seconds */
	unsigned max_servers;          /**< the search's limit (target mode) */
	double one_less_s;             /**< the target percentile with one server fewer (inf: unstable; NaN: n/a) */
};

/** The text answer. @return 0 or HR_E_TOO_LARGE. */
HR_NODISCARD int queue_render_text(const struct queue_report *rep, struct strbuf *out);

/** The JSON answer (docs/queue.md). @return 0, HR_E_NOMEM or HR_E_TOO_LARGE. */
HR_NODISCARD int queue_render_json(const struct queue_report *rep, struct strbuf *out);

#endif
