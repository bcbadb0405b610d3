/* agent.c - `headroom agent`: the daemon. Flags and the config decide the
 * address, token, store and interval; pipeline/agent runs the loop (sample,
 * store, evaluate, log, post, serve). SIGTERM or SIGINT stop it between
 * rounds or during a sleep: the HTTP server stops, the store is closed. */
#include "cmd/cmd.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "pipeline/agent.h"
#include "pipeline/live.h"
#include "serve/httpd.h"
#include "util/diag.h"
#include "util/logger.h"
#include "util/units.h"

static const char usage_text[] =
	"usage: headroom agent [-f FILE] [--listen HOST:PORT] [--interval DURATION]\n"
	"                      [--store FILE] [-v]\n"
	"\n"
	"Sample every configured metric source each interval into the history store,\n"
	"evaluate the triggers, send state changes to the log and the webhook, and\n"
	"serve /metrics (Prometheus text format), /status (JSON), /healthz, and a\n"
	"dashboard for a browser at / (trigger states and history charts; with a\n"
	"token, open /?token=TOKEN once: it is kept as a cookie; docs/agent.md).\n"
	"With an autoscale: section it also runs the autoscaler (headroom autoscale).\n"
	"\n"
	"  -f, --file FILE        config (default ./headroom.yaml when it exists)\n"
	"      --listen HOST:PORT address to serve on (default agent.listen,\n"
	"                         127.0.0.1:9870); a non-loopback address needs\n"
	"                         agent.token\n"
	"      --interval DUR     sampling interval (default agent.interval, 10s)\n"
	"      --store FILE       history database (default agent.store, else\n"
	"                         $XDG_STATE_HOME/headroom/history.db)\n"
	"  -v, --verbose          log every stored batch\n"
	"  -h, --help             this text\n"
	"\n"
	"Stops cleanly on SIGTERM or SIGINT. Exit status: 0 after a clean stop,\n"
	"2 on bad input, 1 when it cannot start (store, address in use).\n";

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

struct agent_args {
	const char *file, *listen, *store;
	double interval;
	bool verbose;
};

static int run_agent(const struct config *cfg, const struct agent_args *a)
{
	struct agent_params p = {
		.listen = a->listen ? a->listen : cfg && cfg->agent.listen ? cfg->agent.listen : "127.0.0.1:9870",
		.token = cfg && cfg->agent.token && *cfg->agent.token ? cfg->agent.token : NULL,
		.interval_s = a->interval > 0 ? a->interval : cfg && cfg->agent.interval_s > 0 ? cfg->agent.interval_s : 10,
		.verbose = a->verbose,
	};
	struct sockaddr_storage ss;
	bool loopback = false;
	const char *why = NULL;
	if (httpd_parse_listen(p.listen, &ss, &loopback, &why) != 0) {
		fprintf(stderr, "headroom agent: listen '%s': %s\n", p.listen, why);
		return EXIT_BAD_INPUT;
	}
	if (!loopback && !p.token) {
		fprintf(stderr, "headroom agent: refusing to serve on %s without agent.token: anyone on the network "
				"could read the metrics; set agent.token or listen on 127.0.0.1\n", p.listen);
		return EXIT_BAD_INPUT;
	}
	char *def_path;
	p.store = live_store_path(a->store, cfg, &def_path);
	if (!p.store) {
		fprintf(stderr, "headroom agent: no store path: set agent.store, --store, XDG_STATE_HOME or HOME\n");
		return 1;
	}
	struct sigaction sa = {.sa_handler = on_signal};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	struct diag d;
	diag_init_file(&d, stderr, "headroom agent");
	struct logger log;
	logger_init_file(&log, stderr, "headroom agent");
	int rc = agent_run(cfg, &p, &log, &d, &stop_requested);
	free(def_path);
	return rc == 0 ? 0 : rc == HR_E_INVALID ? EXIT_BAD_INPUT : 1;
}

static int run(int argc, char **argv)
{
	static const struct option opts[] = {
		{"file", required_argument, NULL, 'f'},
		{"listen", required_argument, NULL, 'l'},
		{"interval", required_argument, NULL, 'i'},
		{"store", required_argument, NULL, 's'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct agent_args a = {0};
	int c;
	const char *why;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'f': a.file = optarg; break;
		case 'l': a.listen = optarg; break;
		case 'i':
			if (units_parse_duration(optarg, &a.interval, &why) != 0 || a.interval < 0.05)
				return cmd_usage_error("agent", "--interval '%s': %s", optarg,
						       a.interval < 0.05 ? "at least 50ms" : why);
			break;
		case 's': a.store = optarg; break;
		case 'v': a.verbose = true; break;
		case 'h': fputs(usage_text, stdout); return 0;
		default: return cmd_usage_error("agent", "unknown or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cmd_usage_error("agent", "unexpected argument '%s'", argv[optind]);
	struct diag d;
	diag_init_file(&d, stderr, "headroom agent");
	d.show_source = true;
	struct config *cfg = NULL;
	const char *path = cmd_config_path(a.file);
	FILE *probe = a.file ? NULL : fopen(path, "r");
	if (probe)
		fclose(probe);
	if ((a.file || probe) && config_load(path, &d, &cfg) != 0)
		return EXIT_BAD_INPUT;
	int rc = run_agent(cfg, &a);
	config_free(cfg);
	return rc;
}

const struct hr_cmd cmd_agent = {"agent", "the daemon: sample, store, alert, serve /metrics", run};
