/* export.c - `headroom export KIND`: the artefacts of a stage, one exporter
 * per row of the table below (a kind, its summary, its run function). Each
 * exporter reads the config, computes, renders into a buffer and writes it
 * to stdout or -o FILE; every artefact opens with a comment naming the
 * headroom version and the config it came from. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "config/config.h"
#include "model/rules.h"
#include "pipeline/planning.h"
#include "render/promrules.h"
#include "util/diag.h"
#include "util/strbuf.h"

/* Write the artefact to stdout, or to path (replaced whole: written beside
 * it, then renamed, so a reader never sees half a file). */
static int write_out(const char *cmd, const char *path, const struct strbuf *sb)
{
	if (!path || strcmp(path, "-") == 0) {
		fputs(strbuf_str(sb), stdout);
		return 0;
	}
	size_t n = strlen(path) + 16;
	char *tmp = malloc(n);
	if (!tmp) {
		fprintf(stderr, "headroom %s: out of memory\n", cmd);
		return 1;
	}
	snprintf(tmp, n, "%s.tmp%ld", path, (long)getpid());
	FILE *fp = fopen(tmp, "w");
	int ok = fp && fwrite(strbuf_str(sb), 1, sb->len, fp) == sb->len;
	ok = fp && fclose(fp) == 0 && ok;
	if (ok && rename(tmp, path) != 0)
		ok = 0;
	if (!ok) {
		fprintf(stderr, "headroom %s: cannot write '%s': %s\n", cmd, path, strerror(errno));
		unlink(tmp);
		free(tmp);
		return 1;
	}
	free(tmp);
	return 0;
}

/* --- prometheus-rules ------------------------------------------------------ */

static const char promrules_synopsis[] =
	"usage: headroom export prometheus-rules [-f FILE] [-o FILE]\n"
	"       headroom export prometheus-rules --metrics\n";

static const char promrules_desc[] =
	"The config's triggers, merged over the default policy as `check` merges them,\n"
	"as a Prometheus rule file: one alerting rule per trigger and level (severity\n"
	"warning or critical), its expr in PromQL over node_exporter, postgres_exporter,\n"
	"redis_exporter and the service's own metrics (a prometheus source's query when\n"
	"it names the metric), its `for`, and annotations with the advice and, when the\n"
	"config has a workload, the planner's next step. docs/export.md lists the PromQL.\n";

static const char promrules_opts[] =
	"  -f, --file FILE   the config (default ./headroom.yaml)\n"
	"  -o, --output FILE write the rules there instead of stdout\n"
	"      --metrics     print the PromQL of every built-in metric (a Markdown table)\n"
	"  -h, --help        this text\n";

static int run_promrules(int argc, char **argv)
{
	static const char cmd[] = "export prometheus-rules";
	static const struct option opts[] = {
		{"file", required_argument, NULL, 'f'},
		{"output", required_argument, NULL, 'o'},
		{"metrics", no_argument, NULL, 'm'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *file = NULL, *output = NULL;
	bool list = false;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f': file = optarg; break;
		case 'o': output = optarg; break;
		case 'm': list = true; break;
		case 'h':
			printf("%s\n%s\n%s\nExit status: 0, 1 when the file cannot be written, 2 for bad input.\n",
			       promrules_synopsis, promrules_desc, promrules_opts);
			return 0;
		case ':': return cmd_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]);
		default: return cmd_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cmd_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	if (list) {
		struct strbuf sb;
		strbuf_init(&sb, 0);
		int rc = promrules_render_metrics_md(&sb);
		int st = rc ? 1 : write_out(cmd, output, &sb);
		strbuf_free(&sb);
		return st;
	}

	struct diag d;
	diag_init_file(&d, stderr, "headroom");
	d.show_source = isatty(fileno(stderr));
	const char *path = cmd_config_path(file);
	struct config *cfg = NULL;
	struct planning ps = {0};
	struct rule_set rules = {0};
	struct next_step next;
	memset(&next, 0, sizeof(next));
	bool planned = false;
	int status = EXIT_BAD_INPUT;
	if (config_load(path, &d, &cfg))
		goto out;
	/* The rules as `check` has them: the config's over the defaults, each
	 * checked after the merge (an override may leave out what its default has). */
	rules_merge(cfg->triggers, cfg->n_triggers, &rules);
	bool bad = false;
	for (size_t i = 0; i < rules.n; i++) {
		const char *why = rules_validate(&rules.rules[i]);
		if (why) {
			char key[256];
			snprintf(key, sizeof(key), "triggers.%s", rules.rules[i].name ? rules.rules[i].name : "");
			struct diag_loc loc = config_loc(cfg, key);
			diag_at(&d, DIAG_ERROR, &loc, "trigger '%s': %s", rules.rules[i].name ? rules.rules[i].name : "?", why);
			bad = true;
		}
	}
	if (bad)
		goto out;
	if (planning_has_workload(cfg)) {
		if (planning_init(&ps, cfg, &d))
			goto out;
		if (planning_next_step(&ps, &next)) {
			diag_error(&d, "the plan for workload.users failed");
			goto out;
		}
		planned = true;
	}
	struct promrules_report rep = {
		.version = HEADROOM_VERSION,
		.config = path,
		.rules = rules.rules,
		.n_rules = rules.n,
		.sources = cfg->sources,
		.n_sources = cfg->n_sources,
		.now = planned ? &next.now : NULL,
		.then = planned && next.has_then ? &next.then : NULL,
		.currency = cfg->economics.currency[0] ? cfg->economics.currency : "USD",
	};
	struct strbuf sb;
	strbuf_init(&sb, 0);
	int rc = promrules_render(&rep, &sb);
	if (rc) {
		fprintf(stderr, "headroom %s: cannot render the rules: %s\n", cmd, hr_strerror(rc));
		status = 1;
	} else {
		status = write_out(cmd, output, &sb);
	}
	strbuf_free(&sb);
out:
	rules_set_free(&rules);
	planning_free(&ps);
	config_free(cfg);
	return status;
}

/* --- the table of exporters -------------------------------------------------- */

/** One kind of artefact. */
struct exporter {
	const char *kind;
	const char *summary;
	int (*run)(int argc, char **argv); /* argv[0] is the kind */
	void (*help)(void);                /* its options, for `export --help` */
};

static void help_promrules(void)
{
	printf("export prometheus-rules options:\n%s", promrules_opts);
}

static const struct exporter exporters[] = {
	{"prometheus-rules", "the triggers as Prometheus alerting rules (promtool check rules)", run_promrules,
	 help_promrules},
};

#define N_EXPORTERS (sizeof(exporters) / sizeof(exporters[0]))

static void help_all(void)
{
	printf("usage: headroom export KIND [-f FILE] [-o FILE] [OPTIONS]\n"
	       "\n"
	       "The artefacts of a stage, generated from the config and its plan. Each opens\n"
	       "with a comment naming the headroom version and the config it came from, and\n"
	       "the same config gives the same bytes.\n"
	       "\n"
	       "Kinds:\n");
	for (size_t i = 0; i < N_EXPORTERS; i++)
		printf("  %-18s %s\n", exporters[i].kind, exporters[i].summary);
	printf("\n");
	for (size_t i = 0; i < N_EXPORTERS; i++) {
		exporters[i].help();
		printf("\n");
	}
	printf("Run 'headroom export KIND --help' for a kind's details.\n"
	       "Exit status: 0, 1 when the output cannot be written, 2 for bad input.\n");
}

static int run(int argc, char **argv)
{
	if (argc < 2)
		return cmd_usage_error("export", "say what to export: a KIND");
	const char *kind = argv[1];
	if (strcmp(kind, "--help") == 0 || strcmp(kind, "-h") == 0 || strcmp(kind, "help") == 0) {
		help_all();
		return 0;
	}
	for (size_t i = 0; i < N_EXPORTERS; i++)
		if (strcmp(kind, exporters[i].kind) == 0)
			return exporters[i].run(argc - 1, argv + 1);
	fprintf(stderr, "headroom export: unknown kind '%s'; expected", kind);
	for (size_t i = 0; i < N_EXPORTERS; i++)
		fprintf(stderr, "%s%s", i == 0 ? " " : i + 1 == N_EXPORTERS ? " or " : ", ", exporters[i].kind);
	fprintf(stderr, " (see 'headroom export --help')\n");
	return EXIT_BAD_INPUT;
}

const struct hr_cmd cmd_export = {"export", "the artefacts of a stage (export --help lists the kinds)", run};
