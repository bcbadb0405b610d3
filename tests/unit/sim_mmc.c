/* sim_mmc.c - FCFS M/M/c and M/G/c simulation (see sim_mmc.h).
 *
 * With FCFS and identical servers, the next customer in line takes the
 * server that frees first, so the events reduce to a min-heap of the c
 * servers' free times (the Kiefer-Wolfowitz workload recursion): customer n
 * arriving at a_n starts at max(a_n, earliest free time) and leaves after
 * its service. Response time = departure - arrival. */
#include "sim_mmc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* xoshiro256** seeded through splitmix64 (Blackman and Vigna,
 * https://prng.di.unimi.it/), so the stream is the same on every machine. */
struct rng {
	uint64_t s[4];
};

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

/* Exp(rate) by inversion; u in (0, 1] so the log is finite. */
static double rng_exp(struct rng *r, double rate)
{
	double u = (double)((rng_next(r) >> 11) + 1) * 0x1.0p-53;
	return -log(u) / rate;
}

/* U(0, 1], 53 random bits. */
static double rng_unit(struct rng *r)
{
	return (double)((rng_next(r) >> 11) + 1) * 0x1.0p-53;
}

/* A standard normal by Box-Muller (one of the pair is enough here). */
static double rng_normal(struct rng *r)
{
	double u1 = rng_unit(r), u2 = rng_unit(r);
	return sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}

/* One service time of mean s under the configured distribution. */
static double draw_service(struct rng *r, const struct sim_mmc_cfg *cfg)
{
	double s = cfg->service_s, cv = cfg->cv;
	switch (cfg->dist) {
	case SIM_CONST:
		return s;
	case SIM_UNIFORM:
		return s * (1 + cv * sqrt(3) * (2 * rng_unit(r) - 1));
	case SIM_LOGNORMAL: {
		/* ln B ~ N(m, v) with v = ln(1 + cv^2), m = ln s - v/2: mean s, cv cv. */
		double v = log1p(cv * cv);
		return exp(log(s) - v / 2 + sqrt(v) * rng_normal(r));
	}
	case SIM_H2: {
		double c2 = cv * cv, p1 = 0.5 * (1 + sqrt((c2 - 1) / (c2 + 1)));
		return rng_unit(r) <= p1 ? rng_exp(r, 2 * p1 / s) : rng_exp(r, 2 * (1 - p1) / s);
	}
	default:
		return rng_exp(r, 1.0 / s);
	}
}

static void heap_sift_down(double *h, unsigned n, unsigned i)
{
	for (;;) {
		unsigned l = 2 * i + 1, m = i;
		if (l < n && h[l] < h[m])
			m = l;
		if (l + 1 < n && h[l + 1] < h[m])
			m = l + 1;
		if (m == i)
			return;
		double t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

static void swap(double *a, double *b)
{
	double t = *a;
	*a = *b;
	*b = t;
}

/* The k-th smallest of v[0..n) by quickselect with a three-way partition
 * (ties cannot stall it); reorders v. */
static double select_kth(double *v, size_t n, size_t k)
{
	size_t lo = 0, hi = n - 1;
	while (lo < hi) {
		double p = v[lo + (hi - lo) / 2];
		// [lo, lt) < p, [lt, i) == p, [gt, hi] > p
		size_t lt = lo, i = lo, gt = hi + 1;
		while (i < gt) {
			if (v[i] < p)
				swap(&v[lt++], &v[i++]);
			else if (v[i] > p)
				swap(&v[i], &v[--gt]);
			else
				i++;
		}
		if (k < lt)
			hi = lt - 1;
		else if (k >= gt)
			lo = gt;
		else
			return p;
	}
	return v[k];
}

static struct sim_ci batch_ci(const double *x, size_t n, double t_crit)
{
	double sum = 0, ss = 0;
	for (size_t i = 0; i < n; i++)
		sum += x[i];
	double mean = sum / (double)n;
	for (size_t i = 0; i < n; i++)
		ss += (x[i] - mean) * (x[i] - mean);
	double half = t_crit * sqrt(ss / (double)(n - 1) / (double)n);
	return (struct sim_ci){mean, mean - half, mean + half};
}

int sim_mmc_run(const struct sim_mmc_cfg *cfg, struct sim_mmc_result *out)
{
	if (cfg->c < 1 || cfg->batches < 2 || cfg->batch_size < 1 || !(cfg->lambda > 0) ||
	    !(cfg->service_s > 0) || !(cfg->quantile > 0 && cfg->quantile < 1) ||
	    (cfg->dist == SIM_UNIFORM && !(cfg->cv >= 0 && cfg->cv <= 1 / sqrt(3))) ||
	    (cfg->dist == SIM_LOGNORMAL && !(cfg->cv > 0)) || (cfg->dist == SIM_H2 && !(cfg->cv >= 1)))
		return -1;
	struct rng r;
	uint64_t x = cfg->seed;
	for (int i = 0; i < 4; i++)
		r.s[i] = splitmix64(&x);
	double *free_at = calloc(cfg->c, sizeof(double));
	double *resp = malloc(cfg->batch_size * sizeof(double));
	double *bmean = malloc(cfg->batches * sizeof(double));
	double *bquant = malloc(cfg->batches * sizeof(double));
	if (!free_at || !resp || !bmean || !bquant) {
		free(free_at), free(resp), free(bmean), free(bquant);
		return -1;
	}
	double now = 0;
	size_t k = (size_t)ceil(cfg->quantile * (double)cfg->batch_size) - 1;
	for (size_t b = 0, n = 0; b < cfg->batches;) {
		now += rng_exp(&r, cfg->lambda);
		double start = free_at[0] > now ? free_at[0] : now;
		double done = start + draw_service(&r, cfg);
		free_at[0] = done;
		heap_sift_down(free_at, cfg->c, 0);
		if (n < cfg->warmup) {
			n++;
			continue;
		}
		size_t i = (n++ - cfg->warmup) % cfg->batch_size;
		resp[i] = done - now;
		if (i + 1 == cfg->batch_size) {
			double sum = 0;
			for (size_t j = 0; j < cfg->batch_size; j++)
				sum += resp[j];
			bmean[b] = sum / (double)cfg->batch_size;
			bquant[b] = select_kth(resp, cfg->batch_size, k);
			b++;
		}
	}
	out->mean = batch_ci(bmean, cfg->batches, cfg->t_crit);
	out->quantile = batch_ci(bquant, cfg->batches, cfg->t_crit);
	free(free_at), free(resp), free(bmean), free(bquant);
	return 0;
}
