/* tune.c - `headroom tune postgres` and `headroom tune app`: settings for a
 * machine given on the command line, or for the node a plan chooses. */
#include "cmd/cmd.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "model/apptune.h"
#include "model/machine.h"
#include "model/pgtune.h"
#include "model/planner.h"
#include "pipeline/planning.h"
#include "render/tune.h"
#include "util/diag.h"
#include "util/strbuf.h"
#include "util/units.h"

/* The help of each target in pieces, so `tune --help` (and the man page made
 * from it) carries every option of both. */
static const char pg_synopsis[] =
	"usage: headroom tune postgres --ram SIZE [--cpus N] [--connections N] [--version 10..18]\n"
	"                              [--os linux|windows|mac] [--type web|oltp|dw|desktop|mixed]\n"
	"                              [--storage ssd|hdd|san|nvme] [--db-size less-ram|mid-ram|greater-ram]\n"
	"                              [--format conf|json]\n"
	"       headroom tune postgres -f FILE [--users N] [the options above]\n";

static const char pg_desc[] =
	"PostgreSQL settings by PGTune's rules (docs/tune.md lists each formula and its\n"
	"source), as postgresql.conf lines (include them from postgresql.conf) or JSON.\n"
	"Anything left out takes PGTune's default: version 18, linux, web, ssd, mid-ram,\n"
	"max_connections by type (web 200, oltp 300, dw 40, desktop 20, mixed 100).\n"
	"Flags given with -f override what the plan says.\n";

static const char pg_opts[] =
	"  -f, --file FILE       take the machine from the plan's database node: its vCPUs and\n"
	"                        memory (the postgres component's memory on a shared node), the\n"
	"                        connection limit the plan checked, the planned database size\n"
	"  -u, --users N         plan for N users (default: workload.users)\n"
	"      --ram SIZE        memory PostgreSQL may use: 8GiB, 512MiB (GB and MB are powers\n"
	"                        of ten: PGTune's \"8 GB\" is 8GiB), 64MiB to 16TiB\n"
	"      --cpus N          CPUs PostgreSQL may use (parallel settings from 4)\n"
	"      --connections N   max_connections\n"
	"      --version N       PostgreSQL major version, 10 to 18 (default 18)\n"
	"      --os OS           linux (default), windows or mac\n"
	"      --type TYPE       web (default), oltp, dw (data warehouse), desktop or mixed\n"
	"      --storage KIND    ssd (default), hdd, san or nvme\n"
	"      --db-size SIZE    less-ram, mid-ram (default) or greater-ram: the data against memory\n"
	"      --format FMT      conf (default) or json\n"
	"  -h, --help            this text\n";

static const char app_synopsis[] =
	"usage: headroom tune app --runtime uvicorn|gunicorn|node|puma|celery --cpus N --ram SIZE\n"
	"                         [--worker-memory SIZE] [--cpu-share RATIO] [--format text|json]\n"
	"       headroom tune app --runtime RUNTIME -f FILE [--users N] [--component NAME]\n";

static const char app_desc[] =
	"Worker processes, threads or concurrency per process, and memory per process\n"
	"for an app server, with the reasoning and the source of each rule (docs/tune.md).\n";

static const char app_opts[] =
	"  -r, --runtime RT      uvicorn, gunicorn, node, puma or celery (required)\n"
	"  -f, --file FILE       take the machine from the plan's app node: its vCPUs, its memory\n"
	"                        less what the other components there reserve, the component's\n"
	"                        memory per process and the CPU share of its requests or tasks\n"
	"  -u, --users N         plan for N users (default: workload.users)\n"
	"      --component NAME  the component to size (default: the first app component, or\n"
	"                        the first worker for celery)\n"
	"      --cpus N          CPUs the processes may use (1 to 1024)\n"
	"      --ram SIZE        memory of the machine, e.g. 4GiB (80% of it is filled at most)\n"
	"      --worker-memory SIZE  resident memory of one process, e.g. 300MiB (caps the processes)\n"
	"      --cpu-share RATIO CPU time over wall time of a request or task, e.g. 20% (default:\n"
	"                        CPU-bound)\n"
	"      --format FMT      text (default) or json\n"
	"  -h, --help            this text\n";

static const char exit_text[] = "Exit status: 0, or 2 for bad input.\n";

static void help_postgres(void)
{
	printf("%s\n%s\n%s\n%s", pg_synopsis, pg_desc, pg_opts, exit_text);
}

static void help_app(void)
{
	printf("%s\n%s\n%s\n%s", app_synopsis, app_desc, app_opts, exit_text);
}

static void help_all(void)
{
	printf("usage: headroom tune postgres [OPTIONS]\n"
	       "       headroom tune app --runtime RUNTIME [OPTIONS]\n"
	       "\n"
	       "Settings for a machine: PostgreSQL's postgresql.conf by PGTune's rules, or the\n"
	       "workers, threads and memory of an app server. The machine comes from the flags,\n"
	       "or from the node the plan chooses (-f FILE [--users N]).\n"
	       "\n%s\n%s\n"
	       "tune postgres options:\n%s\n"
	       "tune app options:\n%s\n%s",
	       pg_desc, app_desc, pg_opts, app_opts, exit_text);
}

/* A whole number in [lo, hi]. @return 0, or HR_E_INVALID after one message. */
static int parse_uint(const char *cmd, const char *flag, const char *v, unsigned lo, unsigned hi, unsigned *out)
{
	char *end;
	unsigned long x = strtoul(v, &end, 10);
	if (!*v || *end || v[0] == '-' || x < lo || x > hi) {
		cmd_usage_error(cmd, "%s: expected a whole number from %u to %u, got '%s'", flag, lo, hi, v);
		return HR_E_INVALID;
	}
	*out = (unsigned)x;
	return 0;
}

/* A size. @return 0, or HR_E_INVALID after one message. */
static int parse_size(const char *cmd, const char *flag, const char *v, double *out)
{
	const char *why = NULL;
	if (units_parse_size(v, out, &why)) {
		cmd_usage_error(cmd, "%s: '%s' is not a size (%s)", flag, v, why ? why : "expected e.g. 8GiB");
		return HR_E_INVALID;
	}
	return 0;
}

/* A config planned at one user count. */
struct planned {
	struct config *cfg;
	struct planning ps;
	struct plan_step step;
};

static void planned_free(struct planned *p)
{
	planning_free(&p->ps);
	config_free(p->cfg);
}

/* Load, set the planner up and plan for the users. @return 0 or an exit status. */
static int plan_at(const char *cmd, const char *file, const char *users_arg, struct planned *p)
{
	memset(p, 0, sizeof(*p));
	struct diag d;
	diag_init_file(&d, stderr, "headroom");
	d.show_source = isatty(fileno(stderr));
	double users = NAN;
	if (users_arg) {
		const char *why = NULL;
		if (units_parse_count(users_arg, &users, &why) || users > WORKLOAD_MAX_USERS)
			return cmd_usage_error(cmd, "--users: '%s' is not a user count (%s)", users_arg,
					       why ? why : "at most 1e12");
	}
	if (config_load(file, &d, &p->cfg))
		return EXIT_BAD_INPUT;
	if (!planning_has_workload(p->cfg)) {
		fprintf(stderr, "%s: error: the config has no workload to plan (workload.users and a request or task "
				"class), so -f cannot choose a machine; give the machine with flags\n",
			file);
		return EXIT_BAD_INPUT;
	}
	if (planning_init(&p->ps, p->cfg, &d))
		return EXIT_BAD_INPUT;
	if (isnan(users))
		users = p->cfg->workload.users;
	if (planner_run(&p->ps.in, &users, 1, &p->step)) {
		fprintf(stderr, "headroom %s: cannot plan for %g users\n", cmd, users);
		return EXIT_BAD_INPUT;
	}
	return 0;
}

static int emit(const char *cmd, int rc, struct strbuf *sb)
{
	if (rc) {
		fprintf(stderr, "headroom %s: cannot render the output: %s\n", cmd, hr_strerror(rc));
		strbuf_free(sb);
		return 1;
	}
	int st = cmd_write(cmd, NULL, strbuf_str(sb), sb->len, true);
	strbuf_free(sb);
	return st;
}

enum {
	OPT_RAM = 256, OPT_CPUS, OPT_CONNECTIONS, OPT_VERSION, OPT_OS, OPT_TYPE, OPT_STORAGE, OPT_DBSIZE, OPT_FORMAT,
	OPT_COMPONENT, OPT_WORKER_MEM, OPT_CPU_SHARE,
};

/* What `tune postgres` was given. */
struct pg_args {
	struct pgtune_input in;
	const char *file, *users_arg;
	bool json, has_ram, has_cpus, has_conn, has_dbsize;
	bool done;  /* --help was printed */
};

/* One option of `tune postgres` (not -f, -u or -h). @return 0 or EXIT_BAD_INPUT. */
static int pg_flag(const char *cmd, int c, const char *v, struct pg_args *a)
{
	struct pgtune_input *in = &a->in;
	switch (c) {
	case OPT_RAM:
		a->has_ram = true;
		return parse_size(cmd, "--ram", v, &in->ram_b) ? EXIT_BAD_INPUT : 0;
	case OPT_CPUS:
		a->has_cpus = true;
		return parse_uint(cmd, "--cpus", v, 1, PGTUNE_CPUS_MAX, &in->cpus) ? EXIT_BAD_INPUT : 0;
	case OPT_CONNECTIONS:
		a->has_conn = true;
		return parse_uint(cmd, "--connections", v, 1, PGTUNE_CONNECTIONS_MAX, &in->connections) ? EXIT_BAD_INPUT : 0;
	case OPT_VERSION:
		return parse_uint(cmd, "--version", v, PGTUNE_VERSION_MIN, PGTUNE_VERSION_MAX, &in->version) ? EXIT_BAD_INPUT : 0;
	case OPT_OS:
		if (pgtune_parse_os(v, &in->os))
			return cmd_usage_error(cmd, "--os: unknown '%s'; expected %s", v, pgtune_choices('o'));
		return 0;
	case OPT_TYPE:
		if (pgtune_parse_type(v, &in->type))
			return cmd_usage_error(cmd, "--type: unknown '%s'; expected %s", v, pgtune_choices('t'));
		return 0;
	case OPT_STORAGE:
		if (pgtune_parse_storage(v, &in->storage))
			return cmd_usage_error(cmd, "--storage: unknown '%s'; expected %s", v, pgtune_choices('s'));
		return 0;
	case OPT_DBSIZE:
		a->has_dbsize = true;
		if (pgtune_parse_dbsize(v, &in->db_size))
			return cmd_usage_error(cmd, "--db-size: unknown '%s'; expected %s", v, pgtune_choices('d'));
		return 0;
	default: /* OPT_FORMAT */
		if (strcmp(v, "json") == 0)
			a->json = true;
		else if (strcmp(v, "conf") != 0)
			return cmd_usage_error(cmd, "--format: unknown '%s'; expected conf or json", v);
		return 0;
	}
}

/* @return 0 to go on (a->done after --help), or the exit status of a usage error. */
static int pg_parse(const char *cmd, int argc, char **argv, struct pg_args *a)
{
	static const struct option opts[] = {
		{"file", required_argument, NULL, 'f'},
		{"users", required_argument, NULL, 'u'},
		{"ram", required_argument, NULL, OPT_RAM},
		{"cpus", required_argument, NULL, OPT_CPUS},
		{"connections", required_argument, NULL, OPT_CONNECTIONS},
		{"version", required_argument, NULL, OPT_VERSION},
		{"os", required_argument, NULL, OPT_OS},
		{"type", required_argument, NULL, OPT_TYPE},
		{"storage", required_argument, NULL, OPT_STORAGE},
		{"db-size", required_argument, NULL, OPT_DBSIZE},
		{"format", required_argument, NULL, OPT_FORMAT},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	memset(a, 0, sizeof(*a));
	pgtune_input_default(&a->in);
	int c, rc = 0;
	optind = 1;
	opterr = 0;
	while (!rc && (c = getopt_long(argc, argv, ":f:u:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f': a->file = optarg; break;
		case 'u': a->users_arg = optarg; break;
		case 'h': help_postgres(); a->done = true; return 0;
		case ':': return cmd_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]);
		case '?': return cmd_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
		default: rc = pg_flag(cmd, c, optarg, a); break;
		}
	}
	if (rc)
		return rc;
	if (optind < argc)
		return cmd_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	if (a->users_arg && !a->file)
		return cmd_usage_error(cmd, "--users needs -f FILE (the plan to take the machine from)");
	if (!a->file && !a->has_ram)
		return cmd_usage_error(cmd, "--ram is required (or -f FILE to take the machine from the plan)");
	return 0;
}

/* The machine from the plan's database node, under what the flags gave.
 * @return 0 or the exit status. */
static int pg_from_plan(const char *cmd, struct pg_args *a, struct planned *p, struct machine *m)
{
	int st = plan_at(cmd, a->file, a->users_arg, p);
	if (st)
		return st;
	const char *why = NULL;
	if (machine_for_db(&p->ps.in, &p->step, m, &why)) {
		fprintf(stderr, "%s: error: %s\n", a->file, why);
		return EXIT_BAD_INPUT;
	}
	struct pgtune_input *in = &a->in;
	if (!a->has_ram)
		in->ram_b = m->memory_b;
	if (!a->has_cpus && m->vcpu > 0)
		in->cpus = m->vcpu < 1 ? 1 : (unsigned)floor(m->vcpu + 0.5);
	if (!a->has_conn)
		in->connections = m->max_connections;
	if (!a->has_dbsize)
		in->db_size = pgtune_dbsize_for(m->db_size_b, in->ram_b);
	return 0;
}

static int run_postgres(int argc, char **argv)
{
	static const char cmd[] = "tune postgres";
	struct pg_args a;
	int st = pg_parse(cmd, argc, argv, &a);
	if (st || a.done)
		return st;
	struct planned p;
	memset(&p, 0, sizeof(p));
	struct machine m;
	struct tune_origin origin = {.version = HEADROOM_VERSION};
	if (a.file) {
		st = pg_from_plan(cmd, &a, &p, &m);
		if (st)
			goto out;
		origin.config = a.file;
		origin.step = &p.step;
		origin.machine = &m;
	}
	const char *bad = pgtune_check(&a.in);
	if (bad) {
		if (a.file && !a.has_ram && strncmp(bad, "--ram", 5) == 0)
			fprintf(stderr, "%s: error: the plan's database gets %.0f MiB, outside what PGTune's rules cover "
					"(64MiB to 16TiB)\n",
				a.file, a.in.ram_b / 1048576.0);
		else
			cmd_usage_error(cmd, "%s", bad);
		st = EXIT_BAD_INPUT;
		goto out;
	}
	struct pgtune_result res;
	int rc = pgtune_compute(&a.in, &res);
	struct strbuf sb;
	strbuf_init(&sb, 0);
	if (!rc) {
		struct tune_pg_report rep = {.origin = origin, .in = &a.in, .res = &res};
		rc = a.json ? tune_render_pg_json(&rep, &sb) : tune_render_pg_conf(&rep, &sb);
	}
	st = emit(cmd, rc, &sb);
out:
	planned_free(&p);
	return st;
}

/* What `tune app` was given. */
struct app_args {
	struct apptune_input in;
	const char *file, *users_arg, *comp_name;
	bool has_rt, has_cpus, has_ram, has_wmem, has_share;
	enum out_format fmt;
	bool done;  /* --help was printed */
};

/* One option of `tune app` (not -f, -u, --component or -h). @return 0 or EXIT_BAD_INPUT. */
static int app_flag(const char *cmd, int c, const char *v, struct app_args *a)
{
	struct apptune_input *in = &a->in;
	const char *why = NULL;
	switch (c) {
	case 'r':
		a->has_rt = true;
		if (apptune_parse_runtime(v, &in->runtime))
			return cmd_usage_error(cmd, "--runtime: unknown '%s'; expected %s", v, apptune_choices());
		return 0;
	case OPT_CPUS:
		a->has_cpus = true;
		return parse_uint(cmd, "--cpus", v, 1, APPTUNE_CPUS_MAX, &in->cpus) ? EXIT_BAD_INPUT : 0;
	case OPT_RAM:
		a->has_ram = true;
		return parse_size(cmd, "--ram", v, &in->memory_b) ? EXIT_BAD_INPUT : 0;
	case OPT_WORKER_MEM:
		a->has_wmem = true;
		return parse_size(cmd, "--worker-memory", v, &in->worker_memory_b) ? EXIT_BAD_INPUT : 0;
	case OPT_CPU_SHARE:
		a->has_share = true;
		if (units_parse_ratio(v, &in->cpu_share, &why) || !(in->cpu_share > 0 && in->cpu_share <= 1))
			return cmd_usage_error(cmd, "--cpu-share: expected a fraction above 0 and at most 100%%, got '%s'", v);
		return 0;
	default: /* OPT_FORMAT */
		return cmd_parse_format(cmd, v, (1u << FORMAT_TEXT) | (1u << FORMAT_JSON), &a->fmt) ? EXIT_BAD_INPUT : 0;
	}
}

/* @return 0 to go on (a->done after --help), or the exit status of a usage error. */
static int app_parse(const char *cmd, int argc, char **argv, struct app_args *a)
{
	static const struct option opts[] = {
		{"file", required_argument, NULL, 'f'},
		{"users", required_argument, NULL, 'u'},
		{"runtime", required_argument, NULL, 'r'},
		{"component", required_argument, NULL, OPT_COMPONENT},
		{"cpus", required_argument, NULL, OPT_CPUS},
		{"ram", required_argument, NULL, OPT_RAM},
		{"worker-memory", required_argument, NULL, OPT_WORKER_MEM},
		{"cpu-share", required_argument, NULL, OPT_CPU_SHARE},
		{"format", required_argument, NULL, OPT_FORMAT},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	*a = (struct app_args){.in = {.cpu_share = NAN}, .fmt = FORMAT_TEXT};
	int c, rc = 0;
	optind = 1;
	opterr = 0;
	while (!rc && (c = getopt_long(argc, argv, ":f:u:r:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f': a->file = optarg; break;
		case 'u': a->users_arg = optarg; break;
		case OPT_COMPONENT: a->comp_name = optarg; break;
		case 'h': help_app(); a->done = true; return 0;
		case ':': return cmd_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]);
		case '?': return cmd_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
		default: rc = app_flag(cmd, c, optarg, a); break;
		}
	}
	if (rc)
		return rc;
	if (optind < argc)
		return cmd_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	if (!a->has_rt)
		return cmd_usage_error(cmd, "--runtime is required: %s", apptune_choices());
	if (a->users_arg && !a->file)
		return cmd_usage_error(cmd, "--users needs -f FILE (the plan to take the machine from)");
	if (a->comp_name && !a->file)
		return cmd_usage_error(cmd, "--component needs -f FILE");
	if (!a->file && (!a->has_cpus || !a->has_ram))
		return cmd_usage_error(cmd, "--cpus and --ram are required (or -f FILE to take the machine from the plan)");
	return 0;
}

/* The machine from the plan's node of the component, under what the flags
 * gave. @return 0 or the exit status. */
static int app_from_plan(const char *cmd, struct app_args *a, struct planned *p, struct machine *m)
{
	int st = plan_at(cmd, a->file, a->users_arg, p);
	if (st)
		return st;
	struct apptune_input *in = &a->in;
	const struct planner_input *pi = &p->ps.in;
	enum component_kind want = in->runtime == APPTUNE_CELERY ? COMP_WORKER : COMP_APP;
	const struct component *comp = NULL;
	for (size_t i = 0; i < pi->n_components && !comp; i++) {
		const struct component *k = &pi->components[i];
		if (a->comp_name ? strcmp(k->name, a->comp_name) == 0 : k->kind == want)
			comp = k;
	}
	if (!comp) {
		if (a->comp_name)
			fprintf(stderr, "%s: error: no component '%s' in the config\n", a->file, a->comp_name);
		else
			fprintf(stderr, "%s: error: the config has no %s component for %s (name one with --component)\n",
				a->file, want == COMP_WORKER ? "worker" : "app", apptune_runtime_name(in->runtime));
		return EXIT_BAD_INPUT;
	}
	const char *why = NULL;
	if (machine_for_app(pi, &p->step, comp, m, &why)) {
		fprintf(stderr, "%s: error: component '%s': %s\n", a->file, comp->name, why);
		return EXIT_BAD_INPUT;
	}
	if (!a->has_cpus)
		in->cpus = m->vcpu < 1 ? 1 : (unsigned)floor(m->vcpu + 0.5);
	if (!a->has_ram) {
		in->memory_b = m->node_memory_b;
		in->reserved_b = m->others_b;
	}
	if (!a->has_wmem)
		in->worker_memory_b = machine_component_memory(comp);
	if (!a->has_share)
		in->cpu_share = m->cpu_share;
	in->memory_share = p->cfg->objectives.memory_max;
	return 0;
}

static int run_app(int argc, char **argv)
{
	static const char cmd[] = "tune app";
	struct app_args a;
	int st = app_parse(cmd, argc, argv, &a);
	if (st || a.done)
		return st;
	struct planned p;
	memset(&p, 0, sizeof(p));
	struct machine m;
	struct tune_origin origin = {.version = HEADROOM_VERSION};
	if (a.file) {
		st = app_from_plan(cmd, &a, &p, &m);
		if (st)
			goto out;
		origin.config = a.file;
		origin.step = &p.step;
		origin.machine = &m;
	}
	const char *bad = apptune_check(&a.in);
	if (bad) {
		if (a.file && !a.has_ram && a.in.reserved_b > 0 && strstr(bad, "other components")) {
			char x[32], y[32];
			fprintf(stderr, "%s: error: the app node %s (%s) keeps too little for '%s' after the other "
					"components' %s\n",
				a.file, m.offer->name, units_fmt_size(a.in.memory_b, x, sizeof(x)), m.comp->name,
				units_fmt_size(a.in.reserved_b, y, sizeof(y)));
		} else {
			cmd_usage_error(cmd, "%s", bad);
		}
		st = EXIT_BAD_INPUT;
		goto out;
	}
	struct apptune_result res;
	int rc = apptune_compute(&a.in, &res);
	struct strbuf sb;
	strbuf_init(&sb, 0);
	if (!rc) {
		struct tune_app_report rep = {.origin = origin, .in = &a.in, .res = &res};
		rc = a.fmt == FORMAT_JSON ? tune_render_app_json(&rep, &sb) : tune_render_app_text(&rep, &sb);
	}
	st = emit(cmd, rc, &sb);
out:
	planned_free(&p);
	return st;
}

static int run(int argc, char **argv)
{
	if (argc < 2)
		return cmd_usage_error("tune", "say what to tune: postgres or app");
	const char *what = argv[1];
	if (strcmp(what, "--help") == 0 || strcmp(what, "-h") == 0 || strcmp(what, "help") == 0) {
		help_all();
		return 0;
	}
	if (strcmp(what, "postgres") == 0)
		return run_postgres(argc - 1, argv + 1);
	if (strcmp(what, "app") == 0)
		return run_app(argc - 1, argv + 1);
	return cmd_usage_error("tune", "unknown target '%s'; expected postgres or app", what);
}

const struct hr_cmd cmd_tune = {"tune", "settings for a machine: postgresql.conf (PGTune's rules), app-server workers", run};
