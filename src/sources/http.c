/* http.c - probe a URL N times per sample: status, p50/p95 latency, error
 * ratio. The requests go one after another over a kept-alive connection, so
 * the probe adds one connection's worth of load, not N.
 *
 * A sample in which no probe got a reply says nothing about errors or
 * latency: only http.up (0) is given, and every other trigger on the source
 * is UNKNOWN with the reason. Replies with status >= 400 are answers: they
 * count in the error ratio. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sources/backends.h"
#include "sources/fetch.h"
#include "util/clock.h"
#include "util/xalloc.h"

/* A probe with more requests than this per sample is a load test: `bench`. */
#define PROBES_MAX 1000

struct http {
	const struct source_config *cfg;
	struct fetch *f;
	unsigned probes;
	double *lat;
};

static int http_open(const struct source_config *cfg, struct diag *d, void **state)
{
	const char *name = cfg->name ? cfg->name : "http";
	if (!cfg->url || (strncmp(cfg->url, "http://", 7) != 0 && strncmp(cfg->url, "https://", 8) != 0)) {
		diag_error(d, "metrics source '%s': needs url: an http:// or https:// URL to probe", name);
		return HR_E_INVALID;
	}
	struct http *h = xcalloc(1, sizeof(*h));
	h->cfg = cfg;
	h->probes = cfg->probes ? cfg->probes : 10;
	if (h->probes > PROBES_MAX)
		h->probes = PROBES_MAX;
	h->lat = xcalloc(h->probes, sizeof(double));
	h->f = fetch_new();
	if (!h->f) {
		diag_error(d, "metrics source '%s': cannot start libcurl", name);
		free(h->lat);
		free(h);
		return HR_E_NOMEM;
	}
	*state = h;
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Nearest-rank percentile of sorted values (p in (0, 1]). */
static double percentile(const double *v, size_t n, double p)
{
	size_t rank = (size_t)ceil(p * (double)n);
	if (rank < 1)
		rank = 1;
	return v[rank - 1];
}


static int http_sample(void *state, const char *src, struct sample_set *out, struct strbuf *err)
{
	struct http *h = state;
	struct fetch_opts o = {.user = h->cfg->user, .password = h->cfg->password, .token = h->cfg->token,
			       .max_body = 16u << 20};
	size_t ok = 0, errors = 0;
	unsigned made = 0;
	long last_status = 0;
	int last_rc = 0;
	struct strbuf why, other;
	strbuf_init(&why, 1024);
	strbuf_init(&other, 1024);
	/* `timeout` bounds the whole sample, not each probe: a server that
	 * accepts and never answers would otherwise hold a check for probes x
	 * timeout (50 s with the defaults). */
	double limit = h->cfg->timeout_s > 0 ? h->cfg->timeout_s : 5;
	double deadline = clock_mono() + limit;
	for (unsigned i = 0; i < h->probes; i++) {
		double left = deadline - clock_mono();
		/* curl's timeout is whole milliseconds; less than one would mean none. */
		if (left < 1e-3)
			break;
		o.timeout_s = left;
		made++;
		struct fetch_result r;
		int rc = fetch_url(h->f, h->cfg->url, &o, &r, &why);
		strbuf_free(&r.body);
		if (rc) {
			errors++;
			last_rc = rc;
			/* Kept: the last failure that was not the deadline running out. */
			if (rc != HR_E_TIMEOUT) {
				strbuf_reset(&other);
				if (strbuf_puts(&other, strbuf_str(&why)) != 0) {
					/* cut at the cap: kept as far as it goes */
				}
			}
			continue;
		}
		last_status = r.status;
		/* A probe URL should answer 2xx or 3xx; anything else counts as an error. */
		if (r.status >= 400)
			errors++;
		h->lat[ok++] = r.total_s;
	}
	int rc = 0;
	if (made == 0) {
		/* Only when timeout is under a millisecond: say so rather than divide by 0. */
		source_error(err, "timeout %g s leaves no time for a probe", limit);
		rc = HR_E_TIMEOUT;
		goto out;
	}
	sample_set_add(out, src, "http.up", ok > 0 ? 1 : 0);
	if (ok) {
		/* An error ratio needs an answer to be one: with none, the service
		 * may be down or the probe cut off from it, and every trigger on
		 * this source is UNKNOWN with the reason (a ratio of 1 with a `for`
		 * read as OK while pending). */
		sample_set_add(out, src, "http.error_ratio", (double)errors / made);
		qsort(h->lat, ok, sizeof(double), cmp_double);
		sample_set_add(out, src, "http.status", (double)last_status);
		sample_set_add(out, src, "http.p50", percentile(h->lat, ok, 0.50));
		sample_set_add(out, src, "http.p95", percentile(h->lat, ok, 0.95));
		sample_set_add(out, src, "http.max", h->lat[ok - 1]);
	} else if (last_rc == HR_E_TIMEOUT) {
		/* curl's "timed out after N milliseconds" counts what was left of
		 * the sample's budget for the last probe (1 ms, after a first probe
		 * took the rest), not the wait: say what the wait was. */
		source_error(err, "all %u probes failed: %s: timed out: no reply within the %g s timeout%s%s", made, h->cfg->url,
			     limit, other.len ? "; before that: " : "", strbuf_str(&other));
		rc = HR_E_TIMEOUT;
	} else {
		source_error(err, "all %u probes failed: %s", made, strbuf_str(&why));
		rc = HR_E_UNAVAILABLE;
	}
out:
	strbuf_free(&why);
	strbuf_free(&other);
	return rc;
}

static void http_close(void *state)
{
	struct http *h = state;
	if (!h)
		return;
	fetch_free(h->f);
	free(h->lat);
	free(h);
}

static const char *const http_prefixes[] = {"http.p", "http.error_ratio", "http.up", "http.status", "http.max",
					    NULL};
static const char *const http_known[] = {"http.p50", "http.p95", "http.max", "http.error_ratio", "http.status",
					 "http.up", NULL};

static void http_cancel(void *state)
{
	fetch_cancel(((struct http *)state)->f);
}

const struct source_ops source_http_ops = {
	.type = "http",
	.prefixes = http_prefixes,
	.open = http_open,
	.sample = http_sample,
	.close = http_close,
	.cancel = http_cancel,
	.known = http_known,
};
