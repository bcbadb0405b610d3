/* init.c - `headroom init`: a first config from a compose file and this machine. */
#include "cmd/cmd.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/catalog.h"
#include "config/compose.h"
#include "config/draft.h"
#include "render/draft.h"
#include "sources/host.h"
#include "util/diag.h"
#include "util/strbuf.h"
#include "util/units.h"

static const char usage_text[] =
	"usage: headroom init [--from docker-compose.yml] [-o headroom.yaml] [--force]\n"
	"                     [--provider NAME] [--cpus N] [--memory SIZE] [--disk SIZE]\n"
	"\n"
	"Draft a first config. With --from, each service of the compose file becomes\n"
	"a component: PostgreSQL (postgres, timescaledb, postgis), Redis (redis, valkey,\n"
	"keydb), a proxy (nginx, traefik, caddy, haproxy), a worker (a command running\n"
	"celery, rq, sidekiq, BullMQ, dramatiq or arq), the rest an app; replicas and\n"
	"worker flags become workers, memory limits memory. Without --from, a starter:\n"
	"an app behind nginx with PostgreSQL and Redis. Either way this machine's vCPUs,\n"
	"memory and disk become deployment.current, matched to the closest catalogue\n"
	"plan. Every guessed value is marked '# ASSUMPTION:' with what to measure.\n"
	"\n"
	"      --from FILE     the compose file to read (profiles and extends included)\n"
	"  -o, --output FILE   where to write (default ./headroom.yaml; - for stdout);\n"
	"                      a FIFO or a device is written in place, a link followed\n"
	"                      (README, Output files)\n"
	"      --force         replace the output file if it exists\n"
	"      --provider NAME match the machine to this provider's plans only\n"
	"      --cpus N        size the draft for N vCPUs instead of this machine's\n"
	"      --memory SIZE   ... for this much memory (e.g. 8GiB)\n"
	"      --disk SIZE     ... for this much disk (e.g. 160GB)\n"
	"  -h, --help          this text\n"
	"\n"
	"Then: headroom validate -f headroom.yaml; headroom plan -f headroom.yaml.\n"
	"Exit status: 0 written; 2 bad flags, a bad compose file (one FILE:LINE:COL\n"
	"line per problem) or an output that could not be written.\n";

#ifndef HEADROOM_VERSION
#define HEADROOM_VERSION "dev"
#endif

static int parse_size_flag(const char *flag, const char *v, double *out)
{
	const char *why = NULL;
	if (units_parse_size(v, out, &why) || *out <= 0)
		return cmd_usage_error("init", "%s: expected a size above 0 such as 8GiB, got '%s'", flag, v);
	return 0;
}

/* What the command line asked for. */
struct init_args {
	const char *from, *output, *provider;
	bool force;
	double cpus, memory, disk;  /* 0 (disk: -1): this machine's */
	bool done;                  /* --help was printed */
};

/* @return 0 to go on (a->done after --help), or the exit status of a usage error. */
static int parse_flags(int argc, char **argv, struct init_args *a)
{
	enum { OPT_FROM = 256, OPT_FORCE, OPT_PROVIDER, OPT_CPUS, OPT_MEMORY, OPT_DISK };
	static const struct option opts[] = {
		{"from", required_argument, NULL, OPT_FROM},
		{"output", required_argument, NULL, 'o'},
		{"force", no_argument, NULL, OPT_FORCE},
		{"provider", required_argument, NULL, OPT_PROVIDER},
		{"cpus", required_argument, NULL, OPT_CPUS},
		{"memory", required_argument, NULL, OPT_MEMORY},
		{"disk", required_argument, NULL, OPT_DISK},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	*a = (struct init_args){.output = "headroom.yaml", .disk = -1};
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_FROM: a->from = optarg; break;
		case 'o': a->output = optarg; break;
		case OPT_FORCE: a->force = true; break;
		case OPT_PROVIDER: a->provider = optarg; break;
		case OPT_CPUS: {
			char *end;
			a->cpus = strtod(optarg, &end);
			if (end == optarg || *end || !(a->cpus > 0 && a->cpus <= 4096))
				return cmd_usage_error("init", "--cpus: expected a number of vCPUs from 0 to 4096, got '%s'", optarg);
			break;
		}
		case OPT_MEMORY:
			if (parse_size_flag("--memory", optarg, &a->memory))
				return EXIT_BAD_INPUT;
			break;
		case OPT_DISK:
			if (parse_size_flag("--disk", optarg, &a->disk))
				return EXIT_BAD_INPUT;
			break;
		case 'h': fputs(usage_text, stdout); a->done = true; return 0;
		case ':': return cmd_usage_error("init", "option '%s' needs a value", argv[optind - 1]);
		default: return cmd_usage_error("init", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cmd_usage_error("init", "unexpected argument '%s'", argv[optind]);
	return 0;
}

static int run(int argc, char **argv)
{
	struct init_args a;
	int status = parse_flags(argc, argv, &a);
	if (status || a.done)
		return status;
	struct diag d;
	diag_init_file(&d, stderr, "headroom init");
	d.show_source = isatty(fileno(stderr));
	struct compose_project *proj = NULL;
	struct catalog cat = {0};
	struct draft dr = {0};
	struct strbuf sb;
	strbuf_init(&sb, 0);
	status = EXIT_BAD_INPUT;
	if (a.from && compose_load(a.from, &d, &proj))
		goto out;
	struct host_facts host;
	if (host_probe("/", &host, &d))
		goto out;
	if (a.cpus > 0)
		host.vcpu = a.cpus;
	if (a.memory > 0)
		host.memory_b = a.memory;
	if (a.disk > 0)
		host.disk_b = a.disk;
	if (catalog_load_dir(NULL, &d, &cat))
		goto out;
	if (draft_build(proj, host.vcpu, host.memory_b, host.disk_b, &cat, a.provider, &d, &dr))
		goto out;
	if (draft_render(&dr, HEADROOM_VERSION, &sb)) {
		diag_error(&d, "the draft is larger than the output buffer");
		status = 1;
		goto out;
	}
	status = cmd_write("init", a.output, strbuf_str(&sb), sb.len, a.force);
	if (status == 0 && strcmp(a.output, "-") != 0)
		fprintf(stderr, "headroom init: wrote %s (%zu components); check it with: headroom validate -f %s\n",
			a.output, dr.n, a.output);
out:
	strbuf_free(&sb);
	draft_free(&dr);
	catalog_free(&cat);
	compose_free(proj);
	return status;
}

const struct hr_cmd cmd_init = {"init", "draft a first config from a compose file and this machine", run};
