/* doc.h - a small document (headings, paragraphs, lists, tables, charts)
 * built once and written as Markdown or as one self-contained HTML page.
 *
 * Design note. The Markdown scaling strategy and the HTML report say the
 * same things; building the content once and writing it twice keeps them
 * from drifting. A document is a list of blocks; the text of paragraphs
 * and list items is a run of spans (plain, code, strong, link). Every text
 * is escaped for its target when written: Markdown's punctuation with a
 * backslash, HTML's with entities (svg_escape()). Charts are drawn when
 * added, twice: a standalone SVG file for Markdown (linked by a relative
 * path, so a Git forge shows it) and an inline SVG for the page.
 *
 * The page carries its own style (light and dark, print) and no script
 * unless one is given; nothing is loaded from anywhere. */
#ifndef HR_DOC_H
#define HR_DOC_H

#include <stdbool.h>
#include <stddef.h>

#include "render/svg.h"
#include "util/error.h"
#include "util/strbuf.h"

/** A document (opaque). */
struct doc;

/** A new empty document; free with doc_free(). */
struct doc *doc_new(void);
/** Free a document. NULL is a no-op. */
void doc_free(struct doc *d);

/**
 * A heading (level 1 to 4). id (NULL: none) is the HTML anchor, [a-z0-9-];
 * level 2 headings with an id make the page's table of contents.
 */
void doc_heading(struct doc *d, int level, const char *id, const char *text);

/** Start a paragraph; spans follow until the next block. */
void doc_para(struct doc *d);
/** Start a list item (consecutive items make one list); spans follow. */
void doc_item(struct doc *d);
/** A muted small paragraph (a note, the generator line); spans follow. */
void doc_note(struct doc *d);
/** Plain text in the current paragraph or item (copied). */
void doc_text(struct doc *d, const char *text);
/** printf-style plain text. */
void doc_textf(struct doc *d, const char *fmt, ...) HR_PRINTF(2, 3);
/** Code (a key, a metric, a command). */
void doc_code(struct doc *d, const char *text);
/** Strong text. */
void doc_strong(struct doc *d, const char *text);
/** A link to a page anchor ("#roadmap") or a relative path. */
void doc_link(struct doc *d, const char *text, const char *href);

/**
 * Start a table of ncols columns with these headers (copied); right[c]
 * right-aligns column c (numbers). Rows follow with doc_row().
 */
void doc_table(struct doc *d, size_t ncols, const char *const *headers, const bool *right);
/** A row of the current table: ncols cells (copied; NULL prints empty). */
void doc_row(struct doc *d, const char *const *cells);

/**
 * A chart, drawn now: name makes the Markdown file name (PREFIX-name.svg)
 * and must be [a-z0-9-]; the chart's id is set from it. comment is the
 * standalone file's first line (the generator).
 * @return 0, or an error of svg_render().
 */
HR_NODISCARD int doc_chart(struct doc *d, const char *name, const struct svg_chart *c, const char *comment);

/**
 * Markdown (GitHub-flavoured: pipe tables).
 * @param chart_prefix the charts' file names start with it ("scaling-" for
 *        scaling-cost.svg, beside the Markdown); NULL: charts are left out
 *        and a note says how to get them.
 * @return 0 or HR_E_TOO_LARGE.
 */
HR_NODISCARD int doc_render_md(const struct doc *d, const char *chart_prefix, struct strbuf *out);

/** How many charts the document has. */
size_t doc_chart_count(const struct doc *d);
/** Chart i as a standalone SVG file: its name ("cost") and text; borrowed from d. */
void doc_chart_file(const struct doc *d, size_t i, const char **name, const char **svg);

/**
 * One self-contained HTML page: the document, its style inline (light,
 * dark, print, 390 px wide screens), the charts inline.
 * @param title the page's <title>.
 * @param generator the <meta name="generator"> content ("headroom 0.1.0").
 * @param script NULL, or JavaScript placed inline at the end of the body.
 * @return 0 or HR_E_TOO_LARGE.
 */
HR_NODISCARD int doc_render_html(const struct doc *d, const char *title, const char *generator, const char *script,
				 struct strbuf *out);

/** The page's CSS (without the charts'), for pages built around a document fragment. */
HR_NODISCARD int doc_style(struct strbuf *out);

/**
 * The document's blocks as HTML, without <html>, <head> or the style: for
 * a page that replaces part of itself (the agent's dashboard).
 * @return 0 or HR_E_TOO_LARGE.
 */
HR_NODISCARD int doc_render_html_body(const struct doc *d, struct strbuf *out);

#endif
