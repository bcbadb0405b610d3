/* httpd.c - the agent's HTTP server on libmicrohttpd: published documents,
 * the bearer token, and the limits that keep /healthz answering (see httpd.h). */
#include "serve/httpd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "util/clock.h"
#include "util/xalloc.h"

/* Enough for /metrics, /status and a dashboard or two. */
#define MAX_DOCS 16

/* Bounds that keep /healthz answering whatever clients do (docs/agent.md,
 * "Endpoints"). HTTPD_MAX_CONN connections are held at once, at most
 * HTTPD_PER_IP of them from one address, each buffering at most
 * HTTPD_CONN_MEM bytes of request. A connection past either limit is not
 * refused, as libmicrohttpd's own limits do (10,000 idle connections from
 * 10,000 loopback addresses, or 300 addresses trickling and reconnecting,
 * took every slot, and 20 of 30 /healthz probes were reset): it is taken,
 * and the oldest idle connection (one waiting for a request header) of the
 * crowd it overfills is closed instead - of its address for the per-address
 * limit, of all for the global one - or, with none idle, the oldest being
 * served. A probe is the newest connection, and its header arrives at once,
 * so a crowd of idle or trickling connections cannot shut it out: it only
 * evicts its own. libmicrohttpd's limit is HTTPD_TABLE, room for the
 * evicted until they are closed. Any connection idle for HTTPD_IDLE_S, or
 * whose request header is not complete HTTPD_HEADER_S after the connection
 * (or its last response), is closed: libmicrohttpd's own timeout is an idle
 * one only (a byte every few seconds resets it), hence the header deadline,
 * which a reaper thread enforces by shutting the socket down. nginx's
 * client_header_timeout (60 s) and Apache's RequestReadTimeout
 * (header=20-40) are the same idea; a metrics endpoint's clients send one
 * short line, so 10 s is generous. Closing idle connections to make room
 * is what nginx does when its worker_connections run out
 * (ngx_drain_connections(), "worker_connections are not enough, reusing
 * connections"). */
#define HTTPD_MAX_CONN 256
#define HTTPD_PER_IP 8
#define HTTPD_TABLE (2 * HTTPD_MAX_CONN)
#define HTTPD_IDLE_S 10
#define HTTPD_HEADER_S 10.0
#define HTTPD_CONN_MEM (16u << 10)

struct doc {
	const char *path; /* static */
	char *type;       /* owned */
	char *body;       /* owned; NULL: declared, not yet published */
};

/* What a connection is doing, for the reaper and the eviction. */
enum watch_state {
	W_FREE,    /* a free slot */
	W_WAITING, /* waiting for a request header since `since` (idle) */
	W_SERVING, /* a request is being served, since `since` */
	W_CLOSING, /* shut down (evicted or past its deadline); libmicrohttpd closes it */
};

/* A connection the reaper and the eviction watch. */
struct watch {
	int fd;
	enum watch_state state;
	double since;             /* clock_mono */
	unsigned char addr[16];   /* the client's address: 4 bytes (IPv4) or 16 */
	unsigned char alen;
};

struct httpd {
	struct MHD_Daemon *d;
	pthread_mutex_t mu;
	struct doc docs[MAX_DOCS];
	size_t n_docs;
	char *token; /* owned; NULL = open */
	/* The connections, the header deadline and its reaper thread. */
	pthread_mutex_t wmu;
	pthread_cond_t wcv;
	struct watch watch[HTTPD_TABLE];
	pthread_t reaper;
	bool reaping, quit;
};

static int conn_fd(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	return ci ? (int)ci->connect_fd : -1;
}

static struct watch *watch_find(struct httpd *h, int fd)
{
	for (size_t i = 0; i < HTTPD_TABLE; i++)
		if (h->watch[i].state != W_FREE && h->watch[i].fd == fd)
			return &h->watch[i];
	return NULL;
}

/* Shut a connection down; libmicrohttpd sees the end of the stream and
 * closes it (and says so through on_connection, which frees the slot). */
static void watch_close(struct watch *w)
{
	shutdown(w->fd, SHUT_RDWR);
	w->state = W_CLOSING;
}

/* Close the oldest idle connection other than `keep` (of the address of
 * `keep` when same_addr), else the oldest being served. */
static void evict_oldest(struct httpd *h, const struct watch *keep, bool same_addr)
{
	struct watch *victim = NULL;
	for (size_t i = 0; i < HTTPD_TABLE; i++) {
		struct watch *w = &h->watch[i];
		if (w == keep || (w->state != W_WAITING && w->state != W_SERVING))
			continue;
		if (same_addr && (w->alen != keep->alen || memcmp(w->addr, keep->addr, w->alen) != 0))
			continue;
		/* Idle before served; older before newer. */
		if (!victim || (w->state == W_WAITING && victim->state == W_SERVING) ||
		    (w->state == victim->state && w->since < victim->since))
			victim = w;
	}
	if (victim)
		watch_close(victim);
}

/* A new connection: watch it, then make room for it past either limit. */
static void watch_add(struct httpd *h, int fd, const struct sockaddr *sa)
{
	pthread_mutex_lock(&h->wmu);
	struct watch *w = NULL;
	for (size_t i = 0; i < HTTPD_TABLE && !w; i++)
		if (h->watch[i].state == W_FREE)
			w = &h->watch[i];
	if (!w) {
		/* Cannot happen: libmicrohttpd takes no more than HTTPD_TABLE. */
		shutdown(fd, SHUT_RDWR);
		pthread_mutex_unlock(&h->wmu);
		return;
	}
	*w = (struct watch){.fd = fd, .state = W_WAITING, .since = clock_mono()};
	if (sa && sa->sa_family == AF_INET) {
		memcpy(w->addr, &((const struct sockaddr_in *)sa)->sin_addr, 4);
		w->alen = 4;
	} else if (sa && sa->sa_family == AF_INET6) {
		memcpy(w->addr, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
		w->alen = 16;
	}
	size_t all = 0, mine = 0;
	for (size_t i = 0; i < HTTPD_TABLE; i++) {
		const struct watch *o = &h->watch[i];
		if (o->state != W_WAITING && o->state != W_SERVING)
			continue;
		all++;
		if (o->alen == w->alen && memcmp(o->addr, w->addr, w->alen) == 0)
			mine++;
	}
	if (mine > HTTPD_PER_IP)
		evict_oldest(h, w, true);
	else if (all > HTTPD_MAX_CONN)
		evict_oldest(h, w, false);
	pthread_mutex_unlock(&h->wmu);
}

/* A request's header is in (serving) or its response is sent (waiting for
 * the next header, kept alive); a connection shut down stays so. */
static void watch_set(struct httpd *h, int fd, enum watch_state state)
{
	pthread_mutex_lock(&h->wmu);
	struct watch *w = watch_find(h, fd);
	if (w && w->state != W_CLOSING) {
		w->state = state;
		w->since = clock_mono();
	}
	pthread_mutex_unlock(&h->wmu);
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_ctx, enum MHD_ConnectionNotificationCode toe)
{
	(void)socket_ctx;
	struct httpd *h = cls;
	int fd = conn_fd(c);
	if (fd < 0)
		return;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		watch_add(h, fd, ci ? ci->client_addr : NULL);
		return;
	}
	/* Closed: forget it before its fd is reused. */
	pthread_mutex_lock(&h->wmu);
	struct watch *w = watch_find(h, fd);
	if (w)
		w->state = W_FREE;
	pthread_mutex_unlock(&h->wmu);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	(void)con_cls, (void)toe;
	/* Kept alive: the next request's header is due within the deadline too. */
	watch_set(cls, conn_fd(c), W_WAITING);
}

static void *reaper_main(void *arg)
{
	struct httpd *h = arg;
	pthread_mutex_lock(&h->wmu);
	while (!h->quit) {
		double now = clock_mono();
		for (size_t i = 0; i < HTTPD_TABLE; i++) {
			struct watch *w = &h->watch[i];
			if (w->state == W_WAITING && now - w->since > HTTPD_HEADER_S)
				watch_close(w);
		}
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_nsec += 250000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&h->wcv, &h->wmu, &ts);
	}
	pthread_mutex_unlock(&h->wmu);
	return NULL;
}

/* Constant time in the length of the expected token: a timing side channel
 * should not reveal how much of a guess was right. */
static bool token_eq(const char *want, const char *got)
{
	if (!got)
		return false;
	size_t wl = strlen(want), gl = strlen(got);
	unsigned char diff = (unsigned char)(wl != gl);
	for (size_t i = 0; i < wl; i++)
		diff |= (unsigned char)(want[i] ^ (i < gl ? got[i] : 0));
	return diff == 0;
}

static bool token_ok(const char *want, const char *header)
{
	static const char prefix[] = "Bearer ";
	/* The scheme is case-insensitive (RFC 9110, section 11.1); the token is not. */
	if (!header || strncasecmp(header, prefix, sizeof(prefix) - 1) != 0)
		return false;
	return token_eq(want, header + sizeof(prefix) - 1);
}

/* A browser cannot send an Authorization header when it opens a page, so the
 * token may also come as a cookie, set by one visit to /?token=TOKEN (which
 * redirects to the page without it, so the token leaves the address bar).
 * HttpOnly: the page's script cannot read it; SameSite=Strict: no other
 * site's page can make the browser send it. The page never holds the token. */
#define TOKEN_COOKIE "headroom_token"

/* Can the token travel as a cookie value (RFC 6265, cookie-octet)? */
static bool cookie_safe(const char *t)
{
	for (const unsigned char *p = (const unsigned char *)t; *p; p++)
		if (*p <= 0x20 || *p >= 0x7f || *p == '"' || *p == ',' || *p == ';' || *p == '\\')
			return false;
	return *t != 0;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned code, const char *type, const char *body)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", type);
	/* Every answer is the state of one round (or of the token): a cache,
	 * shared or the browser's, must neither keep nor replay it. */
	MHD_add_response_header(r, "Cache-Control", "no-store");
	if (strncmp(type, "text/html", 9) == 0) {
		/* The agent's page runs its own inline script and asks only the agent. */
		MHD_add_response_header(r, "Content-Security-Policy",
					"default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
					"connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; "
					"frame-ancestors 'none'");
		MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
		MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	}
	if (code == MHD_HTTP_UNAUTHORIZED)
		MHD_add_response_header(r, "WWW-Authenticate", "Bearer realm=\"headroom\"");
	enum MHD_Result ret = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return ret;
}

/* 303 to the page without ?token=, setting the cookie. */
static enum MHD_Result redirect_with_cookie(struct MHD_Connection *c, const char *token)
{
	static const char body[] = "see /\n";
	struct MHD_Response *r = MHD_create_response_from_buffer(sizeof(body) - 1, (void *)body, MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	char *cookie = xasprintf(TOKEN_COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict", token);
	MHD_add_response_header(r, "Content-Type", "text/plain");
	MHD_add_response_header(r, "Location", "/");
	MHD_add_response_header(r, "Set-Cookie", cookie);
	MHD_add_response_header(r, "Cache-Control", "no-store");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_SEE_OTHER, r);
	MHD_destroy_response(r);
	free(cookie);
	return ret;
}

static struct doc *find(struct httpd *h, const char *path)
{
	for (size_t i = 0; i < h->n_docs; i++)
		if (strcmp(h->docs[i].path, path) == 0)
			return &h->docs[i];
	return NULL;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
			      const char *version, const char *upload, size_t *upload_len, void **con_cls)
{
	(void)version, (void)upload, (void)con_cls;
	struct httpd *h = cls;
	/* The header is in: this connection is served, not waiting. */
	watch_set(h, conn_fd(c), W_SERVING);
	if (*upload_len)
		return MHD_NO;
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", "GET only\n");
	/* /healthz stays open so a supervisor's liveness probe needs no secret;
	 * it reveals nothing but that the process answers. */
	if (strcmp(url, "/healthz") == 0)
		return reply(c, MHD_HTTP_OK, "text/plain", "ok\n");
	if (h->token && !token_ok(h->token, MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization")) &&
	    !token_eq(h->token, MHD_lookup_connection_value(c, MHD_COOKIE_KIND, TOKEN_COOKIE))) {
		const char *given = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "token");
		if (!given || !token_eq(h->token, given))
			return reply(c, MHD_HTTP_UNAUTHORIZED, "text/plain",
				     "a bearer token is required (in a browser, open /?token=TOKEN once: it is kept as a cookie)\n");
		if (!cookie_safe(h->token))
			return reply(c, MHD_HTTP_BAD_REQUEST, "text/plain",
				     "this token cannot be kept as a cookie; send it in an Authorization header\n");
		return redirect_with_cookie(c, h->token);
	}
	pthread_mutex_lock(&h->mu);
	const struct doc *dc = find(h, url);
	bool known = dc != NULL;
	char *body = dc ? xstrdup(dc->body) : NULL;
	char *type = dc ? xstrdup(dc->type) : NULL;
	pthread_mutex_unlock(&h->mu);
	enum MHD_Result ret;
	if (!known)
		ret = reply(c, MHD_HTTP_NOT_FOUND, "text/plain", "not found; try /, /metrics, /status or /healthz\n");
	else if (!body)
		ret = reply(c, MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain", "no sample yet\n");
	else
		ret = reply(c, MHD_HTTP_OK, type, body);
	free(body);
	free(type);
	return ret;
}

int httpd_parse_listen(const char *s, struct sockaddr_storage *ss, bool *loopback, const char **why)
{
	memset(ss, 0, sizeof(*ss));
	*loopback = false;
	const char *colon = strrchr(s, ':');
	if (!colon || colon == s || !colon[1]) {
		*why = "expected HOST:PORT, e.g. 127.0.0.1:9870 or [::1]:9870";
		return HR_E_INVALID;
	}
	char *end;
	long port = strtol(colon + 1, &end, 10);
	if (*end || port < 1 || port > 65535) {
		*why = "the port must be a number from 1 to 65535";
		return HR_E_INVALID;
	}
	char host[128];
	size_t hl = (size_t)(colon - s);
	if (s[0] == '[' && hl >= 2 && s[hl - 1] == ']')
		s++, hl -= 2;
	if (hl >= sizeof(host)) {
		*why = "the host is too long";
		return HR_E_INVALID;
	}
	memcpy(host, s, hl);
	host[hl] = '\0';
	if (strcmp(host, "localhost") == 0)
		snprintf(host, sizeof(host), "127.0.0.1");
	struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)port);
		*loopback = (ntohl(v4->sin_addr.s_addr) >> 24) == 127;
	} else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)port);
		*loopback = IN6_IS_ADDR_LOOPBACK(&v6->sin6_addr);
	} else {
		*why = "the host must be an IPv4 or IPv6 address (or localhost)";
		return HR_E_INVALID;
	}
	return 0;
}

int httpd_check_listen(const char *listen, const char *token, const char **why)
{
	struct sockaddr_storage ss;
	bool loopback;
	if (httpd_parse_listen(listen, &ss, &loopback, why) != 0)
		return HR_E_INVALID;
	if (loopback)
		return 0;
	if (!(token && *token)) {
		*why = "not a loopback address, and no agent.token: anyone on the network could read the metrics; "
		       "set agent.token or listen on 127.0.0.1";
		return HR_E_INVALID;
	}
	if (strlen(token) < HTTPD_TOKEN_MIN) {
		*why = "beyond loopback the bearer token must be at least 16 characters (a short one is guessed "
		       "by trying them all); set a longer agent.token or listen on 127.0.0.1";
		return HR_E_INVALID;
	}
	return 0;
}

int httpd_start(const struct httpd_opts *o, struct httpd **out, const char **why)
{
	struct sockaddr_storage ss;
	bool loopback;
	/* The rules `validate` checks too (httpd_check_listen()), a token
	 * given; the agent refuses a missing one before it gets here. */
	if ((o->token && *o->token && httpd_check_listen(o->listen, o->token, why) != 0) ||
	    httpd_parse_listen(o->listen, &ss, &loopback, why) != 0)
		return HR_E_INVALID;
	struct httpd *h = xcalloc(1, sizeof(*h));
	pthread_mutex_init(&h->mu, NULL);
	pthread_mutex_init(&h->wmu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&h->wcv, &ca);
	pthread_condattr_destroy(&ca);
	h->token = o->token && *o->token ? xstrdup(o->token) : NULL;
	errno = 0;
	/* epoll where there is one: select() cannot watch a descriptor past 1023. */
	h->d = MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD | (ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0), 0,
				NULL, NULL, handle, h, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned)HTTPD_TABLE,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTPD_IDLE_S,
				MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTPD_CONN_MEM,
				MHD_OPTION_NOTIFY_CONNECTION, on_connection, h,
				MHD_OPTION_NOTIFY_COMPLETED, on_completed, h, MHD_OPTION_END);
	if (!h->d) {
		*why = strerror(errno ? errno : EADDRINUSE);
		httpd_stop(h);
		return HR_E_IO;
	}
	/* Signals belong to the main thread (the agent's SIGTERM). */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	h->reaping = pthread_create(&h->reaper, NULL, reaper_main, h) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	*out = h;
	return 0;
}

static struct doc *slot(struct httpd *h, const char *path)
{
	struct doc *dc = find(h, path);
	if (!dc && h->n_docs < MAX_DOCS) {
		dc = &h->docs[h->n_docs++];
		dc->path = path;
	}
	return dc;
}

void httpd_declare(struct httpd *h, const char *path)
{
	pthread_mutex_lock(&h->mu);
	(void)slot(h, path);
	pthread_mutex_unlock(&h->mu);
}

void httpd_publish(struct httpd *h, const char *path, const char *type, const char *body)
{
	char *b = xstrdup(body), *t = xstrdup(type);
	pthread_mutex_lock(&h->mu);
	struct doc *dc = slot(h, path);
	if (dc) {
		free(dc->body);
		free(dc->type);
		dc->body = b, dc->type = t;
		b = t = NULL;
	}
	pthread_mutex_unlock(&h->mu);
	free(b);
	free(t);
}

void httpd_stop(struct httpd *h)
{
	if (!h)
		return;
	if (h->reaping) {
		pthread_mutex_lock(&h->wmu);
		h->quit = true;
		pthread_cond_broadcast(&h->wcv);
		pthread_mutex_unlock(&h->wmu);
		pthread_join(h->reaper, NULL);
	}
	if (h->d)
		MHD_stop_daemon(h->d);
	for (size_t i = 0; i < h->n_docs; i++) {
		free(h->docs[i].body);
		free(h->docs[i].type);
	}
	free(h->token);
	pthread_mutex_destroy(&h->mu);
	pthread_mutex_destroy(&h->wmu);
	pthread_cond_destroy(&h->wcv);
	free(h);
}
