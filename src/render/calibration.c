/* calibration.c - see calibration.h; emitted with libyaml so strings (the
 * URL) are quoted correctly whatever they hold. */
#include "render/calibration.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <yaml.h>

struct emit {
	yaml_emitter_t em;
	yaml_event_t ev;
	bool ok;
};

static void scalar(struct emit *e, const char *v, bool quoted)
{
	if (!e->ok)
		return;
	e->ok = yaml_scalar_event_initialize(&e->ev, NULL, NULL, (yaml_char_t *)v, (int)strlen(v), 1,
					     1,
					     quoted ? YAML_DOUBLE_QUOTED_SCALAR_STYLE
						    : YAML_PLAIN_SCALAR_STYLE) &&
		yaml_emitter_emit(&e->em, &e->ev);
}

static void key_num(struct emit *e, const char *k, double v)
{
	char buf[64];
	snprintf(buf, sizeof(buf), "%.6g", v);
	scalar(e, k, false);
	scalar(e, buf, false);
}

static void key_dur(struct emit *e, const char *k, double s)
{
	char buf[64];
	/* Milliseconds with enough digits for microsecond services. */
	snprintf(buf, sizeof(buf), "%.6gms", s * 1e3);
	scalar(e, k, false);
	scalar(e, buf, false);
}

static void key_str(struct emit *e, const char *k, const char *v)
{
	scalar(e, k, false);
	scalar(e, v, true);
}

static void mapping(struct emit *e, bool start, bool flow)
{
	if (!e->ok)
		return;
	e->ok = (start ? yaml_mapping_start_event_initialize(
				 &e->ev, NULL, NULL, 1,
				 flow ? YAML_FLOW_MAPPING_STYLE : YAML_BLOCK_MAPPING_STYLE)
		       : yaml_mapping_end_event_initialize(&e->ev)) &&
		yaml_emitter_emit(&e->em, &e->ev);
}

/* libyaml's output handler: append to the strbuf (0 stops the emitter). */
static int to_strbuf(void *data, unsigned char *buffer, size_t size)
{
	return strbuf_append(data, buffer, size) == 0;
}

int calibration_render(const struct calibration *c, const struct calibration_info *info, struct strbuf *out)
{
	struct emit e = {.ok = true};
	yaml_emitter_initialize(&e.em);
	yaml_emitter_set_output(&e.em, to_strbuf, out);
	yaml_emitter_set_unicode(&e.em, 1);
	e.ok = yaml_stream_start_event_initialize(&e.ev, YAML_UTF8_ENCODING) &&
	       yaml_emitter_emit(&e.em, &e.ev) &&
	       yaml_document_start_event_initialize(&e.ev, NULL, NULL, NULL, 1) &&
	       yaml_emitter_emit(&e.em, &e.ev);
	mapping(&e, true, false);
	scalar(&e, "calibration", false);
	mapping(&e, true, false);
	key_dur(&e, "service_time", c->service_s);
	key_num(&e, "service_cv", c->service_cv);
	if (c->cpu_s > 0)
		key_dur(&e, "cpu_per_request", c->cpu_s);
	key_str(&e, "cpu_source", info->cpu_source ? info->cpu_source : "");
	key_num(&e, "concurrency", c->concurrency);
	key_num(&e, "max_rps", c->max_rps);
	key_num(&e, "cores", c->cores);
	if (info->usl_fitted) {
		key_num(&e, "sigma", c->sigma);
		key_num(&e, "kappa", c->kappa);
		key_num(&e, "gamma", c->gamma);
	}
	key_str(&e, "ladder_stop", info->ladder_stop ? info->ladder_stop : "");
	key_str(&e, "url", info->url ? info->url : "");
	char when[32];
	struct tm tm;
	gmtime_r(&info->measured_at, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	key_str(&e, "measured_at", when);
	key_str(&e, "slo", info->slo ? info->slo : "");
	scalar(&e, "points", false);
	if (e.ok)
		e.ok = yaml_sequence_start_event_initialize(&e.ev, NULL, NULL, 1,
							    YAML_BLOCK_SEQUENCE_STYLE) &&
		       yaml_emitter_emit(&e.em, &e.ev);
	for (size_t i = 0; i < info->n_points; i++) {
		mapping(&e, true, true);
		key_num(&e, "concurrency", info->points[i].concurrency);
		key_num(&e, "throughput", info->points[i].throughput);
		key_dur(&e, "p95", info->points[i].p95_s);
		mapping(&e, false, true);
	}
	if (e.ok)
		e.ok = yaml_sequence_end_event_initialize(&e.ev) && yaml_emitter_emit(&e.em, &e.ev);
	mapping(&e, false, false);
	mapping(&e, false, false);
	if (e.ok)
		e.ok = yaml_document_end_event_initialize(&e.ev, 1) && yaml_emitter_emit(&e.em, &e.ev) &&
		       yaml_stream_end_event_initialize(&e.ev) && yaml_emitter_emit(&e.em, &e.ev);
	yaml_emitter_delete(&e.em);
	return e.ok ? 0 : HR_E_TOO_LARGE;
}
