/* reason.h - a planner's reason (model/planner.h, struct plan_reason) in
 * words: why a milestone is infeasible, a change of the config that lifts
 * it, why deployment.current is not a shape. The model gives a kind and its
 * figures; this is the one place that words them, for every format. */
#ifndef HR_RENDER_REASON_H
#define HR_RENDER_REASON_H

#include <stddef.h>

#include "model/planner.h"
#include "util/error.h"
#include "util/strbuf.h"

/** Bytes a milestone's reason (plan_step.why) is printed in, its NUL
 *  included: a longer text is cut, as the plan has always printed it. */
#define REASON_STEP_MAX 320
/** Bytes a remedy (plan_remedy.what) or why deployment.current is no shape
 *  (plan_current.why, planner_current_shape()) is printed in, its NUL included. */
#define REASON_SHORT_MAX 200

/**
 * Append the words of a reason: "p95: no shape answers within 0.5 s (the
 * best: 0.71 s)", "deployment.database: any", ... PLAN_REASON_NONE appends
 * nothing.
 * @return 0, or HR_E_TOO_LARGE when out's cap is reached.
 */
HR_NODISCARD int reason_write(struct strbuf *out, const struct plan_reason *r);

/**
 * The words of a reason in buf, cut to n - 1 bytes and NUL-terminated
 * (REASON_STEP_MAX or REASON_SHORT_MAX, as the field it words).
 * @return buf.
 */
const char *reason_text(const struct plan_reason *r, char *buf, size_t n);

#endif
