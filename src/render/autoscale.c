/* autoscale.c - the autoscaler's documents: a decision as JSON, its /metrics
 * families and its part of /status (see autoscale.h). */
#include "render/autoscale.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>

#include "render/jsondoc.h"

/* A count or a measurement: an integer when it is one (a replica count, a
 * whole percent reads as Kubernetes prints it), null when there is none. */
static json_t *number_or_null(double v)
{
	if (!isfinite(v))
		return json_null();
	if (v == floor(v) && fabs(v) < 9007199254740992.0)
		return json_integer((json_int_t)v);
	return json_real(v);
}

/* A reason cut at its buffer's end may end inside a UTF-8 sequence: never drop the key for it. */
static json_t *text(const char *s)
{
	json_t *j = json_string(s);
	return j ? j : json_string("(not valid UTF-8)");
}

int render_decision_json(const struct scaling_spec *spec, const struct scaling_input *in,
			 const struct scaling_decision *d, struct strbuf *out)
{
	char why[512];
	json_t *doc = json_object();
	json_object_set_new(doc, "desired_replicas", json_integer(d->desired));
	json_t *props = json_array();
	for (unsigned i = 0; i < d->n_props; i++) {
		const struct scaling_proposal *p = &d->props[i];
		json_t *o = json_object();
		json_object_set_new(o, "metric", text(in->metrics[i].name ? in->metrics[i].name : ""));
		json_object_set_new(o, "replicas", p->replicas >= 0 ? json_integer(p->replicas) : json_null());
		json_object_set_new(o, "utilization", number_or_null(p->utilization));
		json_object_set_new(o, "reason",
				    text(scaling_explain_proposal(spec, in, i, p, why, sizeof(why))));
		json_array_append_new(props, o);
	}
	json_object_set_new(doc, "proposals", props);
	json_object_set_new(doc, "reason", text(scaling_explain(spec, in, d, why, sizeof(why))));
	return jsondoc_render(doc, out);
}

static int family(struct strbuf *out, const char *name, const char *type, const char *help)
{
	return strbuf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Service names are checked (letters, digits, . _ -): no escaping needed. */
int render_autoscale_metrics(const struct autoscale_view *v, size_t n, bool apply, struct strbuf *out)
{
	int rc = family(out, "headroom_autoscale_apply", "gauge", "1 when the autoscaler resizes, 0 in a dry run");
	if (!rc)
		rc = strbuf_printf(out, "headroom_autoscale_apply %d\n", apply ? 1 : 0);
	static const char *const g[2] = {"headroom_autoscale_desired_replicas", "headroom_autoscale_current_replicas"};
	static const char *const gh[2] = {"replicas the last decision wanted", "replicas running at the last decision"};
	for (int f = 0; f < 2 && !rc; f++) {
		rc = family(out, g[f], "gauge", gh[f]);
		for (size_t i = 0; i < n && !rc; i++) {
			int x = f == 0 ? v[i].desired : v[i].current;
			if (v[i].decided && x >= 0)
				rc = strbuf_printf(out, "%s{service=\"%s\"} %d\n", g[f], v[i].service, x);
		}
	}
	if (!rc)
		rc = family(out, "headroom_autoscale_decisions_total", "counter",
			    "decisions by the rule that decided (docs/autoscale.md)");
	for (size_t i = 0; i < n && !rc; i++)
		for (int w = 0; w < AUTOSCALE_WHYS && !rc; w++)
			if (v[i].decisions[w])
				rc = strbuf_printf(out, "headroom_autoscale_decisions_total{service=\"%s\",reason=\"%s\"} %llu\n",
						   v[i].service, scaling_why_name((enum scaling_why)w), v[i].decisions[w]);
	if (!rc)
		rc = family(out, "headroom_autoscale_scale_events_total", "counter", "resizes done, by direction");
	for (size_t i = 0; i < n && !rc; i++) {
		rc = strbuf_printf(out, "headroom_autoscale_scale_events_total{service=\"%s\",direction=\"up\"} %llu\n",
				   v[i].service, v[i].scale_ups);
		if (!rc)
			rc = strbuf_printf(out,
					   "headroom_autoscale_scale_events_total{service=\"%s\",direction=\"down\"} %llu\n",
					   v[i].service, v[i].scale_downs);
	}
	if (!rc)
		rc = family(out, "headroom_autoscale_actuator_failures_total", "counter",
			    "resizes or replica counts the actuator failed");
	for (size_t i = 0; i < n && !rc; i++)
		rc = strbuf_printf(out, "headroom_autoscale_actuator_failures_total{service=\"%s\"} %llu\n", v[i].service,
				   v[i].failures);
	return rc;
}

json_t *render_autoscale_status(const struct autoscale_view *v, size_t n, bool apply)
{
	json_t *o = json_object();
	json_object_set_new(o, "apply", json_boolean(apply));
	json_t *arr = json_array();
	char buf[512];
	for (size_t i = 0; i < n; i++) {
		const struct autoscale_view *s = &v[i];
		json_t *e = json_object();
		json_object_set_new(e, "service", text(s->service));
		json_object_set_new(e, "actuator", text(s->actuator));
		json_object_set_new(e, "min_replicas", json_integer(s->min));
		json_object_set_new(e, "max_replicas", json_integer(s->max));
		json_object_set_new(e, "current_replicas", s->current >= 0 ? json_integer(s->current) : json_null());
		json_object_set_new(e, "desired_replicas",
				    s->decided && s->desired >= 0 ? json_integer(s->desired) : json_null());
		json_object_set_new(e, "rule", s->decided ? text(s->why) : json_null());
		json_object_set_new(e, "reason", s->decided ? text(s->reason) : json_null());
		json_object_set_new(e, "mode", text(s->mode));
		json_object_set_new(e, "at", number_or_null(s->at));
		json_t *props = json_array();
		for (unsigned k = 0; s->decision && s->input && k < s->decision->n_props; k++) {
			const struct scaling_proposal *p = &s->decision->props[k];
			json_t *pe = json_object();
			json_object_set_new(pe, "metric", text(s->input->metrics[k].name));
			json_object_set_new(pe, "replicas", p->replicas >= 0 ? json_integer(p->replicas) : json_null());
			json_object_set_new(pe, "utilization", number_or_null(p->utilization));
			json_object_set_new(pe, "reason",
					    text(scaling_explain_proposal(s->spec, s->input, k, p, buf, sizeof(buf))));
			json_array_append_new(props, pe);
		}
		json_object_set_new(e, "proposals", props);
		json_t *ls = json_null();
		if (isfinite(s->last_scale_at))
			ls = json_pack("{s:f, s:i, s:i}", "at", s->last_scale_at, "from", s->last_from, "to", s->last_to);
		json_object_set_new(e, "last_scale", ls);
		json_object_set_new(e, "scale_ups", json_integer((json_int_t)s->scale_ups));
		json_object_set_new(e, "scale_downs", json_integer((json_int_t)s->scale_downs));
		json_object_set_new(e, "actuator_failures", json_integer((json_int_t)s->failures));
		json_object_set_new(e, "last_error", s->last_error ? text(s->last_error) : json_null());
		json_object_set_new(e, "retry_at", number_or_null(s->retry_at));
		json_array_append_new(arr, e);
	}
	json_object_set_new(o, "services", arr);
	return o;
}
