/* draft.h - the config `headroom init` drafts, written as YAML with a
 * comment on every value saying where it came from (model/draft.h). */
#ifndef HR_RENDER_DRAFT_H
#define HR_RENDER_DRAFT_H

#include "model/draft.h"
#include "util/error.h"
#include "util/strbuf.h"

/**
 * Write a draft as a headroom.yaml.
 * @param version the headroom version, for the header.
 * @return 0, or HR_E_TOO_LARGE when out's cap is reached.
 */
HR_NODISCARD int draft_render(const struct draft *dr, const char *version, struct strbuf *out);

#endif
