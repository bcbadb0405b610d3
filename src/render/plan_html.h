/* plan_html.h - the plan as one self-contained HTML page: the scaling-strategy
 * document of plan_md.h with its charts inline as SVG, its style inline
 * (light and dark, print, phone widths), no script and nothing loaded from
 * anywhere. */
#ifndef HR_PLAN_HTML_H
#define HR_PLAN_HTML_H

#include "render/plan_md.h"
#include "util/error.h"
#include "util/strbuf.h"

/**
 * Render the page.
 * @return 0; an error of plan_doc_build(); HR_E_TOO_LARGE past out's cap.
 */
HR_NODISCARD int plan_render_html(const struct plan_doc_input *in, struct strbuf *out);

#endif
