/* jsondoc.c - the one JSON writer: dump settings shared by every document (see jsondoc.h). */
#include "render/jsondoc.h"

#include <math.h>
#include <stdlib.h>

#define DUMP_FLAGS (JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(JSONDOC_DIGITS))

json_t *jsondoc_num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

json_t *jsondoc_str(const char *s)
{
	return s ? json_string(s) : json_null();
}

static int dump(json_t *doc, size_t flags, const char *tail, struct strbuf *out)
{
	char *text = doc ? json_dumps(doc, flags) : NULL;
	json_decref(doc);
	if (!text)
		return HR_E_NOMEM;
	int rc = strbuf_puts(out, text);
	if (!rc)
		rc = strbuf_puts(out, tail);
	free(text);
	return rc;
}

int jsondoc_render(json_t *doc, struct strbuf *out)
{
	return dump(doc, DUMP_FLAGS | JSON_INDENT(2), "\n", out);
}

int jsondoc_render_digits(json_t *doc, int digits, struct strbuf *out)
{
	if (digits < 1 || digits > 17) {
		json_decref(doc);
		return HR_E_INVALID;
	}
	return dump(doc, JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(digits) | JSON_INDENT(2), "\n", out);
}

int jsondoc_render_compact(json_t *doc, struct strbuf *out)
{
	return dump(doc, DUMP_FLAGS | JSON_COMPACT, "", out);
}
