/* plan.h - the roadmap of `headroom plan` as a terminal table or JSON.
 *
 * The JSON shape is documented in docs/plan.md and checked by
 * docs/plan.schema.json; numbers are in base units (seconds, bytes, ratios
 * 0-1, money per month in `currency`). */
#ifndef HR_OUT_PLAN_H
#define HR_OUT_PLAN_H

#include <stddef.h>

#include "model/planner.h"
#include "util/error.h"
#include "util/strbuf.h"

/** Most notes a report carries. */
#define PLAN_MAX_NOTES 4

/** What a rendering needs; all borrowed. */
struct plan_report {
	const char *source;                /**< config path, for the heading */
	const char *currency;              /**< ISO code of every amount */
	const struct planner_input *in;    /**< the model that was planned */
	const struct plan_step *steps;     /**< one per milestone */
	size_t n_steps;
	const struct plan_current *current;     /**< what runs today, or NULL */
	const struct plan_dedicated *dedicated; /**< the dedicated stack, or NULL */
	const char *notes[PLAN_MAX_NOTES];      /**< sentences about the milestones themselves */
	size_t n_notes;
};

/**
 * The roadmap table, then one paragraph of reasons per milestone.
 * @return 0, or HR_E_TOO_LARGE when out's cap is reached.
 */
HR_NODISCARD int plan_render_text(const struct plan_report *r, struct strbuf *out);

/**
 * The plan as one JSON document (a trailing newline included).
 * @return 0; HR_E_NOMEM when jansson cannot allocate; HR_E_TOO_LARGE past out's cap.
 */
HR_NODISCARD int plan_render_json(const struct plan_report *r, struct strbuf *out);

/** Name of a stage template: "single", "single+ops", "split", "ha", "cluster". */
const char *plan_stage_name(enum stage_kind s);

/** A candidate's nodes on one line: "2×cx22 + db 2×cx32 + lb", "1×cx22 + db do-pg-1gb",
 *  "3×cx42 + db 2×cx42 + 2 replicas + pgbouncer + redis sentinel + workers 2×cx32 + lb". */
void plan_nodes_text(const struct plan_candidate *c, char *buf, size_t n);

struct json_t;
/** A candidate as JSON {stage, nodes [{role, plan, provider, count, ...}], total}; a new reference. */
struct json_t *plan_summary_json(const struct plan_candidate *c);

#endif
