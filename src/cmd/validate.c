/* validate.c - `headroom validate`: load a config, report every problem. */
#include "cmd/cmd.h"

#include <getopt.h>
#include <stdio.h>
#include <unistd.h>

#include "config/catalog.h"
#include "config/config.h"
#include "pipeline/live.h"
#include "pipeline/planning.h"
#include "render/keys.h"
#include "util/diag.h"

static const char usage_text[] =
	"usage: headroom validate [-f FILE] [--no-catalog]\n"
	"\n"
	"Check a config as every command would: every key, type, unit and bound,\n"
	"${VAR} references, the plans and providers it names against the price\n"
	"catalogue, the workload model as the planner checks it (objectives it\n"
	"cannot meet, a request class nothing serves), each source's settings (URL,\n"
	"DSN) and each trigger's levels and metric (one a configured source gives,\n"
	"with a did-you-mean). Nothing is contacted. Prints 'ok', or one line per\n"
	"problem as FILE:LINE:COLUMN: error: MESSAGE.\n"
	"\n"
	"  -f, --file FILE   the config (default ./headroom.yaml)\n"
	"      --no-catalog  skip the price catalogue and planner checks\n"
	"      --keys        list every key with its type, default and meaning\n"
	"                    (Markdown; docs/config.md has the same list)\n"
	"  -h, --help        this text\n"
	"\n"
	"Exit status: 0 valid, 2 invalid or unreadable.\n";

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
		rc = planning_has_workload(cfg) ? planning_init(&pl, cfg, &d) : planning_catalog(&pl, cfg, &d);
		planning_free(&pl);
	}
	if (live_validate(cfg, &d) != 0)
		rc = HR_E_INVALID;
	config_free(cfg);
	if (rc)
		return EXIT_BAD_INPUT;
	puts("ok");
	return 0;
}

const struct hr_cmd cmd_validate = {"validate", "check a config file and report every problem", run};
