/* headroom - capacity plans, live checks, load tests and scaling for a
 * service growing from one VPS to Kubernetes.
 *
 * Module map (includes point down; model/ does no I/O; docs/architecture.md):
 *
 *   main.c              dispatch to a subcommand
 *   cmd/                one file per subcommand: flags -> load -> compute -> render -> write
 *   cmd/export          `headroom export KIND`: one table of exporters (compose, k8s, ...)
 *   pipeline/live       the live round check and agent share: sources -> rules -> forecasts
 *   pipeline/agent      the agent's loop: rounds, store, log, webhook, published documents
 *   pipeline/planning   the planner set up from a config (catalogue, currency, references)
 *   pipeline/loadtest   bench's flows: a run, the knee search and what it infers (CPU, calibration)
 *   pipeline/export     the plan an export is written from: planned, placed, its growth point
 *   pipeline/plandoc    what plan's md and html documents show, gathered from a config
 *   pipeline/dashboard  the agent's page: a round plus the stored history of each trigger
 *   pipeline/autoscale  the autoscaling step: metrics -> decision -> intent -> actuator, per service
 *   model/model.h       the workload/deployment structs everything shares
 *   model/sample        metric samples and series (what sources give, the store keeps)
 *   model/source_config what a metric source is configured with
 *   model/queue         M/M/c: Erlang C, waiting and response-time percentiles; M/G/c
 *   model/calibrated    a bench calibration -> CPU, slots and service time per node
 *   model/availability  availability from failures, recoveries and planned downtime (series, k-of-n, failover)
 *   model/demand        users -> per-resource demand (Little's law, pools)
 *   model/cost          catalogue plans -> monthly cost, serverless comparison
 *   model/planner       cheapest stage per milestone, with its reasons
 *   model/rules         triggers: warn/crit, `for` durations, hysteresis
 *   model/live          a round's decisions: worst series, why no value, changes, bottleneck
 *   model/forecast      least squares / Holt trend, time to threshold
 *   model/usl           Universal Scalability Law fit and inverses
 *   model/scaling       the autoscaler's decision: HPA replica calculator and behavior, KEDA activation
 *   model/autoscale_config what an autoscaled service is configured with
 *   model/draft         the config `init` drafts, every value with where it came from
 *   model/placement     a planned deployment per component: replicas, requests, limits
 *   model/simulate      a traffic trace replayed against a scaling policy
 *   model/machine       the node a component gets in a plan step, and its share of it
 *   model/pgtune        PostgreSQL settings for a machine by PGTune's rules
 *   model/apptune       app-server workers, threads and memory per process, with sources
 *   config/             YAML -> model structs, schema, catalogue loading
 *   config/compose      a team's docker-compose.yml, read for `init`; config/draft drafts from it
 *   sources/            metric sources: local, prometheus, postgres, redis, http; host: this machine's size
 *   store/              SQLite history of samples and trigger states; the autoscaler's memory
 *   actuators/          how a service is resized: compose (docker compose) and exec (a command)
 *   render/             every renderer, into a strbuf: tables, JSON, reports, exposition, exports
 *   render/svg          the hand-written SVG chart writer (lines, stacked areas, bands, axes)
 *   render/doc          a document written as Markdown or as one self-contained HTML page
 *   serve/              the agent's HTTP endpoints (libmicrohttpd)
 *   loadgen/            the HTTP load generator (headroom bench) and its histogram
 *   util/               errors, diagnostics, log, clock, units, strings, buffers
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
	&cmd_init,
	&cmd_plan,
	&cmd_export,
	&cmd_tune,
	&cmd_check,
	&cmd_agent,
	&cmd_autoscale,
	&cmd_simulate,
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
		"Commands that read a config take -f FILE; without it, the first that exists\n"
		"of ./headroom.yaml, $XDG_CONFIG_HOME/headroom/headroom.yaml (by default\n"
		"~/.config/headroom/headroom.yaml) and /etc/headroom/headroom.yaml.\n"
		"The agent's history goes to $XDG_STATE_HOME/headroom/history.db (by default\n"
		"~/.local/state/headroom/history.db; /var/lib/headroom/history.db as a service).\n"
		"Prices come from the catalogue installed with headroom ($HEADROOM_CATALOG\n"
		"names another folder).\n"
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
