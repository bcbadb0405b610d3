/* plan_html.c - the plan as one HTML page (see plan_html.h). */
#include "render/plan_html.h"

#include <stdio.h>
#include <string.h>

#include "render/doc.h"

int plan_render_html(const struct plan_doc_input *in, struct strbuf *out)
{
	struct doc *d;
	int rc = plan_doc_build(in, &d);
	if (rc)
		return rc;
	char title[300], gen[64];
	const char *src = in->report->source ? in->report->source : "-";
	snprintf(title, sizeof(title), "Scaling strategy: %s (headroom)", src);
	snprintf(gen, sizeof(gen), "headroom %s", in->version ? in->version : "?");
	rc = doc_render_html(d, title, gen, NULL, out);
	doc_free(d);
	return rc;
}
