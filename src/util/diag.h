/* diag.h - where messages go.
 *
 * Code below main() and cmd/ never prints: it reports to an injected struct
 * diag, which writes to stderr in the program and to memory in tests, so tests
 * can assert the exact text (apk-tools struct apk_out, curl failf).
 *
 * A located error is one line, "FILE:LINE:COL: error: MESSAGE"; when the
 * sink shows source (a terminal), the offending line and a caret follow. */
#ifndef HR_DIAG_H
#define HR_DIAG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include "util/error.h"
#include "util/strbuf.h"

/** Severity of a message. */
enum diag_level { DIAG_ERROR, DIAG_WARNING, DIAG_NOTE };

/** A position in a source file; line and col are 1-based, 0 when unknown. */
struct diag_loc {
	const char *file; /**< borrowed; NULL when there is no file */
	int line;
	int col;
	const char *src_line; /**< borrowed text of the line (no newline needed), or NULL */
	int span;             /**< caret width, at least 1 */
};

/** A message sink. Initialise with diag_init_file() or diag_init_mem(). */
struct diag {
	FILE *fp;             /**< borrowed; when set, messages go here */
	struct strbuf *mem;   /**< borrowed; when fp is NULL, messages go here */
	const char *prog;     /**< prefix for unlocated messages, e.g. "headroom" */
	bool show_source;     /**< print the source line and a caret under located errors */
	unsigned nerrors;     /**< errors reported so far */
	unsigned nwarnings;   /**< warnings reported so far */
	unsigned max_errors;  /**< stop printing errors past this many (0: no cap) */
};

/** A sink writing to fp (borrowed), prefixing unlocated messages with prog. */
void diag_init_file(struct diag *d, FILE *fp, const char *prog);
/** A sink appending to mem (borrowed, initialised by the caller). */
void diag_init_mem(struct diag *d, struct strbuf *mem);

/** Report "PROG: error: MESSAGE". */
void diag_error(struct diag *d, const char *fmt, ...) HR_PRINTF(2, 3);
/** Report "PROG: warning: MESSAGE". */
void diag_warn(struct diag *d, const char *fmt, ...) HR_PRINTF(2, 3);
/** Report at a location: "FILE:LINE:COL: LEVEL: MESSAGE" (+ source and caret). */
void diag_at(struct diag *d, enum diag_level lvl, const struct diag_loc *loc,
	     const char *fmt, ...) HR_PRINTF(4, 5);
/** va_list form of diag_at(). */
void diag_vat(struct diag *d, enum diag_level lvl, const struct diag_loc *loc,
	      const char *fmt, va_list ap) HR_PRINTF(4, 0);

#endif
