/* simulate.c - `headroom simulate`: replay a traffic trace against scaling
 * policies (model/simulate, which calls the autoscaler's model/scaling) and
 * compare them in replica-hours, money and minutes over the SLO. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "config/catalog.h"
#include "config/config.h"
#include "config/trace.h"
#include "model/autoscale_config.h"
#include "model/queue.h"
#include "model/simulate.h"
#include "pipeline/planning.h"
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
	"  -o, --output FILE      write there instead of standard output\n"
	"  -h, --help             this text\n"
	"\n"
	"The recommended policy (*) is the one with the fewest replica-hours among\n"
	"those within the error budget of objectives.availability (default 99.9 %)\n"
	"over the trace.\n"
	"Exit status: 0 replayed, 2 bad input.\n";

struct opts {
	const char *trace, *file, *service, *concurrency, *cv, *cpu, *price, *slo, *startup, *sync, *lag, *season;
	const char *max_replicas, *scale, *output;
	const char *policies[MAX_POLICIES];
	size_t n_policies;
	enum out_format fmt;
};

static int parse_duration_flag(const char *flag, const char *v, double *out, bool zero_ok)
{
	const char *why;
	if (units_parse_duration(v, out, &why) != 0)
		return cmd_usage_error(name, "%s '%s': %s", flag, v, why);
	if (!(*out > 0) && !(zero_ok && *out == 0))
		return cmd_usage_error(name, "%s '%s': expected a duration more than 0", flag, v);
	return 0;
}

/* config:NAME: the limits, behavior, tolerance and cooldown of the config's
 * autoscale.services.NAME, scaling (as KEDA) on work in flight per replica
 * at its first metric's per-replica target, plus the forecast when it is
 * predictive. What the loop would run, on the simulator's metric. */
static int config_policy(const char *spec, const char *svc_name, const struct config *cfg, struct sim_policy *pol)
{
	if (!cfg || !cfg->autoscale.present)
		return cmd_usage_error(name, "--policy '%s': needs -f FILE with an autoscale: section", spec);
	const struct autoscale_config *ac = &cfg->autoscale;
	for (size_t i = 0; i < ac->n_services; i++) {
		const struct autoscale_service_config *c = &ac->services[i];
		if (strcmp(c->name, svc_name) != 0)
			continue;
		memset(pol, 0, sizeof(*pol));
		pol->kind = c->predictive ? SIM_PREDICTIVE_KEDA : SIM_KEDA;
		autoscale_spec_from(c, 0, &pol->spec);
		double t = c->n_metrics ? c->metrics[0].target_average : 0;
		if (!(t > 0))
			return cmd_usage_error(name, "--policy '%s': autoscale.services.%s has no per-replica target (target_average) to read as work in flight",
					       spec, svc_name);
		pol->target = t;
		pol->replicas = pol->spec.min_replicas;
		return 0;
	}
	return cmd_usage_error(name, "--policy '%s': no autoscale.services.%s in the config", spec, svc_name);
}

/* A policy from its spelling; @p peak is static:peak's count. */
static int parse_policy(const char *spec, const struct sim_service *svc, int peak, int max, const struct config *cfg,
			struct sim_policy *pol)
{
	char kind[32];
	const char *colon = strchr(spec, ':');
	size_t kl = colon ? (size_t)(colon - spec) : strlen(spec);
	if (kl == 0 || kl >= sizeof(kind))
		return cmd_usage_error(name, "--policy '%s': expected static:N, static:peak, hpa, keda or predictive", spec);
	memcpy(kind, spec, kl);
	kind[kl] = '\0';
	const char *arg = colon ? colon + 1 : NULL;
	if (strcmp(kind, "config") == 0) {
		if (!arg || !*arg)
			return cmd_usage_error(name, "--policy '%s': expected config:SERVICE, a service of autoscale.services", spec);
		return config_policy(spec, arg, cfg, pol);
	}
	if (strcmp(kind, "static") == 0) {
		memset(pol, 0, sizeof(*pol));
		pol->kind = SIM_STATIC;
		if (!arg)
			return cmd_usage_error(name, "--policy '%s': static needs a count, static:N or static:peak", spec);
		if (strcmp(arg, "peak") == 0) {
			pol->replicas = peak;
			return 0;
		}
		char *end;
		long n = strtol(arg, &end, 10);
		if (*arg == '\0' || *end || n < 1 || n > 100000)
			return cmd_usage_error(name, "--policy '%s': expected static:N with N from 1 to 100000, or static:peak", spec);
		pol->replicas = (int)n;
		return 0;
	}
	enum sim_policy_kind k;
	if (strcmp(kind, "hpa") == 0)
		k = SIM_HPA;
	else if (strcmp(kind, "keda") == 0)
		k = SIM_KEDA;
	else if (strcmp(kind, "predictive") == 0)
		k = SIM_PREDICTIVE;
	else
		return cmd_usage_error(name, "--policy '%s': unknown policy '%s'; expected static:N, static:peak, hpa, keda or predictive",
				       spec, kind);
	sim_policy_defaults(pol, k, svc, max);
	if (arg) {
		if (strncmp(arg, "target=", 7) != 0)
			return cmd_usage_error(name, "--policy '%s': expected %s:target=VALUE", spec, kind);
		const char *v = arg + 7, *why;
		double t;
		if (k == SIM_KEDA) {
			if (units_parse_number(v, &t, &why) != 0 || !(t > 0))
				return cmd_usage_error(name, "--policy '%s': expected requests in flight per replica, more than 0", spec);
		} else {
			if (units_parse_ratio(v, &t, &why) != 0 || !(t > 0 && t <= 1))
				return cmd_usage_error(name, "--policy '%s': expected a CPU target such as 70%%", spec);
			t *= 100;
		}
		pol->target = t;
	}
	return 0;
}

/* The service per replica from a config: its calibration when present, else
 * the app component (workers x concurrency slots) and the request classes'
 * rate-weighted duration and CPU. The price and cores of a replica from the
 * deployment.current app node. */
static int service_from_config(const struct config *cfg, struct sim_service *svc, double *price_hour,
			       const char **currency, struct diag *d)
{
	const struct workload *w = &cfg->workload;
	const struct component *app = NULL;
	for (size_t i = 0; i < cfg->n_components; i++)
		if (cfg->components[i].kind == COMP_APP) {
			app = &cfg->components[i];
			break;
		}
	if (!app || w->n_requests == 0) {
		diag_error(d, "%s: simulate needs an app component and request classes (or use --service and --concurrency)",
			   cfg->path);
		return HR_E_INVALID;
	}
	double rate = 0, dur = 0, cpu = 0;
	for (size_t i = 0; i < w->n_requests; i++) {
		rate += w->requests[i].rate;
		dur += w->requests[i].rate * w->requests[i].duration_s;
		cpu += w->requests[i].rate * w->requests[i].cpu_s;
	}
	svc->service_s = rate > 0 ? dur / rate : w->requests[0].duration_s;
	svc->cpu_s = rate > 0 ? cpu / rate : w->requests[0].cpu_s;
	svc->concurrency = (app->workers ? app->workers : 1) * (app->concurrency ? app->concurrency : 1);
	svc->cv = 1;
	const struct calibration *c = &cfg->calibration;
	if (c->present) {
		svc->service_s = c->service_s;
		if (c->has_service_cv)
			svc->cv = c->service_cv;
		if (c->cpu_s > 0)
			svc->cpu_s = c->cpu_s;
		if (c->concurrency >= 1)
			svc->concurrency = (unsigned)lround(c->concurrency);
	}
	if (svc->cpu_s > svc->service_s)
		svc->cpu_s = svc->service_s;
	*price_hour = NAN;
	*currency = NULL;
	struct planning ps = {0};
	int rc = planning_catalog(&ps, cfg, d);
	if (rc == 0) {
		for (size_t i = 0; i < cfg->deployment.n_current; i++) {
			const struct node_group *g = &cfg->deployment.current[i];
			if (strcmp(g->role, "app") != 0 && strcmp(g->role, "all") != 0)
				continue;
			const struct offer *o = catalog_find(&ps.cat, NULL, g->plan);
			if (o) {
				*price_hour = o->price / UNITS_HOURS_PER_MONTH;
				*currency = cfg->economics.currency[0] ? cfg->economics.currency : "USD";
				svc->cores = o->vcpu;
			}
			break;
		}
	}
	planning_free(&ps);
	return rc;
}

static int run(int argc, char **argv)
{
	enum { O_SCALE = 256, O_SERVICE, O_CONC, O_CV, O_CPU, O_PRICE, O_SLO, O_STARTUP, O_SYNC, O_LAG, O_SEASON,
	       O_MAX, O_FORMAT };
	static const struct option lo[] = {
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
	struct opts o = {.fmt = FORMAT_TEXT};
	struct sim_series series[MAX_POLICIES] = {0}; /* per tick, for --format html; freed at out_trace */
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":t:f:p:o:h", lo, NULL)) != -1) {
		switch (c) {
		case 't': o.trace = optarg; break;
		case O_SCALE: o.scale = optarg; break;
		case 'f': o.file = optarg; break;
		case O_SERVICE: o.service = optarg; break;
		case O_CONC: o.concurrency = optarg; break;
		case O_CV: o.cv = optarg; break;
		case O_CPU: o.cpu = optarg; break;
		case O_PRICE: o.price = optarg; break;
		case O_SLO: o.slo = optarg; break;
		case O_STARTUP: o.startup = optarg; break;
		case O_SYNC: o.sync = optarg; break;
		case O_LAG: o.lag = optarg; break;
		case O_SEASON: o.season = optarg; break;
		case O_MAX: o.max_replicas = optarg; break;
		case 'p':
			if (o.n_policies == MAX_POLICIES)
				return cmd_usage_error(name, "at most %d policies in one run", MAX_POLICIES);
			o.policies[o.n_policies++] = optarg;
			break;
		case O_FORMAT:
			if (cmd_parse_format(name, optarg, 1u << FORMAT_TEXT | 1u << FORMAT_JSON | 1u << FORMAT_HTML, &o.fmt))
				return EXIT_BAD_INPUT;
			break;
		case 'o': o.output = optarg; break;
		case 'h': fputs(usage_text, stdout); return 0;
		case ':': return cmd_usage_error(name, "option '%s' needs a value", argv[optind - 1]);
		default: return cmd_usage_error(name, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cmd_usage_error(name, "unexpected argument '%s'", argv[optind]);
	if (!o.trace)
		return cmd_usage_error(name, "--trace FILE.csv is required (data/traces/ has real ones)");
	if (!o.file == !o.service)
		return cmd_usage_error(name, "give either -f FILE or --service DURATION with --concurrency N");
	if (o.service && !o.concurrency)
		return cmd_usage_error(name, "--service needs --concurrency N (requests one replica serves at once)");
	if (o.file && (o.concurrency || o.price))
		return cmd_usage_error(name, "%s comes from the config with -f", o.concurrency ? "--concurrency" : "--price");

	struct sim_params p = {.scale = 1, .slo_p95_s = NAN, .startup_s = 30, .sync_s = 15, .metric_lag_s = 15,
			       .season_s = 86400, .price_hour = NAN};
	struct sim_service svc = {.cv = 1};
	const char *why;
	if (o.scale && (units_parse_number(o.scale, &p.scale, &why) != 0 || !(p.scale > 0)))
		return cmd_usage_error(name, "--scale '%s': expected a number more than 0", o.scale);
	if ((o.startup && parse_duration_flag("--startup", o.startup, &p.startup_s, true)) ||
	    (o.sync && parse_duration_flag("--sync", o.sync, &p.sync_s, false)) ||
	    (o.lag && parse_duration_flag("--metric-lag", o.lag, &p.metric_lag_s, true)) ||
	    (o.season && parse_duration_flag("--season", o.season, &p.season_s, false)))
		return EXIT_BAD_INPUT;
	if (o.slo) {
		if (strncmp(o.slo, "p95=", 4) != 0 || units_parse_duration(o.slo + 4, &p.slo_p95_s, &why) != 0 ||
		    !(p.slo_p95_s > 0))
			return cmd_usage_error(name, "--slo '%s': expected p95=DURATION, e.g. p95=500ms", o.slo);
	}
	long max_replicas = 0;
	if (o.max_replicas) {
		char *end;
		max_replicas = strtol(o.max_replicas, &end, 10);
		if (*o.max_replicas == '\0' || *end || max_replicas < 1 || max_replicas > 100000)
			return cmd_usage_error(name, "--max-replicas '%s': expected a whole number from 1 to 100000",
					       o.max_replicas);
	}

	struct diag d;
	diag_init_file(&d, stderr, "headroom");
	d.show_source = isatty(fileno(stderr));
	struct config *cfg = NULL;
	const char *currency = NULL, *service_from = "--service";
	double availability = 0.999;
	char from[512];
	struct money price;
	if (o.file) {
		if (config_load(o.file, &d, &cfg) != 0 || service_from_config(cfg, &svc, &p.price_hour, &currency, &d) != 0) {
			config_free(cfg);
			return EXIT_BAD_INPUT;
		}
		snprintf(from, sizeof(from), "config %s%s", o.file, cfg->calibration.present ? ", calibrated" : "");
		service_from = from;
		if (isnan(p.slo_p95_s) && cfg->objectives.p95_s > 0)
			p.slo_p95_s = cfg->objectives.p95_s;
		if (cfg->objectives.availability > 0)
			availability = cfg->objectives.availability;
	} else {
		double conc;
		if (parse_duration_flag("--service", o.service, &svc.service_s, false))
			return EXIT_BAD_INPUT;
		if (units_parse_count(o.concurrency, &conc, &why) != 0 || conc < 1 || conc > 100000 || conc != floor(conc))
			return cmd_usage_error(name, "--concurrency '%s': expected a whole number from 1 to 100000", o.concurrency);
		svc.concurrency = (unsigned)conc;
		if (o.price) {
			if (units_parse_money(o.price, &price, &why) != 0 || price.period == MONEY_ONCE ||
			    !(price.amount >= 0) || !price.currency[0])
				return cmd_usage_error(name, "--price '%s': expected a price with its currency and period, e.g. $0.0104/h or 7.59 EUR/mo",
						       o.price);
			p.price_hour = money_per_month(&price) / UNITS_HOURS_PER_MONTH;
			currency = price.currency;
		}
	}
	int status = EXIT_BAD_INPUT;
	if (o.cv && (units_parse_number(o.cv, &svc.cv, &why) != 0 || svc.cv > QUEUE_MAX_CV)) {
		cmd_usage_error(name, "--cv '%s': expected a number from 0 (constant) to %g", o.cv, QUEUE_MAX_CV);
		goto out_cfg;
	}
	if (o.cpu) {
		if (parse_duration_flag("--cpu", o.cpu, &svc.cpu_s, false))
			goto out_cfg;
		if (svc.cpu_s > svc.service_s) {
			cmd_usage_error(name, "--cpu '%s': a request cannot use more CPU than the time it is served", o.cpu);
			goto out_cfg;
		}
	}
	if (isnan(p.slo_p95_s))
		p.slo_p95_s = 0.5; /* seed 000, seed 004: p95 latency warn at 500 ms */

	struct trace tr;
	if (trace_load(o.trace, &d, &tr) != 0)
		goto out_cfg;
	p.bucket_s = tr.bucket_s;
	double peak = 0;
	for (size_t i = 0; i < tr.n; i++)
		peak = fmax(peak, tr.requests[i] / tr.bucket_s * p.scale);
	double alone = sim_queue_p95(&svc, 0);
	if (alone > p.slo_p95_s) {
		char a[32], b[32];
		diag_error(&d, "a request alone has a p95 of %s (service %s, cv %g), above the SLO p95 <= %s: no number of replicas meets it",
			   units_fmt_duration3(alone, a, sizeof(a)), o.service ? o.service : "from the config", svc.cv,
			   units_fmt_duration3(p.slo_p95_s, b, sizeof(b)));
		goto out_trace;
	}
	int peak_n = sim_replicas_for(&svc, peak, p.slo_p95_s, 100000);
	if (peak_n == 0) {
		diag_error(&d, "%s: the busiest bucket (%.4g req/s) needs more than 100000 replicas to meet p95 <= %g s; lower --scale",
			   o.trace, peak, p.slo_p95_s);
		goto out_trace;
	}
	int max = max_replicas ? (int)max_replicas : (peak_n * 2 > peak_n + 4 ? peak_n * 2 : peak_n + 4);
	static const char *const defaults[] = {"static:peak", "hpa", "keda", "predictive"};
	if (o.n_policies == 0)
		for (size_t i = 0; i < 4; i++)
			o.policies[o.n_policies++] = defaults[i];
	struct sim_policy pols[MAX_POLICIES];
	struct sim_result res[MAX_POLICIES];
	struct sim_report_row rows[MAX_POLICIES];

	/* Autoscalers start where a team would switch them on: the count the
	 * busiest bucket needs of those before a policy could have reacted
	 * (sync, metric lag and start-up), so a replay does not open with a
	 * backlog no policy could have avoided. */
	double react = p.sync_s + p.metric_lag_s + p.startup_s, early = 0;
	for (size_t i = 0; i < tr.n && (double)i * tr.bucket_s <= react; i++)
		early = fmax(early, tr.requests[i] / tr.bucket_s * p.scale);
	int first = sim_replicas_for(&svc, early, p.slo_p95_s, max);
	for (size_t i = 0; i < o.n_policies; i++) {
		if (parse_policy(o.policies[i], &svc, peak_n, max, cfg, &pols[i]) != 0)
			goto out_trace;
		if (pols[i].kind != SIM_STATIC) {
			pols[i].replicas = first ? first : pols[i].spec.max_replicas;
			if (pols[i].replicas > pols[i].spec.max_replicas)
				pols[i].replicas = pols[i].spec.max_replicas;
			if (pols[i].replicas < pols[i].spec.min_replicas)
				pols[i].replicas = pols[i].spec.min_replicas;
		}
		const char *bad = sim_check(&svc, &p, &pols[i]);
		if (bad) {
			cmd_usage_error(name, "--policy '%s': %s", o.policies[i], bad);
			goto out_trace;
		}
	}
	for (size_t i = 0; i < o.n_policies; i++) {
		void *work = calloc(1, sim_workspace_size(&p, &pols[i], tr.n));
		if (!work) {
			fprintf(stderr, "headroom simulate: out of memory\n");
			status = 1;
			goto out_trace;
		}
		struct sim_series *sp = NULL;
		if (o.fmt == FORMAT_HTML) {
			size_t ticks = sim_ticks(&p, tr.n);
			series[i].replicas = xcalloc(ticks + 1, sizeof(int));
			series[i].p95_s = xcalloc(ticks + 1, sizeof(double));
			series[i].demand = i == 0 ? xcalloc(ticks + 1, sizeof(double)) : NULL;
			sp = &series[i];
		}
		int rc = sim_run(tr.requests, tr.n, &svc, &p, &pols[i], work, &res[i], sp);
		free(work);
		if (rc) {
			fprintf(stderr, "headroom simulate: --policy '%s': %s\n", o.policies[i], hr_strerror(rc));
			goto out_trace;
		}
		rows[i] = (struct sim_report_row){.label = o.policies[i], .pol = &pols[i], .res = &res[i], .series = sp};
	}
	char recwhy[256];
	double minutes = (double)tr.n * tr.bucket_s / 60;
	struct sim_report rep = {
		.version = HEADROOM_VERSION, .trace = o.trace, .start = tr.start, .buckets = tr.n, .peak_rps = peak,
		.svc = &svc, .p = &p,
		.service_from = service_from, .currency = isfinite(p.price_hour) ? currency : NULL,
		.budget_minutes = (1 - availability) * minutes, .rows = rows, .n_rows = o.n_policies,
	};
	rep.recommended = sim_report_recommend(rows, o.n_policies, rep.budget_minutes, recwhy, sizeof(recwhy));
	rep.why = recwhy;
	struct strbuf sb;
	strbuf_init(&sb, 0);
	int rc = o.fmt == FORMAT_JSON ? sim_render_json(&rep, &sb)
		 : o.fmt == FORMAT_HTML ? sim_render_html(&rep, &sb)
					: sim_render_text(&rep, &sb);
	if (rc) {
		fprintf(stderr, "headroom simulate: cannot render the report: %s\n", hr_strerror(rc));
		status = 1;
	} else {
		status = cmd_write(name, o.output, strbuf_str(&sb), sb.len, true);
	}
	strbuf_free(&sb);
out_trace:
	for (size_t i = 0; i < MAX_POLICIES; i++) {
		free(series[i].replicas);
		free(series[i].p95_s);
		free(series[i].demand);
	}
	trace_free(&tr);
out_cfg:
	config_free(cfg);
	return status;
}

const struct hr_cmd cmd_simulate = {"simulate", "replay a traffic trace against scaling policies: cost and SLO minutes", run};
