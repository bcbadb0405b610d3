/* schema_economics.c - the key tables of money: `economics:` (currency,
 * exchange rates, revenue tiers, operations time, dedicated stacks) and a
 * price catalogue entry, which a config's `catalog:` and a catalogue data
 * file share. The walker is schema.c's. */
#include "config/schema_int.h"

#include <math.h>
#include <stddef.h>

#include "model/model.h"

const char *const schema_offer_kinds[] = {"server", "lb", "managed_db", "managed_cache", "volume",
					  "backup", "k8s", "function", "monitoring", NULL};

static const struct key_spec tier_keys[] = {
	{"name", KT_STRING, F(struct revenue_tier, name), .flags = KF_REQUIRED, .doc = "tier name"},
	{"price", KT_MONEY_MONTH, F(struct revenue_tier, price), .flags = KF_REQUIRED,
	 .doc = "revenue per customer, such as $29/mo"},
	{"share", KT_RATIO, F(struct revenue_tier, share), .flags = KF_REQUIRED, .max = 1,
	 .doc = "share of customers on this tier"},
};
static SECTION(tier_section, "revenue tier", struct revenue_tier, tier_keys);

static const struct key_spec operations_keys[] = {
	{"rate", KT_MONEY_HOUR, F(struct economics, ops_rate), .doc = "cost of an hour of operations work, such as $60/h"},
	{"hours", KT_STAGE_HOURS, F(struct economics, ops_hours),
	 .doc = "hours of operations work per month for each stage; absent stages cost 0"},
};
static SECTION(operations_section, "operations", struct economics, operations_keys);

static const struct key_spec dedicated_keys[] = {
	{"users", KT_COUNT, F(struct dedicated, users), .flags = KF_REQUIRED | KF_POSITIVE, .max = WORKLOAD_MAX_USERS,
	 .doc = "users of one enterprise customer who gets a stack of their own"},
	{"customers", KT_UINT, F(struct dedicated, customers), .def = "1", .flags = KF_POSITIVE,
	 .doc = "how many such customers", .why_default = "seed 000 section 10: \"When You Sign First Enterprise Customer\""},
	{"availability", KT_RATIO, F(struct dedicated, availability), .flags = KF_POSITIVE, .max = 0.999999,
	 .doc = "the availability objective of a dedicated stack; absent = objectives.availability"},
	{"revenue", KT_MONEY_MONTH, F(struct dedicated, revenue),
	 .doc = "revenue per dedicated customer, such as $5000/mo; absent = no margin shown"},
};
static SECTION(dedicated_section, "dedicated stack", struct dedicated, dedicated_keys);

static void economics_check(struct loader *L, void *base, const struct ynode *map, const char *path)
{
	struct economics *e = base;
	double sum = 0;
	for (size_t i = 0; i < e->n_tiers; i++)
		sum += e->tiers[i].share;
	if (e->n_tiers && fabs(sum - 1) > 0.005)
		schema_error(L, schema_get(map, "tiers"), "%s.tiers: the shares add up to %g%%, expected 100%%",
			     path, sum * 100);
}

static const struct key_spec economics_keys[] = {
	{"currency", KT_CURRENCY, F(struct economics, currency), .def = "USD",
	 .doc = "currency of every amount in the plan (ISO 4217)",
	 .why_default = "the seeds price in dollars (seed 000) and euros (seed 002); most provider pages quote USD"},
	{"exchange", KT_FX_MAP, .offset = 0,
	 .doc = "rates to economics.currency, such as {EUR: 1.08}; override the shipped table"},
	{"users_per_customer", KT_NUMBER, F(struct economics, users_per_customer),
	 .doc = "users per paying customer; absent = no per-customer figures"},
	{"tiers", KT_LIST, F(struct economics, tiers), .count_off = offsetof(struct economics, n_tiers),
	 .sub = &tier_section, .doc = "revenue tiers"},
	{"operations", KT_SECTION, .offset = 0, .sub = &operations_section, .doc = "operations time cost"},
	{"dedicated", KT_SECTION, F(struct economics, dedicated), .sub = &dedicated_section, .flags = KF_PRESENT,
	 .flag_off = offsetof(struct economics, dedicated.present),
	 .doc = "a stack of its own per enterprise customer (seed 000 section 9), planned and priced beside the shared one"},
};
SECTION(schema_economics, "economics", struct economics, economics_keys, .check = economics_check);

static void offer_check(struct loader *L, void *base, const struct ynode *map, const char *path)
{
	struct offer *o = base;
	const char *need = NULL;
	switch (o->kind) {
	case OFFER_VOLUME:
		if (!schema_get(map, "price_per_gb"))
			need = "price_per_gb";
		break;
	case OFFER_BACKUP:
		if (!schema_get(map, "percent") && !schema_get(map, "price"))
			need = "percent";
		break;
	case OFFER_FUNCTION:
		if (!schema_get(map, "per_million") && !schema_get(map, "per_gb_s") && !schema_get(map, "per_cpu_h"))
			need = "per_million, per_gb_s or per_cpu_h";
		break;
	default:
		if (!schema_get(map, "price"))
			need = "price";
		break;
	}
	if (need && map && schema_get(map, "kind"))
		schema_error(L, map, "%s: a %s entry needs %s", path, schema_offer_kinds[o->kind], need);
	if (map && o->kind == OFFER_SERVER && (!schema_get(map, "vcpu") || !schema_get(map, "memory")))
		schema_error(L, map, "%s: a server entry needs vcpu and memory", path);
}

static const struct key_spec offer_keys[] = {
	{"provider", KT_STRING, F(struct offer, provider), .doc = "provider name, e.g. hetzner (a data file gives its own)"},
	{"name", KT_STRING, F(struct offer, name), .flags = KF_REQUIRED, .doc = "entry name, e.g. cx22"},
	{"kind", KT_ENUM, F(struct offer, kind), .flags = KF_REQUIRED, .names = schema_offer_kinds,
	 .doc = "server | lb | managed_db | managed_cache | volume | backup | k8s | function | monitoring"},
	{"vcpu", KT_NUMBER, F(struct offer, vcpu), .doc = "virtual CPUs"},
	{"memory", KT_SIZE, F(struct offer, memory_b), .doc = "memory"},
	{"disk", KT_SIZE, F(struct offer, disk_b), .doc = "included disk"},
	{"transfer", KT_SIZE, F(struct offer, transfer_b), .doc = "included egress per month"},
	{"price", KT_MONEY_MONTH, F(struct offer, price), .cur_off = offsetof(struct offer, currency),
	 .doc = "price per month (or per hour, converted at 730 h a month)"},
	{"price_per_gb", KT_MONEY_UNIT, F(struct offer, price_per_gb), .cur_off = offsetof(struct offer, currency),
	 .doc = "volumes: price per GB-month"},
	{"percent", KT_RATIO, F(struct offer, percent), .max = 10, .doc = "backups: share of the server price, such as 20%"},
	{"per_million", KT_MONEY_UNIT, F(struct offer, per_million), .cur_off = offsetof(struct offer, currency),
	 .doc = "functions: price per million invocations"},
	{"per_gb_s", KT_MONEY_UNIT, F(struct offer, per_gb_s), .cur_off = offsetof(struct offer, currency),
	 .doc = "functions: price per GB-second of memory"},
	{"per_cpu_h", KT_MONEY_UNIT, F(struct offer, per_cpu_h), .cur_off = offsetof(struct offer, currency),
	 .doc = "functions: price per active CPU-hour"},
	{"availability", KT_RATIO, F(struct offer, availability), .max = 1, .doc = "published SLA; absent = none published"},
	{"max_connections", KT_UINT, F(struct offer, max_connections), .doc = "managed database: connection limit"},
	{"ha", KT_BOOL, F(struct offer, ha), .doc = "managed database/cache with a standby"},
	{"pooler", KT_BOOL, F(struct offer, pooler),
	 .doc = "managed database: the provider runs a connection pooler (PgBouncer) for it"},
	{"replica_price", KT_MONEY_MONTH, F(struct offer, replica_price), .cur_off = offsetof(struct offer, currency),
	 .doc = "managed database: price of one read replica; absent = the entry's price"},
	{"non_commercial", KT_BOOL, F(struct offer, non_commercial),
	 .doc = "true when the terms forbid commercial use (a free hobby tier); the planner leaves such an entry out; absent = commercial use allowed"},
	{"as_of", KT_DATE, F(struct offer, as_of), .flags = KF_REQUIRED, .doc = "date the price was read (YYYY-MM-DD)"},
	{"source", KT_STRING, F(struct offer, source), .flags = KF_REQUIRED, .doc = "where the price was read"},
};
SECTION(schema_offer, "catalogue entry", struct offer, offer_keys, .check = offer_check);
