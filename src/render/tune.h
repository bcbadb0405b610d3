/* tune.h - `headroom tune` output: postgresql.conf text or JSON for PGTune's
 * settings, and the app-server sizing with its reasoning as text or JSON.
 *
 * Every output opens with where it came from: the headroom version and the
 * config file (or "the command line"), and, when a plan chose the machine,
 * the user count, stage and node. Nothing in it depends on the clock or the
 * environment, so the same input gives the same bytes. docs/tune.md
 * documents both JSON shapes. */
#ifndef HR_RENDER_TUNE_H
#define HR_RENDER_TUNE_H

#include "model/apptune.h"
#include "model/machine.h"
#include "model/pgtune.h"
#include "model/planner.h"
#include "util/error.h"
#include "util/strbuf.h"

/** Where a sizing came from; all borrowed. */
struct tune_origin {
	const char *version;           /**< headroom's version */
	const char *config;            /**< the config path; NULL when the machine came from flags */
	const struct plan_step *step;  /**< the plan step the machine came from, or NULL */
	const struct machine *machine; /**< the machine in that step, or NULL */
};

/** `tune postgres`: the settings and where they came from. */
struct tune_pg_report {
	struct tune_origin origin;
	const struct pgtune_input *in;
	const struct pgtune_result *res;
};

/**
 * The plan's warnings about the database's machine (managed, shared without
 * a memory figure, an infeasible step), as static sentences.
 * @param out room for 4; @return how many were written.
 */
size_t tune_pg_plan_warnings(const struct tune_origin *o, const char **out);

/**
 * postgresql.conf text: the header comment, the warnings as comments, one
 * `name = value` line per setting in PGTune's order.
 * @return 0, or HR_E_TOO_LARGE past out's cap.
 */
HR_NODISCARD int tune_render_pg_conf(const struct tune_pg_report *r, struct strbuf *out);

/**
 * JSON: {"settings": {NAME: VALUE, ...}, "warnings": [...], "input": {...},
 * "plan": {...} | null, "generated_by", "config"}, values as PostgreSQL's own strings.
 * @return 0; HR_E_NOMEM; HR_E_TOO_LARGE.
 */
HR_NODISCARD int tune_render_pg_json(const struct tune_pg_report *r, struct strbuf *out);

/** `tune app`: the sizing and where it came from. */
struct tune_app_report {
	struct tune_origin origin;
	const struct apptune_input *in;
	const struct apptune_result *res;
};

/**
 * Text: the header, the figures, the command line, then each reason with its source.
 * @return 0, or HR_E_TOO_LARGE.
 */
HR_NODISCARD int tune_render_app_text(const struct tune_app_report *r, struct strbuf *out);

/**
 * JSON: {"runtime", "processes", "threads", "pool", "memory_per_process_bytes",
 * ..., "command", "reasons": [{"text", "source"}], "warnings", "plan", ...}.
 * @return 0; HR_E_NOMEM; HR_E_TOO_LARGE.
 */
HR_NODISCARD int tune_render_app_json(const struct tune_app_report *r, struct strbuf *out);

#endif
