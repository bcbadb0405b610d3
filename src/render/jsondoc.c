#include "render/jsondoc.h"

#include <math.h>
#include <stdlib.h>

#define DUMP_FLAGS (JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12))

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

int jsondoc_render_compact(json_t *doc, struct strbuf *out)
{
	return dump(doc, DUMP_FLAGS | JSON_COMPACT, "", out);
}
