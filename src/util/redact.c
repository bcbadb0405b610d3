/* redact.c - mask secrets in text: literal ones, URL userinfo, KEY=VALUE
 * pairs with a secret key, and bearer tokens (see redact.h). */
#include "util/redact.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/xalloc.h"

/* Key names whose value is a secret, matched as the end of the key
 * (db_password, PGPASSWORD, client_secret, access_token, x-api_key...). */
static const char *const secret_keys[] = {"password", "passwd", "pwd", "secret", "token", "apikey", "api_key",
					  "api-key"};

static bool ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
	       c == '.';
}

static bool ends_with_ci(const char *s, size_t n, const char *suf)
{
	size_t k = strlen(suf);
	return n >= k && strncasecmp(s + n - k, suf, k) == 0;
}

/* Only blanks and a YAML list dash between the line's start and p. */
static bool at_line_start(const char *text, const char *p)
{
	while (p > text && (p[-1] == ' ' || p[-1] == '\t' || p[-1] == '-'))
		p--;
	return p == text || p[-1] == '\n' || p[-1] == '\r';
}

/* Where a URL's authority ends: the path, query or fragment, or the end of
 * the text's token. Blanks do not end it: an unencoded space in a password
 * must not leave the password's tail outside. */
static bool authority_end(char c)
{
	return c == '\0' || c == '\n' || c == '\r' || c == '"' || c == '\'' || c == '<' || c == '>' || c == '`' ||
	       c == '/' || c == '?' || c == '#';
}

/* A value of KEY=VALUE ends at a blank or a separator. */
static bool value_end(char c)
{
	return c == '\0' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '&' || c == ',' || c == ';' ||
	       c == ')' || c == '}' || c == ']' || c == '"' || c == '\'';
}

/* Try the userinfo of a URL whose "://" is at p. On a match, append up to
 * and including the masked "user:***@" and return the position after '@'. */
static const char *url_userinfo(struct strbuf *out, const char *p, int *rc)
{
	const char *a = p + 3, *e = a, *at = NULL;
	while (!authority_end(*e)) {
		if (*e == '@')
			at = e;
		e++;
	}
	if (!at)
		return NULL;
	const char *colon = memchr(a, ':', (size_t)(at - a));
	if (!colon)
		return NULL; /* a user name alone is not a secret */
	*rc = strbuf_append(out, p, (size_t)(colon - p));
	if (!*rc)
		*rc = strbuf_puts(out, ":" REDACT_MASK "@");
	return at + 1;
}

/* Try KEY=VALUE / "KEY": VALUE / KEY: VALUE (line start) with a secret KEY
 * starting at p. On a match, append through the mask and return where the
 * value ends. */
static const char *key_value(struct strbuf *out, const char *text, const char *p, int *rc)
{
	if (p > text && ident_char(p[-1]))
		return NULL;
	const char *k = p;
	while (ident_char(*k))
		k++;
	size_t kl = (size_t)(k - p);
	bool secret = false;
	for (size_t i = 0; i < sizeof(secret_keys) / sizeof(secret_keys[0]) && !secret; i++)
		secret = ends_with_ci(p, kl, secret_keys[i]);
	if (!secret)
		return NULL;
	bool quoted_key = p > text && (p[-1] == '"' || p[-1] == '\'');
	const char *s = k;
	if (quoted_key && *s == p[-1])
		s++;
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == ':') {
		if (!quoted_key && !at_line_start(text, p))
			return NULL;
	} else if (*s != '=') {
		return NULL;
	}
	s++;
	while (*s == ' ' || *s == '\t')
		s++;
	const char *v = s;
	if (*v == '"' || *v == '\'') {
		char q = *v;
		const char *c = v + 1;
		while (*c && *c != q && *c != '\n') {
			if (*c == '\\' && c[1])
				c++;
			c++;
		}
		if (c == v + 1)
			return NULL; /* an empty value hides nothing */
		*rc = strbuf_append(out, p, (size_t)(v - p));
		if (!*rc)
			*rc = strbuf_append(out, &q, 1);
		if (!*rc)
			*rc = strbuf_puts(out, REDACT_MASK);
		if (!*rc && *c == q)
			*rc = strbuf_append(out, &q, 1);
		return *c == q ? c + 1 : c;
	}
	const char *c = v;
	while (!value_end(*c))
		c++;
	if (c == v)
		return NULL;
	*rc = strbuf_append(out, p, (size_t)(v - p));
	if (!*rc)
		*rc = strbuf_puts(out, REDACT_MASK);
	return c;
}

/* "Bearer X" or "Basic X" at a word start. */
static const char *auth_scheme(struct strbuf *out, const char *text, const char *p, int *rc)
{
	static const char *const schemes[] = {"Bearer", "Basic"};
	if (p > text && ident_char(p[-1]))
		return NULL;
	for (size_t i = 0; i < 2; i++) {
		size_t n = strlen(schemes[i]);
		if (strncasecmp(p, schemes[i], n) != 0 || (p[n] != ' ' && p[n] != '\t'))
			continue;
		const char *v = p + n;
		while (*v == ' ' || *v == '\t')
			v++;
		const char *c = v;
		while (!value_end(*c))
			c++;
		/* Credentials are long; a short word after "bearer" is prose
		 * ("a bearer token needs ..."). */
		if (c - v < 8)
			return NULL;
		*rc = strbuf_append(out, p, (size_t)(v - p));
		if (!*rc)
			*rc = strbuf_puts(out, REDACT_MASK);
		return c;
	}
	return NULL;
}

int redact_append(struct strbuf *out, const char *text, const char *const *secrets)
{
	if (!text)
		return 0;
	int rc = 0;
	const char *p = text;
	while (*p && !rc) {
		const char *next = NULL;
		for (const char *const *s = secrets; s && *s && !next; s++) {
			size_t n = strlen(*s);
			if (n >= REDACT_MIN_LITERAL && strncmp(p, *s, n) == 0) {
				rc = strbuf_puts(out, REDACT_MASK);
				next = p + n;
			}
		}
		if (!next && p[0] == ':' && p[1] == '/' && p[2] == '/')
			next = url_userinfo(out, p, &rc);
		if (!next && ident_char(*p))
			next = key_value(out, text, p, &rc);
		if (!next && (*p == 'B' || *p == 'b'))
			next = auth_scheme(out, text, p, &rc);
		if (!next) {
			rc = strbuf_append(out, p, 1);
			next = p + 1;
		}
		p = next;
	}
	return rc;
}

char *redact_dup(const char *text, const char *const *secrets)
{
	struct strbuf sb;
	strbuf_init(&sb, 0);
	if (redact_append(&sb, text, secrets) != 0) {
		/* Over 64 MiB: nothing of it is worth printing. */
		strbuf_free(&sb);
		return xstrdup("(message too long)");
	}
	char *s = strbuf_take(&sb);
	return s ? s : xstrdup("");
}

void redact_inplace(char *buf, size_t n, const char *const *secrets)
{
	if (!buf || n == 0)
		return;
	char *r = redact_dup(buf, secrets);
	size_t l = strlen(r);
	if (l >= n)
		l = n - 1;
	memcpy(buf, r, l);
	buf[l] = '\0';
	free(r);
}

char *redact_url_origin(const char *url, char *buf, size_t n)
{
	const char *sep = strstr(url, "://");
	if (!sep) {
		snprintf(buf, n, REDACT_MASK);
		return buf;
	}
	const char *a = sep + 3, *e = a, *at = NULL;
	while (!authority_end(*e)) {
		if (*e == '@')
			at = e;
		e++;
	}
	const char *host = at ? at + 1 : a;
	snprintf(buf, n, "%.*s%.*s%s", (int)(a - url), url, (int)(e - host), host,
		 *e == '\0' || *e == '\n' ? "" : "/" REDACT_MASK);
	return buf;
}
