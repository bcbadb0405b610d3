#include "render/simulate.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>

#include "render/jsondoc.h"
#include "render/table.h"
#include "util/units.h"

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
		const struct sim_result *x = r->rows[i].res;
		char rh[32], cost[48], mins[32], w[32], ev[16], rv[16], mx[16], label[96];
		snprintf(label, sizeof(label), "%s%s", r->rows[i].label, (long)i == r->recommended ? " *" : "");
		snprintf(rh, sizeof(rh), "%.1f", x->replica_hours);
		if (r->currency && isfinite(x->cost))
			units_fmt_money(x->cost, r->currency, cost, sizeof(cost));
		else
			snprintf(cost, sizeof(cost), "-");
		snprintf(mins, sizeof(mins), "%.1f", x->slo_violation_minutes);
		fmt_p95(x->worst_p95_s, w, sizeof(w));
		snprintf(ev, sizeof(ev), "%u", x->scale_events);
		snprintf(rv, sizeof(rv), "%u", x->reversals);
		snprintf(mx, sizeof(mx), "%d", x->max_replicas);
		table_add(t, label, rh, cost, mins, w, ev, rv, mx);
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
