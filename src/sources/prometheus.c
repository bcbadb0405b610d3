/* prometheus.c - metrics from a Prometheus-compatible HTTP API (Prometheus,
 * Thanos, Mimir, VictoriaMetrics): one instant query per configured metric,
 * range queries for history. Without `queries`, the source reads the
 * node_exporter figures that match the local source's, so the default
 * triggers work on a fleet's nodes the same as on this one. */
#include "sources/prometheus.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sources/backends.h"
#include "sources/fetch.h"
#include "util/clock.h"
#include "util/xalloc.h"

/* node_exporter equivalents of the local source's figures. CPU counts
 * iowait as idle, as local_cpu_busy() does; disk is df's Use%. */
static const char *const default_queries[] = {
	"cpu.utilization=1 - sum(rate(node_cpu_seconds_total{mode=~\"idle|iowait\"}[1m]))"
	" / count(node_cpu_seconds_total{mode=\"idle\"})",
	"memory.used_ratio=1 - sum(node_memory_MemAvailable_bytes) / sum(node_memory_MemTotal_bytes)",
	"load.per_cpu=sum(node_load1) / count(node_cpu_seconds_total{mode=\"idle\"})",
	"disk.used_ratio=1 - node_filesystem_avail_bytes{fstype!~\"tmpfs|overlay|squashfs|ramfs\"}"
	" / (node_filesystem_size_bytes - node_filesystem_free_bytes + node_filesystem_avail_bytes)",
};

struct prom {
	const struct source_config *cfg;
	struct fetch *f;
	char **names;      /* metric names, NULL terminated (for source_provides) */
	char **exprs;
	size_t n;
	char *base;        /* URL without a trailing slash */
	double timeout_s;
	/* History back-fill of the round that the last sample began: range
	 * queries made, and when their shared budget (one timeout) runs out. */
	unsigned hist_calls;
	double hist_end;
};

static int prom_open(const struct source_config *cfg, struct diag *d, void **state)
{
	const char *sname = cfg->name ? cfg->name : "prometheus";
	if (!cfg->url || (strncmp(cfg->url, "http://", 7) != 0 && strncmp(cfg->url, "https://", 8) != 0)) {
		diag_error(d, "metrics source '%s': needs url: the Prometheus base URL (http://HOST:9090)", sname);
		return HR_E_INVALID;
	}
	struct prom *p = xcalloc(1, sizeof(*p));
	p->cfg = cfg;
	const char *const *q = cfg->n_queries ? (const char *const *)cfg->queries : default_queries;
	p->n = cfg->n_queries ? cfg->n_queries : sizeof(default_queries) / sizeof(default_queries[0]);
	p->names = xcalloc(p->n + 1, sizeof(char *));
	p->exprs = xcalloc(p->n + 1, sizeof(char *));
	int rc = 0;
	for (size_t i = 0; i < p->n; i++) {
		const char *eq = strchr(q[i], '=');
		if (!eq || eq == q[i] || !eq[1]) {
			diag_error(d, "metrics source '%s': query '%s' is not NAME=PROMQL", sname, q[i]);
			rc = HR_E_INVALID;
			goto out;
		}
		p->names[i] = xstrndup(q[i], (size_t)(eq - q[i]));
		p->exprs[i] = xstrdup(eq + 1);
	}
	size_t bl = strlen(cfg->url);
	while (bl > 0 && cfg->url[bl - 1] == '/')
		bl--;
	p->base = xstrndup(cfg->url, bl);
	p->timeout_s = cfg->timeout_s > 0 ? cfg->timeout_s : 5;
	p->hist_end = -INFINITY;
	p->f = fetch_new();
	if (!p->f) {
		diag_error(d, "metrics source '%s': cannot start libcurl", sname);
		rc = HR_E_NOMEM;
		goto out;
	}
	*state = p;
out:
	if (rc)
		source_prometheus_ops.close(p);
	return rc;
}

size_t prom_count_values(const char *text, size_t len)
{
	size_t n = 1;
	bool in_str = false;
	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = false;
		} else if (c == '"') {
			in_str = true;
		} else if (c == ',' || c == '[' || c == '{') {
			n++;
		}
	}
	return n;
}

/* The reply's top level: status success and data, or Prometheus' error. */
static json_t *reply_data(const char *text, size_t len, size_t max_values, json_t **root, int *rc,
			  struct strbuf *err)
{
	json_error_t je;
	*root = NULL;
	*rc = HR_E_PROTOCOL;
	size_t values = prom_count_values(text, len);
	if (values > max_values) {
		source_error(err, "reply holds about %zu JSON values; at most %zu are read", values, max_values);
		*rc = HR_E_TOO_LARGE;
		return NULL;
	}
	*root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!*root) {
		source_error(err, "reply is not JSON (line %d: %s)", je.line, je.text);
		return NULL;
	}
	const char *status = json_string_value(json_object_get(*root, "status"));
	if (!status || strcmp(status, "success") != 0) {
		const char *e = json_string_value(json_object_get(*root, "error"));
		source_error(err, "query failed: %.300s", e ? e : "no status 'success'");
		return NULL;
	}
	json_t *data = json_object_get(*root, "data");
	if (!json_is_object(data)) {
		source_error(err, "reply has no 'data' object");
		return NULL;
	}
	return data;
}

/* A sample pair [time, "value"] (values are strings: "NaN", "+Inf" included). */
static bool pair(json_t *p, double *t, double *v)
{
	if (!json_is_array(p) || json_array_size(p) != 2 || !json_is_number(json_array_get(p, 0)))
		return false;
	const char *s = json_string_value(json_array_get(p, 1));
	if (!s)
		return false;
	char *end;
	*t = json_number_value(json_array_get(p, 0));
	*v = strtod(s, &end);
	return end != s && *end == '\0';
}

/* How a value that is no value reads in a reason ("NaN", "+Inf", "-Inf"). */
static const char *nonfinite_name(double v)
{
	return isnan(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf";
}

/* A label name as Prometheus allows it ([a-zA-Z_][a-zA-Z0-9_]*); a reply
 * from a "compatible" server is not trusted to keep to that. */
static bool label_name_ok(const char *k)
{
	if (!*k || (*k >= '0' && *k <= '9'))
		return false;
	for (; *k; k++)
		if (!((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') || (*k >= '0' && *k <= '9') || *k == '_'))
			return false;
	return true;
}

/* NAME or NAME{k="v",...} from a series' labels, sorted by jansson's order
 * (insertion order of the reply, which Prometheus sorts). Values are escaped
 * (a label value may hold quotes or line breaks: the agent's /metrics prints
 * the name as is), and only whole labels are kept within the name's cap, so
 * the name is always well formed. */
static void series_name(const char *name, json_t *labels, bool with_labels, char *buf, size_t n)
{
	size_t off = (size_t)snprintf(buf, n, "%s", name);
	if (!with_labels || !json_is_object(labels) || off + 2 >= n)
		return;
	const char *k;
	json_t *v;
	size_t base = off;
	char esc[SAMPLE_NAME_MAX + 1];
	json_object_foreach(labels, k, v) {
		if (strcmp(k, "__name__") == 0 || !json_is_string(v) || !label_name_ok(k))
			continue;
		sample_label_escape(json_string_value(v), esc, sizeof(esc));
		/* sep + k + ="esc" and room for the closing brace. */
		size_t need = 1 + strlen(k) + 2 + strlen(esc) + 1;
		if (off + need + 1 >= n)
			continue;
		off += (size_t)snprintf(buf + off, n - off, "%c%s=\"%s\"", off == base ? '{' : ',', k, esc);
	}
	if (off > base)
		snprintf(buf + off, n - off, "}");
}

int prom_parse_instant(const char *text, size_t len, const char *name, const char *source,
		       struct sample_set *out, struct strbuf *err)
{
	json_t *root;
	int rc;
	json_t *data = reply_data(text, len, PROM_INSTANT_VALUES_MAX, &root, &rc, err);
	if (!data)
		goto out;
	rc = HR_E_PROTOCOL;
	const char *type = json_string_value(json_object_get(data, "resultType"));
	json_t *result = json_object_get(data, "result");
	double t, v;
	if (type && strcmp(type, "scalar") == 0) {
		if (!pair(result, &t, &v)) {
			source_error(err, "scalar result is not [time, \"value\"]");
			goto out;
		}
		/* An infinity is no more a value than NaN: a ratio of +Inf read
		 * as one printed "inf%" and scaled a service to its max. */
		if (!isfinite(v)) {
			source_error(err, "the query gave %s, no value", nonfinite_name(v));
			rc = HR_E_NOTFOUND;
			goto out;
		}
		sample_set_add(out, source, name, v);
		rc = 0;
		goto out;
	}
	if (!type || strcmp(type, "vector") != 0 || !json_is_array(result)) {
		source_error(err, "expected a vector or scalar result, got %s", type ? type : "none");
		goto out;
	}
	size_t n = json_array_size(result);
	if (n > PROM_SERIES_MAX) {
		source_error(err, "query for '%s' returned %zu series; at most %d", name, n, PROM_SERIES_MAX);
		rc = HR_E_TOO_LARGE;
		goto out;
	}
	/* Checked before anything is added: a reply is taken whole or not at all. */
	size_t none = 0;
	double first_none = NAN;
	for (size_t i = 0; i < n; i++) {
		if (!pair(json_object_get(json_array_get(result, i), "value"), &t, &v)) {
			source_error(err, "series %zu has no [time, \"value\"]", i);
			goto out;
		}
		if (!isfinite(v) && !none++)
			first_none = v;
	}
	if (n == 0) {
		source_error(err, "the query returned no series (append 'or vector(0)' if none means 0)");
		rc = HR_E_NOTFOUND;
		goto out;
	}
	if (none == n) {
		if (n == 1)
			source_error(err, "the query gave %s, no value", nonfinite_name(first_none));
		else
			source_error(err, "the query gave %s and no finite value in %zu series", nonfinite_name(first_none), n);
		rc = HR_E_NOTFOUND;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *s = json_array_get(result, i);
		(void)pair(json_object_get(s, "value"), &t, &v);
		if (!isfinite(v))
			continue;
		char buf[SAMPLE_NAME_MAX + 1];
		series_name(name, json_object_get(s, "metric"), n > 1, buf, sizeof(buf));
		sample_set_add(out, source, buf, v);
	}
	rc = 0;
out:
	json_decref(root);
	return rc;
}

int prom_parse_range(const char *text, size_t len, const char *name, const char *want, struct series *out,
		     struct strbuf *err)
{
	json_t *root;
	int rc;
	json_t *data = reply_data(text, len, PROM_RANGE_VALUES_MAX, &root, &rc, err);
	if (!data)
		goto out;
	rc = HR_E_PROTOCOL;
	const char *type = json_string_value(json_object_get(data, "resultType"));
	json_t *result = json_object_get(data, "result");
	if (!type || strcmp(type, "matrix") != 0 || !json_is_array(result)) {
		source_error(err, "expected a matrix result");
		goto out;
	}
	size_t n = json_array_size(result);
	rc = HR_E_NOTFOUND;
	for (size_t i = 0; i < n && i < PROM_SERIES_MAX; i++) {
		json_t *s = json_array_get(result, i);
		char buf[SAMPLE_NAME_MAX + 1];
		series_name(name, json_object_get(s, "metric"), n > 1, buf, sizeof(buf));
		if (strcmp(buf, want) != 0)
			continue;
		json_t *values = json_object_get(s, "values");
		if (!json_is_array(values)) {
			source_error(err, "matrix series without values");
			rc = HR_E_PROTOCOL;
			goto out;
		}
		double prev = -INFINITY;
		for (size_t k = 0; k < json_array_size(values); k++) {
			double t, v;
			if (!pair(json_array_get(values, k), &t, &v) || t < prev) {
				source_error(err, "bad point %zu in a matrix series", k);
				rc = HR_E_PROTOCOL;
				goto out;
			}
			prev = t;
			if (isfinite(v))
				series_push(out, t, v);
		}
		rc = 0;
		break;
	}
out:
	json_decref(root);
	return rc;
}

static int get(struct prom *p, const char *url, double timeout_s, size_t max_body, struct fetch_result *res,
	       struct strbuf *err)
{
	struct fetch_opts o = {.timeout_s = timeout_s, .user = p->cfg->user, .password = p->cfg->password,
			       .token = p->cfg->token, .keep_body = true, .max_body = max_body};
	int rc = fetch_url(p->f, url, &o, res, err);
	if (rc)
		return rc;
	/* 400 and 422 carry Prometheus' JSON error, which says more than the code. */
	if (res->status != 200 && res->status != 400 && res->status != 422) {
		source_error(err, "%s: HTTP %ld", p->base, res->status);
		return HR_E_UNAVAILABLE;
	}
	return 0;
}

static int prom_sample(void *state, const char *src, struct sample_set *out, struct strbuf *err)
{
	struct prom *p = state;
	struct strbuf why;
	strbuf_init(&why, 2048);
	int first = 0;
	/* One deadline for the whole sample, every query included; the round's
	 * history back-fill gets one more timeout after it (prom_history). */
	double deadline = clock_mono() + p->timeout_s;
	p->hist_calls = 0;
	p->hist_end = -INFINITY;
	size_t i = 0;
	for (; i < p->n; i++) {
		double left = deadline - clock_mono();
		if (left < 1e-3) {
			first = first ? first : HR_E_TIMEOUT;
			break;
		}
		char *q = fetch_escape(p->f, p->exprs[i]);
		char *url = xasprintf("%s/api/v1/query?query=%s", p->base, q);
		struct fetch_result res;
		int rc = get(p, url, left, PROM_INSTANT_REPLY_MAX, &res, &why);
		if (!rc)
			rc = prom_parse_instant(res.body.buf ? res.body.buf : "", res.body.len, p->names[i], src, out,
						&why);
		strbuf_free(&res.body);
		free(url);
		free(q);
		if (rc) {
			/* Every query that gave no value is named, each with its reason:
			 * the triggers on them are UNKNOWN with the reason, the others
			 * keep their values. Past err's cap the reasons so far stand. */
			int full = first ? strbuf_printf(err, "; %s: %s", p->names[i], strbuf_str(&why))
					 : strbuf_printf(err, "prometheus %s: %s: %s", p->base, p->names[i], strbuf_str(&why));
			(void)full;
			first = first ? first : rc;
			/* The server is down: every other query would wait for the same timeout. */
			if (rc == HR_E_UNAVAILABLE || rc == HR_E_TIMEOUT) {
				i++;
				break;
			}
		}
	}
	if (i < p->n) {
		/* The rest were not asked: the sample's one deadline ran out. */
		int full = err->len ? strbuf_puts(err, "; ") : strbuf_printf(err, "prometheus %s: ", p->base);
		for (size_t k = i; k < p->n && !full; k++)
			full = strbuf_printf(err, "%s%s", k > i ? ", " : "", p->names[k]);
		if (!full)
			full = strbuf_printf(err, ": not asked, no time left within the %g s timeout", p->timeout_s);
		(void)full;
	}
	strbuf_free(&why);
	p->hist_end = clock_mono() + p->timeout_s;
	return first;
}

static int prom_history(void *state, const char *metric, double from, double to, double step, struct series *out,
			struct strbuf *err)
{
	struct prom *p = state;
	size_t base = sample_base_len(metric);
	for (size_t i = 0; i < p->n; i++) {
		if (strlen(p->names[i]) != base || strncmp(p->names[i], metric, base) != 0)
			continue;
		/* Back-fill is bounded per round: a reply for each of 256 new series,
		 * each with its own timeout, would hold the round for minutes. */
		double left = p->hist_end - clock_mono();
		if (p->hist_calls >= PROM_HISTORY_PER_ROUND || left < 1e-3) {
			source_error(err, "history back-fill budget of this round spent (%d range queries, %g s)",
				     PROM_HISTORY_PER_ROUND, p->timeout_s);
			return HR_E_TIMEOUT;
		}
		if (left > p->timeout_s)
			left = p->timeout_s;
		p->hist_calls++;
		/* Prometheus refuses more than 11,000 points per series. */
		if (step < (to - from) / 10000)
			step = (to - from) / 10000;
		if (step < 1)
			step = 1;
		char *q = fetch_escape(p->f, p->exprs[i]);
		char *url = xasprintf("%s/api/v1/query_range?query=%s&start=%.3f&end=%.3f&step=%.3f", p->base, q,
				      from, to, step);
		struct fetch_result res;
		int rc = get(p, url, left, PROM_RANGE_REPLY_MAX, &res, err);
		if (!rc)
			rc = prom_parse_range(res.body.buf ? res.body.buf : "", res.body.len, p->names[i], metric, out,
					      err);
		strbuf_free(&res.body);
		free(url);
		free(q);
		return rc;
	}
	return HR_E_NOTFOUND;
}

static const char *const *prom_names(void *state)
{
	return (const char *const *)((struct prom *)state)->names;
}

static void prom_cancel(void *state)
{
	fetch_cancel(((struct prom *)state)->f);
}

static void prom_close(void *state)
{
	struct prom *p = state;
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++) {
		free(p->names[i]);
		free(p->exprs[i]);
	}
	free(p->names);
	free(p->exprs);
	free(p->base);
	fetch_free(p->f);
	free(p);
}

const struct source_ops source_prometheus_ops = {
	.type = "prometheus",
	.open = prom_open,
	.sample = prom_sample,
	.close = prom_close,
	.history = prom_history,
	.names = prom_names,
	.cancel = prom_cancel,
};
