/* bench.c - what `headroom bench` prints: a run, each step of a knee search
 * and the knee, as text or JSON (see bench.h). */
#include "render/bench.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "render/jsondoc.h"
#include "util/units.h"

static int lat_text(const char *label, const struct bench_latency *l, struct strbuf *out)
{
	char a[7][24];
	return strbuf_printf(out, "  %-10s mean %s  p50 %s  p90 %s  p95 %s  p99 %s  p99.9 %s  max %s\n", label,
			     units_fmt_duration3(l->mean_s, a[0], 24), units_fmt_duration3(l->p50_s, a[1], 24),
			     units_fmt_duration3(l->p90_s, a[2], 24), units_fmt_duration3(l->p95_s, a[3], 24),
			     units_fmt_duration3(l->p99_s, a[4], 24), units_fmt_duration3(l->p999_s, a[5], 24),
			     units_fmt_duration3(l->max_s, a[6], 24));
}

int bench_render_run_text(const struct bench_run_report *r, struct strbuf *out)
{
	char b1[32];
	int rc = strbuf_printf(out, "%s %.2fs @ %s\n", r->interrupted ? "Interrupted after" : "Ran", r->duration_s,
			       r->url);
	if (!rc)
		rc = strbuf_printf(out, "  %u threads, %u connections, ", r->threads, r->connections);
	if (!rc && r->rate > 0)
		rc = strbuf_printf(out, "open loop at %.0f req/s (latency from the scheduled send)\n", r->rate);
	else if (!rc)
		rc = strbuf_puts(out, "closed loop (latency from the actual send; not corrected for stalls: use --rate)\n");
	if (!rc)
		rc = strbuf_printf(out, "  requests   %llu, %s read, %.1f req/s\n", (unsigned long long)r->requests,
				   units_fmt_size((double)r->bytes, b1, sizeof(b1)),
				   r->duration_s > 0 ? (double)r->requests / r->duration_s : 0);
	if (!rc)
		rc = lat_text("latency", &r->latency, out);
	if (!rc && r->open_detail) {
		rc = lat_text("from send", &r->latency_sent, out);
		if (!rc)
			rc = strbuf_printf(out, "  send lag   p99 %s (scheduled %llu, unsent or unfinished at the end %llu)\n",
					   units_fmt_duration3(r->send_lag.p99_s, b1, sizeof(b1)),
					   (unsigned long long)r->scheduled, (unsigned long long)r->unfinished);
	}
	if (!rc)
		rc = strbuf_puts(out, "  errors    ");
	for (size_t k = 0; k < r->n_errors && !rc; k++)
		rc = strbuf_printf(out, " %s %llu%s", r->error_names[k], (unsigned long long)r->errors[k],
				   k + 1 < r->n_errors ? "," : ";");
	if (!rc)
		rc = strbuf_printf(out, " non-2xx %llu\n", (unsigned long long)r->non2xx);
	if (!rc)
		rc = strbuf_printf(out, "  cpu        %.2fs user, %.2fs sys\n", r->cpu_user_s, r->cpu_sys_s);
	return rc;
}

static json_t *lat_json(const struct bench_latency *l)
{
	json_t *o = json_object();
	json_object_set_new(o, "mean_s", jsondoc_num(l->mean_s));
	json_object_set_new(o, "p50_s", jsondoc_num(l->p50_s));
	json_object_set_new(o, "p90_s", jsondoc_num(l->p90_s));
	json_object_set_new(o, "p95_s", jsondoc_num(l->p95_s));
	json_object_set_new(o, "p99_s", jsondoc_num(l->p99_s));
	json_object_set_new(o, "p999_s", jsondoc_num(l->p999_s));
	json_object_set_new(o, "min_s", jsondoc_num(l->min_s));
	json_object_set_new(o, "max_s", jsondoc_num(l->max_s));
	return o;
}

int bench_render_run_json(const struct bench_run_report *r, struct strbuf *out)
{
	json_t *o = json_object();
	json_object_set_new(o, "url", json_string(r->url));
	json_object_set_new(o, "mode", json_string(r->rate > 0 ? "open" : "closed"));
	json_object_set_new(o, "threads", json_integer(r->threads));
	json_object_set_new(o, "connections", json_integer(r->connections));
	if (r->rate > 0) {
		json_object_set_new(o, "rate_target", json_real(r->rate));
		json_object_set_new(o, "scheduled", json_integer((json_int_t)r->scheduled));
	}
	json_object_set_new(o, "requests", json_integer((json_int_t)r->requests));
	json_object_set_new(o, "duration_s", json_real(r->duration_s));
	json_object_set_new(o, "rps", json_real(r->duration_s > 0 ? (double)r->requests / r->duration_s : 0));
	json_object_set_new(o, "bytes", json_integer((json_int_t)r->bytes));
	json_object_set_new(o, "bytes_sent", json_integer((json_int_t)r->bytes_sent));
	json_t *e = json_object();
	for (size_t k = 0; k < r->n_errors; k++)
		json_object_set_new(e, r->error_names[k], json_integer((json_int_t)r->errors[k]));
	json_object_set_new(e, "non2xx", json_integer((json_int_t)r->non2xx));
	json_object_set_new(e, "rejected", json_integer((json_int_t)r->rejected));
	json_object_set_new(o, "errors", e);
	json_t *st = json_object();
	for (int k = 1; k <= 5; k++) {
		char key[4] = {(char)('0' + k), 'x', 'x', 0};
		json_object_set_new(st, key, json_integer((json_int_t)r->status_class[k]));
	}
	json_object_set_new(o, "status", st);
	json_object_set_new(o, "connects", json_integer((json_int_t)r->connects));
	json_object_set_new(o, "unfinished", json_integer((json_int_t)r->unfinished));
	json_object_set_new(o, "latency", lat_json(&r->latency));
	if (r->open_detail) {
		json_object_set_new(o, "latency_from_send", lat_json(&r->latency_sent));
		json_object_set_new(o, "send_lag", lat_json(&r->send_lag));
	}
	json_object_set_new(o, "cpu", json_pack("{s:f, s:f}", "user_s", r->cpu_user_s, "sys_s", r->cpu_sys_s));
	json_object_set_new(o, "interrupted", json_boolean(r->interrupted));
	return jsondoc_render(o, out);
}

int bench_render_step_text(const struct bench_step_report *s, double slo_pct, struct strbuf *out)
{
	char a[24], b[24];
	int rc = s->open ? strbuf_printf(out, "  rate %9.1f/s   ", s->rate)
			 : strbuf_printf(out, "  concurrency %4u ", s->concurrency);
	if (!rc)
		rc = strbuf_printf(out, " %9.1f req/s  p%g %-8s mean %-8s errors %5.2f%%  %s%s\n", s->rps, slo_pct,
				   units_fmt_duration3(s->pct_s, a, sizeof(a)), units_fmt_duration3(s->mean_s, b, sizeof(b)),
				   100 * s->error_ratio, s->ok ? "ok" : "over: ", s->why ? s->why : "");
	return rc;
}

int bench_render_ladder(const struct bench_knee_report *k, struct strbuf *out)
{
	if (!k->has_stop_step)
		return strbuf_puts(out, "no closed-loop step ran");
	switch (k->stop) {
	case LADDER_SLO:
		return strbuf_printf(out, "stopped at concurrency %u: %s", k->stop_concurrency,
				     k->stop_why ? k->stop_why : "");
	case LADDER_FLAT:
		return strbuf_printf(out,
				     "stopped at concurrency %u: throughput stopped growing (%.1f req/s, against %.1f at "
				     "concurrency %u); the service is serving all it can at once, and more connections only queue",
				     k->stop_concurrency, k->stop_rps, k->before_rps, k->before_concurrency);
	case LADDER_FELL:
		return strbuf_printf(out,
				     "stopped at concurrency %u: throughput fell to %.1f req/s from %.1f at concurrency %u; "
				     "the service is past its peak concurrency (contention), and more connections cannot raise it",
				     k->stop_concurrency, k->stop_rps, k->before_rps, k->before_concurrency);
	case LADDER_CONNECTIONS:
		break;
	}
	return strbuf_printf(out, "stopped at concurrency %u: the connection limit; raise -c to go further",
			     k->stop_concurrency);
}

int bench_render_knee_heading(const struct bench_knee_report *k, double step_s, unsigned connections,
			      struct strbuf *out)
{
	return strbuf_printf(out, "Finding the knee of %s at %s (steps of %gs, up to %u connections)\n", k->url,
			     k->slo_text, step_s, connections);
}

int bench_render_knee_text(const struct bench_knee_report *k, struct strbuf *out)
{
	char a[24], c2[24];
	struct strbuf ladder;
	strbuf_init(&ladder, 4096);
	int rc = bench_render_ladder(k, &ladder);
	if (!rc) {
		if (k->max_rps > 0)
			rc = strbuf_printf(out, "Highest sustainable rate: %.1f req/s at %s (closed-loop peak %.1f req/s)\n",
					   k->max_rps, k->slo_text, k->peak_rps);
		else
			rc = strbuf_printf(out, "No rate met %s\n", k->slo_text);
	}
	if (!rc)
		rc = strbuf_printf(out, "Closed ladder %s\n", strbuf_str(&ladder));
	if (!rc && k->service_s > 0)
		rc = strbuf_printf(out,
				   "Service alone (concurrency 1): mean %s, cv %.3g; at the knee %.1f requests in service "
				   "(max_rps x service time)\n",
				   units_fmt_duration3(k->service_s, a, sizeof(a)), k->service_cv, k->concurrency);
	bool cpu_known = isfinite(k->cpu_s);
	if (!rc && cpu_known && strcmp(k->cpu_source, "process") == 0)
		rc = strbuf_printf(out, "CPU per request: %s, measured on the server's process%s (%.3g vCPU)\n",
				   units_fmt_duration3(k->cpu_s, c2, sizeof(c2)), k->n_pids > 1 ? "es" : "", k->cores);
	else if (!rc && cpu_known && strcmp(k->cpu_source, "machine") == 0)
		rc = strbuf_printf(out,
				   "CPU per request: %s, from this machine's busy time less the load generator's (%.3g vCPU;\n"
				   "  anything else running counts too: --server-pid measures the server alone)\n",
				   units_fmt_duration3(k->cpu_s, c2, sizeof(c2)), k->cores);
	else if (!rc && cpu_known)
		rc = strbuf_printf(out,
				   "CPU per request: %s, derived from the knee (cores / max_rps, as if the CPU saturated\n"
				   "  there: an upper bound; --server-pid on the server's machine measures it)\n",
				   units_fmt_duration3(k->cpu_s, c2, sizeof(c2)));
	if (!rc && k->fitted)
		rc = strbuf_printf(out, "USL fit: sigma %.4g, kappa %.4g, gamma %.4g req/s; peak %.1f req/s at concurrency %.1f\n",
				   k->sigma, k->kappa, k->gamma, k->max_throughput, k->peak_concurrency);
	else if (!rc)
		rc = strbuf_printf(out, "USL fit: needs %zu closed-loop steps with responses, have %zu (the ladder %s)\n",
				   k->usl_min_points, k->usl_points, strbuf_str(&ladder));
	strbuf_free(&ladder);
	return rc;
}

int bench_render_knee_json(const struct bench_knee_report *k, struct strbuf *out)
{
	struct strbuf ladder;
	strbuf_init(&ladder, 4096);
	int rc = 0;
	if (bench_render_ladder(k, &ladder) != 0) {
		rc = HR_E_TOO_LARGE;
		goto out;
	}
	json_t *o = json_object();
	json_object_set_new(o, "url", json_string(k->url));
	json_object_set_new(o, "slo", json_pack("{s:f, s:f}", "percentile", k->slo_pct, "latency_s", k->slo_s));
	json_object_set_new(o, "max_rps", json_real(k->max_rps));
	json_object_set_new(o, "peak_closed_rps", json_real(k->peak_rps));
	json_object_set_new(o, "service_time_s", json_real(k->service_s));
	json_object_set_new(o, "service_cv", json_real(k->service_cv));
	json_object_set_new(o, "server_concurrency", json_real(k->concurrency));
	json_object_set_new(o, "cores", k->cores > 0 ? json_real(k->cores) : json_null());
	json_object_set_new(o, "cpu_per_request_s", jsondoc_num(k->cpu_s));
	json_object_set_new(o, "cpu_source", json_string(k->cpu_source));
	json_t *ls = json_object();
	json_object_set_new(ls, "reason", json_string(k->stop_name));
	json_object_set_new(ls, "concurrency", k->has_stop_step ? json_integer(k->stop_concurrency) : json_null());
	json_object_set_new(ls, "text", json_string(strbuf_str(&ladder)));
	json_object_set_new(o, "ladder_stop", ls);
	json_t *steps = json_array();
	for (size_t i = 0; i < k->n_steps; i++) {
		const struct bench_step_report *s = &k->steps[i];
		json_t *j = json_object();
		json_object_set_new(j, "mode", json_string(s->open ? "open" : "closed"));
		json_object_set_new(j, "concurrency", json_integer(s->concurrency));
		if (s->open)
			json_object_set_new(j, "rate", json_real(s->rate));
		json_object_set_new(j, "rps", json_real(s->rps));
		json_object_set_new(j, "latency_at_slo_s", json_real(s->pct_s));
		json_object_set_new(j, "p95_s", json_real(s->p95_s));
		json_object_set_new(j, "mean_s", json_real(s->mean_s));
		json_object_set_new(j, "cv", jsondoc_num(s->cv));
		json_object_set_new(j, "error_ratio", json_real(s->error_ratio));
		json_object_set_new(j, "ok", json_boolean(s->ok));
		json_array_append_new(steps, j);
	}
	json_object_set_new(o, "steps", steps);
	if (k->fitted)
		json_object_set_new(o, "usl",
				    json_pack("{s:f, s:f, s:f, s:o, s:o, s:o}", "sigma", k->sigma, "kappa", k->kappa,
					      "gamma", k->gamma, "peak_concurrency", jsondoc_num(k->peak_concurrency),
					      "max_throughput", jsondoc_num(k->max_throughput), "residual_se",
					      jsondoc_num(k->residual_se)));
	else
		json_object_set_new(o, "usl", json_null());
	rc = jsondoc_render(o, out);
out:
	strbuf_free(&ladder);
	return rc;
}
