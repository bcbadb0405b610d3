/* yamlw.h - the small YAML writer every export and `init` share.
 *
 * Written by hand, not with libyaml's emitter: the files headroom writes
 * carry comments (the header naming the version and the config, every
 * ASSUMPTION of a drafted config), and libyaml's emitter has no way to
 * write a comment. What is written is kept to the block style and to
 * scalars this file quotes itself: a string is written plain only when no
 * YAML 1.1 or 1.2 reader can take it for anything else (a number, a
 * boolean, null, a port pair that YAML 1.1 reads as base 60, an indicator);
 * everything else is double-quoted with escapes. The tests parse every
 * output back (libyaml, docker-compose, kubernetes-models). */
#ifndef HR_RENDER_YAMLW_H
#define HR_RENDER_YAMLW_H

#include <stdbool.h>

#include "util/error.h"
#include "util/strbuf.h"

/** Can s be written as a plain scalar and read back as the same string? */
bool yamlw_plain_ok(const char *s);

/** Append s as a scalar: plain when yamlw_plain_ok(), else double-quoted. @return 0 or HR_E_TOO_LARGE. */
HR_NODISCARD int yamlw_str(struct strbuf *out, const char *s);

/** Append s double-quoted, always (YAML 1.2 escapes). @return 0 or HR_E_TOO_LARGE. */
HR_NODISCARD int yamlw_quoted(struct strbuf *out, const char *s);

/**
 * Append a comment block: each line of text (split on '\n') as "INDENT# LINE".
 * @param indent spaces before '#'.
 * @return 0 or HR_E_TOO_LARGE.
 */
HR_NODISCARD int yamlw_comment(struct strbuf *out, int indent, const char *text);

/** Format a byte count as the config reads it: "512MiB", "2GiB", "20kB", "123B". Returns buf. */
char *yamlw_size(double bytes, char *buf, size_t n);

/** Format seconds as the config reads it: "120ms", "2s", "5m", "1h". Returns buf. */
char *yamlw_duration(double s, char *buf, size_t n);

/** Format a rate as the config reads it: "6/min", "1/h", "100/s". Returns buf. */
char *yamlw_rate(double per_s, char *buf, size_t n);

/** A writer that remembers its first error, so a renderer can write a
 *  document without testing each call (curl's dynbuf result chaining). */
struct yamlw {
	struct strbuf *out; /**< borrowed */
	int rc;             /**< 0, or the first error; later calls do nothing */
};

/** Append formatted text. */
void yw_printf(struct yamlw *w, const char *fmt, ...) HR_PRINTF(2, 3);
/** Append INDENT spaces, "KEY: " and s as yamlw_str() writes it, and a newline. */
void yw_kv(struct yamlw *w, int indent, const char *key, const char *s);
/** Append INDENT spaces, "KEY: " and s always double-quoted, and a newline. */
void yw_kq(struct yamlw *w, int indent, const char *key, const char *s);
/** Append s as yamlw_str() writes it. */
void yw_str(struct yamlw *w, const char *s);
/** Append s double-quoted. */
void yw_quoted(struct yamlw *w, const char *s);
/** Append a comment block as yamlw_comment() does. */
void yw_comment(struct yamlw *w, int indent, const char *text);
/**
 * Append INDENT spaces, "KEY: " and a one-line command as a flow sequence of
 * its words, each double-quoted, and a newline: `gunicorn -w 4 app:app`
 * becomes ["gunicorn", "-w", "4", "app:app"] (Compose's command, a
 * container's args). The config's command is one line split on spaces, no
 * shell quoting; a word is cut at 1023 bytes.
 */
void yw_kwords(struct yamlw *w, int indent, const char *key, const char *cmd);

#endif
