/* plan_md.c - the scaling-strategy document (see plan_md.h). */
#include "render/plan_md.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/availability.h"
#include "model/rules.h"
#include "model/sample.h"
#include "render/reason.h"
#include "util/units.h"
#include "util/xalloc.h"

#define MONTH_MIN 43800.0 /* minutes in a 730-hour month, as the costs and availability.h */

/* -------------------------------------------------------------- format -- */

/* A whole number with thousands separators: 250,000. */
static char *fmt_count(double v, char *buf, size_t n)
{
	if (!isfinite(v)) {
		snprintf(buf, n, "-");
		return buf;
	}
	char raw[48];
	snprintf(raw, sizeof(raw), "%.0f", fabs(v));
	size_t len = strlen(raw), j = 0;
	if (v <= -0.5 && j + 1 < n)
		buf[j++] = '-';
	for (size_t i = 0; i < len && j + 2 < n; i++) {
		if (i && (len - i) % 3 == 0)
			buf[j++] = ',';
		buf[j++] = raw[i];
	}
	buf[j] = 0;
	return buf;
}

static char *fmt_pct(double ratio, char *buf, size_t n)
{
	if (!isfinite(ratio))
		snprintf(buf, n, "-");
	else if (ratio >= 0.9995 && ratio < 1)
		snprintf(buf, n, "%.3f%%", ratio * 100);
	else
		snprintf(buf, n, "%.0f%%", ratio * 100);
	return buf;
}

static char *fmt_avail(double a, char *buf, size_t n)
{
	if (!isfinite(a))
		snprintf(buf, n, "-");
	else
		snprintf(buf, n, "%.3f%%", a * 100);
	return buf;
}

/* Downtime a month in the unit that reads best: "26 s", "43.8 min", "7.3 h". */
static char *fmt_downtime(double minutes, char *buf, size_t n)
{
	if (!isfinite(minutes))
		snprintf(buf, n, "-");
	else if (minutes < 1)
		snprintf(buf, n, "%.0f s", minutes * 60);
	else if (minutes < 100)
		snprintf(buf, n, "%.1f min", minutes);
	else
		snprintf(buf, n, "%.1f h", minutes / 60);
	return buf;
}

static char *fmt_dur(double s, char *buf, size_t n)
{
	if (!isfinite(s))
		snprintf(buf, n, "-");
	else
		units_fmt_duration(s, buf, n);
	return buf;
}

static char *fmt_month(double m, char *buf, size_t n)
{
	if (isnan(m))
		snprintf(buf, n, "-");
	else if (m < 0)
		snprintf(buf, n, "reached");
	else if (m < 0.05)
		snprintf(buf, n, "now");
	else
		snprintf(buf, n, "%.1f", m);
	return buf;
}

/* A trigger level in the unit its metric's name implies (sample_unit(),
 * docs/metrics.md, "Naming"): the rule check's report follows. */
static char *fmt_level(const char *metric, double v, char *buf, size_t n)
{
	if (isnan(v)) {
		snprintf(buf, n, "-");
		return buf;
	}
	switch (sample_unit(metric ? metric : "")) {
	case SAMPLE_UNIT_RATIO:
		snprintf(buf, n, "%.4g%%", v * 100);
		break;
	case SAMPLE_UNIT_BYTES:
		units_fmt_size(v, buf, n);
		break;
	case SAMPLE_UNIT_PER_SECOND:
		snprintf(buf, n, "%.3g/s", v);
		break;
	case SAMPLE_UNIT_SECONDS:
		units_fmt_duration(v, buf, n);
		break;
	case SAMPLE_UNIT_COUNT:
	default:
		snprintf(buf, n, "%.4g", v);
		break;
	}
	return buf;
}

/* ---------------------------------------------------------------- words -- */

static const char *const stage_what[STAGE_COUNT] = {
	"everything (app, database, cache, proxy) on one node, no backups or monitoring",
	"one node with backups, uptime monitoring and a standby snapshot to restore from",
	"the app on its own node(s), PostgreSQL on a node of its own or a managed database",
	"two or more app nodes behind a load balancer, a replicated or managed database, Redis beside them",
	"Kubernetes: the app scaled by a HorizontalPodAutoscaler over three or more nodes",
};

/* What a constraint means, in words, for the bottleneck and next-change lines. */
static const char *res_words(enum plan_res r)
{
	switch (r) {
	case PRES_CPU: return "app CPU";
	case PRES_MEMORY: return "app memory";
	case PRES_DISK: return "app disk";
	case PRES_CONNECTIONS: return "request slots (workers x concurrency)";
	case PRES_TASK_SLOTS: return "worker task slots";
	case PRES_WORKER_CPU: return "worker nodes' CPU";
	case PRES_WORKER_MEMORY: return "worker nodes' memory";
	case PRES_DB_CPU: return "database CPU";
	case PRES_DB_MEMORY: return "database memory";
	case PRES_DB_DISK: return "database disk";
	case PRES_DB_CONNECTIONS: return "database connections";
	case PRES_REPLICA_CPU: return "read replicas' CPU";
	case PRES_POOLER_CLIENTS: return "pooler client connections";
	case PRES_POOLER_POOL: return "pooler server connections";
	case PRES_CACHE_MEMORY: return "Redis memory";
	case PRES_BANDWIDTH: return "monthly transfer";
	case PRES_EXT_RATE: return "external API rate limit";
	case PRES_P95: return "p95 latency";
	case PRES_AVAILABILITY: return "availability";
	default: return "?";
	}
}

static char *fmt_limit(const struct plan_candidate *c, enum plan_res r, double v, char *buf, size_t n)
{
	if (r == PRES_P95)
		return fmt_dur(v, buf, n);
	if (r == PRES_AVAILABILITY)
		return fmt_avail(v, buf, n);
	(void)c;
	return fmt_pct(v, buf, n);
}

/* "app memory at 66% (limit 80%)", "p95 latency at 420 ms (objective 500 ms)". */
static char *bottleneck_text(const struct plan_step *s, char *buf, size_t n)
{
	enum plan_res r = s->bottleneck;
	const struct plan_candidate *b = &s->best;
	char u[32], l[32];
	if (r == PRES_P95)
		snprintf(buf, n, "%s at %s (objective %s)", res_words(r), fmt_dur(b->util[r], u, sizeof(u)),
			 fmt_dur(b->limit[r], l, sizeof(l)));
	else if (r == PRES_AVAILABILITY)
		snprintf(buf, n, "%s at %s (objective %s)", res_words(r), fmt_avail(b->availability, u, sizeof(u)),
			 fmt_avail(b->limit[r], l, sizeof(l)));
	else
		snprintf(buf, n, "%s at %s (limit %s)", res_words(r), fmt_pct(b->util[r], u, sizeof(u)),
			 fmt_pct(b->limit[r], l, sizeof(l)));
	return buf;
}

struct ctx {
	const struct plan_doc_input *in;
	const struct plan_report *r;
	const char *cur;
	struct doc *d;
};

static char *money(const struct ctx *x, double v, char *buf, size_t n)
{
	if (!isfinite(v))
		snprintf(buf, n, "-");
	else
		units_fmt_money(v, x->cur, buf, n);
	return buf;
}

/* The infrastructure part without operations time (cost.infra is that). */
static double infra_only(const struct cost_breakdown *k)
{
	return k->infra;
}

static char *step_label(const struct ctx *x, size_t i, char *buf, size_t n)
{
	(void)x;
	snprintf(buf, n, "M%zu", i + 1);
	return buf;
}

/* --------------------------------------------------------------- summary -- */

/* What dominates a month's cost: the largest of infrastructure, operations, external. */
static void cost_mix(struct ctx *x, const struct plan_step *s)
{
	const struct cost_breakdown *k = &s->best.cost;
	struct {
		const char *what, *verb;
		double v;
	} part[] = {{"infrastructure", "is", infra_only(k)},
		    {"operations time", "is", k->ops},
		    {"external API calls", "are", k->external}};
	size_t top = 0;
	for (size_t i = 1; i < 3; i++)
		if (part[i].v > part[top].v)
			top = i;
	char users[32], tot[32], a[32];
	fmt_count(s->users, users, sizeof(users));
	money(x, k->total, tot, sizeof(tot));
	if (!(k->total > 0)) {
		doc_textf(x->d, "At %s users the plan costs nothing a month.", users);
		return;
	}
	doc_textf(x->d, "At %s users, %s %s %.0f%% of the %s a month (", users, part[top].what, part[top].verb,
		  part[top].v / k->total * 100, tot);
	bool first = true;
	for (size_t i = 0; i < 3; i++) {
		if (i == top || part[i].v <= 0)
			continue;
		doc_textf(x->d, "%s%s %s", first ? "" : ", ", part[i].what, money(x, part[i].v, a, sizeof(a)));
		first = false;
	}
	if (first)
		doc_text(x->d, "nothing else");
	doc_text(x->d, ").");
}

static void describe_choice(struct ctx *x, const struct plan_step *s)
{
	char nodes[256], tot[32], inf[32], ops[32], ext[32];
	const struct plan_candidate *b = &s->best;
	plan_nodes_text(b, nodes, sizeof(nodes));
	doc_strong(x->d, plan_stage_name(b->shape.stage));
	doc_textf(x->d, " on %s, ", b->provider ? b->provider : "?");
	doc_code(x->d, nodes);
	doc_textf(x->d, ", %s a month (%s infrastructure, %s operations, %s external APIs)", money(x, b->cost.total, tot, sizeof(tot)),
		  money(x, infra_only(&b->cost), inf, sizeof(inf)), money(x, b->cost.ops, ops, sizeof(ops)),
		  money(x, b->cost.external, ext, sizeof(ext)));
}

static void summary(struct ctx *x)
{
	const struct workload *w = x->r->in->workload;
	const struct objectives *ob = x->r->in->objectives;
	char a[48], b[48], c[48];
	doc_heading(x->d, 2, "summary", "Summary");
	const struct plan_step *t = x->in->today;
	if (t) {
		doc_item(x->d);
		doc_strong(x->d, "Today");
		doc_textf(x->d, " (%s users, %s online at the peak, %.3g requests/s): ", fmt_count(t->users, a, sizeof(a)),
			  fmt_count(t->demand.concurrent, b, sizeof(b)), t->demand.req_rate);
		if (t->feasible) {
			describe_choice(x, t);
			doc_textf(x->d, ". The bottleneck is %s.", bottleneck_text(t, (char[160]){0}, 160));
		} else {
			doc_textf(x->d, "no deployment the catalogue offers meets the targets: %s.",
				  reason_text(&t->why, (char[REASON_STEP_MAX]){0}, REASON_STEP_MAX));
		}
		doc_item(x->d);
		doc_strong(x->d, "Next change");
		doc_text(x->d, ": ");
		if (t->feasible && t->next.found && t->next.cheaper) {
			doc_textf(x->d, "another deployment becomes cheaper at %s users, as the volumes for the data grow",
				  fmt_count(t->next.users, b, sizeof(b)));
			if (t->next.months >= 0 && w->growth_monthly > 0)
				doc_textf(x->d, ", in month %.1f at %.0f%% growth a month", t->next.months, w->growth_monthly * 100);
			doc_text(x->d, ".");
		} else if (t->feasible && t->next.found) {
			enum plan_res nr = t->next.res;
			doc_textf(x->d, "%s passes its %s limit at %s users", res_words(nr),
				  fmt_limit(&t->best, nr, t->best.limit[nr], a, sizeof(a)), fmt_count(t->next.users, b, sizeof(b)));
			if (t->next.months >= 0 && w->growth_monthly > 0)
				doc_textf(x->d, ", in month %.1f at %.0f%% growth a month", t->next.months, w->growth_monthly * 100);
			const struct plan_step *th = x->in->then;
			if (th && th->feasible) {
				doc_text(x->d, "; then the cheapest deployment is ");
				describe_choice(x, th);
			}
			doc_text(x->d, ".");
		} else if (t->feasible) {
			doc_textf(x->d, "none: today's deployment holds past %s users.", fmt_count(t->next.users, a, sizeof(a)));
		} else {
			doc_text(x->d, "none can be planned until the targets or the catalogue change.");
		}
	}
	if (x->r->n_steps) {
		doc_item(x->d);
		doc_strong(x->d, "Cost");
		doc_text(x->d, ": ");
		const struct plan_step *first = NULL, *last = NULL;
		for (size_t i = 0; i < x->r->n_steps; i++) {
			if (!x->r->steps[i].feasible)
				continue;
			if (!first)
				first = &x->r->steps[i];
			last = &x->r->steps[i];
		}
		if (t && t->feasible)
			first = t;
		if (first) {
			cost_mix(x, first);
			if (last && last != first) {
				doc_text(x->d, " ");
				cost_mix(x, last);
			}
		} else {
			doc_text(x->d, "no milestone has a feasible deployment.");
		}
		size_t infeasible = 0;
		for (size_t i = 0; i < x->r->n_steps; i++)
			infeasible += !x->r->steps[i].feasible;
		if (infeasible) {
			doc_item(x->d);
			doc_strong(x->d, "Not feasible");
			doc_textf(x->d, ": %zu milestone%s cannot be met by anything the catalogue offers (see the roadmap).",
				  infeasible, infeasible == 1 ? "" : "s");
		}
	}
	doc_item(x->d);
	doc_strong(x->d, "Targets");
	doc_textf(x->d, ": p95 %s, availability %s; utilisation limits CPU %s, memory %s, disk %s, database connections %s.",
		  ob->p95_s > 0 ? fmt_dur(ob->p95_s, a, sizeof(a)) : "none", ob->availability > 0 ? fmt_avail(ob->availability, b, sizeof(b)) : "none",
		  fmt_pct(ob->cpu_max, c, sizeof(c)), fmt_pct(ob->memory_max, (char[16]){0}, 16),
		  fmt_pct(ob->disk_max, (char[16]){0}, 16), fmt_pct(ob->db_conn_max, (char[16]){0}, 16));
}

/* --------------------------------------------------------------- roadmap -- */

static void roadmap(struct ctx *x)
{
	doc_heading(x->d, 2, "roadmap", "Roadmap");
	doc_para(x->d);
	doc_textf(x->d, "For each milestone, the cheapest deployment that keeps every resource under its limit and meets the "
			"objectives; amounts are %s a month.", x->cur);
	static const char *const h[] = {"Milestone", "Month", "Users", "Stage", "Nodes", "Infrastructure", "Operations",
					"External", "Total", "p95", "Availability", "Bottleneck"};
	static const bool right[] = {false, true, true, false, false, true, true, true, true, true, true, false};
	doc_table(x->d, 12, h, right);
	for (size_t i = 0; i < x->r->n_steps; i++) {
		const struct plan_step *s = &x->r->steps[i];
		const struct plan_candidate *b = &s->best;
		char ms[24], mo[16], us[32], nodes[256], inf[32], ops[32], ext[32], tot[32], p95[32], av[32], bot[64], u[16];
		step_label(x, i, ms, sizeof(ms));
		fmt_month(x->in->months ? x->in->months[i] : NAN, mo, sizeof(mo));
		fmt_count(s->users, us, sizeof(us));
		if (!s->feasible) {
			money(x, s->demand.ext_cost_month, ext, sizeof(ext));
			const char *row[] = {ms, mo, us, "infeasible", "-", "-", "-", ext, "-", "-", "-", "-"};
			doc_row(x->d, row);
			continue;
		}
		plan_nodes_text(b, nodes, sizeof(nodes));
		snprintf(bot, sizeof(bot), "%s %s", res_words(s->bottleneck), fmt_pct(b->util[s->bottleneck], u, sizeof(u)));
		if (s->bottleneck == PRES_P95 || s->bottleneck == PRES_AVAILABILITY)
			snprintf(bot, sizeof(bot), "%s", res_words(s->bottleneck));
		const char *row[] = {ms, mo, us, plan_stage_name(b->shape.stage), nodes,
				     money(x, infra_only(&b->cost), inf, sizeof(inf)), money(x, b->cost.ops, ops, sizeof(ops)),
				     money(x, b->cost.external, ext, sizeof(ext)), money(x, b->cost.total, tot, sizeof(tot)),
				     fmt_dur(b->p95_s, p95, sizeof(p95)), fmt_avail(b->availability, av, sizeof(av)), bot};
		doc_row(x->d, row);
	}
	bool any_month = false;
	for (size_t i = 0; x->in->months && i < x->r->n_steps; i++)
		any_month |= isfinite(x->in->months[i]) && x->in->months[i] > 0;
	if (any_month) {
		doc_note(x->d);
		doc_textf(x->d, "Month: when the growth of %.0f%% a month from today's %s users reaches the milestone.",
			  x->r->in->workload->growth_monthly * 100, fmt_count(x->r->in->workload->users, (char[32]){0}, 32));
	}
	for (size_t i = 0; i < x->r->n_steps; i++) {
		const struct plan_step *s = &x->r->steps[i];
		if (s->feasible)
			continue;
		doc_note(x->d);
		doc_textf(x->d, "%s (%s users) is infeasible: %s.", step_label(x, i, (char[24]){0}, 24),
			  fmt_count(s->users, (char[32]){0}, 32),
			  reason_text(&s->why, (char[REASON_STEP_MAX]){0}, REASON_STEP_MAX));
	}
}

/* ---------------------------------------------------------------- charts -- */

struct money_fmt {
	char pre[16], suf[16];
};

static void fmt_money_tick(double v, double step, const void *ctx, char *buf, size_t n)
{
	const struct money_fmt *m = ctx;
	char num[48];
	svg_fmt_number(v, step, NULL, num, sizeof(num));
	if (num[0] == '-')
		snprintf(buf, n, "-%s%s%s", m->pre, num + 1, m->suf);
	else
		snprintf(buf, n, "%s%s%s", m->pre, num, m->suf);
}

static void fmt_users_tick(double v, double step, const void *ctx, char *buf, size_t n)
{
	(void)ctx;
	svg_fmt_number(v, step, NULL, buf, n);
}

/* "$" before or " CHF" after, from the money formatter itself. */
static void money_affixes(const char *cur, struct money_fmt *m)
{
	char s[48];
	units_fmt_money(1, cur, s, sizeof(s));
	const char *one = strstr(s, "1.00");
	m->pre[0] = m->suf[0] = 0;
	if (!one)
		return;
	snprintf(m->pre, sizeof(m->pre), "%.*s", (int)(one - s), s);
	snprintf(m->suf, sizeof(m->suf), "%s", one + 4);
}

/* A log axis when the users span more than a factor of 20 and none is 0. */
static enum svg_scale users_scale(const double *u, size_t n)
{
	double lo = INFINITY, hi = 0;
	for (size_t i = 0; i < n; i++) {
		lo = fmin(lo, u[i]);
		hi = fmax(hi, u[i]);
	}
	return lo > 0 && hi / lo >= 20 ? SVG_LOG : SVG_LINEAR;
}

/* The stage of each run of curve points (and the runs no deployment meets),
 * as bands split half way between points. */
static size_t stage_bands(const struct plan_step *c, size_t n, enum svg_scale xs, struct svg_band *out, size_t cap)
{
	size_t nb = 0;
	for (size_t i = 0; i < n && nb < cap;) {
		int st = c[i].feasible ? (int)c[i].best.shape.stage : -1;
		size_t j = i;
		while (j + 1 < n && (c[j + 1].feasible ? (int)c[j + 1].best.shape.stage : -1) == st)
			j++;
		double a = c[i].users, z = c[j].users;
		if (i > 0)
			a = xs == SVG_LOG && c[i - 1].users > 0 ? sqrt(c[i - 1].users * c[i].users) : (c[i - 1].users + c[i].users) / 2;
		if (j + 1 < n)
			z = xs == SVG_LOG && c[j].users > 0 ? sqrt(c[j].users * c[j + 1].users) : (c[j].users + c[j + 1].users) / 2;
		out[nb++] = (struct svg_band){a, z, st < 0 ? "infeasible" : plan_stage_name((enum stage_kind)st),
					      st < 0 ? 5u : (unsigned)st};
		i = j + 1;
	}
	return nb;
}

/* Tips are built into one buffer; pointers are taken once it stops growing. */
struct tips {
	char **s;
	size_t n;
};

static void tips_init(struct tips *t, size_t n)
{
	t->s = xcalloc(n ? n : 1, sizeof(char *));
	t->n = n;
}

static void tips_free(struct tips *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->s[i]);
	free(t->s);
}

#define MAX_BANDS 64
#define MAX_UTIL_SERIES 6
#define MAX_CLASS_SERIES 5

static int chart_cost(struct ctx *x, const char *comment)
{
	size_t n = x->in->n_curve;
	const struct plan_step *c = x->in->curve;
	double *u = xcalloc(n ? n : 1, sizeof(double)), *inf = xcalloc(n ? n : 1, sizeof(double)),
	       *ops = xcalloc(n ? n : 1, sizeof(double)), *ext = xcalloc(n ? n : 1, sizeof(double));
	struct tips t;
	tips_init(&t, n);
	for (size_t i = 0; i < n; i++) {
		u[i] = c[i].users;
		bool ok = c[i].feasible;
		inf[i] = ok ? infra_only(&c[i].best.cost) : NAN;
		ops[i] = ok ? c[i].best.cost.ops : NAN;
		ext[i] = ok ? c[i].best.cost.external : NAN;
		if (!ok)
			continue;
		/* one hover text, on the top of the stack, with every part */
		char us[32], a[32], o[32], e[32], tot[32];
		t.s[i] = xasprintf("%s users, %s: %s a month = infrastructure %s + operations %s + external APIs %s",
				   fmt_count(u[i], us, sizeof(us)), plan_stage_name(c[i].best.shape.stage),
				   money(x, c[i].best.cost.total, tot, sizeof(tot)), money(x, inf[i], a, sizeof(a)),
				   money(x, ops[i], o, sizeof(o)), money(x, ext[i], e, sizeof(e)));
	}
	struct svg_series s[3] = {
		{"infrastructure", inf, NULL, 0, false, true},
		{"operations", ops, NULL, 5, false, true},
		{"external APIs", ext, (const char *const *)t.s, 1, false, false},
	};
	struct money_fmt mf;
	money_affixes(x->cur, &mf);
	enum svg_scale xs = users_scale(u, n);
	struct svg_band bands[MAX_BANDS];
	size_t nb = stage_bands(c, n, xs, bands, MAX_BANDS);
	char ytitle[64];
	snprintf(ytitle, sizeof(ytitle), "Cost a month (%s)", x->cur);
	struct svg_chart ch = {
		.title = "Monthly cost against users",
		.desc = "Infrastructure, operations and external API cost a month, stacked, for the cheapest deployment at "
			"each user count; the shaded bands are the stages.",
		.kind = SVG_STACKED, .x = u, .n = n,
		.xa = {"Users" , xs, NAN, NAN, false, fmt_users_tick, NULL},
		.ya = {ytitle, SVG_LINEAR, NAN, NAN, true, fmt_money_tick, &mf},
		.series = s, .n_series = 3, .bands = bands, .n_bands = nb,
	};
	int rc = doc_chart(x->d, "cost", &ch, comment);
	tips_free(&t);
	free(u);
	free(inf);
	free(ops);
	free(ext);
	return rc;
}

static int chart_util(struct ctx *x, const char *comment)
{
	size_t n = x->in->n_curve;
	const struct plan_step *c = x->in->curve;
	/* the resources that come closest to their limits */
	double peak[PRES_P95] = {0};
	for (size_t i = 0; i < n; i++)
		for (int r = 0; r < PRES_P95; r++)
			if (c[i].feasible && c[i].best.has[r] && c[i].best.limit[r] > 0 && isfinite(c[i].best.util[r]))
				peak[r] = fmax(peak[r], c[i].best.util[r] / c[i].best.limit[r]);
	int pick[MAX_UTIL_SERIES];
	size_t np = 0;
	while (np < MAX_UTIL_SERIES) {
		int best = -1;
		for (int r = 0; r < PRES_P95; r++) {
			bool taken = false;
			for (size_t k = 0; k < np; k++)
				taken |= pick[k] == r;
			if (!taken && peak[r] > 0 && (best < 0 || peak[r] > peak[best]))
				best = r;
		}
		if (best < 0)
			break;
		pick[np++] = best;
	}
	double *u = xcalloc(n ? n : 1, sizeof(double));
	double *y = xcalloc((n ? n : 1) * MAX_UTIL_SERIES, sizeof(double));
	struct tips t[MAX_UTIL_SERIES];
	struct svg_series s[MAX_UTIL_SERIES];
	for (size_t k = 0; k < np; k++) {
		tips_init(&t[k], n);
		s[k] = (struct svg_series){planner_res_name((enum plan_res)pick[k]), y + k * n, (const char *const *)t[k].s,
					   (unsigned)k, false, false};
	}
	for (size_t i = 0; i < n; i++) {
		u[i] = c[i].users;
		for (size_t k = 0; k < np; k++) {
			int r = pick[k];
			bool ok = c[i].feasible && c[i].best.has[r];
			y[k * n + i] = ok ? c[i].best.util[r] : NAN;
			if (!ok)
				continue;
			char us[32], a[16], l[16];
			t[k].s[i] = xasprintf("%s users (%s): %s %s of its %s limit", fmt_count(u[i], us, sizeof(us)),
					      plan_stage_name(c[i].best.shape.stage), planner_res_name((enum plan_res)r),
					      fmt_pct(c[i].best.util[r], a, sizeof(a)), fmt_pct(c[i].best.limit[r], l, sizeof(l)));
		}
	}
	/* one threshold line per distinct limit, naming the resources it applies to */
	struct svg_rule rules[MAX_UTIL_SERIES];
	char labels[MAX_UTIL_SERIES][160];
	size_t nr = 0;
	for (size_t k = 0; k < np; k++) {
		double lim = NAN;
		for (size_t i = 0; i < n && isnan(lim); i++)
			if (c[i].feasible && c[i].best.has[pick[k]])
				lim = c[i].best.limit[pick[k]];
		if (isnan(lim))
			continue;
		size_t j = 0;
		while (j < nr && fabs(rules[j].y - lim) > 1e-9)
			j++;
		if (j == nr) {
			rules[nr] = (struct svg_rule){lim, labels[nr], SVG_RULE_WARN};
			snprintf(labels[nr], sizeof(labels[nr]), "limit %s: %s", fmt_pct(lim, (char[16]){0}, 16),
				 planner_res_name((enum plan_res)pick[k]));
			nr++;
		} else {
			size_t len = strlen(labels[j]);
			snprintf(labels[j] + len, sizeof(labels[j]) - len, ", %s", planner_res_name((enum plan_res)pick[k]));
		}
	}
	enum svg_scale xs = users_scale(u, n);
	struct svg_band bands[MAX_BANDS];
	size_t nb = stage_bands(c, n, xs, bands, MAX_BANDS);
	struct svg_chart ch = {
		.title = "Utilisation against users",
		.desc = "Utilisation of the resources closest to their limits, for the cheapest deployment at each user "
			"count; dashed lines are the limits; the shaded bands are the stages.",
		.kind = SVG_LINES, .x = u, .n = n,
		.xa = {"Users", xs, NAN, NAN, false, fmt_users_tick, NULL},
		.ya = {"Utilisation", SVG_LINEAR, NAN, NAN, true, svg_fmt_percent, NULL},
		.series = s, .n_series = np, .bands = bands, .n_bands = nb, .rules = rules, .n_rules = nr,
	};
	int rc = doc_chart(x->d, "utilization", &ch, comment);
	for (size_t k = 0; k < np; k++)
		tips_free(&t[k]);
	free(u);
	free(y);
	return rc;
}

static int chart_availability(struct ctx *x, const char *comment)
{
	size_t n = x->r->n_steps;
	const struct plan_step *st = x->r->steps;
	double *u = xcalloc(n ? n : 1, sizeof(double)), *a = xcalloc(n ? n : 1, sizeof(double));
	struct tips t;
	tips_init(&t, n);
	for (size_t i = 0; i < n; i++) {
		u[i] = st[i].users;
		a[i] = st[i].feasible ? st[i].best.availability : NAN;
		if (!st[i].feasible)
			continue;
		char us[32], av[32], dt[32];
		t.s[i] = xasprintf("M%zu, %s users (%s): %s, %s down a month", i + 1, fmt_count(u[i], us, sizeof(us)),
				   plan_stage_name(st[i].best.shape.stage), fmt_avail(a[i], av, sizeof(av)),
				   fmt_downtime(avail_downtime_min_month(a[i]), dt, sizeof(dt)));
	}
	struct svg_series s = {"availability", a, (const char *const *)t.s, 2, false, false};
	char lab[64];
	const struct objectives *ob = x->r->in->objectives;
	struct svg_rule rule = {ob->availability, lab, SVG_RULE_TARGET};
	snprintf(lab, sizeof(lab), "objective %s", fmt_avail(ob->availability, (char[32]){0}, 32));
	struct svg_chart ch = {
		.title = "Availability per milestone",
		.desc = "The monthly availability the deployment of each milestone can promise, with the objective.",
		.kind = SVG_LINES, .x = u, .n = n,
		.xa = {"Users", users_scale(u, n), NAN, NAN, false, fmt_users_tick, NULL},
		.ya = {"Availability", SVG_LINEAR, NAN, 1, false, svg_fmt_percent, NULL}, /* nothing is up more than always */
		.series = &s, .n_series = 1, .rules = &rule, .n_rules = ob->availability > 0,
	};
	int rc = doc_chart(x->d, "availability", &ch, comment);
	tips_free(&t);
	free(u);
	free(a);
	return rc;
}

static int chart_p95(struct ctx *x, const char *comment)
{
	size_t n = x->r->n_steps;
	const struct plan_step *st = x->r->steps;
	const struct workload *w = x->r->in->workload;
	size_t nc = w->n_requests < MAX_CLASS_SERIES ? w->n_requests : MAX_CLASS_SERIES;
	if (nc > PLANNER_MAX_CLASSES)
		nc = PLANNER_MAX_CLASSES;
	double *u = xcalloc(n ? n : 1, sizeof(double));
	double *y = xcalloc((n ? n : 1) * (nc + 1), sizeof(double));
	struct tips t[MAX_CLASS_SERIES + 1];
	struct svg_series s[MAX_CLASS_SERIES + 1];
	/* one line per request class; the worst alone when there is one class */
	size_t ns = nc > 1 ? nc : 1;
	for (size_t k = 0; k < ns; k++) {
		tips_init(&t[k], n);
		s[k] = (struct svg_series){nc > 1 ? w->requests[k].name : "p95", y + k * n, (const char *const *)t[k].s,
					   (unsigned)k, false, false};
	}
	for (size_t i = 0; i < n; i++) {
		u[i] = st[i].users;
		for (size_t k = 0; k < ns; k++) {
			double v = !st[i].feasible ? NAN : nc > 1 ? st[i].best.class_p95[k] : st[i].best.p95_s;
			y[k * n + i] = v;
			if (!isfinite(v))
				continue;
			char us[32], d[32];
			t[k].s[i] = xasprintf("M%zu, %s users: %s p95 %s", i + 1, fmt_count(u[i], us, sizeof(us)), s[k].name,
					      fmt_dur(v, d, sizeof(d)));
		}
	}
	char lab[64];
	const struct objectives *ob = x->r->in->objectives;
	struct svg_rule rule = {ob->p95_s, lab, SVG_RULE_TARGET};
	snprintf(lab, sizeof(lab), "objective %s", fmt_dur(ob->p95_s, (char[32]){0}, 32));
	/* classes far apart (a 15 s streamed reply beside a 100 ms API call): a log axis shows both */
	double lo = INFINITY, hi = 0;
	for (size_t i = 0; i < n * ns; i++)
		if (isfinite(y[i]) && y[i] > 0) {
			lo = fmin(lo, y[i]);
			hi = fmax(hi, y[i]);
		}
	enum svg_scale ys = hi / lo >= 20 ? SVG_LOG : SVG_LINEAR;
	struct svg_chart ch = {
		.title = "p95 latency per milestone",
		.desc = "The 95th percentile response time of each request class (M/M/c queueing) for the deployment of "
			"each milestone, with the objective.",
		.kind = SVG_LINES, .x = u, .n = n,
		.xa = {"Users", users_scale(u, n), NAN, NAN, false, fmt_users_tick, NULL},
		.ya = {"p95", ys, NAN, NAN, ys == SVG_LINEAR, svg_fmt_duration, NULL},
		.series = s, .n_series = ns, .rules = &rule, .n_rules = ob->p95_s > 0,
	};
	int rc = doc_chart(x->d, "p95", &ch, comment);
	for (size_t k = 0; k < ns; k++)
		tips_free(&t[k]);
	free(u);
	free(y);
	return rc;
}

static int charts(struct ctx *x, const char *comment)
{
	doc_heading(x->d, 2, "charts", "Charts");
	doc_para(x->d);
	doc_text(x->d, "Cost and utilisation are planned at many user counts between the first and the last milestone, so "
		       "each change of deployment shows where it happens; availability and p95 are those of the milestones. "
		       "Hover a point for its figures.");
	int rc = chart_cost(x, comment);
	if (!rc)
		rc = chart_util(x, comment);
	if (!rc)
		rc = chart_availability(x, comment);
	if (!rc)
		rc = chart_p95(x, comment);
	return rc;
}

/* ---------------------------------------------------------------- stages -- */

#define MAX_STAGE_COLS 4

static void cost_table(struct ctx *x, const size_t *idx, size_t n)
{
	const char *h[MAX_STAGE_COLS + 1];
	char hb[MAX_STAGE_COLS][48];
	bool right[MAX_STAGE_COLS + 1] = {false};
	h[0] = "Per month";
	for (size_t k = 0; k < n; k++) {
		snprintf(hb[k], sizeof(hb[k]), "M%zu: %s users", idx[k] + 1,
			 fmt_count(x->r->steps[idx[k]].users, (char[32]){0}, 32));
		h[k + 1] = hb[k];
		right[k + 1] = true;
	}
	doc_table(x->d, n + 1, h, right);
	static const char *const item[] = {"servers", "backups", "monitoring", "load balancer", "managed database",
					   "managed Redis", "Kubernetes control plane", "block storage", "operations time",
					   "external APIs", "total", "per user"};
	for (size_t it = 0; it < sizeof(item) / sizeof(item[0]); it++) {
		char cell[MAX_STAGE_COLS][32];
		const char *row[MAX_STAGE_COLS + 1] = {item[it]};
		bool any = false;
		for (size_t k = 0; k < n; k++) {
			const struct cost_breakdown *c = &x->r->steps[idx[k]].best.cost;
			double v[] = {c->servers, c->backups, c->monitoring, c->lb, c->managed_db, c->managed_cache,
				      c->k8s, c->volumes, c->ops, c->external, c->total, c->per_user};
			any |= v[it] != 0;
			if (it == 11 && v[it] > 0 && v[it] < 0.01)
				snprintf(cell[k], sizeof(cell[k]), "%s / 1,000", money(x, v[it] * 1000, (char[32]){0}, 32));
			else
				money(x, v[it], cell[k], sizeof(cell[k]));
			row[k + 1] = cell[k];
		}
		if (any || it == 10)
			doc_row(x->d, row);
	}
}

static void stage_section(struct ctx *x, const size_t *idx, size_t n)
{
	const struct plan_step *s0 = &x->r->steps[idx[0]];
	const struct plan_candidate *b = &s0->best;
	enum stage_kind st = b->shape.stage;
	char title[160], a[32], z[32];
	if (n == 1)
		snprintf(title, sizeof(title), "%s (M%zu, %s users)", plan_stage_name(st), idx[0] + 1,
			 fmt_count(s0->users, a, sizeof(a)));
	else
		snprintf(title, sizeof(title), "%s (M%zu to M%zu, %s to %s users)", plan_stage_name(st), idx[0] + 1,
			 idx[n - 1] + 1, fmt_count(s0->users, a, sizeof(a)), fmt_count(x->r->steps[idx[n - 1]].users, z, sizeof(z)));
	doc_heading(x->d, 3, NULL, title);
	doc_para(x->d);
	doc_textf(x->d, "%c%s.", toupper((unsigned char)stage_what[st][0]), stage_what[st] + 1);
	for (size_t k = 0; k < n; k++) {
		const struct plan_step *s = &x->r->steps[idx[k]];
		const struct plan_candidate *c = &s->best;
		char nodes[256];
		plan_nodes_text(c, nodes, sizeof(nodes));
		doc_item(x->d);
		doc_textf(x->d, "M%zu on %s: ", idx[k] + 1, c->provider ? c->provider : "?");
		doc_code(x->d, nodes);
		doc_textf(x->d, "; %u app replica%s and %u app process%s per node", c->app_replicas, c->app_replicas == 1 ? "" : "s",
			  c->app_processes, c->app_processes == 1 ? "" : "es");
		if (c->shape.n_app >= 2) {
			unsigned need = c->app_needed;
			doc_textf(x->d, "; %u of the %u app nodes needed at the peak (N+%u)", need, c->shape.n_app,
				  c->shape.n_app - need);
		}
		if (c->shape.managed_db)
			doc_textf(x->d, "; managed PostgreSQL %s", c->shape.managed_db->name);
		else if (c->shape.db_node)
			doc_textf(x->d, "; PostgreSQL on %u\xC3\x97%s%s", c->shape.n_db, c->shape.db_node->name,
				  c->shape.n_db > 1 ? " (primary and standby)" : "");
		if (c->shape.managed_cache)
			doc_textf(x->d, "; managed Redis %s", c->shape.managed_cache->name);
		if (c->lb)
			doc_textf(x->d, "; load balancer %s", c->lb->name);
		if (c->k8s)
			doc_textf(x->d, "; Kubernetes control plane %s", c->k8s->name);
		if (c->backup)
			doc_textf(x->d, "; backups (%.0f%% of the server price)", c->backup->percent * 100);
		if (c->monitoring)
			doc_textf(x->d, "; uptime monitoring (%s)", c->monitoring->name);
		if (c->volume_gb > 0)
			doc_textf(x->d, "; %.0f GB of block storage", c->volume_gb);
		doc_textf(x->d, "; bottleneck %s.", bottleneck_text(s, (char[160]){0}, 160));
	}
	/* the cost table shows at most MAX_STAGE_COLS milestones: the first ones and the last */
	size_t cols[MAX_STAGE_COLS], nc = 0;
	for (size_t k = 0; k < n && nc < MAX_STAGE_COLS; k++)
		cols[nc++] = idx[k];
	if (n > MAX_STAGE_COLS)
		cols[MAX_STAGE_COLS - 1] = idx[n - 1];
	cost_table(x, cols, nc);
}

static void stages(struct ctx *x)
{
	doc_heading(x->d, 2, "stages", "Stages");
	doc_para(x->d);
	doc_text(x->d, "Each stage the roadmap reaches, with the milestones it serves, what runs where, and what a month "
		       "of it costs, part by part.");
	size_t n = x->r->n_steps;
	size_t *idx = xcalloc(n ? n : 1, sizeof(size_t));
	for (size_t i = 0; i < n;) {
		if (!x->r->steps[i].feasible) {
			i++;
			continue;
		}
		enum stage_kind st = x->r->steps[i].best.shape.stage;
		size_t k = 0;
		while (i < n && x->r->steps[i].feasible && x->r->steps[i].best.shape.stage == st)
			idx[k++] = i++;
		stage_section(x, idx, k);
	}
	free(idx);
}

/* ------------------------------------------------------------------- SLA -- */

static void sla(struct ctx *x)
{
	doc_heading(x->d, 2, "sla", "SLA tiers");
	doc_para(x->d);
	doc_text(x->d, "The availability each milestone's deployment can promise comes from its parts' failures and "
		       "recoveries (repair, restore, failover, planned downtime), composed in series and parallel; a "
		       "provider's published SLA bounds only its own share. A tier can be promised from the first milestone "
		       "whose deployment reaches it.");
	static const double tiers[] = {0.99, 0.995, 0.999, 0.9995, 0.9999};
	static const char *const h[] = {"Tier", "Downtime allowed a month", "Reached by", "Note"};
	static const bool right[] = {true, true, false, false};
	doc_table(x->d, 4, h, right);
	const struct objectives *ob = x->r->in->objectives;
	for (size_t t = 0; t < sizeof(tiers) / sizeof(tiers[0]); t++) {
		char tier[32], dt[32], by[96] = "not in this plan";
		fmt_avail(tiers[t], tier, sizeof(tier));
		fmt_downtime((1 - tiers[t]) * MONTH_MIN, dt, sizeof(dt));
		for (size_t i = 0; i < x->r->n_steps; i++) {
			const struct plan_step *s = &x->r->steps[i];
			if (s->feasible && s->best.availability >= tiers[t] - 1e-12) {
				snprintf(by, sizeof(by), "M%zu (%s, %s)", i + 1, plan_stage_name(s->best.shape.stage),
					 fmt_avail(s->best.availability, (char[32]){0}, 32));
				break;
			}
		}
		const char *note = fabs(tiers[t] - ob->availability) < 1e-9 ? "the objective" : "";
		const char *row[] = {tier, dt, by, note};
		doc_row(x->d, row);
	}
	doc_heading(x->d, 3, NULL, "Where the downtime comes from");
	doc_para(x->d);
	doc_text(x->d, "For the first milestone of each stage: the parts in series, how many units each has and how many "
		       "must be up, the minutes a month each costs and the causes they come from (how often, how long "
		       "each time: docs/plan.md, \"Availability\").");
	static const char *const h2[] = {"Milestone", "Part", "Units", "Needed up", "Failover", "One unit",
					 "Downtime a month", "Causes"};
	static const bool right2[] = {false, false, true, true, true, true, true, false};
	doc_table(x->d, 8, h2, right2);
	int last_stage = -1;
	for (size_t i = 0; i < x->r->n_steps; i++) {
		const struct plan_step *s = &x->r->steps[i];
		const struct plan_doc_avail *av = x->in->avail ? &x->in->avail[i] : NULL;
		if (!s->feasible || !av || av->n == 0 || (int)s->best.shape.stage == last_stage)
			continue;
		last_stage = (int)s->best.shape.stage;
		char ms[64];
		snprintf(ms, sizeof(ms), "M%zu (%s)", i + 1, plan_stage_name(s->best.shape.stage));
		double total = 0;
		for (size_t p = 0; p < av->n; p++) {
			const struct avail_part *pt = &av->parts[p];
			const struct avail_part_u *e = &av->eval[p];
			char units[16], need[16], fo[32], one[32], dt[32], causes[256] = "";
			snprintf(units, sizeof(units), "%u", pt->count);
			snprintf(need, sizeof(need), "%u", pt->k_needed);
			double take = 0;
			for (size_t c = 0; c < pt->n_causes && take == 0; c++)
				if (!pt->causes[c].planned)
					take = pt->causes[c].takeover_s;
			if (pt->mode == AVAIL_FAILOVER && pt->count > 1 && take > 0)
				fmt_dur(take, fo, sizeof(fo));
			else
				snprintf(fo, sizeof(fo), "-");
			fmt_avail(1 - e->unit_u, one, sizeof(one));
			fmt_downtime(av->minutes[p], dt, sizeof(dt));
			total += av->minutes[p];
			size_t used = 0;
			for (size_t c = 0; c < pt->n_causes; c++) {
				char m[32];
				if (pt->causes[c].planned && e->cause_u[c] == 0)
					snprintf(m, sizeof(m), "rolled"); /* through the pool: no downtime */
				else
					fmt_downtime(e->cause_u[c] * MONTH_MIN, m, sizeof(m));
				int k = snprintf(causes + used, sizeof(causes) - used, "%s%s %s", used ? ", " : "",
						 pt->causes[c].name, m);
				if (k < 0 || (size_t)k >= sizeof(causes) - used)
					break;
				used += (size_t)k;
			}
			if (pt->n_causes == 0 && pt->fixed_cause)
				snprintf(causes, sizeof(causes), "%s", pt->fixed_cause);
			const char *row[] = {p == 0 ? ms : "", pt->name ? pt->name : "?", units, need, fo, one, dt, causes};
			doc_row(x->d, row);
		}
		char dt[32], a[32];
		fmt_downtime(total, dt, sizeof(dt));
		snprintf(a, sizeof(a), "total: %s", fmt_avail(s->best.availability, (char[32]){0}, 32));
		const char *row[] = {"", a, "", "", "", "", dt, ""};
		doc_row(x->d, row);
	}
}

/* -------------------------------------------------------------- triggers -- */

static void triggers(struct ctx *x)
{
	doc_heading(x->d, 2, "triggers", "Triggers");
	doc_para(x->d);
	doc_text(x->d, "What ");
	doc_code(x->d, "headroom check");
	doc_text(x->d, " and the agent watch: headroom's default policy (built from the seeds' thresholds) merged with "
		       "the config's own triggers, as check applies them. A level holds for the \"for\" duration before the "
		       "state changes.");
	static const char *const h[] = {"Trigger", "Metric", "Warn", "Crit", "For", "Action", "From"};
	static const bool right[] = {false, false, true, true, true, false, false};
	doc_table(x->d, 7, h, right);
	for (size_t i = 0; i < x->in->n_rules; i++) {
		const struct trigger_rule *r = &x->in->rules[i];
		char lw[32], lc[32], w[48], c[48], f[32], metric[160];
		const char *below = r->dir == TRIGGER_BELOW ? "< " : "";
		fmt_level(r->metric, r->warn, lw, sizeof(lw));
		fmt_level(r->metric, r->crit, lc, sizeof(lc));
		snprintf(w, sizeof(w), "%s%s", isnan(r->warn) ? "" : below, lw);
		snprintf(c, sizeof(c), "%s%s", isnan(r->crit) ? "" : below, lc);
		if (r->for_s == 0)
			snprintf(f, sizeof(f), "0");
		else
			fmt_dur(r->for_s, f, sizeof(f));
		snprintf(metric, sizeof(metric), "%s", r->metric ? r->metric : "-");
		const char *from = x->in->rule_default && x->in->rule_default[i] ? "default" : "config";
		char fromb[200];
		if (r->origin) {
			snprintf(fromb, sizeof(fromb), "%s: %s", from, r->origin);
			from = fromb;
		}
		const char *row[] = {r->name ? r->name : "-", metric, w, c, f, r->action ? r->action : "-", from};
		doc_row(x->d, row);
	}
}

/* --------------------------------------------------------------- actions -- */

static void change_steps(struct ctx *x, const struct plan_candidate *a, const struct plan_candidate *b)
{
	const struct plan_shape *p = &a->shape, *q = &b->shape;
	if (p->stage != q->stage) {
		doc_item(x->d);
		doc_textf(x->d, "Move from %s to %s: %s.", plan_stage_name(p->stage), plan_stage_name(q->stage), stage_what[q->stage]);
	}
	if (p->app != q->app || p->n_app != q->n_app) {
		doc_item(x->d);
		doc_textf(x->d, "App nodes: %u\xC3\x97%s to %u\xC3\x97%s.", p->n_app, p->app ? p->app->name : "?", q->n_app,
			  q->app ? q->app->name : "?");
	}
	if (p->db_node != q->db_node || p->n_db != q->n_db || p->managed_db != q->managed_db) {
		doc_item(x->d);
		if (q->managed_db)
			doc_textf(x->d, "Move PostgreSQL to a managed database (%s).", q->managed_db->name);
		else if (q->db_node && !p->db_node && !p->managed_db)
			doc_textf(x->d, "Move PostgreSQL to its own node%s: %u\xC3\x97%s.", q->n_db > 1 ? "s" : "", q->n_db,
				  q->db_node->name);
		else if (q->db_node)
			doc_textf(x->d, "Database nodes: %u\xC3\x97%s%s.", q->n_db, q->db_node->name,
				  q->n_db > 1 ? " (a primary and a streaming standby with failover)" : "");
		else
			doc_text(x->d, "Run PostgreSQL on the app node again.");
	}
	if (p->n_replicas != q->n_replicas) {
		doc_item(x->d);
		if (q->n_replicas)
			doc_textf(x->d, "Read replicas: %u (reads to the replicas, writes to the primary; replication is "
					"asynchronous: alert on the lag, and keep read-your-writes paths on the primary).",
				  q->n_replicas);
		else
			doc_text(x->d, "No read replicas: the primary takes the reads again.");
	}
	if (p->pooler != q->pooler) {
		doc_item(x->d);
		doc_text(x->d, q->pooler ? "Put PgBouncer (transaction pooling) in front of the database: the processes' pools end at it."
					 : "PgBouncer is not needed at this shape: the processes' pools fit max_connections.");
	}
	if (!p->read_cache && q->read_cache) {
		doc_item(x->d);
		doc_textf(x->d, "Read through the Redis cache: %.0f%% of the reads never reach the database.",
			  x->r->in->workload->cache_hit_ratio * 100);
	}
	if (p->wrk_node != q->wrk_node || p->n_wrk != q->n_wrk) {
		doc_item(x->d);
		if (q->wrk_node)
			doc_textf(x->d, "Workers on nodes of their own: %u\xC3\x97%s.", q->n_wrk, q->wrk_node->name);
		else
			doc_text(x->d, "Run the workers on the app nodes again.");
	}
	if (p->managed_cache != q->managed_cache) {
		doc_item(x->d);
		if (q->managed_cache)
			doc_textf(x->d, "Move Redis to a managed instance (%s).", q->managed_cache->name);
		else
			doc_text(x->d, "Run Redis beside the app again.");
	}
	if (!p->redis_ha && q->redis_ha) {
		doc_item(x->d);
		doc_text(x->d, "Run Redis as a primary and a replica under three Sentinels.");
	}
	if (!a->lb && b->lb) {
		doc_item(x->d);
		doc_textf(x->d, "Put the load balancer %s in front of the app nodes.", b->lb->name);
	}
	if (!a->k8s && b->k8s) {
		doc_item(x->d);
		doc_textf(x->d, "Create the Kubernetes cluster (%s) and let an HPA scale the app.", b->k8s->name);
	}
	if (!a->backup && b->backup) {
		doc_item(x->d);
		doc_text(x->d, "Turn on the provider's backups.");
	}
	if (!a->monitoring && b->monitoring) {
		doc_item(x->d);
		doc_textf(x->d, "Set up uptime monitoring and alerting (%s).", b->monitoring->name);
	}
}

static void actions(struct ctx *x)
{
	doc_heading(x->d, 2, "actions", "What to do at each milestone");
	const struct plan_step *prev = NULL;
	for (size_t i = 0; i < x->r->n_steps; i++) {
		const struct plan_step *s = &x->r->steps[i];
		char title[128], us[32], mo[16];
		double m = x->in->months ? x->in->months[i] : NAN;
		fmt_month(m, mo, sizeof(mo));
		if (isfinite(m) && m >= 0.05)
			snprintf(title, sizeof(title), "M%zu: %s users (month %s)", i + 1, fmt_count(s->users, us, sizeof(us)), mo);
		else
			snprintf(title, sizeof(title), "M%zu: %s users", i + 1, fmt_count(s->users, us, sizeof(us)));
		doc_heading(x->d, 3, NULL, title);
		if (!s->feasible) {
			doc_para(x->d);
			doc_textf(x->d, "No deployment the catalogue offers meets the targets: %s. Relax an objective, allow "
					"another stage or provider, or add a larger plan to the catalogue.",
				  reason_text(&s->why, (char[REASON_STEP_MAX]){0}, REASON_STEP_MAX));
			prev = NULL;
			continue;
		}
		const struct plan_candidate *b = &s->best;
		char nodes[256], tot[32];
		plan_nodes_text(b, nodes, sizeof(nodes));
		if (!prev) {
			doc_item(x->d);
			doc_textf(x->d, "Run %s on %s: ", plan_stage_name(b->shape.stage), b->provider ? b->provider : "?");
			doc_code(x->d, nodes);
			doc_textf(x->d, ", %s a month.", money(x, b->cost.total, tot, sizeof(tot)));
		} else if (memcmp(&prev->best.shape, &b->shape, sizeof(b->shape)) == 0 && prev->best.lb == b->lb &&
			   prev->best.k8s == b->k8s) {
			doc_item(x->d);
			doc_textf(x->d, "No change of deployment; the month costs %s (%+.0f%%).",
				  money(x, b->cost.total, tot, sizeof(tot)),
				  prev->best.cost.total > 0 ? (b->cost.total / prev->best.cost.total - 1) * 100 : 0.0);
		} else {
			change_steps(x, &prev->best, b);
			doc_item(x->d);
			doc_textf(x->d, "The month then costs %s (was %s).", money(x, b->cost.total, tot, sizeof(tot)),
				  money(x, prev->best.cost.total, (char[32]){0}, 32));
		}
		if (s->next.found && s->next.cheaper) {
			char nu[32];
			doc_item(x->d);
			doc_textf(x->d, "From %s users another deployment is cheaper, as the volumes for the data grow.",
				  fmt_count(s->next.users, nu, sizeof(nu)));
		} else if (s->next.found) {
			enum plan_res nr = s->next.res;
			char lim[32], nu[32];
			doc_item(x->d);
			doc_textf(x->d, "Watch %s: it passes its %s limit at %s users", res_words(nr),
				  fmt_limit(b, nr, b->limit[nr], lim, sizeof(lim)), fmt_count(s->next.users, nu, sizeof(nu)));
			if (s->next.months >= 0 && x->r->in->workload->growth_monthly > 0)
				doc_textf(x->d, " (%.1f months after today)", s->next.months);
			doc_text(x->d, "; plan the next step before then.");
		}
		prev = s;
	}
}

/* ----------------------------------------------------------- assumptions -- */

static void assumptions(struct ctx *x)
{
	doc_heading(x->d, 2, "assumptions", "Assumptions");
	doc_para(x->d);
	doc_text(x->d, "The values the plan rests on: each as written in ");
	doc_code(x->d, x->r->source ? x->r->source : "the config");
	doc_text(x->d, " (given) or headroom's default for a key the file leaves out (default, with where it comes from). "
		       "Change a value in the config and write this document again.");
	static const char *const h[] = {"Key", "Value", "Source"};
	doc_table(x->d, 3, h, NULL);
	for (size_t i = 0; i < x->in->n_values; i++) {
		const struct plan_doc_value *v = &x->in->values[i];
		char src[400];
		if (v->given)
			snprintf(src, sizeof(src), "given");
		else if (v->why_default)
			snprintf(src, sizeof(src), "default: %s", v->why_default);
		else
			snprintf(src, sizeof(src), "default");
		const char *row[] = {v->path, v->text ? v->text : "-", src};
		doc_row(x->d, row);
	}
	doc_para(x->d);
	doc_textf(x->d, "Fixed by the model: a month is 730 hours; monthly volumes (external calls, transfer) assume the "
			"peak load lasts ");
	doc_code(x->d, "workload.busy_time");
	doc_text(x->d, " a day; latency is M/M/c queueing at the peak; prices are the catalogue's, converted to ");
	doc_text(x->d, x->cur);
	doc_text(x->d, ".");
}

/* The catalogue entries the roadmap uses, with where and when each price was read. */
static void prices(struct ctx *x)
{
	doc_heading(x->d, 2, "prices", "Prices used");
	static const char *const h[] = {"Provider", "Offer", "Price a month", "As of", "Source"};
	static const bool right[] = {false, false, true, false, false};
	doc_table(x->d, 5, h, right);
	const struct offer *seen[256];
	size_t ns = 0;
	for (size_t i = 0; i < x->r->n_steps; i++) {
		const struct plan_candidate *c = &x->r->steps[i].best;
		if (!x->r->steps[i].feasible)
			continue;
		const struct offer *list[] = {c->shape.app, c->shape.db_node, c->shape.managed_db, c->shape.managed_cache,
					      c->lb, c->k8s, c->backup, c->monitoring, c->volume};
		for (size_t k = 0; k < sizeof(list) / sizeof(list[0]); k++) {
			const struct offer *o = list[k];
			bool dup = !o;
			for (size_t j = 0; j < ns && !dup; j++)
				dup = seen[j] == o;
			if (dup || ns == sizeof(seen) / sizeof(seen[0]))
				continue;
			seen[ns++] = o;
			char price[48];
			if (o->kind == OFFER_BACKUP)
				snprintf(price, sizeof(price), "%.0f%% of the server", o->percent * 100);
			else if (o->kind == OFFER_VOLUME)
				snprintf(price, sizeof(price), "%s per GB", money(x, o->price_per_gb, (char[32]){0}, 32));
			else
				money(x, o->price, price, sizeof(price));
			const char *row[] = {o->provider ? o->provider : "-", o->name ? o->name : "-", price,
					     o->as_of ? o->as_of : "-", o->source ? o->source : "-"};
			doc_row(x->d, row);
		}
	}
}

/* ------------------------------------------------------------------ build -- */

int plan_doc_build(const struct plan_doc_input *in, struct doc **out)
{
	*out = NULL;
	struct ctx x = {.in = in, .r = in->report, .cur = in->report->currency ? in->report->currency : "USD",
			.d = doc_new()};
	const char *src = x.r->source ? x.r->source : "-";
	/* the config's file name without its folder and extension names the document */
	const char *base = strrchr(src, '/') ? strrchr(src, '/') + 1 : src;
	size_t blen = strcspn(base, ".");
	char title[160], comment[400];
	snprintf(title, sizeof(title), "Scaling strategy: %.*s", (int)(blen ? blen : strlen(base)), base);
	doc_heading(x.d, 1, NULL, title);
	doc_note(x.d);
	doc_textf(x.d, "Generated by headroom %s from ", in->version ? in->version : "?");
	doc_code(x.d, src);
	doc_text(x.d, ". Every figure is computed from that file and the price catalogue: change the file and write this "
		      "document again rather than edit it.");
	snprintf(comment, sizeof(comment), "Generated by headroom %s from %s", in->version ? in->version : "?", src);
	summary(&x);
	roadmap(&x);
	int rc = charts(&x, comment);
	if (rc) {
		doc_free(x.d);
		return rc;
	}
	stages(&x);
	sla(&x);
	triggers(&x);
	actions(&x);
	assumptions(&x);
	prices(&x);
	*out = x.d;
	return 0;
}

int plan_render_md(const struct plan_doc_input *in, const char *chart_prefix, struct strbuf *out, struct doc **doc_out)
{
	struct doc *d;
	int rc = plan_doc_build(in, &d);
	if (rc)
		return rc;
	/* an HTML comment first: the generator for tools, hidden on a forge; "--" cannot be in it */
	char line[600];
	snprintf(line, sizeof(line), "Generated by headroom %s from %s: edit the config, not this file.",
		 in->version ? in->version : "?", in->report->source ? in->report->source : "-");
	for (char *p = line; *p; p++)
		if ((p[0] == '-' && p[1] == '-') || (unsigned char)*p < 0x20)
			*p = ' ';
	rc = strbuf_printf(out, "<!-- %s -->\n", line);
	if (!rc)
		rc = doc_render_md(d, chart_prefix, out);
	if (doc_out && !rc)
		*doc_out = d;
	else
		doc_free(d);
	return rc;
}
