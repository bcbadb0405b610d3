/* redis.c - Redis through hiredis: memory against maxmemory, evictions,
 * clients, and the length of queue keys (Celery's `celery` list, BullMQ's
 * `bull:QUEUE:wait`). For a BullMQ wait list the age of the oldest job (its
 * hash's `timestamp`, milliseconds) is the queue wait; a Celery message
 * carries no enqueue time, so its wait is "not applicable" (NaN). */
#include "util/clock.h"
#include "sources/redis.h"

#include <ctype.h>
#include <hiredis.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "sources/backends.h"
#include "util/xalloc.h"

// Queue keys measured per sample; each costs two or three round trips.
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
				// Values are unsigned decimals; parse from a bounded copy.
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
	size_t hl = strcspn(p, ":/");
	if (hl == 0) {
		*why = "the URL has no host";
		redis_url_free(out);
		return HR_E_INVALID;
	}
	out->host = xstrndup(p, hl);
	p += hl;
	if (*p == ':') {
		size_t pl = strcspn(p + 1, "/");
		if (!parse_int(p + 1, pl, 65535, &out->port) || out->port == 0) {
			*why = "the port must be a number from 1 to 65535";
			redis_url_free(out);
			return HR_E_INVALID;
		}
		p += 1 + pl;
	}
	if (*p == '/' && p[1]) {
		if (!parse_int(p + 1, strlen(p + 1), 1 << 20, &out->db)) {
			*why = "the database after '/' must be a number";
			redis_url_free(out);
			return HR_E_INVALID;
		}
	}
	return 0;
}

struct redis {
	const struct source_config *cfg;
	struct redis_url url;
	redisContext *c;
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
	if (cfg->password) {
		free(r->url.password);
		r->url.password = xstrdup(cfg->password);
	}
	*state = r;
	return 0;
}

static struct timeval tv_of(double s)
{
	if (s <= 0)
		s = 5;
	return (struct timeval){(time_t)s, (suseconds_t)((s - floor(s)) * 1e6)};
}

// A reply of the expected type, or NULL with a reason; the caller frees it.
static redisReply *command(struct redis *r, struct strbuf *err, int type, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	redisReply *rep = redisvCommand(r->c, fmt, ap);
	va_end(ap);
	if (!rep) {
		source_error(err, "redis %s:%d: %s", r->url.host, r->url.port, r->c->errstr);
		redisFree(r->c);
		r->c = NULL;
		return NULL;
	}
	if (rep->type == REDIS_REPLY_ERROR) {
		source_error(err, "redis %s:%d: %.*s", r->url.host, r->url.port, (int)rep->len, rep->str);
		freeReplyObject(rep);
		return NULL;
	}
	if (type >= 0 && rep->type != type) {
		source_error(err, "redis %s:%d: unexpected reply type %d", r->url.host, r->url.port, rep->type);
		freeReplyObject(rep);
		return NULL;
	}
	return rep;
}

static int connect_redis(struct redis *r, struct strbuf *err)
{
	if (r->c)
		return 0;
	r->c = redisConnectWithTimeout(r->url.host, r->url.port, tv_of(r->cfg->timeout_s));
	if (!r->c || r->c->err) {
		source_error(err, "redis %s:%d: %s", r->url.host, r->url.port, r->c ? r->c->errstr : "out of memory");
		redisFree(r->c);
		r->c = NULL;
		return HR_E_UNAVAILABLE;
	}
	redisSetTimeout(r->c, tv_of(r->cfg->timeout_s));
	redisReply *rep;
	if (r->url.password) {
		rep = command(r, err, REDIS_REPLY_STATUS, "AUTH %s", r->url.password);
		if (!rep)
			goto fail;
		freeReplyObject(rep);
	}
	if (r->url.db) {
		rep = command(r, err, REDIS_REPLY_STATUS, "SELECT %d", r->url.db);
		if (!rep)
			goto fail;
		freeReplyObject(rep);
	}
	return 0;
fail:
	redisFree(r->c);
	r->c = NULL;
	return HR_E_UNAVAILABLE;
}


// BullMQ: the oldest waiting job is at the right end of the wait list
// (jobs are LPUSHed, workers take from the right), and its hash
// bull:QUEUE:ID holds `timestamp` in milliseconds.
static double bull_wait(struct redis *r, const char *key, struct strbuf *err)
{
	size_t kl = strlen(key);
	if (kl < 10 || strncmp(key, "bull:", 5) != 0 || strcmp(key + kl - 5, ":wait") != 0)
		return NAN;
	redisReply *id = command(r, err, -1, "LINDEX %s -1", key);
	if (!id)
		return NAN;
	double wait = 0; // an empty queue has nobody waiting
	if (id->type == REDIS_REPLY_STRING) {
		redisReply *ts = command(r, err, -1, "HGET %b:%b timestamp", key, kl - 5, id->str, id->len);
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
		freeReplyObject(ts);
	}
	freeReplyObject(id);
	return wait;
}

static int redis_sample(void *state, const char *src, struct sample_set *out, struct strbuf *err)
{
	struct redis *r = state;
	int rc = connect_redis(r, err);
	if (rc)
		return rc;
	redisReply *rep = command(r, err, REDIS_REPLY_STRING, "INFO");
	if (!rep)
		return HR_E_UNAVAILABLE;
	struct redis_info info;
	rc = redis_parse_info(rep->str, rep->len, &info);
	freeReplyObject(rep);
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
		else if (strcmp(rep->str, "zset") == 0) // BullMQ's prioritized and delayed sets
			cmd = "ZCARD %s";
		else if (strcmp(rep->str, "stream") == 0)
			cmd = "XLEN %s";
		else if (strcmp(rep->str, "none") == 0)
			len = 0; // Celery deletes the list when it drains
		bool is_list = strcmp(rep->str, "list") == 0 || strcmp(rep->str, "none") == 0;
		if (!cmd && isnan(len)) {
			// A hash, a set, a string: not a queue, most likely a wrong key
			// in the config. Left out (its trigger is UNKNOWN with this
			// reason), not NaN (which would read as "not applicable").
			if (!bad)
				source_error(err, "redis %s:%d: queue key '%s' is a %.20s, not a list, zset or stream",
					     r->url.host, r->url.port, key, rep->str);
			bad = HR_E_PROTOCOL;
			freeReplyObject(rep);
			continue;
		}
		freeReplyObject(rep);
		if (cmd) {
			rep = command(r, err, REDIS_REPLY_INTEGER, cmd, key);
			if (!rep)
				return HR_E_UNAVAILABLE;
			len = (double)rep->integer;
			freeReplyObject(rep);
		}
		char label[128];
		sample_label_escape(key, label, sizeof(label));
		sample_set_addf(out, src, len, "redis.queue.length{key=\"%s\"}", label);
		sample_set_addf(out, src, is_list ? bull_wait(r, key, err) : NAN, "redis.queue.wait{key=\"%s\"}", label);
		if (!r->c)
			return HR_E_UNAVAILABLE;
	}
	return bad;
}

static void redis_close(void *state)
{
	struct redis *r = state;
	if (!r)
		return;
	redisFree(r->c);
	redis_url_free(&r->url);
	free(r);
}

static const char *const redis_prefixes[] = {"redis.", NULL};

const struct source_ops source_redis_ops = {
	.type = "redis",
	.prefixes = redis_prefixes,
	.open = redis_open,
	.sample = redis_sample,
	.close = redis_close,
};
