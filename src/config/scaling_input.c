/* scaling_input.c - read and check the JSON `headroom autoscale decide` is
 * given (see scaling_input.h): one checker per object of the document, each
 * naming the JSON path of the first problem it finds. */
#include "config/scaling_input.h"

#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/str.h"
#include "util/xalloc.h"

enum { PATH_MAX_LEN = 160 };

struct ctx {
	struct diag *d;
	const char *name;
	int rc;
};

static void bad(struct ctx *c, const char *path, const char *fmt, ...) HR_PRINTF(3, 4);
static void bad(struct ctx *c, const char *path, const char *fmt, ...)
{
	if (c->rc)
		return; /* one line: the first problem */
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag_error(c->d, "%s: %s: %s", c->name, *path ? path : "(top level)", msg);
	c->rc = HR_E_INVALID;
}

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER:
	case JSON_REAL: return "a number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	case JSON_NULL: return "null";
	}
	return "a value";
}

/* Paths longer than the buffer are cut: a message, not a key. */
static void join(char *out, const char *path, const char *key)
{
	if (snprintf(out, PATH_MAX_LEN, "%s%s%s", path, *path ? "." : "", key) >= PATH_MAX_LEN)
		memcpy(out + PATH_MAX_LEN - 4, "...", 4);
}

static void index_path(char *out, const char *path, size_t i)
{
	if (snprintf(out, PATH_MAX_LEN, "%s[%zu]", path, i) >= PATH_MAX_LEN)
		memcpy(out + PATH_MAX_LEN - 4, "...", 4);
}

/* Every key of obj must be one of keys (NULL-terminated). */
static void only_keys(struct ctx *c, json_t *obj, const char *path, const char *const *keys)
{
	const char *k;
	json_t *v;
	json_object_foreach(obj, k, v) {
		bool ok = false;
		for (size_t i = 0; keys[i] && !ok; i++)
			ok = strcmp(k, keys[i]) == 0;
		if (!ok) {
			char p[PATH_MAX_LEN];
			join(p, path, k);
			size_t nk = 0;
			while (keys[nk])
				nk++;
			const char *hint = str_suggest(k, keys, nk);
			if (hint)
				bad(c, p, "unknown key; did you mean '%s'?", hint);
			else
				bad(c, p, "unknown key");
		}
		(void)v;
	}
}

static json_t *need_object(struct ctx *c, json_t *v, const char *path)
{
	if (!json_is_object(v)) {
		bad(c, path, "expected an object, got %s", type_name(v));
		return NULL;
	}
	return v;
}

/* A number member. @return true when present and valid; *present tells absence. */
static bool number(struct ctx *c, json_t *obj, const char *path, const char *key, bool required, double lo,
		   double hi, double *out)
{
	char p[PATH_MAX_LEN];
	join(p, path, key);
	json_t *v = json_object_get(obj, key);
	if (!v) {
		if (required)
			bad(c, path, "'%s' is required", key);
		return false;
	}
	if (!json_is_number(v)) {
		bad(c, p, "expected a number, got %s", type_name(v));
		return false;
	}
	double x = json_number_value(v);
	if (!(x >= lo && x <= hi) || !isfinite(x)) {
		if (isinf(hi))
			bad(c, p, "must be at least %g, got %g", lo, x);
		else
			bad(c, p, "must be between %g and %g, got %g", lo, hi, x);
		return false;
	}
	*out = x;
	return true;
}

static bool whole(struct ctx *c, json_t *obj, const char *path, const char *key, bool required, int lo, int hi,
		  int *out)
{
	double x;
	if (!number(c, obj, path, key, required, lo, hi, &x))
		return false;
	if (x != floor(x)) {
		char p[PATH_MAX_LEN];
		join(p, path, key);
		bad(c, p, "expected a whole number, got %g", x);
		return false;
	}
	*out = (int)x;
	return true;
}

static const char *string(struct ctx *c, json_t *obj, const char *path, const char *key, bool required)
{
	json_t *v = json_object_get(obj, key);
	if (!v) {
		if (required)
			bad(c, path, "'%s' is required", key);
		return NULL;
	}
	if (!json_is_string(v)) {
		char p[PATH_MAX_LEN];
		join(p, path, key);
		bad(c, p, "expected a string, got %s", type_name(v));
		return NULL;
	}
	return json_string_value(v);
}

/* The index of v in names (NULL-terminated); HR_E_NOTFOUND after reporting
 * the words it may be. */
static int one_of(struct ctx *c, const char *path, const char *key, const char *v, const char *const *names)
{
	for (int i = 0; names[i]; i++)
		if (strcmp(v, names[i]) == 0)
			return i;
	char p[PATH_MAX_LEN], list[160] = "";
	join(p, path, key);
	size_t len = 0;
	for (int i = 0; names[i]; i++)
		len += (size_t)snprintf(list + len, len < sizeof(list) ? sizeof(list) - len : 0, "%s%s", i ? ", " : "",
					names[i]);
	bad(c, p, "expected one of %s, got '%.40s'", list, v);
	return HR_E_NOTFOUND;
}

static const char *const select_names[] = {"max", "min", "disabled", NULL};
static const char *const policy_names[] = {"pods", "percent", NULL};
static const char *const kind_names[] = {"resource", "replica", "object", "external", NULL};
static const char *const state_names[] = {"ready", "starting", "pending", "failed", "terminating", NULL};
static const char *const fallback_names[] = {"static", "current", "current_if_higher", "current_if_lower", NULL};

static void rules(struct ctx *c, json_t *obj, const char *path, struct scaling_rules *r)
{
	static const char *const keys[] = {"stabilization_s", "select", "policies", NULL};
	if (!need_object(c, obj, path))
		return;
	only_keys(c, obj, path, keys);
	(void)number(c, obj, path, "stabilization_s", false, 0, SCALING_MAX_WINDOW_S, &r->stabilization_s);
	const char *s = string(c, obj, path, "select", false);
	if (s) {
		int i = one_of(c, path, "select", s, select_names);
		if (i >= 0)
			r->select = (enum scaling_select)i;
	}
	json_t *pol = json_object_get(obj, "policies");
	if (!pol)
		return;
	char pp[PATH_MAX_LEN];
	join(pp, path, "policies");
	if (!json_is_array(pol)) {
		bad(c, pp, "expected an array, got %s", type_name(pol));
		return;
	}
	if (json_array_size(pol) > SCALING_MAX_POLICIES) {
		bad(c, pp, "at most %d policies", SCALING_MAX_POLICIES);
		return;
	}
	r->n_policies = 0;
	size_t i;
	json_t *e;
	json_array_foreach(pol, i, e) {
		static const char *const pkeys[] = {"type", "value", "period_s", NULL};
		char ep[PATH_MAX_LEN];
		index_path(ep, pp, i);
		if (!need_object(c, e, ep))
			return;
		only_keys(c, e, ep, pkeys);
		struct scaling_policy *p = &r->policies[r->n_policies++];
		const char *t = string(c, e, ep, "type", true);
		int ti = t ? one_of(c, ep, "type", t, policy_names) : HR_E_NOTFOUND;
		if (ti >= 0)
			p->type = (enum scaling_policy_type)ti;
		(void)whole(c, e, ep, "value", true, 1, 1000000, &p->value);
		if (number(c, e, ep, "period_s", true, 0, 1800, &p->period_s) && p->period_s <= 0) {
			char q[PATH_MAX_LEN];
			join(q, ep, "period_s");
			bad(c, q, "must be greater than 0 (autoscaling/v2 allows 1 to 1800 s)");
		}
	}
	if (!r->n_policies && r->select != SCALING_SELECT_DISABLED)
		bad(c, pp, "at least one policy, or select: disabled");
}

/* The slot of a per-replica metric by name, or HR_E_NOTFOUND. */
static int slot_of(const struct scaling_request *r, const char *name)
{
	for (unsigned i = 0; i < r->in.n_metrics; i++) {
		const struct scaling_metric *m = &r->metrics[i];
		if ((m->kind == SCALING_RESOURCE || m->kind == SCALING_REPLICA) && strcmp(m->name, name) == 0)
			return (int)m->slot;
	}
	return HR_E_NOTFOUND;
}

static void metric(struct ctx *c, json_t *e, const char *ep, struct scaling_request *r, unsigned *slots)
{
	static const char *const keys[] = {"kind", "name", "target_utilization_percent", "target_average",
					   "target_value", "value", "at_s", "activation", "predictive", "failures", NULL};
	if (!need_object(c, e, ep))
		return;
	only_keys(c, e, ep, keys);
	unsigned idx = r->in.n_metrics;
	struct scaling_metric *m = &r->metrics[idx];
	m->at_s = NAN;
	const char *k = string(c, e, ep, "kind", true);
	int ki = k ? one_of(c, ep, "kind", k, kind_names) : HR_E_NOTFOUND;
	if (ki < 0)
		return;
	m->kind = (enum scaling_kind)ki;
	const char *name = string(c, e, ep, "name", true);
	if (!name)
		return;
	if (!*name || strlen(name) > 200) {
		char p[PATH_MAX_LEN];
		join(p, ep, "name");
		bad(c, p, "expected a name of 1 to 200 characters");
		return;
	}
	r->names[idx] = xstrdup(name);
	m->name = r->names[idx];
	const char *tk[3] = {"target_utilization_percent", "target_average", "target_value"};
	const enum scaling_target_type tt[3] = {SCALING_UTILIZATION, SCALING_AVERAGE_VALUE, SCALING_VALUE};
	int found = -1;
	for (int i = 0; i < 3; i++) {
		if (!json_object_get(e, tk[i]))
			continue;
		if (found >= 0) {
			bad(c, ep, "give one target: '%s' or '%s', not both", tk[found], tk[i]);
			return;
		}
		found = i;
	}
	if (found < 0) {
		bad(c, ep, "a target is required: target_utilization_percent (resource), target_average or "
			   "target_value");
		return;
	}
	m->target_type = tt[found];
	if (!number(c, e, ep, tk[found], true, -INFINITY, INFINITY, &m->target))
		return;
	if (!(m->target > 0)) {
		char p[PATH_MAX_LEN];
		join(p, ep, tk[found]);
		bad(c, p, "must be greater than 0, got %g", m->target);
		return;
	}
	bool per_replica = m->kind == SCALING_RESOURCE || m->kind == SCALING_REPLICA;
	json_t *v = json_object_get(e, "value");
	if (per_replica) {
		if (v) {
			char p[PATH_MAX_LEN];
			join(p, ep, "value");
			bad(c, p, "a %s metric is read from replicas[].usage, not from a value", k);
			return;
		}
		if (slot_of(r, name) >= 0) {
			bad(c, ep, "a per-replica metric named '%s' is listed twice", name);
			return;
		}
		if (*slots >= SCALING_MAX_SLOTS) {
			bad(c, ep, "at most %d resource and replica metrics", SCALING_MAX_SLOTS);
			return;
		}
		m->slot = (*slots)++;
		m->cpu = m->kind == SCALING_RESOURCE && strcmp(name, "cpu") == 0;
	} else if (!v || json_is_null(v)) {
		/* Absent or null: the read failed or came back empty - never 0. */
		m->absent = true;
	} else if (!json_is_number(v)) {
		char p[PATH_MAX_LEN];
		join(p, ep, "value");
		bad(c, p, "expected a number or null, got %s", type_name(v));
		return;
	} else {
		m->value = json_number_value(v);
	}
	(void)number(c, e, ep, "at_s", false, -INFINITY, INFINITY, &m->at_s);
	(void)number(c, e, ep, "activation", false, 0, INFINITY, &m->activation);
	json_t *pr = json_object_get(e, "predictive");
	if (pr && !json_is_boolean(pr)) {
		char p[PATH_MAX_LEN];
		join(p, ep, "predictive");
		bad(c, p, "expected true or false, got %s", type_name(pr));
	}
	m->predictive = pr && json_is_true(pr);
	int fails = 0;
	if (whole(c, e, ep, "failures", false, 0, 1000000, &fails))
		r->state->failures[idx] = (unsigned)fails;
	const char *why = c->rc ? NULL : scaling_metric_check(m);
	if (why)
		bad(c, ep, "%s", why);
	r->in.n_metrics++;
}

static void replica(struct ctx *c, json_t *e, const char *ep, struct scaling_request *r, struct scaling_replica *rep)
{
	static const char *const keys[] = {"state", "usage", "requests", NULL};
	for (unsigned s = 0; s < SCALING_MAX_SLOTS; s++)
		rep->usage[s] = rep->requests[s] = NAN;
	if (!need_object(c, e, ep))
		return;
	only_keys(c, e, ep, keys);
	const char *s = string(c, e, ep, "state", true);
	int si = s ? one_of(c, ep, "state", s, state_names) : HR_E_NOTFOUND;
	if (si >= 0)
		rep->state = (enum scaling_replica_state)si;
	const char *which[2] = {"usage", "requests"};
	for (int w = 0; w < 2; w++) {
		json_t *o = json_object_get(e, which[w]);
		if (!o)
			continue;
		char op[PATH_MAX_LEN];
		join(op, ep, which[w]);
		if (!need_object(c, o, op))
			return;
		const char *k;
		json_t *v;
		json_object_foreach(o, k, v) {
			char p[PATH_MAX_LEN];
			join(p, op, k);
			int slot = slot_of(r, k);
			if (slot < 0) {
				bad(c, p, "no resource or replica metric is named '%.40s'", k);
				return;
			}
			if (json_is_null(v) && w == 0)
				continue; /* a missing sample */
			if (!json_is_number(v) || !(json_number_value(v) >= 0)) {
				bad(c, p, "expected a number >= 0%s, got %s", w == 0 ? " or null" : "", type_name(v));
				return;
			}
			(w == 0 ? rep->usage : rep->requests)[slot] = json_number_value(v);
		}
	}
}

static void history(struct ctx *c, json_t *h, struct scaling_request *r)
{
	static const char *const keys[] = {"recommendations", "scale_events", NULL};
	if (!need_object(c, h, "history"))
		return;
	only_keys(c, h, "history", keys);
	json_t *recs = json_object_get(h, "recommendations");
	size_t i;
	json_t *e;
	if (recs && !json_is_array(recs))
		bad(c, "history.recommendations", "expected an array, got %s", type_name(recs));
	else if (recs) {
		json_array_foreach(recs, i, e) {
			static const char *const rk[] = {"at_s", "replicas", NULL};
			char ep[PATH_MAX_LEN];
			index_path(ep, "history.recommendations", i);
			if (!need_object(c, e, ep))
				return;
			only_keys(c, e, ep, rk);
			double t;
			int n;
			if (number(c, e, ep, "at_s", true, -INFINITY, INFINITY, &t) &&
			    whole(c, e, ep, "replicas", true, 0, 1000000000, &n))
				scaling_state_add_rec(r->state, &r->spec, t, n);
		}
	}
	json_t *evs = json_object_get(h, "scale_events");
	if (evs && !json_is_array(evs))
		bad(c, "history.scale_events", "expected an array, got %s", type_name(evs));
	else if (evs) {
		json_array_foreach(evs, i, e) {
			static const char *const ek[] = {"at_s", "delta", NULL};
			char ep[PATH_MAX_LEN];
			index_path(ep, "history.scale_events", i);
			if (!need_object(c, e, ep))
				return;
			only_keys(c, e, ep, ek);
			double t;
			int delta;
			if (number(c, e, ep, "at_s", true, -INFINITY, INFINITY, &t) &&
			    whole(c, e, ep, "delta", true, -1000000000, 1000000000, &delta))
				scaling_state_add_event(r->state, &r->spec, t, delta);
		}
	}
}

static void fallback(struct ctx *c, json_t *f, struct scaling_spec *s)
{
	static const char *const keys[] = {"replicas", "failure_threshold", "behavior", NULL};
	if (!need_object(c, f, "fallback"))
		return;
	only_keys(c, f, "fallback", keys);
	int n = 0;
	if (whole(c, f, "fallback", "replicas", true, 0, 1000000000, &n))
		s->fallback_replicas = n;
	if (whole(c, f, "fallback", "failure_threshold", false, 0, 1000000, &n))
		s->fallback_failures = (unsigned)n;
	const char *b = string(c, f, "fallback", "behavior", false);
	int bi = b ? one_of(c, "fallback", "behavior", b, fallback_names) : HR_E_NOTFOUND;
	if (bi >= 0)
		s->fallback_behavior = (enum scaling_fallback)bi;
}

static void build(struct ctx *c, json_t *root, struct scaling_request *r)
{
	static const char *const keys[] = {"now_s", "current_replicas", "min_replicas", "max_replicas",
					   "idle_replicas", "tolerance", "metrics", "replicas", "behavior",
					   "history", "cooldown_s", "max_age_s", "last_active_s", "fallback", NULL};
	if (!json_is_object(root)) {
		bad(c, "(top level)", "expected an object, got %s", type_name(root));
		return;
	}
	only_keys(c, root, "", keys);
	struct scaling_spec *s = &r->spec;
	(void)number(c, root, "", "now_s", true, -INFINITY, INFINITY, &r->in.now_s);
	(void)whole(c, root, "", "current_replicas", true, 0, 1000000000, &r->in.current_replicas);
	(void)whole(c, root, "", "min_replicas", false, 0, 1000000000, &s->min_replicas);
	(void)whole(c, root, "", "max_replicas", true, 1, 1000000000, &s->max_replicas);
	(void)whole(c, root, "", "idle_replicas", false, 0, 1000000000, &s->idle_replicas);
	(void)number(c, root, "", "cooldown_s", false, 0, INFINITY, &s->cooldown_s);
	(void)number(c, root, "", "max_age_s", false, 0, INFINITY, &s->max_age_s);
	json_t *tol = json_object_get(root, "tolerance");
	if (tol && need_object(c, tol, "tolerance")) {
		static const char *const tk[] = {"up", "down", NULL};
		only_keys(c, tol, "tolerance", tk);
		(void)number(c, tol, "tolerance", "up", false, 0, INFINITY, &s->up.tolerance);
		(void)number(c, tol, "tolerance", "down", false, 0, INFINITY, &s->down.tolerance);
	}
	json_t *beh = json_object_get(root, "behavior");
	if (beh && need_object(c, beh, "behavior")) {
		static const char *const bk[] = {"scale_up", "scale_down", NULL};
		only_keys(c, beh, "behavior", bk);
		json_t *up = json_object_get(beh, "scale_up"), *down = json_object_get(beh, "scale_down");
		if (up)
			rules(c, up, "behavior.scale_up", &s->up);
		if (down)
			rules(c, down, "behavior.scale_down", &s->down);
	}
	json_t *fb = json_object_get(root, "fallback");
	if (fb)
		fallback(c, fb, s);
	if (c->rc)
		return;
	const char *why = scaling_spec_check(s);
	if (why) {
		bad(c, "(top level)", "%s", why);
		return;
	}
	json_t *ms = json_object_get(root, "metrics");
	if (!ms) {
		bad(c, "(top level)", "'metrics' is required");
		return;
	}
	if (!json_is_array(ms) || !json_array_size(ms) || json_array_size(ms) > SCALING_MAX_METRICS) {
		bad(c, "metrics", "expected an array of 1 to %d metrics", SCALING_MAX_METRICS);
		return;
	}
	r->metrics = xcalloc(json_array_size(ms), sizeof(*r->metrics));
	r->names = xcalloc(SCALING_MAX_METRICS + 1, sizeof(*r->names));
	r->in.metrics = r->metrics;
	unsigned slots = 0;
	size_t i;
	json_t *e;
	json_array_foreach(ms, i, e) {
		char ep[PATH_MAX_LEN];
		index_path(ep, "metrics", i);
		metric(c, e, ep, r, &slots);
		if (c->rc)
			return;
	}
	json_t *reps = json_object_get(root, "replicas");
	if (reps) {
		if (!json_is_array(reps) || json_array_size(reps) > 100000) {
			bad(c, "replicas", "expected an array of at most 100000 replicas");
			return;
		}
		r->replicas = xcalloc(json_array_size(reps) + 1, sizeof(*r->replicas));
		r->in.replicas = r->replicas;
		json_array_foreach(reps, i, e) {
			char ep[PATH_MAX_LEN];
			index_path(ep, "replicas", i);
			replica(c, e, ep, r, &r->replicas[i]);
			r->in.n_replicas++;
			if (c->rc)
				return;
		}
	}
	bool zero_ok = s->min_replicas == 0 || s->idle_replicas >= 0, has_value = false;
	for (unsigned k = 0; k < r->in.n_metrics; k++)
		has_value |= (r->metrics[k].kind == SCALING_OBJECT || r->metrics[k].kind == SCALING_EXTERNAL) &&
			     !r->metrics[k].predictive;
	if (zero_ok && !has_value) {
		bad(c, "min_replicas", "scaling to zero needs an object or external metric (KEDA's triggers; "
				       "a per-replica metric has no value at zero replicas)");
		return;
	}
	json_t *la = json_object_get(root, "last_active_s");
	if (la && !json_is_null(la))
		(void)number(c, root, "", "last_active_s", false, -INFINITY, INFINITY, &r->state->last_active_s);
	json_t *h = json_object_get(root, "history");
	if (h)
		history(c, h, r);
}

int scaling_request_parse(const char *name, const char *text, size_t len, struct diag *d,
			  struct scaling_request *out)
{
	memset(out, 0, sizeof(*out));
	scaling_spec_defaults(&out->spec);
	out->state = xmalloc(sizeof(*out->state));
	scaling_state_init(out->state);
	if (len > SCALING_INPUT_MAX) {
		diag_error(d, "%s: the input is over %u MiB", name, SCALING_INPUT_MAX >> 20);
		return HR_E_TOO_LARGE;
	}
	json_error_t err;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
	if (!root) {
		struct diag_loc loc = {.file = name, .line = err.line > 0 ? err.line : 1,
				       .col = err.column > 0 ? err.column : 1};
		diag_at(d, DIAG_ERROR, &loc, "invalid JSON: %s", err.text);
		return HR_E_INVALID;
	}
	struct ctx c = {.d = d, .name = name};
	build(&c, root, out);
	json_decref(root);
	return c.rc;
}

void scaling_request_free(struct scaling_request *r)
{
	if (!r)
		return;
	for (unsigned i = 0; r->names && i <= SCALING_MAX_METRICS; i++)
		free(r->names[i]);
	free(r->names);
	free(r->metrics);
	free(r->replicas);
	free(r->state);
	memset(r, 0, sizeof(*r));
}
