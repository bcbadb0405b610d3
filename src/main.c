/* headroom - capacity plans, live checks, load tests and scaling for a
 * service growing from one VPS to Kubernetes.
 *
 * Module map (layers point down; model/ does no I/O; see docs/architecture.md):
 *
 *   main.c            dispatch to a subcommand
 *   cmd/              one file per subcommand: flags, wiring, printing
 *   model/model.h     the workload/deployment structs everything shares
 *   model/queue       M/M/c: Erlang C, waiting and response-time percentiles; M/G/c
 *   model/calibrated  a bench calibration -> CPU, slots and service time per node
 *   model/availability series/parallel/k-of-n composition, downtime budgets
 *   model/demand      users -> per-resource demand (Little's law, pools)
 *   model/cost        catalogue plans -> monthly cost, serverless comparison
 *   model/planner     cheapest stage per milestone, with its reasons
 *   model/rules       triggers: warn/crit, `for` durations, hysteresis
 *   model/forecast    least squares / Holt trend, time to threshold
 *   model/usl         Universal Scalability Law fit and inverses
 *   model/scaling     the autoscaler's decision: HPA replica calculator and behavior, KEDA activation
 *   config/           YAML -> model structs, schema, catalogue loading
 *   sources/          metric sources: local, prometheus, postgres, redis, http
 *   store/            SQLite history of samples and trigger states
 *   render/           every renderer: text tables, JSON, Markdown, HTML, exports
 *   pipeline/         flows several commands share: the live round, the planner set-up
 *   bench/            the HTTP load generator and its histogram
 *   util/             errors, diagnostics, units, strings, buffers
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"

#ifndef HEADROOM_VERSION
#define HEADROOM_VERSION "dev"
#endif

static int run_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("headroom %s\n", HEADROOM_VERSION);
	return 0;
}

static const struct hr_cmd cmd_version = {"version", "print the version", run_version};

/* In the order `headroom --help` lists them. */
static const struct hr_cmd *const commands[] = {
	&cmd_plan,
	&cmd_check,
	&cmd_agent,
	&cmd_autoscale,
	&cmd_bench,
	&cmd_queue,
	&cmd_sla,
	&cmd_catalog,
	&cmd_validate,
	&cmd_version,
};

static void usage(FILE *fp)
{
	fprintf(fp,
		"usage: headroom COMMAND [OPTIONS]\n"
		"\n"
		"Turn a model of your workload into a scaling plan, check the plan's triggers\n"
		"against live metrics, and measure what your service really sustains.\n"
		"\n"
		"Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(fp, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
	fprintf(fp,
		"\n"
		"Run 'headroom COMMAND --help' for a command's options.\n"
		"Most commands read ./headroom.yaml, or the file given with -f FILE.\n"
		"Exit status: 0 ok, 2 bad input; check uses Nagios codes (0-3).\n");
}

/* A command's output that could not be written (a full disk, a closed pipe)
 * is a failure, not a success with nothing to show (coreutils close_stdout). */
static int finish(int status)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "headroom: error: cannot write the output: %s\n", strerror(errno));
		return status ? status : 1;
	}
	return status;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	const char *name = argv[1];
	if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(name, "--version") == 0)
		return run_version(0, NULL);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(name, commands[i]->name) == 0)
			return finish(commands[i]->run(argc - 1, argv + 1));
	fprintf(stderr, "headroom: unknown command '%s' (see 'headroom --help')\n", name);
	return 2;
}
