/* promrules.c - render the triggers as Prometheus alerting rules (see promrules.h). */
#include "render/promrules.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <yaml.h>

#include "model/sample.h"
#include "render/plan.h"
#include "render/reason.h"
#include "util/units.h"

/* Filesystems node_exporter reports that hold no data, as the prometheus
 * source leaves them out (sources/prometheus.c). */
#define FS "fstype!~\"tmpfs|overlay|squashfs|ramfs\""
/* The rate window: Prometheus' docs ask for at least four scrape intervals;
 * 5m covers a 1m scrape and matches the default triggers' `for`. */
#define W "[5m]"

/* Every built-in metric of docs/metrics.md, per instance (a trigger fires on
 * its worst series, so does an alert on any instance). "$L" is where a
 * trigger's label matchers go: "{$L}" disappears when there are none. */
static const struct promrules_builtin builtins[] = {
	/* node_exporter (github.com/prometheus/node_exporter): CPU seconds by
	 * mode, meminfo, loadavg, filesystem and network device counters. */
	{"cpu.utilization",
	 "1 - sum by (instance) (rate(node_cpu_seconds_total{mode=~\"idle|iowait\",$L}" W ")) / "
	 "count by (instance) (node_cpu_seconds_total{mode=\"idle\",$L})",
	 "node_exporter"},
	{"cpu.iowait_ratio",
	 "sum by (instance) (rate(node_cpu_seconds_total{mode=\"iowait\",$L}" W ")) / "
	 "count by (instance) (node_cpu_seconds_total{mode=\"idle\",$L})",
	 "node_exporter"},
	{"cpu.steal_ratio",
	 "sum by (instance) (rate(node_cpu_seconds_total{mode=\"steal\",$L}" W ")) / "
	 "count by (instance) (node_cpu_seconds_total{mode=\"idle\",$L})",
	 "node_exporter"},
	{"cpu.cores", "count by (instance) (node_cpu_seconds_total{mode=\"idle\",$L})", "node_exporter"},
	{"memory.used_ratio", "1 - node_memory_MemAvailable_bytes{$L} / node_memory_MemTotal_bytes{$L}", "node_exporter"},
	{"memory.available_bytes", "node_memory_MemAvailable_bytes{$L}", "node_exporter"},
	{"memory.total_bytes", "node_memory_MemTotal_bytes{$L}", "node_exporter"},
	{"memory.swap_used_ratio", "1 - node_memory_SwapFree_bytes{$L} / (node_memory_SwapTotal_bytes{$L} > 0)",
	 "node_exporter"},
	{"load.1", "node_load1{$L}", "node_exporter"},
	{"load.5", "node_load5{$L}", "node_exporter"},
	{"load.15", "node_load15{$L}", "node_exporter"},
	{"load.per_cpu",
	 "sum by (instance) (node_load1{$L}) / count by (instance) (node_cpu_seconds_total{mode=\"idle\",$L})",
	 "node_exporter"},
	{"disk.used_ratio",
	 "1 - node_filesystem_avail_bytes{" FS ",$L} / (node_filesystem_size_bytes{" FS ",$L} - "
	 "node_filesystem_free_bytes{" FS ",$L} + node_filesystem_avail_bytes{" FS ",$L})",
	 "node_exporter"},
	{"disk.free_ratio",
	 "node_filesystem_avail_bytes{" FS ",$L} / (node_filesystem_size_bytes{" FS ",$L} - "
	 "node_filesystem_free_bytes{" FS ",$L} + node_filesystem_avail_bytes{" FS ",$L})",
	 "node_exporter"},
	{"disk.used_bytes", "node_filesystem_size_bytes{" FS ",$L} - node_filesystem_free_bytes{" FS ",$L}",
	 "node_exporter"},
	{"disk.available_bytes", "node_filesystem_avail_bytes{" FS ",$L}", "node_exporter"},
	{"disk.inodes_used_ratio", "1 - node_filesystem_files_free{" FS ",$L} / node_filesystem_files{" FS ",$L}",
	 "node_exporter"},
	{"net.rx_bytes", "sum by (instance) (node_network_receive_bytes_total{device!=\"lo\",$L})", "node_exporter"},
	{"net.tx_bytes", "sum by (instance) (node_network_transmit_bytes_total{device!=\"lo\",$L})", "node_exporter"},
	{"net.rx_bytes_per_second", "sum by (instance) (rate(node_network_receive_bytes_total{device!=\"lo\",$L}" W "))",
	 "node_exporter"},
	{"net.tx_bytes_per_second",
	 "sum by (instance) (rate(node_network_transmit_bytes_total{device!=\"lo\",$L}" W "))", "node_exporter"},
	/* postgres_exporter (github.com/prometheus-community/postgres_exporter):
	 * pg_stat_activity counts by database and state, pg_settings_*,
	 * pg_database_size_bytes, pg_stat_database_*, pg_replication_lag_seconds. */
	{"postgres.connections.used", "sum by (instance) (pg_stat_activity_count{$L})", "postgres_exporter"},
	{"postgres.connections.max", "pg_settings_max_connections{$L}", "postgres_exporter"},
	{"postgres.connections.used_ratio",
	 "sum by (instance) (pg_stat_activity_count{$L}) / max by (instance) (pg_settings_max_connections{$L})",
	 "postgres_exporter"},
	{"postgres.database.size_bytes", "pg_database_size_bytes{$L}", "postgres_exporter"},
	{"postgres.cache_hit_ratio",
	 "sum by (instance) (rate(pg_stat_database_blks_hit{$L}" W ")) / (sum by (instance) "
	 "(rate(pg_stat_database_blks_hit{$L}" W ")) + sum by (instance) (rate(pg_stat_database_blks_read{$L}" W ")))",
	 "postgres_exporter"},
	{"postgres.longest_query_s", "max by (instance) (pg_stat_activity_max_tx_duration{state=\"active\",$L})",
	 "postgres_exporter"},
	{"postgres.replication_lag_s", "pg_replication_lag_seconds{$L}", "postgres_exporter"},
	/* redis_exporter (github.com/oliver006/redis_exporter): INFO fields, and
	 * redis_key_size for the keys given with -check-keys. */
	{"redis.memory.used_bytes", "redis_memory_used_bytes{$L}", "redis_exporter"},
	{"redis.memory.max_bytes", "redis_memory_max_bytes{$L}", "redis_exporter"},
	{"redis.memory.used_ratio", "redis_memory_used_bytes{$L} / (redis_memory_max_bytes{$L} > 0)", "redis_exporter"},
	{"redis.evicted_keys", "redis_evicted_keys_total{$L}", "redis_exporter"},
	{"redis.evicted_keys_per_second", "rate(redis_evicted_keys_total{$L}" W ")", "redis_exporter"},
	{"redis.clients.connected", "redis_connected_clients{$L}", "redis_exporter"},
	{"redis.clients.blocked", "redis_blocked_clients{$L}", "redis_exporter"},
	{"redis.queue.length", "redis_key_size{$L}", "redis_exporter (-check-keys)"},
	/* The service's own instrumentation, as the Prometheus client libraries
	 * name it (seed 002's alerts use these names), and blackbox_exporter's
	 * probe for the figures headroom's http probe measures. */
	{"http.p50", "histogram_quantile(0.5, sum by (job, le) (rate(http_request_duration_seconds_bucket{$L}" W ")))",
	 "client-library instrumentation (http_request_duration_seconds)"},
	{"http.p95", "histogram_quantile(0.95, sum by (job, le) (rate(http_request_duration_seconds_bucket{$L}" W ")))",
	 "client-library instrumentation (http_request_duration_seconds)"},
	{"http.error_ratio",
	 "sum by (job) (rate(http_requests_total{status=~\"5..\",$L}" W ")) / sum by (job) (rate(http_requests_total{$L}" W
	 "))",
	 "client-library instrumentation (http_requests_total)"},
	{"http.request_rate", "sum by (job) (rate(http_requests_total{$L}" W "))",
	 "client-library instrumentation (http_requests_total)"},
	{"http.max", "max_over_time(probe_duration_seconds{$L}" W ")", "blackbox_exporter"},
	{"http.status", "probe_http_status_code{$L}", "blackbox_exporter"},
	{"http.up", "probe_success{$L}", "blackbox_exporter"},
};

/* A trigger label that an exporter spells differently. */
static const struct {
	const char *prefix, *from, *to;
} renames[] = {
	{"disk.", "mount", "mountpoint"}, /* node_exporter's filesystem label */
};

const struct promrules_builtin *promrules_builtins(size_t *n)
{
	*n = sizeof(builtins) / sizeof(builtins[0]);
	return builtins;
}

int promrules_render_metrics_md(struct strbuf *out)
{
	int rc = strbuf_puts(out, "| metric | PromQL | exporter |\n|---|---|---|\n");
	for (size_t i = 0; !rc && i < sizeof(builtins) / sizeof(builtins[0]); i++) {
		rc = strbuf_printf(out, "| `%s` | `", builtins[i].metric);
		for (const char *p = builtins[i].promql; *p && !rc; p++) {
			if (strncmp(p, "{$L}", 4) == 0) {
				p += 3;
				continue;
			}
			if (strncmp(p, ",$L", 3) == 0) {
				p += 2;
				continue;
			}
			rc = *p == '|' ? strbuf_puts(out, "\\|") : strbuf_append(out, p, 1);
		}
		if (!rc)
			rc = strbuf_printf(out, "` | %s |\n", builtins[i].exporter);
	}
	return rc;
}

/* The label matchers of a metric name, `mount="/",x="y"`, with renames;
 * the values keep their escapes (the text format's are PromQL's too). */
static int matchers(const char *metric, struct strbuf *out)
{
	const char *p = strchr(metric, '{');
	if (!p)
		return 0;
	p++;
	int rc = 0;
	bool first = true;
	while (*p && *p != '}' && !rc) {
		const char *eq = strchr(p, '=');
		if (!eq)
			break;
		size_t klen = (size_t)(eq - p);
		const char *key = p;
		/* The value: a quoted string with backslash escapes. */
		const char *v = eq + 1;
		if (*v != '"')
			break;
		const char *e = v + 1;
		while (*e && *e != '"')
			e += (*e == '\\' && e[1]) ? 2 : 1;
		if (*e != '"')
			break;
		rc = first ? 0 : strbuf_puts(out, ",");
		first = false;
		const char *to = NULL;
		for (size_t i = 0; i < sizeof(renames) / sizeof(renames[0]); i++)
			if (strncmp(metric, renames[i].prefix, strlen(renames[i].prefix)) == 0 &&
			    strlen(renames[i].from) == klen && strncmp(key, renames[i].from, klen) == 0)
				to = renames[i].to;
		if (!rc)
			rc = to ? strbuf_puts(out, to) : strbuf_append(out, key, klen);
		if (!rc)
			rc = strbuf_append(out, "=", 1);
		if (!rc)
			rc = strbuf_append(out, v, (size_t)(e + 1 - v));
		p = e + 1;
		if (*p == ',')
			p++;
	}
	return rc;
}

/* The template with its "$L" filled. */
static int expand(const char *tmpl, const char *m, struct strbuf *out)
{
	int rc = 0;
	bool none = !*m;
	for (const char *p = tmpl; *p && !rc;) {
		if (strncmp(p, "{$L}", 4) == 0) {
			rc = none ? 0 : strbuf_printf(out, "{%s}", m);
			p += 4;
		} else if (strncmp(p, ",$L", 3) == 0) {
			rc = none ? 0 : strbuf_printf(out, ",%s", m);
			p += 3;
		} else {
			rc = strbuf_append(out, p, 1);
			p++;
		}
	}
	return rc;
}

/* The query a prometheus source gives for this name ("name=expr"), or NULL. */
static const char *source_query(const char *base, size_t blen, const struct source_config *src, size_t n,
				const char **source)
{
	for (size_t i = 0; i < n; i++) {
		if (!src[i].type || strcmp(src[i].type, "prometheus") != 0)
			continue;
		for (size_t k = 0; k < src[i].n_queries; k++) {
			const char *q = src[i].queries[k];
			const char *eq = strchr(q, '=');
			if (eq && (size_t)(eq - q) == blen && strncmp(q, base, blen) == 0) {
				*source = src[i].name ? src[i].name : "prometheus";
				return eq + 1;
			}
		}
	}
	return NULL;
}

int promrules_expr(const char *metric, const struct source_config *sources, size_t n_sources, struct strbuf *out,
		   enum promrules_origin *origin, const char **what)
{
	size_t blen = sample_base_len(metric);
	const char *q = source_query(metric, blen, sources, n_sources, what);
	if (q) {
		*origin = PROMRULES_QUERY;
		return strbuf_puts(out, q);
	}
	struct strbuf m;
	strbuf_init(&m, 4096);
	int rc = matchers(metric, &m);
	for (size_t i = 0; !rc && i < sizeof(builtins) / sizeof(builtins[0]); i++) {
		if (strlen(builtins[i].metric) == blen && strncmp(builtins[i].metric, metric, blen) == 0) {
			*origin = PROMRULES_EXPORTER;
			*what = builtins[i].exporter;
			rc = expand(builtins[i].promql, strbuf_str(&m), out);
			strbuf_free(&m);
			return rc;
		}
	}
	/* headroom agent's /metrics: headroom_ + the name, every character
	 * outside [a-zA-Z0-9_] as '_' (render/report.c), labels as they are. */
	*origin = PROMRULES_AGENT;
	*what = "headroom agent /metrics";
	if (!rc)
		rc = strbuf_puts(out, "headroom_");
	for (size_t i = 0; i < blen && !rc; i++) {
		char c = metric[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
		rc = strbuf_append(out, ok ? &c : "_", 1);
	}
	if (!rc && strbuf_str(&m)[0])
		rc = strbuf_printf(out, "{%s}", strbuf_str(&m));
	strbuf_free(&m);
	return rc;
}

char *promrules_duration(double seconds, char *buf, size_t n)
{
	long long ms = seconds > 0 ? llround(seconds * 1000) : 0;
	if (ms == 0) {
		snprintf(buf, n, "0s");
		return buf;
	}
	static const struct {
		long long ms;
		const char *unit;
	} units[] = {{3600000, "h"}, {60000, "m"}, {1000, "s"}, {1, "ms"}};
	size_t used = 0;
	buf[0] = 0;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]) && used < n; i++) {
		long long q = ms / units[i].ms;
		ms %= units[i].ms;
		if (q > 0) {
			int k = snprintf(buf + used, n - used, "%lld%s", q, units[i].unit);
			if (k < 0)
				break;
			used += (size_t)k;
		}
	}
	return buf;
}

char *promrules_alert_name(const char *trigger, char *buf, size_t n)
{
	size_t used = (size_t)snprintf(buf, n, "Headroom");
	bool up = true;
	for (const char *p = trigger; *p && used + 1 < n; p++) {
		char c = *p;
		bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
		if (!alnum) {
			up = true;
			continue;
		}
		buf[used++] = up && c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
		up = false;
	}
	buf[used < n ? used : n - 1] = 0;
	return buf;
}

/* A level as people read it: 70%, 500ms, 50GB, 100/s, 500. */
static char *level_text(enum sample_unit u, double v, char *buf, size_t n)
{
	switch (u) {
	case SAMPLE_UNIT_RATIO:
		snprintf(buf, n, "%g%%", v * 100);
		break;
	case SAMPLE_UNIT_SECONDS:
		promrules_duration(v, buf, n);
		break;
	case SAMPLE_UNIT_BYTES: {
		static const char *const si[] = {"B", "kB", "MB", "GB", "TB", "PB"};
		int i = 0;
		double x = v;
		while (fabs(x) >= 1000 && i < 5)
			x /= 1000, i++;
		snprintf(buf, n, "%g%s", x, si[i]);
		break;
	}
	case SAMPLE_UNIT_PER_SECOND:
		snprintf(buf, n, "%g/s", v);
		break;
	case SAMPLE_UNIT_COUNT:
		snprintf(buf, n, "%g", v);
		break;
	}
	return buf;
}

/* The template that prints the alert's value in the same unit. */
static const char *value_template(enum sample_unit u)
{
	switch (u) {
	case SAMPLE_UNIT_RATIO: return "{{ $value | humanizePercentage }}";
	case SAMPLE_UNIT_SECONDS: return "{{ $value | humanizeDuration }}";
	case SAMPLE_UNIT_BYTES: return "{{ $value | humanize }}B";
	case SAMPLE_UNIT_PER_SECOND: return "{{ $value | humanize }}/s";
	case SAMPLE_UNIT_COUNT: return "{{ $value | humanize }}";
	}
	return "{{ $value }}";
}

/* Text from the config in an annotation: "{{" would start a template action. */
static int template_literal(struct strbuf *out, const char *s)
{
	int rc = 0;
	for (const char *p = s; *p && !rc; p++) {
		if (p[0] == '{' && p[1] == '{') {
			rc = strbuf_puts(out, "{{ \"{{\" }}");
			p++;
		} else {
			rc = strbuf_append(out, p, 1);
		}
	}
	return rc;
}

/* --- YAML through libyaml's emitter ---------------------------------------- */

struct emit {
	yaml_emitter_t em;
	yaml_event_t ev;
	bool ok;
	int rc; /* a strbuf error, when the output handler failed */
	struct strbuf *out;
};

static int on_write(void *data, unsigned char *buffer, size_t size)
{
	struct emit *e = data;
	int rc = strbuf_append(e->out, buffer, size);
	if (rc)
		e->rc = rc;
	return rc == 0;
}

static void ev(struct emit *e, int made)
{
	e->ok = e->ok && made && yaml_emitter_emit(&e->em, &e->ev);
}

static void scalar(struct emit *e, const char *v)
{
	if (e->ok)
		ev(e, yaml_scalar_event_initialize(&e->ev, NULL, NULL, (yaml_char_t *)v, (int)strlen(v), 1, 1,
						   YAML_ANY_SCALAR_STYLE));
}

static void kv(struct emit *e, const char *k, const char *v)
{
	scalar(e, k);
	scalar(e, v);
}

static void map_start(struct emit *e)
{
	if (e->ok)
		ev(e, yaml_mapping_start_event_initialize(&e->ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE));
}

static void map_end(struct emit *e)
{
	if (e->ok)
		ev(e, yaml_mapping_end_event_initialize(&e->ev));
}

static void seq_start(struct emit *e)
{
	if (e->ok)
		ev(e, yaml_sequence_start_event_initialize(&e->ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE));
}

static void seq_end(struct emit *e)
{
	if (e->ok)
		ev(e, yaml_sequence_end_event_initialize(&e->ev));
}

/* The planner's next step in one sentence. */
static int next_step_text(const struct promrules_report *r, struct strbuf *out)
{
	const struct plan_step *now = r->now;
	char nodes[256], money[48];
	const char *cur = r->currency ? r->currency : "USD";
	if (!now->feasible)
		return strbuf_printf(out, "no deployment meets every target at %.0f users: %s", now->users,
				     reason_text(&now->why, (char[REASON_STEP_MAX]){0}, REASON_STEP_MAX));
	plan_nodes_text(&now->best, nodes, sizeof(nodes));
	int rc = strbuf_printf(out, "the plan at %.0f users: %s %s on %s, %s a month", now->users,
			       plan_stage_name(now->best.shape.stage), nodes, now->best.provider ? now->best.provider : "?",
			       units_fmt_money(now->best.cost.total, cur, money, sizeof(money)));
	if (rc)
		return rc;
	if (!now->next.found)
		return strbuf_printf(out, "; it holds past %.0f users", now->next.users);
	rc = strbuf_printf(out, "; %s passes its limit at %.0f users", planner_res_name(now->next.res), now->next.users);
	if (!rc && now->next.months >= 0)
		rc = strbuf_printf(out, " (month %.1f)", now->next.months);
	const struct plan_step *then = r->then;
	if (rc || !then)
		return rc;
	if (!then->feasible)
		return strbuf_printf(out, ", and no deployment meets every target there");
	plan_nodes_text(&then->best, nodes, sizeof(nodes));
	return strbuf_printf(out, ", then: %s %s on %s, %s a month", plan_stage_name(then->best.shape.stage), nodes,
			     then->best.provider ? then->best.provider : "?",
			     units_fmt_money(then->best.cost.total, cur, money, sizeof(money)));
}

static void rule(struct emit *e, const struct promrules_report *r, const struct trigger_rule *t, bool crit,
		 const char *expr, enum promrules_origin origin, const char *what, const char *next)
{
	char alert[160], level[64], dur[64], cmp[64];
	double lv = crit ? t->crit : t->warn;
	enum sample_unit u = sample_unit(t->metric);
	const char *dir = t->dir == TRIGGER_BELOW ? "below" : "above";
	struct strbuf x, s;
	strbuf_init(&x, 0);
	strbuf_init(&s, 0);
	/* expr: a bare selector needs no parentheses; anything else gets them. */
	bool simple = strspn(expr, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_:") == strcspn(expr, "{") &&
		      !strchr(expr, ' ') && !strchr(expr, '(');
	snprintf(cmp, sizeof(cmp), " %s %.12g", t->dir == TRIGGER_BELOW ? "<" : ">", lv);
	int rc = simple ? strbuf_printf(&x, "%s%s", expr, cmp) : strbuf_printf(&x, "(%s)%s", expr, cmp);
	if (rc)
		e->rc = rc;

	map_start(e);
	kv(e, "alert", promrules_alert_name(t->name, alert, sizeof(alert)));
	kv(e, "expr", strbuf_str(&x));
	if (t->for_s > 0)
		kv(e, "for", promrules_duration(t->for_s, dur, sizeof(dur)));
	scalar(e, "labels");
	map_start(e);
	kv(e, "severity", crit ? "critical" : "warning");
	kv(e, "trigger", t->name);
	map_end(e);
	scalar(e, "annotations");
	map_start(e);
	/* summary: "cpu: cpu.utilization is 93%, above the critical level 90% for 5m" */
	rc = template_literal(&s, t->name);
	if (!rc)
		rc = strbuf_puts(&s, ": ");
	if (!rc)
		rc = template_literal(&s, t->metric);
	if (!rc)
		rc = strbuf_printf(&s, " is %s, %s the %s level %s", value_template(u), dir, crit ? "critical" : "warning",
				   level_text(u, lv, level, sizeof(level)));
	if (!rc && t->for_s > 0)
		rc = strbuf_printf(&s, " for %s", dur);
	if (rc)
		e->rc = rc;
	kv(e, "summary", strbuf_str(&s));
	if (t->action) {
		strbuf_reset(&s);
		if ((rc = template_literal(&s, t->action)))
			e->rc = rc;
		kv(e, "description", strbuf_str(&s));
	}
	if (t->origin) {
		strbuf_reset(&s);
		if ((rc = template_literal(&s, t->origin)))
			e->rc = rc;
		kv(e, "threshold_source", strbuf_str(&s));
	}
	strbuf_reset(&s);
	switch (origin) {
	case PROMRULES_QUERY: rc = strbuf_puts(&s, "the query of prometheus source "); break;
	case PROMRULES_EXPORTER: rc = strbuf_puts(&s, "PromQL over "); break;
	case PROMRULES_AGENT: rc = strbuf_puts(&s, "no standard exporter gives it: "); break;
	}
	if (!rc)
		rc = template_literal(&s, what);
	if (!rc && origin == PROMRULES_QUERY && strchr(t->metric, '{'))
		rc = strbuf_puts(&s, " (every series of it: a query takes no label filter)");
	if (rc)
		e->rc = rc;
	kv(e, "metric_source", strbuf_str(&s));
	if (next)
		kv(e, "next_step", next);
	map_end(e);
	map_end(e);
	strbuf_free(&x);
	strbuf_free(&s);
	(void)r;
}

int promrules_render(const struct promrules_report *r, struct strbuf *out)
{
	int rc = strbuf_printf(out,
			       "# Prometheus alerting rules by headroom %s from %s\n"
			       "# One rule per trigger and level; the PromQL of each metric: docs/export.md.\n"
			       "# Check with: promtool check rules FILE\n",
			       r->version, r->config ? r->config : "the default policy");
	if (rc)
		return rc;
	struct strbuf next;
	strbuf_init(&next, 0);
	if (r->now && (rc = next_step_text(r, &next)))
		goto out;

	struct emit e = {.ok = true, .out = out};
	yaml_emitter_initialize(&e.em);
	yaml_emitter_set_output(&e.em, on_write, &e);
	yaml_emitter_set_unicode(&e.em, 1);
	yaml_emitter_set_width(&e.em, -1); /* one line per expression, however long */
	yaml_emitter_set_indent(&e.em, 2);
	ev(&e, yaml_stream_start_event_initialize(&e.ev, YAML_UTF8_ENCODING));
	if (e.ok)
		ev(&e, yaml_document_start_event_initialize(&e.ev, NULL, NULL, NULL, 1));
	map_start(&e);
	scalar(&e, "groups");
	seq_start(&e);
	map_start(&e);
	kv(&e, "name", "headroom");
	scalar(&e, "rules");
	seq_start(&e);
	for (size_t i = 0; i < r->n_rules && e.ok && !e.rc; i++) {
		const struct trigger_rule *t = &r->rules[i];
		struct strbuf x;
		strbuf_init(&x, 0);
		enum promrules_origin origin;
		const char *what = NULL;
		int xrc = promrules_expr(t->metric, r->sources, r->n_sources, &x, &origin, &what);
		if (xrc)
			e.rc = xrc;
		const char *nx = r->now ? strbuf_str(&next) : NULL;
		if (!isnan(t->warn))
			rule(&e, r, t, false, strbuf_str(&x), origin, what, nx);
		if (!isnan(t->crit))
			rule(&e, r, t, true, strbuf_str(&x), origin, what, nx);
		strbuf_free(&x);
	}
	seq_end(&e);
	map_end(&e);
	seq_end(&e);
	map_end(&e);
	if (e.ok)
		ev(&e, yaml_document_end_event_initialize(&e.ev, 1));
	if (e.ok)
		ev(&e, yaml_stream_end_event_initialize(&e.ev));
	if (e.ok)
		e.ok = yaml_emitter_flush(&e.em);
	yaml_emitter_delete(&e.em);
	rc = e.rc ? e.rc : e.ok ? 0 : HR_E_NOMEM;
out:
	strbuf_free(&next);
	return rc;
}
