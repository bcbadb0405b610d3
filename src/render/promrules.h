/* promrules.h - headroom's triggers as a Prometheus alerting-rule file.
 *
 * One alerting rule per trigger and level (warn -> severity "warning", crit
 * -> "critical"): `expr` is the trigger's metric in PromQL compared with the
 * level, `for` the trigger's `for`, and the annotations carry a summary, the
 * trigger's advice, where its level comes from, and the planner's next step
 * when the config models a workload.
 *
 * The PromQL of a metric is, in order: the query a `prometheus` source of
 * the config gives for that metric name (`queries:`); else the expression
 * over the standard exporters in the table of promrules.c (node_exporter,
 * postgres_exporter, redis_exporter, blackbox_exporter, and the
 * http_requests_total / http_request_duration_seconds instrumentation of
 * the Prometheus client libraries); else the series headroom's own agent
 * exports on /metrics (headroom_ + the name, dots as underscores).
 * docs/export.md lists every built-in metric's PromQL.
 *
 * The file opens with a comment naming the headroom version and the config,
 * and depends on nothing but its input, so the same config gives the same
 * bytes. YAML is written with libyaml's emitter, so every string is quoted
 * as YAML needs; text from the config that lands in an annotation has its
 * "{{" escaped, since annotations are Go templates. */
#ifndef HR_RENDER_PROMRULES_H
#define HR_RENDER_PROMRULES_H

#include <stdbool.h>
#include <stddef.h>

#include "model/model.h"
#include "model/planner.h"
#include "model/source_config.h"
#include "util/error.h"
#include "util/strbuf.h"

/** What the rule file is made from; all borrowed. */
struct promrules_report {
	const char *version;                  /**< headroom's version */
	const char *config;                   /**< the config path */
	const struct trigger_rule *rules;     /**< the triggers, merged over the default policy */
	size_t n_rules;
	const struct source_config *sources;  /**< the config's sources (their `queries:`), or NULL */
	size_t n_sources;
	const struct plan_step *now;          /**< the plan at the workload's users, or NULL without a workload */
	const struct plan_step *then;         /**< the plan where `now` breaks, or NULL */
	const char *currency;                 /**< ISO code of the plan's money */
};

/** Where a metric's PromQL came from. */
enum promrules_origin {
	PROMRULES_QUERY,    /**< a prometheus source's `queries:` entry */
	PROMRULES_EXPORTER, /**< the built-in table (standard exporters) */
	PROMRULES_AGENT,    /**< headroom agent's /metrics */
};

/**
 * The PromQL of one metric (labels allowed: `disk.used_ratio{mount="/"}`).
 * @param out the expression is appended.
 * @param origin set to where it came from.
 * @param what set to a static description of the exporter, or to the source's name.
 * @return 0; HR_E_TOO_LARGE past out's cap.
 */
HR_NODISCARD int promrules_expr(const char *metric, const struct source_config *sources, size_t n_sources,
				struct strbuf *out, enum promrules_origin *origin, const char **what);

/** One row of the built-in table, for docs and tests. */
struct promrules_builtin {
	const char *metric;   /**< headroom's name, without labels */
	const char *promql;   /**< the expression, "$L" marks where a trigger's label matchers go */
	const char *exporter; /**< the exporter whose metrics it reads */
};

/** The built-in table. @param n set to its length. @return a static array. */
const struct promrules_builtin *promrules_builtins(size_t *n);

/**
 * The built-in table as Markdown (metric, PromQL, exporter), the table
 * docs/export.md carries; `|` in PromQL is escaped for Markdown.
 * @return 0; HR_E_TOO_LARGE.
 */
HR_NODISCARD int promrules_render_metrics_md(struct strbuf *out);

/**
 * The rule file.
 * @return 0; HR_E_NOMEM when the YAML emitter fails; HR_E_TOO_LARGE past out's cap.
 */
HR_NODISCARD int promrules_render(const struct promrules_report *r, struct strbuf *out);

/** A duration as Prometheus writes one: "5m", "1h30m", "10s", "250ms"; "0s" for 0. Returns buf. */
char *promrules_duration(double seconds, char *buf, size_t n);

/** The alert name of a trigger: "Headroom" + its name in CamelCase ("db-connections" -> "HeadroomDbConnections"). Returns buf. */
char *promrules_alert_name(const char *trigger, char *buf, size_t n);

#endif
