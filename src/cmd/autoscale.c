/* autoscale.c - `headroom autoscale`: one decision from a JSON document
 * (decide), or the autoscaling loop over the config's services. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "config/scaling_input.h"
#include "model/scaling.h"
#include "render/autoscale.h"
#include "util/diag.h"
#include "util/strbuf.h"

static const char usage_text[] =
	"usage: headroom autoscale decide < INPUT.json\n"
	"\n"
	"decide: read one JSON document on stdin (the service's metrics, replicas,\n"
	"limits, behavior and history) and print the decision as Kubernetes' HPA and\n"
	"KEDA would make it: {\"desired_replicas\", \"proposals\": [{\"metric\",\n"
	"\"replicas\", \"utilization\", \"reason\"}], \"reason\"}. docs/autoscale.md has\n"
	"the schema and the rules.\n"
	"\n"
	"  -h, --help   this text\n"
	"\n"
	"Exit status: 0 decided, 2 bad input (one line naming the JSON path or line).\n"
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
	// Bounded read: a decision input is a few KiB; stop well past that.
	struct strbuf in;
	strbuf_init(&in, SCALING_INPUT_MAX);
	char chunk[65536];
	size_t n;
	int rc = 0;
	while (!rc && (n = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
		rc = strbuf_append(&in, chunk, n);
	if (rc || ferror(stdin)) {
		fprintf(stderr, "headroom autoscale decide: stdin: %s\n",
			rc ? "the input is over 4 MiB" : "cannot read the input");
		strbuf_free(&in);
		return EXIT_BAD_INPUT;
	}
	struct diag d;
	diag_init_file(&d, stderr, "headroom autoscale decide");
	struct scaling_request req;
	rc = scaling_request_parse("stdin", strbuf_str(&in), in.len, &d, &req);
	strbuf_free(&in);
	if (rc) {
		scaling_request_free(&req);
		return EXIT_BAD_INPUT;
	}
	struct scaling_decision dec;
	rc = scaling_decide(&req.spec, &req.in, req.state, &dec);
	struct strbuf out;
	strbuf_init(&out, 1u << 20);
	if (!rc)
		rc = render_decision_json(&req.spec, &req.in, &dec, &out);
	scaling_request_free(&req);
	if (rc) {
		fprintf(stderr, "headroom autoscale decide: %s\n", hr_strerror(rc));
		strbuf_free(&out);
		return EXIT_BAD_INPUT;
	}
	fputs(strbuf_str(&out), stdout);
	strbuf_free(&out);
	return 0;
}

static int run(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "decide") == 0)
		return run_decide(argc - 1, argv + 1);
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (argc < 2)
		return cmd_usage_error("autoscale", "expected 'decide'");
	return cmd_usage_error("autoscale", "unknown argument '%s'", argv[1]);
}

const struct hr_cmd cmd_autoscale = {"autoscale", "autoscaler decisions, Kubernetes HPA and KEDA semantics", run};
