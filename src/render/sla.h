/* sla.h - what `headroom sla` prints: a target's downtime budget, and the
 * availability of parts in series with the downtime each part and cause
 * costs and the arithmetic behind it, as text or JSON (docs/sla.md). */
#ifndef HR_RENDER_SLA_H
#define HR_RENDER_SLA_H

#include <stdbool.h>
#include <stddef.h>

#include "model/availability.h"
#include "util/error.h"
#include "util/strbuf.h"

/** One part of a composition, as the user gave it; all borrowed. */
struct sla_item {
	const struct avail_part *part;
	const struct avail_part_u *eval; /**< the part, evaluated (avail_compose) */
	const double *members;           /**< a --parallel group of unlike units: each availability; NULL otherwise */
	size_t n_members;
};

/** A composition to render; all borrowed. */
struct sla_report {
	const struct sla_item *items;
	size_t n;                 /**< 0: a bare target */
	double total_u;           /**< the composition's unavailability */
	bool has_target;
	double target;            /**< availability asked for */
	bool promisable;          /**< false: the deployment cannot promise any objective (no monitoring) */
	const char *why_not;      /**< when !promisable: why, one sentence */
	const char *stage;        /**< -f: the configured stage's name; NULL for flags */
};

/** The text answer. @return 0 or HR_E_TOO_LARGE. */
HR_NODISCARD int sla_render_text(const struct sla_report *r, struct strbuf *out);

/** The JSON answer (docs/sla.md). @return 0, HR_E_NOMEM or HR_E_TOO_LARGE. */
HR_NODISCARD int sla_render_json(const struct sla_report *r, struct strbuf *out);

/**
 * An availability as a percentage with enough digits to show the
 * unavailability u to about three figures: 99.84%, 99.9997%, 99.99823%.
 * @return buf.
 */
const char *sla_fmt_avail(double u, char *buf, size_t n);

/** Does the composition meet the target (and may it promise one at all)? */
bool sla_met(const struct sla_report *r);

#endif
