/* forecast.c - trend fits (least squares, Holt, a daily profile), the
 * holdout that picks one, and when it crosses a level (see forecast.h). */
#include "model/forecast.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

#define DAY 86400.0
#define SLOT (DAY / FORECAST_SLOTS)
/* Grid points for a non-seasonal fit: enough to follow a trend, few enough
 * that 30 days of 10 s samples fit in microseconds after resampling. */
#define GRID_MAX 2000
/* A seasonal fit reads at most the last four weeks on the 5-minute grid. */
#define SEASON_WINDOW (28 * DAY)
/* Two-sided 95 % normal quantile for the bands. */
#define Z95 1.959964

const char *forecast_method_name(enum forecast_method m)
{
	switch (m) {
	case FORECAST_NONE: return "none";
	case FORECAST_LINEAR: return "linear";
	case FORECAST_HOLT: return "holt";
	}
	return "none";
}

struct ls {
	double a, b;         /* v = a + b t */
	double sigma, se_b;  /* residual sd, standard error of b */
	double tmean, sxx;
};

/* Ordinary least squares of y on x (x centred for numerical stability). */
static void ls_fit(const double *x, const double *y, size_t n, struct ls *o)
{
	double mx = 0, my = 0;
	for (size_t i = 0; i < n; i++)
		mx += x[i], my += y[i];
	mx /= (double)n, my /= (double)n;
	double sxx = 0, sxy = 0;
	for (size_t i = 0; i < n; i++) {
		sxx += (x[i] - mx) * (x[i] - mx);
		sxy += (x[i] - mx) * (y[i] - my);
	}
	o->b = sxx > 0 ? sxy / sxx : 0;
	o->a = my - o->b * mx;
	double sse = 0;
	for (size_t i = 0; i < n; i++) {
		double r = y[i] - (o->a + o->b * x[i]);
		sse += r * r;
	}
	o->sigma = n > 2 ? sqrt(sse / (double)(n - 2)) : 0;
	o->se_b = sxx > 0 ? o->sigma / sqrt(sxx) : INFINITY;
	o->tmean = mx;
	o->sxx = sxx;
}

struct holt {
	double l, b;       /* level and trend per step after the last point */
	double alpha, beta;
	double sigma;      /* one-step residual sd */
};

/* Holt's linear method with the given parameters; returns the one-step SSE. */
static double holt_run(const double *y, size_t n, double alpha, double beta, struct holt *o)
{
	/* Initial level and trend from the first few points (FPP3 8.2 uses
	 * l0 = y1, b0 = y2 - y1; a short regression is less noisy). */
	size_t k = n < 10 ? n : 10;
	double b0 = k > 1 ? (y[k - 1] - y[0]) / (double)(k - 1) : 0;
	double l = y[0], b = b0, sse = 0;
	for (size_t i = 1; i < n; i++) {
		double pred = l + b;
		double e = y[i] - pred;
		sse += e * e;
		double nl = alpha * y[i] + (1 - alpha) * (l + b);
		b = beta * (nl - l) + (1 - beta) * b;
		l = nl;
	}
	o->l = l, o->b = b, o->alpha = alpha, o->beta = beta;
	o->sigma = n > 1 ? sqrt(sse / (double)(n - 1)) : 0;
	return sse;
}

/* Parameters by grid search on the one-step SSE (small, fixed grid: the
 * series are short after resampling and the fit must be deterministic). */
static void holt_fit(const double *y, size_t n, struct holt *o)
{
	static const double alphas[] = {0.05, 0.1, 0.2, 0.3, 0.5, 0.8};
	static const double betas[] = {0.01, 0.05, 0.1, 0.2, 0.4};
	double best = INFINITY;
	for (size_t i = 0; i < sizeof(alphas) / sizeof(alphas[0]); i++) {
		for (size_t j = 0; j < sizeof(betas) / sizeof(betas[0]); j++) {
			struct holt h;
			double sse = holt_run(y, n, alphas[i], betas[j], &h);
			if (sse < best) {
				best = sse;
				*o = h;
			}
		}
	}
}

static int slot_of(double t)
{
	double tod = fmod(t, DAY);
	if (tod < 0)
		tod += DAY;
	int s = (int)(tod / SLOT);
	return s >= FORECAST_SLOTS ? FORECAST_SLOTS - 1 : s;
}

/* Bucket means on a regular grid; empty buckets are interpolated. */
static size_t resample(const double *t, const double *v, size_t n, double t0, double step, size_t ng,
		       double *gt, double *gv)
{
	double *sum = xcalloc(ng, sizeof(double));
	size_t *cnt = xcalloc(ng, sizeof(size_t));
	for (size_t i = 0; i < n; i++) {
		double k = floor((t[i] - t0) / step);
		if (k < 0 || k >= (double)ng)
			continue;
		sum[(size_t)k] += v[i];
		cnt[(size_t)k]++;
	}
	size_t prev = (size_t)-1;
	for (size_t i = 0; i < ng; i++) {
		gt[i] = t0 + ((double)i + 0.5) * step;
		if (!cnt[i])
			continue;
		gv[i] = sum[i] / (double)cnt[i];
		if (prev != (size_t)-1 && i - prev > 1)
			for (size_t j = prev + 1; j < i; j++)
				gv[j] = gv[prev] + (gv[i] - gv[prev]) * (double)(j - prev) / (double)(i - prev);
		else if (prev == (size_t)-1)
			for (size_t j = 0; j < i; j++)
				gv[j] = gv[i];
		prev = i;
	}
	/* Trailing empty buckets cannot happen (the last point defines the grid end). */
	free(sum);
	free(cnt);
	return ng;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int forecast_fit(const double *t, const double *v, size_t n, const struct forecast_opts *opts,
		 struct forecast *out)
{
	struct forecast_opts o = {.min_points = 10, .min_span_s = 600, .season_min_s = 3 * DAY};
	if (opts)
		o = *opts;
	memset(out, 0, sizeof(*out));
	out->method = FORECAST_NONE;
	for (size_t i = 1; i < n; i++)
		if (t[i] < t[i - 1])
			return HR_E_INVALID;

	double *ct = xcalloc(n + 1, sizeof(double)), *cv = xcalloc(n + 1, sizeof(double));
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (!isnan(v[i]) && isfinite(v[i]) && isfinite(t[i]))
			ct[m] = t[i], cv[m] = v[i], m++;
	double *gt = NULL, *gv = NULL;
	if (m < o.min_points || m == 0 || ct[m - 1] - ct[0] < o.min_span_s)
		goto out;

	bool seasonal = ct[m - 1] - ct[0] >= o.season_min_s;
	size_t first = 0;
	if (seasonal)
		while (ct[m - 1] - ct[first] > SEASON_WINDOW)
			first++;
	double span = ct[m - 1] - ct[first];
	double step;
	if (seasonal) {
		step = SLOT;
	} else {
		double *dt = xcalloc(m, sizeof(double));
		for (size_t i = first + 1; i < m; i++)
			dt[i - first - 1] = ct[i] - ct[i - 1];
		qsort(dt, m - first - 1, sizeof(double), cmp_double);
		step = dt[(m - first - 1) / 2];
		free(dt);
		if (step < span / GRID_MAX)
			step = span / GRID_MAX;
		if (step <= 0)
			step = span / GRID_MAX;
	}
	double t0 = seasonal ? floor(ct[first] / SLOT) * SLOT : ct[first];
	size_t ng = (size_t)floor((ct[m - 1] - t0) / step) + 1;
	gt = xcalloc(ng, sizeof(double));
	gv = xcalloc(ng, sizeof(double));
	resample(ct + first, cv + first, m - first, t0, step, ng, gt, gv);
	if (ng < 4)
		goto out;

	if (seasonal) {
		/* Classical additive decomposition (FPP3 3.4) with a straight-line
		 * trend: the daily profile is the mean detrended value per slot. */
		struct ls tr;
		ls_fit(gt, gv, ng, &tr);
		double sum[FORECAST_SLOTS] = {0};
		size_t cnt[FORECAST_SLOTS] = {0};
		for (size_t i = 0; i < ng; i++) {
			int s = slot_of(gt[i]);
			sum[s] += gv[i] - (tr.a + tr.b * gt[i]);
			cnt[s]++;
		}
		double mean = 0;
		for (int s = 0; s < FORECAST_SLOTS; s++) {
			out->season[s] = cnt[s] ? sum[s] / (double)cnt[s] : 0;
			mean += out->season[s];
		}
		mean /= FORECAST_SLOTS;
		for (int s = 0; s < FORECAST_SLOTS; s++)
			out->season[s] -= mean;
		for (size_t i = 0; i < ng; i++)
			gv[i] -= out->season[slot_of(gt[i])];
	}

	/* Holdout: fit on the first 80 %, score the forecast of the rest. */
	size_t cut = ng * 8 / 10;
	bool use_holt = false;
	if (cut >= 4 && ng - cut >= 2) {
		struct ls l;
		struct holt h;
		ls_fit(gt, gv, cut, &l);
		holt_fit(gv, cut, &h);
		double mae_l = 0, mae_h = 0;
		for (size_t i = cut; i < ng; i++) {
			mae_l += fabs(gv[i] - (l.a + l.b * gt[i]));
			mae_h += fabs(gv[i] - (h.l + h.b * (double)(i - cut + 1)));
		}
		use_holt = mae_h < mae_l;
	}

	struct ls l;
	ls_fit(gt, gv, ng, &l);
	out->seasonal = seasonal;
	out->t_end = gt[ng - 1];
	out->span_s = span;
	out->n = ng;
	out->step_s = step;
	out->slope_se = l.se_b;
	out->ls_tmean = l.tmean;
	out->ls_sxx = l.sxx;
	if (use_holt) {
		struct holt h;
		holt_fit(gv, ng, &h);
		out->method = FORECAST_HOLT;
		out->level = h.l;
		out->slope = h.b / step;
		out->sigma = h.sigma;
		out->alpha = h.alpha;
		out->beta = h.beta;
	} else {
		out->method = FORECAST_LINEAR;
		out->level = l.a + l.b * out->t_end;
		out->slope = l.b;
		out->sigma = l.sigma;
	}
	/* A trend inside twice its standard error is noise around a flat line:
	 * forecast flat, so a flat metric is "not within the horizon". */
	if (!(fabs(out->slope) >= 2 * l.se_b))
		out->slope = 0;
out:
	free(ct);
	free(cv);
	free(gt);
	free(gv);
	return 0;
}

void forecast_at(const struct forecast *f, double t, double *mean, double *sd)
{
	double dt = t - f->t_end;
	if (dt < 0)
		dt = 0;
	double mu = f->level + f->slope * dt;
	if (f->seasonal)
		mu += f->season[slot_of(t)];
	double var;
	if (f->method == FORECAST_HOLT) {
		/* ETS(A,A,N) h-step variance (FPP3 table 8.8):
		 * sigma^2 [1 + (h-1)(alpha^2 + alpha beta h + beta^2 h (2h-1) / 6)]. */
		double h = dt / f->step_s;
		if (h < 1)
			h = 1;
		double a = f->alpha, b = f->beta;
		var = f->sigma * f->sigma * (1 + (h - 1) * (a * a + a * b * h + b * b * h * (2 * h - 1) / 6));
	} else {
		/* Prediction interval of a regression at a new point (FPP3 7.5). */
		double x = t - f->ls_tmean;
		double n = (double)(f->n ? f->n : 1);
		var = f->sigma * f->sigma * (1 + 1 / n + (f->ls_sxx > 0 ? x * x / f->ls_sxx : 0));
	}
	*mean = mu;
	*sd = sqrt(var);
}

static bool past(enum trigger_dir dir, double level, double v)
{
	return dir == TRIGGER_ABOVE ? v > level : v < level;
}

/* Linear interpolation of the crossing inside the last step. */
static double cross(double t_prev, double g_prev, double t, double g, double level)
{
	if (g == g_prev)
		return t;
	double frac = (level - g_prev) / (g - g_prev);
	if (frac < 0)
		frac = 0;
	if (frac > 1)
		frac = 1;
	return t_prev + frac * (t - t_prev);
}

void forecast_eta(const struct forecast *f, enum trigger_dir dir, double level, double now,
		  double current, double horizon_s, struct forecast_eta *out)
{
	out->eta_s = out->lo_s = out->hi_s = INFINITY;
	if (isnan(level))
		return;
	if (!isnan(current) && past(dir, level, current)) {
		out->eta_s = out->lo_s = out->hi_s = 0;
		return;
	}
	if (f->method == FORECAST_NONE)
		return;
	if (now < f->t_end)
		now = f->t_end;
	double horizon = horizon_s;
	if (horizon > 10 * f->span_s)
		horizon = 10 * f->span_s;
	double step = f->step_s;
	if (step < horizon / 20000)
		step = horizon / 20000;
	if (step <= 0)
		return;
	/* Band edges: "lo" is the edge nearer the level (earliest crossing). */
	double sign = dir == TRIGGER_ABOVE ? 1 : -1;
	double mu, sd;
	forecast_at(f, now, &mu, &sd);
	if (past(dir, level, mu)) {
		out->eta_s = out->lo_s = 0;
		if (past(dir, level, mu - sign * Z95 * sd))
			out->hi_s = 0;
	}
	double pm = mu, pn = mu + sign * Z95 * sd, pf = mu - sign * Z95 * sd, pt = now;
	if (past(dir, level, pn))
		out->lo_s = 0;
	for (double t = now + step; t <= now + horizon + step / 2; t += step) {
		forecast_at(f, t, &mu, &sd);
		double near = mu + sign * Z95 * sd, far = mu - sign * Z95 * sd;
		if (isinf(out->eta_s) && past(dir, level, mu))
			out->eta_s = cross(pt, pm, t, mu, level) - now;
		if (isinf(out->lo_s) && past(dir, level, near))
			out->lo_s = cross(pt, pn, t, near, level) - now;
		if (isinf(out->hi_s) && past(dir, level, far))
			out->hi_s = cross(pt, pf, t, far, level) - now;
		if (!isinf(out->hi_s))
			break;
		pm = mu, pn = near, pf = far, pt = t;
	}
	/* A band is only meaningful around a crossing the forecast makes. */
	if (isinf(out->eta_s))
		out->lo_s = out->hi_s = INFINITY;
}
