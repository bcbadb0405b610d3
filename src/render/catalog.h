/* catalog.h - what `headroom catalog` prints: the price catalogue as a text
 * table or JSON (docs/catalog.md). */
#ifndef HR_RENDER_CATALOG_H
#define HR_RENDER_CATALOG_H

#include <stdbool.h>

#include "model/model.h"
#include "util/error.h"
#include "util/strbuf.h"

/**
 * The entries of @p cat whose @p keep flag is set, one row each.
 * @param kinds the names of the offer kinds, indexed by enum value (borrowed).
 * @return 0 or HR_E_TOO_LARGE.
 */
HR_NODISCARD int catalog_render_text(const struct catalog *cat, const bool *keep, const char *const *kinds,
				     struct strbuf *out);

/** The same entries as a JSON array. @return 0, HR_E_NOMEM or HR_E_TOO_LARGE. */
HR_NODISCARD int catalog_render_json(const struct catalog *cat, const bool *keep, const char *const *kinds,
				     struct strbuf *out);

#endif
