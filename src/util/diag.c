/* diag.c - the diagnostics sink: messages to a stream or to memory, with
 * the line and caret of a located error, masked and capped (see diag.h). */
#include "util/diag.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/redact.h"
#include "util/xalloc.h"

void diag_init_file(struct diag *d, FILE *fp, const char *prog)
{
	memset(d, 0, sizeof(*d));
	d->fp = fp;
	d->prog = prog;
	d->max_errors = 20;
}

void diag_init_mem(struct diag *d, struct strbuf *mem)
{
	memset(d, 0, sizeof(*d));
	d->mem = mem;
	d->prog = "headroom";
	d->max_errors = 20;
}

static void emit(struct diag *d, const char *s, size_t n)
{
	if (d->fp) {
		fwrite(s, 1, n, d->fp);
		fflush(d->fp);
	} else if (d->mem) {
		/* A full memory sink drops text rather than failing its caller. */
		if (strbuf_append(d->mem, s, n) != 0)
			return;
	}
}

static const char *level_name(enum diag_level lvl)
{
	switch (lvl) {
	case DIAG_ERROR: return "error";
	case DIAG_WARNING: return "warning";
	case DIAG_NOTE: return "note";
	}
	return "error";
}

static bool count(struct diag *d, enum diag_level lvl)
{
	if (lvl == DIAG_ERROR) {
		d->nerrors++;
		if (d->max_errors && d->nerrors == d->max_errors + 1) {
			const char *m = "too many errors; stopping here\n";
			emit(d, m, strlen(m));
		}
		return !d->max_errors || d->nerrors <= d->max_errors;
	}
	if (lvl == DIAG_WARNING)
		d->nwarnings++;
	return true;
}

/* The message proper is at most this many bytes: text echoed from input (a
 * 100 kB -H value) must shorten the message, not replace it by nothing. */
#define DIAG_MSG_MAX 2048

/* Append msg on one line: input quoted in a message may hold line breaks or
 * terminal escapes, which are shown as \n, \r, \xNN. */
static int put_one_line(struct strbuf *sb, const char *msg)
{
	int rc = 0;
	for (const unsigned char *p = (const unsigned char *)msg; *p && !rc; p++) {
		if (*p == '\n')
			rc = strbuf_puts(sb, "\\n");
		else if (*p == '\r')
			rc = strbuf_puts(sb, "\\r");
		else if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
			rc = strbuf_printf(sb, "\\x%02x", *p);
		else
			rc = strbuf_append(sb, p, 1);
	}
	return rc;
}

/* The source line and a caret under loc, or nothing when they do not fit. */
static int put_source(struct strbuf *out, const struct diag_loc *loc)
{
	struct strbuf sb;
	strbuf_init(&sb, 1 << 16);
	size_t n = strcspn(loc->src_line, "\r\n");
	/* The line may hold a credential (a token in a flow mapping, a DSN, a
	 * webhook URL): each character of a secret is shown as '*', so the
	 * caret below keeps its column (util/redact.h has the rule). */
	char *line = xstrndup(loc->src_line, n);
	int rc = strbuf_puts(&sb, "    ");
	if (!rc)
		rc = redact_append_aligned(&sb, line, NULL);
	free(line);
	if (!rc)
		rc = strbuf_puts(&sb, "\n    ");
	/* A column past the line's end (a problem found at end of input) must
	 * not read past it: pad with spaces from there. */
	for (int i = 1; !rc && i < loc->col; i++)
		rc = strbuf_puts(&sb, (size_t)(i - 1) < n && loc->src_line[i - 1] == '\t' ? "\t" : " ");
	if (!rc)
		rc = strbuf_puts(&sb, "^");
	for (int i = 1; !rc && i < loc->span; i++)
		rc = strbuf_puts(&sb, "~");
	if (!rc)
		rc = strbuf_puts(&sb, "\n");
	if (!rc)
		rc = strbuf_append(out, strbuf_str(&sb), sb.len);
	strbuf_free(&sb);
	return rc;
}

void diag_vat(struct diag *d, enum diag_level lvl, const struct diag_loc *loc,
	      const char *fmt, va_list ap)
{
	if (!count(d, lvl))
		return;
	char msg[DIAG_MSG_MAX];
	int len = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (len < 0) {
		snprintf(msg, sizeof(msg), "(the message could not be formatted)");
	} else if ((size_t)len >= sizeof(msg)) {
		/* Cut at a character boundary, and say that it was cut. */
		size_t cut = sizeof(msg) - 4;
		while (cut > 0 && ((unsigned char)msg[cut] & 0xC0) == 0x80)
			cut--;
		memcpy(msg + cut, "...", 4);
	}
	/* The message is bounded above (4 * DIAG_MSG_MAX escaped bytes), the
	 * prefix by the length of a path: the default cap always holds both. */
	struct strbuf sb;
	strbuf_init(&sb, 0);
	int rc = 0;
	if (loc && loc->file && loc->line > 0)
		rc = strbuf_printf(&sb, "%s:%d:%d: ", loc->file, loc->line, loc->col > 0 ? loc->col : 1);
	else if (loc && loc->file)
		rc = strbuf_printf(&sb, "%s: ", loc->file);
	else
		rc = strbuf_printf(&sb, "%s: ", d->prog ? d->prog : "headroom");
	if (!rc)
		rc = strbuf_printf(&sb, "%s: ", level_name(lvl));
	if (!rc)
		rc = put_one_line(&sb, msg);
	if (!rc) {
		/* Messages quote what they were given, which may be a DSN or a
		 * token: the whole line is masked, prefix included, so a key is
		 * never mistaken for the start of a YAML line. */
		char *safe = redact_dup(strbuf_str(&sb), NULL);
		strbuf_reset(&sb);
		rc = strbuf_puts(&sb, safe);
		free(safe);
	}
	if (!rc)
		rc = strbuf_puts(&sb, "\n");
	if (!rc && d->show_source && loc && loc->src_line)
		rc = put_source(&sb, loc);
	emit(d, strbuf_str(&sb), sb.len);
	strbuf_free(&sb);
}

void diag_at(struct diag *d, enum diag_level lvl, const struct diag_loc *loc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_vat(d, lvl, loc, fmt, ap);
	va_end(ap);
}

void diag_error(struct diag *d, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_vat(d, DIAG_ERROR, NULL, fmt, ap);
	va_end(ap);
}

void diag_warn(struct diag *d, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_vat(d, DIAG_WARNING, NULL, fmt, ap);
	va_end(ap);
}
