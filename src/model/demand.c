/* demand.c - users -> per-resource demand (see demand.h for the formulas). */
#include "model/demand.h"

#include <math.h>
#include <string.h>

/* Days in a month of 730 hours (365/12), so volumes and prices share one month. */
#define DAYS_PER_MONTH (365.0 / 12.0)

double demand_concurrent(const struct workload *w, double users)
{
	return users * w->daily_active * w->peak_concurrent;
}

double demand_busy_seconds_month(const struct workload *w)
{
	double s = w->busy_s > 0 ? w->busy_s : DEMAND_DEFAULT_BUSY_HOURS * 3600.0;
	if (s > 86400)
		s = 86400;
	return s * DAYS_PER_MONTH;
}

/* Add calls of one class to the per-API sums; HR_E_RANGE past the cap. */
static int add_ext(struct demand *d, const struct ext_call *x, double rate, double busy_s)
{
	if (!x->name || x->calls <= 0)
		return 0;
	struct ext_demand *e = NULL;
	for (size_t i = 0; i < d->n_ext; i++)
		if (strcmp(d->ext[i].name, x->name) == 0)
			e = &d->ext[i];
	if (!e) {
		if (d->n_ext == DEMAND_MAX_EXT)
			return HR_E_RANGE;
		e = &d->ext[d->n_ext++];
		e->name = x->name;
	}
	double calls_s = rate * x->calls;
	e->rate += calls_s;
	/* Classes may state the same API's limit; the tightest one holds. */
	if (x->rate_limit > 0 && (e->rate_limit == 0 || x->rate_limit < e->rate_limit))
		e->rate_limit = x->rate_limit;
	e->calls_month += calls_s * busy_s;
	e->cost_month += calls_s * busy_s * x->price;
	d->ext_cost_month += calls_s * busy_s * x->price;
	return 0;
}

int demand_at(const struct workload *w, double users, struct demand *out)
{
	memset(out, 0, sizeof(*out));
	if (!(users >= 0) || !isfinite(users))
		return HR_E_INVALID;
	struct demand *d = out;
	double busy_s = demand_busy_seconds_month(w);
	d->users = users;
	d->concurrent = demand_concurrent(w, users);

	for (size_t i = 0; i < w->n_requests; i++) {
		const struct request_class *r = &w->requests[i];
		double lambda = d->concurrent * r->rate;
		d->req_rate += lambda;
		d->app_cpu += lambda * r->cpu_s;
		d->app_inflight += lambda * r->duration_s;
		d->app_mem_b += lambda * r->duration_s * r->memory_b;
		d->db_qps += lambda * r->db_queries;
		d->db_cpu += lambda * r->db_queries * r->db_query_s;
		d->egress_bps += lambda * r->bytes_out;
		d->requests_month += lambda * busy_s;
		d->req_gb_s_month += lambda * busy_s * r->duration_s;
		d->req_cpu_s_month += lambda * busy_s * r->cpu_s;
		int rc = add_ext(d, &r->external, lambda, busy_s);
		if (rc)
			return rc;
	}
	d->req_cpu_mean_s = d->req_rate > 0 ? d->app_cpu / d->req_rate : 0;

	for (size_t i = 0; i < w->n_tasks; i++) {
		const struct task_class *t = &w->tasks[i];
		double lambda = t->rate + d->concurrent * t->rate_per_user;
		d->task_rate += lambda;
		d->task_cpu += lambda * t->cpu_s;
		d->task_inflight += lambda * t->duration_s;
		d->task_mem_b += lambda * t->duration_s * t->memory_b;
		d->db_qps += lambda * t->db_queries;
		/* Tasks declare no per-query time; they are charged the workload's
		 * mean request query time, or nothing when no request declares one. */
		int rc = add_ext(d, &t->external, lambda, busy_s);
		if (rc)
			return rc;
	}
	if (d->db_qps > 0 && w->n_tasks > 0) {
		double req_q = 0, req_q_s = 0;
		for (size_t i = 0; i < w->n_requests; i++) {
			double lambda = d->concurrent * w->requests[i].rate;
			req_q += lambda * w->requests[i].db_queries;
			req_q_s += lambda * w->requests[i].db_queries * w->requests[i].db_query_s;
		}
		double mean_q_s = req_q > 0 ? req_q_s / req_q : 0;
		d->db_cpu += (d->db_qps - req_q) * mean_q_s;
	}

	/* Replicas and a read cache take only reads (headroom default: a standby
	 * is read-only); the share is the workload's, queries taken as equally long. */
	double share = w->db_read_share > 0 ? (w->db_read_share < 1 ? w->db_read_share : 1) : 0;
	d->db_read_qps = d->db_qps * share;
	d->db_read_cpu = d->db_cpu * share;

	d->db_size_b = w->storage_base_b + users * w->storage_per_user_b;
	d->files_b = users * w->files_per_user_b;
	d->egress_month_b = d->egress_bps * busy_s;
	return 0;
}
