/* catalog.c - `headroom catalog`: list the price catalogue. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cmd/cmd.h"
#include "config/catalog.h"
#include "config/config.h"
#include "config/schema.h"
#include "render/table.h"
#include "util/diag.h"
#include "util/str.h"
#include "util/units.h"

static const char usage_text[] =
	"usage: headroom catalog [-f FILE] [--provider P] [--kind K] [--format text|json]\n"
	"\n"
	"List the price catalogue: the shipped data/catalog/*.yaml (one file per\n"
	"provider; HEADROOM_DATA=DIR reads DIR/catalog instead). With -f, the\n"
	"config's own catalog: entries are added or replace shipped ones, and every\n"
	"price is converted to its economics.currency.\n"
	"\n"
	"  -f, --file FILE     merge this config's catalog: entries\n"
	"  -p, --provider P    only this provider (hetzner, digitalocean, aws, ...)\n"
	"  -k, --kind K        only this kind: server, lb, managed_db, managed_cache,\n"
	"                      volume, backup, k8s, function, monitoring\n"
	"      --format F      text (default) or json (docs/catalog.md)\n"
	"  -h, --help          this text\n"
	"\n"
	"Exit status: 0 ok, 2 bad input.\n";

/* Money with as many digits as a unit price needs: $5.39, $0.0000166667. */
static void money_cell(char *buf, size_t n, double v, const char *cur)
{
	const char *sym = !strcmp(cur, "USD") ? "$" : !strcmp(cur, "EUR") ? "\xE2\x82\xAC" : !strcmp(cur, "GBP") ? "\xC2\xA3" : NULL;
	char num[32];
	if (v == 0 || v >= 1 || fabs(v * 100 - round(v * 100)) < 1e-9) {
		snprintf(num, sizeof(num), "%.2f", v);
	} else {
		// Unit prices such as $0.0000166667 per GB-s: fixed notation, no trailing zeros.
		snprintf(num, sizeof(num), "%.10f", v);
		size_t l = strlen(num);
		while (l > 4 && num[l - 1] == '0')
			num[--l] = '\0';
	}
	if (sym)
		snprintf(buf, n, "%s%s", sym, num);
	else
		snprintf(buf, n, "%s %s", num, cur);
}

/* The price column: every part the entry is priced by, joined with " + ". */
static void price_text(const struct offer *o, char *buf, size_t n)
{
	struct {
		double v;
		const char *unit;
	} parts[] = {
		{o->price, "/mo"}, {o->price_per_gb, "/GB-mo"}, {o->per_cpu_h, "/CPU-h"},
		{o->per_gb_s, "/GB-s"}, {o->per_million, "/1M"},
	};
	size_t len = 0;
	buf[0] = '\0';
	if (o->percent > 0)
		len += (size_t)snprintf(buf, n, "%g%% of server", o->percent * 100);
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]) && len < n; i++) {
		if (parts[i].v <= 0)
			continue;
		char m[48];
		money_cell(m, sizeof(m), parts[i].v, o->currency);
		len += (size_t)snprintf(buf + len, n - len, "%s%s%s", len ? " + " : "", m, parts[i].unit);
	}
	if (!buf[0]) {
		char m[48];
		money_cell(m, sizeof(m), 0, o->currency);
		len = (size_t)snprintf(buf, n, "%s/mo", m);
	}
	if (o->non_commercial && len < n)
		snprintf(buf + len, n - len, " (non-commercial use only)");
}

static int print_text(const struct catalog *cat, const bool *keep)
{
	static const char *const hdr[] = {"PROVIDER", "NAME", "KIND", "VCPU", "MEMORY", "DISK",
					  "TRANSFER", "PRICE", "SLA", "AS OF"};
	struct table *t = table_new(10, hdr);
	for (size_t c = 3; c <= 6; c++)
		table_align_right(t, c);
	for (size_t i = 0; i < cat->n; i++) {
		if (!keep[i])
			continue;
		const struct offer *o = &cat->offers[i];
		char vcpu[16] = "", mem[24] = "", disk[24] = "", tr[24] = "", price[160], sla[16] = "";
		if (o->vcpu > 0)
			snprintf(vcpu, sizeof(vcpu), "%g", o->vcpu);
		if (o->memory_b > 0)
			units_fmt_size(o->memory_b, mem, sizeof(mem));
		if (o->disk_b > 0)
			snprintf(disk, sizeof(disk), "%g GB", o->disk_b / 1e9);
		if (o->transfer_b > 0)
			snprintf(tr, sizeof(tr), "%g TB", o->transfer_b / 1e12);
		if (o->availability > 0)
			snprintf(sla, sizeof(sla), "%g%%", o->availability * 100);
		price_text(o, price, sizeof(price));
		const char *cells[] = {o->provider, o->name, schema_offer_kinds[o->kind], vcpu, mem,
				       disk, tr, price, sla, o->as_of};
		table_add_row(t, cells);
	}
	struct strbuf sb;
	strbuf_init(&sb, 0);
	int rc = table_render(t, &sb);
	if (!rc)
		fputs(strbuf_str(&sb), stdout);
	strbuf_free(&sb);
	table_free(t);
	return rc;
}

static json_t *num_or_null(double v)
{
	return v > 0 ? json_real(v) : json_null();
}

static int print_json(const struct catalog *cat, const bool *keep)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < cat->n; i++) {
		if (!keep[i])
			continue;
		const struct offer *o = &cat->offers[i];
		json_t *e = json_object();
		json_object_set_new(e, "provider", json_string(o->provider));
		json_object_set_new(e, "name", json_string(o->name));
		json_object_set_new(e, "kind", json_string(schema_offer_kinds[o->kind]));
		json_object_set_new(e, "vcpu", num_or_null(o->vcpu));
		json_object_set_new(e, "memory_bytes", num_or_null(o->memory_b));
		json_object_set_new(e, "disk_bytes", num_or_null(o->disk_b));
		json_object_set_new(e, "transfer_bytes", num_or_null(o->transfer_b));
		json_object_set_new(e, "price_month", json_real(o->price));
		json_object_set_new(e, "currency", json_string(o->currency));
		json_object_set_new(e, "price_per_gb_month", num_or_null(o->price_per_gb));
		json_object_set_new(e, "backup_ratio", num_or_null(o->percent));
		json_object_set_new(e, "per_million_requests", num_or_null(o->per_million));
		json_object_set_new(e, "per_gb_second", num_or_null(o->per_gb_s));
		json_object_set_new(e, "per_cpu_hour", num_or_null(o->per_cpu_h));
		json_object_set_new(e, "availability", num_or_null(o->availability));
		json_object_set_new(e, "max_connections",
				    o->max_connections ? json_integer(o->max_connections) : json_null());
		json_object_set_new(e, "ha", json_boolean(o->ha));
		json_object_set_new(e, "pooler", json_boolean(o->pooler));
		json_object_set_new(e, "replica_price_month", num_or_null(o->replica_price));
		json_object_set_new(e, "non_commercial", json_boolean(o->non_commercial));
		json_object_set_new(e, "as_of", json_string(o->as_of));
		json_object_set_new(e, "source", json_string(o->source));
		json_array_append_new(arr, e);
	}
	return cmd_print_json("catalog", arr);
}

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
	struct catalog cat;
	if (catalog_load_dir(NULL, &d, &cat))
		return EXIT_BAD_INPUT;
	int rc = 0;
	if (file) {
		struct config *cfg;
		if (config_load(file, &d, &cfg)) {
			catalog_free(&cat);
			return EXIT_BAD_INPUT;
		}
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
	rc = fmt == FORMAT_JSON ? print_json(&cat, keep) : print_text(&cat, keep);
	free(keep);
	catalog_free(&cat);
	return rc ? 1 : 0;
}

const struct hr_cmd cmd_catalog = {"catalog", "list the price catalogue (shipped and your own entries)", run};
