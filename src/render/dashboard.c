/* dashboard.c - the agent's page (see dashboard.h). */
#include "render/dashboard.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "model/rules.h"
#include "render/doc.h"
#include "render/report.h"
#include "render/svg.h"
#include "util/units.h"

const double dash_window_s[DASH_WINDOWS] = {3600, 86400, 7 * 86400};
static const char *const win_id[DASH_WINDOWS] = {"hour", "day", "week"};
static const char *const win_label[DASH_WINDOWS] = {"Last hour", "Last day", "Last week"};

/* Tick labels in the metric's own unit, as check prints its values. */
static void fmt_metric(double v, double step, const void *ctx, char *buf, size_t n)
{
	(void)step;
	if (v == 0)
		snprintf(buf, n, "0");
	else
		report_fmt_value(ctx, v, buf, n);
}

static int put(struct strbuf *out, const char *s)
{
	return strbuf_puts(out, s);
}

static int esc(struct strbuf *out, const char *s)
{
	return svg_escape(out, s ? s : "");
}

/* "12:00:05 UTC" for the time of a sample. */
static void fmt_clock(double t, char *buf, size_t n)
{
	time_t tt = (time_t)floor(t);
	struct tm tm;
	if (!isfinite(t) || !gmtime_r(&tt, &tm))
		snprintf(buf, n, "-");
	else
		snprintf(buf, n, "%04d-%02d-%02d %02d:%02d:%02d UTC", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			 tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static int state_cell(struct strbuf *out, const struct live_trigger *t)
{
	if (t->skipped)
		return put(out, "<td><span class=\"state state-unknown\">n/a</span></td>");
	int rc = strbuf_printf(out, "<td><span class=\"state state-%s\">", rules_state_name(t->state));
	if (!rc)
		rc = put(out, rules_state_label(t->state));
	if (!rc)
		rc = put(out, "</span>");
	/* past a level whose `for` has not run out yet: say which, and for how long */
	if (!rc && t->pending > t->state && t->pending != TRIG_UNKNOWN) {
		char d[32], f[32];
		units_fmt_duration3(t->pending_s, d, sizeof(d));
		units_fmt_duration3(t->rule->for_s, f, sizeof(f));
		rc = strbuf_printf(out, " <span class=\"pending\">%s for %s of %s</span>", rules_state_name(t->pending), d, f);
	}
	if (!rc)
		rc = put(out, "</td>");
	return rc;
}

static int cell(struct strbuf *out, const char *text, bool right)
{
	int rc = put(out, right ? "<td class=\"r\">" : "<td>");
	if (!rc)
		rc = esc(out, text);
	if (!rc)
		rc = put(out, "</td>");
	return rc;
}

static int status_line(const struct dash_input *in, struct strbuf *out)
{
	const struct live_result *r = in->res;
	char when[48];
	fmt_clock(r->now, when, sizeof(when));
	int rc = strbuf_printf(out, "<p class=\"status\"><span class=\"state state-%s\">%s</span> sampled ",
			       rules_state_name(r->status), rules_state_label(r->status));
	if (!rc)
		rc = esc(out, when);
	if (!rc && r->bottleneck >= 0 && (size_t)r->bottleneck < r->n_trig) {
		const struct live_trigger *t = &r->trig[r->bottleneck];
		char v[48], w[48];
		report_fmt_value(t->rule->metric, t->value, v, sizeof(v));
		report_fmt_value(t->rule->metric, t->rule->warn, w, sizeof(w));
		rc = put(out, "; bottleneck: <strong>");
		if (!rc)
			rc = esc(out, t->rule->name);
		if (!rc)
			rc = put(out, "</strong> (");
		if (!rc)
			rc = esc(out, t->series ? t->series : t->rule->metric);
		if (!rc)
			rc = strbuf_printf(out, " at %s, warn at ", v);
		if (!rc)
			rc = esc(out, w);
		if (!rc)
			rc = put(out, ")");
	}
	if (!rc)
		rc = put(out, "</p>\n");
	return rc;
}

static int trigger_table(const struct dash_input *in, struct strbuf *out)
{
	const struct live_result *r = in->res;
	int rc = put(out, "<div class=\"tw\"><table>\n<thead><tr><th>Trigger</th><th>State</th><th class=\"r\">Value</th>"
			  "<th class=\"r\">Warn</th><th class=\"r\">Crit</th><th class=\"r\">For</th>"
			  "<th class=\"r\">Warn in</th><th class=\"r\">Crit in</th><th>Series or reason</th></tr></thead>\n<tbody>\n");
	/* those that apply first, in rule order; then the ones that do not */
	for (int pass = 0; pass < 2 && !rc; pass++) {
		for (size_t i = 0; i < r->n_trig && !rc; i++) {
			const struct live_trigger *t = &r->trig[i];
			if (t->skipped != (pass == 1))
				continue;
			char v[48], w[48], c[48], f[32], ew[32], ec[32];
			const char *m = t->rule->metric;
			report_fmt_value(m, t->value, v, sizeof(v));
			if (isnan(t->rule->warn))
				snprintf(w, sizeof(w), "-");
			else
				report_fmt_value(m, t->rule->warn, w, sizeof(w));
			if (isnan(t->rule->crit))
				snprintf(c, sizeof(c), "-");
			else
				report_fmt_value(m, t->rule->crit, c, sizeof(c));
			if (t->rule->for_s > 0)
				units_fmt_duration(t->rule->for_s, f, sizeof(f));
			else
				snprintf(f, sizeof(f), "0");
			bool fc = t->method != FORECAST_NONE;
			report_fmt_eta(fc ? t->eta_warn.eta_s : NAN, ew, sizeof(ew));
			report_fmt_eta(fc ? t->eta_crit.eta_s : NAN, ec, sizeof(ec));
			rc = strbuf_printf(out, "<tr%s>", (long)i == r->bottleneck ? " class=\"bottleneck\"" : "");
			if (!rc)
				rc = cell(out, t->rule->name, false);
			if (!rc)
				rc = state_cell(out, t);
			if (!rc)
				rc = cell(out, v, true);
			if (!rc)
				rc = cell(out, w, true);
			if (!rc)
				rc = cell(out, c, true);
			if (!rc)
				rc = cell(out, f, true);
			if (!rc)
				rc = cell(out, ew, true);
			if (!rc)
				rc = cell(out, ec, true);
			if (!rc)
				rc = cell(out, t->message ? t->message : t->series ? t->series : m, false);
			if (!rc)
				rc = put(out, "</tr>\n");
		}
	}
	if (!rc)
		rc = put(out, "</tbody></table></div>\n");
	return rc;
}

static int history_chart(const struct dash_input *in, size_t i, int w, struct strbuf *out)
{
	const struct live_trigger *t = &in->res->trig[i];
	const struct dash_window *win = &in->hist[i][w];
	char id[48], title[200], ytitle[160], wl[48], cl[48];
	snprintf(id, sizeof(id), "h%zu-%s", i, win_id[w]);
	snprintf(title, sizeof(title), "%s: %s", t->rule->name, win_label[w]);
	snprintf(ytitle, sizeof(ytitle), "%s", t->rule->metric);
	size_t finite = 0;
	for (size_t k = 0; k < win->n; k++)
		finite += isfinite(win->v[k]);
	/* dots with their hover texts where they can be told apart; past that the line tells it */
	struct svg_series s = {t->series ? t->series : t->rule->metric, win->v, NULL, 0, false, finite > 60};
	struct svg_rule rules[2];
	size_t nr = 0;
	if (!isnan(t->rule->warn)) {
		snprintf(wl, sizeof(wl), "warn %s", report_fmt_value(t->rule->metric, t->rule->warn, (char[40]){0}, 40));
		rules[nr++] = (struct svg_rule){t->rule->warn, wl, SVG_RULE_WARN};
	}
	if (!isnan(t->rule->crit)) {
		snprintf(cl, sizeof(cl), "crit %s", report_fmt_value(t->rule->metric, t->rule->crit, (char[40]){0}, 40));
		rules[nr++] = (struct svg_rule){t->rule->crit, cl, SVG_RULE_CRIT};
	}
	char desc[400];
	snprintf(desc, sizeof(desc), "%s of %s over the %s, averaged into %d buckets, with the warn and crit levels.",
		 t->rule->metric, t->series ? t->series : t->rule->metric, win_label[w] + 5, DASH_POINTS);
	struct svg_chart c = {
		.id = id, .title = title, .desc = desc, .kind = SVG_LINES, .x = win->t, .n = win->n,
		.xa = {"Time (UTC)", SVG_TIME, win->from, win->to, false, NULL, NULL},
		.ya = {ytitle, SVG_LINEAR, NAN, NAN, true, fmt_metric, t->rule->metric},
		.series = &s, .n_series = 1, .rules = rules, .n_rules = nr, .width = 400, .height = 260,
	};
	int rc = strbuf_printf(out, "<figure class=\"chart win-%s\">\n", win_id[w]);
	if (!rc)
		rc = svg_render(&c, out);
	if (!rc)
		rc = put(out, "</figure>\n");
	return rc;
}

int dashboard_render_part(const struct dash_input *in, struct strbuf *out)
{
	int rc = status_line(in, out);
	if (!rc)
		rc = trigger_table(in, out);
	if (!rc)
		rc = put(out, "<h2 id=\"history\">History</h2>\n");
	bool any = false;
	for (size_t i = 0; in->hist && i < in->res->n_trig && !rc; i++) {
		const struct live_trigger *t = &in->res->trig[i];
		if (t->skipped)
			continue;
		if (!any)
			rc = put(out, "<div class=\"charts\">\n");
		any = true;
		for (int w = 0; w < DASH_WINDOWS && !rc; w++)
			rc = history_chart(in, i, w, out);
	}
	if (!rc)
		rc = put(out, any ? "</div>\n" : "<p class=\"note\">No trigger applies here yet: nothing to draw.</p>\n");
	return rc;
}

/* The window tabs: radio buttons before the part, so a swapped part keeps the choice. */
static const char tab_style[] =
	".tabs{margin:.6em 0}\n"
	"input.tab{position:absolute;opacity:0;pointer-events:none}\n"
	".tabs label{display:inline-block;padding:.25em .8em;margin:0 .3em .3em 0;border:1px solid var(--line);"
	"border-radius:6px;cursor:pointer;user-select:none}\n"
	"#win-hour:checked~.tabs label[for=win-hour],#win-day:checked~.tabs label[for=win-day],"
	"#win-week:checked~.tabs label[for=win-week]{background:var(--accent);border-color:var(--accent);color:var(--bg)}\n"
	"input.tab:focus-visible~.tabs{outline:2px solid var(--accent);outline-offset:2px}\n"
	"#win-hour:checked~#live .win-day,#win-hour:checked~#live .win-week,"
	"#win-day:checked~#live .win-hour,#win-day:checked~#live .win-week,"
	"#win-week:checked~#live .win-hour,#win-week:checked~#live .win-day{display:none}\n"
	".status{font-size:1.05em}\n"
	"tr.bottleneck td{background:var(--card)}\n"
	"td:first-child{white-space:nowrap}\n.pending{color:var(--muted);font-size:.9em;white-space:nowrap}\n"
	".charts{grid-template-columns:repeat(auto-fit,minmax(min(100%,380px),1fr))}\n"
	"@media print{.tabs{display:none}}\n";

/* Fetch the part from the agent itself and swap it in; on a failure say so
 * in the page and keep the last part. No other request is made. The
 * interval goes in between the two halves. */
static const char script_head[] =
	"(function () {\n"
	"  var live = document.getElementById('live'), note = document.getElementById('stale');\n"
	"  var n = 0, busy = false;\n"
	"  function tick() {\n"
	"    if (busy) return;\n"
	"    busy = true;\n"
	"    fetch('dashboard.part', {credentials: 'same-origin', cache: 'no-store'})\n"
	"      .then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.text(); })\n"
	"      .then(function (t) { live.innerHTML = t; n++; live.setAttribute('data-refreshed', String(n)); note.textContent = ''; })\n"
	"      .catch(function (e) { note.textContent = '(not updating: ' + e.message + ')'; })\n"
	"      .then(function () { busy = false; });\n"
	"  }\n";
static const char script_tail[] = "})();";

int dashboard_render_page(const struct dash_input *in, struct strbuf *out)
{
	char gen[64];
	snprintf(gen, sizeof(gen), "headroom %s", in->version ? in->version : "?");
	int rc = put(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
			  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
			  "<meta name=\"color-scheme\" content=\"light dark\">\n<meta name=\"generator\" content=\"");
	if (!rc)
		rc = esc(out, gen);
	if (!rc)
		rc = put(out, "\">\n<title>headroom agent: ");
	if (!rc)
		rc = esc(out, in->listen);
	if (!rc)
		rc = put(out, "</title>\n<style>\n");
	if (!rc)
		rc = doc_style(out);
	if (!rc)
		rc = svg_style(out);
	if (!rc)
		rc = put(out, tab_style);
	if (!rc)
		rc = put(out, "</style>\n</head>\n<body>\n<main>\n<h1>headroom agent: ");
	if (!rc)
		rc = esc(out, in->listen);
	if (!rc)
		rc = strbuf_printf(out, "</h1>\n<p class=\"note\">headroom %s, config ", in->version ? in->version : "?");
	if (!rc)
		rc = put(out, "<code>");
	if (!rc)
		rc = esc(out, in->config ? in->config : "(none: this machine, the default triggers)");
	if (!rc)
		rc = strbuf_printf(out, "</code>; the page refreshes itself every %.0f s <span id=\"stale\"></span></p>\n",
				   in->refresh_s);
	if (!rc)
		rc = put(out, "<input type=\"radio\" class=\"tab\" name=\"win\" id=\"win-hour\" checked>"
			      "<input type=\"radio\" class=\"tab\" name=\"win\" id=\"win-day\">"
			      "<input type=\"radio\" class=\"tab\" name=\"win\" id=\"win-week\">\n"
			      "<div class=\"tabs\" role=\"group\" aria-label=\"History window\">"
			      "<label for=\"win-hour\">Last hour</label><label for=\"win-day\">Last day</label>"
			      "<label for=\"win-week\">Last week</label></div>\n"
			      "<div id=\"live\" data-refreshed=\"0\">\n");
	if (!rc)
		rc = dashboard_render_part(in, out);
	if (!rc)
		rc = put(out, "</div>\n</main>\n<script>\n");
	if (!rc)
		rc = put(out, script_head);
	if (!rc)
		rc = strbuf_printf(out, "  setInterval(tick, %.0f);\n", in->refresh_s * 1000);
	if (!rc)
		rc = put(out, script_tail);
	if (!rc)
		rc = put(out, "\n</script>\n</body>\n</html>\n");
	return rc;
}
