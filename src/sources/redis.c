/* redis.c - Redis through hiredis: memory against maxmemory, evictions,
 * clients, and the length of queue keys (Celery's `celery` list, BullMQ's
 * `bull:QUEUE:wait`). For a BullMQ wait list the age of the oldest job (its
 * hash's `timestamp`, milliseconds) is the queue wait; a Celery message
 * carries no enqueue time, so its wait is "not applicable" (NaN). */
#include "sources/redis.h"

#include <ctype.h>
#include <errno.h>
#include <hiredis.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sources/backends.h"
#include "util/clock.h"
#include "util/xalloc.h"

/* Queue keys measured per sample; each costs two or three round trips. */
#define QUEUES_MAX 64

int redis_parse_info(const char *text, size_t len, struct redis_info *out)
{
	static const char *const keys[] = {"used_memory", "maxmemory", "evicted_keys", "connected_clients",
					   "blocked_clients"};
	double *dst[] = {&out->used_memory, &out->maxmemory, &out->evicted_keys, &out->connected_clients,
			 &out->blocked_clients};
	for (size_t k = 0; k < 5; k++)
		*dst[k] = NAN;
	const char *p = text, *end = text + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		const char *colon = memchr(p, ':', (size_t)(le - p));
		if (colon && *p != '#') {
			size_t kl = (size_t)(colon - p);
			for (size_t k = 0; k < 5; k++) {
				if (strlen(keys[k]) != kl || memcmp(p, keys[k], kl) != 0)
					continue;
				/* Values are unsigned decimals; parse from a bounded copy. */
				char num[32];
				size_t vl = (size_t)(le - colon - 1);
				while (vl && (colon[vl] == '\r' || colon[vl] == ' '))
					vl--;
				if (vl == 0 || vl >= sizeof(num))
					return HR_E_PROTOCOL;
				memcpy(num, colon + 1, vl);
				num[vl] = '\0';
				double v = 0;
				for (size_t i = 0; i < vl; i++) {
					if (!isdigit((unsigned char)num[i]))
						return HR_E_PROTOCOL;
					v = v * 10 + (num[i] - '0');
				}
				*dst[k] = v;
			}
		}
		p = le + (nl ? 1 : 0);
	}
	return isnan(out->used_memory) ? HR_E_PROTOCOL : 0;
}

void redis_url_free(struct redis_url *u)
{
	free(u->host);
	free(u->password);
	memset(u, 0, sizeof(*u));
}

static bool parse_int(const char *s, size_t n, int max, int *out)
{
	if (n == 0 || n > 9)
		return false;
	int v = 0;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		v = v * 10 + (s[i] - '0');
	}
	if (v > max)
		return false;
	*out = v;
	return true;
}

int redis_parse_url(const char *url, struct redis_url *out, const char **why)
{
	memset(out, 0, sizeof(*out));
	out->port = 6379;
	if (strncmp(url, "redis://", 8) != 0) {
		*why = "expected redis://[:PASSWORD@]HOST[:PORT][/DB]";
		return HR_E_INVALID;
	}
	const char *p = url + 8;
	const char *at = strrchr(p, '@');
	if (at) {
		const char *colon = memchr(p, ':', (size_t)(at - p));
		if (colon)
			out->password = xstrndup(colon + 1, (size_t)(at - colon - 1));
		p = at + 1;
	}
	int rc = HR_E_INVALID;
	size_t hl = strcspn(p, ":/");
	if (hl == 0) {
		*why = "the URL has no host";
		goto out;
	}
	out->host = xstrndup(p, hl);
	p += hl;
	if (*p == ':') {
		size_t pl = strcspn(p + 1, "/");
		if (!parse_int(p + 1, pl, 65535, &out->port) || out->port == 0) {
			*why = "the port must be a number from 1 to 65535";
			goto out;
		}
		p += 1 + pl;
	}
	if (*p == '/' && p[1] && !parse_int(p + 1, strlen(p + 1), 1 << 20, &out->db)) {
		*why = "the database after '/' must be a number";
		goto out;
	}
	rc = 0;
out:
	/* A URL refused is left empty: nothing of it for the caller to free. */
	if (rc)
		redis_url_free(out);
	return rc;
}

/* The exchange with the server, bounded twice.
 *
 * Time: one deadline for the whole sample (connect, AUTH, INFO and every
 * queue command), not a timeout per read: a peer that drips a byte every
 * half second would otherwise hold the round for as long as it likes. The
 * socket is non-blocking and every wait is a poll() for what is left.
 *
 * Size: hiredis 0.14 (Debian 12) has no reader limits (maxelements and
 * maxbulklen came in 1.0), and its default reply builder callocs whatever
 * array length a peer announces: "*2147483647" is 16 GiB of address space
 * and seconds of CPU. So the reply parser is hiredis' reader with reply
 * builders of our own, which refuse arrays (no command sent here answers
 * with one) and strings over the cap, and the bytes fed to it for one reply
 * are capped too. The protocol parser stays hiredis'; only the socket and
 * the reply objects are ours. */

#define REPLY_MAX REDIS_REPLY_MAX

struct rreply {
	int type;          /* REDIS_REPLY_* */
	long long integer;
	char *str;         /* owned, NUL-terminated (string, status, error) */
	size_t len;
};

static void rreply_free(void *obj)
{
	struct rreply *r = obj;
	if (!r)
		return;
	free(r->str);
	free(r);
}

/* What the builders refused, for the message. */
struct reader_note {
	const char *why;
};

static void *make_string(const redisReadTask *task, char *str, size_t len)
{
	struct reader_note *note = task->privdata;
	if (len > REPLY_MAX) {
		/* Also where hiredis 0.14 hands an overflowed bulk length: refuse
		 * before touching str. */
		if (note)
			note->why = "a string larger than the reply cap";
		return NULL;
	}
	struct rreply *r = xcalloc(1, sizeof(*r));
	r->type = task->type;
	r->str = xmalloc(len + 1);
	memcpy(r->str, str, len);
	r->str[len] = '\0';
	r->len = len;
	return r;
}

static void *make_array(const redisReadTask *task, int elements)
{
	struct reader_note *note = task->privdata;
	if (note)
		note->why = elements > 0 ? "an array, which no command sent here answers with"
					 : "an empty array, which no command sent here answers with";
	return NULL;
}

static void *make_integer(const redisReadTask *task, long long v)
{
	(void)task;
	struct rreply *r = xcalloc(1, sizeof(*r));
	r->type = REDIS_REPLY_INTEGER;
	r->integer = v;
	return r;
}

static void *make_nil(const redisReadTask *task)
{
	/* hiredis calls this for "$-1" with the task typed as a string: the
	 * type is set here, as its own builder does. */
	(void)task;
	struct rreply *r = xcalloc(1, sizeof(*r));
	r->type = REDIS_REPLY_NIL;
	return r;
}

static redisReplyObjectFunctions reply_fns = {make_string, make_array, make_integer, make_nil, rreply_free};

int redis_check_reply(const char *buf, size_t len, int *type, const char **why)
{
	*why = NULL;
	if (len > REPLY_MAX) {
		*why = "a reply larger than the cap";
		return HR_E_TOO_LARGE;
	}
	struct reader_note note = {0};
	redisReader *rd = redisReaderCreateWithFunctions(&reply_fns);
	if (!rd)
		abort();
	rd->privdata = &note;
	void *reply = NULL;
	int rc = HR_E_UNAVAILABLE;
	if (redisReaderFeed(rd, buf, len) != REDIS_OK || redisReaderGetReply(rd, &reply) != REDIS_OK) {
		rc = HR_E_PROTOCOL;
		*why = note.why ? note.why : "malformed";
	} else if (reply) {
		*type = ((struct rreply *)reply)->type;
		rc = rd->pos < rd->len ? HR_E_PROTOCOL : 0;
		if (rc)
			*why = "more than one reply";
		rreply_free(reply);
	}
	redisReaderFree(rd);
	return rc;
}

struct redis {
	_Atomic bool cancel;  /* source_cancel(): end the waits below */
	const struct source_config *cfg;
	struct redis_url url;
	int fd;               /* -1 when not connected */
	redisReader *reader;
	struct reader_note note;
	double deadline;      /* of the current sample (clock_mono) */
	double timeout_s;
	double last_evicted, last_when;
	bool have_evicted;
};

static int redis_open(const struct source_config *cfg, struct diag *d, void **state)
{
	const char *name = cfg->name ? cfg->name : "redis";
	const char *why = "needs url: redis://HOST:PORT";
	struct redis_url u;
	if (!cfg->url || redis_parse_url(cfg->url, &u, &why) != 0) {
		diag_error(d, "metrics source '%s': url: %s", name, why);
		return HR_E_INVALID;
	}
	if (cfg->n_queues > QUEUES_MAX) {
		diag_error(d, "metrics source '%s': at most %d queues", name, QUEUES_MAX);
		redis_url_free(&u);
		return HR_E_INVALID;
	}
	struct redis *r = xcalloc(1, sizeof(*r));
	r->cfg = cfg;
	r->url = u;
	r->fd = -1;
	r->timeout_s = cfg->timeout_s > 0 ? cfg->timeout_s : 5;
	if (cfg->password) {
		free(r->url.password);
		r->url.password = xstrdup(cfg->password);
	}
	*state = r;
	return 0;
}

static void disconnect(struct redis *r)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	if (r->reader)
		redisReaderFree(r->reader);
	r->reader = NULL;
}

/* Wait for the socket until the sample's deadline.
 * @return 1 ready, 0 past the deadline or once cancelled, -errno on a poll
 * error (errno is left as poll set it, for the caller's message). */
static int wait_fd(struct redis *r, short events)
{
	for (;;) {
		double left = r->deadline - clock_mono();
		if (left <= 0 || atomic_load(&r->cancel))
			return 0;
		/* Slices of 100 ms, so a cancel is seen in time. */
		struct pollfd pfd = {.fd = r->fd, .events = events};
		int n = poll(&pfd, 1, (int)ceil(fmin(left, 0.1) * 1000));
		if (n > 0)
			return 1;
		if (n < 0 && errno != EINTR)
			return -errno;
	}
}

static int fail(struct redis *r, struct strbuf *err, int rc, const char *what)
{
	source_error(err, "redis %s:%d: %s", r->url.host, r->url.port, what);
	disconnect(r);
	return rc;
}

static int timed_out(struct redis *r, struct strbuf *err)
{
	char m[96];
	snprintf(m, sizeof(m), "no complete answer within the %g s timeout", r->timeout_s);
	return fail(r, err, HR_E_TIMEOUT, m);
}

/* A non-blocking TCP connection to one of the host's addresses. */
static int tcp_connect(struct redis *r, struct strbuf *err)
{
	char port[8];
	snprintf(port, sizeof(port), "%d", r->url.port);
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
	struct addrinfo *ai = NULL;
	int gai = getaddrinfo(r->url.host, port, &hints, &ai);
	if (gai != 0)
		return fail(r, err, HR_E_UNAVAILABLE, gai_strerror(gai));
	int rc = HR_E_UNAVAILABLE;
	char why[128] = "no address";
	for (struct addrinfo *a = ai; a; a = a->ai_next) {
		r->fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
		if (r->fd < 0) {
			snprintf(why, sizeof(why), "%s", strerror(errno));
			continue;
		}
		if (connect(r->fd, a->ai_addr, a->ai_addrlen) != 0 && errno != EINPROGRESS) {
			snprintf(why, sizeof(why), "%s", strerror(errno));
			disconnect(r);
			continue;
		}
		int w = wait_fd(r, POLLOUT);
		int soerr = 0;
		socklen_t sl = sizeof(soerr);
		if (w == 0) {
			rc = HR_E_TIMEOUT;
			break;
		}
		if (w < 0 || getsockopt(r->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0 || soerr != 0) {
			snprintf(why, sizeof(why), "%s", strerror(soerr ? soerr : errno));
			disconnect(r);
			continue;
		}
		int one = 1;
		setsockopt(r->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		rc = 0;
		break;
	}
	freeaddrinfo(ai);
	if (rc == HR_E_TIMEOUT)
		return timed_out(r, err);
	if (rc)
		return fail(r, err, rc, why);
	r->reader = redisReaderCreateWithFunctions(&reply_fns);
	if (!r->reader)
		abort(); /* out of memory: xalloc's policy */
	r->note.why = NULL;
	return 0;
}

/* Send n bytes of a formatted command within the deadline. On failure the
 * connection is closed and err says why. */
static int send_all(struct redis *r, struct strbuf *err, const char *cmd, size_t n)
{
	size_t off = 0;
	while (off < n) {
		ssize_t w = send(r->fd, cmd + off, n - off, MSG_NOSIGNAL);
		if (w > 0) {
			off += (size_t)w;
			continue;
		}
		if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			return fail(r, err, HR_E_UNAVAILABLE, strerror(errno));
		int ready = wait_fd(r, POLLOUT);
		if (ready <= 0)
			return ready == 0 ? timed_out(r, err) : fail(r, err, HR_E_UNAVAILABLE, strerror(errno));
	}
	return 0;
}

/* Send one command and read its reply within the deadline. */
static struct rreply *exchange(struct redis *r, struct strbuf *err, const char *fmt, va_list ap)
{
	char *cmd = NULL;
	int n = redisvFormatCommand(&cmd, fmt, ap);
	if (n < 0) {
		(void)fail(r, err, HR_E_INVALID, "cannot format a command");
		return NULL;
	}
	int rc = send_all(r, err, cmd, (size_t)n);
	free(cmd);
	if (rc)
		return NULL;
	size_t fed = 0;
	r->note.why = NULL;
	r->reader->privdata = &r->note;
	for (;;) {
		void *reply = NULL;
		if (redisReaderGetReply(r->reader, &reply) != REDIS_OK) {
			char m[200];
			snprintf(m, sizeof(m), "malformed reply: %s", r->note.why ? r->note.why : r->reader->errstr);
			(void)fail(r, err, HR_E_PROTOCOL, m);
			return NULL;
		}
		if (reply) {
			/* One command, one reply: bytes beyond it are a peer out of step. */
			if (r->reader->pos < r->reader->len) {
				rreply_free(reply);
				(void)fail(r, err, HR_E_PROTOCOL, "malformed reply: more than one reply to one command");
				return NULL;
			}
			return reply;
		}
		int ready = wait_fd(r, POLLIN);
		if (ready <= 0) {
			(void)(ready == 0 ? timed_out(r, err) : fail(r, err, HR_E_UNAVAILABLE, strerror(errno)));
			return NULL;
		}
		char buf[16384];
		ssize_t got = recv(r->fd, buf, sizeof(buf), 0);
		if (got == 0) {
			(void)fail(r, err, HR_E_UNAVAILABLE, "the server closed the connection");
			return NULL;
		}
		if (got < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				continue;
			(void)fail(r, err, HR_E_UNAVAILABLE, strerror(errno));
			return NULL;
		}
		fed += (size_t)got;
		if (fed > REPLY_MAX) {
			char m[96];
			snprintf(m, sizeof(m), "a reply larger than %u KiB", REPLY_MAX >> 10);
			(void)fail(r, err, HR_E_TOO_LARGE, m);
			return NULL;
		}
		if (redisReaderFeed(r->reader, buf, (size_t)got) != REDIS_OK) {
			(void)fail(r, err, HR_E_PROTOCOL, r->reader->errstr);
			return NULL;
		}
	}
}

/* A reply of the expected type (type < 0: any but an error), or NULL with a
 * reason; the caller frees it. On a connection problem the connection is
 * closed (r->fd < 0) and the sample must stop. */
static struct rreply *command(struct redis *r, struct strbuf *err, int type, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct rreply *rep = exchange(r, err, fmt, ap);
	va_end(ap);
	if (!rep)
		return NULL;
	if (rep->type == REDIS_REPLY_ERROR)
		source_error(err, "redis %s:%d: %.*s", r->url.host, r->url.port, (int)(rep->len < 300 ? rep->len : 300),
			     rep->str);
	else if (type >= 0 && rep->type != type)
		source_error(err, "redis %s:%d: unexpected reply type %d", r->url.host, r->url.port, rep->type);
	else
		return rep;
	rreply_free(rep);
	return NULL;
}

static int connect_redis(struct redis *r, struct strbuf *err)
{
	if (r->fd >= 0)
		return 0;
	int rc = tcp_connect(r, err);
	if (rc)
		return rc;
	struct rreply *rep;
	if (r->url.password) {
		rep = command(r, err, REDIS_REPLY_STATUS, "AUTH %s", r->url.password);
		if (!rep) {
			rc = HR_E_UNAVAILABLE;
			goto out;
		}
		rreply_free(rep);
	}
	if (r->url.db) {
		rep = command(r, err, REDIS_REPLY_STATUS, "SELECT %d", r->url.db);
		if (!rep) {
			rc = HR_E_UNAVAILABLE;
			goto out;
		}
		rreply_free(rep);
	}
out:
	if (rc)
		disconnect(r);
	return rc;
}


/* BullMQ: the oldest waiting job is at the right end of the wait list
 * (jobs are LPUSHed, workers take from the right), and its hash
 * bull:QUEUE:ID holds `timestamp` in milliseconds. */
static double bull_wait(struct redis *r, const char *key, struct strbuf *err)
{
	size_t kl = strlen(key);
	if (kl < 10 || strncmp(key, "bull:", 5) != 0 || strcmp(key + kl - 5, ":wait") != 0)
		return NAN;
	struct rreply *id = command(r, err, -1, "LINDEX %s -1", key);
	if (!id)
		return NAN;
	double wait = 0; /* an empty queue has nobody waiting */
	if (id->type == REDIS_REPLY_STRING) {
		struct rreply *ts = command(r, err, -1, "HGET %b:%b timestamp", key, kl - 5, id->str, id->len);
		wait = NAN;
		if (ts && ts->type == REDIS_REPLY_STRING && ts->len < 20) {
			char buf[24];
			memcpy(buf, ts->str, ts->len);
			buf[ts->len] = '\0';
			char *endp;
			double ms = strtod(buf, &endp);
			if (endp != buf && *endp == '\0' && ms > 0)
				wait = fmax(0, clock_unix() - ms / 1000);
		}
		rreply_free(ts);
	}
	rreply_free(id);
	return wait;
}

static int redis_sample(void *state, const char *src, struct sample_set *out, struct strbuf *err)
{
	struct redis *r = state;
	r->deadline = clock_mono() + r->timeout_s;
	int rc = connect_redis(r, err);
	if (rc)
		return rc;
	struct rreply *rep = command(r, err, REDIS_REPLY_STRING, "INFO");
	if (!rep)
		return HR_E_UNAVAILABLE;
	struct redis_info info;
	rc = redis_parse_info(rep->str, rep->len, &info);
	rreply_free(rep);
	if (rc) {
		source_error(err, "redis %s:%d: INFO reply without used_memory", r->url.host, r->url.port);
		return rc;
	}
	bool has_max = !isnan(info.maxmemory) && info.maxmemory > 0;
	sample_set_add(out, src, "redis.memory.used_bytes", info.used_memory);
	sample_set_add(out, src, "redis.memory.max_bytes", has_max ? info.maxmemory : NAN);
	sample_set_add(out, src, "redis.memory.used_ratio", has_max ? info.used_memory / info.maxmemory : NAN);
	sample_set_add(out, src, "redis.clients.connected", info.connected_clients);
	sample_set_add(out, src, "redis.clients.blocked", info.blocked_clients);
	sample_set_add(out, src, "redis.evicted_keys", info.evicted_keys);
	double now = clock_unix();
	if (r->have_evicted && now > r->last_when && info.evicted_keys >= r->last_evicted)
		sample_set_add(out, src, "redis.evicted_keys_per_second",
			       (info.evicted_keys - r->last_evicted) / (now - r->last_when));
	r->last_evicted = info.evicted_keys, r->last_when = now, r->have_evicted = !isnan(info.evicted_keys);

	int bad = 0;
	for (size_t i = 0; i < r->cfg->n_queues; i++) {
		const char *key = r->cfg->queues[i];
		rep = command(r, err, REDIS_REPLY_STATUS, "TYPE %s", key);
		if (!rep)
			return HR_E_UNAVAILABLE;
		double len = NAN;
		const char *cmd = NULL;
		if (strcmp(rep->str, "list") == 0)
			cmd = "LLEN %s";
		else if (strcmp(rep->str, "zset") == 0) /* BullMQ's prioritized and delayed sets */
			cmd = "ZCARD %s";
		else if (strcmp(rep->str, "stream") == 0)
			cmd = "XLEN %s";
		else if (strcmp(rep->str, "none") == 0)
			len = 0; /* Celery deletes the list when it drains */
		bool is_list = strcmp(rep->str, "list") == 0 || strcmp(rep->str, "none") == 0;
		if (!cmd && isnan(len)) {
			/* A hash, a set, a string: not a queue, most likely a wrong key
			 * in the config. Left out (its trigger is UNKNOWN with this
			 * reason), not NaN (which would read as "not applicable"). */
			if (!bad)
				source_error(err, "redis %s:%d: queue key '%s' is a %.20s, not a list, zset or stream",
					     r->url.host, r->url.port, key, rep->str);
			bad = HR_E_PROTOCOL;
			rreply_free(rep);
			continue;
		}
		rreply_free(rep);
		if (cmd) {
			rep = command(r, err, REDIS_REPLY_INTEGER, cmd, key);
			if (!rep)
				return HR_E_UNAVAILABLE;
			len = (double)rep->integer;
			rreply_free(rep);
		}
		char label[128];
		sample_label_escape(key, label, sizeof(label));
		sample_set_addf(out, src, len, "redis.queue.length{key=\"%s\"}", label);
		sample_set_addf(out, src, is_list ? bull_wait(r, key, err) : NAN, "redis.queue.wait{key=\"%s\"}", label);
		if (r->fd < 0)
			return HR_E_UNAVAILABLE;
	}
	return bad;
}

static void redis_cancel(void *state)
{
	atomic_store(&((struct redis *)state)->cancel, true);
}

static void redis_close(void *state)
{
	struct redis *r = state;
	if (!r)
		return;
	disconnect(r);
	redis_url_free(&r->url);
	free(r);
}

/* The queue figures exist only with `queues:`: without them a trigger on
 * redis.queue.* is not this source's to give (not applicable), and the
 * source is healthy without the optional key. */
static const char *const redis_prefixes[] = {"redis.memory.", "redis.clients.", "redis.evicted_keys", NULL};
static const char *const queue_names[] = {"redis.queue.length", "redis.queue.wait", NULL};
static const char *const redis_known[] = {"redis.memory.used_bytes", "redis.memory.max_bytes",
					  "redis.memory.used_ratio", "redis.clients.connected",
					  "redis.clients.blocked", "redis.evicted_keys",
					  "redis.evicted_keys_per_second", NULL};

static const char *const *redis_names(void *state)
{
	const struct redis *r = state;
	return r->cfg->n_queues ? queue_names : queue_names + 2;
}

const struct source_ops source_redis_ops = {
	.type = "redis",
	.prefixes = redis_prefixes,
	.open = redis_open,
	.sample = redis_sample,
	.close = redis_close,
	.names = redis_names,
	.cancel = redis_cancel,
	.known = redis_known,
};
