/* fetch.c - one HTTP request through libcurl's multi interface, with the
 * reply capped, a deadline, and a cancel (see fetch.h). */
#include "sources/fetch.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "sources/source.h"
#include "util/redact.h"
#include "util/xalloc.h"

struct fetch {
	CURL *curl;
	CURLM *multi;  /* one transfer at a time; it keeps the connections alive */
	_Atomic bool cancel;                 /* fetch_cancel(): abort what runs now */
	const volatile sig_atomic_t *stop;   /* fetch_stop_on(): abort while set */
};

struct sink {
	struct strbuf *body;
	size_t seen, max, head_seen;
	bool keep, too_big, head_too_big;
};

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void global_init(void)
{
	/* curl_global_init is not thread-safe before 7.84 (Debian 12 has 7.88,
	 * but a once keeps it correct on older builds too). */
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

struct fetch *fetch_new(void)
{
	pthread_once(&once, global_init);
	struct fetch *f = xcalloc(1, sizeof(*f));
	f->curl = curl_easy_init();
	f->multi = curl_multi_init();
	if (!f->curl || !f->multi) {
		curl_easy_cleanup(f->curl);
		curl_multi_cleanup(f->multi);
		free(f);
		return NULL;
	}
	return f;
}

void fetch_free(struct fetch *f)
{
	if (!f)
		return;
	curl_easy_cleanup(f->curl);
	curl_multi_cleanup(f->multi);
	free(f);
}

static bool cancelled(const struct fetch *f)
{
	return atomic_load(&f->cancel) || (f->stop && *f->stop);
}

/* curl_easy_perform() through the multi interface, so that a cancel (from
 * another thread) or a stop request is seen within 100 ms: the easy
 * interface waits in its own poll() until data or its timeout comes. */
static CURLcode perform(struct fetch *f)
{
	if (curl_multi_add_handle(f->multi, f->curl) != CURLM_OK)
		return CURLE_FAILED_INIT;
	CURLcode cc = CURLE_OK;
	int running = 1;
	bool stopped = false;
	while (running) {
		if (curl_multi_perform(f->multi, &running) != CURLM_OK) {
			cc = CURLE_FAILED_INIT;
			break;
		}
		if (!running)
			break;
		if (cancelled(f)) {
			stopped = true;
			break;
		}
		if (curl_multi_poll(f->multi, NULL, 0, 100, NULL) != CURLM_OK) {
			cc = CURLE_FAILED_INIT;
			break;
		}
	}
	CURLMsg *m;
	int left;
	while ((m = curl_multi_info_read(f->multi, &left)) != NULL)
		if (m->msg == CURLMSG_DONE && m->easy_handle == f->curl)
			cc = m->data.result;
	curl_multi_remove_handle(f->multi, f->curl);
	return stopped ? CURLE_ABORTED_BY_CALLBACK : cc;
}

static size_t on_data(char *p, size_t size, size_t n, void *arg)
{
	struct sink *s = arg;
	size_t len = size * n;
	s->seen += len;
	if (s->seen > s->max) {
		s->too_big = true;
		return 0; /* aborts the transfer */
	}
	if (s->keep && strbuf_append(s->body, p, len) != 0) {
		s->too_big = true;
		return 0;
	}
	return len;
}

/* libcurl calls this about once a second even while nothing moves, and
 * often while data flows: a cancel or a stop ends the transfer there. */
static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	(void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	return cancelled(arg);
}

void fetch_cancel(struct fetch *f)
{
	atomic_store(&f->cancel, true);
}

void fetch_stop_on(struct fetch *f, const volatile sig_atomic_t *stop)
{
	f->stop = stop;
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	struct sink *s = arg;
	size_t len = size * n;
	/* Per response: a redirect or a 100 Continue starts a new section, but
	 * all of them together still count against one cap. */
	s->head_seen += len;
	if (s->head_seen > FETCH_MAX_HEADERS) {
		s->head_too_big = true;
		return 0;
	}
	return len;
}

char *fetch_escape(struct fetch *f, const char *s)
{
	char *e = curl_easy_escape(f->curl, s, 0);
	char *out = xstrdup(e ? e : "");
	curl_free(e);
	return out;
}

int fetch_url(struct fetch *f, const char *url, const struct fetch_opts *o, struct fetch_result *res,
	      struct strbuf *err)
{
	CURL *c = f->curl;
	size_t max = o->max_body ? o->max_body : FETCH_MAX_BODY;
	memset(res, 0, sizeof(*res));
	strbuf_init(&res->body, max);
	struct sink sink = {.body = &res->body, .max = max, .keep = o->keep_body};
	char ebuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *hdr = NULL;
	char *auth = NULL;

	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)(o->timeout_s > 0 ? o->timeout_s * 1000 : 5000));
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &sink);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, f);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "headroom/" HEADROOM_VERSION);
	/* Only the protocols a metrics URL can mean; no redirects to file:// etc. */
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	if (o->user) {
		curl_easy_setopt(c, CURLOPT_USERNAME, o->user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, o->password ? o->password : "");
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
	}
	if (o->token) {
		auth = xasprintf("Authorization: Bearer %s", o->token);
		hdr = curl_slist_append(hdr, auth);
	}
	if (o->post_json) {
		hdr = curl_slist_append(hdr, "Content-Type: application/json");
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, o->post_json);
	}
	if (hdr)
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);

	CURLcode cc = perform(f);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &res->status);
	curl_easy_getinfo(c, CURLINFO_TOTAL_TIME, &res->total_s);
	curl_slist_free_all(hdr);
	free(auth);
	/* A webhook's secret is its path: name its origin only. Other URLs are
	 * masked by the caller (source_redact), which knows their credentials. */
	char origin[256];
	const char *shown = o->secret_url ? redact_url_origin(url, origin, sizeof(origin)) : url;
	if (sink.too_big) {
		source_error(err, "%s: reply larger than %zu bytes", shown, max);
		return HR_E_TOO_LARGE;
	}
	if (sink.head_too_big) {
		source_error(err, "%s: reply headers larger than %u bytes", shown, FETCH_MAX_HEADERS);
		return HR_E_TOO_LARGE;
	}
	if (cc != CURLE_OK) {
		/* curl's message may quote the URL too: mask it the same way. */
		char *m = o->secret_url ? redact_dup(ebuf[0] ? ebuf : curl_easy_strerror(cc),
						     (const char *const[]){url, NULL})
					: xstrdup(ebuf[0] ? ebuf : curl_easy_strerror(cc));
		source_error(err, "%s: %s", shown, m);
		free(m);
		return cc == CURLE_OPERATION_TIMEDOUT || cc == CURLE_ABORTED_BY_CALLBACK ? HR_E_TIMEOUT
										       : HR_E_UNAVAILABLE;
	}
	return 0;
}
