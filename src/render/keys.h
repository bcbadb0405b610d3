/* keys.h - the config's keys as a Markdown table (`headroom validate
 * --keys`, which docs/config.md reproduces). The rows come from the
 * schema's declarative table; this only lays them out. */
#ifndef HR_RENDER_KEYS_H
#define HR_RENDER_KEYS_H

#include <stdbool.h>

#include "util/error.h"
#include "util/strbuf.h"

/** One key, as the schema describes it; strings borrowed, NULL when absent. */
struct key_row {
	const char *path, *type, *bounds, *def, *doc, *why_default;
	bool required;
};

/** The table's header: "| key | takes | default | meaning |" and its rule. */
HR_NODISCARD int keys_render_header(struct strbuf *out);

/** One row: the key, what it takes (bounds, required), its default, its meaning and where the default comes from. */
HR_NODISCARD int keys_render_row(const struct key_row *k, struct strbuf *out);

#endif
