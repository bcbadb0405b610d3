/* xalloc.h - allocation that never returns NULL.
 *
 * Out of memory is not an error headroom can recover from in a useful way, so
 * these print one line and abort (as redis zmalloc and htop xMalloc do). */
#ifndef HR_XALLOC_H
#define HR_XALLOC_H

#include <stddef.h>

/** malloc() or abort. Caller owns the result (free()). */
void *xmalloc(size_t n) __attribute__((malloc, returns_nonnull));
/** calloc() or abort; also aborts when n * size overflows. Caller owns the result. */
void *xcalloc(size_t n, size_t size) __attribute__((malloc, returns_nonnull));
/** realloc() or abort; also aborts when n * size overflows. */
void *xreallocarray(void *p, size_t n, size_t size) __attribute__((returns_nonnull));
/** strdup() or abort; xstrdup(NULL) returns NULL. Caller owns the result. */
char *xstrdup(const char *s) __attribute__((malloc));
/** strndup() or abort. Caller owns the result. */
char *xstrndup(const char *s, size_t n) __attribute__((malloc, returns_nonnull));
/** asprintf() or abort. Caller owns the result. */
char *xasprintf(const char *fmt, ...) __attribute__((malloc, returns_nonnull, format(printf, 1, 2)));

#endif
