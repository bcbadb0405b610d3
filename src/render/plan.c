/* plan.c - render a plan as text or JSON (see plan.h). */
#include "render/plan.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/availability.h"
#include "render/table.h"
#include "util/units.h"

static const char *const stage_names[STAGE_COUNT] = {"single", "single+ops", "split", "ha", "cluster"};

const char *plan_stage_name(enum stage_kind s)
{
	return s < STAGE_COUNT ? stage_names[s] : "?";
}

void plan_nodes_text(const struct plan_candidate *c, char *buf, size_t n)
{
	const struct plan_shape *s = &c->shape;
	int k = snprintf(buf, n, "%u\xC3\x97%s", s->n_app, s->app ? s->app->name : "?");
	if (k < 0 || (size_t)k >= n)
		return;
	size_t used = (size_t)k;
	if (s->db_node)
		k = snprintf(buf + used, n - used, " + db %u\xC3\x97%s", s->n_db, s->db_node->name);
	else if (s->managed_db)
		k = snprintf(buf + used, n - used, " + db %s", s->managed_db->name);
	else
		k = 0;
	if (k < 0 || (size_t)k >= n - used)
		return;
	used += (size_t)k;
	if (s->managed_cache) {
		k = snprintf(buf + used, n - used, " + cache %s", s->managed_cache->name);
		if (k < 0 || (size_t)k >= n - used)
			return;
		used += (size_t)k;
	}
	if (c->lb)
		snprintf(buf + used, n - used, " + lb");
}

static const char *money(double v, const char *cur, char *buf, size_t n)
{
	return units_fmt_money(v, cur, buf, n);
}

static void pct(double ratio, char *buf, size_t n)
{
	if (!isfinite(ratio))
		snprintf(buf, n, "-");
	else if (ratio >= 0.9995 && ratio < 1)
		snprintf(buf, n, "%.3f%%", ratio * 100);
	else
		snprintf(buf, n, "%.0f%%", ratio * 100);
}

static void avail_text(double a, char *buf, size_t n)
{
	snprintf(buf, n, "%.3f%%", a * 100);
}

/* Why a candidate fails, in words: "cpu 85% > 70%". */
static void fail_text(const struct plan_candidate *c, char *buf, size_t n)
{
	enum plan_res r = c->fail;
	char a[32], b[32];
	if (r == PRES_AVAILABILITY && !c->monitored) {
		avail_text(c->limit[r], b, sizeof(b));
		snprintf(buf, n, "availability: without monitoring and backups a single node cannot promise %s", b);
	} else if (r == PRES_AVAILABILITY) {
		avail_text(c->util[r], a, sizeof(a));
		avail_text(c->limit[r], b, sizeof(b));
		snprintf(buf, n, "availability %s < %s", a, b);
	} else if (r == PRES_P95) {
		units_fmt_duration(c->util[r], a, sizeof(a));
		units_fmt_duration(c->limit[r], b, sizeof(b));
		snprintf(buf, n, "p95 %s > %s", a, b);
	} else {
		pct(c->util[r], a, sizeof(a));
		pct(c->limit[r], b, sizeof(b));
		snprintf(buf, n, "%s %s > %s", planner_res_name(r), a, b);
	}
}

static void p95_text(double p, char *buf, size_t n)
{
	if (isnan(p))
		snprintf(buf, n, "-");
	else
		units_fmt_duration(p, buf, n);
}

static int table_part(const struct plan_report *r, struct strbuf *out)
{
	static const char *const h[] = {"users", "stage", "nodes", "infra", "external", "total",
					"bottleneck", "p95", "SLA"};
	struct table *t = table_new(9, h);
	table_align_right(t, 0);
	for (size_t c = 3; c <= 5; c++)
		table_align_right(t, c);
	table_align_right(t, 7);
	table_align_right(t, 8);
	const char *cur = r->currency;
	for (size_t i = 0; i < r->n_steps; i++) {
		const struct plan_step *s = &r->steps[i];
		char users[32], nodes[160], infra[32], ext[32], total[32], bott[64], p95[32], sla[32];
		snprintf(users, sizeof(users), "%.0f", s->users);
		if (!s->feasible) {
			money(s->demand.ext_cost_month, cur, ext, sizeof(ext));
			table_add(t, users, "infeasible", "-", "-", ext, "-", "see below", "-", "-");
			continue;
		}
		const struct plan_candidate *b = &s->best;
		plan_nodes_text(b, nodes, sizeof(nodes));
		money(b->cost.infra, cur, infra, sizeof(infra));
		money(b->cost.external, cur, ext, sizeof(ext));
		money(b->cost.total, cur, total, sizeof(total));
		char u[16];
		pct(b->util[s->bottleneck], u, sizeof(u));
		snprintf(bott, sizeof(bott), "%s %s", planner_res_name(s->bottleneck), u);
		p95_text(b->p95_s, p95, sizeof(p95));
		avail_text(b->availability, sla, sizeof(sla));
		table_add(t, users, plan_stage_name(b->shape.stage), nodes, infra, ext, total, bott, p95, sla);
	}
	int rc = table_render(t, out);
	table_free(t);
	return rc;
}

/* Three significant digits without an exponent: 0.35, 54.2, 2000. */
static char *fmt_sig3(double v, char *buf, size_t n)
{
	int decimals = v >= 100 ? 0 : v >= 10 ? 1 : 2;
	snprintf(buf, n, "%.*f", decimals, v);
	return buf;
}

/* One part of a breakdown: its lines [first, end) and their sum. */
struct part_sum {
	size_t first, end;
	double u;
};

/* Group a breakdown's lines by part (they come in part order), largest
 * part first; returns the number of parts. */
static size_t group_parts(const struct avail_breakdown *b, struct part_sum *ps, size_t cap)
{
	size_t n = 0;
	for (size_t i = 0; i < b->n; i++) {
		if (n == 0 || strcmp(b->line[i].part, b->line[ps[n - 1].first].part) != 0) {
			if (n == cap)
				break;
			ps[n++] = (struct part_sum){.first = i, .end = i, .u = 0};
		}
		ps[n - 1].end = i + 1;
		ps[n - 1].u += b->line[i].u;
	}
	for (size_t i = 1; i < n; i++) /* insertion sort: a handful of parts */
		for (size_t j = i; j > 0 && ps[j].u > ps[j - 1].u; j--) {
			struct part_sum t = ps[j];
			ps[j] = ps[j - 1];
			ps[j - 1] = t;
		}
	return n;
}

/* "downtime: 1.33 h a month: lb 43.8 min (provider), app 2.46 min (software 2.07 min, host 23.6 s), ..." */
static int downtime_text(const struct avail_breakdown *b, struct strbuf *out)
{
	struct part_sum ps[AVAIL_LINES_MAX];
	size_t n = group_parts(b, ps, AVAIL_LINES_MAX);
	char t[32], m[32];
	const double month = UNITS_SECONDS_PER_MONTH;
	int rc = strbuf_printf(out, "  downtime:   %s a month:", units_fmt_duration3(b->total_u * month, t, sizeof(t)));
	bool first = true;
	for (size_t i = 0; i < n && !rc; i++) {
		if (ps[i].u * month < 0.5)
			continue; /* under a second a month: noise next to the rest */
		rc = strbuf_printf(out, "%s %s %s (", first ? "" : ",", b->line[ps[i].first].part,
				   units_fmt_duration3(ps[i].u * month, m, sizeof(m)));
		first = false;
		size_t shown = 0;
		for (size_t j = ps[i].first; j < ps[i].end && !rc; j++) {
			if (b->line[j].u * month < 0.5 && ps[i].end - ps[i].first > 1)
				continue;
			if (ps[i].end - ps[i].first == 1)
				rc = strbuf_printf(out, "%s", b->line[j].cause);
			else
				rc = strbuf_printf(out, "%s%s %s", shown ? ", " : "", b->line[j].cause,
						   units_fmt_duration3(b->line[j].u * month, m, sizeof(m)));
			shown++;
		}
		if (!rc)
			rc = strbuf_puts(out, ")");
	}
	return rc ? rc : strbuf_puts(out, "\n");
}

static int reasons_part(const struct plan_report *r, struct strbuf *out)
{
	const char *cur = r->currency;
	const struct workload *w = r->in->workload;
	int rc = 0;
	for (size_t i = 0; i < r->n_steps && rc == 0; i++) {
		const struct plan_step *s = &r->steps[i];
		const struct plan_candidate *b = &s->best;
		char nodes[160], m1[32], m2[32], why[160], online[32], rate[32];
		rc = strbuf_printf(out, "\n%.0f users (%s online at the peak, %s requests/s):\n", s->users,
				   fmt_sig3(s->demand.concurrent, online, sizeof(online)),
				   fmt_sig3(s->demand.req_rate, rate, sizeof(rate)));
		if (rc)
			break;
		if (!s->feasible) {
			rc = strbuf_printf(out, "  infeasible: %s\n", s->why);
			continue;
		}
		plan_nodes_text(b, nodes, sizeof(nodes));
		money(b->cost.total, cur, m1, sizeof(m1));
		rc = strbuf_printf(out, "  choice:     %s on %s: %s, %s a month", plan_stage_name(b->shape.stage),
				   b->provider ? b->provider : "?", nodes, m1);
		if (!rc && b->cost.per_user >= 0.01) {
			money(b->cost.per_user, cur, m2, sizeof(m2));
			rc = strbuf_printf(out, " (%s per user)", m2);
		} else if (!rc && b->cost.per_user > 0) {
			/* cents would round to zero: say it per thousand users */
			money(b->cost.per_user * 1000, cur, m2, sizeof(m2));
			rc = strbuf_printf(out, " (%s per 1,000 users)", m2);
		}
		if (!rc)
			rc = strbuf_puts(out, "\n");
		if (!rc && s->downtime.n)
			rc = downtime_text(&s->downtime, out);
		if (rc)
			break;
		if (s->has_binding) {
			plan_nodes_text(&s->binding, nodes, sizeof(nodes));
			money(s->binding.cost.total, cur, m1, sizeof(m1));
			fail_text(&s->binding, why, sizeof(why));
			rc = strbuf_printf(out, "  why:        the next cheaper option, %s %s at %s, fails on %s\n",
					   plan_stage_name(s->binding.shape.stage), nodes, m1, why);
		} else {
			rc = strbuf_printf(out, "  why:        nothing cheaper exists in the catalogue\n");
		}
		if (!rc && s->has_runner_up) {
			plan_nodes_text(&s->runner_up, nodes, sizeof(nodes));
			money(s->runner_up.cost.total, cur, m1, sizeof(m1));
			money(s->runner_up.cost.total - b->cost.total, cur, m2, sizeof(m2));
			rc = strbuf_printf(out, "  runner-up:  %s %s at %s (+%s)\n", plan_stage_name(s->runner_up.shape.stage),
					   nodes, m1, m2);
		}
		if (!rc && s->next.found) {
			char lim[16];
			enum plan_res nr = s->next.res;
			if (nr == PRES_P95)
				units_fmt_duration(b->limit[nr], lim, sizeof(lim));
			else if (nr == PRES_AVAILABILITY)
				avail_text(b->limit[nr], lim, sizeof(lim));
			else
				pct(b->limit[nr], lim, sizeof(lim));
			rc = strbuf_printf(out, "  next:       %s passes %s at %.0f users", planner_res_name(nr), lim,
					   s->next.users);
			if (!rc && s->next.months >= 0 && w->growth_monthly > 0)
				rc = strbuf_printf(out, " (month %.1f at %.0f%%/month)", s->next.months,
						   w->growth_monthly * 100);
			if (!rc)
				rc = strbuf_puts(out, "\n");
		} else if (!rc) {
			rc = strbuf_printf(out, "  next:       holds past %.0f users\n", s->next.users);
		}
		if (!rc && s->serverless.offer) {
			money(s->serverless.cost, cur, m1, sizeof(m1));
			rc = strbuf_printf(out, "  serverless: %s %s would cost %s a month for the requests alone\n",
					   s->serverless.offer->provider, s->serverless.offer->name, m1);
		}
		if (!rc && s->econ.present) {
			money(s->econ.revenue, cur, m1, sizeof(m1));
			money(s->econ.per_customer, cur, m2, sizeof(m2));
			rc = strbuf_printf(out, "  economics:  %.0f customers, revenue %s, cost %s per customer, margin %.0f%%\n",
					   s->econ.customers, m1, m2, s->econ.margin * 100);
		}
	}
	return rc;
}

int plan_render_text(const struct plan_report *r, struct strbuf *out)
{
	int rc = strbuf_printf(out, "headroom plan: %s (%s a month, %zu milestone%s)\n\n", r->source ? r->source : "-",
			       r->currency, r->n_steps, r->n_steps == 1 ? "" : "s");
	if (!rc)
		rc = table_part(r, out);
	if (!rc)
		rc = reasons_part(r, out);
	return rc;
}

/* --- JSON ----------------------------------------------------------------- */

/* Non-finite numbers are not JSON: they become null. */
static json_t *num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *nodes_json(const struct plan_candidate *c)
{
	json_t *a = json_array();
	const struct plan_shape *s = &c->shape;
	const char *role = s->stage <= STAGE_SINGLE_OPS ? "all" : s->stage == STAGE_CLUSTER ? "node" : "app";
	json_array_append_new(a, json_pack("{s:s, s:s, s:s?, s:I, s:o, s:o, s:o}", "role", role, "plan", s->app->name,
					   "provider", s->app->provider, "count", (json_int_t)s->n_app, "vcpu",
					   num(s->app->vcpu), "memory_bytes", num(s->app->memory_b), "price",
					   num(s->app->price)));
	if (s->db_node)
		json_array_append_new(a, json_pack("{s:s, s:s, s:s?, s:I, s:o, s:o, s:o}", "role", "db", "plan",
						   s->db_node->name, "provider", s->db_node->provider, "count",
						   (json_int_t)s->n_db, "vcpu", num(s->db_node->vcpu), "memory_bytes",
						   num(s->db_node->memory_b), "price", num(s->db_node->price)));
	return a;
}

static json_t *offer_ref(const struct offer *o)
{
	if (!o)
		return json_null();
	return json_pack("{s:s?, s:s?, s:o}", "provider", o->provider, "name", o->name, "price", num(o->price));
}

json_t *plan_summary_json(const struct plan_candidate *c)
{
	return json_pack("{s:s, s:o, s:o}", "stage", plan_stage_name(c->shape.stage), "nodes", nodes_json(c), "total",
			 num(c->cost.total));
}

/* {minutes_per_month, parts: [{part, minutes_per_month, causes: [{cause, minutes_per_month}]}]},
 * parts largest first, causes in the model's order. */
static json_t *downtime_json(const struct avail_breakdown *b)
{
	struct part_sum ps[AVAIL_LINES_MAX];
	size_t n = group_parts(b, ps, AVAIL_LINES_MAX);
	const double min = UNITS_SECONDS_PER_MONTH / 60;
	json_t *parts = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *causes = json_array();
		for (size_t j = ps[i].first; j < ps[i].end; j++)
			json_array_append_new(causes, json_pack("{s:s, s:o}", "cause", b->line[j].cause, "minutes_per_month",
								num(b->line[j].u * min)));
		json_array_append_new(parts, json_pack("{s:s, s:o, s:o}", "part", b->line[ps[i].first].part,
						       "minutes_per_month", num(ps[i].u * min), "causes", causes));
	}
	return json_pack("{s:o, s:o}", "minutes_per_month", num(b->total_u * min), "parts", parts);
}

static json_t *step_json(const struct plan_report *r, const struct plan_step *s)
{
	const struct plan_candidate *b = &s->best;
	const struct workload *w = r->in->workload;
	json_t *o = json_object();
	json_object_set_new(o, "users", num(s->users));
	json_object_set_new(o, "feasible", json_boolean(s->feasible));
	json_object_set_new(o, "infeasible_reason", s->feasible ? json_null() : json_string(s->why));

	/* Demand, whatever the verdict. */
	json_t *ext = json_array();
	for (size_t i = 0; i < s->demand.n_ext; i++) {
		const struct ext_demand *e = &s->demand.ext[i];
		json_array_append_new(ext, json_pack("{s:s, s:o, s:o, s:o, s:o}", "name", e->name, "calls_per_s",
						     num(e->rate), "rate_limit", e->rate_limit > 0 ? num(e->rate_limit) : json_null(),
						     "calls_per_month", num(e->calls_month), "cost", num(e->cost_month)));
	}
	json_object_set_new(o, "demand",
			    json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "concurrent_users",
				      num(s->demand.concurrent), "requests_per_s", num(s->demand.req_rate), "cpu_cores",
				      num(s->demand.app_cpu + s->demand.task_cpu), "requests_in_flight",
				      num(s->demand.app_inflight), "tasks_per_s", num(s->demand.task_rate),
				      "db_queries_per_s", num(s->demand.db_qps), "db_size_bytes", num(s->demand.db_size_b),
				      "files_bytes", num(s->demand.files_b), "egress_bytes_per_month",
				      num(s->demand.egress_month_b), "external", ext));

	if (!s->feasible) {
		json_object_set_new(o, "stage", json_null());
		json_object_set_new(o, "nodes", json_array());
		json_object_set_new(o, "cost",
				    json_pack("{s:n, s:o, s:n, s:n}", "infra", "external", num(s->demand.ext_cost_month),
					      "total", "per_user"));
		json_object_set_new(o, "utilization", json_object());
		json_object_set_new(o, "bottleneck", json_null());
		json_object_set_new(o, "p95_s", json_null());
		json_object_set_new(o, "availability", json_null());
		json_object_set_new(o, "downtime_min_per_month", json_null());
		json_object_set_new(o, "downtime", json_null());
		json_object_set_new(o, "binding_constraint", json_null());
		json_object_set_new(o, "next_trigger", json_null());
		return o;
	}

	json_object_set_new(o, "stage", json_string(plan_stage_name(b->shape.stage)));
	json_object_set_new(o, "provider", b->provider ? json_string(b->provider) : json_null());
	json_object_set_new(o, "nodes", nodes_json(b));
	json_object_set_new(o, "services",
			    json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:I, s:I}", "load_balancer", offer_ref(b->lb),
				      "managed_db", offer_ref(b->shape.managed_db), "managed_cache",
				      offer_ref(b->shape.managed_cache), "kubernetes", offer_ref(b->k8s), "monitoring",
				      offer_ref(b->monitoring), "backup_fraction", b->backup ? num(b->backup->percent) : json_null(),
				      "volume_gb", num(b->volume_gb), "app_replicas_per_node", (json_int_t)b->app_replicas,
				      "app_processes_per_node", (json_int_t)b->app_processes));
	const struct cost_breakdown *k = &b->cost;
	json_object_set_new(o, "cost",
			    json_pack("{s:o, s:o, s:o, s:o, s:{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}}", "infra",
				      num(k->infra), "external", num(k->external), "total", num(k->total), "per_user",
				      num(k->per_user), "breakdown", "servers", num(k->servers), "backups", num(k->backups),
				      "monitoring", num(k->monitoring), "load_balancer", num(k->lb), "managed_db",
				      num(k->managed_db), "managed_cache", num(k->managed_cache), "kubernetes", num(k->k8s),
				      "volumes", num(k->volumes), "operations", num(k->ops)));
	json_t *util = json_object(), *lim = json_object();
	for (int i = 0; i < PRES_P95; i++) {
		if (!b->has[i])
			continue;
		json_object_set_new(util, planner_res_name((enum plan_res)i), num(b->util[i]));
		json_object_set_new(lim, planner_res_name((enum plan_res)i), num(b->limit[i]));
	}
	json_object_set_new(o, "utilization", util);
	json_object_set_new(o, "limits", lim);
	json_object_set_new(o, "bottleneck", json_string(planner_res_name(s->bottleneck)));
	json_object_set_new(o, "bottleneck_utilization", num(b->util[s->bottleneck]));
	json_object_set_new(o, "p95_s", num(b->p95_s));
	json_t *byc = json_object();
	for (size_t i = 0; i < w->n_requests && i < PLANNER_MAX_CLASSES; i++)
		json_object_set_new(byc, w->requests[i].name ? w->requests[i].name : "?", num(b->class_p95[i]));
	json_object_set_new(o, "p95_by_class", byc);
	json_object_set_new(o, "availability", num(b->availability));
	json_object_set_new(o, "downtime_min_per_month", num(avail_downtime_min_month(b->availability)));
	json_object_set_new(o, "downtime", downtime_json(&s->downtime));
	json_object_set_new(o, "monitored", json_boolean(b->monitored));
	if (s->has_binding) {
		char why[160];
		fail_text(&s->binding, why, sizeof(why));
		json_object_set_new(o, "binding_constraint", json_string(planner_res_name(s->binding.fail)));
		json_t *cheaper = plan_summary_json(&s->binding);
		json_object_set_new(cheaper, "fails", json_string(why));
		json_object_set_new(o, "cheaper_option", cheaper);
	} else {
		json_object_set_new(o, "binding_constraint", json_string("cost"));
		json_object_set_new(o, "cheaper_option", json_null());
	}
	json_object_set_new(o, "runner_up", s->has_runner_up ? plan_summary_json(&s->runner_up) : json_null());
	json_t *alt = json_object();
	for (int i = 0; i < STAGE_COUNT; i++)
		json_object_set_new(alt, stage_names[i], s->stage_feasible[i] ? num(s->stage_cost[i]) : json_null());
	json_object_set_new(o, "cheapest_per_stage", alt);
	if (s->next.found)
		json_object_set_new(o, "next_trigger",
				    json_pack("{s:s, s:o, s:o, s:o}", "metric", planner_res_name(s->next.res), "threshold",
					      num(b->limit[s->next.res]), "users", num(s->next.users), "months",
					      s->next.months >= 0 ? num(s->next.months) : json_null()));
	else
		json_object_set_new(o, "next_trigger", json_null());
	if (s->serverless.offer)
		json_object_set_new(o, "serverless_equivalent",
				    json_pack("{s:s?, s:s?, s:o, s:o}", "provider", s->serverless.offer->provider, "name",
					      s->serverless.offer->name, "cost", num(s->serverless.cost), "memory_bytes",
					      num(s->serverless.memory_b)));
	else
		json_object_set_new(o, "serverless_equivalent", json_null());
	if (s->econ.present)
		json_object_set_new(o, "economics",
				    json_pack("{s:o, s:o, s:o, s:o}", "customers", num(s->econ.customers), "revenue",
					      num(s->econ.revenue), "cost_per_customer", num(s->econ.per_customer), "margin",
					      num(s->econ.margin)));
	else
		json_object_set_new(o, "economics", json_null());
	json_object_set_new(o, "shapes_evaluated", json_integer((json_int_t)s->evaluated));
	return o;
}

int plan_render_json(const struct plan_report *r, struct strbuf *out)
{
	json_t *root = json_object();
	if (!root)
		return HR_E_NOMEM;
	const struct objectives *ob = r->in->objectives;
	json_object_set_new(root, "source", r->source ? json_string(r->source) : json_null());
	json_object_set_new(root, "currency", json_string(r->currency));
	json_object_set_new(root, "objectives",
			    json_pack("{s:o, s:o}", "p95_s", ob->p95_s > 0 ? num(ob->p95_s) : json_null(), "availability",
				      ob->availability > 0 ? num(ob->availability) : json_null()));
	json_t *ms = json_array();
	for (size_t i = 0; i < r->n_steps; i++)
		json_array_append_new(ms, step_json(r, &r->steps[i]));
	json_object_set_new(root, "milestones", ms);
	char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
	json_decref(root);
	if (!text)
		return HR_E_NOMEM;
	int rc = strbuf_puts(out, text);
	if (!rc)
		rc = strbuf_puts(out, "\n");
	free(text);
	return rc;
}
