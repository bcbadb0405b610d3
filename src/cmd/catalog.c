/* catalog.c - `headroom catalog`: list the price catalogue. */
#include "cmd/cmd.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/catalog.h"
#include "config/config.h"
#include "config/schema.h"
#include "render/catalog.h"
#include "util/diag.h"
#include "util/str.h"
#include "util/units.h"
#include "util/xalloc.h"

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

/* What the command line asked for. */
struct catalog_args {
	const char *file, *provider, *kind;
	enum out_format fmt;
	int want_kind;  /* the offer kind asked for, or -1 */
	bool done;      /* --help was printed */
};

/* --kind against the offer kinds, with a did-you-mean. @return 0 or EXIT_BAD_INPUT. */
static int parse_kind(struct catalog_args *a)
{
	a->want_kind = -1;
	if (!a->kind)
		return 0;
	for (int i = 0; schema_offer_kinds[i]; i++)
		if (strcmp(schema_offer_kinds[i], a->kind) == 0)
			a->want_kind = i;
	if (a->want_kind >= 0)
		return 0;
	const char *sug = str_suggest(a->kind, schema_offer_kinds, OFFER_KIND_COUNT);
	if (sug)
		return cmd_usage_error("catalog", "unknown --kind '%s'; did you mean '%s'?", a->kind, sug);
	return cmd_usage_error("catalog", "unknown --kind '%s'", a->kind);
}

/* @return 0 to go on (a->done after --help), or the exit status of a usage error. */
static int parse_flags(int argc, char **argv, struct catalog_args *a)
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
	*a = (struct catalog_args){.fmt = FORMAT_TEXT, .want_kind = -1};
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:p:k:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f': a->file = optarg; break;
		case 'p': a->provider = optarg; break;
		case 'k': a->kind = optarg; break;
		case OPT_FORMAT:
			if (cmd_parse_format("catalog", optarg, 1u << FORMAT_TEXT | 1u << FORMAT_JSON, &a->fmt))
				return EXIT_BAD_INPUT;
			break;
		case 'h': fputs(usage_text, stdout); a->done = true; return 0;
		case ':': return cmd_usage_error("catalog", "option '%s' needs a value", argv[optind - 1]);
		default: return cmd_usage_error("catalog", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cmd_usage_error("catalog", "unexpected argument '%s'", argv[optind]);
	return parse_kind(a);
}

/* The catalogue: shipped, or HEADROOM_CATALOG's, or catalog_dir's; with -f
 * the config's entries merged and prices in its currency.
 * @return 0, or an error after reporting to d (cat is always freeable). */
static int load(const char *file, struct diag *d, struct catalog *cat)
{
	memset(cat, 0, sizeof(*cat));
	struct config *cfg = NULL;
	if (file && config_load(file, d, &cfg))
		return HR_E_INVALID;
	char *dir = config_catalog_dir(cfg);
	int rc = catalog_load_dir(dir, d, cat);
	free(dir);
	if (!rc && cfg) {
		catalog_merge(cat, &cfg->catalog);
		rc = catalog_to_currency(cat, &cfg->economics, d);
	}
	config_free(cfg);
	return rc;
}

/* A --provider the catalogue has, with a did-you-mean when not.
 * @return 0, or HR_E_NOTFOUND after a message. */
static int check_provider(const struct catalog *cat, const char *provider)
{
	if (!provider || catalog_find_provider(cat, provider))
		return 0;
	const char *names[256];
	size_t nn = 0;
	for (size_t i = 0; i < cat->n && nn < 256; i++)
		if (!nn || strcmp(names[nn - 1], cat->offers[i].provider) != 0)
			names[nn++] = cat->offers[i].provider;
	const char *sug = str_suggest(provider, names, nn);
	if (sug)
		cmd_usage_error("catalog", "no provider '%s' in the catalogue; did you mean '%s'?", provider, sug);
	else
		cmd_usage_error("catalog", "no provider '%s' in the catalogue", provider);
	return HR_E_NOTFOUND;
}

static int run(int argc, char **argv)
{
	struct catalog_args a;
	int rc = parse_flags(argc, argv, &a);
	if (rc || a.done)
		return rc;
	struct diag d;
	diag_init_file(&d, stderr, "headroom");
	d.show_source = isatty(fileno(stderr));
	struct catalog cat;
	bool *keep = NULL;
	struct strbuf sb;
	strbuf_init(&sb, 0);
	int status = EXIT_BAD_INPUT;
	if (load(a.file, &d, &cat) || check_provider(&cat, a.provider))
		goto out;
	keep = xcalloc(cat.n ? cat.n : 1, sizeof(*keep));
	for (size_t i = 0; i < cat.n; i++)
		keep[i] = (!a.provider || strcmp(cat.offers[i].provider, a.provider) == 0) &&
			  (a.want_kind < 0 || (int)cat.offers[i].kind == a.want_kind);
	rc = a.fmt == FORMAT_JSON ? catalog_render_json(&cat, keep, schema_offer_kinds, &sb)
				  : catalog_render_text(&cat, keep, schema_offer_kinds, &sb);
	if (rc == 0)
		fputs(strbuf_str(&sb), stdout);
	else
		fprintf(stderr, "headroom catalog: cannot render the catalogue: %s\n", hr_strerror(rc));
	status = rc ? 1 : 0;
out:
	strbuf_free(&sb);
	free(keep);
	catalog_free(&cat);
	return status;
}

const struct hr_cmd cmd_catalog = {"catalog", "list the price catalogue (shipped and your own entries)", run};
