/* validate.c - `headroom validate`: load a config, report every problem. */
#include <getopt.h>
#include <stdio.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "config/catalog.h"
#include "config/config.h"
#include "util/diag.h"

static const char usage_text[] =
	"usage: headroom validate [-f FILE] [--no-catalog]\n"
	"\n"
	"Check a config: every key, type, unit and bound, ${VAR} references, and\n"
	"the plans and providers it names against the price catalogue. Prints\n"
	"'ok', or one line per problem as FILE:LINE:COLUMN: error: MESSAGE.\n"
	"\n"
	"  -f, --file FILE   the config (default ./headroom.yaml)\n"
	"      --no-catalog  skip the price catalogue checks\n"
	"      --keys        list every key with its type, default and meaning\n"
	"                    (Markdown; docs/config.md has the same list)\n"
	"  -h, --help        this text\n"
	"\n"
	"Exit status: 0 valid, 2 invalid or unreadable.\n";

static void print_key(const struct config_key_info *k, void *ctx)
{
	(void)ctx;
	printf("| `%s` | %s%s%s%s | %s%s%s | %s%s%s |\n", k->path, k->type, k->bounds ? "; " : "",
	       k->bounds ? k->bounds : "", k->required ? "; **required**" : "", k->def ? "`" : "",
	       k->def ? k->def : "", k->def ? "`" : "", k->doc, k->why_default ? ". Default from: " : "",
	       k->why_default ? k->why_default : "");
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
			puts("| key | takes | default | meaning |\n|---|---|---|---|");
			config_each_key(print_key, NULL);
			return 0;
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
	int rc = 0;
	if (use_catalog) {
		struct catalog cat;
		if (catalog_load_dir(NULL, &d, &cat) == 0) {
			catalog_merge(&cat, &cfg->catalog);
			rc = config_check_refs(cfg, &cat, &d);
			catalog_free(&cat);
		} else {
			rc = -1;
		}
	}
	config_free(cfg);
	if (rc)
		return EXIT_BAD_INPUT;
	puts("ok");
	return 0;
}

const struct hr_cmd cmd_validate = {"validate", "check a config file and report every problem", run};
