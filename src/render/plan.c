/* plan.c - render a plan as text or JSON (see plan.h). */
#include "render/plan.h"

#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/availability.h"
#include "render/jsondoc.h"
#include "render/reason.h"
#include "render/table.h"
#include "util/units.h"

static const char *const stage_names[STAGE_COUNT] = {"single", "single+ops", "split", "ha", "cluster"};

const char *plan_stage_name(enum stage_kind s)
{
	return s < STAGE_COUNT ? stage_names[s] : "?";
}

/* Append to buf[*used..n); false once it no longer fits. */
static bool put(char *buf, size_t n, size_t *used, const char *fmt, ...) HR_PRINTF(4, 5);
static bool put(char *buf, size_t n, size_t *used, const char *fmt, ...)
{
	if (*used >= n)
		return false;
	va_list ap;
	va_start(ap, fmt);
	int k = vsnprintf(buf + *used, n - *used, fmt, ap);
	va_end(ap);
	if (k < 0 || (size_t)k >= n - *used) {
		*used = n;
		return false;
	}
	*used += (size_t)k;
	return true;
}

void plan_nodes_text(const struct plan_candidate *c, char *buf, size_t n)
{
	const struct plan_shape *s = &c->shape;
	size_t used = 0;
	if (n)
		buf[0] = 0;
	bool ok = put(buf, n, &used, "%u\xC3\x97%s", s->n_app, s->app ? s->app->name : "?");
	if (ok && s->db_node)
		ok = put(buf, n, &used, " + db %u\xC3\x97%s", s->n_db, s->db_node->name);
	else if (ok && s->managed_db)
		ok = put(buf, n, &used, " + db %s", s->managed_db->name);
	if (ok && s->n_replicas)
		ok = put(buf, n, &used, " + %u replica%s", s->n_replicas, s->n_replicas == 1 ? "" : "s");
	if (ok && s->pooler)
		ok = put(buf, n, &used, " + pgbouncer");
	if (ok && s->read_cache)
		ok = put(buf, n, &used, " + read cache");
	if (ok && s->managed_cache)
		ok = put(buf, n, &used, " + cache %s", s->managed_cache->name);
	else if (ok && s->redis_ha)
		ok = put(buf, n, &used, " + redis sentinel");
	if (ok && s->wrk_node)
		ok = put(buf, n, &used, " + workers %u\xC3\x97%s", s->n_wrk, s->wrk_node->name);
	if (ok && c->lb)
		put(buf, n, &used, " + lb");
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
	} else if (r == PRES_P95 && !isfinite(c->util[r])) {
		units_fmt_duration(c->limit[r], b, sizeof(b));
		snprintf(buf, n, "p95 > %s: the CPU cannot keep up, the queue grows without bound", b);
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

/* How a trigger's constraint is crossed, in words: "cpu passes 70%",
 * "availability falls below 99.500%". */
static void crossing_text(enum plan_res r, double limit, char *buf, size_t n)
{
	char lim[32];
	if (r == PRES_P95) {
		units_fmt_duration(limit, lim, sizeof(lim));
		snprintf(buf, n, "p95 passes %s", lim);
	} else if (r == PRES_AVAILABILITY) {
		avail_text(limit, lim, sizeof(lim));
		snprintf(buf, n, "availability falls below %s", lim);
	} else {
		pct(limit, lim, sizeof(lim));
		snprintf(buf, n, "%s passes %s", planner_res_name(r), lim);
	}
}

static void p95_text(double p, char *buf, size_t n)
{
	if (isnan(p))
		snprintf(buf, n, "-");
	else
		units_fmt_duration(p, buf, n);
}

static void month_text(double m, char *buf, size_t n)
{
	if (!isfinite(m))
		snprintf(buf, n, "-");
	else if (fabs(m - round(m)) < 0.05)
		snprintf(buf, n, "%.0f", round(m) == 0 ? 0.0 : round(m));
	else
		snprintf(buf, n, "%.1f", m);
}

static int table_part(const struct plan_report *r, struct strbuf *out)
{
	static const char *const h[] = {"users", "month", "stage", "nodes", "infra", "ops", "external", "total",
					"bottleneck", "p95", "SLA"};
	struct table *t = table_new(11, h);
	table_align_right(t, 0);
	table_align_right(t, 1);
	for (size_t c = 4; c <= 7; c++)
		table_align_right(t, c);
	table_align_right(t, 9);
	table_align_right(t, 10);
	const char *cur = r->currency;
	for (size_t i = 0; i < r->n_steps; i++) {
		const struct plan_step *s = &r->steps[i];
		char users[32], month[16], nodes[256], infra[32], ops[32], ext[32], total[32], bott[64], p95[32], sla[32];
		snprintf(users, sizeof(users), "%.0f", s->users);
		month_text(s->month, month, sizeof(month));
		if (!s->feasible) {
			money(s->demand.ext_cost_month, cur, ext, sizeof(ext));
			table_add(t, users, month, "infeasible", "-", "-", "-", ext, "-", "see below", "-", "-");
			continue;
		}
		const struct plan_candidate *b = &s->best;
		plan_nodes_text(b, nodes, sizeof(nodes));
		money(b->cost.infra, cur, infra, sizeof(infra));
		money(b->cost.ops, cur, ops, sizeof(ops));
		money(b->cost.external, cur, ext, sizeof(ext));
		money(b->cost.total, cur, total, sizeof(total));
		char u[16];
		pct(b->util[s->bottleneck], u, sizeof(u));
		snprintf(bott, sizeof(bott), "%s %s", planner_res_name(s->bottleneck), u);
		p95_text(b->p95_s, p95, sizeof(p95));
		avail_text(b->availability, sla, sizeof(sla));
		table_add(t, users, month, plan_stage_name(b->shape.stage), nodes, infra, ops, ext, total, bott, p95, sla);
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

/* " (month 7.2 at 15%/month)" when the growth rate says when. */
static int months_part(const struct plan_report *r, double months, struct strbuf *out)
{
	const struct workload *w = r->in->workload;
	if (months >= 0 && w->growth_monthly > 0)
		return strbuf_printf(out, " (month %.1f at %.0f%%/month)", months, w->growth_monthly * 100);
	return 0;
}

/* What the data tier of a choice leaves to watch: replication lag is stated,
 * not modelled; the pooler's sizes. */
static int data_tier_part(const struct plan_report *r, const struct plan_candidate *b, struct strbuf *out)
{
	const struct deployment *dep = r->in->deployment;
	int rc = 0;
	if (b->shape.n_replicas)
		rc = strbuf_printf(out, "  data tier:  %u read replica%s take the reads, the primary the writes; replicas "
					"lag the primary (asynchronous replication, not modelled: alert on "
					"pg_replication_lag_seconds and read your own writes from the primary)\n",
				   b->shape.n_replicas, b->shape.n_replicas == 1 ? "" : "s");
	if (!rc && b->shape.pooler)
		rc = strbuf_printf(out, "  pooler:     PgBouncer, pool_mode = transaction, default_pool_size = %u, "
					"max_client_conn = %u (%.0f client connections)\n",
				   dep->pool_size ? dep->pool_size : 20, dep->max_client_conn ? dep->max_client_conn : 100,
				   b->db_clients);
	if (!rc && b->shape.read_cache)
		rc = strbuf_printf(out, "  read cache: Redis answers %.0f%% of the reads before the database\n",
				   r->in->workload->cache_hit_ratio * 100);
	return rc;
}

static int current_line(const struct plan_report *r, const struct plan_step *s, struct strbuf *out)
{
	if (!s->has_current)
		return 0;
	const struct plan_candidate *c = &s->current;
	char why[160], m[32];
	if (c->feasible) {
		if (s->feasible && planner_shape_equal(&c->shape, &s->best.shape))
			return strbuf_puts(out, "  today's:    is the choice\n");
		money(c->cost.total, r->currency, m, sizeof(m));
		return strbuf_printf(out, "  today's:    still meets every target (%s a month in all)\n", m);
	}
	fail_text(c, why, sizeof(why));
	return strbuf_printf(out, "  today's:    fails on %s\n", why);
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

/* "redundancy: 3 app nodes, all 3 needed at the peak (N+0): one lost at the
 * peak leaves the rest past capacity until it is back" - what the k-of-n of
 * the availability model assumed, said, since a stage's name ("ha") does
 * not say it. */
static int redundancy_text(const struct plan_candidate *b, struct strbuf *out)
{
	unsigned n = b->shape.n_app, k = b->app_needed;
	if (k >= n)
		return strbuf_printf(out,
				     "  redundancy: %u app nodes, all %u needed at the peak (N+0): one lost at the peak "
				     "leaves the rest past capacity until it is back\n", n, n);
	return strbuf_printf(out, "  redundancy: %u app nodes, %u needed at the peak (N+%u)\n", n, k, n - k);
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
	int rc = 0;
	for (size_t i = 0; i < r->n_steps && rc == 0; i++) {
		const struct plan_step *s = &r->steps[i];
		const struct plan_candidate *b = &s->best;
		char nodes[256], m1[32], m2[32], why[160], online[32], rate[32], month[16];
		rc = strbuf_printf(out, "\n%.0f users", s->users);
		if (!rc && isfinite(s->month)) {
			month_text(s->month, month, sizeof(month));
			rc = strbuf_printf(out, ", month %s", month);
		}
		if (!rc)
			rc = strbuf_printf(out, " (%s online at the peak, %s requests/s):\n",
					   fmt_sig3(s->demand.concurrent, online, sizeof(online)),
					   fmt_sig3(s->demand.req_rate, rate, sizeof(rate)));
		if (rc)
			break;
		if (!s->feasible) {
			rc = strbuf_printf(out, "  infeasible: %s\n",
					   reason_text(&s->why, (char[REASON_STEP_MAX]){0}, REASON_STEP_MAX));
			if (!rc && s->blocking == PRES_COUNT && b->shape.app) {
				plan_nodes_text(b, nodes, sizeof(nodes));
				fail_text(b, why, sizeof(why));
				rc = strbuf_printf(out, "  closest:    %s %s fails on %s\n", plan_stage_name(b->shape.stage), nodes,
						   why);
			}
			for (size_t k = 0; k < s->n_remedies && !rc; k++) {
				const struct plan_remedy *rm = &s->remedies[k];
				plan_nodes_text(&rm->plan, nodes, sizeof(nodes));
				money(rm->plan.cost.total, cur, m1, sizeof(m1));
				rc = strbuf_printf(out, "  %s %s: %s %s, %s a month\n", k == 0 ? "remedy:    " : "            or",
						   reason_text(&rm->what, (char[REASON_SHORT_MAX]){0}, REASON_SHORT_MAX),
						   plan_stage_name(rm->plan.shape.stage), nodes, m1);
			}
			if (!rc && s->n_remedies == 0 && s->blocking != PRES_EXT_RATE)
				rc = strbuf_puts(out, "  remedy:     none the model knows: a larger plan in the catalogue, or a "
						      "lighter workload\n");
			if (!rc)
				rc = current_line(r, s, out);
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
		if (!rc && b->shape.n_app >= 2)
			rc = redundancy_text(b, out);
		if (!rc)
			rc = data_tier_part(r, b, out);
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
		if (!rc && s->next.found && s->next.cheaper) {
			plan_nodes_text(&s->next.then, nodes, sizeof(nodes));
			money(s->next.then.cost.total, cur, m1, sizeof(m1));
			rc = strbuf_printf(out, "  next:       at %.0f users %s %s becomes cheaper (%s a month): the "
						"volumes this one buys for its data grow",
					   s->next.users, plan_stage_name(s->next.then.shape.stage), nodes, m1);
			if (!rc)
				rc = months_part(r, s->next.months, out);
			if (!rc)
				rc = strbuf_puts(out, "\n");
		} else if (!rc && s->next.found) {
			crossing_text(s->next.res, b->limit[s->next.res], why, sizeof(why));
			rc = strbuf_printf(out, "  next:       %s at %.0f users", why, s->next.users);
			if (!rc)
				rc = months_part(r, s->next.months, out);
			if (!rc)
				rc = strbuf_puts(out, "\n");
		} else if (!rc) {
			rc = strbuf_printf(out, "  next:       holds past %.0f users\n", s->next.users);
		}
		if (!rc)
			rc = current_line(r, s, out);
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

/* "today: single 1×cx22 ($5.39 a month) meets every target until 74340 users (month 7.2); then cpu passes 70%" */
static int current_part(const struct plan_report *r, struct strbuf *out)
{
	const struct plan_current *c = r->current;
	if (!c || !c->present)
		return 0;
	if (!c->valid)
		return strbuf_printf(out, "today:      deployment.current cannot be evaluated: %s\n\n",
				     reason_text(&c->why, (char[REASON_SHORT_MAX]){0}, REASON_SHORT_MAX));
	char nodes[256], m[32], what[160];
	plan_nodes_text(&c->now, nodes, sizeof(nodes));
	money(c->now.cost.infra, r->currency, m, sizeof(m));
	int rc = strbuf_printf(out, "today:      %s %s (%s a month of infrastructure) ", plan_stage_name(c->now.shape.stage),
			       nodes, m);
	if (rc)
		return rc;
	if (!c->now.feasible) {
		fail_text(&c->now, what, sizeof(what));
		return strbuf_printf(out, "already fails at %.0f users: %s\n\n", r->in->workload->users, what);
	}
	if (!c->until.found)
		return strbuf_printf(out, "meets every target past %.0f users\n\n", c->until.users);
	crossing_text(c->until.res, c->now.limit[c->until.res], what, sizeof(what));
	rc = strbuf_printf(out, "suffices until %.0f users", c->until.users > 1 ? c->until.users - 1 : 0);
	if (!rc)
		rc = months_part(r, c->until.months, out);
	if (!rc)
		rc = strbuf_printf(out, "; then %s\n\n", what);
	return rc;
}

static int dedicated_part(const struct plan_report *r, struct strbuf *out)
{
	const struct plan_dedicated *dd = r->dedicated;
	if (!dd || !dd->present)
		return 0;
	const char *cur = r->currency;
	char nodes[256], m1[32], m2[32], m3[32], av[32];
	int rc = strbuf_printf(out, "\ndedicated stack (economics.dedicated): %u customer%s of %.0f users each", dd->customers,
			       dd->customers == 1 ? "" : "s", dd->users);
	if (!rc && dd->availability > 0) {
		avail_text(dd->availability, av, sizeof(av));
		rc = strbuf_printf(out, ", availability %s", av);
	}
	if (!rc)
		rc = strbuf_puts(out, ":\n");
	if (rc)
		return rc;
	const struct plan_step *s = &dd->step;
	if (!s->feasible)
		return strbuf_printf(out, "  infeasible: %s\n",
				     reason_text(&s->why, (char[REASON_STEP_MAX]){0}, REASON_STEP_MAX));
	plan_nodes_text(&s->best, nodes, sizeof(nodes));
	money(s->best.cost.infra, cur, m1, sizeof(m1));
	money(s->best.cost.total, cur, m2, sizeof(m2));
	money(dd->total, cur, m3, sizeof(m3));
	rc = strbuf_printf(out, "  each:       %s on %s: %s, infrastructure %s, %s a month in all; %s for %u\n",
			   plan_stage_name(s->best.shape.stage), s->best.provider ? s->best.provider : "?", nodes, m1, m2, m3,
			   dd->customers);
	if (!rc && isfinite(dd->margin))
		rc = strbuf_printf(out, "  margin:     %.1f%% on infrastructure, %.1f%% after operations and external APIs\n",
				   dd->margin_infra * 100, dd->margin * 100);
	return rc;
}

int plan_render_text(const struct plan_report *r, struct strbuf *out)
{
	int rc = strbuf_printf(out, "headroom plan: %s (%s a month, %zu milestone%s)\n\n", r->source ? r->source : "-",
			       r->currency, r->n_steps, r->n_steps == 1 ? "" : "s");
	for (size_t i = 0; i < r->n_notes && !rc; i++)
		rc = strbuf_printf(out, "note:       %s\n%s", r->notes[i], i + 1 == r->n_notes ? "\n" : "");
	if (!rc)
		rc = current_part(r, out);
	if (!rc)
		rc = table_part(r, out);
	if (!rc)
		rc = reasons_part(r, out);
	if (!rc)
		rc = dedicated_part(r, out);
	return rc;
}

/* --- JSON ----------------------------------------------------------------- */

/* Significant digits of the plan's reals: 10, as the plan has always been
 * written (jsondoc_render_digits() says why it is not JSONDOC_DIGITS). */
#define PLAN_JSON_DIGITS 10

static json_t *node_json(const char *role, const struct offer *o, unsigned count)
{
	return json_pack("{s:s, s:s, s:s?, s:I, s:o, s:o, s:o}", "role", role, "plan", o->name, "provider", o->provider,
			 "count", (json_int_t)count, "vcpu", jsondoc_num(o->vcpu), "memory_bytes", jsondoc_num(o->memory_b), "price",
			 jsondoc_num(o->price));
}

static json_t *nodes_json(const struct plan_candidate *c)
{
	json_t *a = json_array();
	const struct plan_shape *s = &c->shape;
	const char *role = s->stage <= STAGE_SINGLE_OPS ? "all" : s->stage == STAGE_CLUSTER ? "node" : "app";
	json_array_append_new(a, node_json(role, s->app, s->n_app));
	if (s->db_node)
		json_array_append_new(a, node_json("db", s->db_node, s->n_db));
	if (s->db_node && s->n_replicas)
		json_array_append_new(a, node_json("replica", s->db_node, s->n_replicas));
	if (s->wrk_node)
		json_array_append_new(a, node_json("worker", s->wrk_node, s->n_wrk));
	return a;
}

static json_t *offer_ref(const struct offer *o)
{
	if (!o)
		return json_null();
	return json_pack("{s:s?, s:s?, s:o}", "provider", o->provider, "name", o->name, "price", jsondoc_num(o->price));
}

json_t *plan_summary_json(const struct plan_candidate *c)
{
	char text[256];
	plan_nodes_text(c, text, sizeof(text));
	return json_pack("{s:s, s:o, s:s, s:o}", "stage", plan_stage_name(c->shape.stage), "nodes", nodes_json(c),
			 "text", text, "total", jsondoc_num(c->cost.total));
}

static json_t *data_tier_json(const struct plan_report *r, const struct plan_candidate *b)
{
	const struct plan_shape *s = &b->shape;
	const struct deployment *dep = r->in->deployment;
	const char *redis = s->managed_cache ? "managed" : s->redis_ha ? "sentinel" : NULL;
	bool has_redis = false, has_pg = false;
	for (size_t i = 0; i < r->in->n_components; i++) {
		has_redis |= r->in->components[i].kind == COMP_REDIS;
		has_pg |= r->in->components[i].kind == COMP_POSTGRES;
	}
	if (!redis && has_redis)
		redis = s->stage <= STAGE_SPLIT ? "node" : "one app node";
	const struct offer *rep = s->n_replicas ? (s->db_node ? s->db_node : s->managed_db) : NULL;
	json_t *o = json_object();
	json_object_set_new(o, "read_replicas", json_integer((json_int_t)s->n_replicas));
	json_object_set_new(o, "replica_plan", rep ? json_string(rep->name) : json_null());
	json_object_set_new(o, "replication_lag", s->n_replicas ? json_string("asynchronous; not modelled") : json_null());
	json_object_set_new(o, "pooler", json_boolean(s->pooler));
	json_object_set_new(o, "pool_size", s->pooler ? json_integer(dep->pool_size ? dep->pool_size : 20) : json_null());
	json_object_set_new(o, "max_client_conn",
			    s->pooler ? json_integer(dep->max_client_conn ? dep->max_client_conn : 100) : json_null());
	json_object_set_new(o, "db_client_connections", has_pg ? jsondoc_num(b->db_clients) : json_null());
	json_object_set_new(o, "read_cache", json_boolean(s->read_cache));
	json_object_set_new(o, "cache_hit_ratio", s->read_cache ? jsondoc_num(r->in->workload->cache_hit_ratio) : json_null());
	json_object_set_new(o, "redis", redis ? json_string(redis) : json_null());
	json_object_set_new(o, "workers",
			    s->wrk_node ? json_pack("{s:s, s:I, s:I}", "plan", s->wrk_node->name, "count",
						    (json_int_t)s->n_wrk, "replicas_per_node", (json_int_t)b->wrk_replicas)
					: json_null());
	return o;
}

static json_t *current_step_json(const struct plan_step *s)
{
	if (!s->has_current)
		return json_null();
	const struct plan_candidate *c = &s->current;
	return json_pack("{s:b, s:o, s:o}", "feasible", c->feasible, "fails",
			 c->feasible ? json_null() : json_string(planner_res_name(c->fail)), "total", jsondoc_num(c->cost.total));
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
								jsondoc_num(b->line[j].u * min)));
		json_array_append_new(parts, json_pack("{s:s, s:o, s:o}", "part", b->line[ps[i].first].part,
						       "minutes_per_month", jsondoc_num(ps[i].u * min), "causes", causes));
	}
	return json_pack("{s:o, s:o}", "minutes_per_month", jsondoc_num(b->total_u * min), "parts", parts);
}

static json_t *step_json(const struct plan_report *r, const struct plan_step *s)
{
	const struct plan_candidate *b = &s->best;
	const struct workload *w = r->in->workload;
	json_t *o = json_object();
	json_object_set_new(o, "users", jsondoc_num(s->users));
	json_object_set_new(o, "month", jsondoc_num(s->month));
	json_object_set_new(o, "feasible", json_boolean(s->feasible));
	json_object_set_new(o, "infeasible_reason", s->feasible ? json_null()
				  : json_string(reason_text(&s->why, (char[REASON_STEP_MAX]){0}, REASON_STEP_MAX)));

	/* Demand, whatever the verdict. */
	json_t *ext = json_array();
	for (size_t i = 0; i < s->demand.n_ext; i++) {
		const struct ext_demand *e = &s->demand.ext[i];
		json_array_append_new(ext, json_pack("{s:s, s:o, s:o, s:o, s:o}", "name", e->name, "calls_per_s",
						     jsondoc_num(e->rate), "rate_limit", e->rate_limit > 0 ? jsondoc_num(e->rate_limit) : json_null(),
						     "calls_per_month", jsondoc_num(e->calls_month), "cost", jsondoc_num(e->cost_month)));
	}
	json_object_set_new(o, "demand",
			    json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "concurrent_users",
				      jsondoc_num(s->demand.concurrent), "requests_per_s", jsondoc_num(s->demand.req_rate), "cpu_cores",
				      jsondoc_num(s->demand.app_cpu + s->demand.task_cpu), "requests_in_flight",
				      jsondoc_num(s->demand.app_inflight), "tasks_per_s", jsondoc_num(s->demand.task_rate),
				      "db_queries_per_s", jsondoc_num(s->demand.db_qps), "db_read_queries_per_s",
				      jsondoc_num(s->demand.db_read_qps), "db_size_bytes", jsondoc_num(s->demand.db_size_b),
				      "files_bytes", jsondoc_num(s->demand.files_b), "egress_bytes_per_month",
				      jsondoc_num(s->demand.egress_month_b), "external", ext));
	json_object_set_new(o, "current", current_step_json(s));

	if (!s->feasible) {
		json_object_set_new(o, "stage", json_null());
		json_object_set_new(o, "nodes", json_array());
		json_object_set_new(o, "cost",
				    json_pack("{s:n, s:n, s:o, s:n, s:n}", "infra", "operations", "external",
					      jsondoc_num(s->demand.ext_cost_month), "total", "per_user"));
		json_object_set_new(o, "utilization", json_object());
		json_object_set_new(o, "bottleneck", json_null());
		json_object_set_new(o, "p95_s", json_null());
		json_object_set_new(o, "availability", json_null());
		json_object_set_new(o, "downtime_min_per_month", json_null());
		json_object_set_new(o, "downtime", json_null());
		json_object_set_new(o, "binding_constraint", json_null());
		json_object_set_new(o, "next_trigger", json_null());
		json_object_set_new(o, "blocking",
				    s->blocking < PRES_COUNT ? json_string(planner_res_name(s->blocking)) : json_null());
		json_object_set_new(o, "closest", b->shape.app ? plan_summary_json(b) : json_null());
		json_t *rem = json_array();
		for (size_t k = 0; k < s->n_remedies; k++) {
			json_t *x = plan_summary_json(&s->remedies[k].plan);
			const char *what = reason_text(&s->remedies[k].what, (char[REASON_SHORT_MAX]){0}, REASON_SHORT_MAX);
			json_object_set_new(x, "change", json_string(what));
			json_array_append_new(rem, x);
		}
		json_object_set_new(o, "remedies", rem);
		return o;
	}

	json_object_set_new(o, "stage", json_string(plan_stage_name(b->shape.stage)));
	json_object_set_new(o, "provider", b->provider ? json_string(b->provider) : json_null());
	json_object_set_new(o, "nodes", nodes_json(b));
	char text[256];
	plan_nodes_text(b, text, sizeof(text));
	json_object_set_new(o, "nodes_text", json_string(text));
	json_object_set_new(o, "services",
			    json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:I, s:I}", "load_balancer", offer_ref(b->lb),
				      "managed_db", offer_ref(b->shape.managed_db), "managed_cache",
				      offer_ref(b->shape.managed_cache), "kubernetes", offer_ref(b->k8s), "monitoring",
				      offer_ref(b->monitoring), "backup_fraction", b->backup ? jsondoc_num(b->backup->percent) : json_null(),
				      "volume_gb", jsondoc_num(b->volume_gb), "app_replicas_per_node", (json_int_t)b->app_replicas,
				      "app_processes_per_node", (json_int_t)b->app_processes));
	json_object_set_new(o, "data_tier", data_tier_json(r, b));
	const struct cost_breakdown *k = &b->cost;
	json_t *bd = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "servers", jsondoc_num(k->servers),
			       "replicas", jsondoc_num(k->replicas), "workers", jsondoc_num(k->workers), "backups", jsondoc_num(k->backups),
			       "monitoring", jsondoc_num(k->monitoring), "load_balancer", jsondoc_num(k->lb), "managed_db",
			       jsondoc_num(k->managed_db), "managed_cache", jsondoc_num(k->managed_cache), "kubernetes", jsondoc_num(k->k8s),
			       "volumes", jsondoc_num(k->volumes), "operations", jsondoc_num(k->ops));
	json_object_set_new(o, "cost",
			    json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "infra", jsondoc_num(k->infra), "operations", jsondoc_num(k->ops),
				      "external", jsondoc_num(k->external), "total", jsondoc_num(k->total), "per_user", jsondoc_num(k->per_user),
				      "breakdown", bd));
	json_t *util = json_object(), *lim = json_object();
	for (int i = 0; i < PRES_P95; i++) {
		if (!b->has[i])
			continue;
		json_object_set_new(util, planner_res_name((enum plan_res)i), jsondoc_num(b->util[i]));
		json_object_set_new(lim, planner_res_name((enum plan_res)i), jsondoc_num(b->limit[i]));
	}
	json_object_set_new(o, "utilization", util);
	json_object_set_new(o, "limits", lim);
	json_object_set_new(o, "bottleneck", json_string(planner_res_name(s->bottleneck)));
	json_object_set_new(o, "bottleneck_utilization", jsondoc_num(b->util[s->bottleneck]));
	json_object_set_new(o, "p95_s", jsondoc_num(b->p95_s));
	json_t *byc = json_object();
	for (size_t i = 0; i < w->n_requests && i < PLANNER_MAX_CLASSES; i++)
		json_object_set_new(byc, w->requests[i].name ? w->requests[i].name : "?", jsondoc_num(b->class_p95[i]));
	json_object_set_new(o, "p95_by_class", byc);
	json_object_set_new(o, "availability", jsondoc_num(b->availability));
	json_object_set_new(o, "downtime_min_per_month", jsondoc_num(avail_downtime_min_month(b->availability)));
	json_object_set_new(o, "downtime", downtime_json(&s->downtime));
	json_object_set_new(o, "app_nodes_needed", json_integer(b->app_needed));
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
		json_object_set_new(alt, stage_names[i], s->stage_feasible[i] ? jsondoc_num(s->stage_cost[i]) : json_null());
	json_object_set_new(o, "cheapest_per_stage", alt);
	if (s->next.found && s->next.cheaper)
		json_object_set_new(o, "next_trigger",
				    json_pack("{s:s, s:n, s:n, s:o, s:o, s:o}", "kind", "cheaper", "metric", "threshold",
					      "users", jsondoc_num(s->next.users), "months",
					      s->next.months >= 0 ? jsondoc_num(s->next.months) : json_null(), "then",
					      plan_summary_json(&s->next.then)));
	else if (s->next.found)
		json_object_set_new(o, "next_trigger",
				    json_pack("{s:s, s:s, s:o, s:o, s:o, s:n}", "kind", "constraint", "metric",
					      planner_res_name(s->next.res), "threshold", jsondoc_num(b->limit[s->next.res]), "users",
					      jsondoc_num(s->next.users), "months", s->next.months >= 0 ? jsondoc_num(s->next.months) : json_null(),
					      "then"));
	else
		json_object_set_new(o, "next_trigger", json_null());
	if (s->serverless.offer)
		json_object_set_new(o, "serverless_equivalent",
				    json_pack("{s:s?, s:s?, s:o, s:o}", "provider", s->serverless.offer->provider, "name",
					      s->serverless.offer->name, "cost", jsondoc_num(s->serverless.cost), "memory_bytes",
					      jsondoc_num(s->serverless.memory_b)));
	else
		json_object_set_new(o, "serverless_equivalent", json_null());
	if (s->econ.present)
		json_object_set_new(o, "economics",
				    json_pack("{s:o, s:o, s:o, s:o}", "customers", jsondoc_num(s->econ.customers), "revenue",
					      jsondoc_num(s->econ.revenue), "cost_per_customer", jsondoc_num(s->econ.per_customer), "margin",
					      jsondoc_num(s->econ.margin)));
	else
		json_object_set_new(o, "economics", json_null());
	json_object_set_new(o, "shapes_evaluated", json_integer((json_int_t)s->evaluated));
	return o;
}

static json_t *current_json(const struct plan_report *r)
{
	const struct plan_current *c = r->current;
	if (!c || !c->present)
		return json_null();
	if (!c->valid)
		return json_pack("{s:b, s:s}", "valid", 0, "why",
				 reason_text(&c->why, (char[REASON_SHORT_MAX]){0}, REASON_SHORT_MAX));
	json_t *o = plan_summary_json(&c->now);
	json_object_set_new(o, "valid", json_true());
	json_object_set_new(o, "feasible_now", json_boolean(c->now.feasible));
	if (c->until.found)
		json_object_set_new(o, "holds_until",
				    json_pack("{s:o, s:o, s:s}", "users", jsondoc_num(c->until.users), "months",
					      c->until.months >= 0 ? jsondoc_num(c->until.months) : json_null(), "metric",
					      planner_res_name(c->until.res)));
	else
		json_object_set_new(o, "holds_until", json_null());
	return o;
}

static json_t *dedicated_json(const struct plan_report *r)
{
	const struct plan_dedicated *dd = r->dedicated;
	if (!dd || !dd->present)
		return json_null();
	const struct plan_step *s = &dd->step;
	json_t *o = json_pack("{s:o, s:I, s:o, s:b}", "users", jsondoc_num(dd->users), "customers", (json_int_t)dd->customers,
			      "availability", dd->availability > 0 ? jsondoc_num(dd->availability) : json_null(), "feasible",
			      s->feasible);
	json_object_set_new(o, "each", s->feasible ? plan_summary_json(&s->best) : json_null());
	json_object_set_new(o, "infra_each", s->feasible ? jsondoc_num(s->best.cost.infra) : json_null());
	json_object_set_new(o, "total", jsondoc_num(dd->total));
	json_object_set_new(o, "margin", jsondoc_num(dd->margin));
	json_object_set_new(o, "margin_infra", jsondoc_num(dd->margin_infra));
	json_object_set_new(o, "infeasible_reason", s->feasible ? json_null()
				  : json_string(reason_text(&s->why, (char[REASON_STEP_MAX]){0}, REASON_STEP_MAX)));
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
			    json_pack("{s:o, s:o}", "p95_s", ob->p95_s > 0 ? jsondoc_num(ob->p95_s) : json_null(), "availability",
				      ob->availability > 0 ? jsondoc_num(ob->availability) : json_null()));
	json_t *notes = json_array();
	for (size_t i = 0; i < r->n_notes; i++)
		json_array_append_new(notes, json_string(r->notes[i]));
	json_object_set_new(root, "notes", notes);
	json_object_set_new(root, "current", current_json(r));
	json_t *ms = json_array();
	for (size_t i = 0; i < r->n_steps; i++)
		json_array_append_new(ms, step_json(r, &r->steps[i]));
	json_object_set_new(root, "milestones", ms);
	json_object_set_new(root, "dedicated", dedicated_json(r));
	return jsondoc_render_digits(root, PLAN_JSON_DIGITS, out);
}
