/* cost.c - the monthly sums (see cost.h). */
#include "model/cost.h"

#include <string.h>

/* AWS Lambda's smallest memory size; the floor of what a function is billed at
 * (aws.amazon.com/lambda/pricing: 128 MB to 10,240 MB). */
#define FUNCTION_MIN_MEMORY_B (128.0 * 1024 * 1024)
#define GIB (1024.0 * 1024 * 1024)

double cost_ops(const struct economics *e, enum stage_kind stage)
{
	if (stage >= STAGE_COUNT)
		return 0;
	return e->ops_hours[stage] * e->ops_rate;
}

double cost_backup(const struct offer *backup, double server_price)
{
	return backup ? backup->percent * server_price : 0;
}

double cost_volume(const struct offer *volume, double gb)
{
	return volume && gb > 0 ? volume->price_per_gb * gb : 0;
}

void cost_sum(struct cost_breakdown *c, double users)
{
	c->infra = c->servers + c->replicas + c->workers + c->backups + c->monitoring + c->lb +
		   c->managed_db + c->managed_cache + c->k8s + c->volumes;
	c->total = c->infra + c->ops + c->external;
	c->per_user = users > 0 ? c->total / users : 0;
}

double cost_function(const struct offer *fn, const struct demand *d, double memory_b)
{
	double mem = memory_b > FUNCTION_MIN_MEMORY_B ? memory_b : FUNCTION_MIN_MEMORY_B;
	double gb_s = d->req_gb_s_month * (mem / GIB);
	double cpu_h = d->req_cpu_s_month / 3600.0;
	return d->requests_month / 1e6 * fn->per_million + gb_s * fn->per_gb_s +
	       cpu_h * fn->per_cpu_h + fn->price;
}

void cost_serverless_best(const struct catalog *cat, const struct demand *d, double memory_b,
			  struct cost_serverless *out)
{
	memset(out, 0, sizeof(*out));
	out->memory_b = memory_b > FUNCTION_MIN_MEMORY_B ? memory_b : FUNCTION_MIN_MEMORY_B;
	for (size_t i = 0; i < cat->n; i++) {
		const struct offer *o = &cat->offers[i];
		/* A plan whose terms forbid commercial use (Vercel Hobby) is no
		 * option for a service that earns money. */
		if (o->kind != OFFER_FUNCTION || o->non_commercial)
			continue;
		double c = cost_function(o, d, memory_b);
		if (!out->offer || c < out->cost) {
			out->offer = o;
			out->cost = c;
		}
	}
}

void cost_unit_economics(const struct economics *e, double users, double total,
			 struct cost_economics *out)
{
	memset(out, 0, sizeof(*out));
	if (e->users_per_customer <= 0 || e->n_tiers == 0)
		return;
	double arpc = 0;
	for (size_t i = 0; i < e->n_tiers; i++)
		arpc += e->tiers[i].share * e->tiers[i].price;
	out->present = true;
	out->customers = users / e->users_per_customer;
	out->revenue = out->customers * arpc;
	out->per_customer = out->customers > 0 ? total / out->customers : 0;
	out->margin = out->revenue > 0 ? (out->revenue - total) / out->revenue : 0;
}
