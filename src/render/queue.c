/* queue.c - a solved queue, or the servers for a target, as text or JSON (see queue.h). */
#include "render/queue.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>

#include "render/jsondoc.h"
#include "util/units.h"

/* The percentile as people write it: 0.95 -> "p95", 0.999 -> "p99.9". */
static const char *fmt_pct(double q, char *buf, size_t n)
{
	snprintf(buf, n, "p%.10g", q * 100);
	return buf;
}

/* The fewest servers for a stable queue: c > lambda S. */
static double stable_servers(double lambda, double service_s)
{
	return floor(lambda * service_s) + 1;
}

/* Utilisation in percent; a stable queue never prints as 100.0%. */
static const char *fmt_util(const struct queue_result *r, char *buf, size_t n)
{
	int d = 1;
	double pct = r->utilization * 100;
	while (r->stable && d < 9 && pct < 100 && round(pct * pow(10, d)) >= 100 * pow(10, d))
		d++;
	snprintf(buf, n, "%.*f%%", d, pct);
	return buf;
}

/* "M/M/c queue" or "M/G/c queue (Allen-Cunneen, service cv 0.1)", with c given or "c". */
static const char *model_name(double cv, const char *c, char *buf, size_t n)
{
	if (cv == 1)
		snprintf(buf, n, "M/M/%s queue", c);
	else
		snprintf(buf, n, "M/G/%s queue (Allen-Cunneen, service cv %.3g)", c, cv);
	return buf;
}

static int result_text(const struct queue_result *r, double lambda, double service_s, struct strbuf *out)
{
	char b[64];
	int rc = strbuf_printf(out, "utilisation          %s\n", fmt_util(r, b, sizeof(b)));
	if (rc)
		return rc;
	if (!r->stable)
		return strbuf_printf(out,
				     "unstable: arrivals (%.6g/s) outpace what %u server%s can serve (%.6g/s);\n"
				     "the queue grows without bound, so there is no mean wait and no percentile.\n"
				     "At least %.0f servers are needed for a stable queue.\n",
				     lambda, r->servers, r->servers == 1 ? "" : "s", r->servers / service_s,
				     stable_servers(lambda, service_s));
	rc = strbuf_printf(out, "probability of wait  %.2f%% %s\n", r->p_wait * 100,
			   r->service_cv == 1 ? "(Erlang C)" : "(Erlang C, as Allen-Cunneen takes it)");
	if (!rc)
		rc = strbuf_printf(out, "mean wait            %s\n", units_fmt_duration3(r->mean_wait_s, b, sizeof(b)));
	if (!rc)
		rc = strbuf_printf(out, "mean response        %s\n",
				   units_fmt_duration3(r->mean_response_s, b, sizeof(b)));
	if (!rc)
		rc = strbuf_printf(out, "response p50         %s\n", units_fmt_duration3(r->p50_s, b, sizeof(b)));
	if (!rc)
		rc = strbuf_printf(out, "response p95         %s\n", units_fmt_duration3(r->p95_s, b, sizeof(b)));
	if (!rc)
		rc = strbuf_printf(out, "response p99         %s\n", units_fmt_duration3(r->p99_s, b, sizeof(b)));
	return rc;
}

static int target_text(const struct queue_report *rep, struct strbuf *out)
{
	char pb[32], tb[64], b[64], mb[96];
	int rc = strbuf_printf(out, "%s: arrivals %s, mean service %s, target %s <= %s\n",
			       model_name(rep->cv, "c", mb, sizeof(mb)), rep->arrival, rep->service,
			       fmt_pct(rep->q, pb, sizeof(pb)), units_fmt_duration3(rep->target_s, tb, sizeof(tb)));
	if (rc)
		return rc;
	if (!rep->r) {
		/* With unlimited servers the response time is the service time alone. */
		double cv = rep->cv, floor_s = queue_service_quantile(rep->service_s, cv, rep->q);
		if (rep->target_s < floor_s)
			return strbuf_printf(out,
					     "no number of servers meets %s <= %s: the service time alone has\n"
					     "%s = %s (%s), and waiting only adds.\n",
					     pb, tb, pb, units_fmt_duration3(floor_s, b, sizeof(b)),
					     cv == 1   ? "exponential service: -S ln(1 - p)"
					     : cv == 0 ? "constant service: S"
					     : cv < 1  ? "service S (1 - cv) + Exp(mean S cv)"
						       : "hyperexponential service with balanced means");
		return strbuf_printf(out, "more than %u servers would be needed to meet %s <= %s (raise --max-servers).\n",
				     rep->max_servers, pb, tb);
	}
	unsigned c = rep->r->servers;
	rc = strbuf_printf(out, "fewest servers       %u\n", c);
	if (!rc)
		rc = result_text(rep->r, rep->lambda, rep->service_s, out);
	if (rc || c <= 1 || isnan(rep->one_less_s))
		return rc;
	if (isfinite(rep->one_less_s))
		return strbuf_printf(out, "with %u server%s       %s would be %s\n", c - 1, c - 1 == 1 ? " " : "s", pb,
				     units_fmt_duration3(rep->one_less_s, b, sizeof(b)));
	return strbuf_printf(out, "with %u server%s       the queue would be unstable\n", c - 1, c - 1 == 1 ? " " : "s");
}

int queue_render_text(const struct queue_report *rep, struct strbuf *out)
{
	if (rep->has_target)
		return target_text(rep, out);
	char cb[16], mb[96];
	snprintf(cb, sizeof(cb), "%u", rep->r->servers);
	int rc = strbuf_printf(out, "%s: arrivals %s, mean service %s, offered load %.6g Erlangs\n",
			       model_name(rep->cv, cb, mb, sizeof(mb)), rep->arrival, rep->service,
			       rep->lambda * rep->service_s);
	return rc ? rc : result_text(rep->r, rep->lambda, rep->service_s, out);
}

int queue_render_json(const struct queue_report *rep, struct strbuf *out)
{
	const struct queue_result *r = rep->r;
	json_t *o = json_object();
	bool ok = r != NULL;
	json_object_set_new(o, "utilization", ok ? jsondoc_num(r->utilization) : json_null());
	json_object_set_new(o, "p_wait", ok ? jsondoc_num(r->p_wait) : json_null());
	json_object_set_new(o, "mean_wait_s", ok ? jsondoc_num(r->mean_wait_s) : json_null());
	json_object_set_new(o, "mean_response_s", ok ? jsondoc_num(r->mean_response_s) : json_null());
	json_object_set_new(o, "p50_s", ok ? jsondoc_num(r->p50_s) : json_null());
	json_object_set_new(o, "p95_s", ok ? jsondoc_num(r->p95_s) : json_null());
	json_object_set_new(o, "p99_s", ok ? jsondoc_num(r->p99_s) : json_null());
	json_object_set_new(o, "servers", ok ? json_integer(r->servers) : json_null());
	json_object_set_new(o, "stable", ok ? json_boolean(r->stable) : json_null());
	json_object_set_new(o, "arrival_per_s", json_real(rep->lambda));
	json_object_set_new(o, "service_s", json_real(rep->service_s));
	json_object_set_new(o, "service_cv", json_real(rep->cv));
	json_object_set_new(o, "offered_load", json_real(rep->lambda * rep->service_s));
	if (rep->has_target) {
		json_t *t = json_object();
		json_object_set_new(t, "quantile", json_real(rep->q));
		json_object_set_new(t, "seconds", json_real(rep->target_s));
		json_object_set_new(t, "met", json_boolean(ok));
		json_object_set_new(o, "target", t);
	}
	return jsondoc_render(o, out);
}
