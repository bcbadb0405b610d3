/* trace.h - a request-rate trace: the CSV `headroom simulate --trace` reads.
 *
 * The format of the shipped traces (data/traces/README.md): a header line
 * `timestamp,requests`, then one row per bucket, `YYYY-MM-DDTHH:MM:SSZ,N`:
 * the bucket's start in UTC and the requests that arrived in it (a whole
 * number >= 0). Buckets are contiguous and of one length, which the first
 * two rows set. Every problem is one located line, FILE:LINE:COLUMN, and the
 * file is bounded in size, rows and span (it is input, not trusted: a
 * replay's work grows with the span, so two rows years apart are refused
 * rather than replayed for minutes). */
#ifndef HR_CONFIG_TRACE_H
#define HR_CONFIG_TRACE_H

#include <stddef.h>

#include "util/diag.h"
#include "util/error.h"

/** Largest trace file read: 256 MiB (the shipped 1 s trace is 4.3 MB). */
#define TRACE_MAX_BYTES (256u << 20)
/** Most rows (buckets): a year of minutes twice over, or 11.5 days of seconds. */
#define TRACE_MAX_ROWS 1000000u
/** Longest span, from the first bucket's start to the last one's end: 366
 * days (a year, leap day included: the longest season a replay compares). */
#define TRACE_MAX_SPAN_S (366 * 86400)

/** A loaded trace. */
struct trace {
	double *requests; /**< owned, n of them */
	size_t n;
	double start;     /**< Unix time of the first bucket */
	double bucket_s;  /**< bucket length (from the first two rows; 60 for a one-row trace) */
};

/**
 * Parse a trace held in memory.
 * @param name the file name for messages.
 * @return 0; HR_E_INVALID after reporting the first problem (and up to the
 *         diag's cap more) to d.
 */
HR_NODISCARD int trace_parse(const char *name, const char *text, size_t len, struct diag *d, struct trace *out);

/** Read and parse a file. @return 0, HR_E_IO, HR_E_TOO_LARGE or HR_E_INVALID (reported to d). */
HR_NODISCARD int trace_load(const char *path, struct diag *d, struct trace *out);

/** Free a trace's rows. NULL is a no-op. */
void trace_free(struct trace *t);

#endif
