/* redact.c - find secrets in text and mask them, or replace them by
 * references: literal ones, URL userinfo, webhook paths, pairs with a
 * secret key, bearer credentials and credential-looking tokens (see
 * redact.h).
 *
 * Design note. redact_next() is the one rule: each matcher below is tried
 * at a position and says whether a secret starts there (or, for a pair,
 * after the key there), and what ends it. The maskers and redact_refs()
 * only decide what to write in its place. */
#include "util/redact.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/xalloc.h"

/* Key names whose value is a secret, matched as the end of the key
 * (db_password, PGPASSWORD, client_secret, access_token, x-api_key...). */
static const char *const secret_suffixes[] = {
	"password", "passwd", "pwd", "secret", "token", "apikey", "api_key", "api-key", "private_key", "private-key",
	"access_key", "access-key", "secret_key", "secret-key", "requirepass", "masterauth", "authorization",
	"credential", "credentials", "webhook", "webhook_url", "webhook-url"};

/* ... and anywhere in the key (SECRET_KEY_BASE, POSTGRES_PASSWORD_FILE). */
static const char *const secret_infixes[] = {"secret", "password", "passwd", "credential"};

/* Prefixes of tokens that are credentials whatever key holds them, with
 * the shortest such token: GitHub, GitLab, Slack, Stripe, npm, PyPI,
 * Hugging Face, Google API keys. */
static const struct {
	const char *prefix;
	size_t min;
} token_prefixes[] = {
	{"ghp_", 20},     {"gho_", 20},     {"ghu_", 20},     {"ghs_", 20},     {"ghr_", 20},
	{"github_pat_", 30}, {"glpat-", 20}, {"xoxb-", 20},  {"xoxp-", 20},    {"xoxa-", 20},
	{"xoxr-", 20},    {"xoxs-", 20},    {"xapp-", 20},    {"sk_live_", 20}, {"sk_test_", 20},
	{"rk_live_", 20}, {"npm_", 30},     {"pypi-", 30},    {"hf_", 30},      {"AIza", 39},
};

/* Shortest word taken for a credential by its mix of characters alone. */
#define GENERIC_TOKEN_MIN 32

static bool ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
	       c == '.';
}

static bool tok_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool ends_with_ci(const char *s, size_t n, const char *suf)
{
	size_t k = strlen(suf);
	return n >= k && strncasecmp(s + n - k, suf, k) == 0;
}

static bool contains_ci(const char *s, size_t n, const char *w)
{
	size_t k = strlen(w);
	for (size_t i = 0; i + k <= n; i++)
		if (strncasecmp(s + i, w, k) == 0)
			return true;
	return false;
}

bool redact_secret_key(const char *key, size_t n)
{
	while (n && *key == '-') {
		key++;
		n--;
	}
	if (!n)
		return false;
	for (size_t i = 0; i < sizeof(secret_suffixes) / sizeof(secret_suffixes[0]); i++)
		if (ends_with_ci(key, n, secret_suffixes[i]))
			return true;
	for (size_t i = 0; i < sizeof(secret_infixes) / sizeof(secret_infixes[0]); i++)
		if (contains_ci(key, n, secret_infixes[i]))
			return true;
	/* "pass" as a word of its own: PASS, RABBITMQ_DEFAULT_PASS, not bypass. */
	return ends_with_ci(key, n, "pass") && (n == 4 || !isalnum((unsigned char)key[n - 5]));
}

/* Only blanks and a YAML list dash between the line's start and p. */
static bool at_line_start(const char *text, const char *p)
{
	while (p > text && (p[-1] == ' ' || p[-1] == '\t' || p[-1] == '-'))
		p--;
	return p == text || p[-1] == '\n' || p[-1] == '\r';
}

/* A key in a flow mapping: '{' or ',' before it (blanks between). */
static bool in_flow(const char *text, const char *p)
{
	while (p > text && blank(p[-1]))
		p--;
	return p > text && (p[-1] == '{' || p[-1] == ',');
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

/* Where a URL's path ends in running text. */
static const char *url_path_end(const char *p)
{
	while (*p && !isspace((unsigned char)*p) && *p != '"' && *p != '\'' && *p != '<' && *p != '>' && *p != '`' &&
	       *p != '}' && *p != ']' && *p != ')' && !(*p == ',' && (p[1] == '\0' || isspace((unsigned char)p[1]))))
		p++;
	return p;
}

/* A value that only refers to a variable: ${NAME} or $NAME. */
static bool is_reference(const char *v, const char *e)
{
	if (e - v < 2 || v[0] != '$')
		return false;
	const char *n = v + 1, *ne = e;
	if (*n == '{') {
		if (e - v < 4 || e[-1] != '}')
			return false;
		n++;
		ne--;
	}
	if (n == ne || isdigit((unsigned char)*n))
		return false;
	for (const char *c = n; c < ne; c++)
		if (!isalnum((unsigned char)*c) && *c != '_')
			return false;
	return true;
}

/* Past a ${NAME} at v (whose '}' ends a plain value or a URL in running
 * text), or v. */
static const char *ref_end(const char *v)
{
	if (v[0] == '$' && v[1] == '{') {
		const char *q = strchr(v, '}');
		if (q && is_reference(v, q + 1))
			return q + 1;
	}
	return v;
}

/* Does a value that ends at e, or the reference starting it, refer and no more? */
static bool only_reference(const char *v, const char *e)
{
	const char *r = ref_end(v);
	return is_reference(v, r > e ? r : e);
}

static bool set_span(struct redact_span *sp, const char *text, const char *s, const char *e, enum redact_kind kind,
		     const char *name, size_t name_len)
{
	if (e <= s)
		return false;
	sp->start = (size_t)(s - text);
	sp->end = (size_t)(e - text);
	sp->kind = kind;
	sp->name = name ? (size_t)(name - text) : 0;
	sp->name_len = name ? name_len : 0;
	return true;
}

/* The password of a URL whose "://" is at p. */
static bool url_userinfo(const char *text, const char *p, struct redact_span *sp)
{
	const char *a = p + 3, *e = a, *at = NULL;
	while (!authority_end(*e)) {
		if (*e == '@')
			at = e;
		e++;
	}
	if (!at)
		return false;
	const char *colon = memchr(a, ':', (size_t)(at - a));
	if (!colon || is_reference(colon + 1, at))
		return false; /* a user name alone is not a secret, nor is a ${VAR} */
	const char *host = at + 1;
	size_t hl = 0;
	while (host + hl < e && host[hl] != ':')
		hl++;
	return set_span(sp, text, colon + 1, at, REDACT_URL_PASSWORD, host, hl);
}

static bool starts_ci(const char *s, const char *e, const char *w)
{
	size_t k = strlen(w);
	return (size_t)(e - s) >= k && strncasecmp(s, w, k) == 0;
}

/* The path of a webhook URL, when p is the '/' that ends a URL's authority. */
static bool webhook_path(const char *text, const char *p, struct redact_span *sp)
{
	if (p > text && p[-1] == ':' && p[1] == '/')
		return false; /* the "://" of another URL, not a path */
	const char *b = p;
	while (b > text && !authority_end(b[-1]))
		b--;
	if (b == p || b - text < 3 || memcmp(b - 3, "://", 3) != 0)
		return false;
	const char *host = b;
	for (const char *c = b; c < p; c++)
		if (*c == '@')
			host = c + 1;
	const char *he = host;
	while (he < p && *he != ':')
		he++;
	/* A host name, not running text that happens to lie between a "://"
	 * and a '/'. */
	for (const char *c = host; c < he; c++)
		if (!isalnum((unsigned char)*c) && *c != '.' && *c != '-' && *c != '_' && *c != '[' && *c != ']')
			return false;
	const char *end = url_path_end(p);
	static const char *const paths[] = {"/services/", "/hooks/", "/webhook/", "/webhooks/", "/api/webhooks/"};
	bool hook = starts_ci(host, he, "hooks.") || contains_ci(host, (size_t)(he - host), "webhook") ||
		    (starts_ci(host, he, "api.telegram.org") && starts_ci(p, end, "/bot"));
	for (size_t i = 0; !hook && i < sizeof(paths) / sizeof(paths[0]); i++)
		hook = starts_ci(p, end, paths[i]);
	if (!hook || only_reference(p + 1, end))
		return false;
	return set_span(sp, text, p + 1, end, REDACT_WEBHOOK, host, (size_t)(he - host));
}

/* How a key is tied to its value. */
enum pair_form { FORM_EQ, FORM_JSON, FORM_BLOCK, FORM_FLOW, FORM_FLAG };

/* The end of an unquoted value of the given form starting at v. */
static const char *plain_value_end(const char *v, enum pair_form form)
{
	const char *c = v;
	switch (form) {
	case FORM_EQ:
	case FORM_JSON:
	case FORM_FLAG:
		while (!value_end(*c))
			c++;
		return c;
	case FORM_FLOW:
	case FORM_BLOCK:
		/* A plain YAML scalar: to the line's end or a comment; in a flow
		 * mapping also to the next ',', '}' or ']'. */
		while (*c && *c != '\n' && *c != '\r' && !(*c == '#' && c > v && blank(c[-1])) &&
		       !(form == FORM_FLOW && (*c == ',' || *c == '}' || *c == ']')))
			c++;
		while (c > v && blank(c[-1]))
			c--;
		return c;
	}
	return c;
}

/* KEY=VALUE, "KEY": VALUE, KEY: VALUE (YAML) or --KEY VALUE with a secret
 * KEY starting at p: the value. */
static bool key_value(const char *text, const char *p, struct redact_span *sp)
{
	if (p > text && ident_char(p[-1]))
		return false;
	const char *k = p;
	while (ident_char(*k))
		k++;
	size_t kl = (size_t)(k - p);
	if (!redact_secret_key(p, kl))
		return false;
	bool quoted_key = p > text && (p[-1] == '"' || p[-1] == '\'');
	const char *s = k;
	if (quoted_key && *s == p[-1])
		s++;
	while (blank(*s))
		s++;
	enum pair_form form;
	if (*s == '=') {
		form = FORM_EQ;
	} else if (*s == ':' && (quoted_key || blank(s[1]))) {
		if (quoted_key)
			form = FORM_JSON;
		else if (at_line_start(text, p))
			form = FORM_BLOCK;
		else if (in_flow(text, p))
			form = FORM_FLOW;
		else
			return false;
	} else if (p[0] == '-' && p[1] == '-' && s > k && *s && *s != '-' && *s != '\n' && *s != '\r') {
		form = FORM_FLAG;
		s--; /* the blank stands for the separator */
	} else {
		return false;
	}
	s++;
	while (blank(*s))
		s++;
	const char *v = s;
	if (*v == '"' || *v == '\'') {
		char q = *v;
		const char *c = v + 1;
		while (*c && *c != '\n' && (*c != q || (q == '\'' && c[1] == '\''))) {
			/* YAML's '' in single quotes, and a backslash escape
			 * (YAML double quotes, libpq, shells), are no end. */
			if ((*c == '\\' && c[1] && c[1] != '\n') || (*c == '\'' && q == '\''))
				c++;
			c++;
		}
		if (is_reference(v + 1, c))
			return false;
		return set_span(sp, text, v + 1, c, REDACT_KEY_VALUE, p, kl);
	}
	if ((form == FORM_BLOCK || form == FORM_FLOW) && (*v == '|' || *v == '>'))
		return false; /* a block scalar: its text is on the next lines */
	if ((form == FORM_BLOCK || form == FORM_FLOW) && (*v == '{' || *v == '[')) {
		/* A collection where a secret was expected (password: [x]) is
		 * covered inside its brackets, to the matching one on the line. */
		const char *c = v;
		int depth = 0;
		for (; *c && *c != '\n' && *c != '\r'; c++) {
			depth += *c == '{' || *c == '[';
			depth -= *c == '}' || *c == ']';
			if (depth == 0)
				break;
		}
		if (only_reference(v + 1, c))
			return false;
		return set_span(sp, text, v + 1, c, REDACT_KEY_VALUE, p, kl);
	}
	const char *c = plain_value_end(v, form);
	/* After Authorization the scheme is no secret: Authorization: Bearer ***. */
	static const char *const schemes[] = {"Bearer", "Basic", "Token", "Digest"};
	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		size_t n = strlen(schemes[i]);
		if ((size_t)(c - v) > n + 1 && strncasecmp(v, schemes[i], n) == 0 && blank(v[n])) {
			v += n;
			while (v < c && blank(*v))
				v++;
			break;
		}
	}
	/* "${NAME}" holds a '}', which ends a plain value: step over it. */
	const char *r = ref_end(v);
	if (c < r)
		c = plain_value_end(r, form);
	if (c < r)
		c = r;
	if (is_reference(v, c))
		return false;
	return set_span(sp, text, v, c, REDACT_KEY_VALUE, p, kl);
}

/* "Bearer X" or "Basic X" at a word start. */
static bool auth_scheme(const char *text, const char *p, struct redact_span *sp)
{
	static const char *const schemes[] = {"Bearer", "Basic"};
	if (p > text && ident_char(p[-1]))
		return false;
	for (size_t i = 0; i < 2; i++) {
		size_t n = strlen(schemes[i]);
		if (strncasecmp(p, schemes[i], n) != 0 || !blank(p[n]))
			continue;
		const char *v = p + n;
		while (blank(*v))
			v++;
		const char *c = v;
		while (!value_end(*c))
			c++;
		/* Credentials are long; a short word after "bearer" is prose
		 * ("a bearer token needs ..."). */
		if (c - v < 8 || only_reference(v, c))
			return false;
		return set_span(sp, text, v, c, REDACT_AUTH, NULL, 0);
	}
	return false;
}

/* A JSON Web Token at p: eyJ... '.' eyJ... '.' signature. */
static const char *jwt_end(const char *p)
{
	const char *c = p;
	for (int part = 0; part < 3; part++) {
		if (part < 2 && strncmp(c, "eyJ", 3) != 0)
			return NULL;
		const char *s = c;
		while (tok_char(*c))
			c++;
		if (c - s < 8 && part < 2)
			return NULL;
		if (part < 2) {
			if (*c != '.')
				return NULL;
			c++;
		}
	}
	return c;
}

/* A word that looks like a credential whatever holds it. */
static bool cred_token(const char *text, const char *p, struct redact_span *sp)
{
	if (p > text && (tok_char(p[-1]) || p[-1] == '.'))
		return false;
	const char *e = jwt_end(p);
	if (e)
		return set_span(sp, text, p, e, REDACT_TOKEN, NULL, 0);
	e = p;
	bool up = false, low = false, dig = false;
	while (tok_char(*e)) {
		up |= isupper((unsigned char)*e) != 0;
		low |= islower((unsigned char)*e) != 0;
		dig |= isdigit((unsigned char)*e) != 0;
		e++;
	}
	size_t n = (size_t)(e - p);
	if (n < 16)
		return false;
	/* A secret-bearing key names a secret and is none (its value is). */
	const char *ke = e;
	while (ident_char(*ke))
		ke++;
	if ((*ke == '=' || *ke == ':') && redact_secret_key(p, (size_t)(ke - p)))
		return false;
	for (size_t i = 0; i < sizeof(token_prefixes) / sizeof(token_prefixes[0]); i++) {
		size_t k = strlen(token_prefixes[i].prefix);
		if (n >= token_prefixes[i].min && strncmp(p, token_prefixes[i].prefix, k) == 0)
			return set_span(sp, text, p, e, REDACT_TOKEN, NULL, 0);
	}
	if (n == 20 && (strncmp(p, "AKIA", 4) == 0 || strncmp(p, "ASIA", 4) == 0) && !low)
		return set_span(sp, text, p, e, REDACT_TOKEN, NULL, 0);
	/* A label of a dotted name (a host) is not a token by its looks alone. */
	if (n >= GENERIC_TOKEN_MIN && up && low && dig && !(*e == '.' && ident_char(e[1])))
		return set_span(sp, text, p, e, REDACT_TOKEN, NULL, 0);
	return false;
}

bool redact_next(const char *text, size_t from, const char *const *secrets, struct redact_span *sp)
{
	if (!text)
		return false;
	for (const char *p = text + from; *p; p++) {
		for (const char *const *s = secrets; s && *s; s++) {
			size_t n = strlen(*s);
			if (n >= REDACT_MIN_LITERAL && strncmp(p, *s, n) == 0)
				return set_span(sp, text, p, p + n, REDACT_LITERAL, NULL, 0);
		}
		if (p[0] == ':' && p[1] == '/' && p[2] == '/' && url_userinfo(text, p, sp))
			return true;
		if (p[0] == '/' && webhook_path(text, p, sp))
			return true;
		if (ident_char(*p) && key_value(text, p, sp))
			return true;
		if ((*p == 'B' || *p == 'b') && auth_scheme(text, p, sp))
			return true;
		if (tok_char(*p) && cred_token(text, p, sp))
			return true;
	}
	return false;
}

/* Append a secret's stand-in: the mask, or one '*' a character. */
static int put_mask(struct strbuf *out, const char *s, size_t n, bool aligned)
{
	if (!aligned)
		return strbuf_puts(out, REDACT_MASK);
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\t')
			rc = strbuf_puts(out, "\t");
		else if ((c & 0xC0) != 0x80) /* a UTF-8 continuation byte adds no column */
			rc = strbuf_puts(out, "*");
	}
	return rc;
}

static int mask_all(struct strbuf *out, const char *text, const char *const *secrets, bool aligned)
{
	if (!text)
		return 0;
	int rc = 0;
	size_t pos = 0;
	struct redact_span sp;
	while (!rc && redact_next(text, pos, secrets, &sp)) {
		rc = strbuf_append(out, text + pos, sp.start - pos);
		if (!rc)
			rc = put_mask(out, text + sp.start, sp.end - sp.start, aligned);
		pos = sp.end;
	}
	if (!rc)
		rc = strbuf_puts(out, text + pos);
	return rc;
}

int redact_append(struct strbuf *out, const char *text, const char *const *secrets)
{
	return mask_all(out, text, secrets, false);
}

int redact_append_aligned(struct strbuf *out, const char *text, const char *const *secrets)
{
	return mask_all(out, text, secrets, true);
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

/* Append s (n bytes) to a variable name: upper case, '_' for anything
 * else, no '_' doubled or leading. */
static void var_append(char *var, const char *s, size_t n)
{
	size_t j = strlen(var);
	for (size_t i = 0; i < n && j + 1 < REDACT_VAR_MAX; i++) {
		unsigned char c = (unsigned char)s[i];
		if (isalnum(c))
			var[j++] = (char)toupper(c);
		else if (j > 0 && var[j - 1] != '_')
			var[j++] = '_';
	}
	var[j] = '\0';
}

/* PREFIX_NAME for a span, and what held it. */
static void ref_name(const char *text, const struct redact_span *sp, const char *prefix, struct redact_ref *r)
{
	const char *name = text + sp->name;
	int nl = (int)sp->name_len;
	r->var[0] = '\0';
	var_append(r->var, prefix, strlen(prefix));
	if (r->var[0] && r->var[strlen(r->var) - 1] != '_')
		var_append(r->var, "_", 1);
	switch (sp->kind) {
	case REDACT_KEY_VALUE:
		var_append(r->var, name, sp->name_len);
		snprintf(r->what, sizeof(r->what), "the value of %.*s", nl, name);
		break;
	case REDACT_URL_PASSWORD:
		var_append(r->var, name, sp->name_len);
		var_append(r->var, "_PASSWORD", 9);
		snprintf(r->what, sizeof(r->what), "the password of the URL to %.*s", nl, name);
		break;
	case REDACT_WEBHOOK:
		var_append(r->var, "WEBHOOK", 7);
		snprintf(r->what, sizeof(r->what), "the path of the webhook URL to %.*s", nl, name);
		break;
	case REDACT_AUTH:
		var_append(r->var, "TOKEN", 5);
		snprintf(r->what, sizeof(r->what), "the credentials after Bearer or Basic");
		break;
	case REDACT_TOKEN:
		var_append(r->var, "TOKEN", 5);
		snprintf(r->what, sizeof(r->what), "a credential-looking token");
		break;
	case REDACT_LITERAL:
		var_append(r->var, "SECRET", 6);
		snprintf(r->what, sizeof(r->what), "a known secret");
		break;
	}
	size_t l = strlen(r->var);
	while (l > 0 && r->var[l - 1] == '_')
		r->var[--l] = '\0';
	/* A name starts with a letter or '_'. */
	if (!r->var[0] || isdigit((unsigned char)r->var[0])) {
		if (l + 2 > REDACT_VAR_MAX)
			l = REDACT_VAR_MAX - 2;
		memmove(r->var + 1, r->var, l);
		r->var[0] = '_';
		r->var[l + 1] = '\0';
	}
}

int redact_refs(const char *text, const char *prefix, struct strbuf *out, struct redact_ref **refs, size_t *n)
{
	*refs = NULL;
	*n = 0;
	if (!text)
		return 0;
	int rc = 0;
	size_t pos = 0, cap = 0;
	struct redact_span sp;
	/* Where each variable's value is in text, to give a repeated secret
	 * the same variable. */
	struct redact_span *seen = NULL;
	while (!rc && redact_next(text, pos, NULL, &sp)) {
		/* A '$' just before would make "$${VAR}", Compose's literal: it
		 * goes with the secret. */
		while (sp.start > pos && text[sp.start - 1] == '$')
			sp.start--;
		rc = strbuf_append(out, text + pos, sp.start - pos);
		pos = sp.end;
		if (rc)
			break;
		size_t len = sp.end - sp.start, k;
		for (k = 0; k < *n; k++)
			if (seen[k].end - seen[k].start == len && memcmp(text + seen[k].start, text + sp.start, len) == 0)
				break;
		if (k == *n) {
			struct redact_ref r;
			ref_name(text, &sp, prefix ? prefix : "", &r);
			char base[REDACT_VAR_MAX];
			memcpy(base, r.var, sizeof(base));
			for (unsigned suffix = 2;; suffix++) {
				size_t j;
				for (j = 0; j < *n && strcmp((*refs)[j].var, r.var) != 0; j++)
					;
				if (j == *n)
					break;
				snprintf(r.var, sizeof(r.var), "%.*s_%u", REDACT_VAR_MAX - 12, base, suffix);
			}
			if (*n == cap) {
				cap = cap ? cap * 2 : 4;
				*refs = xreallocarray(*refs, cap, sizeof(**refs));
				seen = xreallocarray(seen, cap, sizeof(*seen));
			}
			(*refs)[*n] = r;
			seen[(*n)++] = sp;
		}
		rc = strbuf_printf(out, "${%s}", (*refs)[k].var);
	}
	if (!rc)
		rc = strbuf_puts(out, text + pos);
	free(seen);
	return rc;
}

/* The length of a variable name at p: a letter or '_', then letters, digits, '_'. */
static size_t name_len(const char *p)
{
	size_t n = 0;
	if (!(isalpha((unsigned char)*p) || *p == '_'))
		return 0;
	while (isalnum((unsigned char)p[n]) || p[n] == '_')
		n++;
	return n;
}

size_t redact_ref_names(const char *text, char ***names)
{
	*names = NULL;
	size_t n = 0;
	for (const char *p = text; p && *p; p++) {
		if (p[0] != '$')
			continue;
		if (p[1] == '$') {
			p++;
			continue;
		}
		const char *s = p + 1;
		bool braced = *s == '{';
		s += braced;
		size_t l = name_len(s);
		if (!l || (braced && s[l] != '}'))
			continue;
		size_t k;
		for (k = 0; k < n && !(strlen((*names)[k]) == l && memcmp((*names)[k], s, l) == 0); k++)
			;
		if (k == n) {
			*names = xreallocarray(*names, n + 1, sizeof(**names));
			(*names)[n++] = xstrndup(s, l);
		}
		p = s + l - 1 + braced;
	}
	return n;
}
