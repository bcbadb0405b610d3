/* sla.c - render `headroom sla` (see sla.h). */
#include "render/sla.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "render/jsondoc.h"
#include "render/table.h"
#include "util/units.h"

#define MONTH_S UNITS_SECONDS_PER_MONTH
#define YEAR_S (365 * 86400.0)

/* The periods a budget is given for. A month is 730 h (365 d / 12), the
 * convention of AWS and Infracost and of headroom's costs; a 30-day month
 * is what calendar-month SLAs count, and the Azure resiliency table uses. */
static const struct period {
	const char *key;   /* JSON key under downtime_s */
	const char *label; /* text */
	double seconds;
} periods[] = {
	{"year", "per year (365 d)", YEAR_S},
	{"month", "per month (730 h)", MONTH_S},
	{"month_30d", "per month (30 d)", 30 * 86400.0},
	{"week", "per week", 7 * 86400.0},
	{"day", "per day", 86400.0},
};

const char *sla_fmt_avail(double u, char *buf, size_t n)
{
	double upct = u * 100;
	if (!(upct > 0)) {
		snprintf(buf, n, "100%%");
		return buf;
	}
	int d = (int)ceil(-log10(upct)) + 2;
	d = d < 0 ? 0 : d > 12 ? 12 : d;
	snprintf(buf, n, "%.*f", d, (1 - u) * 100);
	/* Trim zeros a fixed precision adds ("99.900" -> "99.9"). */
	char *dot = strchr(buf, '.');
	if (dot) {
		char *end = buf + strlen(buf);
		while (end > dot + 1 && end[-1] == '0')
			*--end = '\0';
		if (end == dot + 1)
			*dot = '\0';
	}
	size_t len = strlen(buf);
	snprintf(buf + len, n - len, "%%");
	return buf;
}

bool sla_met(const struct sla_report *r)
{
	return r->promisable && r->total_u <= 1 - r->target;
}

/* A rate as people say it: "2/year", "1.5/month", "20/month". */
static const char *fmt_rate(double per_s, char *buf, size_t n)
{
	double month = per_s * MONTH_S;
	if (month >= 1 || month == 0)
		snprintf(buf, n, "%.3g/month", month);
	else
		snprintf(buf, n, "%.3g/year", per_s * YEAR_S);
	return buf;
}

/* A small probability in scientific notation with three figures. */
static const char *fmt_u(double u, char *buf, size_t n)
{
	snprintf(buf, n, "%.3g", u);
	return buf;
}

static int budget_text(double u, struct strbuf *out)
{
	char b[64];
	int rc = 0;
	for (size_t i = 0; i < sizeof(periods) / sizeof(periods[0]) && !rc; i++)
		rc = strbuf_printf(out, "  %-20s %s\n", periods[i].label, units_fmt_duration3(u * periods[i].seconds, b, sizeof(b)));
	return rc;
}

static json_t *budget_json(double u)
{
	json_t *o = json_object();
	for (size_t i = 0; i < sizeof(periods) / sizeof(periods[0]); i++)
		json_object_set_new(o, periods[i].key, json_real(u * periods[i].seconds));
	return o;
}

/* The "each" column: one unit's availability, or the mixed members. */
static void each_text(const struct sla_item *it, char *buf, size_t n)
{
	char b[32];
	if (!it->n_members) {
		sla_fmt_avail(it->eval->unit_u, buf, n);
		return;
	}
	size_t len = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < it->n_members && len < n; i++) {
		int w = snprintf(buf + len, n - len, "%s%s", i ? "|" : "", sla_fmt_avail(1 - it->members[i], b, sizeof(b)));
		if (w < 0)
			break;
		len += (size_t)w;
	}
}

/* The switch-over time shown for a part: its first unplanned cause's. */
static double part_takeover(const struct avail_part *p)
{
	for (size_t i = 0; i < p->n_causes; i++)
		if (!p->causes[i].planned)
			return p->causes[i].takeover_s;
	return 0;
}

static int table_part(const struct sla_report *r, struct strbuf *out)
{
	static const char *const head[] = {"part", "units", "each", "need", "failover", "availability",
					   "downtime/month"};
	struct table *t = table_new(7, head);
	table_align_right(t, 1);
	table_align_right(t, 3);
	table_align_right(t, 5);
	table_align_right(t, 6);
	char b1[64], b2[64];
	for (size_t i = 0; i < r->n; i++) {
		const struct sla_item *it = &r->items[i];
		const struct avail_part *p = it->part;
		const struct avail_part_u *e = it->eval;
		char units[16], need[16], fo[96], each[256], av[32], down[32];
		snprintf(units, sizeof(units), "%u", it->n_members ? (unsigned)it->n_members : p->count);
		snprintf(need, sizeof(need), "%u", p->k_needed);
		each_text(it, each, sizeof(each));
		if (p->mode == AVAIL_FAILOVER && p->count > 1)
			units_fmt_duration3(part_takeover(p), fo, sizeof(fo));
		else
			snprintf(fo, sizeof(fo), "-");
		table_add(t, p->name ? p->name : "?", units, each, need, fo, sla_fmt_avail(e->u, av, sizeof(av)),
			  units_fmt_duration3(e->u * MONTH_S, down, sizeof(down)));
		/* One row per cause: how often, how long each time, what it costs. */
		for (size_t c = 0; c < p->n_causes; c++) {
			const struct avail_cause *k = &p->causes[c];
			char name[64], what[96], take[32];
			snprintf(name, sizeof(name), "  %s", k->name);
			snprintf(what, sizeof(what), "%s x %s%s", fmt_rate(k->rate, b1, sizeof(b1)),
				 units_fmt_duration3(k->down_s, b2, sizeof(b2)), k->planned ? " planned" : "");
			if (p->count > 1 && k->takeover_s > 0)
				units_fmt_duration3(fmin(k->takeover_s, k->down_s), take, sizeof(take));
			else
				snprintf(take, sizeof(take), "-");
			table_add(t, name, "", what, "", take, "", units_fmt_duration3(e->cause_u[c] * MONTH_S, down, sizeof(down)));
		}
	}
	table_add(t, "all, in series", "", "", "", "", sla_fmt_avail(r->total_u, b1, sizeof(b1)),
		  units_fmt_duration3(r->total_u * MONTH_S, b2, sizeof(b2)));
	int rc = table_render(t, out);
	table_free(t);
	return rc;
}

/* The formula of one part with its numbers (docs/sla.md, "Formulas"). */
static int arithmetic_part(const struct sla_item *it, struct strbuf *out)
{
	const struct avail_part *p = it->part;
	const struct avail_part_u *e = it->eval;
	char b1[32], b2[32], b3[32], b4[32], b5[32];
	const char *name = p->name ? p->name : "?";
	int rc;
	if (p->count == 1 || (e->as_single && !e->bounded)) {
		rc = strbuf_printf(out, "  %s: X = sum rate x time down = %s; U = X/(1+X) = %s%s\n", name,
				   fmt_u(e->x, b1, sizeof(b1)), fmt_u(e->single_u, b2, sizeof(b2)),
				   p->count > 1 ? " (redundancy no faster than a repair buys nothing)" : "");
	} else if (p->mode == AVAIL_POOL) {
		double s = p->peak_share > 0 ? p->peak_share : 1;
		if (s < 1)
			rc = strbuf_printf(out,
					   "  %s: u = %s a unit; U = %.0f%% x P(<%u of %u up) + %.0f%% x P(none up) + "
					   "takeovers %s = %s + %s = %s\n",
					   name, fmt_u(e->unit_u, b1, sizeof(b1)), s * 100, p->k_needed, p->count,
					   (1 - s) * 100, fmt_u(e->takeover_u, b2, sizeof(b2)),
					   fmt_u(e->structural_u, b3, sizeof(b3)), fmt_u(e->takeover_u, b4, sizeof(b4)),
					   fmt_u(e->structural_u + e->takeover_u, b5, sizeof(b5)));
		else
			rc = strbuf_printf(out,
					   "  %s: u = %s a unit; U = P(<%u of %u up) + takeovers = %s + %s = %s\n", name,
					   fmt_u(e->unit_u, b1, sizeof(b1)), p->k_needed, p->count,
					   fmt_u(e->structural_u, b2, sizeof(b2)), fmt_u(e->takeover_u, b3, sizeof(b3)),
					   fmt_u(e->structural_u + e->takeover_u, b4, sizeof(b4)));
		if (!rc)
			rc = strbuf_puts(out, "      (planned causes roll through the pool: no downtime)\n");
	} else {
		rc = strbuf_printf(out,
				   "  %s: u = %s a unit; U = u^%u + failovers %s + planned switch-overs %s = %s\n", name,
				   fmt_u(e->unit_u, b1, sizeof(b1)), p->count, fmt_u(e->takeover_u, b2, sizeof(b2)),
				   fmt_u(e->planned_u, b3, sizeof(b3)),
				   fmt_u(e->structural_u + e->takeover_u + e->planned_u, b4, sizeof(b4)));
	}
	if (!rc && e->bounded)
		rc = strbuf_printf(out, "      bounded by the provider's published SLA: U <= %s\n",
				   fmt_u(p->max_u, b1, sizeof(b1)));
	return rc;
}

int sla_render_text(const struct sla_report *r, struct strbuf *out)
{
	char b1[64], b2[64], b3[64];
	const double month = MONTH_S;
	int rc = 0;
	if (r->n == 0) {
		rc = strbuf_printf(out, "availability %s allows this much downtime:\n", sla_fmt_avail(1 - r->target, b1, sizeof(b1)));
		if (!rc)
			rc = budget_text(1 - r->target, out);
		if (!rc)
			rc = strbuf_puts(out, "A month is 730 h (365 d / 12), as in headroom's costs; SLAs counted per\n"
					      "calendar month of 30 days allow the 30 d figure.\n");
		return rc;
	}
	if (r->stage)
		rc = strbuf_printf(out, "the configured '%s' stage, composed as headroom plan composes it:\n\n", r->stage);
	if (!rc)
		rc = table_part(r, out);
	bool any = false;
	for (size_t i = 0; i < r->n && !rc; i++) {
		if (r->items[i].part->n_causes == 0)
			continue;
		if (!any)
			rc = strbuf_puts(out, "\narithmetic (a unit out X times its time up is down X/(1+X) of the time):\n");
		any = true;
		if (!rc)
			rc = arithmetic_part(&r->items[i], out);
	}
	if (!rc)
		rc = strbuf_printf(out, "\navailability %s allows this much downtime:\n", sla_fmt_avail(r->total_u, b1, sizeof(b1)));
	if (!rc)
		rc = budget_text(r->total_u, out);
	if (rc || !r->has_target)
		return rc;
	double target_u = 1 - r->target;
	snprintf(b3, sizeof(b3), "%s", sla_fmt_avail(target_u, b2, sizeof(b2)));
	if (!r->promisable)
		return strbuf_printf(out, "\nmeets the target %s: no (%s)\n", b3, r->why_not ? r->why_not : "it cannot promise one");
	if (r->total_u <= target_u)
		return strbuf_printf(out, "\nmeets the target %s: yes (%s of its %s monthly budget used)\n", b3,
				     units_fmt_duration3(r->total_u * month, b1, sizeof(b1)),
				     units_fmt_duration3(target_u * month, b2, sizeof(b2)));
	return strbuf_printf(out, "\nmeets the target %s: no (%s of downtime a month against a budget of %s)\n", b3,
			     units_fmt_duration3(r->total_u * month, b1, sizeof(b1)),
			     units_fmt_duration3(target_u * month, b2, sizeof(b2)));
}

static json_t *causes_json(const struct avail_part *p, const struct avail_part_u *e)
{
	json_t *a = json_array();
	for (size_t c = 0; c < p->n_causes; c++) {
		const struct avail_cause *k = &p->causes[c];
		json_array_append_new(a, json_pack("{s:s, s:o, s:o, s:o, s:b, s:o}", "cause", k->name ? k->name : "?",
						   "per_month", jsondoc_num(k->rate * MONTH_S), "down_s",
						   jsondoc_num(k->down_s), "takeover_s",
						   p->count > 1 ? jsondoc_num(fmin(k->takeover_s, k->down_s)) : json_null(),
						   "planned", k->planned, "downtime_s_per_month",
						   jsondoc_num(e->cause_u[c] * MONTH_S)));
	}
	return a;
}

int sla_render_json(const struct sla_report *r, struct strbuf *out)
{
	json_t *o = json_object();
	if (!o)
		return HR_E_NOMEM;
	double u = r->n ? r->total_u : 1 - r->target;
	json_object_set_new(o, "availability", json_real(1 - u));
	json_object_set_new(o, "unavailability", json_real(u));
	json_object_set_new(o, "downtime_s", budget_json(u));
	json_object_set_new(o, "month_hours", json_real(UNITS_HOURS_PER_MONTH));
	if (r->stage)
		json_object_set_new(o, "stage", json_string(r->stage));
	json_t *arr = json_array();
	for (size_t i = 0; i < r->n; i++) {
		const struct sla_item *it = &r->items[i];
		const struct avail_part *p = it->part;
		const struct avail_part_u *e = it->eval;
		json_t *j = json_object();
		json_object_set_new(j, "name", json_string(p->name ? p->name : "?"));
		if (it->n_members) {
			json_t *m = json_array();
			for (size_t k = 0; k < it->n_members; k++)
				json_array_append_new(m, json_real(it->members[k]));
			json_object_set_new(j, "unit_availability", m);
			json_object_set_new(j, "count", json_integer((json_int_t)it->n_members));
		} else {
			json_object_set_new(j, "unit_availability", jsondoc_num(1 - e->unit_u));
			json_object_set_new(j, "count", json_integer(p->count));
		}
		json_object_set_new(j, "need", json_integer(p->k_needed));
		bool pair = p->mode == AVAIL_FAILOVER && p->count > 1;
		json_object_set_new(j, "redundancy", json_string(p->count == 1 ? "none" : pair ? "failover" : "pool"));
		json_object_set_new(j, "failover_s", pair ? jsondoc_num(part_takeover(p)) : json_null());
		json_object_set_new(j, "causes", causes_json(p, e));
		json_object_set_new(j, "bounded_by_sla", json_boolean(e->bounded));
		json_object_set_new(j, "availability", json_real(1 - e->u));
		json_object_set_new(j, "downtime_s_per_month", json_real(e->u * MONTH_S));
		json_array_append_new(arr, j);
	}
	json_object_set_new(o, "parts", arr);
	if (r->has_target && r->n) {
		json_t *t = json_object();
		json_object_set_new(t, "availability", json_real(r->target));
		json_object_set_new(t, "downtime_s", budget_json(1 - r->target));
		json_object_set_new(t, "met", json_boolean(sla_met(r)));
		json_object_set_new(t, "why_not", r->promisable ? json_null() : jsondoc_str(r->why_not));
		json_object_set_new(o, "target", t);
	}
	return jsondoc_render(o, out);
}
