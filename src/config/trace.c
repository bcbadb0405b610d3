/* trace.c - read a request-rate trace CSV (see trace.h) in one pass over
 * its lines, the first problem reported at its line and column. */
#include "config/trace.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/xalloc.h"

struct cursor {
	const char *name;
	struct diag *d;
	const char *line; /* start of the current line */
	size_t line_len;
	int lineno;
	bool failed;
};

static void bad(struct cursor *c, const char *at, const char *fmt, ...) HR_PRINTF(3, 4);
static void bad(struct cursor *c, const char *at, const char *fmt, ...)
{
	/* The line for the caret, cut at a sane width. */
	char src[256];
	size_t n = c->line_len < sizeof(src) - 1 ? c->line_len : sizeof(src) - 1;
	memcpy(src, c->line, n);
	src[n] = '\0';
	struct diag_loc loc = {.file = c->name, .line = c->lineno, .col = (int)(at - c->line) + 1, .src_line = src,
			       .span = 1};
	va_list ap;
	va_start(ap, fmt);
	diag_vat(c->d, DIAG_ERROR, &loc, fmt, ap);
	va_end(ap);
	c->failed = true;
}

/* The n decimal digits at p into *v; HR_E_INVALID when one is not a digit. */
static int digits(const char *p, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return HR_E_INVALID;
		*v = *v * 10 + (p[i] - '0');
	}
	return 0;
}

/* YYYY-MM-DDTHH:MM:SSZ -> Unix seconds in *out; HR_E_INVALID and *why on error. */
static int parse_time(const char *p, size_t len, int64_t *out, const char **why)
{
	*why = "expected a UTC time such as 1995-07-01T04:00:00Z";
	if (len != 20 || p[4] != '-' || p[7] != '-' || p[10] != 'T' || p[13] != ':' || p[16] != ':' || p[19] != 'Z')
		return HR_E_INVALID;
	int y, mo, dd, h, mi, s;
	if (digits(p, 4, &y) || digits(p + 5, 2, &mo) || digits(p + 8, 2, &dd) || digits(p + 11, 2, &h) ||
	    digits(p + 14, 2, &mi) || digits(p + 17, 2, &s) || y < 1970 || mo < 1 || mo > 12 || dd < 1 || dd > 31 ||
	    h > 23 || mi > 59 || s > 59) {
		*why = "the date or time is out of range";
		return HR_E_INVALID;
	}
	struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = dd, .tm_hour = h, .tm_min = mi, .tm_sec = s};
	time_t t = timegm(&tm);
	if (tm.tm_mday != dd) { /* 31 February normalised to March */
		*why = "no such date";
		return HR_E_INVALID;
	}
	*out = (int64_t)t;
	return 0;
}

int trace_parse(const char *name, const char *text, size_t len, struct diag *d, struct trace *out)
{
	memset(out, 0, sizeof(*out));
	struct cursor c = {.name = name, .d = d};
	size_t cap = 0;
	int64_t first = 0, prev = 0, step = 0;
	const char *p = text, *end = text + len;
	bool header = false;
	while (p < end && !c.failed) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		c.line = p;
		c.line_len = (size_t)(eol - p);
		c.lineno++;
		if (c.line_len && p[c.line_len - 1] == '\r')
			c.line_len--;
		const char *le = p + c.line_len;
		if (!header) {
			if (c.line_len != strlen("timestamp,requests") || memcmp(p, "timestamp,requests", c.line_len) != 0) {
				bad(&c, p, "expected the header line 'timestamp,requests'");
				break;
			}
			header = true;
		} else if (c.line_len == 0) {
			if (nl && eol + 1 < end) /* a blank line, not the file's end */
				bad(&c, p, "a blank line inside the trace; expected TIMESTAMP,REQUESTS");
		} else {
			const char *comma = memchr(p, ',', c.line_len);
			if (!comma) {
				bad(&c, le, "expected TIMESTAMP,REQUESTS, got no comma");
				break;
			}
			const char *why;
			int64_t t;
			if (parse_time(p, (size_t)(comma - p), &t, &why)) {
				bad(&c, p, "%s", why);
				break;
			}
			const char *q = comma + 1;
			double v = 0;
			if (q == le) {
				bad(&c, q, "expected a request count after the comma");
				break;
			}
			for (const char *r = q; r < le; r++) {
				if (*r < '0' || *r > '9') {
					bad(&c, r, "expected a whole number of requests (0 or more)");
					break;
				}
				v = v * 10 + (*r - '0');
			}
			if (c.failed)
				break;
			if (v > 1e15) {
				bad(&c, q, "%.0f requests in one bucket is more than a trace can mean", v);
				break;
			}
			if (out->n == 0) {
				first = t;
			} else if (out->n == 1) {
				step = t - prev;
				if (step <= 0) {
					bad(&c, p, "the second bucket does not start after the first");
					break;
				}
			} else if (t - prev != step) {
				bad(&c, p, "bucket %zu starts %lld s after the one before, not %lld s: the rows must be contiguous buckets of one length",
				    out->n + 1, (long long)(t - prev), (long long)step);
				break;
			}
			if (out->n == TRACE_MAX_ROWS) {
				bad(&c, p, "more than %u rows (buckets), the most a trace may hold; cut it or use longer buckets",
				    TRACE_MAX_ROWS);
				break;
			}
			/* Each row ends its bucket one step after its start. */
			if (out->n >= 1 && t + step - first > TRACE_MAX_SPAN_S) {
				bad(&c, p, "this row takes the trace past %d days from its first row, the longest span a trace "
				    "may cover; cut it or replay it in parts", TRACE_MAX_SPAN_S / 86400);
				break;
			}
			if (out->n == cap) {
				cap = cap ? 2 * cap : 1024;
				out->requests = xreallocarray(out->requests, cap, sizeof(double));
			}
			out->requests[out->n++] = v;
			prev = t;
		}
		p = nl ? nl + 1 : end;
	}
	if (!c.failed && !header) {
		struct diag_loc loc = {.file = name, .line = 1, .col = 1};
		diag_at(d, DIAG_ERROR, &loc, "empty file; expected the header line 'timestamp,requests'");
		c.failed = true;
	} else if (!c.failed && out->n == 0) {
		struct diag_loc loc = {.file = name, .line = c.lineno + 1, .col = 1};
		diag_at(d, DIAG_ERROR, &loc, "no rows after the header; expected TIMESTAMP,REQUESTS");
		c.failed = true;
	}
	if (c.failed) {
		trace_free(out);
		return HR_E_INVALID;
	}
	out->start = (double)first;
	out->bucket_s = out->n > 1 ? (double)step : 60;
	return 0;
}

int trace_load(const char *path, struct diag *d, struct trace *out)
{
	memset(out, 0, sizeof(*out));
	char *buf = NULL;
	size_t size, got = 0;
	int rc;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		diag_error(d, "%s: cannot read the trace: %s", path, fd < 0 ? strerror(errno) : "not a regular file");
		rc = HR_E_IO;
		goto out;
	}
	if ((uint64_t)st.st_size > TRACE_MAX_BYTES) {
		diag_error(d, "%s: the trace is larger than %u MiB", path, TRACE_MAX_BYTES >> 20);
		rc = HR_E_TOO_LARGE;
		goto out;
	}
	size = (size_t)st.st_size;
	buf = xmalloc(size + 1);
	while (got < size) {
		ssize_t r = read(fd, buf + got, size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	rc = trace_parse(path, buf, got, d, out);
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	return rc;
}

void trace_free(struct trace *t)
{
	if (!t)
		return;
	free(t->requests);
	memset(t, 0, sizeof(*t));
}
