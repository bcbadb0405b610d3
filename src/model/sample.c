/* sample.c - metric sets, series, and the rules read off a metric's name
 * (its base, its labels, whether it is a counter, its unit). */
#include "model/sample.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

void sample_set_init(struct sample_set *s)
{
	memset(s, 0, sizeof(*s));
}

void sample_set_free(struct sample_set *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		free(s->m[i].name);
	free(s->m);
	memset(s, 0, sizeof(*s));
}

static void push(struct sample_set *s, const char *source, char *name, double value)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 16;
		s->m = xreallocarray(s->m, s->cap, sizeof(*s->m));
	}
	s->m[s->n++] = (struct metric){.name = name, .value = value, .source = source};
}

void sample_set_add(struct sample_set *s, const char *source, const char *name, double value)
{
	push(s, source, xstrndup(name, SAMPLE_NAME_MAX), value);
}

void sample_set_addf(struct sample_set *s, const char *source, double value, const char *fmt, ...)
{
	char buf[SAMPLE_NAME_MAX + 1];
	va_list ap;
	va_start(ap, fmt);
	/* Truncation is the documented cap, not an error. */
	(void)vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	push(s, source, xstrdup(buf), value);
}

char *sample_label_escape(const char *v, char *buf, size_t n)
{
	size_t o = 0;
	while (*v) {
		unsigned char c = (unsigned char)*v;
		const char *e = c == '\\' ? "\\\\" : c == '"' ? "\\\"" : c == '\n' ? "\\n" : NULL;
		/* A UTF-8 sequence is copied whole or not at all. */
		size_t in = e ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
		size_t k = 0;
		while (k < in && v[k])
			k++;
		in = k;
		size_t outk = e ? 2 : in;
		if (o + outk >= n)
			break;
		memcpy(buf + o, e ? e : v, outk);
		o += outk;
		v += in;
	}
	buf[o] = '\0';
	return buf;
}

void sample_set_move(struct sample_set *to, struct sample_set *from)
{
	for (size_t i = 0; i < from->n; i++)
		push(to, from->m[i].source, from->m[i].name, from->m[i].value);
	free(from->m);
	memset(from, 0, sizeof(*from));
}

const struct metric *sample_set_find(const struct sample_set *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->m[i].name, name) == 0)
			return &s->m[i];
	return NULL;
}

size_t sample_base_len(const char *series)
{
	return strcspn(series, "{");
}

/* Does the base name (its first n bytes) end with suf? */
static bool base_ends(const char *base, size_t n, const char *suf)
{
	size_t k = strlen(suf);
	return n >= k && memcmp(base + n - k, suf, k) == 0;
}

/* A percentile figure: ".p" and digits at the end (http.p50, http.p95). */
static bool ends_percentile(const char *base, size_t n)
{
	size_t d = 0;
	while (d < n && base[n - 1 - d] >= '0' && base[n - 1 - d] <= '9')
		d++;
	return d > 0 && n >= d + 2 && base[n - d - 2] == '.' && base[n - d - 1] == 'p';
}

enum sample_unit sample_unit(const char *series)
{
	size_t n = sample_base_len(series);
	/* A rate first: net.rx_bytes_per_second counts bytes, but per second. */
	if (base_ends(series, n, "_per_second") || base_ends(series, n, "request_rate"))
		return SAMPLE_UNIT_PER_SECOND;
	if (base_ends(series, n, "_ratio") || base_ends(series, n, "utilization"))
		return SAMPLE_UNIT_RATIO;
	if (base_ends(series, n, "_bytes"))
		return SAMPLE_UNIT_BYTES;
	if (base_ends(series, n, "_s") || base_ends(series, n, ".wait") || ends_percentile(series, n) ||
	    (n == strlen("http.max") && memcmp(series, "http.max", n) == 0))
		return SAMPLE_UNIT_SECONDS;
	return SAMPLE_UNIT_COUNT;
}

bool sample_name_matches(const char *selector, const char *series)
{
	if (strcmp(selector, series) == 0)
		return true;
	if (strchr(selector, '{'))
		return false;
	size_t n = sample_base_len(series);
	return series[n] == '{' && strlen(selector) == n && memcmp(selector, series, n) == 0;
}

void series_push(struct series *s, double t, double v)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		s->t = xreallocarray(s->t, s->cap, sizeof(*s->t));
		s->v = xreallocarray(s->v, s->cap, sizeof(*s->v));
	}
	s->t[s->n] = t;
	s->v[s->n] = v;
	s->n++;
}

void series_free(struct series *s)
{
	if (!s)
		return;
	free(s->t);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

bool sample_is_counter(const char *series)
{
	static const char *const counters[] = {"net.rx_bytes", "net.tx_bytes", "redis.evicted_keys"};
	size_t n = sample_base_len(series);
	for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++)
		if (strlen(counters[i]) == n && strncmp(series, counters[i], n) == 0)
			return true;
	return false;
}
