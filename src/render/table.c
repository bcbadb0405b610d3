/* table.c - aligned text tables, widths in displayed characters (see table.h). */
#include "render/table.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

struct table {
	size_t ncols;
	size_t nrows; /* rows including the header at index 0 */
	size_t cap;
	char **cells; /* nrows * ncols */
	bool *right;
};

size_t table_text_width(const char *s)
{
	size_t w = 0;
	for (; *s; s++) {
		/* An ANSI control sequence (colour) takes no column: ESC '[' then
		 * parameters up to a final byte in 0x40-0x7E (ECMA-48, 5.4). */
		if (s[0] == '\033' && s[1] == '[') {
			s += 2;
			while (*s && !(*s >= 0x40 && *s <= 0x7E))
				s++;
			if (!*s)
				break;
			continue;
		}
		if (((unsigned char)*s & 0xC0) != 0x80) /* count lead bytes only */
			w++;
	}
	return w;
}

static void push_row(struct table *t, const char *const *cells)
{
	if (t->nrows == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->cells = xreallocarray(t->cells, t->cap * t->ncols, sizeof(char *));
	}
	for (size_t c = 0; c < t->ncols; c++)
		t->cells[t->nrows * t->ncols + c] = xstrdup(cells[c] ? cells[c] : "");
	t->nrows++;
}

struct table *table_new(size_t ncols, const char *const *headers)
{
	struct table *t = xcalloc(1, sizeof(*t));
	t->ncols = ncols;
	t->right = xcalloc(ncols, sizeof(bool));
	push_row(t, headers);
	return t;
}

void table_align_right(struct table *t, size_t col)
{
	if (col < t->ncols)
		t->right[col] = true;
}

void table_add_row(struct table *t, const char *const *cells)
{
	push_row(t, cells);
}

void table_add(struct table *t, ...)
{
	const char **cells = xcalloc(t->ncols, sizeof(char *));
	va_list ap;
	va_start(ap, t);
	for (size_t c = 0; c < t->ncols; c++)
		cells[c] = va_arg(ap, const char *);
	va_end(ap);
	push_row(t, cells);
	free(cells);
}

static int pad(struct strbuf *out, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strbuf_append(out, " ", 1))
			return HR_E_TOO_LARGE;
	return 0;
}

int table_render(const struct table *t, struct strbuf *out)
{
	size_t *w = xcalloc(t->ncols, sizeof(size_t));
	for (size_t r = 0; r < t->nrows; r++)
		for (size_t c = 0; c < t->ncols; c++) {
			size_t cw = table_text_width(t->cells[r * t->ncols + c]);
			if (cw > w[c])
				w[c] = cw;
		}
	int rc = 0;
	for (size_t r = 0; r < t->nrows && !rc; r++) {
		for (size_t c = 0; c < t->ncols && !rc; c++) {
			const char *s = t->cells[r * t->ncols + c];
			size_t gap = w[c] - table_text_width(s);
			bool last = c + 1 == t->ncols;
			if (t->right[c])
				rc = pad(out, gap);
			if (!rc)
				rc = strbuf_puts(out, s);
			if (!rc && !t->right[c] && !last)
				rc = pad(out, gap);
			if (!rc && !last)
				rc = strbuf_puts(out, "  ");
		}
		if (!rc)
			rc = strbuf_puts(out, "\n");
		if (r == 0 && !rc) {
			for (size_t c = 0; c < t->ncols && !rc; c++) {
				for (size_t i = 0; i < w[c] && !rc; i++)
					rc = strbuf_puts(out, "-");
				if (!rc && c + 1 < t->ncols)
					rc = strbuf_puts(out, "  ");
			}
			if (!rc)
				rc = strbuf_puts(out, "\n");
		}
	}
	free(w);
	return rc;
}

void table_free(struct table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t->right);
	free(t);
}
