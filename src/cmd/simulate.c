/* simulate.c - `headroom simulate`: replay a traffic trace against scaling
 * policies (model/simulate, which calls the autoscaler's model/scaling) and
 * compare them in replica-hours, money and minutes over the SLO. */
#include "cmd/cmd.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "config/trace.h"
#include "model/queue.h"
#include "model/simulate.h"
#include "pipeline/simulate.h"
#include "render/simulate.h"
#include "util/diag.h"
#include "util/strbuf.h"
#include "util/units.h"
#include "util/xalloc.h"

static const char *const name = "simulate";

/* Policies one run compares. */
#define MAX_POLICIES 16

static const char usage_text[] =
	"usage: headroom simulate --trace FILE.csv [--scale X]\n"
	"                         (-f FILE | --service DURATION --concurrency N)\n"
	"                         [--slo p95=DURATION] [--startup DURATION] [--sync DURATION]\n"
	"                         [--metric-lag DURATION] [--policy P]... [--format text|json|html]\n"
	"\n"
	"Replay a request-rate trace (CSV timestamp,requests per bucket, as in\n"
	"data/traces/) against scaling policies and compare what each would have\n"
	"cost and how many minutes it would have spent over the latency SLO. Each\n"
	"step computes the demand, what the policy sees (lagged, sampled every sync),\n"
	"its decision through the same code as `headroom autoscale`, replicas that\n"
	"become ready after the start-up, and the p95 from the queueing model, a\n"
	"backlog carrying over when demand exceeds capacity (docs/simulate.md).\n"
	"\n"
	"  -t, --trace FILE       the trace (required)\n"
	"      --scale X          multiply the trace's requests by X (default 1)\n"
	"  -f, --file FILE        the service per replica from this config's app tier\n"
	"                         (its calibration when present) and the price of a\n"
	"                         replica from its deployment.current app node\n"
	"      --service DURATION mean time a request holds a slot (instead of -f)\n"
	"      --concurrency N    requests one replica serves at once (with --service)\n"
	"      --cv X             service-time coefficient of variation (default 1, or\n"
	"                         the calibration's)\n"
	"      --cpu DURATION     CPU time per request, what the hpa policy sees\n"
	"                         (default: the service time, a CPU-bound service)\n"
	"      --price MONEY      one replica, e.g. $0.0104/h or $7.59/mo (with --service)\n"
	"      --slo p95=DURATION the latency objective (default objectives.p95, or\n"
	"                         p95=500ms)\n"
	"      --startup DURATION from a scale-up decision to a ready replica (default 30s)\n"
	"      --sync DURATION    how often a policy decides (default 15s, the HPA's)\n"
	"      --metric-lag DURATION  how old the metric a policy sees is (default 15s,\n"
	"                         metrics-server's resolution)\n"
	"      --season DURATION  the predictive policy's season (default 1d)\n"
	"      --max-replicas N   the autoscalers' maximum (default twice static:peak)\n"
	"  -p, --policy P         static:N, static:peak, hpa, keda, predictive, each\n"
	"                         optionally :target=V (hpa/predictive: CPU percent,\n"
	"                         e.g. hpa:target=60%; keda: requests in flight per\n"
	"                         replica); or config:SERVICE, the behavior, limits\n"
	"                         and target of autoscale.services.SERVICE in the -f\n"
	"                         config; repeat to compare (default: static:peak,\n"
	"                         hpa, keda, predictive)\n"
	"      --format text|json|html  output format (default text); html is one\n"
	"                         self-contained page with the trace, each policy's\n"
	"                         replicas and p95 over time\n"
	"  -o, --output FILE      write there instead of standard output; a FIFO or a\n"
	"                         device is written in place, a link followed (README,\n"
	"                         Output files)\n"
	"  -h, --help             this text\n"
	"\n"
	"The recommended policy (*) is the one with the fewest replica-hours among\n"
	"those within the error budget of objectives.availability (default 99.9 %)\n"
	"over the trace.\n"
	"Exit status: 0 replayed, 2 bad input (an output that cannot be written too).\n";

struct opts {
	const char *trace, *file, *service, *concurrency, *cv, *cpu, *price, *slo, *startup, *sync, *lag, *season;
	const char *max_replicas, *scale, *output;
	const char *policies[MAX_POLICIES];
	size_t n_policies;
	enum out_format fmt;
	bool done;  /* --help was printed */
};

/* The options that only keep their value; the table below maps each to its field. */
enum { O_SCALE = 256, O_SERVICE, O_CONC, O_CV, O_CPU, O_PRICE, O_SLO, O_STARTUP, O_SYNC, O_LAG, O_SEASON, O_MAX,
       O_KEPT_END, O_FORMAT = O_KEPT_END };

static const struct option long_opts[] = {
	{"trace", required_argument, NULL, 't'},
	{"scale", required_argument, NULL, O_SCALE},
	{"file", required_argument, NULL, 'f'},
	{"service", required_argument, NULL, O_SERVICE},
	{"concurrency", required_argument, NULL, O_CONC},
	{"cv", required_argument, NULL, O_CV},
	{"cpu", required_argument, NULL, O_CPU},
	{"price", required_argument, NULL, O_PRICE},
	{"slo", required_argument, NULL, O_SLO},
	{"startup", required_argument, NULL, O_STARTUP},
	{"sync", required_argument, NULL, O_SYNC},
	{"metric-lag", required_argument, NULL, O_LAG},
	{"season", required_argument, NULL, O_SEASON},
	{"max-replicas", required_argument, NULL, O_MAX},
	{"policy", required_argument, NULL, 'p'},
	{"format", required_argument, NULL, O_FORMAT},
	{"output", required_argument, NULL, 'o'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

/* The flags that must or must not come together. @return 0 or EXIT_BAD_INPUT. */
static int check_flags(const struct opts *o)
{
	if (!o->trace)
		return cmd_usage_error(name, "--trace FILE.csv is required (data/traces/ has real ones)");
	if (!o->file == !o->service)
		return cmd_usage_error(name, "give either -f FILE or --service DURATION with --concurrency N");
	if (o->service && !o->concurrency)
		return cmd_usage_error(name, "--service needs --concurrency N (requests one replica serves at once)");
	if (o->file && (o->concurrency || o->price))
		return cmd_usage_error(name, "%s comes from the config with -f", o->concurrency ? "--concurrency" : "--price");
	return 0;
}

/* @return 0 to go on (o->done after --help), or the exit status of a usage error. */
static int parse_flags(int argc, char **argv, struct opts *o)
{
	const char **kept[O_KEPT_END - O_SCALE] = {
		&o->scale, &o->service, &o->concurrency, &o->cv, &o->cpu, &o->price, &o->slo, &o->startup,
		&o->sync, &o->lag, &o->season, &o->max_replicas,
	};
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":t:f:p:o:h", long_opts, NULL)) != -1) {
		if (c >= O_SCALE && c < O_KEPT_END) {
			*kept[c - O_SCALE] = optarg;
			continue;
		}
		switch (c) {
		case 't': o->trace = optarg; break;
		case 'f': o->file = optarg; break;
		case 'p':
			if (o->n_policies == MAX_POLICIES)
				return cmd_usage_error(name, "at most %d policies in one run", MAX_POLICIES);
			o->policies[o->n_policies++] = optarg;
			break;
		case O_FORMAT:
			if (cmd_parse_format(name, optarg, 1u << FORMAT_TEXT | 1u << FORMAT_JSON | 1u << FORMAT_HTML, &o->fmt))
				return EXIT_BAD_INPUT;
			break;
		case 'o': o->output = optarg; break;
		case 'h': fputs(usage_text, stdout); o->done = true; return 0;
		case ':': return cmd_usage_error(name, "option '%s' needs a value", argv[optind - 1]);
		default: return cmd_usage_error(name, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cmd_usage_error(name, "unexpected argument '%s'", argv[optind]);
	return check_flags(o);
}

static int parse_duration_flag(const char *flag, const char *v, double *out, bool zero_ok)
{
	const char *why;
	if (units_parse_duration(v, out, &why) != 0)
		return cmd_usage_error(name, "%s '%s': %s", flag, v, why);
	if (!(*out > 0) && !(zero_ok && *out == 0))
		return cmd_usage_error(name, "%s '%s': expected a duration more than 0", flag, v);
	return 0;
}

/* What one replay holds, from the flags to the report. */
struct replay {
	struct opts o;
	struct sim_params p;
	struct sim_service svc;
	long max_replicas;          /* --max-replicas; 0 = not given */
	struct config *cfg;         /* with -f */
	const char *currency;       /* of the price, or NULL */
	const char *service_from;   /* where the service model came from */
	char from[512];
	double availability;
	struct money price;         /* --price */
	struct trace tr;
	struct simulate_setup su;
	struct sim_policy pols[MAX_POLICIES];
	struct sim_result res[MAX_POLICIES];
	struct sim_series series[MAX_POLICIES]; /* per tick, for --format html */
};

/* The replay's parameters from the flags. @return 0 or EXIT_BAD_INPUT. */
static int parse_params(struct replay *r)
{
	const struct opts *o = &r->o;
	struct sim_params *p = &r->p;
	const char *why;
	if (o->scale && (units_parse_number(o->scale, &p->scale, &why) != 0 || !(p->scale > 0)))
		return cmd_usage_error(name, "--scale '%s': expected a number more than 0", o->scale);
	if ((o->startup && parse_duration_flag("--startup", o->startup, &p->startup_s, true)) ||
	    (o->sync && parse_duration_flag("--sync", o->sync, &p->sync_s, false)) ||
	    (o->lag && parse_duration_flag("--metric-lag", o->lag, &p->metric_lag_s, true)) ||
	    (o->season && parse_duration_flag("--season", o->season, &p->season_s, false)))
		return EXIT_BAD_INPUT;
	if (o->slo) {
		if (strncmp(o->slo, "p95=", 4) != 0 || units_parse_duration(o->slo + 4, &p->slo_p95_s, &why) != 0 ||
		    !(p->slo_p95_s > 0))
			return cmd_usage_error(name, "--slo '%s': expected p95=DURATION, e.g. p95=500ms", o->slo);
	}
	if (o->max_replicas) {
		char *end;
		r->max_replicas = strtol(o->max_replicas, &end, 10);
		if (*o->max_replicas == '\0' || *end || r->max_replicas < 1 || r->max_replicas > 100000)
			return cmd_usage_error(name, "--max-replicas '%s': expected a whole number from 1 to 100000",
					       o->max_replicas);
	}
	return 0;
}

/* The service from the config (-f): its model, SLO and objective. @return 0 or EXIT_BAD_INPUT. */
static int service_from_file(struct replay *r, struct diag *d)
{
	if (config_load(r->o.file, d, &r->cfg) != 0 ||
	    simulate_service_from_config(r->cfg, &r->svc, &r->p.price_hour, &r->currency, d) != 0)
		return EXIT_BAD_INPUT;
	snprintf(r->from, sizeof(r->from), "config %s%s", r->o.file, r->cfg->calibration.present ? ", calibrated" : "");
	r->service_from = r->from;
	if (isnan(r->p.slo_p95_s) && r->cfg->objectives.p95_s > 0)
		r->p.slo_p95_s = r->cfg->objectives.p95_s;
	if (r->cfg->objectives.availability > 0)
		r->availability = r->cfg->objectives.availability;
	return 0;
}

/* The service from --service, --concurrency and --price. @return 0 or EXIT_BAD_INPUT. */
static int service_from_flags(struct replay *r)
{
	const struct opts *o = &r->o;
	const char *why;
	double conc;
	if (parse_duration_flag("--service", o->service, &r->svc.service_s, false))
		return EXIT_BAD_INPUT;
	if (units_parse_count(o->concurrency, &conc, &why) != 0 || conc < 1 || conc > 100000 || conc != floor(conc))
		return cmd_usage_error(name, "--concurrency '%s': expected a whole number from 1 to 100000", o->concurrency);
	r->svc.concurrency = (unsigned)conc;
	if (o->price) {
		struct money *price = &r->price;
		if (units_parse_money(o->price, price, &why) != 0 || price->period == MONEY_ONCE ||
		    !(price->amount >= 0) || !price->currency[0])
			return cmd_usage_error(name, "--price '%s': expected a price with its currency and period, e.g. $0.0104/h or 7.59 EUR/mo",
					       o->price);
		r->p.price_hour = money_per_month(price) / UNITS_HOURS_PER_MONTH;
		r->currency = price->currency;
	}
	return 0;
}

/* The service, then --cv and --cpu over it. @return 0 or EXIT_BAD_INPUT. */
static int load_service(struct replay *r, struct diag *d)
{
	const struct opts *o = &r->o;
	const char *why;
	if (o->file ? service_from_file(r, d) : service_from_flags(r))
		return EXIT_BAD_INPUT;
	if (o->cv && (units_parse_number(o->cv, &r->svc.cv, &why) != 0 || r->svc.cv > QUEUE_MAX_CV))
		return cmd_usage_error(name, "--cv '%s': expected a number from 0 (constant) to %g", o->cv, QUEUE_MAX_CV);
	if (o->cpu) {
		if (parse_duration_flag("--cpu", o->cpu, &r->svc.cpu_s, false))
			return EXIT_BAD_INPUT;
		if (r->svc.cpu_s > r->svc.service_s)
			return cmd_usage_error(name, "--cpu '%s': a request cannot use more CPU than the time it is served", o->cpu);
	}
	if (isnan(r->p.slo_p95_s))
		r->p.slo_p95_s = 0.5; /* seed 000, seed 004: p95 latency warn at 500 ms */
	return 0;
}

/* Every policy set up and replayed. @return 0, EXIT_BAD_INPUT or 1. */
static int replay_policies(struct replay *r, struct diag *d)
{
	struct opts *o = &r->o;
	if (simulate_prepare(&r->tr, o->trace, &r->svc, &r->p, r->max_replicas,
			     o->service ? o->service : "from the config", d, &r->su) != 0)
		return EXIT_BAD_INPUT;
	static const char *const defaults[] = {"static:peak", "hpa", "keda", "predictive"};
	if (o->n_policies == 0)
		for (size_t i = 0; i < 4; i++)
			o->policies[o->n_policies++] = defaults[i];
	for (size_t i = 0; i < o->n_policies; i++) {
		char *why;
		if (simulate_policy(o->policies[i], &r->svc, &r->p, &r->su, r->cfg, &r->pols[i], &why) != 0) {
			cmd_usage_error(name, "%s", why);
			free(why);
			return EXIT_BAD_INPUT;
		}
	}
	size_t bad = 0;
	int rc = simulate_replay(&r->tr, &r->svc, &r->p, r->pols, o->n_policies, r->res,
				 o->fmt == FORMAT_HTML ? r->series : NULL, &bad);
	if (rc) {
		fprintf(stderr, "headroom simulate: --policy '%s': %s\n", o->policies[bad], hr_strerror(rc));
		return EXIT_BAD_INPUT;
	}
	return 0;
}

/* Render the comparison and write it. @return the exit status. */
static int report(const struct replay *r)
{
	const struct opts *o = &r->o;
	struct sim_report_row rows[MAX_POLICIES];
	for (size_t i = 0; i < o->n_policies; i++)
		rows[i] = (struct sim_report_row){.label = o->policies[i], .pol = &r->pols[i], .res = &r->res[i],
						  .series = o->fmt == FORMAT_HTML ? &r->series[i] : NULL};
	char recwhy[256];
	double minutes = (double)r->tr.n * r->tr.bucket_s / 60;
	struct sim_report rep = {
		.version = HEADROOM_VERSION, .trace = o->trace, .start = r->tr.start, .buckets = r->tr.n,
		.peak_rps = r->su.peak_rps, .svc = &r->svc, .p = &r->p,
		.service_from = r->service_from, .currency = isfinite(r->p.price_hour) ? r->currency : NULL,
		.budget_minutes = (1 - r->availability) * minutes, .rows = rows, .n_rows = o->n_policies,
	};
	rep.recommended = sim_report_recommend(rows, o->n_policies, rep.budget_minutes, recwhy, sizeof(recwhy));
	rep.why = recwhy;
	struct strbuf sb;
	strbuf_init(&sb, 0);
	int rc = o->fmt == FORMAT_JSON ? sim_render_json(&rep, &sb)
		 : o->fmt == FORMAT_HTML ? sim_render_html(&rep, &sb)
					 : sim_render_text(&rep, &sb);
	int status;
	if (rc) {
		fprintf(stderr, "headroom simulate: cannot render the report: %s\n", hr_strerror(rc));
		status = 1;
	} else {
		status = cmd_write(name, o->output, strbuf_str(&sb), sb.len, true);
	}
	strbuf_free(&sb);
	return status;
}

static int run(int argc, char **argv)
{
	/* Large (sixteen policies and their results): off the stack. */
	struct replay *r = xcalloc(1, sizeof(*r));
	r->o.fmt = FORMAT_TEXT;
	r->p = (struct sim_params){.scale = 1, .slo_p95_s = NAN, .startup_s = 30, .sync_s = 15, .metric_lag_s = 15,
				   .season_s = 86400, .price_hour = NAN};
	r->svc.cv = 1;
	r->service_from = "--service";
	r->availability = 0.999;
	struct diag d;
	diag_init_file(&d, stderr, "headroom");
	d.show_source = isatty(fileno(stderr));
	int status = parse_flags(argc, argv, &r->o);
	if (status || r->o.done || (status = parse_params(r)) != 0 || (status = load_service(r, &d)) != 0)
		goto out;
	status = EXIT_BAD_INPUT;
	if (trace_load(r->o.trace, &d, &r->tr) != 0)
		goto out;
	r->p.bucket_s = r->tr.bucket_s;
	status = replay_policies(r, &d);
	if (status == 0)
		status = report(r);
out:
	simulate_series_free(r->series, MAX_POLICIES);
	trace_free(&r->tr);
	config_free(r->cfg);
	free(r);
	return status;
}

const struct hr_cmd cmd_simulate = {"simulate", "replay a traffic trace against scaling policies: cost and SLO minutes", run};
