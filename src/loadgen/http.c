/* http.c - see http.h. A line-at-a-time state machine: memchr finds line
 * ends, so the common case (a whole response in one read) touches each header
 * byte about twice, copies nothing, and skips the body without looking at it. */
#include "loadgen/http.h"

#include <string.h>
#include <strings.h>

enum {
	S_STATUS,     /* status line */
	S_HEADER,     /* header lines up to the empty line */
	S_BODY_LEN,   /* Content-Length bytes remain */
	S_BODY_CLOSE, /* until the connection closes */
	S_CHUNK_SIZE, /* chunk-size [; ext] line */
	S_CHUNK_DATA, /* chunk bytes remain */
	S_CHUNK_END,  /* the CRLF after chunk data */
	S_TRAILER,    /* trailer lines up to the empty line */
	S_DONE,
};

/* Largest body or chunk we accept: 2^60 bytes keeps every sum in range. */
#define BODY_LIMIT (UINT64_C(1) << 60)

void http_resp_init(struct http_resp *p, bool head_request)
{
	memset(p, 0, offsetof(struct http_resp, line));
	p->state = S_STATUS;
	p->head = head_request;
}

bool http_resp_untouched(const struct http_resp *p)
{
	return p->state == S_STATUS && p->header_bytes == 0 && p->line_len == 0;
}

static bool is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* Trim optional whitespace around [*s, *e). */
static void trim(const char **s, const char **e)
{
	while (*s < *e && is_ows(**s))
		(*s)++;
	while (*e > *s && is_ows((*e)[-1]))
		(*e)--;
}

/* Is token tok (case-insensitive) the last non-empty element of the
 * comma-separated list [s, e)? */
static bool list_ends_with(const char *s, const char *e, const char *tok)
{
	size_t tl = strlen(tok);
	bool found = false;
	while (s < e) {
		const char *c = memchr(s, ',', (size_t)(e - s));
		const char *te = c ? c : e;
		const char *ts = s;
		trim(&ts, &te);
		if (ts < te)
			found = (size_t)(te - ts) == tl && strncasecmp(ts, tok, tl) == 0;
		s = c ? c + 1 : e;
	}
	return found;
}

/* Note "close" and "keep-alive" in a Connection field's list [s, e), in one
 * pass (the field is in nearly every response). */
static void connection_options(struct http_resp *p, const char *s, const char *e)
{
	while (s < e) {
		const char *c = memchr(s, ',', (size_t)(e - s));
		const char *te = c ? c : e;
		const char *ts = s;
		trim(&ts, &te);
		size_t n = (size_t)(te - ts);
		if (n == 10 && strncasecmp(ts, "keep-alive", 10) == 0)
			p->conn_keep = true;
		else if (n == 5 && strncasecmp(ts, "close", 5) == 0)
			p->conn_close = true;
		s = c ? c + 1 : e;
	}
}

static int parse_status(struct http_resp *p, const char *l, size_t n)
{
	/* "HTTP/1.x SSS[ reason]" (RFC 9112 4) */
	if (n < 12 || memcmp(l, "HTTP/1.", 7) != 0 || (l[7] != '0' && l[7] != '1') ||
	    l[8] != ' ')
		return HR_E_PROTOCOL;
	int st = 0;
	for (int i = 9; i < 12; i++) {
		if (l[i] < '0' || l[i] > '9')
			return HR_E_PROTOCOL;
		st = st * 10 + (l[i] - '0');
	}
	if (st < 100 || (n > 12 && l[12] != ' '))
		return HR_E_PROTOCOL;
	p->version_minor = l[7] - '0';
	p->status = st;
	return 0;
}

static int parse_length(struct http_resp *p, const char *s, const char *e)
{
	/* A list of identical values is tolerated (RFC 9110 8.6). */
	bool any = false;
	while (s <= e) {
		const char *c = memchr(s, ',', (size_t)(e - s));
		const char *ve = c ? c : e;
		const char *vs = s;
		trim(&vs, &ve);
		if (vs == ve)
			return HR_E_PROTOCOL;
		uint64_t v = 0;
		for (const char *q = vs; q < ve; q++) {
			if (*q < '0' || *q > '9')
				return HR_E_PROTOCOL;
			v = v * 10 + (uint64_t)(*q - '0');
			if (v >= BODY_LIMIT)
				return HR_E_PROTOCOL;
		}
		if ((p->has_length || any) && v != p->length)
			return HR_E_PROTOCOL;
		p->length = v;
		any = true;
		if (!c)
			break;
		s = c + 1;
	}
	p->has_length = true;
	return 0;
}

static int parse_header(struct http_resp *p, const char *l, size_t n, bool truncated)
{
	if (is_ows(l[0])) {
		/* obs-fold continues the previous header */
		return p->last_framing ? HR_E_PROTOCOL : 0;
	}
	const char *colon = memchr(l, ':', n);
	if (!colon || colon == l)
		return HR_E_PROTOCOL;
	size_t nl = (size_t)(colon - l);
	if (is_ows(colon[-1]))
		return HR_E_PROTOCOL; /* no whitespace before the colon (RFC 9112 5.1) */
	const char *vs = colon + 1, *ve = l + n;
	p->last_framing = false;
	/* Only three fields matter to a load generator; the name's length
	 * rules out the others before any comparison. */
	if (nl == 14 && strncasecmp(l, "content-length", 14) == 0) {
		p->last_framing = true;
		trim(&vs, &ve);
		return truncated ? HR_E_PROTOCOL : parse_length(p, vs, ve);
	}
	if (nl == 17 && strncasecmp(l, "transfer-encoding", 17) == 0) {
		p->last_framing = true;
		if (truncated)
			return HR_E_PROTOCOL;
		/* Codings accumulate over repeated fields; chunked must be last. */
		p->te_present = true;
		p->chunked = list_ends_with(vs, ve, "chunked");
		return 0;
	}
	if (nl == 10 && strncasecmp(l, "connection", 10) == 0) {
		connection_options(p, vs, ve);
	}
	return 0;
}

/* The header section ended: decide how the body is framed. */
static int end_of_headers(struct http_resp *p)
{
	if (p->status < 200) {
		if (p->status == 101)
			return HR_E_PROTOCOL; /* no protocol upgrade in a load test */
		/* Interim response: forget it and read the final one. */
		uint64_t hb = p->header_bytes;
		bool head = p->head;
		http_resp_init(p, head);
		p->header_bytes = hb;
		return 0;
	}
	p->keep_alive = p->version_minor >= 1 ? !p->conn_close : (p->conn_keep && !p->conn_close);
	if (p->head || p->status == 204 || p->status == 304) {
		p->chunked = false;
		p->state = S_DONE;
		return 0;
	}
	if (p->te_present) {
		/* TE overrides Content-Length; a sender of both is not trusted to
		 * keep the connection in sync (RFC 9112 6.3 item 3). */
		if (p->has_length)
			p->keep_alive = false;
		if (p->chunked) {
			p->state = S_CHUNK_SIZE;
			return 0;
		}
		p->body_to_close = true;
		p->keep_alive = false;
		p->state = S_BODY_CLOSE;
		return 0;
	}
	if (p->has_length) {
		p->remaining = p->length;
		p->state = p->length ? S_BODY_LEN : S_DONE;
		return 0;
	}
	p->body_to_close = true;
	p->keep_alive = false;
	p->state = S_BODY_CLOSE;
	return 0;
}

static int parse_chunk_size(struct http_resp *p, const char *l, size_t n)
{
	uint64_t v = 0;
	size_t i = 0;
	for (; i < n; i++) {
		char c = l[i];
		int d;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			break;
		v = v * 16 + (uint64_t)d;
		if (v >= BODY_LIMIT)
			return HR_E_PROTOCOL;
	}
	if (i == 0)
		return HR_E_PROTOCOL;
	while (i < n && is_ows(l[i]))
		i++;
	if (i < n && l[i] != ';')
		return HR_E_PROTOCOL; /* only chunk extensions may follow */
	if (v == 0) {
		p->state = S_TRAILER;
	} else {
		p->remaining = v;
		p->state = S_CHUNK_DATA;
	}
	return 0;
}

/* A complete line (without its line end) for the current state. */
static int on_line(struct http_resp *p, const char *l, size_t n, bool truncated)
{
	switch (p->state) {
	case S_STATUS:
		if (truncated)
			return HR_E_PROTOCOL;
		if (n == 0)
			return HR_E_PROTOCOL;
		p->state = S_HEADER;
		return parse_status(p, l, n);
	case S_HEADER:
		if (n == 0)
			return end_of_headers(p);
		return parse_header(p, l, n, truncated);
	case S_CHUNK_SIZE:
		return parse_chunk_size(p, l, n);
	case S_CHUNK_END:
		if (n != 0)
			return HR_E_PROTOCOL;
		p->state = S_CHUNK_SIZE;
		return 0;
	case S_TRAILER:
		if (n == 0)
			p->state = S_DONE;
		return 0;
	default:
		return HR_E_PROTOCOL;
	}
}

/* States whose bytes count as header bytes (trailers are headers too). */
static bool in_header_section(const struct http_resp *p)
{
	return p->state == S_STATUS || p->state == S_HEADER || p->state == S_TRAILER;
}

int http_resp_feed(struct http_resp *p, const char *buf, size_t len, size_t *used)
{
	size_t i = 0;
	int rc = HTTP_MORE;
	while (i < len && p->state != S_DONE) {
		size_t avail = len - i;
		if (p->state == S_BODY_CLOSE) {
			p->body_bytes += avail;
			i = len;
			break;
		}
		if (p->state == S_BODY_LEN || p->state == S_CHUNK_DATA) {
			size_t take = avail < p->remaining ? avail : (size_t)p->remaining;
			p->remaining -= take;
			p->body_bytes += take;
			i += take;
			if (p->remaining == 0)
				p->state = p->state == S_BODY_LEN ? S_DONE : S_CHUNK_END;
			continue;
		}
		/* A line-oriented state: take bytes up to and including '\n'. */
		const char *nl = memchr(buf + i, '\n', avail);
		size_t seg = nl ? (size_t)(nl - (buf + i)) + 1 : avail;
		if (in_header_section(p)) {
			p->header_bytes += seg;
			if (p->header_bytes > HTTP_HEADER_MAX) {
				rc = HR_E_TOO_LARGE;
				break;
			}
		}
		/* A line that starts and ends inside this buffer (the usual case)
		 * is parsed where it lies; only a line split across reads is
		 * gathered into p->line. */
		const char *l = buf + i;
		size_t line_len = seg;
		if (!nl || p->line_len) {
			size_t keep = p->line_len < HTTP_LINE_MAX ? HTTP_LINE_MAX - p->line_len : 0;
			if (keep > seg)
				keep = seg;
			memcpy(p->line + p->line_len, buf + i, keep);
			l = p->line;
			line_len = p->line_len += seg;
		}
		i += seg;
		if (line_len > HTTP_HEADER_MAX) {
			rc = HR_E_TOO_LARGE; /* an endless chunk-size line */
			break;
		}
		if (!nl)
			break;
		/* Strip the line end: "\n" or "\r\n". */
		size_t n = line_len - 1;
		bool truncated = line_len > HTTP_LINE_MAX;
		if (truncated)
			n = HTTP_LINE_MAX;
		else if (n > 0 && l[n - 1] == '\r')
			n--;
		p->line_len = 0;
		rc = on_line(p, l, n, truncated);
		if (rc < 0)
			break;
		rc = HTTP_MORE;
	}
	*used = i;
	if (rc < 0)
		return rc;
	return p->state == S_DONE ? HTTP_DONE : HTTP_MORE;
}

int http_resp_eof(struct http_resp *p)
{
	if (p->state == S_BODY_CLOSE) {
		p->state = S_DONE;
		return HTTP_DONE;
	}
	return p->state == S_DONE ? HTTP_DONE : HR_E_PROTOCOL;
}
