/* Unit tests for config/catalog: the shipped data, overrides, currencies, refs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/catalog.h"
#include "config/config.h"
#include "config/fx.h"
#include "util/strbuf.h"

static struct strbuf msgs;
static struct diag d;

static void reset(void)
{
	strbuf_free(&msgs);
	strbuf_init(&msgs, 0);
	diag_init_mem(&d, &msgs);
}

static void load_shipped(struct catalog *cat)
{
	reset();
	if (catalog_load_dir(NULL, &d, cat))
		fail_msg("%s", strbuf_str(&msgs));
}

static void test_shipped(void **state)
{
	(void)state;
	struct catalog cat;
	load_shipped(&cat);
	assert_true(cat.n >= 50);
	size_t servers = 0;
	for (size_t i = 0; i < cat.n; i++) {
		const struct offer *o = &cat.offers[i];
		if (!o->source || !*o->source || !o->as_of || strlen(o->as_of) != 10)
			fail_msg("%s/%s lacks a source or an as_of date", o->provider, o->name);
		// A backup priced as a share of its server has no currency of its own.
		if (strlen(o->currency) != 3 && o->kind != OFFER_BACKUP)
			fail_msg("%s/%s has no currency", o->provider, o->name);
		if (o->kind == OFFER_SERVER) {
			servers++;
			if (!(o->vcpu > 0 && o->memory_b > 0 && o->price > 0))
				fail_msg("%s/%s: a server needs vcpu, memory and a price", o->provider, o->name);
		}
	}
	assert_true(servers >= 30);
	// The seeds' prices, as the seeds state them.
	const struct offer *o = catalog_find(&cat, "hetzner", "cx22");
	assert_non_null(o);
	assert_true(o->price == 5.39 && o->vcpu == 2 && o->memory_b == 4.0 * 1073741824);
	assert_string_equal(o->currency, "USD");
	assert_non_null(strstr(o->source, "seed 000"));
	assert_true(catalog_find(&cat, "hetzner", "cx32")->price == 9.59);
	assert_true(catalog_find(&cat, "hetzner", "lb11")->price == 5.39);
	o = catalog_find(&cat, "hetzner", "cpx31");
	assert_true(o->price == 15);
	assert_string_equal(o->currency, "EUR");
	// Hourly prices become 730-hour months.
	assert_true(fabs(catalog_find(&cat, "aws", "eks")->price - 73.0) < 1e-9);
	assert_true(fabs(catalog_find(&cat, "aws", "t3.medium")->price - 30.368) < 1e-9);
	assert_true(fabs(catalog_find(&cat, "hetzner", "backup")->percent - 0.2) < 1e-12);
	assert_true(catalog_find(&cat, "aws", "lambda-x86")->per_million == 0.20);
	assert_true(catalog_find_provider(&cat, "digitalocean"));
	assert_false(catalog_find_provider(&cat, "hetzne"));
	assert_null(catalog_find(&cat, NULL, "no-such-plan"));
	catalog_free(&cat);
	catalog_free(NULL);
}

static void test_override(void **state)
{
	(void)state;
	struct catalog cat;
	load_shipped(&cat);
	size_t n = cat.n;
	const char *text = "catalog:\n"
			   "  - {provider: hetzner, name: cx22, kind: server, vcpu: 2, memory: 4GiB, price: \xE2\x82\xAC" "4.59/mo,"
			   " as_of: 2026-11-01, source: mine}\n"
			   "  - {provider: acme, name: big, kind: server, vcpu: 64, memory: 256GiB, price: $900/mo,"
			   " as_of: 2026-11-01, source: quote}\n";
	struct config *cfg;
	assert_int_equal(config_load_string("t.yaml", text, strlen(text), &d, &cfg), 0);
	catalog_merge(&cat, &cfg->catalog);
	assert_int_equal(cat.n, n + 1);
	const struct offer *o = catalog_find(&cat, "hetzner", "cx22");
	assert_true(o->price == 4.59);
	assert_string_equal(o->currency, "EUR");
	assert_string_equal(o->source, "mine");
	assert_true(catalog_find(&cat, NULL, "big")->vcpu == 64);
	// The config's copy is independent of the catalogue's.
	config_free(cfg);
	assert_string_equal(catalog_find(&cat, "acme", "big")->source, "quote");
	catalog_free(&cat);
}

static void test_currency(void **state)
{
	(void)state;
	struct catalog cat;
	load_shipped(&cat);
	struct economics e = {.currency = "USD"};
	char *codes[] = {"EUR"};
	double rates[] = {1.25};
	e.fx_codes = codes;
	e.fx_rates = rates;
	e.n_fx = 1;
	assert_int_equal(catalog_to_currency(&cat, &e, &d), 0);
	const struct offer *o = catalog_find(&cat, "hetzner", "cpx31");
	assert_true(fabs(o->price - 18.75) < 1e-9);
	assert_string_equal(o->currency, "USD");
	assert_true(fabs(catalog_find(&cat, "hetzner", "volume")->price_per_gb - 0.055) < 1e-12);
	assert_true(catalog_find(&cat, "hetzner", "cx22")->price == 5.39);
	catalog_free(&cat);

	// No override: the shipped reference rates.
	load_shipped(&cat);
	struct economics eur = {.currency = "EUR"};
	assert_int_equal(catalog_to_currency(&cat, &eur, &d), 0);
	assert_true(fabs(catalog_find(&cat, "hetzner", "cx22")->price - 5.39 / fx_per_eur("USD")) < 1e-9);
	catalog_free(&cat);

	// A currency nobody can convert is an error, not a silent 1:1.
	struct offer x = {.provider = "p", .name = "n", .price = 10, .currency = "ZAR"};
	struct catalog one = {.offers = &x, .n = 1};
	reset();
	assert_int_equal(catalog_to_currency(&one, &e, &d), HR_E_NOTFOUND);
	assert_string_equal(strbuf_str(&msgs), "headroom: error: no exchange rate from ZAR to USD for p/n;"
					       " add economics.exchange: {ZAR: RATE}\n");
	double r;
	assert_int_equal(fx_rate(&e, "ZAR", &r), HR_E_NOTFOUND);
	assert_int_equal(fx_rate(&e, "USD", &r), 0);
	assert_true(r == 1);
}

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void test_bad_files(void **state)
{
	(void)state;
	char dir[] = "/tmp/hr-cat-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char a[128], b[128], want[1024];
	snprintf(a, sizeof(a), "%s/a.yaml", dir);
	snprintf(b, sizeof(b), "%s/b.yaml", dir);
	write_file(a, "provider: a\noffers:\n"
		      "  - {name: s, kind: server, vcpu: 1, memory: 1GiB, price: 5/mo, as_of: 2026-01-01, source: x}\n"
		      "  - {name: v, kind: volume, as_of: 2026-13-01, source: x}\n"
		      "  - {name: s, kind: lb, price: $1/mo, as_of: 2026-01-01}\n");
	write_file(b, "provider: b\noffers: []\n");
	struct catalog cat;
	reset();
	assert_int_equal(catalog_load_dir(dir, &d, &cat), HR_E_INVALID);
	snprintf(want, sizeof(want),
		 "%s:3:59: error: offers[0].price: a catalogue price needs a currency, such as $5.39/mo or 4.59 EUR/mo, got '5/mo'\n"
		 "%s:4:36: error: offers[1].as_of: expected a date such as 2025-06-01, got '2026-13-01'\n"
		 "%s:4:5: error: offers[1]: a volume entry needs price_per_gb\n"
		 "%s:5:5: error: offers[2]: missing required key 'source'\n",
		 a, a, a, a);
	assert_string_equal(strbuf_str(&msgs), want);
	assert_int_equal(cat.n, 0);
	write_file(a, "provider: a\noffers:\n"
		      "  - {name: s, kind: lb, price: $1/mo, as_of: 2026-01-01, source: x}\n"
		      "  - {name: s, kind: lb, price: $2/mo, as_of: 2026-01-01, source: x}\n");
	reset();
	assert_int_equal(catalog_load_dir(dir, &d, &cat), HR_E_INVALID);
	snprintf(want, sizeof(want), "%s:4:12: error: offers[1].name: a second entry named 's'\n", a);
	assert_string_equal(strbuf_str(&msgs), want);
	unlink(a);
	unlink(b);
	rmdir(dir);
	reset();
	assert_int_equal(catalog_load_dir("/nonexistent-dir", &d, &cat), HR_E_IO);
	assert_string_equal(strbuf_str(&msgs), "/nonexistent-dir: error: cannot read the price catalogue folder"
					       " (set HEADROOM_DATA to the data folder)\n");
}

static void test_refs(void **state)
{
	(void)state;
	struct catalog cat;
	load_shipped(&cat);
	const char *text = "deployment:\n"
			   "  providers: [hetzner, hetzne]\n"
			   "  current:\n"
			   "    stage: single\n"
			   "    nodes:\n"
			   "      - {plan: cx23}\n"
			   "      - {plan: cx32, count: 2}\n";
	struct config *cfg;
	reset();
	assert_int_equal(config_load_string("t.yaml", text, strlen(text), &d, &cfg), 0);
	assert_int_equal(config_check_refs(cfg, &cat, &d), HR_E_INVALID);
	assert_string_equal(strbuf_str(&msgs),
			    "t.yaml:2:24: error: deployment.providers[1]: no provider 'hetzne' in the price catalogue;"
			    " did you mean 'hetzner'?\n"
			    "t.yaml:6:16: error: deployment.current.nodes[0].plan: no plan 'cx23' in the price catalogue;"
			    " did you mean 'cx22'?\n");
	config_free(cfg);
	catalog_free(&cat);
}

static int teardown(void **state)
{
	(void)state;
	strbuf_free(&msgs);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped),
		cmocka_unit_test(test_override),
		cmocka_unit_test(test_currency),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_refs),
	};
	return cmocka_run_group_tests(tests, NULL, teardown);
}
