#include "util/diag.h"

#include <string.h>

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
		// A full memory sink drops text rather than failing its caller.
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

void diag_vat(struct diag *d, enum diag_level lvl, const struct diag_loc *loc,
	      const char *fmt, va_list ap)
{
	if (!count(d, lvl))
		return;
	struct strbuf sb;
	strbuf_init(&sb, 1 << 16);
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
		rc = strbuf_vprintf(&sb, fmt, ap);
	if (!rc)
		rc = strbuf_puts(&sb, "\n");
	if (!rc && d->show_source && loc && loc->src_line) {
		size_t n = strcspn(loc->src_line, "\r\n");
		rc = strbuf_printf(&sb, "    %.*s\n    ", (int)n, loc->src_line);
		// A column past the line's end (a problem found at end of input) must
		// not read past it: pad with spaces from there.
		for (int i = 1; !rc && i < loc->col; i++)
			rc = strbuf_puts(&sb, (size_t)(i - 1) < n && loc->src_line[i - 1] == '\t' ? "\t" : " ");
		if (!rc)
			rc = strbuf_puts(&sb, "^");
		for (int i = 1; !rc && i < loc->span; i++)
			rc = strbuf_puts(&sb, "~");
		if (!rc)
			rc = strbuf_puts(&sb, "\n");
	}
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
