/* autoscale.c - `headroom autoscale`: one decision from a JSON document
 * (decide), or the autoscaling loop over the config's services. */
#include "cmd/cmd.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "config/scaling_input.h"
#include "model/scaling.h"
#include "pipeline/autoscale.h"
#include "pipeline/live.h"
#include "render/autoscale.h"
#include "util/diag.h"
#include "util/logger.h"
#include "util/strbuf.h"

static const char usage_text[] =
	"usage: headroom autoscale [-f FILE] [--store FILE] [--once] [-v]\n"
	"       headroom autoscale decide < INPUT.json\n"
	"\n"
	"The loop: every autoscale.interval (default 15s) sample the configured\n"
	"sources and, for each service of the config's autoscale: section, decide\n"
	"as Kubernetes' HPA and KEDA do (docs/autoscale.md), log the decision with its\n"
	"reason, and - with autoscale.apply: true - resize the service through its\n"
	"actuator (compose: docker compose ... up -d --no-recreate --scale; exec: your\n"
	"command, given 'scale SERVICE N'). Until apply is true nothing is resized\n"
	"(a dry run). The history (recommendations, resizes, resizes in flight) is\n"
	"kept in the SQLite store, so a restart neither flaps nor breaks the rate\n"
	"limits. The agent runs the same loop when its config has autoscale:, and\n"
	"serves it on /metrics and /status.\n"
	"\n"
	"  -f, --file FILE   config (default ./headroom.yaml)\n"
	"      --store FILE  the SQLite store (default agent.store, else\n"
	"                    $XDG_STATE_HOME/headroom/history.db)\n"
	"      --once        one round, then exit\n"
	"  -v, --verbose     log every decision (default: changes, resizes, failures)\n"
	"\n"
	"decide: read one JSON document on stdin (the service's metrics, replicas,\n"
	"limits, behavior and history) and print the decision as Kubernetes' HPA and\n"
	"KEDA would make it: {\"desired_replicas\", \"proposals\": [{\"metric\",\n"
	"\"replicas\", \"utilization\", \"reason\"}], \"reason\"}. docs/autoscale.md has\n"
	"the schema and the rules.\n"
	"\n"
	"  -h, --help   this text\n"
	"\n"
	"Exit status: 0 decided (the loop: stopped by SIGTERM or SIGINT), 2 bad\n"
	"input (one line naming the file's line, or the JSON path), 1 when the store\n"
	"cannot be opened.\n"
	"\n"
	"Example:\n"
	"  echo '{\"now_s\": 0, \"current_replicas\": 2, \"max_replicas\": 10,\n"
	"        \"metrics\": [{\"kind\": \"external\", \"name\": \"queue\", \"value\": 120,\n"
	"                     \"target_average\": 20}]}' | headroom autoscale decide\n";

static int run_decide(int argc, char **argv)
{
	static const struct option opts[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(usage_text, stdout);
			return 0;
		}
		return cmd_usage_error("autoscale decide", "unknown or incomplete option '%s'", argv[optind - 1]);
	}
	if (optind < argc)
		return cmd_usage_error("autoscale decide", "unexpected argument '%s'", argv[optind]);
	/* Bounded read: a decision input is a few KiB; stop well past that. */
	struct strbuf in, out;
	strbuf_init(&in, SCALING_INPUT_MAX);
	strbuf_init(&out, 1u << 20);
	struct scaling_request req = {0};
	int status = EXIT_BAD_INPUT;
	char chunk[65536];
	size_t n;
	int rc = 0;
	while (!rc && (n = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
		rc = strbuf_append(&in, chunk, n);
	if (rc || ferror(stdin)) {
		fprintf(stderr, "headroom autoscale decide: stdin: %s\n",
			rc ? "the input is over 4 MiB" : "cannot read the input");
		goto out;
	}
	struct diag d;
	diag_init_file(&d, stderr, "headroom autoscale decide");
	if (scaling_request_parse("stdin", strbuf_str(&in), in.len, &d, &req) != 0)
		goto out;
	struct scaling_decision dec;
	rc = scaling_decide(&req.spec, &req.in, req.state, &dec);
	if (!rc)
		rc = render_decision_json(&req.spec, &req.in, &dec, &out);
	if (rc) {
		fprintf(stderr, "headroom autoscale decide: %s\n", hr_strerror(rc));
		goto out;
	}
	fputs(strbuf_str(&out), stdout);
	status = 0;
out:
	scaling_request_free(&req);
	strbuf_free(&out);
	strbuf_free(&in);
	return status;
}

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static int run_loop(const char *file, const char *store_flag, bool once, bool verbose)
{
	struct diag d;
	diag_init_file(&d, stderr, "headroom autoscale");
	d.show_source = true;
	struct config *cfg = NULL;
	if (config_load(cmd_config_path(file), &d, &cfg) != 0)
		return EXIT_BAD_INPUT;
	int status = EXIT_BAD_INPUT;
	char *def_path = NULL;
	if (!cfg->autoscale.present || !cfg->autoscale.n_services) {
		fprintf(stderr, "headroom autoscale: %s has no autoscale.services to scale (docs/autoscale.md)\n",
			cfg->path);
		goto out;
	}
	struct autoscale_params p = {.store = live_store_path(store_flag, cfg, &def_path), .once = once,
				     .verbose = verbose};
	if (!p.store) {
		fprintf(stderr, "headroom autoscale: no store path: set agent.store, --store, XDG_STATE_HOME or HOME\n");
		status = 1;
		goto out;
	}
	struct sigaction sa = {.sa_handler = on_signal};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	struct logger log;
	logger_init_file(&log, stderr, "headroom autoscale");
	int rc = autoscale_run(cfg, &p, &log, &d, &stop_requested);
	status = rc == 0 ? 0 : rc == HR_E_IO ? 1 : EXIT_BAD_INPUT;
out:
	free(def_path);
	config_free(cfg);
	return status;
}

static int run(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "decide") == 0)
		return run_decide(argc - 1, argv + 1);
	enum { OPT_STORE = 256, OPT_ONCE };
	static const struct option opts[] = {
		{"file", required_argument, NULL, 'f'},
		{"store", required_argument, NULL, OPT_STORE},
		{"once", no_argument, NULL, OPT_ONCE},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *file = NULL, *store = NULL;
	bool once = false, verbose = false;
	int c;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'f': file = optarg; break;
		case OPT_STORE: store = optarg; break;
		case OPT_ONCE: once = true; break;
		case 'v': verbose = true; break;
		case 'h': fputs(usage_text, stdout); return 0;
		default: return cmd_usage_error("autoscale", "unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cmd_usage_error("autoscale", "unexpected argument '%s'", argv[optind]);
	return run_loop(file, store, once, verbose);
}

const struct hr_cmd cmd_autoscale = {"autoscale", "autoscaler decisions, Kubernetes HPA and KEDA semantics", run};
