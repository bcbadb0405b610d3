/* simulate.h - what `headroom simulate` prints: each policy's replay of the
 * trace side by side, as a text table or JSON (docs/simulate.md). */
#ifndef HR_RENDER_SIMULATE_H
#define HR_RENDER_SIMULATE_H

#include <stdbool.h>
#include <stddef.h>

#include "model/simulate.h"
#include "util/error.h"
#include "util/strbuf.h"

/** One policy's replay; all borrowed. */
struct sim_report_row {
	const char *label;             /**< as given: "static:12", "hpa", "policy.json" */
	const struct sim_policy *pol;
	const struct sim_result *res;
	const struct sim_series *series; /**< per tick (res->ticks of each), for the HTML charts; NULL: none */
};

/** The whole comparison; all borrowed. */
struct sim_report {
	const char *version;           /**< headroom's */
	const char *trace;             /**< the file */
	double start;                  /**< Unix time of the trace's first bucket */
	size_t buckets;                /**< rows of the trace */
	double peak_rps;               /**< the busiest bucket, requests/s after scaling */
	const struct sim_service *svc;
	const struct sim_params *p;
	const char *service_from;      /**< where the service model came from ("--service", "config x.yaml") */
	const char *currency;          /**< of the cost, or NULL when unpriced */
	double budget_minutes;         /**< minutes over the SLO a policy may spend (the error budget) */
	const struct sim_report_row *rows;
	size_t n_rows;
	long recommended;              /**< index of the recommended row, -1 none */
	const char *why;               /**< one sentence: why that one */
};

/**
 * The recommendation: the cheapest policy (replica-hours) within the error
 * budget; when none is within it, the one with the fewest minutes over.
 * @param why receives a static-format sentence (n bytes).
 * @return the row index, or -1 when there are no rows.
 */
long sim_report_recommend(const struct sim_report_row *rows, size_t n, double budget_minutes, char *why, size_t n_why);

/** The text report. @return 0 or HR_E_TOO_LARGE. */
HR_NODISCARD int sim_render_text(const struct sim_report *r, struct strbuf *out);

/**
 * One self-contained HTML page: the table and three charts over the
 * trace's time, each policy a line: the demand, the replicas running, the
 * p95 with the SLO line (docs/simulate.md). Each chart draws at most
 * SIM_CHART_POINTS points: a longer replay shows the highest value of each
 * run of ticks, so a peak is never averaged away.
 * @return 0, HR_E_INVALID (a row without series) or HR_E_TOO_LARGE.
 */
HR_NODISCARD int sim_render_html(const struct sim_report *r, struct strbuf *out);

/** Points a chart of the HTML report draws at most. */
#define SIM_CHART_POINTS 720

/** The JSON report (docs/simulate.md). @return 0, HR_E_NOMEM or HR_E_TOO_LARGE. */
HR_NODISCARD int sim_render_json(const struct sim_report *r, struct strbuf *out);

#endif
