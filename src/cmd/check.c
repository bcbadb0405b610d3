/* check.c - `headroom check`: one sample from every source, each trigger's
 * state with the stored history behind it, the bottleneck now and the time
 * until each level is crossed; Nagios exit codes. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "util/clock.h"
#include "cmd/cmd.h"
#include "pipeline/live.h"
#include "pipeline/planning.h"
#include "render/report.h"
#include "config/config.h"
#include "render/jsondoc.h"
#include "util/units.h"
#include "util/xalloc.h"
#include "store/store.h"
#include "util/diag.h"

// Nagios plugin exit codes (Nagios Plugin Development Guidelines, "Plugin
// Return Codes"): configuration problems are UNKNOWN, not the usual 2.
enum { NAGIOS_OK = 0, NAGIOS_WARNING = 1, NAGIOS_CRITICAL = 2, NAGIOS_UNKNOWN = 3 };

static const char usage_text[] =
	"usage: headroom check [-f FILE] [--format text|json] [--store FILE] [--no-history]\n"
	"\n"
	"Sample every configured metric source once and report each trigger's state,\n"
	"value, levels and the time until each level is crossed (from the history the\n"
	"agent stores), the bottleneck now and what to do. With no config file it\n"
	"checks this machine (CPU, memory, disk, load) against the default triggers.\n"
	"When the config models a workload, it also names the deployment the planner\n"
	"calls for now, the constraint that breaks it first and the next step.\n"
	"\n"
	"  -f, --file FILE     config (default ./headroom.yaml when it exists)\n"
	"      --format FMT    text (default) or json (docs/check.md)\n"
	"      --store FILE    history database (default: agent.store, else\n"
	"                      $XDG_STATE_HOME/headroom/history.db)\n"
	"      --no-history    ignore the stored history\n"
	"  -h, --help          this text\n"
	"\n"
	"Exit status (Nagios plugin codes): 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN\n"
	"(a source down, or a usage or config error).\n";



static int check_usage(const char *what, const char *arg)
{
	fprintf(stderr, "headroom check: %s '%s' (see 'headroom check --help')\n", what, arg);
	return NAGIOS_UNKNOWN;
}

static int run(int argc, char **argv)
{
	static const struct option opts[] = {
		{"file", required_argument, NULL, 'f'},
		{"format", required_argument, NULL, 'F'},
		{"store", required_argument, NULL, 's'},
		{"no-history", no_argument, NULL, 'n'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *file = NULL, *store_path = NULL;
	enum out_format fmt = FORMAT_TEXT;
	bool history = true;
	int c;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f': file = optarg; break;
		case 'F':
			if (cmd_parse_format("check", optarg, 1u << FORMAT_TEXT | 1u << FORMAT_JSON, &fmt))
				return NAGIOS_UNKNOWN;
			break;
		case 's': store_path = optarg; break;
		case 'n': history = false; break;
		case 'h': fputs(usage_text, stdout); return NAGIOS_OK;
		default:
			return check_usage("unknown or incomplete option", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return check_usage("unexpected argument", argv[optind]);

	struct diag d;
	diag_init_file(&d, stderr, "headroom check");
	d.show_source = true;
	struct config *cfg = NULL;
	const char *path = cmd_config_path(file);
	struct stat sb;
	// Without -f a missing ./headroom.yaml means "nothing configured": check
	// this machine with the default triggers. A named file must exist.
	if (file || stat(path, &sb) == 0) {
		if (config_load(path, &d, &cfg) != 0)
			return NAGIOS_UNKNOWN;
	}

	struct store *st = NULL;
	char *def_path = NULL;
	if (history) {
		if (!store_path && cfg && cfg->agent.store)
			store_path = cfg->agent.store;
		if (!store_path)
			store_path = def_path = store_default_path();
		if (store_path) {
			int rc = store_open(store_path, STORE_EXISTING, &d, &st);
			// No history yet is normal: the agent has not run here.
			if (rc && rc != HR_E_NOTFOUND) {
				free(def_path);
				config_free(cfg);
				return NAGIOS_UNKNOWN;
			}
		}
	}

	struct live_opts lo = {
		.store = st,
		.use_history = history,
		.interval_s = cfg && cfg->agent.interval_s > 0 ? cfg->agent.interval_s : 10,
		.forecast = true,
	};
	struct live *lv = NULL;
	double t0 = clock_unix();
	if (live_open(cfg, &lo, &d, &lv) != 0) {
		store_close(st);
		free(def_path);
		config_free(cfg);
		return NAGIOS_UNKNOWN;
	}
	clock_sleep(live_warmup(lv) - (clock_unix() - t0));

	// The planner's next step, when the config models a workload.
	struct planning pl = {0};
	struct next_step *ns = NULL;
	const char *cur = cfg && cfg->economics.currency[0] ? cfg->economics.currency : "USD";
	int status = NAGIOS_UNKNOWN;
	if (planning_has_workload(cfg)) {
		ns = xcalloc(1, sizeof(*ns));
		if (planning_init(&pl, cfg, &d) || planning_next_step(&pl, ns))
			goto out;
	}

	struct live_result res;
	live_round(lv, clock_unix(), &res);
	status = (int)res.status;
	struct strbuf text;
	strbuf_init(&text, 0);
	int rc = fmt == FORMAT_JSON ? jsondoc_render(report_json(&res, ns, cur), &text)
				    : report_text(&res, ns, cur, &text);
	if (rc == 0) {
		fputs(strbuf_str(&text), stdout);
	} else {
		fprintf(stderr, "headroom check: cannot render the report: %s\n", hr_strerror(rc));
		status = NAGIOS_UNKNOWN;
	}
	strbuf_free(&text);
	live_result_free(&res);
out:
	free(ns);
	planning_free(&pl);
	live_close(lv);
	store_close(st);
	free(def_path);
	config_free(cfg);
	return status;
}

const struct hr_cmd cmd_check = {"check", "live status of every trigger (Nagios exit codes)", run};
