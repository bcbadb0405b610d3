/* export.c - `headroom export KIND`: the artefacts of a planned stage.
 *
 * One table of exporters; each parses its own flags, plans through
 * pipeline/export.h and writes what a renderer made. Adding an export is
 * adding a row. */
#include "cmd/cmd.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "model/rules.h"
#include "pipeline/export.h"
#include "pipeline/planning.h"
#include "render/compose.h"
#include "render/k8s.h"
#include "render/pgconf.h"
#include "render/plan.h"
#include "render/promrules.h"
#include "util/diag.h"
#include "util/strbuf.h"
#include "util/units.h"
#include "util/xalloc.h"

#ifndef HEADROOM_VERSION
#define HEADROOM_VERSION "dev"
#endif

/** One kind of export. */
struct exporter {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv); /* argv[0] is the kind */
};

static int run_compose(int argc, char **argv);
static int run_k8s(int argc, char **argv);
static int run_promrules(int argc, char **argv);

/* In the order `headroom export --help` lists them. */
static const struct exporter exporters[] = {
	{"compose", "the Compose file of a single or split stage (+ postgresql.conf)", run_compose},
	{"k8s", "Kubernetes Deployments, Services, HPAs, PDBs and KEDA ScaledObjects", run_k8s},
	{"prometheus-rules", "the triggers as Prometheus alerting rules (promtool check rules)", run_promrules},
};

#define N_EXPORTERS (sizeof(exporters) / sizeof(exporters[0]))

static const char compose_usage[] =
	"usage: headroom export compose [-f FILE] [--users N | --stage NAME] [-o FILE]\n"
	"\n"
	"The Compose file of the plan at N users (default: workload.users), or of the\n"
	"cheapest deployment of stage NAME (single, single+ops or split): one service\n"
	"per component with the plan's replicas, CPU and memory limits and\n"
	"reservations, a health check, restart: unless-stopped, named volumes for\n"
	"PostgreSQL and Redis, the reverse proxy publishing 80 and 443, and the\n"
	"PostgreSQL settings mounted as a config file; PgBouncer in front of it when\n"
	"the plan has it. With -o FILE, the settings are written to postgresql.conf\n"
	"in the same folder; on stdout, a FIFO or a device they are left out.\n"
	"A stage that runs on several app nodes (ha, cluster) is an error: use\n"
	"headroom export k8s.\n"
	"\n"
	"  -f, --file FILE     the config (default ./headroom.yaml)\n"
	"  -u, --users N       plan for N users\n"
	"  -s, --stage NAME    hold the plan to one stage: single, single+ops, split\n"
	"  -o, --output FILE   write here (default stdout); a FIFO or a device is\n"
	"                      written in place, a link followed (README, Output files)\n"
	"  -h, --help          this text\n"
	"\n"
	"Exit status: 0 written; 2 bad flags or config, a stage Compose cannot run,\n"
	"or an output that could not be written (one line naming it).\n";

static const char k8s_usage[] =
	"usage: headroom export k8s [-f FILE] [--users N] [--namespace NS] [-o FILE]\n"
	"\n"
	"Kubernetes manifests for the plan at N users (default: workload.users):\n"
	"for each app, proxy and other component a Deployment, a Service, an\n"
	"autoscaling/v2 HorizontalPodAutoscaler (CPU and memory at the utilisation\n"
	"objectives, behavior written out) and a PodDisruptionBudget; for each queue\n"
	"worker a Deployment and a KEDA ScaledObject on its Redis list; Redis as one\n"
	"Deployment. Requests and limits come from the plan, probes from\n"
	"components.NAME.health and port. PostgreSQL stays outside the cluster;\n"
	"the plan's PgBouncer runs in it as two replicas sharing the plan's pool.\n"
	"\n"
	"  -f, --file FILE       the config (default ./headroom.yaml)\n"
	"  -u, --users N         plan for N users\n"
	"  -n, --namespace NS    namespace of every object (default: default)\n"
	"  -o, --output FILE     write here (default stdout); a FIFO or a device is\n"
	"                        written in place, a link followed (README, Output files)\n"
	"  -h, --help            this text\n"
	"\n"
	"Exit status: 0 written; 2 bad flags or config, or an output that could not be\n"
	"written (one line naming it).\n";

static void usage(FILE *fp)
{
	fprintf(fp, "usage: headroom export KIND [OPTIONS]\n\nThe artefacts of a planned stage, from the model:\n\n");
	for (size_t i = 0; i < sizeof(exporters) / sizeof(exporters[0]); i++)
		fprintf(fp, "  %-18s %s\n", exporters[i].name, exporters[i].summary);
	fprintf(fp, "\nEvery file starts with a comment naming the headroom version and the config,\n"
		    "and is the same, byte for byte, for the same config.\n"
		    "Run 'headroom export KIND --help' for a kind's options.\n");
}

/* Common flags of the plan-based exporters. */
struct opts {
	const char *file, *output, *ns;
	double users;
	int stage;
	bool done;  /* --help was printed */
};

static int parse_users(const char *cmd, const char *v, double *out)
{
	const char *why = NULL;
	if (units_parse_count(v, out, &why) || *out > WORKLOAD_MAX_USERS)
		return cmd_usage_error(cmd, "--users: expected a user count such as 5000 or 10k, got '%s'", v);
	return 0;
}

/* @return 0 to go on (o->done after --help), or the exit status of a usage error. */
static int parse_opts(const char *cmd, const char *usage_text, bool stages, bool ns, int argc, char **argv,
		      struct opts *o)
{
	static const struct option lopts[] = {
		{"file", required_argument, NULL, 'f'},
		{"users", required_argument, NULL, 'u'},
		{"stage", required_argument, NULL, 's'},
		{"namespace", required_argument, NULL, 'n'},
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	memset(o, 0, sizeof(*o));
	o->users = -1;
	o->stage = -1;
	o->ns = "default";
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:u:s:n:o:h", lopts, NULL)) != -1) {
		switch (c) {
		case 'f': o->file = optarg; break;
		case 'o': o->output = optarg; break;
		case 'u':
			if (parse_users(cmd, optarg, &o->users))
				return EXIT_BAD_INPUT;
			break;
		case 's': {
			if (!stages)
				return cmd_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
			int found = -1;
			for (int s = 0; s < STAGE_COUNT; s++)
				if (strcmp(optarg, plan_stage_name((enum stage_kind)s)) == 0)
					found = s;
			if (found < 0)
				return cmd_usage_error(cmd, "--stage: expected single, single+ops, split, ha or cluster, got '%s'", optarg);
			o->stage = found;
			break;
		}
		case 'n': {
			if (!ns)
				return cmd_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
			char buf[80];
			k8s_name(optarg, buf, sizeof(buf));
			if (strcmp(buf, optarg) != 0)
				return cmd_usage_error(cmd, "--namespace: '%s' is not a Kubernetes name (lowercase letters, digits, '-')", optarg);
			o->ns = optarg;
			break;
		}
		case 'h': fputs(usage_text, stdout); o->done = true; return 0;
		case ':': return cmd_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]);
		default: return cmd_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cmd_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	if (o->users >= 0 && o->stage >= 0)
		return cmd_usage_error(cmd, "give --users or --stage, not both");
	return 0;
}

static void doc_init(struct export_doc *x, const struct export_plan *ep, const char *kind, const char *source)
{
	memset(x, 0, sizeof(*x));
	x->version = HEADROOM_VERSION;
	x->kind = kind;
	x->source = source;
	x->currency = ep->cfg->economics.currency[0] ? ep->cfg->economics.currency : "USD";
	x->users = ep->users;
	x->best = &ep->step.best;
	x->workload = &ep->cfg->workload;
	x->objectives = &ep->cfg->objectives;
	x->comps = ep->cfg->components;
	x->n = ep->cfg->n_components;
	x->pl = ep->pl;
	x->ns = "default";
	const struct deployment *dep = &ep->cfg->deployment;
	x->pool_size = dep->pool_size ? dep->pool_size : PGBOUNCER_POOL_SIZE;
	x->max_client_conn = dep->max_client_conn ? dep->max_client_conn : PGBOUNCER_MAX_CLIENT;
}

static int run_compose(int argc, char **argv)
{
	const char *cmd = "export compose";
	struct opts o;
	int rc = parse_opts(cmd, compose_usage, true, false, argc, argv, &o);
	if (rc || o.done)
		return rc;
	if (o.stage > STAGE_SPLIT)
		return cmd_usage_error(cmd, "stage '%s' runs on several app nodes, which one Compose file cannot; use headroom export k8s",
				       plan_stage_name((enum stage_kind)o.stage));
	struct diag d;
	diag_init_file(&d, stderr, "headroom export compose");
	d.show_source = isatty(fileno(stderr));
	struct config *cfg = NULL;
	struct export_plan ep;
	memset(&ep, 0, sizeof(ep));
	struct strbuf sb, pg;
	strbuf_init(&sb, 0);
	strbuf_init(&pg, 0);
	char *conf_path = NULL;
	int status = EXIT_BAD_INPUT;
	const char *path = cmd_config_path(o.file);
	if (config_load(path, &d, &cfg) || export_plan_init(&ep, cfg, o.users, o.stage, &d))
		goto out;
	enum stage_kind st = ep.step.best.shape.stage;
	if (st > STAGE_SPLIT) {
		char nodes[256];
		plan_nodes_text(&ep.step.best, nodes, sizeof(nodes));
		fprintf(stderr,
			"headroom export compose: at %.0f users the plan is stage '%s' (%s), which one Compose file cannot run; "
			"use --stage single or --stage split to export a smaller stage, or headroom export k8s\n",
			ep.users, plan_stage_name(st), nodes);
		goto out;
	}
	struct export_doc x;
	doc_init(&x, &ep, "compose", path);
	size_t pgi = compose_pg_index(&x);
	if (cmd_output_is_file(o.output) && pgi < x.n) {
		x.pg_conf = "postgresql.conf";
		const char *slash = strrchr(o.output, '/');
		conf_path = slash ? xasprintf("%.*s/postgresql.conf", (int)(slash - o.output), o.output)
				  : xstrdup("postgresql.conf");
	}
	if (compose_render(&x, &sb) || (conf_path && pgconf_render(&x, pgi, &pg))) {
		diag_error(&d, "cannot render the compose file");
		status = 1;
		goto out;
	}
	status = cmd_write(cmd, o.output, strbuf_str(&sb), sb.len, true);
	if (!status && conf_path)
		status = cmd_write(cmd, conf_path, strbuf_str(&pg), pg.len, true);
	if (!status && !conf_path && pgi < x.n)
		fprintf(stderr, "headroom export compose: PostgreSQL's settings file is written only beside a regular file "
				"(-o FILE), not to standard output, a FIFO or a device\n");
out:
	free(conf_path);
	strbuf_free(&sb);
	strbuf_free(&pg);
	export_plan_free(&ep);
	config_free(cfg);
	return status;
}

static int run_k8s(int argc, char **argv)
{
	const char *cmd = "export k8s";
	struct opts o;
	int rc = parse_opts(cmd, k8s_usage, false, true, argc, argv, &o);
	if (rc || o.done)
		return rc;
	struct diag d;
	diag_init_file(&d, stderr, "headroom export k8s");
	d.show_source = isatty(fileno(stderr));
	struct config *cfg = NULL;
	struct export_plan ep;
	memset(&ep, 0, sizeof(ep));
	struct strbuf sb;
	strbuf_init(&sb, 0);
	unsigned *max = NULL;
	int status = EXIT_BAD_INPUT;
	const char *path = cmd_config_path(o.file);
	if (config_load(path, &d, &cfg) || export_plan_init(&ep, cfg, o.users, -1, &d))
		goto out;
	struct export_doc x;
	doc_init(&x, &ep, "k8s", path);
	x.ns = o.ns;
	max = xcalloc(x.n ? x.n : 1, sizeof(*max));
	for (size_t i = 0; i < x.n; i++)
		max[i] = export_max_replicas(&ep, i);
	x.max_replicas = max;
	if (k8s_render(&x, &sb)) {
		diag_error(&d, "cannot render the manifests");
		status = 1;
		goto out;
	}
	status = cmd_write(cmd, o.output, strbuf_str(&sb), sb.len, true);
out:
	free(max);
	strbuf_free(&sb);
	export_plan_free(&ep);
	config_free(cfg);
	return status;
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
	"  -o, --output FILE write the rules there instead of stdout; a FIFO or a\n"
	"                    device is written in place, a link followed (README,\n"
	"                    Output files)\n"
	"      --metrics     print the PromQL of every built-in metric (a Markdown table)\n"
	"  -h, --help        this text\n";

/* What `export prometheus-rules` was given. */
struct promrules_args {
	const char *file, *output;
	bool list;  /* --metrics */
	bool done;  /* --help was printed */
};

/* @return 0 to go on (a->done after --help), or the exit status of a usage error. */
static int promrules_parse(const char *cmd, int argc, char **argv, struct promrules_args *a)
{
	static const struct option opts[] = {
		{"file", required_argument, NULL, 'f'},
		{"output", required_argument, NULL, 'o'},
		{"metrics", no_argument, NULL, 'm'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	memset(a, 0, sizeof(*a));
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f': a->file = optarg; break;
		case 'o': a->output = optarg; break;
		case 'm': a->list = true; break;
		case 'h':
			printf("%s\n%s\n%s\nExit status: 0; 2 for bad input or an output that cannot be written.\n",
			       promrules_synopsis, promrules_desc, promrules_opts);
			a->done = true;
			return 0;
		case ':': return cmd_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]);
		default: return cmd_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cmd_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	return 0;
}

/* The rules as `check` has them: the config's over the defaults, each
 * checked after the merge (an override may leave out what its default has).
 * @return 0, or HR_E_INVALID after reporting each bad rule to d. */
static int merge_rules(const struct config *cfg, struct rule_set *rules, struct diag *d)
{
	rules_merge(cfg->triggers, cfg->n_triggers, rules);
	int rc = 0;
	for (size_t i = 0; i < rules->n; i++) {
		const char *why = rules_validate(&rules->rules[i]);
		if (why) {
			char key[256];
			snprintf(key, sizeof(key), "triggers.%s", rules->rules[i].name ? rules->rules[i].name : "");
			struct diag_loc loc = config_loc(cfg, key);
			diag_at(d, DIAG_ERROR, &loc, "trigger '%s': %s", rules->rules[i].name ? rules->rules[i].name : "?", why);
			rc = HR_E_INVALID;
		}
	}
	return rc;
}

/* --metrics: the PromQL of every built-in metric. @return the exit status. */
static int promrules_metrics(const char *cmd, const char *output)
{
	struct strbuf sb;
	strbuf_init(&sb, 0);
	int rc = promrules_render_metrics_md(&sb);
	int st = rc ? 1 : cmd_write(cmd, output, strbuf_str(&sb), sb.len, true);
	strbuf_free(&sb);
	return st;
}

static int run_promrules(int argc, char **argv)
{
	static const char cmd[] = "export prometheus-rules";
	struct promrules_args a;
	int status = promrules_parse(cmd, argc, argv, &a);
	if (status || a.done)
		return status;
	if (a.list)
		return promrules_metrics(cmd, a.output);
	struct diag d;
	diag_init_file(&d, stderr, "headroom");
	d.show_source = isatty(fileno(stderr));
	const char *path = cmd_config_path(a.file);
	struct config *cfg = NULL;
	struct planning ps = {0};
	struct rule_set rules = {0};
	struct next_step next;
	memset(&next, 0, sizeof(next));
	bool planned = false;
	status = EXIT_BAD_INPUT;
	if (config_load(path, &d, &cfg) || merge_rules(cfg, &rules, &d))
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
		status = cmd_write(cmd, a.output, strbuf_str(&sb), sb.len, true);
	}
	strbuf_free(&sb);
out:
	rules_set_free(&rules);
	planning_free(&ps);
	config_free(cfg);
	return status;
}

static int run(int argc, char **argv)
{
	if (argc < 2)
		return cmd_usage_error("export", "say what to export: compose, k8s or prometheus-rules");
	const char *kind = argv[1];
	if (!strcmp(kind, "--help") || !strcmp(kind, "-h") || !strcmp(kind, "help")) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < N_EXPORTERS; i++)
		if (strcmp(kind, exporters[i].name) == 0)
			return exporters[i].run(argc - 1, argv + 1);
	return cmd_usage_error("export", "unknown kind '%s'; expected compose, k8s or prometheus-rules", kind);
}

const struct hr_cmd cmd_export = {"export",
				  "write a stage's artefacts: compose file, Kubernetes manifests, Prometheus rules", run};
