/* catalog.c - `headroom catalog`: list the price catalogue. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "config/catalog.h"
#include "config/config.h"
#include "config/schema.h"
#include "render/catalog.h"
#include "util/diag.h"
#include "util/str.h"
#include "util/units.h"

static const char usage_text[] =
	"usage: headroom catalog [-f FILE] [--provider P] [--kind K] [--format text|json]\n"
	"\n"
	"List the price catalogue: the files installed with headroom (one per\n"
	"provider; HEADROOM_CATALOG=DIR, or catalog_dir in the config, reads DIR\n"
	"instead). With -f, the config's own catalog: entries are added or replace\n"
	"those, and every price is converted to its economics.currency.\n"
	"\n"
	"  -f, --file FILE     merge this config's catalog: entries\n"
	"  -p, --provider P    only this provider (hetzner, digitalocean, aws, ...)\n"
	"  -k, --kind K        only this kind: server, lb, managed_db, managed_cache,\n"
	"                      volume, backup, k8s, function, monitoring\n"
	"      --format F      text (default) or json (docs/catalog.md)\n"
	"  -h, --help          this text\n"
	"\n"
	"Exit status: 0 ok, 2 bad input.\n";

static int run(int argc, char **argv)
{
	enum { OPT_FORMAT = 256 };
	static const struct option opts[] = {
		{"file", required_argument, NULL, 'f'},
		{"provider", required_argument, NULL, 'p'},
		{"kind", required_argument, NULL, 'k'},
		{"format", required_argument, NULL, OPT_FORMAT},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *file = NULL, *provider = NULL, *kind = NULL;
	enum out_format fmt = FORMAT_TEXT;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:p:k:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f': file = optarg; break;
		case 'p': provider = optarg; break;
		case 'k': kind = optarg; break;
		case OPT_FORMAT:
			if (cmd_parse_format("catalog", optarg, 1u << FORMAT_TEXT | 1u << FORMAT_JSON, &fmt))
				return EXIT_BAD_INPUT;
			break;
		case 'h': fputs(usage_text, stdout); return 0;
		case ':': return cmd_usage_error("catalog", "option '%s' needs a value", argv[optind - 1]);
		default: return cmd_usage_error("catalog", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cmd_usage_error("catalog", "unexpected argument '%s'", argv[optind]);
	int want_kind = -1;
	if (kind) {
		for (int i = 0; schema_offer_kinds[i]; i++)
			if (strcmp(schema_offer_kinds[i], kind) == 0)
				want_kind = i;
		if (want_kind < 0) {
			const char *sug = str_suggest(kind, schema_offer_kinds, OFFER_KIND_COUNT);
			if (sug)
				return cmd_usage_error("catalog", "unknown --kind '%s'; did you mean '%s'?", kind, sug);
			return cmd_usage_error("catalog", "unknown --kind '%s'", kind);
		}
	}

	struct diag d;
	diag_init_file(&d, stderr, "headroom");
	d.show_source = isatty(fileno(stderr));
	struct config *cfg = NULL;
	if (file && config_load(file, &d, &cfg))
		return EXIT_BAD_INPUT;
	struct catalog cat;
	char *dir = config_catalog_dir(cfg);
	int rc = catalog_load_dir(dir, &d, &cat);
	free(dir);
	if (rc) {
		config_free(cfg);
		return EXIT_BAD_INPUT;
	}
	if (cfg) {
		catalog_merge(&cat, &cfg->catalog);
		rc = catalog_to_currency(&cat, &cfg->economics, &d);
		config_free(cfg);
	}
	if (!rc && provider && !catalog_find_provider(&cat, provider)) {
		const char *names[256];
		size_t nn = 0;
		for (size_t i = 0; i < cat.n && nn < 256; i++)
			if (!nn || strcmp(names[nn - 1], cat.offers[i].provider) != 0)
				names[nn++] = cat.offers[i].provider;
		const char *sug = str_suggest(provider, names, nn);
		if (sug)
			cmd_usage_error("catalog", "no provider '%s' in the catalogue; did you mean '%s'?", provider, sug);
		else
			cmd_usage_error("catalog", "no provider '%s' in the catalogue", provider);
		rc = -1;
	}
	if (rc) {
		catalog_free(&cat);
		return EXIT_BAD_INPUT;
	}
	bool *keep = calloc(cat.n ? cat.n : 1, sizeof(*keep));
	if (!keep) {
		catalog_free(&cat);
		return 1;
	}
	for (size_t i = 0; i < cat.n; i++)
		keep[i] = (!provider || strcmp(cat.offers[i].provider, provider) == 0) &&
			  (want_kind < 0 || (int)cat.offers[i].kind == want_kind);
	struct strbuf sb;
	strbuf_init(&sb, 0);
	rc = fmt == FORMAT_JSON ? catalog_render_json(&cat, keep, schema_offer_kinds, &sb)
				: catalog_render_text(&cat, keep, schema_offer_kinds, &sb);
	if (rc == 0)
		fputs(strbuf_str(&sb), stdout);
	else
		fprintf(stderr, "headroom catalog: cannot render the catalogue: %s\n", hr_strerror(rc));
	strbuf_free(&sb);
	free(keep);
	catalog_free(&cat);
	return rc ? 1 : 0;
}

const struct hr_cmd cmd_catalog = {"catalog", "list the price catalogue (shipped and your own entries)", run};
