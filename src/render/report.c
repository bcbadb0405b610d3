/* report.c - live results as check and agent print them (see report.h).
 *
 * Four forms of one result: the text report with its Nagios summary line,
 * the JSON document, the Prometheus text exposition of /metrics, and a
 * state change as a log line or a webhook body. Values are printed in the
 * unit sample_unit() reads off their metric's name. */
#include "render/report.h"

#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "model/rules.h"
#include "model/sample.h"
#include "render/jsondoc.h"
#include "render/plan.h"
#include "render/reason.h"
#include "render/table.h"
#include "util/color.h"
#include "util/units.h"
#include "util/xalloc.h"

/* The unit is read off the base name (sample_unit(), docs/metrics.md, "Naming"). */
char *report_fmt_value(const char *metric, double v, char *buf, size_t n)
{
	if (isnan(v)) {
		snprintf(buf, n, "n/a");
		return buf;
	}
	switch (sample_unit(metric)) {
	case SAMPLE_UNIT_RATIO:
		snprintf(buf, n, "%.1f%%", v * 100);
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

char *report_fmt_eta(double s, char *buf, size_t n)
{
	if (isinf(s) || isnan(s))
		snprintf(buf, n, "-");
	else if (s <= 0)
		snprintf(buf, n, "now");
	else
		units_fmt_duration(s, buf, n);
	return buf;
}

static const char *level_text(const struct live_trigger *t, double level, char *buf, size_t n)
{
	if (isnan(level))
		return "-";
	return report_fmt_value(t->rule->metric, level, buf, n);
}

/* Most sources the summary line names among those down or silent. */
#define SUMMARY_SOURCES 5

/* "; 2 of 3 sources down: a, b (silent)" on the summary line: a source that
 * does not answer is never hidden behind the triggers that did. */
static int sources_down(const struct live_result *r, struct strbuf *out)
{
	size_t n = 0;
	for (size_t i = 0; i < r->n_src; i++) {
		enum live_source_state st = live_source_state(&r->src[i]);
		n += st == LIVE_SOURCE_DOWN || st == LIVE_SOURCE_SILENT;
	}
	if (!n)
		return 0;
	int rc = strbuf_printf(out, "; %zu of %zu source%s down:", n, r->n_src, r->n_src == 1 ? "" : "s");
	size_t named = 0;
	for (size_t i = 0; i < r->n_src && !rc; i++) {
		enum live_source_state st = live_source_state(&r->src[i]);
		if (st != LIVE_SOURCE_DOWN && st != LIVE_SOURCE_SILENT)
			continue;
		if (named == SUMMARY_SOURCES) {
			rc = strbuf_printf(out, " and %zu more", n - named);
			break;
		}
		rc = strbuf_printf(out, "%s %s%s", named ? "," : "", r->src[i].name,
				   st == LIVE_SOURCE_SILENT ? " (silent)" : "");
		named++;
	}
	return rc;
}

static int summary(const struct live_result *r, bool color, struct strbuf *out)
{
	size_t counts[4] = {0}, applied = 0;
	for (size_t i = 0; i < r->n_trig; i++) {
		if (r->trig[i].skipped)
			continue;
		counts[r->trig[i].state]++;
		applied++;
	}
	int rc = color ? strbuf_printf(out, "%s%s" COLOR_RESET ": ", color_state((int)r->status), rules_state_label(r->status))
		       : strbuf_printf(out, "%s: ", rules_state_label(r->status));
	/* Name the worst triggers first: what a pager shows is this line. */
	const char *sep = "";
	for (int s = TRIG_UNKNOWN; s >= TRIG_WARN && !rc; s--) {
		for (size_t i = 0; i < r->n_trig && !rc; i++) {
			const struct live_trigger *t = &r->trig[i];
			if (t->skipped || (int)t->state != s)
				continue;
			char v[32], l[32];
			if (t->state == TRIG_UNKNOWN) {
				rc = strbuf_printf(out, "%s%s unknown", sep, t->rule->name);
			} else {
				double lvl = t->state == TRIG_CRIT ? t->rule->crit : t->rule->warn;
				rc = strbuf_printf(out, "%s%s %s %s %s", sep, t->rule->name,
						   report_fmt_value(t->rule->metric, t->value, v, sizeof(v)),
						   t->rule->dir == TRIGGER_ABOVE ? ">" : "<",
						   level_text(t, lvl, l, sizeof(l)));
			}
			sep = ", ";
		}
	}
	if (!rc && !*sep) {
		rc = strbuf_printf(out, "%zu trigger%s ok", applied, applied == 1 ? "" : "s");
		if (!rc && r->bottleneck >= 0) {
			const struct live_trigger *b = &r->trig[r->bottleneck];
			char v[32];
			rc = strbuf_printf(out, "; bottleneck %s at %s", b->rule->name,
					   report_fmt_value(b->rule->metric, b->value, v, sizeof(v)));
			if (!rc && isfinite(b->pressure))
				rc = strbuf_printf(out, " (%.0f%% of warn)", b->pressure * 100);
		}
	} else if (!rc) {
		rc = strbuf_printf(out, " (%zu critical, %zu warning, %zu unknown of %zu)", counts[TRIG_CRIT],
				   counts[TRIG_WARN], counts[TRIG_UNKNOWN], applied);
	}
	if (!rc)
		rc = sources_down(r, out);
	if (!rc && r->status_note)
		rc = strbuf_printf(out, "; %s", r->status_note);
	/* Nagios performance data: 'label'=value;warn;crit (plugin guidelines). */
	sep = " | ";
	for (size_t i = 0; i < r->n_trig && !rc; i++) {
		const struct live_trigger *t = &r->trig[i];
		if (t->skipped || isnan(t->value))
			continue;
		rc = strbuf_printf(out, "%s%s=%g;", sep, t->rule->name, t->value);
		if (!rc && !isnan(t->rule->warn))
			rc = strbuf_printf(out, "%g", t->rule->warn);
		if (!rc)
			rc = strbuf_puts(out, ";");
		if (!rc && !isnan(t->rule->crit))
			rc = strbuf_printf(out, "%g", t->rule->crit);
		sep = " ";
	}
	return rc;
}

/* The planner's view, for the report: the deployment the model calls for at
 * workload.users, the constraint that breaks it first and at how many users,
 * and the cheapest deployment from there (docs/check.md, "plan"). */
static json_t *next_step_json(const struct next_step *ns, const char *cur)
{
	const struct plan_step *now = &ns->now;
	json_t *o = json_object();
	json_object_set_new(o, "users", json_real(now->users));
	json_object_set_new(o, "currency", json_string(cur));
	json_object_set_new(o, "feasible", json_boolean(now->feasible));
	if (!now->feasible) {
		json_object_set_new(o, "infeasible_reason",
				    json_string(reason_text(&now->why, (char[REASON_STEP_MAX]){0}, REASON_STEP_MAX)));
		return o;
	}
	json_object_set_new(o, "now", plan_summary_json(&now->best));
	if (!now->next.found) {
		json_object_set_new(o, "next", json_null());
		return o;
	}
	json_t *next = json_object();
	/* "cost": another shape becomes cheaper there (volumes grow), nothing breaks. */
	json_object_set_new(next, "constraint",
			    json_string(now->next.cheaper ? "cost" : planner_res_name(now->next.res)));
	json_object_set_new(next, "users", json_real(now->next.users));
	json_object_set_new(next, "months", now->next.months >= 0 ? json_real(now->next.months) : json_null());
	json_object_set_new(next, "deployment", ns->has_then && ns->then.feasible ? plan_summary_json(&ns->then.best)
										     : json_null());
	json_object_set_new(o, "next", next);
	return o;
}

/* A firing trigger's next_step: the deployment the planner moves to next. */
static void attach_next_steps(json_t *doc, const json_t *plan)
{
	const json_t *next = json_object_get(plan, "next");
	json_t *trig = json_object_get(doc, "triggers");
	size_t i;
	json_t *t;
	json_array_foreach(trig, i, t) {
		const char *state = json_string_value(json_object_get(t, "state"));
		bool firing = state && (strcmp(state, "warning") == 0 || strcmp(state, "critical") == 0);
		if (firing && next && !json_is_null(next))
			json_object_set(t, "next_step", (json_t *)next);
	}
}

static int next_step_text(const struct next_step *ns, const char *cur, struct strbuf *out)
{
	const struct plan_step *now = &ns->now;
	char nodes[256], cost[32];
	if (!now->feasible)
		return strbuf_printf(out, "\nplan: no deployment meets the objectives at %.0f users: %s\n", now->users,
				     reason_text(&now->why, (char[REASON_STEP_MAX]){0}, REASON_STEP_MAX));
	plan_nodes_text(&now->best, nodes, sizeof(nodes));
	int rc = strbuf_printf(out, "\nplan: %.0f users call for %s %s at %s a month", now->users,
			       plan_stage_name(now->best.shape.stage), nodes,
			       units_fmt_money(now->best.cost.total, cur, cost, sizeof(cost)));
	if (rc || !now->next.found)
		return rc ? rc : strbuf_puts(out, "\n");
	if (now->next.cheaper)
		rc = strbuf_printf(out, "; another shape is cheaper from %.0f users", now->next.users);
	else
		rc = strbuf_printf(out, "; %s breaks it at %.0f users", planner_res_name(now->next.res), now->next.users);
	if (!rc && now->next.months >= 0)
		rc = strbuf_printf(out, " (in %.1f months at the configured growth)", now->next.months);
	if (!rc && ns->has_then && ns->then.feasible) {
		plan_nodes_text(&ns->then.best, nodes, sizeof(nodes));
		rc = strbuf_printf(out, "\nnext step: %s %s at %s a month", plan_stage_name(ns->then.best.shape.stage),
				   nodes, units_fmt_money(ns->then.best.cost.total, cur, cost, sizeof(cost)));
	}
	return rc ? rc : strbuf_puts(out, "\n");
}

int report_summary(const struct live_result *r, struct strbuf *out)
{
	return summary(r, false, out);
}

/* The triggers not applicable here: those no configured source gives, then
 * those whose series have no value here (Redis without maxmemory). */
static int skipped_text(const struct live_result *r, size_t skipped, struct strbuf *out)
{
	int rc = strbuf_printf(out, "\nnot applicable here (%zu):", skipped);
	size_t unsourced = 0;
	for (size_t i = 0; i < r->n_trig && !rc; i++) {
		if (r->trig[i].skipped && !r->trig[i].no_value) {
			rc = strbuf_printf(out, " %s", r->trig[i].rule->name);
			unsourced++;
		}
	}
	if (!rc && unsourced)
		rc = strbuf_puts(out, " (no source configured for them)");
	const char *sep = unsourced ? ";" : "";
	for (size_t i = 0; i < r->n_trig && !rc; i++) {
		const struct live_trigger *t = &r->trig[i];
		if (!t->skipped || !t->no_value)
			continue;
		rc = strbuf_printf(out, "%s %s (%s has no value here)", sep, t->rule->name, t->rule->metric);
		sep = ",";
	}
	return rc ? rc : strbuf_puts(out, "\n");
}

/* Every source with how its sample went: "source NAME (TYPE): up, 8
 * metrics", "... down: REASON", "... silent: answered with no metric". */
static int sources_text(const struct live_result *r, struct strbuf *out)
{
	int rc = r->n_src ? strbuf_puts(out, "\n") : 0;
	for (size_t i = 0; i < r->n_src && !rc; i++) {
		const struct live_source *s = &r->src[i];
		enum live_source_state st = live_source_state(s);
		rc = strbuf_printf(out, "source %s (%s): %s", s->name, s->type, live_source_state_name(st));
		if (!rc && (st == LIVE_SOURCE_UP || st == LIVE_SOURCE_PARTIAL))
			rc = strbuf_printf(out, ", %zu metric%s", s->given, s->given == 1 ? "" : "s");
		if (!rc && st != LIVE_SOURCE_UP)
			rc = strbuf_printf(out, ": %s", live_source_reason(s));
		if (!rc)
			rc = strbuf_puts(out, "\n");
	}
	return rc;
}

int report_text(const struct live_result *r, const struct next_step *ns, const char *currency, bool color,
		struct strbuf *out)
{
	int rc = summary(r, color, out);
	if (!rc)
		rc = strbuf_puts(out, "\n\n");
	static const char *const head[] = {"trigger", "state", "value", "warn", "crit", "for",
					   "warn in", "crit in", "source"};
	struct table *tb = table_new(9, head);
	table_align_right(tb, 2);
	table_align_right(tb, 3);
	table_align_right(tb, 4);
	table_align_right(tb, 5);
	table_align_right(tb, 6);
	table_align_right(tb, 7);
	size_t skipped = 0;
	for (size_t i = 0; i < r->n_trig; i++) {
		const struct live_trigger *t = &r->trig[i];
		if (t->skipped) {
			skipped++;
			continue;
		}
		char v[32], w[32], c[32], f[32], ew[32], ec[32], st[64];
		if (t->rule->for_s > 0)
			units_fmt_duration(t->rule->for_s, f, sizeof(f));
		else
			snprintf(f, sizeof(f), "-");
		if (t->pending != TRIG_OK)
			snprintf(st, sizeof(st), "%s%s%s (%s pending)", color ? color_state((int)t->state) : "",
				 rules_state_label(t->state), color ? COLOR_RESET : "", t->pending == TRIG_CRIT ? "crit" : "warn");
		else
			snprintf(st, sizeof(st), "%s%s%s", color ? color_state((int)t->state) : "",
				 rules_state_label(t->state), color ? COLOR_RESET : "");
		const char *cells[9] = {
			t->rule->name, st, report_fmt_value(t->rule->metric, t->value, v, sizeof(v)),
			level_text(t, t->rule->warn, w, sizeof(w)), level_text(t, t->rule->crit, c, sizeof(c)),
			f, report_fmt_eta(t->eta_warn.eta_s, ew, sizeof(ew)),
			report_fmt_eta(t->eta_crit.eta_s, ec, sizeof(ec)), t->source ? t->source : "-",
		};
		table_add_row(tb, cells);
	}
	if (!rc)
		rc = table_render(tb, out);
	table_free(tb);
	if (!rc)
		rc = sources_text(r, out);
	if (!rc && r->bottleneck >= 0) {
		const struct live_trigger *b = &r->trig[r->bottleneck];
		char v[32];
		rc = strbuf_printf(out, "\nbottleneck: %s, %s = %s", b->rule->name, b->series,
				   report_fmt_value(b->rule->metric, b->value, v, sizeof(v)));
		if (!rc && isfinite(b->pressure))
			rc = strbuf_printf(out, ", %.0f%% of its warn level\n", b->pressure * 100);
		else if (!rc)
			rc = strbuf_puts(out, "\n");
	}
	bool header = false;
	for (size_t i = 0; i < r->n_trig && !rc; i++) {
		const struct live_trigger *t = &r->trig[i];
		if (t->skipped || (t->state == TRIG_OK && t->pending == TRIG_OK && !isfinite(t->eta_warn.eta_s)))
			continue;
		if (!header) {
			rc = strbuf_puts(out, "\n");
			header = true;
		}
		if (!rc && t->state == TRIG_UNKNOWN)
			rc = strbuf_printf(out, "%s: UNKNOWN: %s\n", t->rule->name, t->message);
		else if (!rc && t->state != TRIG_OK) {
			rc = strbuf_printf(out, "%s: %s on %s; do: %s\n", t->rule->name, rules_state_label(t->state),
					   t->series, t->rule->action ? t->rule->action : "(no action given)");
			if (!rc && t->message)
				rc = strbuf_printf(out, "%s: %s\n", t->rule->name, t->message);
		}
		else if (!rc && t->pending != TRIG_OK) {
			char p[32], f[32];
			rc = strbuf_printf(out, "%s: past its %s level for %s of %s\n", t->rule->name,
					   t->pending == TRIG_CRIT ? "crit" : "warn",
					   t->pending_s < 1e-3 ? "0 s" : units_fmt_duration(t->pending_s, p, sizeof(p)),
					   units_fmt_duration(t->rule->for_s, f, sizeof(f)));
		} else if (!rc) {
			char e[32], lo[32], hi[32];
			rc = strbuf_printf(out, "%s: at this trend warn is crossed in %s (95%%: %s to %s); then: %s\n",
					   t->rule->name, report_fmt_eta(t->eta_warn.eta_s, e, sizeof(e)),
					   report_fmt_eta(t->eta_warn.lo_s, lo, sizeof(lo)),
					   isinf(t->eta_warn.hi_s) ? "beyond the horizon"
								   : report_fmt_eta(t->eta_warn.hi_s, hi, sizeof(hi)),
					   t->rule->action ? t->rule->action : "(no action given)");
		}
	}
	if (!rc && skipped)
		rc = skipped_text(r, skipped, out);
	if (!rc && ns)
		rc = next_step_text(ns, currency, out);
	return rc;
}

int report_notes_text(const char *const *notes, size_t n, struct strbuf *out)
{
	int rc = n ? strbuf_puts(out, "\n") : 0;
	for (size_t i = 0; i < n && !rc; i++)
		rc = strbuf_printf(out, "note: %s\n", notes[i]);
	return rc;
}

void report_notes_json(json_t *doc, const char *const *notes, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(notes[i]));
	json_object_set_new(doc, "notes", a);
}

json_t *report_json(const struct live_result *r, const struct next_step *ns, const char *currency)
{
	json_t *root = json_object();
	json_object_set_new(root, "status", json_string(rules_state_name(r->status)));
	json_object_set_new(root, "exit_code", json_integer((int)r->status));
	json_object_set_new(root, "time", json_real(r->now));
	struct strbuf sb;
	strbuf_init(&sb, 1 << 16);
	if (report_summary(r, &sb) == 0)
		json_object_set_new(root, "summary", json_string(strbuf_str(&sb)));
	strbuf_free(&sb);

	json_t *bn = json_null();
	if (r->bottleneck >= 0) {
		const struct live_trigger *b = &r->trig[r->bottleneck];
		bn = json_pack("{s:s, s:s, s:s, s:o, s:o}", "trigger", b->rule->name, "series", b->series, "state",
			       rules_state_name(b->state), "value", jsondoc_num(b->value), "pressure", jsondoc_num(b->pressure));
	}
	json_object_set_new(root, "bottleneck", bn);

	json_t *trig = json_array(), *skipped = json_array();
	for (size_t i = 0; i < r->n_trig; i++) {
		const struct live_trigger *t = &r->trig[i];
		const struct trigger_rule *ru = t->rule;
		if (t->skipped) {
			json_array_append_new(skipped, json_pack("{s:s, s:s, s:s}", "name", ru->name, "metric",
								 ru->metric, "reason", t->message ? t->message : ""));
			continue;
		}
		json_t *o = json_object();
		json_object_set_new(o, "name", json_string(ru->name));
		json_object_set_new(o, "metric", json_string(ru->metric));
		json_object_set_new(o, "series", t->series ? json_string(t->series) : json_null());
		json_object_set_new(o, "state", json_string(rules_state_name(t->state)));
		json_object_set_new(o, "value", jsondoc_num(t->value));
		json_object_set_new(o, "warn", jsondoc_num(ru->warn));
		json_object_set_new(o, "crit", jsondoc_num(ru->crit));
		json_object_set_new(o, "direction", json_string(ru->dir == TRIGGER_ABOVE ? "above" : "below"));
		json_object_set_new(o, "for_s", json_real(ru->for_s));
		json_object_set_new(o, "hysteresis", json_real(ru->hysteresis));
		json_object_set_new(o, "since", jsondoc_num(t->since));
		json_object_set_new(o, "pending", t->pending == TRIG_OK ? json_null()
			: json_pack("{s:s, s:f}", "state", rules_state_name(t->pending), "for_s", t->pending_s));
		json_object_set_new(o, "eta_warn_s", jsondoc_num(t->eta_warn.eta_s));
		json_object_set_new(o, "eta_warn_band_s", json_pack("[o, o]", jsondoc_num(t->eta_warn.lo_s),
								    jsondoc_num(t->eta_warn.hi_s)));
		json_object_set_new(o, "eta_crit_s", jsondoc_num(t->eta_crit.eta_s));
		json_object_set_new(o, "eta_crit_band_s", json_pack("[o, o]", jsondoc_num(t->eta_crit.lo_s),
								    jsondoc_num(t->eta_crit.hi_s)));
		json_object_set_new(o, "forecast", json_string(forecast_method_name(t->method)));
		json_object_set_new(o, "source", t->source ? json_string(t->source) : json_null());
		json_object_set_new(o, "pressure", jsondoc_num(t->pressure));
		json_object_set_new(o, "message", t->message ? json_string(t->message) : json_null());
		json_object_set_new(o, "action", ru->action ? json_string(ru->action) : json_null());
		json_object_set_new(o, "origin", ru->origin ? json_string(ru->origin) : json_null());
		json_object_set_new(o, "default", json_boolean(t->is_default));
		/* `check` fills in the planner's next step for firing triggers when
		 * the config models a workload (docs/check.md, "plan"). */
		json_object_set_new(o, "next_step", json_null());
		json_array_append_new(trig, o);
	}
	json_object_set_new(root, "triggers", trig);
	json_object_set_new(root, "skipped", skipped);

	json_t *src = json_array();
	for (size_t i = 0; i < r->n_src; i++) {
		const struct live_source *s = &r->src[i];
		enum live_source_state st = live_source_state(s);
		const char *why = live_source_reason(s);
		json_array_append_new(src, json_pack("{s:s, s:s, s:s, s:b, s:o, s:I, s:f}", "name", s->name, "type",
						     s->type, "state", live_source_state_name(st), "ok",
						     st == LIVE_SOURCE_UP, "error", why ? json_string(why) : json_null(),
						     "metrics", (json_int_t)s->given, "took_s", s->took_s));
	}
	json_object_set_new(root, "sources", src);
	json_t *ms = json_array();
	for (size_t i = 0; i < r->samples.n; i++) {
		const struct metric *m = &r->samples.m[i];
		json_array_append_new(ms, json_pack("{s:s, s:o, s:s?}", "name", m->name, "value", jsondoc_num(m->value),
						    "source", m->source));
	}
	json_object_set_new(root, "metrics", ms);
	if (ns) {
		json_t *pj = next_step_json(ns, currency);
		attach_next_steps(root, pj);
		json_object_set_new(root, "plan", pj);
	}
	return root;
}

/* ---- Prometheus text exposition format ---- */

/* A label value in exposition syntax (format 0.0.4); names are bounded
 * (SAMPLE_NAME_MAX, config strings), so a fixed buffer holds any of them. */
static int put_label_value(struct strbuf *out, const char *v)
{
	char esc[4 * SAMPLE_NAME_MAX];
	return strbuf_puts(out, sample_label_escape(v, esc, sizeof(esc)));
}

/* The shortest text that reads back as the same double: 0.7, not
 * 0.69999999999999996 (util/units.h). */
static int put_value(struct strbuf *out, double v)
{
	char b[40];
	return strbuf_printf(out, " %s\n", units_fmt_exact(v, b, sizeof(b)));
}

/* headroom_ + the base name with every character outside [a-zA-Z0-9_] as
 * '_', and _total after a counter's (the exposition format's convention,
 * which promtool's lint asks for). */
static int put_family(struct strbuf *out, const char *series)
{
	int rc = strbuf_puts(out, "headroom_");
	size_t n = sample_base_len(series);
	for (size_t i = 0; i < n && !rc; i++) {
		char c = series[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
		rc = strbuf_append(out, ok ? &c : "_", 1);
	}
	if (!rc && sample_is_counter(series))
		rc = strbuf_puts(out, "_total");
	return rc;
}

static int cmp_metric(const void *a, const void *b)
{
	const struct metric *x = *(const struct metric *const *)a, *y = *(const struct metric *const *)b;
	size_t lx = sample_base_len(x->name), ly = sample_base_len(y->name);
	int c = strncmp(x->name, y->name, lx < ly ? lx : ly);
	if (c)
		return c;
	if (lx != ly)
		return lx < ly ? -1 : 1;
	return strcmp(x->name, y->name);
}

int report_metrics(const struct live_result *r, unsigned long long rounds, unsigned long long store_errors,
		   struct strbuf *out)
{
	int rc = 0;
	/* Families must be contiguous: sort by base name. */
	const struct metric **ms = xcalloc(r->samples.n + 1, sizeof(*ms));
	for (size_t i = 0; i < r->samples.n; i++)
		ms[i] = &r->samples.m[i];
	qsort(ms, r->samples.n, sizeof(*ms), cmp_metric);
	for (size_t i = 0; i < r->samples.n && !rc; i++) {
		const struct metric *m = ms[i];
		size_t bl = sample_base_len(m->name);
		if (i == 0 || sample_base_len(ms[i - 1]->name) != bl || strncmp(ms[i - 1]->name, m->name, bl) != 0) {
			rc = strbuf_printf(out, "# HELP ");
			if (!rc)
				rc = put_family(out, m->name);
			if (!rc)
				rc = strbuf_printf(out, " %.*s as sampled by headroom (docs/metrics.md)\n# TYPE ", (int)bl,
						   m->name);
			if (!rc)
				rc = put_family(out, m->name);
			if (!rc)
				rc = strbuf_puts(out, sample_is_counter(m->name) ? " counter\n" : " gauge\n");
		}
		if (!rc)
			rc = put_family(out, m->name);
		/* The series' own labels are already in exposition syntax; add source. */
		const char *labels = m->name + bl;
		if (!rc && *labels == '{')
			rc = strbuf_printf(out, "%.*s,source=\"", (int)(strlen(labels) - 1), labels);
		else if (!rc)
			rc = strbuf_puts(out, "{source=\"");
		if (!rc)
			rc = put_label_value(out, m->source ? m->source : "");
		if (!rc)
			rc = strbuf_puts(out, "\"}");
		if (!rc)
			rc = put_value(out, m->value);
	}
	free(ms);

	static const struct {
		const char *name, *help;
	} fam[] = {
		{"headroom_trigger_state", "trigger state: 0 ok, 1 warning, 2 critical, 3 unknown"},
		{"headroom_trigger_value", "the value the trigger state was decided on"},
		{"headroom_trigger_warn", "the trigger's warn level"},
		{"headroom_trigger_crit", "the trigger's crit level"},
		{"headroom_trigger_eta_seconds", "forecast time until the level is crossed (absent: not within the horizon)"},
	};
	for (size_t f = 0; f < sizeof(fam) / sizeof(fam[0]) && !rc; f++) {
		rc = strbuf_printf(out, "# HELP %s %s\n# TYPE %s gauge\n", fam[f].name, fam[f].help, fam[f].name);
		for (size_t i = 0; i < r->n_trig && !rc; i++) {
			const struct live_trigger *t = &r->trig[i];
			if (t->skipped)
				continue;
			double v[4] = {t->state, t->value, t->rule->warn, t->rule->crit};
			if (f == 4) {
				const struct forecast_eta *e[2] = {&t->eta_warn, &t->eta_crit};
				for (int k = 0; k < 2 && !rc; k++) {
					if (!isfinite(e[k]->eta_s))
						continue;
					rc = strbuf_printf(out, "%s{trigger=\"", fam[f].name);
					if (!rc)
						rc = put_label_value(out, t->rule->name);
					if (!rc)
						rc = strbuf_printf(out, "\",level=\"%s\"}", k ? "crit" : "warn");
					if (!rc)
						rc = put_value(out, e[k]->eta_s);
				}
				continue;
			}
			rc = strbuf_printf(out, "%s{trigger=\"", fam[f].name);
			if (!rc)
				rc = put_label_value(out, t->rule->name);
			if (!rc)
				rc = strbuf_puts(out, "\",metric=\"");
			if (!rc)
				rc = put_label_value(out, t->rule->metric);
			if (!rc)
				rc = strbuf_puts(out, "\"}");
			if (!rc)
				rc = put_value(out, v[f]);
		}
	}
	if (!rc)
		rc = strbuf_puts(out, "# HELP headroom_source_up 1 when the source answered the last sample in full\n"
				      "# TYPE headroom_source_up gauge\n");
	for (size_t i = 0; i < r->n_src && !rc; i++) {
		rc = strbuf_puts(out, "headroom_source_up{source=\"");
		if (!rc)
			rc = put_label_value(out, r->src[i].name);
		if (!rc)
			rc = strbuf_printf(out, "\",type=\"%s\"} %d\n", r->src[i].type,
					   live_source_state(&r->src[i]) == LIVE_SOURCE_UP);
	}
	if (!rc)
		rc = strbuf_puts(out, "# HELP headroom_source_sample_seconds time the last sample of the source took\n"
				      "# TYPE headroom_source_sample_seconds gauge\n");
	for (size_t i = 0; i < r->n_src && !rc; i++) {
		rc = strbuf_puts(out, "headroom_source_sample_seconds{source=\"");
		if (!rc)
			rc = put_label_value(out, r->src[i].name);
		if (!rc)
			rc = strbuf_printf(out, "\",type=\"%s\"}", r->src[i].type);
		if (!rc)
			rc = put_value(out, r->src[i].took_s);
	}
	if (!rc)
		rc = strbuf_printf(out,
				   "# HELP headroom_status worst trigger state: 0 ok, 1 warning, 2 critical, 3 unknown\n"
				   "# TYPE headroom_status gauge\nheadroom_status %d\n"
				   "# HELP headroom_agent_rounds_total sampling rounds since the agent started\n"
				   "# TYPE headroom_agent_rounds_total counter\nheadroom_agent_rounds_total %llu\n"
				   "# HELP headroom_store_errors_total rounds whose samples could not be stored\n"
				   "# TYPE headroom_store_errors_total counter\nheadroom_store_errors_total %llu\n"
				   "# HELP headroom_last_sample_timestamp_seconds Unix time of the last sample\n"
				   "# TYPE headroom_last_sample_timestamp_seconds gauge\n"
				   "headroom_last_sample_timestamp_seconds",
				   (int)r->status, rounds, store_errors);
	/* To the millisecond, then in its shortest form (…796.19, not …796.190). */
	if (!rc)
		rc = put_value(out, round(r->now * 1000) / 1000);
	return rc;
}

int report_change_line(const struct live_change *c, bool with_advice, struct strbuf *out)
{
	char v[32];
	report_fmt_value(c->rule->metric, c->value, v, sizeof(v));
	int rc = strbuf_printf(out, "%s %s -> %s (%s = %s)", c->rule->name, rules_state_label(c->from),
			       rules_state_label(c->to), c->series, v);
	if (!rc && with_advice && c->to == TRIG_UNKNOWN && c->message)
		rc = strbuf_printf(out, ": %s", c->message);
	else if (!rc && with_advice && c->to != TRIG_OK && c->rule->action)
		rc = strbuf_printf(out, ". Do: %s", c->rule->action);
	return rc;
}

json_t *report_webhook_json(const struct live_change *c, double now)
{
	struct strbuf text;
	strbuf_init(&text, 4096);
	if (report_change_line(c, true, &text) != 0) {
		/* cut at the cap: sent as far as it goes, never dropped */
	}
	json_t *body = json_pack("{s:s, s:s, s:s, s:s, s:s, s:f}", "text", strbuf_str(&text), "trigger", c->rule->name,
				 "from", rules_state_name(c->from), "to", rules_state_name(c->to), "series", c->series,
				 "time", now);
	strbuf_free(&text);
	return body;
}
