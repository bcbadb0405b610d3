/* forecast.h - when will a metric cross its levels?
 *
 * The trend of a stored series, fitted two ways, the better one kept:
 *   - least squares on time (a straight line, with its prediction interval);
 *   - Holt's linear method (double exponential smoothing: a level and a trend
 *     that follow recent change), with the ETS(A,A,N) forecast variance.
 * The choice is made on a holdout: both are fitted on the first 80 % of the
 * points and the one whose forecast of the last 20 % has the smaller mean
 * absolute error wins, then it is refitted on everything.
 * With at least 3 days of data a daily profile (classical additive
 * decomposition: the mean detrended value per 5-minute slot of the day) is
 * taken out before fitting and added back to the forecast, so a daily peak
 * that will cross a level is seen crossing it.
 *
 * Formulas: Hyndman & Athanasopoulos, "Forecasting: Principles and Practice"
 * (3rd ed., OTexts 2021): section 8.2 (Holt's linear trend method), table 8.8
 * (forecast variance of ETS(A,A,N)), section 3.4 (classical decomposition),
 * section 7.5 (prediction intervals of a linear regression).
 *
 * Pure: no I/O, no clock; times are any epoch in seconds. */
#ifndef HR_FORECAST_H
#define HR_FORECAST_H

#include <stdbool.h>
#include <stddef.h>

#include "model/model.h"
#include "util/error.h"

/** The method a fit ended up with. */
enum forecast_method {
	FORECAST_NONE,   /**< too little data: no forecast */
	FORECAST_LINEAR, /**< least squares */
	FORECAST_HOLT,   /**< Holt's linear method */
};

/** Slots of the daily profile (5 minutes each). */
#define FORECAST_SLOTS 288

/** A fitted trend. Plain data; no cleanup needed. */
struct forecast {
	enum forecast_method method;
	bool seasonal;      /**< a daily profile was removed and is added back */
	double t_end;       /**< time of the last point used */
	double span_s;      /**< time between the first and last point */
	size_t n;           /**< points used (after resampling) */
	double step_s;      /**< resampling step */
	double level;       /**< deseasonalised value at t_end per the model */
	double slope;       /**< trend, units per second (0 when not significant) */
	double slope_se;    /**< least-squares standard error of the slope */
	double sigma;       /**< residual standard deviation (one step) */
	double alpha, beta; /**< Holt smoothing parameters (when method is HOLT) */
	/* least squares details for its prediction interval */
	double ls_tmean, ls_sxx;
	double season[FORECAST_SLOTS]; /**< daily profile by slot of the day (UTC), mean 0 */
};

/** Fitting options. */
struct forecast_opts {
	size_t min_points;  /**< fewer points: FORECAST_NONE (default 10) */
	double min_span_s;  /**< shorter history: FORECAST_NONE (default 10 min) */
	double season_min_s;/**< history needed for the daily profile (default 3 days) */
};

/**
 * Fit the trend of a series.
 * @param t times, ascending; @param v values (NaN points are skipped); n points.
 * @param opts NULL for the defaults.
 * @param out the fit; out->method is FORECAST_NONE when there is too little data.
 * @return 0; HR_E_INVALID when times are not ascending.
 */
HR_NODISCARD int forecast_fit(const double *t, const double *v, size_t n, const struct forecast_opts *opts,
			      struct forecast *out);

/** The modelled value and its standard deviation at time t (>= t_end). */
void forecast_at(const struct forecast *f, double t, double *mean, double *sd);

/** When a level is crossed. Times are seconds from `now`; INFINITY: not within the horizon. */
struct forecast_eta {
	double eta_s; /**< crossing of the forecast itself */
	double lo_s;  /**< earliest plausible crossing (edge of the 95 % band); INFINITY if none */
	double hi_s;  /**< latest plausible crossing (other edge); INFINITY if the band may never cross */
};

/**
 * Time until the forecast crosses a level in a direction.
 * The horizon is capped at ten times the history span: a trend read from an
 * hour of data says nothing about next month.
 * @param now the present (>= f->t_end); a value already past the level gives 0.
 * @param current the value now (NaN: use the model's).
 * @param horizon_s how far ahead to look.
 */
void forecast_eta(const struct forecast *f, enum trigger_dir dir, double level, double now,
		  double current, double horizon_s, struct forecast_eta *out);

/** "none", "linear" or "holt". */
const char *forecast_method_name(enum forecast_method m);

#endif
