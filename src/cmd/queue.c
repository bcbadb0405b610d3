/* queue.c - `headroom queue`: the M/M/c calculator, and M/G/c with --service-cv (model/queue). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cmd/cmd.h"
#include "model/queue.h"
#include "util/units.h"

static const char *const name = "queue";

/* Servers accepted on the command line. Erlang B is O(c) and the sizing
 * search evaluates it O(log c) times, so even the cap answers instantly. */
#define QUEUE_MAX_SERVERS 100000u
#define QUEUE_DEFAULT_MAX_SERVERS 10000u

static void usage(FILE *fp)
{
	fprintf(fp,
		"usage: headroom queue --arrival RATE --service DURATION --servers C\n"
		"                      [--service-cv X] [--format F]\n"
		"       headroom queue --arrival RATE --service DURATION --target pNN=DURATION\n"
		"                      [--service-cv X] [--max-servers N] [--format F]\n"
		"\n"
		"M/M/c queue calculator: Poisson arrivals, exponential service times, C\n"
		"identical servers taking requests first come, first served (a worker pool,\n"
		"a connection pool, CPU cores). Prints utilisation, the probability that a\n"
		"request waits (Erlang C), mean wait, mean response time and response-time\n"
		"percentiles p50/p95/p99; with --target, the fewest servers that meet it.\n"
		"With --service-cv, service times vary by that coefficient of variation\n"
		"(standard deviation / mean: 0 constant, 1 exponential) and the queue is\n"
		"M/G/c by the Allen-Cunneen approximation (docs/queue.md, \"M/G/c\").\n"
		"\n"
		"Options:\n"
		"  -a, --arrival RATE        arrival rate with its period: 100/s, 4/min, 2/h, 10k/day\n"
		"  -s, --service DURATION    mean service time per request: 25ms, 1.5s, 2m\n"
		"  -c, --servers C           number of servers, 1 to %u\n"
		"  -t, --target pNN=DURATION a response-time percentile to meet, e.g. p95=200ms,\n"
		"                            p50=80ms, p99=1s or p99.9=2s; prints the fewest servers\n"
		"      --service-cv X        service-time coefficient of variation, 0 to %g\n"
		"                            (alias --cv; default 1, exponential: M/M/c exactly;\n"
		"                            headroom bench measures it: service_cv)\n"
		"      --max-servers N       give up above N servers (with --target; default %u)\n"
		"      --format text|json    output format (default text)\n"
		"  -h, --help                show this help\n"
		"\n"
		"Utilisation of 100%% or more is a valid question: the answer is 'unstable'\n"
		"(JSON \"stable\": false, infinite times as null) and the exit status is 0.\n"
		"A target below the service time's own percentile cannot be met by any number\n"
		"of servers; that answer is printed too (JSON \"servers\": null).\n"
		"JSON keys: utilization, p_wait, mean_wait_s, mean_response_s, p50_s, p95_s,\n"
		"p99_s, servers, stable, arrival_per_s, service_s, service_cv, offered_load,\n"
		"target\n"
		"(docs/queue.md has the schema and the formulas).\n"
		"\n"
		"Exit status: 0 answered, 2 bad input.\n"
		"\n"
		"Examples:\n"
		"  headroom queue --arrival 80/s --service 20ms --servers 2\n"
		"  headroom queue --arrival 300/min --service 1.2s --target p95=5s --format json\n"
		"  headroom queue --arrival 80/s --service 25ms --servers 4 --service-cv 0.1\n",
		QUEUE_MAX_SERVERS, QUEUE_MAX_CV, QUEUE_DEFAULT_MAX_SERVERS);
}

/* A whole number in [1, max], digits only (no sign, no suffix). */
static int parse_count(const char *s, unsigned max, unsigned *out)
{
	if (!*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 9)
		return -1;
	unsigned long v = strtoul(s, NULL, 10);
	if (v < 1 || v > max)
		return -1;
	*out = (unsigned)v;
	return 0;
}

/* "p95=200ms" -> quantile 0.95, 0.2 s. */
static int parse_target(const char *s, double *q, double *secs, const char **why)
{
	*why = "expected pNN=DURATION, such as p95=200ms, p50=80ms or p99=1s";
	if (s[0] != 'p' && s[0] != 'P')
		return -1;
	const char *eq = strchr(s, '=');
	if (!eq || eq == s + 1 || (size_t)(eq - s) > 16)
		return -1;
	char pct[17];
	memcpy(pct, s + 1, (size_t)(eq - s - 1));
	pct[eq - s - 1] = '\0';
	double v;
	const char *w;
	if (units_parse_number(pct, &v, &w) != 0)
		return -1;
	if (!(v > 0 && v < 100)) {
		*why = "the percentile must be above 0 and below 100, e.g. p95";
		return -1;
	}
	if (units_parse_duration(eq + 1, secs, why) != 0)
		return -1;
	if (!(*secs > 0)) {
		*why = "the target duration must be more than 0";
		return -1;
	}
	*q = v / 100.0;
	return 0;
}

/* The percentile as people write it: 0.95 -> "p95", 0.999 -> "p99.9". */
static const char *fmt_pct(double q, char *buf, size_t n)
{
	snprintf(buf, n, "p%.10g", q * 100);
	return buf;
}

static json_t *jnum(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

/* Everything the JSON carries about a solved queue (r may be NULL: no answer). */
static json_t *result_json(const struct queue_result *r, double lambda, double service_s, double cv)
{
	json_t *o = json_object();
	bool ok = r != NULL;
	json_object_set_new(o, "utilization", ok ? jnum(r->utilization) : json_null());
	json_object_set_new(o, "p_wait", ok ? jnum(r->p_wait) : json_null());
	json_object_set_new(o, "mean_wait_s", ok ? jnum(r->mean_wait_s) : json_null());
	json_object_set_new(o, "mean_response_s", ok ? jnum(r->mean_response_s) : json_null());
	json_object_set_new(o, "p50_s", ok ? jnum(r->p50_s) : json_null());
	json_object_set_new(o, "p95_s", ok ? jnum(r->p95_s) : json_null());
	json_object_set_new(o, "p99_s", ok ? jnum(r->p99_s) : json_null());
	json_object_set_new(o, "servers", ok ? json_integer(r->servers) : json_null());
	json_object_set_new(o, "stable", ok ? json_boolean(r->stable) : json_null());
	json_object_set_new(o, "arrival_per_s", json_real(lambda));
	json_object_set_new(o, "service_s", json_real(service_s));
	json_object_set_new(o, "service_cv", json_real(cv));
	json_object_set_new(o, "offered_load", json_real(lambda * service_s));
	return o;
}

/* The fewest servers for a stable queue: c > lambda S. */
static double stable_servers(double lambda, double service_s)
{
	return floor(lambda * service_s) + 1;
}

/* Utilisation in percent; a stable queue never prints as 100.0%. */
static const char *fmt_util(const struct queue_result *r, char *buf, size_t n)
{
	int d = 1;
	double pct = r->utilization * 100;
	while (r->stable && d < 9 && pct < 100 && round(pct * pow(10, d)) >= 100 * pow(10, d))
		d++;
	snprintf(buf, n, "%.*f%%", d, pct);
	return buf;
}

static void print_result(const struct queue_result *r, double lambda, double service_s)
{
	const char *pw = r->service_cv == 1 ? "(Erlang C)" : "(Erlang C, as Allen-Cunneen takes it)";
	char b[64];
	printf("utilisation          %s\n", fmt_util(r, b, sizeof(b)));
	if (!r->stable) {
		printf("unstable: arrivals (%.6g/s) outpace what %u server%s can serve (%.6g/s);\n"
		       "the queue grows without bound, so there is no mean wait and no percentile.\n"
		       "At least %.0f servers are needed for a stable queue.\n",
		       lambda, r->servers, r->servers == 1 ? "" : "s", r->servers / service_s,
		       stable_servers(lambda, service_s));
		return;
	}
	printf("probability of wait  %.2f%% %s\n", r->p_wait * 100, pw);
	printf("mean wait            %s\n", units_fmt_duration3(r->mean_wait_s, b, sizeof(b)));
	printf("mean response        %s\n", units_fmt_duration3(r->mean_response_s, b, sizeof(b)));
	printf("response p50         %s\n", units_fmt_duration3(r->p50_s, b, sizeof(b)));
	printf("response p95         %s\n", units_fmt_duration3(r->p95_s, b, sizeof(b)));
	printf("response p99         %s\n", units_fmt_duration3(r->p99_s, b, sizeof(b)));
}

/* "M/M/c" or "M/G/c (Allen-Cunneen, service cv 0.1)" with c given or "c". */
static const char *model_name(double cv, const char *c, char *buf, size_t n)
{
	if (cv == 1)
		snprintf(buf, n, "M/M/%s queue", c);
	else
		snprintf(buf, n, "M/G/%s queue (Allen-Cunneen, service cv %.3g)", c, cv);
	return buf;
}

static int run_target(double lambda, double service_s, double cv, const char *arrival,
		      const char *service, double q, double target_s, unsigned max_c,
		      enum out_format fmt)
{
	char pb[32], tb[64], b[64], mb[96];
	unsigned c = 0;
	int rc = queue_servers_for_g(lambda, service_s, cv, q, target_s, max_c, &c);
	if (rc != 0 && rc != HR_E_INFEASIBLE)
		return cmd_usage_error(name, "%s", hr_strerror(rc));
	struct queue_result r;
	if (rc == 0 && queue_solve_g(lambda, service_s, cv, c, &r) != 0)
		return cmd_usage_error(name, "cannot solve the queue");
	// With unlimited servers the response time is the service time alone.
	double floor_s = queue_service_quantile(service_s, cv, q);
	if (fmt == FORMAT_JSON) {
		json_t *o = result_json(rc == 0 ? &r : NULL, lambda, service_s, cv);
		json_t *t = json_object();
		json_object_set_new(t, "quantile", json_real(q));
		json_object_set_new(t, "seconds", json_real(target_s));
		json_object_set_new(t, "met", json_boolean(rc == 0));
		json_object_set_new(o, "target", t);
		return cmd_print_json(name, o);
	}
	printf("%s: arrivals %s, mean service %s, target %s <= %s\n", model_name(cv, "c", mb, sizeof(mb)),
	       arrival, service, fmt_pct(q, pb, sizeof(pb)), units_fmt_duration3(target_s, tb, sizeof(tb)));
	if (rc != 0) {
		if (target_s < floor_s)
			printf("no number of servers meets %s <= %s: the service time alone has\n"
			       "%s = %s (%s), and waiting only adds.\n",
			       pb, tb, pb, units_fmt_duration3(floor_s, b, sizeof(b)),
			       cv == 1 ? "exponential service: -S ln(1 - p)"
			       : cv == 0 ? "constant service: S"
			       : cv < 1 ? "service S (1 - cv) + Exp(mean S cv)"
					: "hyperexponential service with balanced means");
		else
			printf("more than %u servers would be needed to meet %s <= %s (raise --max-servers).\n",
			       max_c, pb, tb);
		return 0;
	}
	printf("fewest servers       %u\n", c);
	print_result(&r, lambda, service_s);
	if (c > 1) {
		double one_less = queue_response_quantile_g(lambda, service_s, cv, c - 1, q);
		if (isfinite(one_less))
			printf("with %u server%s       %s would be %s\n", c - 1, c - 1 == 1 ? " " : "s",
			       pb, units_fmt_duration3(one_less, b, sizeof(b)));
		else
			printf("with %u server%s       the queue would be unstable\n", c - 1,
			       c - 1 == 1 ? " " : "s");
	}
	return 0;
}

static int run(int argc, char **argv)
{
	static const struct option opts[] = {
		{"arrival", required_argument, NULL, 'a'},
		{"service", required_argument, NULL, 's'},
		{"servers", required_argument, NULL, 'c'},
		{"target", required_argument, NULL, 't'},
		{"max-servers", required_argument, NULL, 'M'},
		{"service-cv", required_argument, NULL, 'V'},
		{"cv", required_argument, NULL, 'V'},
		{"format", required_argument, NULL, 'F'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *arrival = NULL, *service = NULL, *servers = NULL, *target = NULL;
	const char *max_servers = NULL, *cv_text = NULL;
	enum out_format fmt = FORMAT_TEXT;
	opterr = 0;
	optind = 0; // full getopt reset (glibc), so the parse never depends on earlier use
	int ch;
	while ((ch = getopt_long(argc, argv, ":a:s:c:t:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'a': arrival = optarg; break;
		case 's': service = optarg; break;
		case 'c': servers = optarg; break;
		case 't': target = optarg; break;
		case 'M': max_servers = optarg; break;
		case 'V': cv_text = optarg; break;
		case 'F':
			if (cmd_parse_format(name, optarg, 1u << FORMAT_TEXT | 1u << FORMAT_JSON, &fmt))
				return EXIT_BAD_INPUT;
			break;
		case 'h': usage(stdout); return 0;
		case ':': return cmd_usage_error(name, "option '%s' needs a value", argv[optind - 1]);
		default: return cmd_usage_error(name, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cmd_usage_error(name, "unexpected argument '%s'", argv[optind]);
	if (!arrival)
		return cmd_usage_error(name, "--arrival RATE is required, e.g. --arrival 100/s");
	if (!service)
		return cmd_usage_error(name, "--service DURATION is required, e.g. --service 25ms");
	if (!servers == !target)
		return cmd_usage_error(name, "give either --servers C or --target pNN=DURATION");
	if (max_servers && !target)
		return cmd_usage_error(name, "--max-servers only applies with --target");

	double lambda, service_s;
	const char *why;
	if (units_parse_rate(arrival, &lambda, &why) != 0)
		return cmd_usage_error(name, "--arrival '%s': %s", arrival, why);
	if (units_parse_duration(service, &service_s, &why) != 0)
		return cmd_usage_error(name, "--service '%s': %s", service, why);
	if (!(service_s > 0))
		return cmd_usage_error(name, "--service '%s': the service time must be more than 0",
				       service);

	double cv = 1; // exponential: M/M/c, exactly as without the flag
	if (cv_text && (units_parse_number(cv_text, &cv, &why) != 0 || !(cv >= 0 && cv <= QUEUE_MAX_CV)))
		return cmd_usage_error(name, "--service-cv '%s': expected a number from 0 (constant service) to %g; 1 is exponential",
				       cv_text, QUEUE_MAX_CV);

	if (target) {
		double q, target_s;
		unsigned max_c = QUEUE_DEFAULT_MAX_SERVERS;
		if (parse_target(target, &q, &target_s, &why) != 0)
			return cmd_usage_error(name, "--target '%s': %s", target, why);
		if (max_servers && parse_count(max_servers, QUEUE_MAX_SERVERS, &max_c) != 0)
			return cmd_usage_error(name, "--max-servers '%s': expected a whole number from 1 to %u",
					       max_servers, QUEUE_MAX_SERVERS);
		return run_target(lambda, service_s, cv, arrival, service, q, target_s, max_c, fmt);
	}

	unsigned c;
	if (parse_count(servers, QUEUE_MAX_SERVERS, &c) != 0)
		return cmd_usage_error(name, "--servers '%s': expected a whole number from 1 to %u",
				       servers, QUEUE_MAX_SERVERS);
	struct queue_result r;
	int rc = queue_solve_g(lambda, service_s, cv, c, &r);
	if (rc != 0)
		return cmd_usage_error(name, "%s", hr_strerror(rc));
	if (fmt == FORMAT_JSON)
		return cmd_print_json(name, result_json(&r, lambda, service_s, cv));
	char cb[16], mb[96];
	snprintf(cb, sizeof(cb), "%u", c);
	printf("%s: arrivals %s, mean service %s, offered load %.6g Erlangs\n", model_name(cv, cb, mb, sizeof(mb)),
	       arrival, service, lambda * service_s);
	print_result(&r, lambda, service_s);
	return 0;
}

const struct hr_cmd cmd_queue = {"queue", "M/M/c (M/G/c) calculator: Erlang C, waits, p50/p95/p99, servers for a target", run};
