/* engine.c - see engine.h for the model. Layout of this file: target
 * preparation (URL, request bytes), the per-connection state machine, the
 * per-thread event loop, and bench_run() which starts the threads, reports
 * progress and merges what they measured. */
#include "loadgen/engine.h"

#include <errno.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "loadgen/hist.h"
#include "loadgen/http.h"
#include "loadgen/transport.h"
#include "util/clock.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#ifndef HEADROOM_VERSION
#define HEADROOM_VERSION "dev"
#endif

const char *const bench_error_names[BENCH_ERR_COUNT] = {
	"connect", "timeout", "reset", "closed", "protocol", "tls",
};

/* Histogram range: 1 us to 1 h at 3 significant digits (184 KiB each by the
 * bucket layout of HdrHistogram_c v0.11.10, src/hdr_histogram.c). */
#define HIST_LOW 1
#define HIST_HIGH INT64_C(3600000000)
#define HIST_DIGITS 3

#define READ_BUF (64 * 1024)
#define MAX_EVENTS 256
#define URL_MAX 8192
/* A connection that failed to connect waits this long before trying again,
 * so a refused port is not hammered in a tight loop. */
#define RETRY_NS INT64_C(10000000)
/* Longest sleep of a loop, so bench_stop() and progress stay prompt. */
#define MAX_WAIT_NS INT64_C(100000000)
#define NS 1000000000.0

struct bench {
	char *host;
	char port[8];
	char *path;
	bool tls;
	bool head;
	struct sockaddr_storage addr;
	socklen_t addrlen;
	char *req;
	size_t req_len;
	struct transport_ctx *tctx;
	const struct transport_ops *ops;
	atomic_bool stop;
	int64_t t0;
};

/* ---------------------------------------------------------------- target */


static bool is_tchar(char c)
{
	/* RFC 9110 5.6.2 token characters */
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

static int parse_url(struct bench *b, const char *url, struct diag *d)
{
	size_t len = strlen(url);
	if (len > URL_MAX) {
		diag_error(d, "URL longer than %d bytes", URL_MAX);
		return HR_E_INVALID;
	}
	for (size_t i = 0; i < len; i++) {
		if ((unsigned char)url[i] <= ' ' || url[i] == 0x7f) {
			diag_error(d, "URL '%s': a space or control character at byte %zu", url, i + 1);
			return HR_E_INVALID;
		}
	}
	const char *p;
	if (strncasecmp(url, "http://", 7) == 0) {
		p = url + 7;
	} else if (strncasecmp(url, "https://", 8) == 0) {
		p = url + 8;
		b->tls = true;
	} else {
		diag_error(d, "URL '%s': expected http:// or https://", url);
		return HR_E_INVALID;
	}
	size_t alen = strcspn(p, "/?#");
	const char *auth_end = p + alen;
	if (memchr(p, '@', alen)) {
		diag_error(d, "URL '%s': user information is not supported; send an Authorization header with -H", url);
		return HR_E_INVALID;
	}
	const char *host_end, *port_at = NULL;
	if (*p == '[') {
		const char *close = memchr(p, ']', alen);
		if (!close) {
			diag_error(d, "URL '%s': expected ']' after the IPv6 address", url);
			return HR_E_INVALID;
		}
		b->host = xstrndup(p + 1, (size_t)(close - p - 1));
		host_end = close + 1;
		if (host_end < auth_end) {
			if (*host_end != ':')
				goto bad_port;
			port_at = host_end + 1;
		}
	} else {
		const char *colon = memchr(p, ':', alen);
		host_end = colon ? colon : auth_end;
		b->host = xstrndup(p, (size_t)(host_end - p));
		if (colon)
			port_at = colon + 1;
	}
	if (!b->host[0]) {
		diag_error(d, "URL '%s': expected a host name", url);
		return HR_E_INVALID;
	}
	if (port_at) {
		long v = 0;
		if (port_at == auth_end)
			goto bad_port;
		for (const char *q = port_at; q < auth_end; q++) {
			if (*q < '0' || *q > '9' || v > 65535)
				goto bad_port;
			v = v * 10 + (*q - '0');
		}
		if (v < 1 || v > 65535)
			goto bad_port;
		snprintf(b->port, sizeof(b->port), "%ld", v);
	} else {
		snprintf(b->port, sizeof(b->port), "%s", b->tls ? "443" : "80");
	}
	/* The request target: path and query, never the fragment. */
	size_t plen = strcspn(auth_end, "#");
	if (plen == 0)
		b->path = xstrdup("/");
	else if (*auth_end == '?')
		b->path = xasprintf("/%.*s", (int)plen, auth_end);
	else
		b->path = xstrndup(auth_end, plen);
	return 0;
bad_port:
	diag_error(d, "URL '%s': expected a port number 1-65535 after ':'", url);
	return HR_E_INVALID;
}

static bool header_named(const char *h, const char *name)
{
	size_t n = strlen(name);
	return strncasecmp(h, name, n) == 0 && h[n] == ':';
}

static int build_request(struct bench *b, const struct bench_target *t, struct diag *d)
{
	const char *method = t->method ? t->method : "GET";
	if (!method[0] || strlen(method) > 32) {
		diag_error(d, "method '%s': expected a token such as GET or POST", method);
		return HR_E_INVALID;
	}
	for (const char *c = method; *c; c++) {
		if (!is_tchar(*c)) {
			diag_error(d, "method '%s': expected a token such as GET or POST", method);
			return HR_E_INVALID;
		}
	}
	b->head = strcmp(method, "HEAD") == 0;
	bool has_host = false, has_ua = false;
	for (size_t i = 0; i < t->n_headers; i++) {
		const char *h = t->headers[i];
		const char *colon = strchr(h, ':');
		if (strlen(h) >= 8192) {
			diag_error(d, "header '%.40s...': %zu bytes; at most 8191", h, strlen(h));
			return HR_E_INVALID;
		}
		bool ok = colon && colon > h;
		for (const char *c = h; ok && c < colon; c++)
			ok = is_tchar(*c);
		for (const char *c = h; ok && *c; c++)
			ok = *c != '\r' && *c != '\n';
		if (!ok) {
			diag_error(d, "header '%s': expected 'Name: value' on one line", h);
			return HR_E_INVALID;
		}
		if (header_named(h, "content-length") || header_named(h, "transfer-encoding")) {
			diag_error(d, "header '%.*s': headroom sets Content-Length from --body",
				   (int)(colon - h), h);
			return HR_E_INVALID;
		}
		has_host = has_host || header_named(h, "host");
		has_ua = has_ua || header_named(h, "user-agent");
	}
	struct strbuf sb;
	strbuf_init(&sb, 0);
	int rc = strbuf_printf(&sb, "%s %s HTTP/1.1\r\n", method, b->path);
	if (!has_host) {
		bool v6 = strchr(b->host, ':') != NULL;
		bool dflt = strcmp(b->port, b->tls ? "443" : "80") == 0;
		rc = rc ? rc : strbuf_printf(&sb, "Host: %s%s%s%s%s\r\n", v6 ? "[" : "", b->host,
					     v6 ? "]" : "", dflt ? "" : ":", dflt ? "" : b->port);
	}
	if (!has_ua)
		rc = rc ? rc : strbuf_puts(&sb, "User-Agent: headroom/" HEADROOM_VERSION "\r\n");
	for (size_t i = 0; i < t->n_headers; i++)
		rc = rc ? rc : strbuf_printf(&sb, "%s\r\n", t->headers[i]);
	bool want_length = t->body || strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0 ||
			   strcmp(method, "PATCH") == 0;
	if (want_length)
		rc = rc ? rc : strbuf_printf(&sb, "Content-Length: %zu\r\n", t->body ? t->body_len : 0);
	rc = rc ? rc : strbuf_puts(&sb, "\r\n");
	if (t->body && t->body_len)
		rc = rc ? rc : strbuf_append(&sb, t->body, t->body_len);
	if (rc) {
		strbuf_free(&sb);
		diag_error(d, "request larger than 64 MiB");
		return HR_E_INVALID;
	}
	b->req_len = sb.len;
	b->req = strbuf_take(&sb);
	return 0;
}

int bench_new(const struct bench_target *t, struct diag *d, struct bench **out)
{
	*out = NULL;
	struct bench *b = xcalloc(1, sizeof(*b));
	int rc = parse_url(b, t->url, d);
	if (rc == 0)
		rc = build_request(b, t, d);
	if (rc == 0) {
		struct addrinfo hints = {0}, *ai = NULL;
		hints.ai_family = AF_UNSPEC;
		hints.ai_socktype = SOCK_STREAM;
		int g = getaddrinfo(b->host, b->port, &hints, &ai);
		if (g != 0 || !ai) {
			diag_error(d, "cannot resolve host '%s': %s", b->host, gai_strerror(g));
			rc = HR_E_UNAVAILABLE;
		} else {
			memcpy(&b->addr, ai->ai_addr, ai->ai_addrlen);
			b->addrlen = ai->ai_addrlen;
			freeaddrinfo(ai);
		}
	}
	if (rc == 0 && b->tls) {
		rc = transport_tls_ctx_new(!t->insecure, &b->tctx);
		if (rc)
			diag_error(d, "OpenSSL could not create a TLS client context");
	}
	if (rc) {
		bench_free(b);
		return rc;
	}
	b->ops = b->tls ? &transport_tls : &transport_plain;
	atomic_init(&b->stop, false);
	*out = b;
	return 0;
}

void bench_free(struct bench *b)
{
	if (!b)
		return;
	transport_ctx_free(b->tctx);
	free(b->host);
	free(b->path);
	free(b->req);
	free(b);
}

const char *bench_host(const struct bench *b)
{
	return b->host;
}

bool bench_is_loopback(const struct bench *b)
{
	if (b->addr.ss_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)&b->addr;
		return (ntohl(a->sin_addr.s_addr) >> 24) == 127;
	}
	if (b->addr.ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&b->addr;
		if (IN6_IS_ADDR_LOOPBACK(&a->sin6_addr))
			return true;
		return IN6_IS_ADDR_V4MAPPED(&a->sin6_addr) && a->sin6_addr.s6_addr[12] == 127;
	}
	return false;
}

void bench_stop(struct bench *b)
{
	atomic_store(&b->stop, true);
}

/* ------------------------------------------------------------ connections */

enum conn_state { C_CLOSED, C_CONNECTING, C_HANDSHAKE, C_IDLE, C_BUSY };

struct worker;

struct conn {
	struct worker *w;
	int fd;
	enum conn_state state;
	void *ts;            /* transport state */
	size_t wpos;         /* request bytes written */
	uint64_t rbytes;     /* response bytes read */
	uint64_t served;     /* responses on this connection */
	int64_t t_sched;     /* when the request was due (open loop) */
	int64_t t_sent;      /* when it was written */
	int64_t t_begin;     /* when the connect started */
	int64_t retry_at;    /* when a closed connection connects again */
	struct http_resp resp;
};

struct worker {
	struct bench *b;
	const struct bench_run_opts *o;
	pthread_t tid;
	bool started;
	int ep;
	struct conn *conns;
	unsigned nconn;
	unsigned *idle;      /* open loop: stack of idle connection indexes */
	unsigned nidle;
	char *rbuf;
	/* schedule */
	bool open;
	double interval_ns;  /* open loop: time between scheduled requests */
	uint64_t budget;     /* requests this thread may start; 0 = unbounded */
	uint64_t issued;     /* started, or used up by a failed connect */
	uint64_t ended;      /* completed or failed */
	uint64_t next_k;     /* open loop: index of the next scheduled request */
	int64_t t0, t_warm, deadline, t_end;
	bool stopping;
	/* measurements */
	struct hist *lat, *lat_sent, *lag, *window;
	uint64_t requests, bytes, bytes_sent, non2xx, rejected, connects;
	struct bench_status_set accept;
	uint64_t status_class[6];
	uint64_t errors[BENCH_ERR_COUNT];
	struct strbuf log;
	/* published for the progress line */
	_Atomic uint64_t pub_requests, pub_errors;
	_Atomic int64_t pub_p95_us;
	atomic_bool done;
	int fatal;
};

static void conn_send(struct conn *c, int64_t t_sched, int64_t now);
static void conn_connect(struct conn *c, int64_t now);

static bool budget_left(const struct worker *w)
{
	return w->budget == 0 || w->issued < w->budget;
}

/* Open loop: how many requests are due by `now` (capped by the budget). */
static uint64_t sched_due(const struct worker *w, int64_t now)
{
	if (now < w->t0)
		return 0;
	uint64_t k = (uint64_t)((double)(now - w->t0) / w->interval_ns) + 1;
	return w->budget && k > w->budget ? w->budget : k;
}

static int64_t sched_time(const struct worker *w, uint64_t k)
{
	return w->t0 + (int64_t)((double)k * w->interval_ns);
}

static void idle_remove(struct worker *w, struct conn *c)
{
	unsigned i = (unsigned)(c - w->conns);
	for (unsigned k = 0; k < w->nidle; k++) {
		if (w->idle[k] == i) {
			w->idle[k] = w->idle[--w->nidle];
			return;
		}
	}
}

static void conn_drop(struct conn *c)
{
	struct worker *w = c->w;
	if (c->state == C_IDLE && w->open)
		idle_remove(w, c);
	if (c->fd >= 0) {
		w->b->ops->detach(c->ts);
		c->ts = NULL;
		close(c->fd); /* also leaves the epoll set */
		c->fd = -1;
	}
	c->state = C_CLOSED;
}

/* Reconnect at once, or after a pause when the last attempt failed. */
static void conn_again(struct conn *c, int64_t now, bool pause)
{
	c->retry_at = pause ? now + RETRY_NS : now;
	if (!pause && !c->w->stopping)
		conn_connect(c, now);
}

/* A request, or the connect that was to carry one, failed. */
static void fail(struct conn *c, enum bench_error kind, int64_t now)
{
	struct worker *w = c->w;
	bool connecting = c->state == C_CONNECTING || c->state == C_HANDSHAKE;
	w->errors[kind]++;
	if (c->state == C_BUSY) {
		w->ended++;
	} else if (connecting) {
		/* A failed connect uses up one request, so a run bounded only by
		 * a request count still ends when the server is down. */
		if (w->open) {
			if (w->next_k < sched_due(w, now)) {
				w->next_k++;
				w->issued = w->next_k;
				w->ended++;
			}
		} else if (w->budget && w->issued < w->budget) {
			w->issued++;
			w->ended++;
		}
	}
	conn_drop(c);
	conn_again(c, now, connecting);
}

static void log_flush(struct worker *w)
{
	if (w->log.len) {
		fwrite(w->log.buf, 1, w->log.len, w->o->latency_log);
		strbuf_reset(&w->log);
	}
}

static void conn_became_idle(struct conn *c, int64_t now)
{
	struct worker *w = c->w;
	c->state = C_IDLE;
	if (w->stopping)
		return;
	if (!w->open) {
		/* Before t0 (connecting ahead of the run) nothing is sent. */
		if (now >= w->t0 && budget_left(w) && now < w->deadline)
			conn_send(c, now, now);
		return;
	}
	w->idle[w->nidle++] = (unsigned)(c - w->conns);
	/* Serve the backlog at once: those requests are already late. */
	if (w->next_k < sched_due(w, now)) {
		struct conn *n = &w->conns[w->idle[--w->nidle]];
		uint64_t k = w->next_k++;
		w->issued = w->next_k;
		conn_send(n, sched_time(w, k), now);
	}
}

static void complete(struct conn *c, int64_t now)
{
	struct worker *w = c->w;
	w->ended++;
	c->served++;
	if (now >= w->t_warm) {
		int64_t from = w->open ? c->t_sched : c->t_sent;
		int64_t us = (now - from + 500) / 1000;
		int64_t sent_us = (now - c->t_sent + 500) / 1000;
		hist_record(w->lat, us);
		if (w->window)
			hist_record(w->window, us);
		if (w->lat_sent)
			hist_record(w->lat_sent, sent_us);
		w->requests++;
		w->bytes += c->rbytes;
		int st = c->resp.status;
		w->status_class[st / 100 <= 5 ? st / 100 : 5]++;
		if (st < 200 || st > 299)
			w->non2xx++;
		if (!bench_status_has(&w->accept, st))
			w->rejected++;
		if (w->o->latency_log) {
			if (strbuf_printf(&w->log, "%lld %lld %d\n", (long long)us, (long long)sent_us,
					  st) != 0 ||
			    w->log.len > 60000)
				log_flush(w);
		}
	}
	if (c->resp.keep_alive) {
		conn_became_idle(c, now);
	} else {
		conn_drop(c);
		conn_again(c, now, false);
	}
}

static void conn_write(struct conn *c, int64_t now)
{
	struct worker *w = c->w;
	const struct bench *b = w->b;
	while (c->wpos < b->req_len) {
		ssize_t n = b->ops->write(c->ts, c->fd, b->req + c->wpos, b->req_len - c->wpos);
		if (n > 0) {
			c->wpos += (size_t)n;
			w->bytes_sent += (uint64_t)n;
			continue;
		}
		if (n == -EAGAIN)
			return; /* the EPOLLOUT edge will call again */
		fail(c, n == HR_E_PROTOCOL ? BENCH_ERR_TLS : BENCH_ERR_RESET, now);
		return;
	}
}

static void conn_send(struct conn *c, int64_t t_sched, int64_t now)
{
	struct worker *w = c->w;
	c->t_sched = t_sched;
	c->t_sent = now;
	c->wpos = 0;
	c->rbytes = 0;
	http_resp_init(&c->resp, w->b->head);
	c->state = C_BUSY;
	if (w->open) {
		if (now >= w->t_warm)
			hist_record(w->lag, (now - t_sched) / 1000);
	} else {
		w->issued++;
	}
	conn_write(c, now);
}

static void conn_connected(struct conn *c, int64_t now)
{
	c->w->connects++;
	c->served = 0;
	conn_became_idle(c, now);
}

static void conn_handshake(struct conn *c, int64_t now)
{
	int rc = c->w->b->ops->handshake(c->ts, c->fd);
	if (rc == 0)
		conn_connected(c, now);
	else if (rc != -EAGAIN)
		fail(c, BENCH_ERR_TLS, now);
}

static void conn_connect(struct conn *c, int64_t now)
{
	struct worker *w = c->w;
	struct bench *b = w->b;
	c->t_begin = now;
	c->state = C_CONNECTING;
	c->fd = socket(b->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		fail(c, BENCH_ERR_CONNECT, now);
		return;
	}
	int one = 1;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	/* Registered once, edge-triggered, for both directions: no epoll_ctl
	 * per request. */
	struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.ptr = c};
	if (epoll_ctl(w->ep, EPOLL_CTL_ADD, c->fd, &ev) != 0) {
		fail(c, BENCH_ERR_CONNECT, now);
		return;
	}
	if (b->ops->attach(b->tctx, c->fd, b->host, &c->ts) != 0) {
		fail(c, BENCH_ERR_TLS, now);
		return;
	}
	if (connect(c->fd, (const struct sockaddr *)&b->addr, b->addrlen) != 0 &&
	    errno != EINPROGRESS) {
		fail(c, BENCH_ERR_CONNECT, now);
		return;
	}
	/* Completion (or refusal) arrives as an EPOLLOUT/EPOLLERR edge. */
}

/* Data (or an end) arrived; ev holds the epoll flags that said so. */
static void conn_readable(struct conn *c, uint32_t ev, int64_t now)
{
	struct worker *w = c->w;
	const struct transport_ops *ops = w->b->ops;
	for (;;) {
		ssize_t n = ops->read(c->ts, c->fd, w->rbuf, READ_BUF);
		if (n > 0) {
			if (c->state != C_BUSY) {
				/* Bytes nobody asked for: the stream is out of step. */
				w->errors[BENCH_ERR_PROTOCOL]++;
				conn_drop(c);
				conn_again(c, now, true);
				return;
			}
			c->rbytes += (uint64_t)n;
			size_t used = 0;
			int rc = http_resp_feed(&c->resp, w->rbuf, (size_t)n, &used);
			if (rc == HTTP_DONE && used == (size_t)n) {
				complete(c, clock_mono_ns());
				return;
			}
			if (rc != HTTP_MORE) {
				fail(c, BENCH_ERR_PROTOCOL, now);
				return;
			}
			/* A short read drained the socket and the next byte brings a
			 * new edge, unless the peer's FIN came with this edge (then
			 * read on to see the end). TLS may hold decrypted bytes:
			 * read to -EAGAIN. */
			if ((size_t)n < READ_BUF && !ops->drain_reads &&
			    !(ev & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)))
				return;
			continue;
		}
		if (n == -EAGAIN)
			return;
		if (c->state == C_BUSY) {
			if (n == 0 && http_resp_eof(&c->resp) == HTTP_DONE) {
				c->resp.keep_alive = false;
				complete(c, clock_mono_ns());
			} else if (n == 0) {
				fail(c, BENCH_ERR_CLOSED, now);
			} else {
				fail(c, n == HR_E_PROTOCOL ? BENCH_ERR_TLS : BENCH_ERR_RESET, now);
			}
			return;
		}
		/* An idle connection was closed by the server (keep-alive timeout):
		 * not a failed request. Pause if it never served one, so a server
		 * that closes every connection is not hammered. */
		bool pause = c->served == 0;
		conn_drop(c);
		conn_again(c, now, pause);
		return;
	}
}

static void on_event(struct conn *c, uint32_t ev, int64_t now)
{
	switch (c->state) {
	case C_CONNECTING: {
		int err = 0;
		socklen_t len = sizeof(err);
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
			err = errno;
		if (err || (ev & EPOLLERR)) {
			fail(c, BENCH_ERR_CONNECT, now);
		} else if (ev & EPOLLOUT) {
			if (c->w->b->tls) {
				c->state = C_HANDSHAKE;
				conn_handshake(c, now);
			} else {
				conn_connected(c, now);
			}
		}
		return;
	}
	case C_HANDSHAKE:
		conn_handshake(c, now);
		return;
	case C_IDLE:
		if (ev & (EPOLLIN | EPOLLERR | EPOLLHUP | EPOLLRDHUP))
			conn_readable(c, ev, now);
		return;
	case C_BUSY:
		if (c->wpos < c->w->b->req_len && (ev & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
			conn_write(c, now);
			if (c->state != C_BUSY)
				return;
		}
		if (ev & (EPOLLIN | EPOLLERR | EPOLLHUP | EPOLLRDHUP))
			conn_readable(c, ev, now);
		return;
	case C_CLOSED:
		return;
	}
}

/* ------------------------------------------------------------ event loop */

/* Periodic work: timeouts, reconnects after a pause, the progress window. */
static void tick(struct worker *w, int64_t now, int64_t timeout_ns)
{
	for (unsigned i = 0; i < w->nconn; i++) {
		struct conn *c = &w->conns[i];
		if (c->state == C_BUSY && now - c->t_sent > timeout_ns)
			fail(c, BENCH_ERR_TIMEOUT, now);
		else if ((c->state == C_CONNECTING || c->state == C_HANDSHAKE) &&
			 now - c->t_begin > timeout_ns)
			fail(c, BENCH_ERR_CONNECT, now);
		else if (c->state == C_CLOSED && c->retry_at <= now && !w->stopping)
			conn_connect(c, now);
	}
}

static void publish(struct worker *w)
{
	uint64_t e = 0;
	for (int k = 0; k < BENCH_ERR_COUNT; k++)
		e += w->errors[k];
	atomic_store_explicit(&w->pub_requests, w->requests, memory_order_relaxed);
	atomic_store_explicit(&w->pub_errors, e, memory_order_relaxed);
}

static int wait_events(int ep, struct epoll_event *evs, int64_t wait_ns)
{
	struct timespec ts = {wait_ns / 1000000000, wait_ns % 1000000000};
	int n = epoll_pwait2(ep, evs, MAX_EVENTS, &ts, NULL);
	if (n < 0 && errno == ENOSYS) /* kernels before 5.11: millisecond timer */
		n = epoll_wait(ep, evs, MAX_EVENTS, (int)((wait_ns + 999999) / 1000000));
	return n;
}

static void run_loop(struct worker *w)
{
	const struct bench_run_opts *o = w->o;
	int64_t timeout_ns = (int64_t)(o->timeout_s * NS);
	int64_t tick_ns = timeout_ns / 20;
	if (tick_ns < 1000000)
		tick_ns = 1000000;
	if (tick_ns > 50000000)
		tick_ns = 50000000;
	int64_t next_tick = w->t0 + tick_ns, next_window = w->t0 + 1000000000;
	struct epoll_event evs[MAX_EVENTS];

	/* Closed loop: connections connected before t0 start now. */
	int64_t now = clock_mono_ns();
	for (unsigned i = 0; i < w->nconn; i++)
		if (w->conns[i].state == C_IDLE && !w->open)
			conn_became_idle(&w->conns[i], now);

	for (;;) {
		now = clock_mono_ns();
		if (now >= w->deadline || atomic_load_explicit(&w->b->stop, memory_order_relaxed))
			break;
		if (w->budget && w->ended >= w->budget)
			break;
		if (w->open) {
			uint64_t due = sched_due(w, now);
			while (w->nidle && w->next_k < due) {
				struct conn *c = &w->conns[w->idle[--w->nidle]];
				uint64_t k = w->next_k++;
				w->issued = w->next_k;
				conn_send(c, sched_time(w, k), now);
			}
		}
		if (now >= next_tick) {
			tick(w, now, timeout_ns);
			next_tick = now + tick_ns;
		}
		if (w->window && now >= next_window) {
			atomic_store_explicit(&w->pub_p95_us, hist_percentile(w->window, 95),
					      memory_order_relaxed);
			hist_reset(w->window);
			next_window = now + 1000000000;
		}
		publish(w);

		int64_t wake = w->deadline;
		if (next_tick < wake)
			wake = next_tick;
		if (now + MAX_WAIT_NS < wake)
			wake = now + MAX_WAIT_NS;
		if (w->open && w->nidle && (!w->budget || w->next_k < w->budget)) {
			int64_t due_at = sched_time(w, w->next_k);
			if (due_at < wake)
				wake = due_at;
		}
		int n = wait_events(w->ep, evs, wake > now ? wake - now : 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			w->fatal = -errno;
			break;
		}
		if (n > 0) {
			now = clock_mono_ns();
			for (int i = 0; i < n; i++)
				on_event(evs[i].data.ptr, evs[i].events, now);
		}
	}
	w->stopping = true;
	w->t_end = clock_mono_ns();
	if (w->t_end > w->deadline)
		w->t_end = w->deadline;
	publish(w);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	/* Open-loop sends are timed to the microsecond; the default 50 us timer
	 * slack would add its own lag. */
	prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
	run_loop(w);
	if (w->o->latency_log)
		log_flush(w);
	atomic_store(&w->done, true);
	return NULL;
}

/* ------------------------------------------------------------ bench_run */

static void worker_free(struct worker *w)
{
	if (w->conns)
		for (unsigned i = 0; i < w->nconn; i++)
			conn_drop(&w->conns[i]);
	if (w->ep >= 0)
		close(w->ep);
	free(w->conns);
	free(w->idle);
	free(w->rbuf);
	hist_free(w->lat);
	hist_free(w->lat_sent);
	hist_free(w->lag);
	hist_free(w->window);
	strbuf_free(&w->log);
}

static struct hist *new_hist(void)
{
	struct hist *h = NULL;
	if (hist_new(HIST_LOW, HIST_HIGH, HIST_DIGITS, &h) != 0)
		abort(); /* constant arguments: cannot fail */
	return h;
}

void bench_status_2xx(struct bench_status_set *s)
{
	memset(s, 0, sizeof(*s));
	for (int st = 200; st <= 299; st++)
		s->bits[(st - 100) / 64] |= UINT64_C(1) << ((st - 100) % 64);
}

bool bench_status_has(const struct bench_status_set *s, int status)
{
	if (status < 100 || status > 599)
		return false;
	return (s->bits[(status - 100) / 64] >> ((status - 100) % 64)) & 1;
}

int bench_status_parse(const char *text, struct bench_status_set *s, const char **why)
{
	memset(s, 0, sizeof(*s));
	const char *p = text;
	*why = "expected statuses and classes such as 2xx,301,404";
	if (!*p)
		return HR_E_INVALID;
	while (*p) {
		size_t n = strcspn(p, ",");
		int lo, hi;
		if (n == 3 && p[0] >= '1' && p[0] <= '5' && (p[1] == 'x' || p[1] == 'X') && (p[2] == 'x' || p[2] == 'X')) {
			lo = (p[0] - '0') * 100;
			hi = lo + 99;
		} else if (n == 3 && p[0] >= '1' && p[0] <= '5' && p[1] >= '0' && p[1] <= '9' && p[2] >= '0' && p[2] <= '9') {
			lo = hi = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
		} else {
			return HR_E_INVALID;
		}
		for (int st = lo; st <= hi; st++)
			s->bits[(st - 100) / 64] |= UINT64_C(1) << ((st - 100) % 64);
		p += n;
		if (*p == ',' && !*++p)
			return HR_E_INVALID;
	}
	return 0;
}

uint64_t bench_result_errors(const struct bench_result *res)
{
	uint64_t e = 0;
	for (int k = 0; k < BENCH_ERR_COUNT; k++)
		e += res->errors[k];
	return e;
}

void bench_result_free(struct bench_result *res)
{
	if (!res)
		return;
	hist_free(res->latency);
	hist_free(res->latency_sent);
	hist_free(res->send_lag);
	res->latency = res->latency_sent = res->send_lag = NULL;
}

static double tv_s(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

/* One reading of the CPU probe and of this process's CPU (user + system). */
struct cpu_mark {
	bool taken; /* read (whether or not the probe answered) */
	bool ok;    /* the probe answered */
	double probe, self;
};

static struct cpu_mark cpu_mark(const struct bench_run_opts *o)
{
	struct cpu_mark m = {.taken = true};
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	m.self = tv_s(ru.ru_utime) + tv_s(ru.ru_stime);
	m.ok = o->cpu_probe(o->cpu_probe_arg, &m.probe) == 0;
	return m;
}

int bench_run(struct bench *b, const struct bench_run_opts *o, struct bench_result *res)
{
	memset(res, 0, sizeof(*res));
	if (o->connections < 1 || o->threads < 1 || !(o->timeout_s > 0) || o->rate < 0 ||
	    o->duration_s < 0 || (o->duration_s == 0 && o->requests == 0) || o->warmup_s < 0 ||
	    (o->duration_s > 0 && o->warmup_s >= o->duration_s) || !isfinite(o->rate) ||
	    !isfinite(o->duration_s))
		return HR_E_INVALID;
	unsigned nt = o->threads < o->connections ? o->threads : o->connections;
	struct worker *ws = xcalloc(nt, sizeof(*ws));
	atomic_store(&b->stop, false);

	for (unsigned t = 0; t < nt; t++) {
		struct worker *w = &ws[t];
		w->b = b;
		w->o = o;
		if (o->accept)
			w->accept = *o->accept;
		else
			bench_status_2xx(&w->accept);
		w->ep = -1;
		w->nconn = o->connections / nt + (t < o->connections % nt);
		w->open = o->rate > 0;
		/* Rate and request count are split in proportion to connections. */
		double share = (double)w->nconn / o->connections;
		if (w->open)
			w->interval_ns = NS / (o->rate * share);
		if (o->requests) {
			w->budget = o->requests / nt + (t < o->requests % nt);
			if (w->budget == 0)
				w->budget = UINT64_MAX; /* never reached: nothing to send */
		}
		w->lat = new_hist();
		if (o->progress) /* the progress line's p95; nothing else reads it */
			w->window = new_hist();
		if (w->open) {
			w->lat_sent = new_hist();
			w->lag = new_hist();
		}
		strbuf_init(&w->log, 0);
		w->rbuf = xmalloc(READ_BUF);
		w->idle = xcalloc(w->nconn, sizeof(*w->idle));
		w->conns = xcalloc(w->nconn, sizeof(*w->conns));
		atomic_init(&w->pub_requests, 0);
		atomic_init(&w->pub_errors, 0);
		atomic_init(&w->pub_p95_us, 0);
		atomic_init(&w->done, false);
		for (unsigned i = 0; i < w->nconn; i++) {
			w->conns[i].w = w;
			w->conns[i].fd = -1;
		}
		w->ep = epoll_create1(EPOLL_CLOEXEC);
		if (w->ep < 0)
			w->fatal = -errno;
	}
	for (unsigned t = 0; t < nt; t++) {
		if (ws[t].budget == UINT64_MAX) {
			/* More threads than requests: this one has none to send. */
			ws[t].budget = 0;
			ws[t].deadline = 0;
		}
	}

	struct rusage ru0, ru1;
	getrusage(RUSAGE_SELF, &ru0);
	struct cpu_mark mark0 = {0}; /* the probe when the counted window opens */
	int rc = 0;
	for (unsigned t = 0; t < nt && rc == 0; t++)
		rc = ws[t].fatal;

	/* Connect everything first (from this thread, before the clock starts),
	 * then start the loops together at t0. */
	int64_t t0 = 0;
	if (rc == 0) {
		int64_t now = clock_mono_ns();
		for (unsigned t = 0; t < nt; t++)
			for (unsigned i = 0; i < ws[t].nconn; i++)
				conn_connect(&ws[t].conns[i], now);
		/* Give connects up to 1 s (or the timeout) to complete. */
		int64_t until = now + (int64_t)((o->timeout_s < 1 ? o->timeout_s : 1) * NS);
		struct epoll_event evs[MAX_EVENTS];
		for (unsigned t = 0; t < nt; t++) {
			struct worker *w = &ws[t];
			w->t0 = INT64_MAX; /* no schedule yet */
			w->deadline = INT64_MAX;
			for (;;) {
				bool pending = false;
				for (unsigned i = 0; i < w->nconn; i++)
					pending |= w->conns[i].state == C_CONNECTING ||
						   w->conns[i].state == C_HANDSHAKE;
				now = clock_mono_ns();
				if (!pending || now >= until)
					break;
				int n = wait_events(w->ep, evs, until - now);
				for (int i = 0; i < n; i++)
					on_event(evs[i].data.ptr, evs[i].events, clock_mono_ns());
			}
		}
		t0 = clock_mono_ns();
		for (unsigned t = 0; t < nt; t++) {
			struct worker *w = &ws[t];
			bool none = o->requests && w->budget == 0;
			w->t0 = t0;
			w->t_warm = t0 + (int64_t)(o->warmup_s * NS);
			w->deadline = none ? t0
				      : o->duration_s > 0 ? t0 + (int64_t)(o->duration_s * NS)
							  : INT64_MAX;
			w->issued = w->ended = 0; /* connect failures before t0 do not count */
			for (int k = 0; k < BENCH_ERR_COUNT; k++)
				w->errors[k] = 0;
		}
		b->t0 = t0;
		if (o->cpu_probe && o->warmup_s <= 0)
			mark0 = cpu_mark(o);
		for (unsigned t = 0; t < nt && rc == 0; t++) {
			int e = pthread_create(&ws[t].tid, NULL, worker_main, &ws[t]);
			if (e) {
				rc = -e;
				bench_stop(b);
			} else {
				ws[t].started = true;
			}
		}
	}

	/* Progress, and wait for the loops. */
	double every = o->progress_s > 0 ? o->progress_s : 1.0;
	int64_t next_progress = t0 + (int64_t)(every * NS);
	for (;;) {
		bool all = true;
		for (unsigned t = 0; t < nt; t++)
			all = all && (!ws[t].started || atomic_load(&ws[t].done));
		if (all)
			break;
		struct timespec nap = {0, 20000000};
		nanosleep(&nap, NULL);
		int64_t now = clock_mono_ns();
		if (o->cpu_probe && !mark0.taken && now >= t0 + (int64_t)(o->warmup_s * NS))
			mark0 = cpu_mark(o);
		if (o->progress && now >= next_progress) {
			uint64_t r = 0, e = 0;
			int64_t p95 = 0;
			for (unsigned t = 0; t < nt; t++) {
				r += atomic_load_explicit(&ws[t].pub_requests, memory_order_relaxed);
				e += atomic_load_explicit(&ws[t].pub_errors, memory_order_relaxed);
				int64_t p = atomic_load_explicit(&ws[t].pub_p95_us, memory_order_relaxed);
				if (p > p95)
					p95 = p;
			}
			o->progress(o->progress_arg, (double)(now - t0) / NS, r, e, (double)p95 / 1e6);
			next_progress = now + (int64_t)(every * NS);
		}
	}
	for (unsigned t = 0; t < nt; t++)
		if (ws[t].started)
			pthread_join(ws[t].tid, NULL);
	getrusage(RUSAGE_SELF, &ru1);
	res->probe_cpu_s = NAN;
	if (o->cpu_probe && mark0.ok) {
		struct cpu_mark mark1 = cpu_mark(o);
		if (mark1.ok) {
			res->probe_cpu_s = mark1.probe - mark0.probe;
			res->self_window_cpu_s = mark1.self - mark0.self;
		}
	}

	/* Merge. */
	res->latency = new_hist();
	if (o->rate > 0) {
		res->latency_sent = new_hist();
		res->send_lag = new_hist();
	}
	int64_t t_end = t0;
	for (unsigned t = 0; t < nt; t++) {
		struct worker *w = &ws[t];
		if (rc == 0 && w->fatal)
			rc = w->fatal;
		if (hist_merge(res->latency, w->lat) != 0 ||
		    (w->lat_sent && hist_merge(res->latency_sent, w->lat_sent) != 0) ||
		    (w->lag && hist_merge(res->send_lag, w->lag) != 0))
			abort(); /* same layout everywhere */
		res->requests += w->requests;
		res->bytes += w->bytes;
		res->bytes_sent += w->bytes_sent;
		res->non2xx += w->non2xx;
		res->rejected += w->rejected;
		res->connects += w->connects;
		for (int k = 0; k < 6; k++)
			res->status_class[k] += w->status_class[k];
		for (int k = 0; k < BENCH_ERR_COUNT; k++)
			res->errors[k] += w->errors[k];
		for (unsigned i = 0; i < w->nconn; i++)
			res->unfinished += w->conns[i].state == C_BUSY;
		if (w->open && w->started) {
			uint64_t due = sched_due(w, w->t_end);
			res->unfinished += due > w->next_k ? due - w->next_k : 0;
			uint64_t before = sched_due(w, w->t_warm - 1);
			res->scheduled += due > before ? due - before : 0;
		}
		if (w->started && w->t_end > t_end)
			t_end = w->t_end;
		worker_free(w);
	}
	free(ws);
	int64_t warm = t0 + (int64_t)(o->warmup_s * NS);
	res->duration_s = t_end > warm ? (double)(t_end - warm) / NS : 0.0;
	res->rate = o->rate;
	res->threads = nt;
	res->connections = o->connections;
	res->cpu_user_s = tv_s(ru1.ru_utime) - tv_s(ru0.ru_utime);
	res->cpu_sys_s = tv_s(ru1.ru_stime) - tv_s(ru0.ru_stime);
	res->interrupted = atomic_load(&b->stop);
	if (rc) {
		bench_result_free(res);
		return rc;
	}
	return 0;
}
