/* sla.c - `headroom sla`: downtime budgets and composite availability
 * (model/availability, rendered by render/sla).
 *
 * Two questions, one output: "how much downtime does 99.9 % allow?" (a
 * target) and "what availability do these parts give?" (a composition of
 * --series, --parallel and --part, all in series in the order given, or the
 * configured deployment with -f). With both, it also says whether the
 * composition meets the target. */
#include "cmd/cmd.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/catalog.h"
#include "config/config.h"
#include "model/availability.h"
#include "model/demand.h"
#include "model/planner.h"
#include "pipeline/planning.h"
#include "render/plan.h"
#include "render/reason.h"
#include "render/sla.h"
#include "util/diag.h"
#include "util/str.h"
#include "util/strbuf.h"
#include "util/units.h"
#include "util/xalloc.h"

static const char *const name = "sla";

/* Bounds on what one command line may describe. */
#define SLA_MAX_PARTS 64
#define SLA_MAX_GROUP 32   /* availabilities in one --series/--parallel list */
#define SLA_NAME_MAX 32

/* A part as the command line gave it, for the report. */
struct sla_part {
	struct avail_part p;
	char name[SLA_NAME_MAX + 1];
	double members[SLA_MAX_GROUP]; /* a --parallel group of mixed availabilities */
	size_t n_members;              /* 0 unless mixed */
};

struct sla_parts {
	struct sla_part v[SLA_MAX_PARTS];
	size_t n;
};

static void usage(FILE *fp)
{
	fprintf(fp,
		"usage: headroom sla TARGET [--format F]\n"
		"       headroom sla [TARGET] [--series LIST] [--parallel LIST]... [--part SPEC]...\n"
		"                    [--format F]\n"
		"       headroom sla [TARGET] -f FILE [--format F]\n"
		"\n"
		"Downtime budget of an availability target, and the availability of parts\n"
		"composed in series (all needed) and with redundancy, each part from a\n"
		"published figure or from how often it fails and how it recovers. Failures\n"
		"are taken as independent; formulas and sources in docs/sla.md.\n"
		"\n"
		"  TARGET                an availability: 99.9%%, 99.95%%, 0.999\n"
		"\n"
		"Parts (each option adds parts; all parts are in series, in the order given):\n"
		"  --series LIST         one part per item, each needed: 99.99%%,99.9%%,99.95%%\n"
		"                        or named: lb=99.99%%,app=99.9%%,db=99.95%%\n"
		"  --parallel LIST       one part made of the listed units, any one suffices:\n"
		"                        99.9%%,99.9%% (instant takeover; repeat for more groups)\n"
		"  --part SPEC           one part in full, from a published availability,\n"
		"                          NAME=AVAIL[,count=N][,need=K]\n"
		"                        or from failures and recoveries,\n"
		"                          NAME,failures=RATE,mttr=DURATION\n"
		"                        and any of ,detect=D ,count=N ,need=K ,failover=D:\n"
		"                          count     identical units deployed (default 1)\n"
		"                          need      units that must be up, k-of-n (default 1)\n"
		"                          failures  how often one unit fails: 2/year, 1/month\n"
		"                          mttr      time to repair or replace a failed unit\n"
		"                          detect    time to notice a failure (default 0); a\n"
		"                                    unit is out detect + mttr, and in a pool a\n"
		"                                    health check takes it out after detect\n"
		"                          failover  active-passive: a standby serves detect +\n"
		"                                    failover after each failure of the active\n"
		"                                    unit (needs count >= 2, need 1)\n"
		"  -f, --file FILE       the config's deployment.current (stage and nodes),\n"
		"                        composed exactly as `headroom plan` composes that stage\n"
		"                        from the config's reliability inputs (docs/plan.md);\n"
		"                        the target defaults to objectives.availability\n"
		"  --format text|json    output format (default text)\n"
		"  -h, --help            show this help\n"
		"\n"
		"Each part is listed with its causes of downtime (how often, how long each\n"
		"time, minutes a month) and the arithmetic. Budgets are given per year\n"
		"(365 d), month (730 h = 365 d / 12, the month of headroom's costs), 30-day\n"
		"month (calendar-month SLAs), week and day. With a TARGET and parts, it also\n"
		"says whether the parts meet the target.\n"
		"\n"
		"Exit status: 0 answered, 2 bad input.\n"
		"\n"
		"Examples:\n"
		"  headroom sla 99.9%%\n"
		"  headroom sla --series lb=99.99%%,app=99.9%%,db=99.95%%\n"
		"  headroom sla --parallel 99.9%%,99.9%%\n"
		"  headroom sla --part app=99.9%%,count=3,need=2\n"
		"  headroom sla 99.99%% --part db,count=2,failures=2/year,mttr=1h,failover=45s\n"
		"  headroom sla --part node,failures=2/year,detect=5m,mttr=2h\n"
		"  headroom sla -f headroom.yaml\n");
}

/* An availability: a ratio in [0, 1] ("99.9%", "0.999").
 * @return 0, or HR_E_INVALID with *why set. */
static int parse_avail(const char *s, double *out, const char **why)
{
	if (units_parse_ratio(s, out, why) != 0)
		return HR_E_INVALID;
	if (*out > 1) {
		*why = "an availability cannot exceed 100%";
		return HR_E_INVALID;
	}
	return 0;
}

/* @return 0, or HR_E_INVALID for a name of no or more than SLA_NAME_MAX bytes. */
static int set_name(struct sla_part *sp, const char *s, size_t n)
{
	if (n == 0 || n > SLA_NAME_MAX)
		return HR_E_INVALID;
	memcpy(sp->name, s, n);
	sp->name[n] = '\0';
	sp->p.name = sp->name;
	return 0;
}

static struct sla_part *new_part(struct sla_parts *ps)
{
	if (ps->n == SLA_MAX_PARTS)
		return NULL;
	struct sla_part *sp = &ps->v[ps->n++];
	memset(sp, 0, sizeof(*sp));
	sp->p.count = sp->p.k_needed = 1;
	snprintf(sp->name, sizeof(sp->name), "part %zu", ps->n);
	sp->p.name = sp->name;
	return sp;
}

/* Split a comma list into at most max items of at most 63 bytes each.
 * @return the count, or HR_E_INVALID (negative) when there are too many,
 *         or one is empty or too long. */
static int split_list(const char *s, char items[][64], int max)
{
	int n = 0;
	for (const char *p = s;; n++) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		if (n == max || len == 0 || len >= 64)
			return HR_E_INVALID;
		memcpy(items[n], p, len);
		items[n][len] = '\0';
		if (!comma)
			return n + 1;
		p = comma + 1;
	}
}

/* One item "[NAME=]AVAIL": fill *name (may be NULL) and *a.
 * @return 0, or HR_E_INVALID with *why set. */
static int parse_item(char *item, const char **nm, size_t *nm_len, double *a, const char **why)
{
	char *eq = strchr(item, '=');
	*nm = NULL;
	*nm_len = 0;
	if (eq) {
		*nm = item;
		*nm_len = (size_t)(eq - item);
		if (*nm_len == 0 || *nm_len > SLA_NAME_MAX) {
			*why = "a part name must be 1 to 32 characters";
			return HR_E_INVALID;
		}
		item = eq + 1;
	}
	return parse_avail(item, a, why);
}

static int add_series(struct sla_parts *ps, const char *list)
{
	char items[SLA_MAX_GROUP][64];
	int n = split_list(list, items, SLA_MAX_GROUP);
	if (n < 0)
		return cmd_usage_error(name, "--series '%s': expected a comma list of up to %d availabilities, such as 99.99%%,99.9%%",
				       list, SLA_MAX_GROUP);
	for (int i = 0; i < n; i++) {
		const char *nm, *why;
		size_t len;
		double a;
		if (parse_item(items[i], &nm, &len, &a, &why) != 0)
			return cmd_usage_error(name, "--series '%s': item %d: %s", list, i + 1, why);
		struct sla_part *sp = new_part(ps);
		if (!sp)
			return cmd_usage_error(name, "more than %d parts", SLA_MAX_PARTS);
		sp->p.availability = a;
		if (nm)
			(void)set_name(sp, nm, len); /* length checked by parse_item */
	}
	return 0;
}

static int add_parallel(struct sla_parts *ps, const char *list)
{
	char items[SLA_MAX_GROUP][64];
	int n = split_list(list, items, SLA_MAX_GROUP);
	if (n < 2)
		return cmd_usage_error(name, "--parallel '%s': expected a comma list of 2 to %d availabilities, such as 99.9%%,99.9%%",
				       list, SLA_MAX_GROUP);
	struct sla_part *sp = new_part(ps);
	if (!sp)
		return cmd_usage_error(name, "more than %d parts", SLA_MAX_PARTS);
	double a[SLA_MAX_GROUP];
	bool same = true;
	for (int i = 0; i < n; i++) {
		const char *nm, *why;
		size_t len;
		if (parse_item(items[i], &nm, &len, &a[i], &why) != 0)
			return cmd_usage_error(name, "--parallel '%s': item %d: %s", list, i + 1, why);
		/* A name on any unit names the group ("app=99.9%,99.9%"). */
		if (nm)
			(void)set_name(sp, nm, len);
		same = same && a[i] == a[0];
	}
	if (same) {
		sp->p.availability = a[0];
		sp->p.count = (unsigned)n;
		return 0;
	}
	/* Mixed availabilities are not identical units: evaluate the group here
	 * and hand the model one unit of the group's availability (rounding
	 * 1 - U to a double costs U about 1e-16 absolute: immaterial). */
	memcpy(sp->members, a, (size_t)n * sizeof(a[0]));
	sp->n_members = (size_t)n;
	sp->p.availability = avail_parallel(a, (size_t)n);
	return 0;
}

enum { PK_COUNT, PK_NEED, PK_FAILURES, PK_MTTR, PK_DETECT, PK_FAILOVER, PK_N };
static const char *const part_keys[PK_N] = {"count", "need", "failures", "mttr", "detect", "failover"};

/* One KEY=VALUE item of --part into seen and v. @return 0 or EXIT_BAD_INPUT. */
static int part_key(const char *spec, char *item, bool *seen, double *v)
{
	const char *why;
	char *eq = strchr(item, '=');
	if (!eq)
		return cmd_usage_error(name, "--part '%s': '%s' is not KEY=VALUE", spec, item);
	*eq = '\0';
	const char *key = item, *val = eq + 1;
	size_t k = 0;
	while (k < PK_N && strcmp(key, part_keys[k]) != 0)
		k++;
	if (k == PK_N) {
		const char *sug = str_suggest(key, part_keys, PK_N);
		if (sug)
			return cmd_usage_error(name, "--part '%s': unknown key '%s'; did you mean '%s'?", spec, key, sug);
		return cmd_usage_error(name, "--part '%s': unknown key '%s'; expected count, need, failures, mttr, "
				       "detect or failover", spec, key);
	}
	if (seen[k])
		return cmd_usage_error(name, "--part '%s': '%s' given twice", spec, key);
	seen[k] = true;
	if (k == PK_COUNT || k == PK_NEED) {
		if (units_parse_number(val, &v[k], &why) != 0 || v[k] != floor(v[k]) || v[k] < 1 ||
		    v[k] > AVAIL_MAX_COUNT)
			return cmd_usage_error(name, "--part '%s': %s '%s': expected a whole number from 1 to %u",
					       spec, key, val, AVAIL_MAX_COUNT);
	} else if (k == PK_FAILURES) {
		if (units_parse_rate(val, &v[k], &why) != 0)
			return cmd_usage_error(name, "--part '%s': failures '%s': %s", spec, val, why);
	} else if (units_parse_duration(val, &v[k], &why) != 0) {
		return cmd_usage_error(name, "--part '%s': %s '%s': %s", spec, key, val, why);
	}
	return 0;
}

/* --part NAME=AVAIL[,count=N][,need=K] or
 * --part NAME,failures=RATE,mttr=DURATION[,detect=D][,count=N][,need=K][,failover=D] */
static int add_part(struct sla_parts *ps, const char *spec)
{
	static const char form[] = "NAME=AVAIL[,count=N][,need=K] or NAME,failures=RATE,mttr=DURATION"
				   "[,detect=DURATION][,count=N][,need=K][,failover=DURATION]";
	char items[8][64];
	int n = split_list(spec, items, 8);
	if (n < 0)
		return cmd_usage_error(name, "--part '%s': expected %s", spec, form);
	struct sla_part *sp = new_part(ps);
	if (!sp)
		return cmd_usage_error(name, "more than %d parts", SLA_MAX_PARTS);
	const char *nm, *why;
	size_t len;
	double a = 0;
	bool has_avail = strchr(items[0], '=') != NULL;
	if (has_avail) {
		if (parse_item(items[0], &nm, &len, &a, &why) != 0)
			return cmd_usage_error(name, "--part '%s': %s", spec, why);
	} else {
		nm = items[0];
		len = strlen(items[0]);
		if (len > SLA_NAME_MAX)
			return cmd_usage_error(name, "--part '%s': a part name must be 1 to 32 characters", spec);
		double ignored;
		if (units_parse_ratio(items[0], &ignored, &why) == 0)
			return cmd_usage_error(name, "--part '%s': start with NAME=AVAIL, e.g. db=99.95%%, or NAME,failures=...",
					       spec);
	}
	(void)set_name(sp, nm, len);
	bool seen[PK_N] = {false};
	double v[PK_N] = {0};
	for (int i = 1; i < n; i++)
		if (part_key(spec, items[i], seen, v))
			return EXIT_BAD_INPUT;
	struct avail_part *p = &sp->p;
	p->count = seen[PK_COUNT] ? (unsigned)v[PK_COUNT] : 1;
	p->k_needed = seen[PK_NEED] ? (unsigned)v[PK_NEED] : 1;
	p->mode = seen[PK_FAILOVER] ? AVAIL_FAILOVER : AVAIL_POOL;
	bool recovery = seen[PK_FAILURES] || seen[PK_MTTR] || seen[PK_DETECT];
	/* The old form NAME=AVAIL,failover=...,mttr=... derived how often a unit
	 * fails from its availability and repair time, so a longer repair meant
	 * rarer failures and a better pair: a failover needs the rate itself. */
	if (has_avail && seen[PK_FAILOVER])
		return cmd_usage_error(name, "--part '%s': failover needs failures=RATE and mttr=DURATION, not an "
				       "availability (it does not say how often the active unit fails), e.g. "
				       "db,count=2,failures=2/year,mttr=1h,failover=45s", spec);
	if (has_avail && recovery)
		return cmd_usage_error(name, "--part '%s': give NAME=AVAIL or failures=RATE with mttr, not both", spec);
	if (has_avail) {
		p->availability = a;
		return 0;
	}
	if (!seen[PK_FAILURES] || !seen[PK_MTTR])
		return cmd_usage_error(name, "--part '%s': a part without NAME=AVAIL needs failures=RATE and mttr=DURATION",
				       spec);
	double detect = v[PK_DETECT], down = detect + v[PK_MTTR];
	double take = seen[PK_FAILOVER] ? detect + v[PK_FAILOVER] : detect;
	p->causes[0] = (struct avail_cause){.name = "failures", .rate = v[PK_FAILURES], .down_s = down, .takeover_s = take};
	p->n_causes = 1;
	return 0;
}

/* Render the answer to stdout. @return the exit status (1 when it cannot be rendered). */
static int emit(const struct sla_report *rep, enum out_format fmt)
{
	struct strbuf sb;
	strbuf_init(&sb, 0);
	int rc = fmt == FORMAT_JSON ? sla_render_json(rep, &sb) : sla_render_text(rep, &sb);
	if (rc == 0)
		fputs(strbuf_str(&sb), stdout);
	else
		fprintf(stderr, "headroom %s: cannot render the answer: %s\n", name, hr_strerror(rc));
	strbuf_free(&sb);
	return rc ? 1 : 0;
}

/* Compose and render. Returns 0 or an exit status. */
static int report(const struct sla_parts *ps, struct sla_report *rep, enum out_format fmt)
{
	struct avail_part parts[SLA_MAX_PARTS];
	struct avail_part_u each[SLA_MAX_PARTS];
	struct sla_item items[SLA_MAX_PARTS];
	for (size_t i = 0; i < ps->n; i++)
		parts[i] = ps->v[i].p;
	size_t bad = 0;
	const char *why = NULL;
	if (avail_compose(parts, ps->n, each, &rep->total_u, &bad, &why) != 0)
		return cmd_usage_error(name, "part '%s': %s", ps->v[bad].name, why);
	for (size_t i = 0; i < ps->n; i++)
		items[i] = (struct sla_item){.part = &parts[i], .eval = &each[i],
					     .members = ps->v[i].n_members ? ps->v[i].members : NULL,
					     .n_members = ps->v[i].n_members};
	rep->items = items;
	rep->n = ps->n;
	return emit(rep, fmt);
}

/* The parts of the stage deployment.current describes, composed as `plan`
 * composes it. @return how many, or HR_E_INVALID after reporting to d. */
static int current_parts(const struct planning *pl, const struct config *cfg, struct avail_part *parts,
			 bool *monitored, struct diag *d)
{
	const struct deployment *dep = &cfg->deployment;
	struct diag_loc at = config_loc(cfg, "deployment.current");
	/* The same shape `plan` evaluates as what runs today (roles all, app, db,
	 * replica, worker; managed offers by their kind). */
	struct plan_shape shape;
	struct plan_reason why;
	if (planner_current_shape(&pl->in, &shape, &why) != 0) {
		diag_at(d, DIAG_ERROR, &at, "deployment.current: %s",
			reason_text(&why, (char[REASON_SHORT_MAX]){0}, REASON_SHORT_MAX));
		return HR_E_INVALID;
	}
	struct demand dm;
	struct plan_candidate c;
	int n = demand_at(&cfg->workload, cfg->workload.users, &dm);
	if (n == 0)
		n = planner_avail_parts(&pl->in, &shape, &dm, parts);
	if (n >= 0 && planner_evaluate(&pl->in, &shape, &dm, &c) != 0)
		n = HR_E_INVALID;
	if (n < 0) {
		diag_at(d, DIAG_ERROR, &at,
			"deployment.current: these nodes are not a '%s' stage (single: one node; split: one app and "
			"one db node or a managed database; ha: 2-%u app nodes, a db pair or a managed database; "
			"cluster: at least %u nodes), or the provider sells no load balancer / control plane it needs",
			plan_stage_name(dep->current_stage),
			PLANNER_HA_MAX_NODES, PLANNER_CLUSTER_MIN_NODES);
		return HR_E_INVALID;
	}
	*monitored = c.monitored;
	return n;
}

/* The configured deployment (deployment.current) as parts in series, the way
 * the planner composes that stage at workload.users; the objective becomes
 * the target when none is given. Returns 0 or an exit status. */
static int config_parts(const char *file, struct sla_parts *ps, struct sla_report *rep)
{
	struct diag d;
	diag_init_file(&d, stderr, "headroom");
	d.show_source = isatty(fileno(stderr));
	struct config *cfg = NULL;
	struct planning pl = {0};
	int rc = EXIT_BAD_INPUT;
	if (config_load(file, &d, &cfg))
		return EXIT_BAD_INPUT;
	if (planning_catalog(&pl, cfg, &d))
		goto out;
	const struct deployment *dep = &cfg->deployment;
	if (!dep->has_current || dep->n_current == 0) {
		diag_error(&d, "%s: deployment.current (stage and nodes) is needed to compose the configured deployment",
			   file);
		goto out;
	}
	struct avail_part parts[PLANNER_AVAIL_PARTS];
	bool monitored = false;
	int n = current_parts(&pl, cfg, parts, &monitored, &d);
	if (n < 0)
		goto out;
	for (int i = 0; i < n; i++) {
		struct sla_part *sp = new_part(ps);
		if (!sp)
			break;
		sp->p = parts[i];
		if (set_name(sp, parts[i].name, strlen(parts[i].name)))
			sp->p.name = sp->name;
	}
	/* The verdict is plan's: a stage without monitoring promises nothing. */
	rep->promisable = monitored;
	rep->why_not = monitored ? NULL
		: "a single node without monitoring and backups can promise no objective; plan refuses it too";
	rep->stage = plan_stage_name(dep->current_stage);
	if (!rep->has_target && cfg->objectives.availability > 0) {
		rep->has_target = true;
		rep->target = cfg->objectives.availability;
	}
	rc = 0;
out:
	planning_free(&pl);
	config_free(cfg);
	return rc;
}

/* What the command line asked for. */
struct sla_args {
	struct sla_parts *ps;   /* the parts given */
	enum out_format fmt;
	const char *file;
	bool done;              /* --help was printed */
};

/* @return 0 to go on (a->done after --help), or the exit status of a usage error. */
static int parse_flags(int argc, char **argv, struct sla_args *a)
{
	static const struct option opts[] = {
		{"series", required_argument, NULL, 'S'},
		{"parallel", required_argument, NULL, 'P'},
		{"part", required_argument, NULL, 'p'},
		{"format", required_argument, NULL, 'F'},
		{"file", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	opterr = 0;
	optind = 0; /* full getopt reset (glibc) */
	int ch;
	while ((ch = getopt_long(argc, argv, ":hf:", opts, NULL)) != -1) {
		switch (ch) {
		case 'S': if (add_series(a->ps, optarg)) return EXIT_BAD_INPUT; break;
		case 'P': if (add_parallel(a->ps, optarg)) return EXIT_BAD_INPUT; break;
		case 'p': if (add_part(a->ps, optarg)) return EXIT_BAD_INPUT; break;
		case 'F':
			if (cmd_parse_format(name, optarg, 1u << FORMAT_TEXT | 1u << FORMAT_JSON, &a->fmt))
				return EXIT_BAD_INPUT;
			break;
		case 'f': a->file = optarg; break;
		case 'h': usage(stdout); a->done = true; return 0;
		case ':': return cmd_usage_error(name, "option '%s' needs a value", argv[optind - 1]);
		default: return cmd_usage_error(name, "unknown option '%s'", argv[optind - 1]);
		}
	}
	return 0;
}

/* The target given as the one argument, if any. @return 0 or EXIT_BAD_INPUT. */
static int parse_target(int argc, char **argv, struct sla_report *rep)
{
	if (optind >= argc)
		return 0;
	const char *why;
	if (argc - optind > 1)
		return cmd_usage_error(name, "unexpected argument '%s'; give one target", argv[optind + 1]);
	if (parse_avail(argv[optind], &rep->target, &why) != 0)
		return cmd_usage_error(name, "target '%s': %s", argv[optind], why);
	rep->has_target = true;
	return 0;
}

/* The downtime budget of the target alone. @return the exit status. */
static int budget(const struct sla_report *rep, enum out_format fmt)
{
	return emit(rep, fmt);
}

static int run(int argc, char **argv)
{
	/* Large (64 parts of 32 members): keep it off the stack. */
	struct sla_args a = {.ps = xcalloc(1, sizeof(*a.ps)), .fmt = FORMAT_TEXT};
	struct sla_report rep = {.promisable = true};
	int rc = parse_flags(argc, argv, &a);
	if (rc || a.done || (rc = parse_target(argc, argv, &rep)) != 0)
		goto out;
	if (a.file) {
		if (a.ps->n > 0) {
			rc = cmd_usage_error(name, "-f composes the config's deployment; give parts or -f, not both");
			goto out;
		}
		rc = config_parts(a.file, a.ps, &rep);
		if (rc)
			goto out;
	}
	if (a.ps->n > 0)
		rc = report(a.ps, &rep, a.fmt);
	else if (rep.has_target)
		rc = budget(&rep, a.fmt);
	else
		rc = cmd_usage_error(name, "give a target such as 99.9%%, or parts to compose (--series, --parallel, --part)");
out:
	free(a.ps);
	return rc;
}

const struct hr_cmd cmd_sla = {"sla", "downtime budget of a target; availability of composed parts", run};
