/* plan.c - `headroom plan`: the staged roadmap from a model of the workload. */
#include "cmd/cmd.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "model/planner.h"
#include "pipeline/plandoc.h"
#include "pipeline/planning.h"
#include "render/doc.h"
#include "render/plan.h"
#include "render/plan_html.h"
#include "render/plan_md.h"
#include "util/diag.h"
#include "util/strbuf.h"
#include "util/units.h"
#include "util/xalloc.h"

/* Most milestones one run plans (a --users list or --months horizon). */
#define MAX_MILESTONES 1000u
/* The horizon when the workload gives a growth rate and no milestones. */
#define DEFAULT_MONTHS 24u

static const char usage_text[] =
	"usage: headroom plan [-f FILE] [--users N[,N...]] [--months M] [--format text|json|md|html]\n"
	"                     [-o FILE]\n"
	"\n"
	"For each growth milestone, the cheapest deployment (stage x catalogue plans x\n"
	"node counts x data tier) that keeps every resource under its utilisation\n"
	"limit and meets the p95 and availability objectives: its monthly cost\n"
	"(infrastructure, operations and external APIs), the bottleneck, the SLA it\n"
	"can promise, why nothing cheaper works, the runner-up, and the user count at\n"
	"which it stops being the choice (a limit breaks, or another shape becomes\n"
	"cheaper). The data tier grows too: read replicas, a PgBouncer pooler, a Redis\n"
	"read cache, Sentinel or managed Redis, worker nodes of their own. An\n"
	"infeasible milestone names what blocks and the cheapest change that lifts it.\n"
	"With deployment.current, it says until when what runs today suffices; with\n"
	"economics.dedicated, it prices a stack per enterprise customer.\n"
	"\n"
	"Milestones: --users if given; else users x (1 + growth)^m for m = 0..M when\n"
	"--months is given (it needs workload.growth); else workload.milestones; else\n"
	"m = 0..24 months at workload.growth, or workload.users alone without one.\n"
	"\n"
	"  -f, --file FILE     the config (default ./headroom.yaml)\n"
	"  -u, --users LIST    user counts to plan for, e.g. 500,2k,10k\n"
	"  -m, --months M      plan month 0..M at the workload's growth rate (1..240)\n"
	"      --format FMT    text (default), json (schema: docs/plan.schema.json),\n"
	"                      md (the scaling-strategy document: summary, roadmap,\n"
	"                      stages, SLA tiers, triggers, actions, assumptions) or\n"
	"                      html (the same as one self-contained page, charts inline)\n"
	"  -o, --output FILE   write to FILE instead of standard output; with md, the\n"
	"                      charts go beside it as SVG files: -o docs/scaling.md\n"
	"                      writes docs/scaling-cost.svg, -utilization, -availability\n"
	"                      and -p95.svg, linked from the Markdown. md on standard\n"
	"                      output, a FIFO or a device has no charts (there is\n"
	"                      nowhere to put them); a FIFO or a device is written in\n"
	"                      place, a link followed (README, Output files)\n"
	"  -h, --help          this text\n"
	"\n"
	"Availability comes from failures and recoveries, not from providers' SLAs:\n"
	"each part's failure rate, how it recovers (a person restores it, a load\n"
	"balancer or a database fails over, Kubernetes replaces the pod), planned\n"
	"downtime (deploys and reboots on one node) and what is common to all parts\n"
	"(the provider's location, a bad release). The `reliability:` keys set every\n"
	"input (docs/config.md); each milestone lists the minutes a month each part\n"
	"and cause costs (docs/plan.md, \"Availability\").\n"
	"\n"
	"A milestone no deployment can meet is reported as infeasible, with why.\n"
	"Exit status: 0 planned; 2 bad flags or config, or an output that could not\n"
	"be written.\n";

/* Parse "500,2k,10k" into out. @return 0, or HR_E_INVALID after one message. */
static int parse_users(const char *text, double *out, size_t cap, size_t *n)
{
	*n = 0;
	const char *p = text;
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		char item[64];
		if (len == 0 || len >= sizeof(item)) {
			cmd_usage_error("plan", "--users: expected user counts separated by commas, got '%s'", text);
			return HR_E_INVALID;
		}
		memcpy(item, p, len);
		item[len] = 0;
		const char *why = NULL;
		double v;
		if (units_parse_count(item, &v, &why)) {
			cmd_usage_error("plan", "--users: '%s' is not a user count (%s)", item, why ? why : "expected e.g. 5000 or 10k");
			return HR_E_INVALID;
		}
		if (v > WORKLOAD_MAX_USERS) {
			cmd_usage_error("plan", "--users: '%s' is more than the %.0e users a plan models", item,
					WORKLOAD_MAX_USERS);
			return HR_E_INVALID;
		}
		if (*n == cap) {
			cmd_usage_error("plan", "--users: at most %zu milestones", cap);
			return HR_E_INVALID;
		}
		out[(*n)++] = v;
		if (!comma)
			return 0;
		p = comma + 1;
	}
}

#ifndef HEADROOM_VERSION
#define HEADROOM_VERSION "dev"
#endif

/* "docs/scaling.md" -> folder "docs/" and chart prefix "scaling-". */
static void chart_place(const char *out, char *dir, size_t dn, char *prefix, size_t pn)
{
	const char *slash = strrchr(out, '/');
	const char *base = slash ? slash + 1 : out;
	snprintf(dir, dn, "%.*s", (int)(base - out), out);
	const char *dot = strrchr(base, '.');
	size_t len = dot && dot != base ? (size_t)(dot - base) : strlen(base);
	snprintf(prefix, pn, "%.*s-", (int)len, base);
}

/* The md or html document: gather, render, write (with the charts beside md). */
static int write_document(const struct planning *ps, const struct config *cfg, const char *source, enum out_format fmt,
			  const char *output, const double *users, size_t n, struct diag *d)
{
	struct plandoc pd;
	if (plandoc_gather(ps, cfg, source, HEADROOM_VERSION, users, n, &pd)) {
		plandoc_free(&pd);
		diag_error(d, "a milestone is not a user count (negative or not a number)");
		return EXIT_BAD_INPUT;
	}
	struct strbuf sb;
	strbuf_init(&sb, 0);
	struct doc *doc = NULL;
	char dir[4096] = "", prefix[1024] = "";
	/* Charts go beside a file only: not into /dev beside /dev/null, nor
	 * beside a FIFO or standard output (-o -). */
	bool charts = fmt == FORMAT_MD && cmd_output_is_file(output);
	if (charts)
		chart_place(output, dir, sizeof(dir), prefix, sizeof(prefix));
	int rc = fmt == FORMAT_HTML ? plan_render_html(&pd.input, &sb)
				    : plan_render_md(&pd.input, charts ? prefix : NULL, &sb, charts ? &doc : NULL);
	int status = 0;
	if (rc) {
		diag_error(d, "cannot render the plan: %s", hr_strerror(rc));
		status = 1;
	} else if (output) {
		status = cmd_write("plan", output, strbuf_str(&sb), sb.len, true);
		for (size_t i = 0; doc && status == 0 && i < doc_chart_count(doc); i++) {
			const char *name, *svg;
			doc_chart_file(doc, i, &name, &svg);
			char path[8192];
			snprintf(path, sizeof(path), "%s%s%s.svg", dir, prefix, name);
			status = cmd_write("plan", path, svg, strlen(svg), true);
		}
	} else {
		fputs(strbuf_str(&sb), stdout);
		status = fflush(stdout) == 0 ? 0 : 1;
	}
	doc_free(doc);
	strbuf_free(&sb);
	plandoc_free(&pd);
	return status;
}

/* What the command line asked for. */
struct plan_args {
	const char *file, *users_arg, *output;
	long months;           /* --months; -1 = not given */
	enum out_format fmt;
	bool done;             /* --help was printed */
};

/* @return 0 to go on (a->done after --help), or the exit status of a usage error. */
static int parse_flags(int argc, char **argv, struct plan_args *a)
{
	enum { OPT_FORMAT = 256 };
	static const struct option opts[] = {
		{"file", required_argument, NULL, 'f'},
		{"users", required_argument, NULL, 'u'},
		{"months", required_argument, NULL, 'm'},
		{"format", required_argument, NULL, OPT_FORMAT},
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	*a = (struct plan_args){.months = -1, .fmt = FORMAT_TEXT};
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:u:m:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			a->file = optarg;
			break;
		case 'u':
			a->users_arg = optarg;
			break;
		case 'o':
			if (!*optarg)
				return cmd_usage_error("plan", "--output: expected a file name");
			a->output = optarg;
			break;
		case 'm': {
			char *end;
			a->months = strtol(optarg, &end, 10);
			if (*optarg == 0 || *end != 0 || a->months < 1 || a->months > 240)
				return cmd_usage_error("plan", "--months: expected a whole number of months from 1 to 240, got '%s'",
						       optarg);
			break;
		}
		case OPT_FORMAT:
			if (cmd_parse_format("plan", optarg, (1u << FORMAT_TEXT) | (1u << FORMAT_JSON) | (1u << FORMAT_MD) | (1u << FORMAT_HTML), &a->fmt))
				return EXIT_BAD_INPUT;
			break;
		case 'h':
			fputs(usage_text, stdout);
			a->done = true;
			return 0;
		case ':':
			return cmd_usage_error("plan", "option '%s' needs a value", argv[optind - 1]);
		default:
			return cmd_usage_error("plan", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cmd_usage_error("plan", "unexpected argument '%s'", argv[optind]);
	return 0;
}

/* The milestones when --users gave none: --months of growth, the config's
 * milestones, or the default horizon (see --help).
 * @param note set to a note for the report when there is one milestone only.
 * @return 0, or EXIT_BAD_INPUT after a message. */
static int milestones(const struct config *cfg, long months, double *users, size_t *n, const char **note,
		      struct diag *d)
{
	static const char one[] = "one milestone, workload.users: the workload has no growth rate and no milestones";
	*note = NULL;
	if (*n > 0)
		return 0;
	if (months > 0 && !(cfg->workload.growth_monthly > 0))
		/* A flat curve would plan one milestone and say nothing. */
		return cmd_usage_error("plan", "--months %ld: workload.growth is not set, so there is no growth curve to follow; "
					       "give workload.growth or --users", months);
	if (cfg->workload.n_milestones == 0 && !(cfg->workload.growth_monthly > 0))
		*note = one;
	struct workload w = cfg->workload;
	if (months > 0)
		w.n_milestones = 0; /* --months asks for the growth curve */
	unsigned horizon = months > 0 ? (unsigned)months : DEFAULT_MONTHS;
	*n = planner_milestones(&w, horizon, users, MAX_MILESTONES);
	if (w.n_milestones == 0 && w.growth_monthly > 0 && *n <= horizon)
		diag_warn(d, "the growth curve passes %.0e users after month %zu; the plan stops there",
			  WORKLOAD_MAX_USERS, *n - 1);
	return 0;
}

/* The text or JSON roadmap: plan, render, write. @return the exit status. */
static int write_roadmap(const struct planning *ps, const struct config *cfg, const struct plan_args *a,
			 const double *users, size_t n, const char *note, struct diag *d)
{
	struct plan_step *steps = xcalloc(n, sizeof(*steps));
	struct plan_current *current = xcalloc(1, sizeof(*current));
	struct plan_dedicated *dedicated = xcalloc(1, sizeof(*dedicated));
	struct strbuf sb;
	strbuf_init(&sb, 0);
	int status = EXIT_BAD_INPUT;
	if (planner_run(&ps->in, users, n, steps)) {
		diag_error(d, "a milestone is not a user count (negative or not a number)");
		goto out;
	}
	if (planner_current(&ps->in, current) || planner_dedicated(&ps->in, dedicated)) {
		diag_error(d, "workload.users or economics.dedicated.users is not a user count");
		goto out;
	}
	struct plan_report rep = {
		.source = cmd_config_path(a->file),
		.currency = cfg->economics.currency[0] ? cfg->economics.currency : "USD",
		.in = &ps->in,
		.steps = steps,
		.n_steps = n,
		.current = current,
		.dedicated = dedicated,
	};
	if (note)
		rep.notes[rep.n_notes++] = note;
	int rc = a->fmt == FORMAT_JSON ? plan_render_json(&rep, &sb) : plan_render_text(&rep, &sb);
	if (rc) {
		diag_error(d, "cannot render the plan: %s", hr_strerror(rc));
		status = 1;
	} else if (a->output) {
		status = cmd_write("plan", a->output, strbuf_str(&sb), sb.len, true);
	} else {
		fputs(strbuf_str(&sb), stdout);
		status = fflush(stdout) == 0 ? 0 : 1;
	}
out:
	strbuf_free(&sb);
	free(current);
	free(dedicated);
	free(steps);
	return status;
}

static int run(int argc, char **argv)
{
	struct plan_args a;
	int status = parse_flags(argc, argv, &a);
	if (status || a.done)
		return status;
	double *users = xcalloc(MAX_MILESTONES, sizeof(*users));
	size_t n_users = 0;
	struct diag d;
	diag_init_file(&d, stderr, "headroom");
	d.show_source = isatty(fileno(stderr));
	struct config *cfg = NULL;
	struct planning ps = {0};
	const char *note = NULL;
	status = EXIT_BAD_INPUT;
	if (a.users_arg && parse_users(a.users_arg, users, MAX_MILESTONES, &n_users))
		goto out;
	if (config_load(cmd_config_path(a.file), &d, &cfg) || planning_init(&ps, cfg, &d))
		goto out;
	if (milestones(cfg, a.months, users, &n_users, &note, &d))
		goto out;
	if (a.fmt == FORMAT_MD || a.fmt == FORMAT_HTML)
		status = write_document(&ps, cfg, cmd_config_path(a.file), a.fmt, a.output, users, n_users, &d);
	else
		status = write_roadmap(&ps, cfg, &a, users, n_users, note, &d);
out:
	planning_free(&ps);
	config_free(cfg);
	free(users);
	return status;
}

const struct hr_cmd cmd_plan = {"plan", "the staged roadmap: the cheapest deployment for each growth milestone", run};
