/* doc.c - a document written as Markdown or HTML (see doc.h). */
#include "render/doc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

enum block_kind { B_HEADING, B_PARA, B_ITEM, B_NOTE, B_TABLE, B_CHART };
enum span_kind { S_TEXT, S_CODE, S_STRONG, S_LINK };

struct span {
	enum span_kind kind;
	char *text;
	char *href;
};

struct block {
	enum block_kind kind;
	int level;
	char *id, *text;
	struct span *spans;
	size_t n_spans;
	size_t ncols, nrows;
	char **cells; /* headers first, then rows, ncols each */
	bool *right;
	char *name, *title, *svg_inline, *svg_narrow, *svg_file;
};

struct doc {
	struct block *b;
	size_t n, cap;
};

struct doc *doc_new(void)
{
	return xcalloc(1, sizeof(struct doc));
}

void doc_free(struct doc *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++) {
		struct block *b = &d->b[i];
		free(b->id);
		free(b->text);
		for (size_t k = 0; k < b->n_spans; k++) {
			free(b->spans[k].text);
			free(b->spans[k].href);
		}
		free(b->spans);
		for (size_t k = 0; k < b->ncols * (b->nrows + 1); k++)
			free(b->cells[k]);
		free(b->cells);
		free(b->right);
		free(b->name);
		free(b->title);
		free(b->svg_inline);
		free(b->svg_narrow);
		free(b->svg_file);
	}
	free(d->b);
	free(d);
}

static struct block *add_block(struct doc *d, enum block_kind kind)
{
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 32;
		d->b = xreallocarray(d->b, d->cap, sizeof(*d->b));
	}
	struct block *b = &d->b[d->n++];
	memset(b, 0, sizeof(*b));
	b->kind = kind;
	return b;
}

void doc_heading(struct doc *d, int level, const char *id, const char *text)
{
	struct block *b = add_block(d, B_HEADING);
	b->level = level < 1 ? 1 : level > 4 ? 4 : level;
	b->id = id ? xstrdup(id) : NULL;
	b->text = xstrdup(text ? text : "");
}

void doc_para(struct doc *d)
{
	add_block(d, B_PARA);
}

void doc_item(struct doc *d)
{
	add_block(d, B_ITEM);
}

void doc_note(struct doc *d)
{
	add_block(d, B_NOTE);
}

static void add_span(struct doc *d, enum span_kind kind, const char *text, const char *href)
{
	if (!d->n || (d->b[d->n - 1].kind != B_PARA && d->b[d->n - 1].kind != B_ITEM && d->b[d->n - 1].kind != B_NOTE))
		doc_para(d);
	struct block *b = &d->b[d->n - 1];
	if ((b->n_spans & (b->n_spans - 1)) == 0) /* grow at powers of two */
		b->spans = xreallocarray(b->spans, b->n_spans ? b->n_spans * 2 : 1, sizeof(*b->spans));
	b->spans[b->n_spans++] = (struct span){kind, xstrdup(text ? text : ""), href ? xstrdup(href) : NULL};
}

void doc_text(struct doc *d, const char *text)
{
	add_span(d, S_TEXT, text, NULL);
}

void doc_textf(struct doc *d, const char *fmt, ...)
{
	va_list ap, ap2;
	va_start(ap, fmt);
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *s = xmalloc(n > 0 ? (size_t)n + 1 : 1);
	s[0] = 0;
	if (n > 0)
		vsnprintf(s, (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	add_span(d, S_TEXT, s, NULL);
	free(s);
}

void doc_code(struct doc *d, const char *text)
{
	add_span(d, S_CODE, text, NULL);
}

void doc_strong(struct doc *d, const char *text)
{
	add_span(d, S_STRONG, text, NULL);
}

void doc_link(struct doc *d, const char *text, const char *href)
{
	add_span(d, S_LINK, text, href);
}

void doc_table(struct doc *d, size_t ncols, const char *const *headers, const bool *right)
{
	struct block *b = add_block(d, B_TABLE);
	b->ncols = ncols;
	b->cells = xcalloc(ncols, sizeof(char *));
	b->right = xcalloc(ncols, sizeof(bool));
	for (size_t c = 0; c < ncols; c++) {
		b->cells[c] = xstrdup(headers[c] ? headers[c] : "");
		b->right[c] = right && right[c];
	}
}

void doc_row(struct doc *d, const char *const *cells)
{
	if (!d->n || d->b[d->n - 1].kind != B_TABLE)
		return;
	struct block *b = &d->b[d->n - 1];
	b->nrows++;
	b->cells = xreallocarray(b->cells, b->ncols * (b->nrows + 1), sizeof(char *));
	for (size_t c = 0; c < b->ncols; c++)
		b->cells[b->nrows * b->ncols + c] = xstrdup(cells[c] ? cells[c] : "");
}

/* Chart sizes (viewBox): the page's and the files' 480 x 300, and 360 x 280
 * for a phone, where the wide one scaled to fit would shrink its text to
 * 8 px; both are in the page, CSS shows one. */
#define NARROW_W 360
#define NARROW_H 280

int doc_chart(struct doc *d, const char *name, const struct svg_chart *c, const char *comment)
{
	struct svg_chart k = *c;
	char nid[96];
	snprintf(nid, sizeof(nid), "%s-n", name);
	k.id = name;
	k.standalone = false;
	k.comment = NULL;
	struct strbuf a, nar, f;
	strbuf_init(&a, 0);
	strbuf_init(&nar, 0);
	strbuf_init(&f, 0);
	int rc = svg_render(&k, &a);
	if (!rc) {
		struct svg_chart kn = k;
		kn.id = nid;
		kn.width = NARROW_W;
		kn.height = NARROW_H;
		rc = svg_render(&kn, &nar);
	}
	k.standalone = true;
	k.comment = comment;
	if (!rc)
		rc = svg_render(&k, &f);
	if (rc) {
		strbuf_free(&a);
		strbuf_free(&nar);
		strbuf_free(&f);
		return rc;
	}
	struct block *b = add_block(d, B_CHART);
	b->name = xstrdup(name);
	b->title = xstrdup(c->title ? c->title : name);
	b->svg_inline = strbuf_take(&a);
	b->svg_narrow = strbuf_take(&nar);
	b->svg_file = strbuf_take(&f);
	return 0;
}

size_t doc_chart_count(const struct doc *d)
{
	size_t n = 0;
	for (size_t i = 0; i < d->n; i++)
		n += d->b[i].kind == B_CHART;
	return n;
}

void doc_chart_file(const struct doc *d, size_t i, const char **name, const char **svg)
{
	*name = *svg = NULL;
	for (size_t k = 0; k < d->n; k++) {
		if (d->b[k].kind != B_CHART)
			continue;
		if (i-- == 0) {
			*name = d->b[k].name;
			*svg = d->b[k].svg_file;
			return;
		}
	}
}

/* ------------------------------------------------------------ Markdown -- */

/* Text with CommonMark's punctuation escaped (a backslash before any ASCII
 * punctuation is literal, CommonMark 0.31 section 2.4); a line break becomes a space. */
static int md_text(struct strbuf *out, const char *s)
{
	int rc = 0;
	for (const char *p = s; *p && !rc; p++) {
		if (*p == '\n' || *p == '\r')
			rc = strbuf_puts(out, " ");
		else if (strchr("\\`*_[]<>|&~#", *p))
			rc = strbuf_printf(out, "\\%c", *p);
		else
			rc = strbuf_append(out, p, 1);
	}
	return rc;
}

/* A code span fenced by one more backtick than the text's longest run of them. */
static int md_code(struct strbuf *out, const char *s)
{
	size_t run = 0, longest = 0;
	for (const char *p = s; *p; p++) {
		run = *p == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	int rc = 0;
	for (size_t i = 0; i <= longest && !rc; i++)
		rc = strbuf_puts(out, "`");
	bool pad = longest > 0 || s[0] == ' ';
	if (!rc && pad)
		rc = strbuf_puts(out, " ");
	for (const char *p = s; *p && !rc; p++)
		rc = strbuf_append(out, *p == '\n' ? " " : p, 1);
	if (!rc && pad)
		rc = strbuf_puts(out, " ");
	for (size_t i = 0; i <= longest && !rc; i++)
		rc = strbuf_puts(out, "`");
	return rc;
}

/* A link target: the characters that would end it percent-encoded. */
static int md_href(struct strbuf *out, const char *s)
{
	int rc = 0;
	for (const char *p = s; *p && !rc; p++) {
		if (*p == ' ' || *p == '(' || *p == ')' || *p == '<' || *p == '>' || (unsigned char)*p < 0x20)
			rc = strbuf_printf(out, "%%%02X", (unsigned char)*p);
		else
			rc = strbuf_append(out, p, 1);
	}
	return rc;
}

static int md_spans(struct strbuf *out, const struct block *b)
{
	int rc = 0;
	for (size_t i = 0; i < b->n_spans && !rc; i++) {
		const struct span *s = &b->spans[i];
		switch (s->kind) {
		case S_TEXT:
			rc = md_text(out, s->text);
			break;
		case S_CODE:
			rc = md_code(out, s->text);
			break;
		case S_STRONG:
			rc = strbuf_puts(out, "**");
			if (!rc)
				rc = md_text(out, s->text);
			if (!rc)
				rc = strbuf_puts(out, "**");
			break;
		case S_LINK:
			rc = strbuf_puts(out, "[");
			if (!rc)
				rc = md_text(out, s->text);
			if (!rc)
				rc = strbuf_puts(out, "](");
			if (!rc)
				rc = md_href(out, s->href);
			if (!rc)
				rc = strbuf_puts(out, ")");
			break;
		}
	}
	return rc;
}

static int md_table(struct strbuf *out, const struct block *b)
{
	int rc = 0;
	for (size_t r = 0; r <= b->nrows && !rc; r++) {
		for (size_t c = 0; c < b->ncols && !rc; c++) {
			rc = strbuf_puts(out, c ? " | " : "| ");
			if (!rc)
				rc = md_text(out, b->cells[r * b->ncols + c]);
		}
		if (!rc)
			rc = strbuf_puts(out, " |\n");
		for (size_t c = 0; r == 0 && c < b->ncols && !rc; c++)
			rc = strbuf_puts(out, b->right[c] ? "| --: " : "| --- ");
		if (r == 0 && !rc)
			rc = strbuf_puts(out, "|\n");
	}
	return rc;
}

int doc_render_md(const struct doc *d, const char *chart_prefix, struct strbuf *out)
{
	int rc = 0;
	bool left_out = false;
	for (size_t i = 0; i < d->n && !rc; i++) {
		const struct block *b = &d->b[i];
		bool next_item = i + 1 < d->n && d->b[i + 1].kind == B_ITEM;
		switch (b->kind) {
		case B_HEADING:
			for (int k = 0; k < b->level && !rc; k++)
				rc = strbuf_puts(out, "#");
			if (!rc)
				rc = strbuf_puts(out, " ");
			if (!rc)
				rc = md_text(out, b->text);
			if (!rc)
				rc = strbuf_puts(out, "\n\n");
			break;
		case B_PARA:
		case B_NOTE:
			if (b->kind == B_NOTE)
				rc = strbuf_puts(out, "_");
			if (!rc)
				rc = md_spans(out, b);
			if (!rc && b->kind == B_NOTE)
				rc = strbuf_puts(out, "_");
			if (!rc)
				rc = strbuf_puts(out, "\n\n");
			break;
		case B_ITEM:
			rc = strbuf_puts(out, "- ");
			if (!rc)
				rc = md_spans(out, b);
			if (!rc)
				rc = strbuf_puts(out, next_item ? "\n" : "\n\n");
			break;
		case B_TABLE:
			rc = md_table(out, b);
			if (!rc)
				rc = strbuf_puts(out, "\n");
			break;
		case B_CHART:
			if (!chart_prefix) {
				left_out = true;
				break;
			}
			rc = strbuf_puts(out, "![");
			if (!rc)
				rc = md_text(out, b->title);
			if (!rc)
				rc = strbuf_puts(out, "](");
			if (!rc)
				rc = md_href(out, chart_prefix);
			if (!rc)
				rc = md_href(out, b->name);
			if (!rc)
				rc = strbuf_puts(out, ".svg)\n\n");
			break;
		}
	}
	if (!rc && left_out)
		rc = strbuf_puts(out, "_The charts are written as SVG files beside the document when it is written to "
				      "a file (-o FILE)._\n");
	return rc;
}

/* ---------------------------------------------------------------- HTML -- */

static int html_spans(struct strbuf *out, const struct block *b)
{
	int rc = 0;
	for (size_t i = 0; i < b->n_spans && !rc; i++) {
		const struct span *s = &b->spans[i];
		static const char *const open[] = {"", "<code>", "<strong>", "<a href=\""};
		static const char *const close[] = {"", "</code>", "</strong>", "</a>"};
		rc = strbuf_puts(out, open[s->kind]);
		if (!rc && s->kind == S_LINK) {
			rc = svg_escape(out, s->href);
			if (!rc)
				rc = strbuf_puts(out, "\">");
		}
		if (!rc)
			rc = svg_escape(out, s->text);
		if (!rc)
			rc = strbuf_puts(out, close[s->kind]);
	}
	return rc;
}

/* A cell's text with each word that holds a hyphen kept on one line
 * (s-1vcpu-2gb, cx22-ha): a narrow column breaks between words, not inside
 * a plan's name. The text is unchanged, so it copies as written. */
static int html_cell(struct strbuf *out, const char *text)
{
	int rc = 0;
	const char *p = text;
	while (*p && !rc) {
		size_t sp = strspn(p, " ");
		if (sp) {
			rc = strbuf_append(out, p, sp);
			p += sp;
			continue;
		}
		size_t len = strcspn(p, " ");
		bool keep = len > 1 && memchr(p, '-', len);
		char *word = xstrndup(p, len);
		if (keep)
			rc = strbuf_puts(out, "<span class=\"nb\">");
		if (!rc)
			rc = svg_escape(out, word);
		if (!rc && keep)
			rc = strbuf_puts(out, "</span>");
		free(word);
		p += len;
	}
	return rc;
}

static int html_table(struct strbuf *out, const struct block *b)
{
	int rc = strbuf_puts(out, "<div class=\"tw\"><table>\n<thead><tr>");
	for (size_t r = 0; r <= b->nrows && !rc; r++) {
		if (r == 1)
			rc = strbuf_puts(out, "<tbody>\n<tr>");
		else if (r > 1)
			rc = strbuf_puts(out, "<tr>");
		for (size_t c = 0; c < b->ncols && !rc; c++) {
			const char *tag = r == 0 ? "th" : "td";
			rc = strbuf_printf(out, "<%s%s>", tag, b->right[c] ? " class=\"r\"" : "");
			if (!rc)
				rc = html_cell(out, b->cells[r * b->ncols + c]);
			if (!rc)
				rc = strbuf_printf(out, "</%s>", tag);
		}
		if (!rc)
			rc = strbuf_puts(out, r == 0 ? "</tr></thead>\n" : "</tr>\n");
	}
	if (!rc)
		rc = strbuf_puts(out, b->nrows ? "</tbody></table></div>\n" : "</table></div>\n");
	return rc;
}

int doc_render_html_body(const struct doc *d, struct strbuf *out)
{
	int rc = 0;
	bool in_list = false, in_charts = false;
	for (size_t i = 0; i < d->n && !rc; i++) {
		const struct block *b = &d->b[i];
		if (in_list && b->kind != B_ITEM) {
			rc = strbuf_puts(out, "</ul>\n");
			in_list = false;
		}
		if (in_charts && b->kind != B_CHART && !rc) {
			rc = strbuf_puts(out, "</div>\n");
			in_charts = false;
		}
		if (rc)
			break;
		switch (b->kind) {
		case B_HEADING:
			rc = strbuf_printf(out, "<h%d", b->level);
			if (!rc && b->id) {
				rc = strbuf_puts(out, " id=\"");
				if (!rc)
					rc = svg_escape(out, b->id);
				if (!rc)
					rc = strbuf_puts(out, "\"");
			}
			if (!rc)
				rc = strbuf_puts(out, ">");
			if (!rc)
				rc = svg_escape(out, b->text);
			if (!rc)
				rc = strbuf_printf(out, "</h%d>\n", b->level);
			break;
		case B_PARA:
		case B_NOTE:
			rc = strbuf_puts(out, b->kind == B_NOTE ? "<p class=\"note\">" : "<p>");
			if (!rc)
				rc = html_spans(out, b);
			if (!rc)
				rc = strbuf_puts(out, "</p>\n");
			break;
		case B_ITEM:
			if (!in_list)
				rc = strbuf_puts(out, "<ul>\n");
			in_list = true;
			if (!rc)
				rc = strbuf_puts(out, "<li>");
			if (!rc)
				rc = html_spans(out, b);
			if (!rc)
				rc = strbuf_puts(out, "</li>\n");
			break;
		case B_TABLE:
			rc = html_table(out, b);
			break;
		case B_CHART:
			if (!in_charts)
				rc = strbuf_puts(out, "<div class=\"charts\">\n");
			in_charts = true;
			if (!rc)
				rc = strbuf_puts(out, "<figure class=\"chart\">\n<div class=\"cw\">\n");
			if (!rc)
				rc = strbuf_puts(out, b->svg_inline);
			if (!rc)
				rc = strbuf_puts(out, "</div>\n<div class=\"cn\">\n");
			if (!rc)
				rc = strbuf_puts(out, b->svg_narrow);
			if (!rc)
				rc = strbuf_puts(out, "</div>\n</figure>\n");
			break;
		}
	}
	if (!rc && in_list)
		rc = strbuf_puts(out, "</ul>\n");
	if (!rc && in_charts)
		rc = strbuf_puts(out, "</div>\n");
	return rc;
}

/* GitHub's Primer colours (github.com/primer/primitives), light and dark;
 * one column on a phone, charts two abreast from 1000 px; tables scroll
 * inside their own box rather than widen the page. */
static const char page_style[] =
	":root{color-scheme:light dark;--fg:#1f2328;--muted:#59636e;--bg:#ffffff;--card:#f6f8fa;--line:#d1d9e0;"
	"--accent:#0969da;--ok:#1a7f37;--warn:#9a6700;--crit:#cf222e;--unknown:#6e7781}\n"
	"@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9198a1;--bg:#0d1117;--card:#151b23;"
	"--line:#3d444d;--accent:#4493f8;--ok:#3fb950;--warn:#d29922;--crit:#f85149;--unknown:#9198a1}}\n"
	"*{box-sizing:border-box}\n"
	"body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,\"Segoe UI\","
	"Roboto,\"DejaVu Sans\",sans-serif;overflow-wrap:anywhere}\n"
	"main{max-width:1180px;margin:0 auto;padding:16px}\n"
	"h1{font-size:1.6em;margin:.2em 0 .4em;line-height:1.25}\n"
	"h2{font-size:1.3em;margin:1.6em 0 .5em;padding-bottom:.2em;border-bottom:1px solid var(--line)}\n"
	"h3{font-size:1.1em;margin:1.2em 0 .4em}\n"
	"p,li{max-width:80ch}\n"
	"a{color:var(--accent)}\n"
	"code{font:.9em ui-monospace,SFMono-Regular,Menlo,Consolas,\"DejaVu Sans Mono\",monospace;"
	"background:var(--card);border-radius:4px;padding:.1em .3em}\n"
	".note{color:var(--muted);font-size:.9em}\n"
	"nav.toc{font-size:.92em;margin:.5em 0 1em}\n"
	"nav.toc a{display:inline-block;margin:0 .9em .3em 0;white-space:nowrap}\n"
	".tw{overflow-x:auto;margin:.6em 0 1em;border:1px solid var(--line);border-radius:6px;max-width:100%}\n"
	"table{border-collapse:collapse;font-size:.9em;font-variant-numeric:tabular-nums;width:100%}\n"
	"th,td{padding:.35em .6em;border-bottom:1px solid var(--line);text-align:left;vertical-align:top;"
	"overflow-wrap:normal}\n"
	"th{background:var(--card);font-weight:600;white-space:nowrap}\n"
	"tbody tr:last-child td{border-bottom:0}\n"
	"td.r,th.r{text-align:right;white-space:nowrap}\n"
	".nb{white-space:nowrap}\n"
	".charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,440px),1fr));gap:16px;margin:1em 0}\n"
	"figure.chart{margin:0;padding:8px;border:1px solid var(--line);border-radius:6px;background:var(--bg);"
	"min-width:0}\n"
	"figure.chart svg{display:block;width:100%;height:auto}\n"
	".cn{display:none}\n@media screen and (max-width:600px){.cw{display:none}.cn{display:block}}\n"
	".state{font-weight:600;white-space:nowrap}\n"
	".state-ok{color:var(--ok)}.state-warning{color:var(--warn)}.state-critical{color:var(--crit)}"
	".state-unknown{color:var(--unknown)}\n"
	"@media (max-width:600px){body{font-size:14px}main{padding:10px}h1{font-size:1.35em}figure.chart{padding:4px}"
	"th,td{padding:.3em .45em}}\n"
	"@media print{:root{--fg:#000;--muted:#444;--bg:#fff;--card:#f3f3f3;--line:#bbb}"
	".hr-chart{--hr-fg:#000;--hr-muted:#444;--hr-bg:#fff;--hr-grid:#ccc;--hr-band0:#f0f0f0;--hr-band1:#e4e4e4;"
	"--hr-band2:#f4efe4;--hr-band3:#e8f0e8;--hr-band4:#f0e8ef}"
	"body{font-size:10.5pt}main{max-width:none;padding:0}nav.toc{display:none}"
	".tw{overflow:visible;border:0}table{font-size:9pt}"
	"h2{break-after:avoid}figure.chart,tr{break-inside:avoid}"
	".charts{grid-template-columns:1fr 1fr}a{color:inherit;text-decoration:none}}\n";

int doc_style(struct strbuf *out)
{
	return strbuf_puts(out, page_style);
}

int doc_render_html(const struct doc *d, const char *title, const char *generator, const char *script,
		    struct strbuf *out)
{
	int rc = strbuf_puts(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
				  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
				  "<meta name=\"color-scheme\" content=\"light dark\">\n<meta name=\"generator\" content=\"");
	if (!rc)
		rc = svg_escape(out, generator);
	if (!rc)
		rc = strbuf_puts(out, "\">\n<title>");
	if (!rc)
		rc = svg_escape(out, title);
	if (!rc)
		rc = strbuf_puts(out, "</title>\n<style>\n");
	if (!rc)
		rc = doc_style(out);
	if (!rc)
		rc = svg_style(out);
	if (!rc)
		rc = strbuf_puts(out, "</style>\n</head>\n<body>\n<main>\n");
	/* the title, then a table of contents of the level-2 headings */
	size_t first = 0;
	if (!rc && d->n && d->b[0].kind == B_HEADING && d->b[0].level == 1) {
		rc = strbuf_puts(out, "<h1>");
		if (!rc)
			rc = svg_escape(out, d->b[0].text);
		if (!rc)
			rc = strbuf_puts(out, "</h1>\n");
		first = 1;
	}
	/* the generator line stays under the title */
	for (; !rc && first < d->n && d->b[first].kind == B_NOTE; first++) {
		rc = strbuf_puts(out, "<p class=\"note\">");
		if (!rc)
			rc = html_spans(out, &d->b[first]);
		if (!rc)
			rc = strbuf_puts(out, "</p>\n");
	}
	bool toc = false;
	for (size_t i = first; i < d->n && !rc; i++) {
		const struct block *b = &d->b[i];
		if (b->kind != B_HEADING || b->level != 2 || !b->id)
			continue;
		if (!toc)
			rc = strbuf_puts(out, "<nav class=\"toc\" aria-label=\"Contents\">");
		toc = true;
		if (!rc)
			rc = strbuf_puts(out, "<a href=\"#");
		if (!rc)
			rc = svg_escape(out, b->id);
		if (!rc)
			rc = strbuf_puts(out, "\">");
		if (!rc)
			rc = svg_escape(out, b->text);
		if (!rc)
			rc = strbuf_puts(out, "</a>");
	}
	if (!rc && toc)
		rc = strbuf_puts(out, "</nav>\n");
	if (!rc) {
		struct doc rest = {.b = d->b + first, .n = d->n - first};
		rc = doc_render_html_body(&rest, out);
	}
	if (!rc)
		rc = strbuf_puts(out, "</main>\n");
	if (!rc && script) {
		rc = strbuf_puts(out, "<script>\n");
		if (!rc)
			rc = strbuf_puts(out, script);
		if (!rc)
			rc = strbuf_puts(out, "\n</script>\n");
	}
	if (!rc)
		rc = strbuf_puts(out, "</body>\n</html>\n");
	return rc;
}
