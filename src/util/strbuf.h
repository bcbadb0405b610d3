/* strbuf.h - a growable, size-capped text buffer (curl dynbuf, redis sds).
 *
 * The buffer is always NUL-terminated. A cap bounds how much untrusted input
 * (an HTTP reply, a /proc file) can make it grow: past the cap an append fails
 * with HR_E_TOO_LARGE and the contents stay as they were. */
#ifndef HR_STRBUF_H
#define HR_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

#include "util/error.h"

/** A growable buffer. Fields are read-only for users; use the functions. */
struct strbuf {
	char *buf;   /**< owned; NUL-terminated; NULL until the first append */
	size_t len;  /**< bytes used, not counting the NUL */
	size_t size; /**< bytes allocated */
	size_t cap;  /**< largest len allowed; 0 means 64 MiB */
};

/** Initialise an empty buffer that may hold up to cap bytes (0: 64 MiB). */
void strbuf_init(struct strbuf *sb, size_t cap);
/** Free the contents; the buffer is empty and reusable after. NULL is a no-op. */
void strbuf_free(struct strbuf *sb);
/** Empty the buffer, keeping its memory. */
void strbuf_reset(struct strbuf *sb);
/** Append n bytes. @return 0 or HR_E_TOO_LARGE. */
HR_NODISCARD int strbuf_append(struct strbuf *sb, const void *p, size_t n);
/** Append a NUL-terminated string. @return 0 or HR_E_TOO_LARGE. */
HR_NODISCARD int strbuf_puts(struct strbuf *sb, const char *s);
/** Append formatted text. @return 0 or HR_E_TOO_LARGE. */
HR_NODISCARD int strbuf_printf(struct strbuf *sb, const char *fmt, ...) HR_PRINTF(2, 3);
/** va_list form of strbuf_printf(). */
HR_NODISCARD int strbuf_vprintf(struct strbuf *sb, const char *fmt, va_list ap) HR_PRINTF(2, 0);
/** The contents as a string: never NULL ("" when empty); borrowed. */
const char *strbuf_str(const struct strbuf *sb);
/** Take the contents: the caller owns the result (free()); the buffer is left empty. */
char *strbuf_take(struct strbuf *sb);

#endif
