/* report.h - how check and agent print live results: values in their units,
 * the Nagios summary line, and the JSON document docs/check.md describes. */
#ifndef HR_REPORT_H
#define HR_REPORT_H

#include <jansson.h>
#include <stddef.h>

#include "pipeline/live.h"
#include "util/strbuf.h"

/** Format a metric value in the unit its name implies ("23.1%", "1.5 GiB", "250 ms"). Returns buf. */
char *report_fmt_value(const char *metric, double v, char *buf, size_t n);

/** Format a time-to-crossing: "now", "-" (not within the horizon), "3.2 d". Returns buf. */
char *report_fmt_eta(double s, char *buf, size_t n);

/** The text report: summary line with perfdata, the trigger table, advice, skipped. */
HR_NODISCARD int report_text(const struct live_result *r, struct strbuf *out);

/** The one-line Nagios summary (no newline), e.g. "WARNING: disk 85.0% > 80% ...". */
HR_NODISCARD int report_summary(const struct live_result *r, struct strbuf *out);

/**
 * The JSON document (docs/check.md).
 * @return a new reference the caller releases with json_decref().
 */
json_t *report_json(const struct live_result *r);

/**
 * The Prometheus text exposition format (version 0.0.4) of a result: every
 * sampled metric as headroom_<name with dots as underscores>{labels,source},
 * each trigger's state, value, levels and time to crossing, each source's
 * health. @p rounds and @p store_errors are the agent's counters.
 */
HR_NODISCARD int report_metrics(const struct live_result *r, unsigned long long rounds,
				unsigned long long store_errors, struct strbuf *out);

#endif
