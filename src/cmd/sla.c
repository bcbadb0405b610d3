/* sla.c - `headroom sla`: downtime budgets and composite availability
 * (model/availability).
 *
 * Two questions, one output: "how much downtime does 99.9 % allow?" (a
 * target) and "what availability do these parts give?" (a composition of
 * --series, --parallel and --part, all in series in the order given). With
 * both, it also says whether the composition meets the target. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cmd/cmd.h"
#include "pipeline/planning.h"
#include "config/catalog.h"
#include "render/plan.h"
#include "config/config.h"
#include "model/availability.h"
#include "model/demand.h"
#include "model/planner.h"
#include "util/diag.h"
#include "render/table.h"
#include "util/str.h"
#include "util/strbuf.h"
#include "util/units.h"

static const char *const name = "sla";

/* Bounds on what one command line may describe. */
#define SLA_MAX_PARTS 64
#define SLA_MAX_GROUP 32   /* availabilities in one --series/--parallel list */
#define SLA_NAME_MAX 32

/* The periods a budget is given for. A month is 730 h (365 d / 12), the
 * convention of AWS and Infracost (research notes, "Provider price facts")
 * and of headroom's costs; a 30-day month is what calendar-month SLAs count
 * in a 30-day month, and the Azure resiliency table uses (research notes,
 * "Downtime per month"). */
static const struct period {
	const char *key;   /* JSON key under downtime_s */
	const char *label; /* text */
	double seconds;
} periods[] = {
	{"year", "per year (365 d)", 365 * 86400.0},
	{"month", "per month (730 h)", UNITS_SECONDS_PER_MONTH},
	{"month_30d", "per month (30 d)", 30 * 86400.0},
	{"week", "per week", 7 * 86400.0},
	{"day", "per day", 86400.0},
};

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
		"composed in series (all needed) and with redundancy. Failures are taken as\n"
		"independent; formulas and sources in docs/sla.md.\n"
		"\n"
		"  TARGET                an availability: 99.9%%, 99.95%%, 0.999\n"
		"\n"
		"Parts (each option adds parts; all parts are in series, in the order given):\n"
		"  --series LIST         one part per item, each needed: 99.99%%,99.9%%,99.95%%\n"
		"                        or named: lb=99.99%%,app=99.9%%,db=99.95%%\n"
		"  --parallel LIST       one part made of the listed units, any one suffices:\n"
		"                        99.9%%,99.9%% (instant takeover; repeat for more groups)\n"
		"  --part SPEC           one part in full: NAME=AVAIL[,count=N][,need=K]\n"
		"                        [,failover=DURATION,mttr=DURATION]\n"
		"                          count     identical units deployed (default 1)\n"
		"                          need      units that must be up, k-of-n (default 1)\n"
		"                          failover  active-passive switch-over time, detection\n"
		"                                    included; each failure of the active unit\n"
		"                                    costs this much (needs count >= 2, need 1)\n"
		"                          mttr      time to repair a unit (with failover)\n"
		"  -f, --file FILE       the parts of the config's deployment.current (stage and\n"
		"                        nodes) as `headroom plan` composes them (docs/plan.md);\n"
		"                        the target defaults to objectives.availability\n"
		"  --format text|json    output format (default text)\n"
		"  -h, --help            show this help\n"
		"\n"
		"Budgets are given per year (365 d), month (730 h = 365 d / 12, the month of\n"
		"headroom's costs), 30-day month (calendar-month SLAs), week and day.\n"
		"With a TARGET and parts, it also says whether the parts meet the target.\n"
		"\n"
		"Exit status: 0 answered, 2 bad input.\n"
		"\n"
		"Examples:\n"
		"  headroom sla 99.9%%\n"
		"  headroom sla --series lb=99.99%%,app=99.9%%,db=99.95%%\n"
		"  headroom sla --parallel 99.9%%,99.9%%\n"
		"  headroom sla --part app=99.9%%,count=3,need=2\n"
		"  headroom sla 99.99%% --part db=99.9%%,count=2,failover=60s,mttr=1h\n"
		"  headroom sla -f headroom.yaml\n");
}

/* An availability: a ratio in [0, 1] ("99.9%", "0.999"). */
static int parse_avail(const char *s, double *out, const char **why)
{
	if (units_parse_ratio(s, out, why) != 0)
		return -1;
	if (*out > 1) {
		*why = "an availability cannot exceed 100%";
		return -1;
	}
	return 0;
}

static int set_name(struct sla_part *sp, const char *s, size_t n)
{
	if (n == 0 || n > SLA_NAME_MAX)
		return -1;
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
 * Returns the count, or -1 when there are too many or one is empty. */
static int split_list(const char *s, char items[][64], int max)
{
	int n = 0;
	for (const char *p = s;; n++) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		if (n == max || len == 0 || len >= 64)
			return -1;
		memcpy(items[n], p, len);
		items[n][len] = '\0';
		if (!comma)
			return n + 1;
		p = comma + 1;
	}
}

/* One item "[NAME=]AVAIL": fill *name (may be NULL) and *a. */
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
			return -1;
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
			(void)set_name(sp, nm, len); // length checked by parse_item
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
		// A name on any unit names the group ("app=99.9%,99.9%").
		if (nm)
			(void)set_name(sp, nm, len);
		same = same && a[i] == a[0];
	}
	if (same) {
		sp->p.availability = a[0];
		sp->p.count = (unsigned)n;
		return 0;
	}
	// Mixed availabilities are not identical units: evaluate the group here
	// and hand the model one unit of the group's availability (rounding
	// 1 - U to a double costs U about 1e-16 absolute: immaterial).
	memcpy(sp->members, a, (size_t)n * sizeof(a[0]));
	sp->n_members = (size_t)n;
	sp->p.availability = avail_parallel(a, (size_t)n);
	return 0;
}

static const char *const part_keys[] = {"count", "need", "failover", "mttr"};

static int add_part(struct sla_parts *ps, const char *spec)
{
	char items[8][64];
	int n = split_list(spec, items, 8);
	if (n < 0)
		return cmd_usage_error(name, "--part '%s': expected NAME=AVAIL[,count=N][,need=K][,failover=DURATION,mttr=DURATION]",
				       spec);
	struct sla_part *sp = new_part(ps);
	if (!sp)
		return cmd_usage_error(name, "more than %d parts", SLA_MAX_PARTS);
	const char *nm, *why;
	size_t len;
	double a;
	if (!strchr(items[0], '='))
		return cmd_usage_error(name, "--part '%s': start with NAME=AVAIL, e.g. db=99.95%%", spec);
	if (parse_item(items[0], &nm, &len, &a, &why) != 0)
		return cmd_usage_error(name, "--part '%s': %s", spec, why);
	(void)set_name(sp, nm, len);
	sp->p.availability = a;
	bool seen[4] = {false, false, false, false};
	for (int i = 1; i < n; i++) {
		char *eq = strchr(items[i], '=');
		if (!eq)
			return cmd_usage_error(name, "--part '%s': '%s' is not KEY=VALUE", spec, items[i]);
		*eq = '\0';
		const char *key = items[i], *val = eq + 1;
		size_t k = 0;
		while (k < 4 && strcmp(key, part_keys[k]) != 0)
			k++;
		if (k == 4) {
			const char *s = str_suggest(key, part_keys, 4);
			if (s)
				return cmd_usage_error(name, "--part '%s': unknown key '%s'; did you mean '%s'?", spec, key, s);
			return cmd_usage_error(name, "--part '%s': unknown key '%s'; expected count, need, failover or mttr",
					       spec, key);
		}
		if (seen[k])
			return cmd_usage_error(name, "--part '%s': '%s' given twice", spec, key);
		seen[k] = true;
		double v;
		if (k < 2) {
			if (units_parse_number(val, &v, &why) != 0 || v != floor(v) || v < 1 ||
			    v > AVAIL_MAX_COUNT)
				return cmd_usage_error(name, "--part '%s': %s '%s': expected a whole number from 1 to %u",
						       spec, key, val, AVAIL_MAX_COUNT);
			if (k == 0)
				sp->p.count = (unsigned)v;
			else
				sp->p.k_needed = (unsigned)v;
		} else {
			if (units_parse_duration(val, &v, &why) != 0)
				return cmd_usage_error(name, "--part '%s': %s '%s': %s", spec, key, val, why);
			if (k == 2)
				sp->p.failover_s = v;
			else
				sp->p.mttr_s = v;
		}
	}
	if (seen[3] && !seen[2])
		return cmd_usage_error(name, "--part '%s': mttr only matters with failover=DURATION", spec);
	return 0;
}

/* The availability 1 - u as a percentage with enough digits to show the
 * unavailability u to about three figures: 99.84%, 99.9997%, 99.99823%. */
static const char *fmt_avail(double u, char *buf, size_t n)
{
	double upct = u * 100;
	if (!(upct > 0)) {
		snprintf(buf, n, "100%%");
		return buf;
	}
	int d = (int)ceil(-log10(upct)) + 2;
	d = d < 0 ? 0 : d > 12 ? 12 : d;
	snprintf(buf, n, "%.*f", d, (1 - u) * 100);
	// Trim zeros a fixed precision adds ("99.900" -> "99.9").
	char *dot = strchr(buf, '.');
	if (dot) {
		char *end = buf + strlen(buf);
		while (end > dot + 1 && end[-1] == '0')
			*--end = '\0';
		if (end == dot + 1)
			*dot = '\0';
	}
	size_t len = strlen(buf);
	snprintf(buf + len, n - len, "%%");
	return buf;
}

/* Downtime budgets of unavailability u. */
static void print_budget(double u)
{
	char b[64];
	for (size_t i = 0; i < sizeof(periods) / sizeof(periods[0]); i++)
		printf("  %-20s %s\n", periods[i].label, units_fmt_duration3(u * periods[i].seconds, b, sizeof(b)));
}

static json_t *budget_json(double u)
{
	json_t *o = json_object();
	for (size_t i = 0; i < sizeof(periods) / sizeof(periods[0]); i++)
		json_object_set_new(o, periods[i].key, json_real(u * periods[i].seconds));
	return o;
}

/* The "each" column: one unit's availability, or the mixed members. */
static void each_text(const struct sla_part *sp, char *buf, size_t n)
{
	char b[32];
	if (!sp->n_members) {
		fmt_avail(1 - sp->p.availability, buf, n);
		return;
	}
	size_t len = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < sp->n_members && len < n; i++) {
		int w = snprintf(buf + len, n - len, "%s%s", i ? "|" : "",
				 fmt_avail(1 - sp->members[i], b, sizeof(b)));
		if (w < 0)
			break;
		len += (size_t)w;
	}
}

static int report(const struct sla_parts *ps, bool has_target, double target, enum out_format fmt)
{
	struct avail_part parts[SLA_MAX_PARTS];
	double each[SLA_MAX_PARTS], total = 0; // unavailabilities
	double target_u = 1 - target;
	const double month = UNITS_SECONDS_PER_MONTH;
	for (size_t i = 0; i < ps->n; i++)
		parts[i] = ps->v[i].p;
	size_t bad = 0;
	const char *why = NULL;
	if (avail_compose(parts, ps->n, each, &total, &bad, &why) != 0)
		return cmd_usage_error(name, "part '%s': %s", ps->v[bad].name, why);

	if (fmt == FORMAT_JSON) {
		json_t *o = json_object();
		json_object_set_new(o, "availability", json_real(1 - total));
		json_object_set_new(o, "unavailability", json_real(total));
		json_object_set_new(o, "downtime_s", budget_json(total));
		json_object_set_new(o, "month_hours", json_real(UNITS_HOURS_PER_MONTH));
		json_t *arr = json_array();
		for (size_t i = 0; i < ps->n; i++) {
			const struct sla_part *sp = &ps->v[i];
			json_t *p = json_object();
			json_object_set_new(p, "name", json_string(sp->name));
			if (sp->n_members) {
				json_t *m = json_array();
				for (size_t j = 0; j < sp->n_members; j++)
					json_array_append_new(m, json_real(sp->members[j]));
				json_object_set_new(p, "unit_availability", m);
				json_object_set_new(p, "count", json_integer((json_int_t)sp->n_members));
			} else {
				json_object_set_new(p, "unit_availability", json_real(sp->p.availability));
				json_object_set_new(p, "count", json_integer(sp->p.count));
			}
			json_object_set_new(p, "need", json_integer(sp->p.k_needed));
			json_object_set_new(p, "failover_s", sp->p.failover_s > 0 ? json_real(sp->p.failover_s) : json_null());
			json_object_set_new(p, "mttr_s", sp->p.failover_s > 0 ? json_real(sp->p.mttr_s) : json_null());
			json_object_set_new(p, "availability", json_real(1 - each[i]));
			json_object_set_new(p, "downtime_s_per_month", json_real(each[i] * month));
			json_array_append_new(arr, p);
		}
		json_object_set_new(o, "parts", arr);
		if (has_target) {
			json_t *t = json_object();
			json_object_set_new(t, "availability", json_real(target));
			json_object_set_new(t, "downtime_s", budget_json(target_u));
			json_object_set_new(t, "met", json_boolean(total <= target_u));
			json_object_set_new(o, "target", t);
		}
		return cmd_print_json(name, o);
	}

	char b1[64], b2[64], b3[128];
	static const char *const head[] = {"part", "units", "each", "need", "failover", "availability",
					   "downtime/month"};
	struct table *t = table_new(7, head);
	table_align_right(t, 1);
	table_align_right(t, 3);
	table_align_right(t, 5);
	table_align_right(t, 6);
	for (size_t i = 0; i < ps->n; i++) {
		const struct sla_part *sp = &ps->v[i];
		char units[16], need[16], fo[96], each_s[256], av[32], down[32];
		snprintf(units, sizeof(units), "%u", sp->n_members ? (unsigned)sp->n_members : sp->p.count);
		snprintf(need, sizeof(need), "%u", sp->p.k_needed);
		each_text(sp, each_s, sizeof(each_s));
		if (sp->p.failover_s > 0)
			snprintf(fo, sizeof(fo), "%s (mttr %s)", units_fmt_duration3(sp->p.failover_s, b1, sizeof(b1)),
				 units_fmt_duration3(sp->p.mttr_s, b2, sizeof(b2)));
		else
			snprintf(fo, sizeof(fo), "-");
		table_add(t, sp->name, units, each_s, need, fo, fmt_avail(each[i], av, sizeof(av)),
			  units_fmt_duration3(each[i] * month, down, sizeof(down)));
	}
	table_add(t, "all, in series", "", "", "", "", fmt_avail(total, b1, sizeof(b1)),
		  units_fmt_duration3(total * month, b2, sizeof(b2)));
	struct strbuf sb;
	strbuf_init(&sb, 0);
	int rc = table_render(t, &sb);
	table_free(t);
	if (rc != 0) {
		strbuf_free(&sb);
		fprintf(stderr, "headroom %s: %s\n", name, hr_strerror(rc));
		return 1;
	}
	fputs(strbuf_str(&sb), stdout);
	strbuf_free(&sb);
	printf("\navailability %s allows this much downtime:\n", fmt_avail(total, b1, sizeof(b1)));
	print_budget(total);
	if (has_target) {
		snprintf(b3, sizeof(b3), "%s", fmt_avail(target_u, b2, sizeof(b2)));
		if (total <= target_u)
			printf("\nmeets the target %s: yes (%s of its %s monthly budget used)\n", b3,
			       units_fmt_duration3(total * month, b1, sizeof(b1)),
			       units_fmt_duration3(target_u * month, b2, sizeof(b2)));
		else
			printf("\nmeets the target %s: no (%s of downtime a month against a budget of %s)\n", b3,
			       units_fmt_duration3(total * month, b1, sizeof(b1)),
			       units_fmt_duration3(target_u * month, b2, sizeof(b2)));
	}
	return 0;
}

/* The configured deployment (deployment.current) as parts in series, the way
 * the planner composes that stage at workload.users; the objective becomes
 * the target when none is given. Returns 0 or an exit status. */
static int config_parts(const char *file, struct sla_parts *ps, bool *has_target, double *target)
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
	struct diag_loc at = config_loc(cfg, "deployment.current");
	if (!dep->has_current || dep->n_current == 0) {
		diag_error(&d, "%s: deployment.current (stage and nodes) is needed to compose the configured deployment",
			   file);
		goto out;
	}
	/* The same shape `plan` evaluates as what runs today (roles all, app, db,
	 * replica, worker; managed offers by their kind). */
	struct plan_shape shape;
	char why[200];
	if (planner_current_shape(&pl.in, &shape, why, sizeof(why)) != 0) {
		diag_at(&d, DIAG_ERROR, &at, "deployment.current: %s", why);
		goto out;
	}
	struct demand dm;
	struct avail_part parts[PLANNER_AVAIL_PARTS];
	int n = demand_at(&cfg->workload, cfg->workload.users, &dm);
	if (n == 0)
		n = planner_avail_parts(&pl.in, &shape, &dm, parts);
	if (n < 0) {
		diag_at(&d, DIAG_ERROR, &at,
			"deployment.current: these nodes are not a '%s' stage (single: one node; split: one app and "
			"one db node or a managed database; ha: 2-%u app nodes, a db pair or a managed database; "
			"cluster: at least %u nodes), or the provider sells no load balancer / control plane it needs",
			plan_stage_name(dep->current_stage),
			PLANNER_HA_MAX_NODES, PLANNER_CLUSTER_MIN_NODES);
		goto out;
	}
	for (int i = 0; i < n; i++) {
		struct sla_part *sp = new_part(ps);
		if (!sp)
			break;
		sp->p = parts[i];
		if (set_name(sp, parts[i].name, strlen(parts[i].name)))
			sp->p.name = sp->name;
	}
	if (!*has_target && cfg->objectives.availability > 0) {
		*has_target = true;
		*target = cfg->objectives.availability;
	}
	rc = 0;
out:
	planning_free(&pl);
	config_free(cfg);
	return rc;
}

static int run(int argc, char **argv)
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
	// Large (64 parts of 32 members): keep it off the stack.
	struct sla_parts *ps = calloc(1, sizeof(*ps));
	if (!ps) {
		fprintf(stderr, "headroom %s: out of memory\n", name);
		return 1;
	}
	enum out_format fmt = FORMAT_TEXT;
	const char *file = NULL;
	int rc = -1;
	opterr = 0;
	optind = 0; // full getopt reset (glibc)
	int ch;
	while (rc < 0 && (ch = getopt_long(argc, argv, ":hf:", opts, NULL)) != -1) {
		switch (ch) {
		case 'S': if (add_series(ps, optarg)) rc = EXIT_BAD_INPUT; break;
		case 'P': if (add_parallel(ps, optarg)) rc = EXIT_BAD_INPUT; break;
		case 'p': if (add_part(ps, optarg)) rc = EXIT_BAD_INPUT; break;
		case 'F':
			if (cmd_parse_format(name, optarg, 1u << FORMAT_TEXT | 1u << FORMAT_JSON, &fmt))
				rc = EXIT_BAD_INPUT;
			break;
		case 'f': file = optarg; break;
		case 'h': usage(stdout); rc = 0; break;
		case ':': rc = cmd_usage_error(name, "option '%s' needs a value", argv[optind - 1]); break;
		default: rc = cmd_usage_error(name, "unknown option '%s'", argv[optind - 1]); break;
		}
	}
	if (rc >= 0)
		goto out;
	bool has_target = false;
	double target = 0;
	if (optind < argc) {
		const char *why;
		if (argc - optind > 1) {
			rc = cmd_usage_error(name, "unexpected argument '%s'; give one target", argv[optind + 1]);
			goto out;
		}
		if (parse_avail(argv[optind], &target, &why) != 0) {
			rc = cmd_usage_error(name, "target '%s': %s", argv[optind], why);
			goto out;
		}
		has_target = true;
	}
	if (file) {
		if (ps->n > 0) {
			rc = cmd_usage_error(name, "-f composes the config's deployment; give parts or -f, not both");
			goto out;
		}
		rc = config_parts(file, ps, &has_target, &target);
		if (rc)
			goto out;
	}
	if (ps->n > 0) {
		rc = report(ps, has_target, target, fmt);
	} else if (has_target) {
		char b[32];
		if (fmt == FORMAT_JSON) {
			json_t *o = json_object();
			json_object_set_new(o, "availability", json_real(target));
			json_object_set_new(o, "unavailability", json_real(1 - target));
			json_object_set_new(o, "downtime_s", budget_json(1 - target));
			json_object_set_new(o, "month_hours", json_real(UNITS_HOURS_PER_MONTH));
			json_object_set_new(o, "parts", json_array());
			rc = cmd_print_json(name, o);
		} else {
			printf("availability %s allows this much downtime:\n", fmt_avail(1 - target, b, sizeof(b)));
			print_budget(1 - target);
			printf("A month is 730 h (365 d / 12), as in headroom's costs; SLAs counted per\n"
			       "calendar month of 30 days allow the 30 d figure.\n");
			rc = 0;
		}
	} else {
		rc = cmd_usage_error(name, "give a target such as 99.9%%, or parts to compose (--series, --parallel, --part)");
	}
out:
	free(ps);
	return rc;
}

const struct hr_cmd cmd_sla = {"sla", "downtime budget of a target; availability of composed parts", run};
