/* report.h - how check and agent print live results: values in their units,
 * the Nagios summary line, and the JSON document docs/check.md describes. */
#ifndef HR_RENDER_REPORT_H
#define HR_RENDER_REPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "model/live.h"
#include "model/planner.h"
#include "util/strbuf.h"

/** Format a metric value in the unit its name implies ("23.1%", "1.5 GiB", "250 ms"). Returns buf. */
char *report_fmt_value(const char *metric, double v, char *buf, size_t n);

/** Format a time-to-crossing: "now", "-" (not within the horizon), "3.2 d". Returns buf. */
char *report_fmt_eta(double s, char *buf, size_t n);

/**
 * The text report: summary line with perfdata, the trigger table, advice,
 * skipped triggers, and the planner's next step when @p ns is not NULL
 * (amounts in @p currency). With @p color, states are coloured (util/color).
 */
HR_NODISCARD int report_text(const struct live_result *r, const struct next_step *ns, const char *currency,
			     bool color, struct strbuf *out);

/**
 * Notes under a check's report: what kept it from being whole (a plan not
 * computed, a store it may not write). One "note: ..." line each, after a
 * blank line; nothing when n is 0.
 */
HR_NODISCARD int report_notes_text(const char *const *notes, size_t n, struct strbuf *out);

/** The same notes as a "notes" array of strings in @p doc (always set, maybe empty). */
void report_notes_json(json_t *doc, const char *const *notes, size_t n);

/** The one-line Nagios summary (no newline), e.g. "WARNING: disk 85.0% > 80% ...". */
HR_NODISCARD int report_summary(const struct live_result *r, struct strbuf *out);

/**
 * The JSON document (docs/check.md); with @p ns (may be NULL) its "plan"
 * member and each firing trigger's next_step.
 * @return a new reference the caller releases with json_decref().
 */
json_t *report_json(const struct live_result *r, const struct next_step *ns, const char *currency);

/**
 * The Prometheus text exposition format (version 0.0.4) of a result: every
 * sampled metric as headroom_<name with dots as underscores>{labels,source},
 * each trigger's state, value, levels and time to crossing, each source's
 * health. @p rounds and @p store_errors are the agent's counters.
 */
HR_NODISCARD int report_metrics(const struct live_result *r, unsigned long long rounds,
				unsigned long long store_errors, struct strbuf *out);

/**
 * A change of state on one line, for the log and the webhook:
 * "disk ok -> warning (disk.used_ratio = 85.0%)", then ": REASON" for an
 * UNKNOWN, or ". Do: ACTION" when the trigger fires and has an action.
 * @param with_advice add the reason or action.
 */
HR_NODISCARD int report_change_line(const struct live_change *c, bool with_advice, struct strbuf *out);

/**
 * The webhook body for a change: {"text": the line, "trigger", "from", "to",
 * "series", "time"}. Slack incoming webhooks take {"text": ...}; Mattermost,
 * Rocket.Chat and Discord's /slack endpoint accept the same body.
 * @return a new reference, or NULL when out of memory.
 */
json_t *report_webhook_json(const struct live_change *c, double now);

#endif
