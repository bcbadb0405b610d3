/* strbuf.c - the growable, size-capped text buffer (see strbuf.h). */
#include "util/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

#define STRBUF_DEFAULT_CAP ((size_t)64 << 20)

void strbuf_init(struct strbuf *sb, size_t cap)
{
	sb->buf = NULL;
	sb->len = sb->size = 0;
	sb->cap = cap ? cap : STRBUF_DEFAULT_CAP;
}

void strbuf_free(struct strbuf *sb)
{
	if (!sb)
		return;
	free(sb->buf);
	sb->buf = NULL;
	sb->len = sb->size = 0;
}

void strbuf_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->buf)
		sb->buf[0] = '\0';
}

static int reserve(struct strbuf *sb, size_t n)
{
	if (n > sb->cap || sb->len > sb->cap - n)
		return HR_E_TOO_LARGE;
	size_t need = sb->len + n + 1;
	if (need <= sb->size)
		return 0;
	size_t size = sb->size ? sb->size : 64;
	while (size < need)
		size *= 2;
	sb->buf = xreallocarray(sb->buf, size, 1);
	sb->size = size;
	return 0;
}

int strbuf_append(struct strbuf *sb, const void *p, size_t n)
{
	int rc = reserve(sb, n);
	if (rc)
		return rc;
	if (n)
		memcpy(sb->buf + sb->len, p, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
	return 0;
}

int strbuf_puts(struct strbuf *sb, const char *s)
{
	return strbuf_append(sb, s, strlen(s));
}

int strbuf_vprintf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return HR_E_INVALID;
	int rc = reserve(sb, (size_t)n);
	if (rc)
		return rc;
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	sb->len += (size_t)n;
	return 0;
}

int strbuf_printf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = strbuf_vprintf(sb, fmt, ap);
	va_end(ap);
	return rc;
}

const char *strbuf_str(const struct strbuf *sb)
{
	return sb->buf ? sb->buf : "";
}

char *strbuf_take(struct strbuf *sb)
{
	char *p = sb->buf ? sb->buf : xstrdup("");
	sb->buf = NULL;
	sb->len = sb->size = 0;
	return p;
}
