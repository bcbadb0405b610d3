/* table.h - aligned text tables for the terminal.
 *
 * Build a table row by row, then render it into a strbuf. Column widths are
 * measured in displayed characters (UTF-8 aware, so "€15.00" lines up), numbers
 * are right-aligned when the column is marked so. */
#ifndef HR_TABLE_H
#define HR_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"
#include "util/strbuf.h"

struct table;

/** A new table with ncols columns and the given header cells (borrowed, copied). */
struct table *table_new(size_t ncols, const char *const *headers);
/** Right-align a column (numbers). */
void table_align_right(struct table *t, size_t col);
/** Append a row of ncols cells (copied; NULL prints as empty). */
void table_add_row(struct table *t, const char *const *cells);
/** Append a row from printf-style cells: each variadic argument is a const char *. */
void table_add(struct table *t, ...);
/** Render: header, a rule of dashes, the rows; two spaces between columns. */
HR_NODISCARD int table_render(const struct table *t, struct strbuf *out);
/** Free the table. NULL is a no-op. */
void table_free(struct table *t);

/** Displayed width of a UTF-8 string (code points; ANSI colour sequences take none; no East Asian wide handling). */
size_t table_text_width(const char *s);

#endif
