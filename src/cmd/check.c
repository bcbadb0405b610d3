/* check.c - `headroom check`: one sample from every source, each trigger's
 * state with the stored history behind it, the bottleneck now and the time
 * until each level is crossed; Nagios exit codes. */
#include "cmd/cmd.h"

#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "pipeline/live.h"
#include "pipeline/planning.h"
#include "render/jsondoc.h"
#include "render/report.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/color.h"
#include "util/diag.h"
#include "util/units.h"
#include "util/xalloc.h"

/* Nagios plugin exit codes (Nagios Plugin Development Guidelines, "Plugin
 * Return Codes"): configuration problems are UNKNOWN, not the usual 2. */
enum { NAGIOS_OK = 0, NAGIOS_WARNING = 1, NAGIOS_CRITICAL = 2, NAGIOS_UNKNOWN = 3 };

static const char usage_text[] =
	"usage: headroom check [-f FILE] [--format text|json] [--store FILE] [--interval DUR]\n"
	"                      [--no-history] [--color auto|always|never]\n"
	"\n"
	"Sample every configured metric source once and report each trigger's state,\n"
	"value, levels and the time until each level is crossed (from the history the\n"
	"agent stores), the bottleneck now and what to do. With no config file it\n"
	"checks this machine (CPU, memory, disk, load) against the default triggers.\n"
	"When the config models a workload, it also names the deployment the planner\n"
	"calls for now, the constraint that breaks it first and the next step.\n"
	"\n"
	"  -f, --file FILE     config (default ./headroom.yaml when it exists)\n"
	"      --format FMT    text (default) or json (docs/check.md)\n"
	"      --store FILE    history database (default: agent.store, else\n"
	"                      $XDG_STATE_HOME/headroom/history.db); each check\n"
	"                      records its sample there (created when missing; only\n"
	"                      read when it may not be written), so a trigger's\n"
	"                      `for` runs across checks from cron or Nagios\n"
	"      --interval DUR  how often this check runs (cron, Nagios check_interval):\n"
	"                      a gap in the history over 3 x this breaks a `for`\n"
	"                      (default 5m, or 3 x agent.interval if longer)\n"
	"      --no-history    neither read nor record history\n"
	"      --color WHEN    auto|always|never: colour the states (default auto: on\n"
	"                      a terminal unless NO_COLOR is set)\n"
	"  -h, --help          this text\n"
	"\n"
	"Exit status (Nagios plugin codes): 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN\n"
	"(a source down, or a usage or config error). A plan that cannot be computed\n"
	"is reported beside the triggers, which are still evaluated: it turns OK into\n"
	"UNKNOWN and leaves WARNING and CRITICAL as they are.\n";

/* Default gap a `for` survives between two checks: Nagios' check_interval
 * and a typical cron line are minutes apart, the agent's samples seconds. A
 * check every 5 min, 3 times over (as the agent's max_gap is 3 intervals). */
#define CHECK_INTERVAL_S 300.0



/* Lines shown under the report: what kept this check from being whole. */
struct notes {
	char **v;
	size_t n;
};

static void note_add(struct notes *n, const char *fmt, ...) HR_PRINTF(2, 3);
static void note_add(struct notes *n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = NULL;
	if (vasprintf(&s, fmt, ap) < 0)
		abort(); /* out of memory: xalloc's policy */
	va_end(ap);
	n->v = xreallocarray(n->v, n->n + 2, sizeof(*n->v));
	n->v[n->n++] = s;
	n->v[n->n] = NULL;
}

static void notes_free(struct notes *n)
{
	for (size_t i = 0; i < n->n; i++)
		free(n->v[i]);
	free(n->v);
}

/* Open the store to read and record: create it when missing; when it may
 * not be written (a read-only file, directory or file system), read it and
 * say the check is not recorded; when it cannot be created, go on without
 * history. Only a file that is not a store of this headroom is an error.
 * @return 0 (*st may be NULL), or HR_E_IO after reporting to d. */
static int open_store(const char *path, struct diag *d, struct store **st, struct notes *notes)
{
	struct strbuf msg;
	strbuf_init(&msg, 4096);
	struct diag md;
	diag_init_mem(&md, &msg);
	char *why = NULL;
	int rc = store_open(path, STORE_CREATE, &md, st);
	if (rc == 0) {
		store_set_diag(*st, d);
		goto out;
	}
	/* The reason without diag's "PROG: error: " prefix. */
	const char *m = strbuf_str(&msg), *e = strstr(m, "error: ");
	m = e ? e + 7 : m;
	why = xstrndup(m, strcspn(m, "\n"));
	rc = store_open(path, STORE_READONLY, d, st);
	if (rc == 0) {
		note_add(notes, "history store %s is read-only here: it is read, and this check is not recorded "
				"(%s)", path, why);
	} else if (rc == HR_E_NOTFOUND) {
		note_add(notes, "no history: %s", why);
		rc = 0;
	}
out:
	free(why);
	strbuf_free(&msg);
	return rc;
}

static int check_usage(const char *what, const char *arg)
{
	fprintf(stderr, "headroom check: %s '%s' (see 'headroom check --help')\n", what, arg);
	return NAGIOS_UNKNOWN;
}

/* What the command line asked for. */
struct check_args {
	const char *file, *store;
	enum out_format fmt;
	bool history;
	enum color_mode color;
	double every;  /* --interval; 0 = not given */
	bool done;     /* --help was printed */
};

/* @return 0 to go on (a->done after --help), or the exit status of a usage error. */
static int parse_flags(int argc, char **argv, struct check_args *a)
{
	static const struct option opts[] = {
		{"file", required_argument, NULL, 'f'},
		{"format", required_argument, NULL, 'F'},
		{"store", required_argument, NULL, 's'},
		{"no-history", no_argument, NULL, 'n'},
		{"interval", required_argument, NULL, 'i'},
		{"color", required_argument, NULL, 'C'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	*a = (struct check_args){.fmt = FORMAT_TEXT, .history = true, .color = COLOR_AUTO};
	const char *why = NULL;
	int c;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f': a->file = optarg; break;
		case 'F':
			if (cmd_parse_format("check", optarg, 1u << FORMAT_TEXT | 1u << FORMAT_JSON, &a->fmt))
				return NAGIOS_UNKNOWN;
			break;
		case 's': a->store = optarg; break;
		case 'n': a->history = false; break;
		case 'i':
			if (units_parse_duration(optarg, &a->every, &why) != 0 || !(a->every > 0))
				return check_usage("--interval expects a duration such as 5m, got", optarg);
			break;
		case 'C':
			if (color_mode_parse(optarg, &a->color) != 0)
				return check_usage("--color expects auto, always or never, got", optarg);
			break;
		case 'h': fputs(usage_text, stdout); a->done = true; return NAGIOS_OK;
		default:
			return check_usage("unknown or incomplete option", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return check_usage("unexpected argument", argv[optind]);
	return 0;
}

/* What one check holds; released by check_free(). */
struct check {
	struct config *cfg;
	struct notes notes;
	char *def_path;          /* the default store path, when that is the one */
	struct store *st;
	struct live *lv;
	struct planning pl;
	struct next_step *ns;    /* the planner's next step, or NULL */
	bool plan_failed;        /* not computed, or no deployment meets the objectives now */
	char *plan_why;          /* why, for the summary line, when plan_failed */
	struct strbuf smsg;      /* the store's message when this check is not recorded */
	struct diag sd;
};

static void check_free(struct check *k)
{
	free(k->ns);
	free(k->plan_why);
	planning_free(&k->pl);
	live_close(k->lv);
	store_close(k->st);
	free(k->def_path);
	notes_free(&k->notes);
	config_free(k->cfg);
	strbuf_free(&k->smsg);
}

/* Without -f a missing ./headroom.yaml means "nothing configured": check
 * this machine with the default triggers. A named file must exist. */
static int load_config(const char *file, struct diag *d, struct config **cfg)
{
	const char *path = cmd_config_path(file);
	struct stat sb;
	if (file || stat(path, &sb) == 0)
		return config_load(path, d, cfg);
	return 0;
}

/* The history store: read for the `for` of each trigger and for the
 * forecasts, and written with this check's sample, so checks from cron
 * or Nagios see a condition hold across runs without the agent.
 * @return 0 (k->st may be NULL), or HR_E_IO after reporting to d. */
static int open_history(struct check *k, const char *flag, struct diag *d)
{
	const char *path = live_store_path(flag, k->cfg, &k->def_path);
	if (!path) {
		note_add(&k->notes, "no history store: set --store, agent.store, XDG_STATE_HOME or HOME; "
				    "a trigger's `for` cannot run across checks");
		return 0;
	}
	return open_store(path, d, &k->st, &k->notes);
}

/* The planner's next step, when the config models a workload. A plan
 * that cannot be computed is reported beside the triggers: monitoring
 * goes on without it. */
static void plan_next(struct check *k)
{
	if (!planning_has_workload(k->cfg))
		return;
	k->ns = xcalloc(1, sizeof(*k->ns));
	struct strbuf pmsg;
	strbuf_init(&pmsg, 1 << 16);
	struct diag pd;
	diag_init_mem(&pd, &pmsg);
	pd.prog = "plan";
	int prc = planning_init(&k->pl, k->cfg, &pd);
	if (!prc && planning_next_step(&k->pl, k->ns) != 0) {
		prc = HR_E_INVALID;
		diag_error(&pd, "the planner could not run on this config");
	}
	/* An objective no deployment meets now is no plan either: the text and
	 * JSON show the planner's reason; `validate` warns of it. */
	if (!prc && !k->ns->now.feasible) {
		k->plan_failed = true;
		k->plan_why = xasprintf("no deployment meets the objectives at %.0f users", k->ns->now.users);
		note_add(&k->notes, "%s: this check is UNKNOWN until the objectives or the model change "
				    "(headroom validate warns of it)", k->plan_why);
	}
	/* `validate` finds the same problems before a check runs. */
	if (prc) {
		k->plan_failed = true;
		k->plan_why = xstrdup("plan not computed (see the notes)");
		free(k->ns);
		k->ns = NULL;
		/* One note per message line, without the caret lines. */
		for (char *line = pmsg.buf, *nl; line && *line; line = nl ? nl + 1 : NULL) {
			nl = strchr(line, '\n');
			if (nl)
				*nl = '\0';
			if (line[0] && line[0] != ' ')
				note_add(&k->notes, "plan not computed: %s", line);
		}
	}
	strbuf_free(&pmsg);
}

/* Print the report. @return the exit status, @p status unless it cannot be rendered. */
static int render(const struct check *k, const struct live_result *res, const struct check_args *a, int status)
{
	const char *cur = k->cfg && k->cfg->economics.currency[0] ? k->cfg->economics.currency : "USD";
	struct strbuf text;
	strbuf_init(&text, 0);
	int rc;
	if (a->fmt == FORMAT_JSON) {
		json_t *doc = report_json(res, k->ns, cur);
		report_notes_json(doc, (const char *const *)k->notes.v, k->notes.n);
		rc = jsondoc_render(doc, &text);
	} else {
		rc = report_text(res, k->ns, cur, color_wanted(a->color, STDOUT_FILENO), &text);
		if (!rc)
			rc = report_notes_text((const char *const *)k->notes.v, k->notes.n, &text);
	}
	if (rc == 0) {
		fputs(strbuf_str(&text), stdout);
	} else {
		fprintf(stderr, "headroom check: cannot render the report: %s\n", hr_strerror(rc));
		status = NAGIOS_UNKNOWN;
	}
	strbuf_free(&text);
	return status;
}

static int run(int argc, char **argv)
{
	struct check_args a;
	int status = parse_flags(argc, argv, &a);
	if (status || a.done)
		return status;
	struct diag d;
	diag_init_file(&d, stderr, "headroom check");
	d.show_source = true;
	struct check k = {0};
	strbuf_init(&k.smsg, 4096);
	diag_init_mem(&k.sd, &k.smsg);
	status = NAGIOS_UNKNOWN;
	if (load_config(a.file, &d, &k.cfg) != 0 || (a.history && open_history(&k, a.store, &d) != 0))
		goto out;
	double agent_iv = k.cfg && k.cfg->agent.interval_s > 0 ? k.cfg->agent.interval_s : 10;
	double iv = a.every > 0 ? a.every : fmax(CHECK_INTERVAL_S, agent_iv);
	struct live_opts lo = {
		.store = k.st,
		.use_history = a.history,
		.interval_s = iv,
		.max_gap_s = 3 * iv,
		.forecast = true,
	};
	double t0 = clock_unix();
	if (live_open(k.cfg, &lo, &d, &k.lv) != 0)
		goto out;
	clock_sleep(live_warmup(k.lv) - (clock_unix() - t0));
	plan_next(&k);
	/* Recorded after the round: the next check replays this sample. */
	struct live_result res;
	if (live_record(k.lv, clock_unix(), &k.sd, &res) != 0)
		note_add(&k.notes, "this check was not recorded: %.*s", (int)strcspn(strbuf_str(&k.smsg), "\n"),
			 strbuf_str(&k.smsg));
	if (k.plan_failed && res.status == TRIG_OK) {
		/* The summary, the JSON status and the exit code say the same. */
		res.status = TRIG_UNKNOWN;
		res.status_note = k.plan_why;
	}
	status = render(&k, &res, &a, (int)res.status);
	live_result_free(&res);
out:
	check_free(&k);
	return status;
}

const struct hr_cmd cmd_check = {"check", "live status of every trigger (Nagios exit codes)", run};
