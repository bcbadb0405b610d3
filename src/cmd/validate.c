/* validate.c - `headroom validate`: load a config, report every problem. */
#include "cmd/cmd.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "config/catalog.h"
#include "config/config.h"
#include "pipeline/live.h"
#include "pipeline/planning.h"
#include "render/keys.h"
#include "render/reason.h"
#include "serve/httpd.h"
#include "util/diag.h"
#include "util/xalloc.h"

static const char usage_text[] =
	"usage: headroom validate [-f FILE] [--no-catalog]\n"
	"\n"
	"Check a config as every command would: every key, type, unit and bound,\n"
	"${VAR} references, the plans and providers it names against the price\n"
	"catalogue, the workload model as the planner checks it (objectives it\n"
	"cannot meet, a request class nothing serves), each source's settings (URL,\n"
	"DSN), each trigger's levels and metric (one a configured source gives,\n"
	"with a did-you-mean), and agent.listen as the agent reads it (HOST:PORT; an\n"
	"address other than loopback needs agent.token). Nothing is contacted.\n"
	"Prints 'ok', or one line per problem as FILE:LINE:COLUMN: error: MESSAGE.\n"
	"Objectives no deployment meets at workload.users (`plan` finds no shape,\n"
	"`check` turns OK into UNKNOWN) are a warning line, FILE:LINE:COLUMN:\n"
	"warning: MESSAGE, before 'ok'.\n"
	"\n"
	"  -f, --file FILE   the config (default ./headroom.yaml)\n"
	"      --no-catalog  skip the price catalogue and planner checks\n"
	"      --keys        list every key with its type, default and meaning\n"
	"                    (Markdown; docs/config.md has the same list)\n"
	"  -h, --help        this text\n"
	"\n"
	"Exit status: 0 valid (warnings included), 2 invalid or unreadable.\n";

static void add_key(const struct config_key_info *k, void *ctx)
{
	struct strbuf *out = ctx;
	struct key_row row = {k->path, k->type, k->bounds, k->def, k->doc, k->why_default, k->required};
	if (keys_render_row(&row, out) != 0) {
		/* Past the cap: print_keys() reports it. */
	}
}

/* `validate --keys`: the schema as the Markdown table of docs/config.md. */
static int print_keys(void)
{
	struct strbuf sb;
	strbuf_init(&sb, 0);
	int rc = keys_render_header(&sb);
	size_t before = sb.len;
	if (!rc)
		config_each_key(add_key, &sb);
	bool ok = !rc && sb.len > before;
	if (ok)
		fputs(strbuf_str(&sb), stdout);
	else
		fprintf(stderr, "headroom validate: cannot list the keys\n");
	strbuf_free(&sb);
	return ok ? 0 : 1;
}

/* agent.listen as `headroom agent` reads it: the same parser, the same
 * rule for an address other than loopback. */
static int check_listen(const struct config *cfg, struct diag *d)
{
	const char *why = NULL;
	if (!cfg->agent.listen || httpd_check_listen(cfg->agent.listen, cfg->agent.token, &why) == 0)
		return 0;
	struct diag_loc loc = config_loc(cfg, "agent.listen");
	diag_at(d, DIAG_ERROR, &loc, "agent.listen: '%s': %s", cfg->agent.listen, why);
	return HR_E_INVALID;
}

/* Where a constraint the objectives set is written: its own key, its
 * utilization key, else the objectives, else the users. */
static struct diag_loc objective_loc(const struct config *cfg, enum plan_res res)
{
	static const char *const under[] = {"objectives.", "objectives.utilization."};
	char path[96];
	for (size_t i = 0; i < sizeof(under) / sizeof(under[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", under[i], planner_res_name(res));
		struct diag_loc loc = config_loc(cfg, path);
		if (loc.line)
			return loc;
	}
	struct diag_loc loc = config_loc(cfg, "objectives");
	return loc.line ? loc : config_loc(cfg, "workload.users");
}

/* An objective no deployment meets at workload.users is no error in the
 * file, but `plan` finds no shape for it and `check` turns OK into UNKNOWN:
 * a warning. A planner that cannot run at all is an error, as in check. */
static int check_feasible(const struct config *cfg, const struct planning *pl, struct diag *d)
{
	struct next_step *ns = xcalloc(1, sizeof(*ns));
	int rc = planning_next_step(pl, ns);
	if (rc) {
		diag_error(d, "the planner could not run on this config: %s", hr_strerror(rc));
		rc = HR_E_INVALID;
	} else if (!ns->now.feasible) {
		struct diag_loc loc = objective_loc(cfg, ns->now.blocking);
		diag_at(d, DIAG_WARNING, &loc,
			"no deployment meets the objectives at %.0f users (workload.users): %s; `plan` finds no "
			"shape and `check` reports UNKNOWN until the objectives or the model change",
			ns->now.users, reason_text(&ns->now.why, (char[REASON_STEP_MAX]){0}, REASON_STEP_MAX));
	}
	free(ns);
	return rc;
}

static int run(int argc, char **argv)
{
	enum { OPT_NO_CATALOG = 256, OPT_KEYS };
	static const struct option opts[] = {
		{"file", required_argument, NULL, 'f'},
		{"no-catalog", no_argument, NULL, OPT_NO_CATALOG},
		{"keys", no_argument, NULL, OPT_KEYS},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *file = NULL;
	int use_catalog = 1, c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f': file = optarg; break;
		case OPT_NO_CATALOG: use_catalog = 0; break;
		case OPT_KEYS:
			return print_keys();
		case 'h': fputs(usage_text, stdout); return 0;
		case ':': return cmd_usage_error("validate", "option '%s' needs a value", argv[optind - 1]);
		default: return cmd_usage_error("validate", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cmd_usage_error("validate", "unexpected argument '%s'", argv[optind]);

	struct diag d;
	diag_init_file(&d, stderr, "headroom");
	d.show_source = isatty(fileno(stderr));
	struct config *cfg;
	if (config_load(cmd_config_path(file), &d, &cfg))
		return EXIT_BAD_INPUT;
	/* Every check a command would make, so `ok` means plan, check and agent
	 * accept the file: the catalogue references and the planner's model
	 * (plan, check), the sources' settings and the triggers' metrics
	 * (check, agent). */
	int rc = 0;
	if (use_catalog) {
		struct planning pl;
		bool workload = planning_has_workload(cfg);
		rc = workload ? planning_init(&pl, cfg, &d) : planning_catalog(&pl, cfg, &d);
		if (!rc && workload)
			rc = check_feasible(cfg, &pl, &d);
		planning_free(&pl);
	}
	if (live_validate(cfg, &d) != 0)
		rc = HR_E_INVALID;
	if (check_listen(cfg, &d) != 0)
		rc = HR_E_INVALID;
	config_free(cfg);
	if (rc)
		return EXIT_BAD_INPUT;
	puts("ok");
	return 0;
}

const struct hr_cmd cmd_validate = {"validate", "check a config file and report every problem", run};
