#include "render/autoscale.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>

// A count or a measurement: an integer when it is one, null when there is none.
static json_t *number_or_null(double v)
{
	if (!isfinite(v))
		return json_null();
	if (v == floor(v) && fabs(v) < 9007199254740992.0)
		return json_integer((json_int_t)v);
	return json_real(v);
}

// A reason cut at its buffer's end may end inside a UTF-8 sequence: never drop the key for it.
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
	char *s = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12));
	json_decref(doc);
	if (!s)
		return HR_E_NOMEM;
	int rc = strbuf_puts(out, s);
	if (!rc)
		rc = strbuf_puts(out, "\n");
	free(s);
	return rc;
}
