/* jsondoc.h - the one way headroom writes a JSON document.
 *
 * Every command's JSON (plan, check, the agent's /status, bench, sla, queue,
 * catalog) is built as a jansson tree and written here, with one set of dump
 * settings: two-space indent, keys in insertion order, 12 significant digits
 * for reals (enough for any figure headroom computes, short enough to read;
 * 0.7 prints as 0.7, not 0.69999999999999996), a trailing newline. So the
 * same document is encoded the same way whichever command or endpoint
 * serves it. One document keeps its own precision through
 * jsondoc_render_digits(): the plan, at 10 digits (see there). */
#ifndef HR_RENDER_JSONDOC_H
#define HR_RENDER_JSONDOC_H

#include <jansson.h>

#include "util/error.h"
#include "util/strbuf.h"

/** A number, or null when @p v is NaN or infinite (JSON has neither). A new reference. */
json_t *jsondoc_num(double v);

/** A string, or null when @p s is NULL. A new reference. */
json_t *jsondoc_str(const char *s);

/**
 * Append the document, indented, with a trailing newline.
 * @param doc a jansson value; the reference is stolen (NULL is HR_E_NOMEM:
 *        a builder that ran out of memory).
 * @return 0; HR_E_NOMEM when it cannot be encoded; HR_E_TOO_LARGE past out's cap.
 */
HR_NODISCARD int jsondoc_render(json_t *doc, struct strbuf *out);

/** Significant digits of a real in a document jsondoc_render() writes. */
#define JSONDOC_DIGITS 12

/**
 * Like jsondoc_render() with reals at @p digits significant digits (1 to 17)
 * instead of JSONDOC_DIGITS. `plan --format json` is written at 10, as it
 * was before it came through here: at 12 its figures change in their last
 * digits (0.6582148437 becomes 0.65821484375), which every consumer of a
 * plan and its snapshot tests would see as a change of the plan.
 * @return as jsondoc_render(); HR_E_INVALID for digits out of range (doc is released).
 */
HR_NODISCARD int jsondoc_render_digits(json_t *doc, int digits, struct strbuf *out);

/** Like jsondoc_render() on one line, no trailing newline (request bodies). */
HR_NODISCARD int jsondoc_render_compact(json_t *doc, struct strbuf *out);

#endif
