/* plan_md.h - the scaling-strategy document of `headroom plan --format md`
 * (and, through plan_html.h, of the HTML report): every number from the
 * model, nothing typed by hand.
 *
 * Sections: summary (today's stage and cost, the next change and when, what
 * dominates the cost), roadmap, charts (cost, utilisation, availability,
 * p95 against users), stages (architecture and cost breakdown), SLA tiers
 * and where the downtime comes from, triggers, what to do at each
 * milestone, assumptions (each config value given or defaulted) and the
 * prices used. docs/plan.md describes each. */
#ifndef HR_PLAN_MD_H
#define HR_PLAN_MD_H

#include <stdbool.h>
#include <stddef.h>

#include "model/availability.h"
#include "model/planner.h"
#include "render/doc.h"
#include "render/plan.h"
#include "util/error.h"
#include "util/strbuf.h"

/** Where a milestone's downtime comes from: the parts in series of its deployment. */
struct plan_doc_avail {
	size_t n;                                   /**< parts; 0 when not known (infeasible) */
	struct avail_part parts[PLANNER_AVAIL_PARTS]; /**< names borrowed (static) */
	struct avail_part_u eval[PLANNER_AVAIL_PARTS]; /**< each part evaluated: its causes' shares */
	double minutes[PLANNER_AVAIL_PARTS];        /**< downtime a month each part costs */
};

/** One value of the config the plan rests on. */
struct plan_doc_value {
	const char *path;        /**< "workload.requests[0].rate" */
	const char *text;        /**< as written, or the default as written */
	bool given;              /**< written in the config (false: defaulted) */
	const char *why_default; /**< where the default comes from, or NULL */
};

/** Everything the document shows; all borrowed. */
struct plan_doc_input {
	const struct plan_report *report;   /**< the milestones, the model, the config's name */
	const char *version;                /**< headroom's version, for the generator line */
	const double *months;               /**< per milestone: month the growth reaches it; NaN unknown, < 0 already past */
	const struct plan_doc_avail *avail; /**< per milestone */
	const struct plan_step *curve;      /**< plans at many user counts between the milestones, for the charts */
	size_t n_curve;
	const struct plan_step *today;      /**< the plan at workload.users, or NULL */
	const struct plan_step *then;       /**< the plan where today's breaks, or NULL */
	const struct trigger_rule *rules;   /**< the default policy merged with the config's triggers */
	const bool *rule_default;           /**< per rule: from the default policy untouched */
	size_t n_rules;
	const struct plan_doc_value *values; /**< the config's values (workload, components, ...) */
	size_t n_values;
};

/**
 * Build the document.
 * @param out a new document the caller frees with doc_free().
 * @return 0, or an error of svg_render() (a chart that cannot be drawn).
 */
HR_NODISCARD int plan_doc_build(const struct plan_doc_input *in, struct doc **out);

/**
 * The document as Markdown.
 * @param chart_prefix the charts' file names start with it, beside the
 *        Markdown ("scaling-" links scaling-cost.svg); NULL: no charts.
 * @param doc_out if not NULL, receives the document (the caller writes its
 *        charts with doc_chart_file() and frees it); else it is freed.
 * @return 0; an error of plan_doc_build(); HR_E_TOO_LARGE past out's cap.
 */
HR_NODISCARD int plan_render_md(const struct plan_doc_input *in, const char *chart_prefix, struct strbuf *out,
				struct doc **doc_out);

#endif
