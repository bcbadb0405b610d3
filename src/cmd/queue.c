/* queue.c - `headroom queue`: the M/M/c calculator, and M/G/c with --service-cv (model/queue). */
#include "cmd/cmd.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/queue.h"
#include "render/queue.h"
#include "util/strbuf.h"
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

/* A whole number in [1, max], digits only (no sign, no suffix). @return 0 or HR_E_INVALID. */
static int parse_count(const char *s, unsigned max, unsigned *out)
{
	if (!*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 9)
		return HR_E_INVALID;
	unsigned long v = strtoul(s, NULL, 10);
	if (v < 1 || v > max)
		return HR_E_INVALID;
	*out = (unsigned)v;
	return 0;
}

/* "p95=200ms" -> quantile 0.95, 0.2 s. @return 0, or HR_E_INVALID with *why set. */
static int parse_target(const char *s, double *q, double *secs, const char **why)
{
	*why = "expected pNN=DURATION, such as p95=200ms, p50=80ms or p99=1s";
	if (s[0] != 'p' && s[0] != 'P')
		return HR_E_INVALID;
	const char *eq = strchr(s, '=');
	if (!eq || eq == s + 1 || (size_t)(eq - s) > 16)
		return HR_E_INVALID;
	char pct[17];
	memcpy(pct, s + 1, (size_t)(eq - s - 1));
	pct[eq - s - 1] = '\0';
	double v;
	const char *w;
	if (units_parse_number(pct, &v, &w) != 0)
		return HR_E_INVALID;
	if (!(v > 0 && v < 100)) {
		*why = "the percentile must be above 0 and below 100, e.g. p95";
		return HR_E_INVALID;
	}
	if (units_parse_duration(eq + 1, secs, why) != 0)
		return HR_E_INVALID;
	if (!(*secs > 0)) {
		*why = "the target duration must be more than 0";
		return HR_E_INVALID;
	}
	*q = v / 100.0;
	return 0;
}

/* Render the answer and write it. */
static int emit(const struct queue_report *rep, enum out_format fmt)
{
	struct strbuf sb;
	strbuf_init(&sb, 0);
	int rc = fmt == FORMAT_JSON ? queue_render_json(rep, &sb) : queue_render_text(rep, &sb);
	if (rc == 0)
		fputs(strbuf_str(&sb), stdout);
	else
		fprintf(stderr, "headroom %s: cannot render the answer: %s\n", name, hr_strerror(rc));
	strbuf_free(&sb);
	return rc == 0 ? 0 : 1;
}

static int run_target(struct queue_report *rep, unsigned max_c, enum out_format fmt)
{
	unsigned c = 0;
	int rc = queue_servers_for_g(rep->lambda, rep->service_s, rep->cv, rep->q, rep->target_s, max_c, &c);
	if (rc != 0 && rc != HR_E_INFEASIBLE)
		return cmd_usage_error(name, "%s", hr_strerror(rc));
	struct queue_result r;
	if (rc == 0 && queue_solve_g(rep->lambda, rep->service_s, rep->cv, c, &r) != 0)
		return cmd_usage_error(name, "cannot solve the queue");
	rep->r = rc == 0 ? &r : NULL;
	rep->max_servers = max_c;
	rep->one_less_s = rc == 0 && c > 1
				  ? queue_response_quantile_g(rep->lambda, rep->service_s, rep->cv, c - 1, rep->q)
				  : NAN;
	return emit(rep, fmt);
}

/* What the command line gave, as text. */
struct queue_args {
	const char *arrival, *service, *servers, *target, *max_servers, *cv;
	enum out_format fmt;
	bool done;  /* --help was printed */
};

/* @return 0 to go on (a->done after --help), or the exit status of a usage error. */
static int parse_flags(int argc, char **argv, struct queue_args *a)
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
	*a = (struct queue_args){.fmt = FORMAT_TEXT};
	opterr = 0;
	optind = 0; /* full getopt reset (glibc), so the parse never depends on earlier use */
	int ch;
	while ((ch = getopt_long(argc, argv, ":a:s:c:t:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'a': a->arrival = optarg; break;
		case 's': a->service = optarg; break;
		case 'c': a->servers = optarg; break;
		case 't': a->target = optarg; break;
		case 'M': a->max_servers = optarg; break;
		case 'V': a->cv = optarg; break;
		case 'F':
			if (cmd_parse_format(name, optarg, 1u << FORMAT_TEXT | 1u << FORMAT_JSON, &a->fmt))
				return EXIT_BAD_INPUT;
			break;
		case 'h': usage(stdout); a->done = true; return 0;
		case ':': return cmd_usage_error(name, "option '%s' needs a value", argv[optind - 1]);
		default: return cmd_usage_error(name, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cmd_usage_error(name, "unexpected argument '%s'", argv[optind]);
	if (!a->arrival)
		return cmd_usage_error(name, "--arrival RATE is required, e.g. --arrival 100/s");
	if (!a->service)
		return cmd_usage_error(name, "--service DURATION is required, e.g. --service 25ms");
	if (!a->servers == !a->target)
		return cmd_usage_error(name, "give either --servers C or --target pNN=DURATION");
	if (a->max_servers && !a->target)
		return cmd_usage_error(name, "--max-servers only applies with --target");
	return 0;
}

/* --target: the fewest servers that meet it. */
static int answer_target(const struct queue_args *a, struct queue_report *rep)
{
	const char *why;
	unsigned max_c = QUEUE_DEFAULT_MAX_SERVERS;
	if (parse_target(a->target, &rep->q, &rep->target_s, &why) != 0)
		return cmd_usage_error(name, "--target '%s': %s", a->target, why);
	if (a->max_servers && parse_count(a->max_servers, QUEUE_MAX_SERVERS, &max_c) != 0)
		return cmd_usage_error(name, "--max-servers '%s': expected a whole number from 1 to %u",
				       a->max_servers, QUEUE_MAX_SERVERS);
	rep->has_target = true;
	return run_target(rep, max_c, a->fmt);
}

/* --servers: the queue with that many. */
static int answer_servers(const struct queue_args *a, struct queue_report *rep)
{
	unsigned c;
	if (parse_count(a->servers, QUEUE_MAX_SERVERS, &c) != 0)
		return cmd_usage_error(name, "--servers '%s': expected a whole number from 1 to %u",
				       a->servers, QUEUE_MAX_SERVERS);
	struct queue_result r;
	int rc = queue_solve_g(rep->lambda, rep->service_s, rep->cv, c, &r);
	if (rc != 0)
		return cmd_usage_error(name, "%s", hr_strerror(rc));
	rep->r = &r;
	rep->one_less_s = NAN;
	return emit(rep, a->fmt);
}

static int run(int argc, char **argv)
{
	struct queue_args a;
	int rc = parse_flags(argc, argv, &a);
	if (rc || a.done)
		return rc;
	struct queue_report rep = {.arrival = a.arrival, .service = a.service, .cv = 1};
	const char *why;
	if (units_parse_rate(a.arrival, &rep.lambda, &why) != 0)
		return cmd_usage_error(name, "--arrival '%s': %s", a.arrival, why);
	if (units_parse_duration(a.service, &rep.service_s, &why) != 0)
		return cmd_usage_error(name, "--service '%s': %s", a.service, why);
	if (!(rep.service_s > 0))
		return cmd_usage_error(name, "--service '%s': the service time must be more than 0",
				       a.service);
	/* 1 when not given: exponential, M/M/c, exactly as without the flag */
	if (a.cv && (units_parse_number(a.cv, &rep.cv, &why) != 0 || !(rep.cv >= 0 && rep.cv <= QUEUE_MAX_CV)))
		return cmd_usage_error(name, "--service-cv '%s': expected a number from 0 (constant service) to %g; 1 is exponential",
				       a.cv, QUEUE_MAX_CV);
	return a.target ? answer_target(&a, &rep) : answer_servers(&a, &rep);
}

const struct hr_cmd cmd_queue = {"queue", "M/M/c (M/G/c) calculator: Erlang C, waits, p50/p95/p99, servers for a target", run};
