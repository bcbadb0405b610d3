/* yamlw.c - the small YAML writer: plain-or-quoted scalars, comments, the
 * config's units, and a writer that keeps its first error (see yamlw.h). */
#include "render/yamlw.h"

#include <ctype.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

bool yamlw_plain_ok(const char *s)
{
	if (!s || !*s)
		return false;
	/* Words YAML 1.1 (and so docker-compose's PyYAML) reads as booleans or null. */
	static const char *const words[] = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"};
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcasecmp(s, words[i]) == 0)
			return false;
	/* A leading digit, sign or dot may be a number, a float or a base-60 "80:80". */
	unsigned char c0 = (unsigned char)s[0];
	if (isdigit(c0) || c0 == '+' || c0 == '-' || c0 == '.')
		return false;
	/* Only letters, digits and a few punctuation marks no indicator begins. */
	if (!isalpha(c0) && c0 != '/' && c0 != '_' && c0 != '$')
		return false;
	size_t len = strlen(s);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (isalnum(c) || strchr("._/-@+=", c))
			continue;
		/* ':' is plain text unless a space or the end follows it. */
		if (c == ':' && i + 1 < len && s[i + 1] != ' ')
			continue;
		return false;
	}
	return true;
}

int yamlw_quoted(struct strbuf *out, const char *s)
{
	int rc = strbuf_puts(out, "\"");
	for (const unsigned char *p = (const unsigned char *)s; !rc && *p; p++) {
		switch (*p) {
		case '"': rc = strbuf_puts(out, "\\\""); break;
		case '\\': rc = strbuf_puts(out, "\\\\"); break;
		case '\n': rc = strbuf_puts(out, "\\n"); break;
		case '\t': rc = strbuf_puts(out, "\\t"); break;
		case '\r': rc = strbuf_puts(out, "\\r"); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				rc = strbuf_printf(out, "\\x%02x", *p);
			else
				rc = strbuf_append(out, p, 1);
		}
	}
	return rc ? rc : strbuf_puts(out, "\"");
}

int yamlw_str(struct strbuf *out, const char *s)
{
	return yamlw_plain_ok(s) ? strbuf_puts(out, s) : yamlw_quoted(out, s ? s : "");
}

int yamlw_comment(struct strbuf *out, int indent, const char *text)
{
	const char *p = text;
	int rc = 0;
	do {
		size_t len = strcspn(p, "\n");
		rc = strbuf_printf(out, "%*s#%s%.*s\n", indent, "", len ? " " : "", (int)len, p);
		p += len;
		if (*p == '\n')
			p++;
	} while (!rc && *p);
	return rc;
}

/* Is x a whole number, to a part in a million? */
static bool whole(double x)
{
	return fabs(x - round(x)) <= 1e-6 * (fabs(x) > 1 ? fabs(x) : 1);
}

char *yamlw_size(double b, char *buf, size_t n)
{
	static const struct { double mult; const char *unit; } u[] = {
		{1099511627776.0, "TiB"}, {1073741824.0, "GiB"}, {1048576.0, "MiB"}, {1024.0, "KiB"},
		{1e12, "TB"}, {1e9, "GB"}, {1e6, "MB"}, {1e3, "kB"},
	};
	for (size_t i = 0; b > 0 && i < sizeof(u) / sizeof(u[0]); i++) {
		if (b >= u[i].mult && whole(b / u[i].mult)) {
			snprintf(buf, n, "%.0f%s", round(b / u[i].mult), u[i].unit);
			return buf;
		}
	}
	snprintf(buf, n, "%.0fB", round(b));
	return buf;
}

char *yamlw_duration(double s, char *buf, size_t n)
{
	if (s >= 3600 && whole(s / 3600))
		snprintf(buf, n, "%.0fh", s / 3600);
	else if (s >= 60 && whole(s / 60))
		snprintf(buf, n, "%.0fm", s / 60);
	else if (s >= 1 && whole(s))
		snprintf(buf, n, "%.0fs", s);
	else
		snprintf(buf, n, "%gms", round(s * 1e6) / 1e3);
	return buf;
}

char *yamlw_rate(double r, char *buf, size_t n)
{
	if (r >= 1 || whole(r))
		snprintf(buf, n, "%g/s", r);
	else if (whole(r * 60))
		snprintf(buf, n, "%.0f/min", r * 60);
	else if (whole(r * 3600))
		snprintf(buf, n, "%.0f/h", r * 3600);
	else
		snprintf(buf, n, "%g/h", r * 3600);
	return buf;
}

void yw_printf(struct yamlw *w, const char *fmt, ...)
{
	if (w->rc)
		return;
	va_list ap;
	va_start(ap, fmt);
	w->rc = strbuf_vprintf(w->out, fmt, ap);
	va_end(ap);
}

void yw_str(struct yamlw *w, const char *s)
{
	if (!w->rc)
		w->rc = yamlw_str(w->out, s);
}

void yw_quoted(struct yamlw *w, const char *s)
{
	if (!w->rc)
		w->rc = yamlw_quoted(w->out, s);
}

void yw_kv(struct yamlw *w, int indent, const char *key, const char *s)
{
	yw_printf(w, "%*s%s: ", indent, "", key);
	yw_str(w, s);
	yw_printf(w, "\n");
}

void yw_kq(struct yamlw *w, int indent, const char *key, const char *s)
{
	yw_printf(w, "%*s%s: ", indent, "", key);
	yw_quoted(w, s);
	yw_printf(w, "\n");
}

void yw_comment(struct yamlw *w, int indent, const char *text)
{
	if (!w->rc)
		w->rc = yamlw_comment(w->out, indent, text);
}

void yw_kwords(struct yamlw *w, int indent, const char *key, const char *cmd)
{
	yw_printf(w, "%*s%s: [", indent, "", key);
	const char *p = cmd;
	bool first = true;
	while (*p) {
		while (*p == ' ')
			p++;
		size_t len = strcspn(p, " ");
		if (!len)
			break;
		char tok[1024];
		snprintf(tok, sizeof(tok), "%.*s", (int)(len < sizeof(tok) ? len : sizeof(tok) - 1), p);
		yw_printf(w, "%s", first ? "" : ", ");
		yw_quoted(w, tok);
		first = false;
		p += len;
	}
	yw_printf(w, "]\n");
}
