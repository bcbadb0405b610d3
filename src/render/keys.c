/* keys.c - the rows of the config-keys Markdown table (see keys.h). */
#include "render/keys.h"

int keys_render_header(struct strbuf *out)
{
	return strbuf_puts(out, "| key | takes | default | meaning |\n|---|---|---|---|\n");
}

int keys_render_row(const struct key_row *k, struct strbuf *out)
{
	return strbuf_printf(out, "| `%s` | %s%s%s%s | %s%s%s | %s%s%s |\n", k->path, k->type, k->bounds ? "; " : "",
			     k->bounds ? k->bounds : "", k->required ? "; **required**" : "", k->def ? "`" : "",
			     k->def ? k->def : "", k->def ? "`" : "", k->doc, k->why_default ? ". Default from: " : "",
			     k->why_default ? k->why_default : "");
}
