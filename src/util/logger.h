/* logger.h - the agent's log: one timestamped line per event.
 *
 * "PROG: 2026-11-29T03:34:36Z message". Code below cmd/ logs through an
 * injected logger, as it reports through an injected diag: to stderr in the
 * program (journald adds its own metadata), to memory in tests. */
#ifndef HR_UTIL_LOGGER_H
#define HR_UTIL_LOGGER_H

#include <stdarg.h>
#include <stdio.h>

#include "util/error.h"
#include "util/strbuf.h"

/** A log sink. Initialise with logger_init_file() or logger_init_mem(). */
struct logger {
	FILE *fp;           /**< borrowed; when set, lines go here */
	struct strbuf *mem; /**< borrowed; when fp is NULL, lines go here */
	const char *prog;   /**< prefix, e.g. "headroom agent" */
	double (*now)(void);/**< the clock for the timestamp; clock_unix() unless a test sets one */
};

/** A logger writing to fp (borrowed), each line prefixed with prog and the UTC time. */
void logger_init_file(struct logger *l, FILE *fp, const char *prog);
/** A logger appending to mem (borrowed, initialised by the caller). */
void logger_init_mem(struct logger *l, struct strbuf *mem, const char *prog);
/** Log one line (a newline is added). */
void logger_printf(struct logger *l, const char *fmt, ...) HR_PRINTF(2, 3);

#endif
