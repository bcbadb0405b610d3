/* simulate.c - each policy's replay of a trace side by side: text table,
 * JSON, and the HTML page with its charts (see simulate.h). */
#include "render/simulate.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/doc.h"
#include "render/jsondoc.h"
#include "render/table.h"
#include "util/units.h"
#include "util/xalloc.h"

long sim_report_recommend(const struct sim_report_row *rows, size_t n, double budget_minutes, char *why, size_t n_why)
{
	long best = -1;
	for (size_t i = 0; i < n; i++) {
		const struct sim_result *r = rows[i].res;
		if (r->slo_violation_minutes > budget_minutes)
			continue;
		if (best < 0 || r->replica_hours < rows[best].res->replica_hours)
			best = (long)i;
	}
	if (best >= 0) {
		snprintf(why, n_why, "the fewest replica-hours of the policies within the error budget (%.4g min over the SLO)",
			 budget_minutes);
		return best;
	}
	for (size_t i = 0; i < n; i++) {
		const struct sim_result *r = rows[i].res;
		if (best < 0 || r->slo_violation_minutes < rows[best].res->slo_violation_minutes ||
		    (r->slo_violation_minutes == rows[best].res->slo_violation_minutes &&
		     r->replica_hours < rows[best].res->replica_hours))
			best = (long)i;
	}
	if (best >= 0)
		snprintf(why, n_why,
			 "no policy stays within the error budget (%.4g min over the SLO); this one misses it least: raise the "
			 "maximum replicas, shorten the start-up, or add capacity",
			 budget_minutes);
	return best;
}

static const char *fmt_p95(double s, char *buf, size_t n)
{
	if (isinf(s))
		snprintf(buf, n, "unbounded");
	else
		units_fmt_duration3(s, buf, n);
	return buf;
}

/* One policy's cells, as the text and HTML tables show them. */
struct row_cells {
	char label[96], rh[32], cost[48], mins[32], w[32], ev[16], rv[16], mx[16];
	const char *v[8];
};

static void row_cells(const struct sim_report *r, size_t i, const char *mark, struct row_cells *c)
{
	const struct sim_result *x = r->rows[i].res;
	snprintf(c->label, sizeof(c->label), "%s%s", r->rows[i].label, (long)i == r->recommended ? mark : "");
	snprintf(c->rh, sizeof(c->rh), "%.1f", x->replica_hours);
	if (r->currency && isfinite(x->cost))
		units_fmt_money(x->cost, r->currency, c->cost, sizeof(c->cost));
	else
		snprintf(c->cost, sizeof(c->cost), "-");
	snprintf(c->mins, sizeof(c->mins), "%.1f", x->slo_violation_minutes);
	fmt_p95(x->worst_p95_s, c->w, sizeof(c->w));
	snprintf(c->ev, sizeof(c->ev), "%u", x->scale_events);
	snprintf(c->rv, sizeof(c->rv), "%u", x->reversals);
	snprintf(c->mx, sizeof(c->mx), "%d", x->max_replicas);
	const char *v[8] = {c->label, c->rh, c->cost, c->mins, c->w, c->ev, c->rv, c->mx};
	memcpy(c->v, v, sizeof(v));
}

int sim_render_text(const struct sim_report *r, struct strbuf *out)
{
	char b1[64], b2[64], b3[64], b4[64], b5[64];
	const struct sim_params *p = r->p;
	const struct sim_service *s = r->svc;
	int rc = strbuf_printf(out, "# headroom %s simulate: %s\n", r->version, r->trace);
	if (!rc)
		rc = strbuf_printf(out, "trace: %zu buckets of %s, scale %.6g, busiest bucket %.4g req/s\n", r->buckets,
				   units_fmt_duration(p->bucket_s, b1, sizeof(b1)), p->scale, r->peak_rps);
	if (!rc)
		rc = strbuf_printf(out, "service (%s): %s per request (cv %.3g), %u at a time per replica\n",
				   r->service_from, units_fmt_duration3(s->service_s, b1, sizeof(b1)), s->cv,
				   s->concurrency);
	if (!rc)
		rc = strbuf_printf(out, "SLO p95 <= %s; start-up %s, sync %s, metric lag %s; ticks of %s\n\n",
				   units_fmt_duration3(p->slo_p95_s, b1, sizeof(b1)),
				   units_fmt_duration(p->startup_s, b2, sizeof(b2)), units_fmt_duration(p->sync_s, b3, sizeof(b3)),
				   units_fmt_duration(p->metric_lag_s, b4, sizeof(b4)),
				   units_fmt_duration(r->n_rows ? r->rows[0].res->dt : p->bucket_s, b5, sizeof(b5)));
	if (rc)
		return rc;
	static const char *const head[] = {"policy", "replica-hours", "cost", "min over SLO", "worst p95",
					   "scale events", "reversals", "peak replicas"};
	struct table *t = table_new(8, head);
	for (size_t c = 1; c < 8; c++)
		table_align_right(t, c);
	for (size_t i = 0; i < r->n_rows; i++) {
		struct row_cells c;
		row_cells(r, i, " *", &c);
		table_add_row(t, c.v);
	}
	rc = table_render(t, out);
	table_free(t);
	if (!rc && r->recommended >= 0)
		rc = strbuf_printf(out, "\n* recommended: %s, %s.\n", r->rows[r->recommended].label, r->why);
	return rc;
}

int sim_render_json(const struct sim_report *r, struct strbuf *out)
{
	const struct sim_params *p = r->p;
	json_t *root = json_object();
	json_object_set_new(root, "headroom", json_string(r->version));
	json_object_set_new(root, "trace",
			    json_pack("{s:s, s:I, s:I, s:f, s:f, s:f, s:o}", "file", r->trace, "buckets",
				      (json_int_t)r->buckets, "steps",
				      (json_int_t)(r->n_rows ? r->rows[0].res->ticks : 0), "step_s",
				      r->n_rows ? r->rows[0].res->dt : p->bucket_s, "bucket_s", p->bucket_s, "scale",
				      p->scale, "peak_rps", jsondoc_num(r->peak_rps)));
	json_object_set_new(root, "service",
			    json_pack("{s:s, s:f, s:f, s:I, s:o, s:o}", "from", r->service_from, "service_s",
				      r->svc->service_s, "cv", r->svc->cv, "concurrency", (json_int_t)r->svc->concurrency,
				      "cpu_s", jsondoc_num(r->svc->cpu_s > 0 ? r->svc->cpu_s : r->svc->service_s),
				      "cores", jsondoc_num(r->svc->cores > 0 ? r->svc->cores : r->svc->concurrency)));
	json_object_set_new(root, "params",
			    json_pack("{s:f, s:f, s:f, s:f, s:f, s:o, s:o}", "slo_p95_s", p->slo_p95_s, "startup_s",
				      p->startup_s, "sync_s", p->sync_s, "metric_lag_s", p->metric_lag_s, "season_s",
				      p->season_s, "price_replica_hour", jsondoc_num(p->price_hour), "budget_minutes",
				      jsondoc_num(r->budget_minutes)));
	json_object_set_new(root, "currency", jsondoc_str(r->currency));
	json_t *arr = json_array();
	for (size_t i = 0; i < r->n_rows; i++) {
		const struct sim_result *x = r->rows[i].res;
		json_t *o = json_object();
		json_object_set_new(o, "policy", json_string(r->rows[i].label));
		json_object_set_new(o, "kind", json_string(sim_policy_name(r->rows[i].pol->kind)));
		json_object_set_new(o, "replica_hours", json_real(x->replica_hours));
		json_object_set_new(o, "cost", r->currency ? jsondoc_num(x->cost) : json_null());
		json_object_set_new(o, "slo_violation_minutes", json_real(x->slo_violation_minutes));
		json_object_set_new(o, "worst_p95_s", jsondoc_num(x->worst_p95_s));
		json_object_set_new(o, "scale_events", json_integer(x->scale_events));
		json_object_set_new(o, "reversals", json_integer(x->reversals));
		json_object_set_new(o, "max_replicas", json_integer(x->max_replicas));
		json_object_set_new(o, "recommended", json_boolean((long)i == r->recommended));
		json_array_append_new(arr, o);
	}
	json_object_set_new(root, "policies", arr);
	json_object_set_new(root, "recommended",
			    r->recommended >= 0 ? json_pack("{s:s, s:s}", "policy", r->rows[r->recommended].label, "why",
							    r->why)
						: json_null());
	return jsondoc_render(root, out);
}

/* The highest finite value of each run of ticks, so a chart of a long replay
 * keeps its peaks: @p n ticks -> @p m points (m <= n). A run with an
 * unbounded value (no replica ready) or no finite one is a gap. */
static void peaks(const double *v, size_t n, double *out, size_t m)
{
	for (size_t k = 0; k < m; k++) {
		size_t a = k * n / m, b = (k + 1) * n / m;
		double hi = NAN;
		bool unbounded = false;
		for (size_t i = a; i < b; i++) {
			if (isinf(v[i]))
				unbounded = true;
			else if (isfinite(v[i]) && !(v[i] <= hi))
				hi = v[i];
		}
		out[k] = unbounded ? NAN : hi;
	}
}

int sim_render_html(const struct sim_report *r, struct strbuf *out)
{
	if (r->n_rows == 0)
		return HR_E_INVALID;
	size_t ticks = r->rows[0].res->ticks;
	for (size_t i = 0; i < r->n_rows; i++)
		if (!r->rows[i].series || !r->rows[i].series->replicas || !r->rows[i].series->p95_s ||
		    r->rows[i].res->ticks != ticks)
			return HR_E_INVALID;
	const struct sim_params *p = r->p;
	size_t m = ticks < SIM_CHART_POINTS ? ticks : SIM_CHART_POINTS;
	double dt = r->rows[0].res->dt;
	double *x = xcalloc(m + 1, sizeof(double)), *tmp = xcalloc(ticks + 1, sizeof(double));
	double *demand = xcalloc(m + 1, sizeof(double));
	double *ys = xcalloc((m + 1) * (2 * r->n_rows), sizeof(double));
	struct svg_series *ser = xcalloc(r->n_rows + 1, sizeof(*ser));
	for (size_t k = 0; k < m; k++)
		x[k] = r->start + (double)(k * ticks / m) * dt;
	/* Demand: the same for every policy. */
	if (r->rows[0].series->demand)
		peaks(r->rows[0].series->demand, ticks, demand, m);
	for (size_t i = 0; i < r->n_rows; i++) {
		for (size_t t = 0; t < ticks; t++)
			tmp[t] = r->rows[i].series->replicas[t];
		peaks(tmp, ticks, ys + (2 * i) * m, m);
		peaks(r->rows[i].series->p95_s, ticks, ys + (2 * i + 1) * m, m);
	}

	struct doc *d = doc_new();
	char b1[64], b2[64], b3[64], b4[64], b5[64], gen[300];
	doc_heading(d, 1, NULL, "Scaling policies replayed on a trace");
	snprintf(gen, sizeof(gen), "headroom %s simulate, trace %s", r->version, r->trace);
	doc_note(d);
	doc_textf(d, "Generated by headroom %s from the trace ", r->version);
	doc_code(d, r->trace);
	doc_textf(d, " (%zu buckets of %s, scale %.6g, busiest %.4g req/s).", r->buckets,
		  units_fmt_duration(p->bucket_s, b1, sizeof(b1)), p->scale, r->peak_rps);
	doc_para(d);
	doc_textf(d, "Service (%s): %s per request (cv %.3g), %u at a time per replica. SLO p95 <= %s; start-up %s, sync %s, metric lag %s.",
		  r->service_from, units_fmt_duration3(r->svc->service_s, b1, sizeof(b1)), r->svc->cv, r->svc->concurrency,
		  units_fmt_duration3(p->slo_p95_s, b2, sizeof(b2)), units_fmt_duration(p->startup_s, b3, sizeof(b3)),
		  units_fmt_duration(p->sync_s, b4, sizeof(b4)), units_fmt_duration(p->metric_lag_s, b5, sizeof(b5)));
	doc_heading(d, 2, "policies", "Policies");
	static const char *const head[] = {"Policy", "Replica-hours", "Cost", "Minutes over SLO", "Worst p95",
					   "Scale events", "Reversals", "Peak replicas"};
	static const bool right[] = {false, true, true, true, true, true, true, true};
	doc_table(d, 8, head, right);
	for (size_t i = 0; i < r->n_rows; i++) {
		struct row_cells c;
		row_cells(r, i, " (recommended)", &c);
		doc_row(d, c.v);
	}
	if (r->recommended >= 0) {
		doc_para(d);
		doc_strong(d, "Recommended: ");
		doc_code(d, r->rows[r->recommended].label);
		doc_textf(d, ", %s.", r->why);
	}
	doc_heading(d, 2, "charts", "Over the trace");
	doc_note(d);
	doc_textf(d, "Each point is the highest value of %zu tick%s of %s. Hover a point for its figures.", ticks / m,
		  ticks / m == 1 ? "" : "s", units_fmt_duration(dt, b1, sizeof(b1)));
	for (size_t i = 0; i < r->n_rows; i++) {
		ser[i].name = r->rows[i].label;
		ser[i].color = (unsigned)i;
	}
	int rc = 0;
	struct svg_series dem = {.name = "demand", .y = demand, .color = 0};
	struct svg_chart c = {
		.title = "Demand (requests per second)", .kind = SVG_LINES, .x = x, .n = m,
		.xa = {"Time (UTC)", SVG_TIME, NAN, NAN, false, NULL, NULL},
		.ya = {"Requests/s", SVG_LINEAR, NAN, NAN, true, NULL, NULL},
		.series = &dem, .n_series = 1,
	};
	rc = doc_chart(d, "demand", &c, gen);
	for (size_t i = 0; i < r->n_rows; i++)
		ser[i].y = ys + (2 * i) * m;
	c.title = "Replicas running";
	c.ya = (struct svg_axis){"Replicas", SVG_LINEAR, NAN, NAN, true, NULL, NULL};
	c.series = ser;
	c.n_series = r->n_rows;
	if (!rc)
		rc = doc_chart(d, "replicas", &c, gen);
	for (size_t i = 0; i < r->n_rows; i++)
		ser[i].y = ys + (2 * i + 1) * m;
	struct svg_rule slo = {.y = p->slo_p95_s, .label = "SLO", .kind = SVG_RULE_TARGET};
	c.title = "p95 latency (gaps: no replica ready)";
	c.ya = (struct svg_axis){"p95", SVG_LOG, NAN, NAN, false, svg_fmt_duration, NULL};
	c.rules = &slo;
	c.n_rules = 1;
	if (!rc)
		rc = doc_chart(d, "p95", &c, gen);
	if (!rc) {
		char title[300];
		snprintf(title, sizeof(title), "Scaling policies on %s (headroom)", r->trace);
		snprintf(gen, sizeof(gen), "headroom %s", r->version);
		rc = doc_render_html(d, title, gen, NULL, out);
	}
	doc_free(d);
	free(x), free(tmp), free(demand), free(ys), free(ser);
	return rc;
}
