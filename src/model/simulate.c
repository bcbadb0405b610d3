/* simulate.c - the discrete-time replay of a trace against a scaling policy
 * (see simulate.h for the model and its limits). */
#include "model/simulate.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "model/queue.h"

/* The p95 and queue-length tables: NTAB points on rho in [0, RHO_CAP]. The
 * p95 of M/G/c grows like 1/(1 - rho); capped at 0.99 its curvature keeps
 * linear interpolation within 2e-4 of the exact value (h^2 f''/8f with
 * h = 0.99/4095). Above the cap the waiting is the backlog's (B'/mu). */
#define NTAB 4096
#define RHO_CAP 0.99

/* The tick loop runs ~10^7 times a second: the tables make its queueing step
 * two multiplications and a load instead of a bisection over the M/G/c tail. */
struct tables {
	double p95[NTAB];  /* seconds, one replica at rho */
	double lq[NTAB];   /* requests waiting at one replica at rho */
};

/* Marks a work area whose tables are built for tab_svc. */
#define TABLES_BUILT 0x5ea5ab1e7ab1e5ULL

struct work {
	uint64_t built;            /* TABLES_BUILT when tab is for tab_svc */
	struct sim_service tab_svc;
	struct tables tab;
	struct scaling_state st;
	/* Set up per run; sized by sim_workspace_size(). */
	double *ready_at;  /* starting replicas' ready times, FIFO (ascending) */
	int *ready_hist;   /* per tick: replicas ready */
	double *backlog;   /* per tick: backlog at the tick's end */
	struct scaling_replica *reps;
};

const char *sim_policy_name(enum sim_policy_kind k)
{
	switch (k) {
	case SIM_STATIC: return "static";
	case SIM_HPA: return "hpa";
	case SIM_KEDA: return "keda";
	case SIM_PREDICTIVE: return "predictive";
	case SIM_PREDICTIVE_KEDA: return "keda+predictive";
	}
	return "?";
}

const char *sim_check(const struct sim_service *svc, const struct sim_params *p, const struct sim_policy *pol)
{
	if (!(svc->service_s > 0) || !isfinite(svc->service_s))
		return "the service time must be more than 0";
	if (svc->concurrency < 1 || svc->concurrency > 100000)
		return "the concurrency per replica must be from 1 to 100000";
	if (!(svc->cv >= 0) || svc->cv > QUEUE_MAX_CV)
		return "the service time's coefficient of variation is out of range";
	if (!(svc->cpu_s >= 0) || svc->cpu_s > svc->service_s * (1 + 1e-9))
		return "the CPU per request must be from 0 to the service time";
	if (!(svc->cores >= 0) || !isfinite(svc->cores))
		return "a replica's cores must be 0 or more";
	if (!(p->bucket_s > 0) || !isfinite(p->bucket_s))
		return "the trace's bucket must be longer than 0";
	if (!(p->scale > 0) || !isfinite(p->scale))
		return "the scale must be more than 0";
	if (!(p->slo_p95_s > 0))
		return "the SLO's p95 must be more than 0";
	if (!(p->startup_s >= 0) || !isfinite(p->startup_s))
		return "the start-up time must be 0 or more";
	if (!(p->sync_s > 0) || !isfinite(p->sync_s))
		return "the sync period must be more than 0";
	if (!(p->metric_lag_s >= 0) || !isfinite(p->metric_lag_s))
		return "the metric lag must be 0 or more";
	if ((pol->kind == SIM_PREDICTIVE || pol->kind == SIM_PREDICTIVE_KEDA) && !(p->season_s > 0))
		return "the predictive policy needs a season longer than 0";
	if (pol->kind == SIM_STATIC)
		return pol->replicas >= 1 && pol->replicas <= 100000 ? NULL : "a static count must be from 1 to 100000";
	if (!(pol->target > 0) || !isfinite(pol->target))
		return "the policy's target must be more than 0";
	if (pol->replicas < 0 || pol->replicas > pol->spec.max_replicas)
		return "the starting count must be within the policy's min and max";
	if (pol->spec.max_replicas > 100000)
		return "a policy's max must be 100000 or less";
	return scaling_spec_check(&pol->spec);
}

double sim_tick_s(const struct sim_params *p)
{
	/* Whole ticks per bucket, enough that a sync falls on a tick. */
	double sub = p->sync_s < p->bucket_s ? ceil(p->bucket_s / p->sync_s - 1e-9) : 1;
	return p->bucket_s / sub;
}

static size_t ticks_per_bucket(const struct sim_params *p)
{
	return (size_t)llround(p->bucket_s / sim_tick_s(p));
}

const char *sim_check_ticks(const struct sim_params *p, size_t n)
{
	if (!(p->bucket_s > 0) || !isfinite(p->bucket_s) || !(p->sync_s > 0) || !isfinite(p->sync_s))
		return "the trace's bucket and the sync period must be more than 0";
	/* In doubles: a 1 ns sync on a year's bucket overflows a size_t product. */
	double sub = p->sync_s < p->bucket_s ? ceil(p->bucket_s / p->sync_s - 1e-9) : 1;
	if ((double)n * sub > SIM_MAX_TICKS)
		return "the replay would take more than 2,500,000 ticks (the trace's span over the tick, the bucket "
		       "or the sync period when shorter); use a longer --sync or a shorter trace";
	return NULL;
}

size_t sim_ticks(const struct sim_params *p, size_t n)
{
	return n * ticks_per_bucket(p);
}

static size_t align16(size_t n)
{
	return (n + 15) & ~(size_t)15;
}

size_t sim_workspace_size(const struct sim_params *p, const struct sim_policy *pol, size_t n)
{
	size_t maxr = pol->kind == SIM_STATIC ? (size_t)pol->replicas : (size_t)pol->spec.max_replicas;
	size_t ticks = sim_ticks(p, n);
	size_t sz = align16(sizeof(struct work));
	sz += align16((maxr + 1) * sizeof(double));
	if (pol->kind != SIM_STATIC) {
		sz += align16((ticks + 1) * sizeof(int));
		sz += align16((ticks + 1) * sizeof(double));
		sz += align16((maxr + 1) * sizeof(struct scaling_replica));
	}
	return sz;
}

static double p95_exact(const struct sim_service *svc, double rho)
{
	double lambda = rho * svc->concurrency / svc->service_s;
	return queue_response_quantile_g(lambda, svc->service_s, svc->cv, svc->concurrency, 0.95);
}

static void build_tables(struct tables *t, const struct sim_service *svc)
{
	for (size_t k = 0; k < NTAB; k++) {
		double rho = RHO_CAP * (double)k / (NTAB - 1);
		double lambda = rho * svc->concurrency / svc->service_s;
		t->p95[k] = p95_exact(svc, rho);
		/* Requests waiting (Little's law on the M/G/c mean wait). */
		t->lq[k] = lambda * queue_mean_wait_g(lambda, svc->service_s, svc->cv, svc->concurrency);
	}
}

static double lookup(const double *tab, double rho)
{
	if (rho >= RHO_CAP)
		return tab[NTAB - 1];
	double x = rho * ((NTAB - 1) / RHO_CAP);
	size_t k = (size_t)x;
	double f = x - (double)k;
	return tab[k] + f * (tab[k + 1] - tab[k]);
}

double sim_queue_p95(const struct sim_service *svc, double rho)
{
	return p95_exact(svc, rho < RHO_CAP ? rho : RHO_CAP);
}

void sim_policy_defaults(struct sim_policy *pol, enum sim_policy_kind k, const struct sim_service *svc, int max)
{
	memset(pol, 0, sizeof(*pol));
	pol->kind = k;
	scaling_spec_defaults(&pol->spec);
	pol->spec.min_replicas = 1;
	pol->spec.max_replicas = max;
	pol->replicas = 1;
	/* 70 %: the seeds' HPA threshold (seed 000, seed 004: "HPA at CPU 70 %"). */
	pol->target = k == SIM_KEDA ? 0.7 * svc->concurrency : 70;
}

/* Split a work area into its parts. */
static struct work *carve(void *mem, const struct sim_params *p, const struct sim_policy *pol, size_t n)
{
	size_t maxr = pol->kind == SIM_STATIC ? (size_t)pol->replicas : (size_t)pol->spec.max_replicas;
	size_t ticks = sim_ticks(p, n);
	char *c = mem;
	struct work *w = (struct work *)c;
	c += align16(sizeof(struct work));
	w->ready_at = (double *)c;
	c += align16((maxr + 1) * sizeof(double));
	w->ready_hist = NULL, w->backlog = NULL, w->reps = NULL;
	if (pol->kind != SIM_STATIC) {
		w->ready_hist = (int *)c;
		c += align16((ticks + 1) * sizeof(int));
		w->backlog = (double *)c;
		c += align16((ticks + 1) * sizeof(double));
		w->reps = (struct scaling_replica *)c;
	}
	return w;
}

/* What the replay knows at a sync: the demand of each tick and its history. */
struct replay {
	const double *req;
	size_t n, per_bucket;
	double dt;
	const struct sim_service *svc;
	const struct sim_params *p;
	const struct sim_policy *pol;
	struct work *w;
};

static double demand_at(const struct replay *R, size_t tick)
{
	size_t b = tick / R->per_bucket;
	if (b >= R->n)
		b = R->n - 1;
	return R->req[b] / R->p->bucket_s * R->p->scale;
}

/* Requests in flight at tick j: in service, waiting, backlogged. */
static double in_flight(const struct replay *R, size_t j)
{
	double lam = demand_at(R, j);
	int ready = R->w->ready_hist[j];
	if (ready == 0)
		return R->w->backlog[j];
	double mu = ready * R->svc->concurrency / R->svc->service_s;
	double rho = lam / mu;
	return fmin(lam, mu) * R->svc->service_s + ready * lookup(R->w->tab.lq, fmin(rho, RHO_CAP)) +
	       R->w->backlog[j];
}

/* One decision at tick i (time t) with @p running replicas of which @p ready
 * are ready; returns the desired count. */
static int decide(const struct replay *R, size_t i, double t, int running, int ready, int *err)
{
	const struct sim_policy *pol = R->pol;
	const struct sim_service *svc = R->svc;
	struct work *w = R->w;
	/* What was measured: the last finished tick, metric_lag earlier. */
	size_t lag = (size_t)llround(R->p->metric_lag_s / R->dt);
	bool seen = i >= lag + 1;
	size_t j = seen ? i - lag - 1 : 0;
	struct scaling_metric m[2];
	unsigned nm = 0;
	memset(m, 0, sizeof(m));
	unsigned nrep = 0;
	if (pol->kind == SIM_HPA || pol->kind == SIM_PREDICTIVE) {
		/* CPU: the busy share of a replica's slots then, as a percent of its
		 * request (1000 m for c slots); saturated with a backlog.
		 * Only the replicas that were ready when it was measured have a
		 * sample; one ready since has none (Kubernetes counts it as 0 % on a
		 * scale-up and 100 % on a scale-down). */
		double util = NAN;
		int sampled = 0;
		if (seen && w->ready_hist[j] > 0) {
			double mu = w->ready_hist[j] * svc->concurrency / svc->service_s;
			double rate = w->backlog[j] > 0 ? mu : fmin(mu, demand_at(R, j)); /* served per second */
			double cpu = svc->cpu_s > 0 ? svc->cpu_s : svc->service_s;
			double cores = svc->cores > 0 ? svc->cores : svc->concurrency;
			util = fmin(1, rate * cpu / (w->ready_hist[j] * cores));
			sampled = w->ready_hist[j] < ready ? w->ready_hist[j] : ready;
		}
		for (int k = 0; k < running; k++) {
			struct scaling_replica *r = &w->reps[nrep++];
			r->state = k < ready ? SCALING_READY : SCALING_STARTING;
			r->usage[0] = k < sampled ? util * 1000 : NAN;
			r->requests[0] = 1000;
		}
		m[nm++] = (struct scaling_metric){.name = "cpu", .kind = SCALING_RESOURCE,
						   .target_type = SCALING_UTILIZATION, .target = pol->target,
						   .slot = 0, .cpu = true, .value = NAN, .at_s = NAN};
	}
	if (pol->kind == SIM_KEDA || pol->kind == SIM_PREDICTIVE_KEDA) {
		m[nm++] = (struct scaling_metric){.name = "in_flight", .kind = SCALING_EXTERNAL,
						   .target_type = SCALING_AVERAGE_VALUE, .target = pol->target,
						   .value = seen ? in_flight(R, j) : NAN, .absent = !seen, .at_s = NAN};
	}
	if (pol->kind == SIM_PREDICTIVE || pol->kind == SIM_PREDICTIVE_KEDA) {
		/* Seasonal naive: the demand one start-up ahead, as it was one and
		 * two seasons earlier; only once two seasons have passed. */
		double ahead = t + R->p->startup_s;
		if (ahead - 2 * R->p->season_s >= 0) {
			size_t t1 = (size_t)((ahead - R->p->season_s) / R->dt);
			size_t t2 = (size_t)((ahead - 2 * R->p->season_s) / R->dt);
			double lam = (demand_at(R, t1) + demand_at(R, t2)) / 2;
			m[nm++] = (struct scaling_metric){
				.name = "forecast", .kind = SCALING_EXTERNAL, .target_type = SCALING_AVERAGE_VALUE,
				/* In flight per replica: the HPA's CPU percent of the slots, or KEDA's own target. */
				.target = pol->kind == SIM_PREDICTIVE ? svc->concurrency * pol->target / 100 : pol->target,
				.value = lam * svc->service_s,
				.at_s = NAN, .predictive = true};
		}
	}
	struct scaling_input in = {.now_s = t, .current_replicas = running, .metrics = m, .n_metrics = nm,
				   .replicas = w->reps, .n_replicas = nrep};
	struct scaling_decision d;
	if (scaling_decide(&pol->spec, &in, &w->st, &d) != 0) {
		*err = HR_E_INVALID;
		return running;
	}
	return d.desired;
}

int sim_run(const double *requests, size_t n, const struct sim_service *svc, const struct sim_params *p,
	    const struct sim_policy *pol, void *work, struct sim_result *out, struct sim_series *series)
{
	memset(out, 0, sizeof(*out));
	if (sim_check(svc, p, pol) || n == 0)
		return HR_E_INVALID;
	if (sim_check_ticks(p, n))
		return HR_E_TOO_LARGE;
	struct work *w = carve(work, p, pol, n);
	/* A policy search replays one service many times: build its tables once. */
	if (w->built != TABLES_BUILT || memcmp(&w->tab_svc, svc, sizeof(*svc)) != 0) {
		build_tables(&w->tab, svc);
		w->tab_svc = *svc;
		w->built = TABLES_BUILT;
	}
	scaling_state_init(&w->st);
	struct replay R = {.req = requests, .n = n, .per_bucket = ticks_per_bucket(p), .dt = sim_tick_s(p),
			   .svc = svc, .p = p, .pol = pol, .w = w};
	const double dt = R.dt;
	const size_t ticks = sim_ticks(p, n);
	const size_t sync_every = pol->kind == SIM_STATIC ? 0 : (size_t)fmax(1, llround(p->sync_s / dt));
	const double per_s = svc->concurrency / svc->service_s; /* one replica's service rate */
	const double slo = p->slo_p95_s;
	int ready = pol->replicas, starting = 0, last_dir = 0, err = 0;
	size_t head = 0; /* first starting replica in ready_at[] */
	double backlog = 0, replica_s = 0, violation_s = 0, worst = 0, served = 0;
	out->max_replicas = ready;
	for (size_t i = 0; i < ticks; i++) {
		const double t = (double)i * dt;
		const double lam = requests[i / R.per_bucket] / p->bucket_s * p->scale;
		while (starting > 0 && w->ready_at[head] <= t + 1e-9) {
			head++, starting--, ready++;
		}
		if (sync_every && i % sync_every == 0) {
			int running = ready + starting;
			int want = decide(&R, i, t, running, ready, &err);
			if (err)
				return err;
			if (want != running) {
				int dir = want > running ? 1 : -1;
				out->scale_events++;
				if (last_dir && dir != last_dir)
					out->reversals++;
				last_dir = dir;
				scaling_record_scale(&w->st, &pol->spec, t, running, want);
				if (want > running) {
					/* Compact the FIFO before appending. */
					memmove(w->ready_at, w->ready_at + head, (size_t)starting * sizeof(double));
					head = 0;
					for (int k = running; k < want; k++)
						w->ready_at[starting++] = t + p->startup_s;
				} else {
					int drop = running - want;
					int from_starting = drop < starting ? drop : starting;
					starting -= from_starting; /* the newest first */
					ready -= drop - from_starting;
				}
			}
		}
		const int running = ready + starting;
		if (running > out->max_replicas)
			out->max_replicas = running;
		double p95, before = backlog;
		if (ready == 0) {
			backlog += lam * dt;
			p95 = backlog > 0 ? INFINITY : 0;
		} else {
			const double mu = ready * per_s;
			backlog += (lam - mu) * dt;
			if (backlog < 0)
				backlog = 0;
			/* The longest a request of the tick waits behind the backlog:
			 * at its start when it drains, at its end when it grows. */
			p95 = lookup(w->tab.p95, lam / mu) + (before > backlog ? before : backlog) / mu;
		}
		served += lam * dt + before - backlog;
		replica_s += running * dt;
		if (p95 > slo)
			violation_s += dt;
		if (p95 > worst)
			worst = p95;
		if (w->ready_hist) {
			w->ready_hist[i] = ready;
			w->backlog[i] = backlog;
		}
		if (series) {
			if (series->replicas)
				series->replicas[i] = running;
			if (series->ready)
				series->ready[i] = ready;
			if (series->p95_s)
				series->p95_s[i] = p95;
			if (series->demand)
				series->demand[i] = lam;
		}
	}
	out->ticks = ticks;
	out->dt = dt;
	out->replica_hours = replica_s / 3600;
	out->cost = isfinite(p->price_hour) ? out->replica_hours * p->price_hour : NAN;
	out->slo_violation_minutes = violation_s / 60;
	out->worst_p95_s = worst;
	out->served = served;
	out->backlog_end = backlog;
	return 0;
}

int sim_replicas_for(const struct sim_service *svc, double lambda, double slo_s, int max)
{
	double per = svc->concurrency / svc->service_s;
	int n = (int)floor(lambda / per) + 1;
	if (n < 1)
		n = 1;
	for (; n <= max; n++) {
		double rho = lambda / (n * per);
		if (rho < 1 && p95_exact(svc, rho) <= slo_s)
			return n;
	}
	return 0;
}
