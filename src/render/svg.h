/* svg.h - a small chart writer: lines, stacked areas, shaded bands, axes
 * with readable ticks, a legend and threshold lines, as SVG text.
 *
 * Design note. headroom draws its charts itself because no chart library
 * runs inside a C binary: the well-kept ones (Chart.js, D3, Vega) are
 * JavaScript that draws in a browser at view time, and gnuplot is a program
 * of its own. A report must be drawn offline and be the same bytes for the
 * same input, so this file writes the SVG directly, and is kept small and
 * generic: one x axis (linear, logarithmic or time) and one y axis, lines
 * or a stack of areas over it, vertical bands behind and horizontal rules
 * across. It knows nothing of plans or triggers.
 *
 * Output rules:
 *  - every text from outside is XML-escaped (svg_escape());
 *  - colours come from CSS classes (hr-c0..hr-c7 for series, hr-band0..5,
 *    hr-warn, hr-crit, hr-target), styled by svg_style() for light and dark
 *    (prefers-color-scheme), so one stylesheet serves both and a page that
 *    inlines many charts carries it once;
 *  - a chart is an image for assistive technology: role="img" with a
 *    <title> and a <desc>; each point carries a <title> shown on hover;
 *  - coordinates are printed with one decimal: the output is byte-for-byte
 *    the same for the same input (no clock, no randomness, no locale).
 *
 * Ticks follow Heckbert's "nice numbers" (P. S. Heckbert, "Nice Numbers for
 * Graph Labels", Graphics Gems, Academic Press, 1990, pp. 61-63): steps of
 * 1, 2 or 5 times a power of ten, with the axis widened to whole steps. */
#ifndef HR_SVG_H
#define HR_SVG_H

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"
#include "util/strbuf.h"

/** Colours a series can take (classes hr-c0 .. hr-c7). */
#define SVG_PALETTE 8
/** Band shades (classes hr-band0 .. hr-band5; the last is a warning tint). */
#define SVG_SHADES 6
/** Most ticks one axis carries. */
#define SVG_MAX_TICKS 24
/** Most points one chart draws (a longer series is an input error). */
#define SVG_MAX_POINTS 100000u

/** How an axis maps values to positions. */
enum svg_scale {
	SVG_LINEAR, /**< evenly spaced values */
	SVG_LOG,    /**< powers of ten evenly spaced; values <= 0 are left out */
	SVG_TIME,   /**< Unix seconds; ticks on whole minutes, hours, days (UTC) */
};

/**
 * Formats one tick label (and the hover text of a point).
 * @param v the value; @param step the tick step (decides the decimals);
 * @param ctx the axis' fmt_ctx.
 */
typedef void (*svg_fmt_fn)(double v, double step, const void *ctx, char *buf, size_t n);

/** One axis. */
struct svg_axis {
	const char *title;  /**< with its unit: "Monthly cost (USD)"; NULL: none */
	enum svg_scale scale;
	double min, max;    /**< NaN: from the data (and rules); widened to whole ticks */
	bool zero;          /**< linear: the range includes 0 */
	svg_fmt_fn fmt;     /**< NULL: svg_fmt_number() (svg_fmt_time() on a time axis) */
	const void *fmt_ctx;
};

/** One series of y values over the chart's x values. */
struct svg_series {
	const char *name;        /**< legend label (escaped) */
	const double *y;         /**< the chart's n values; NaN or infinite: a gap */
	const char *const *tips; /**< NULL, or n hover texts (a NULL entry: "name: x, y") */
	unsigned color;          /**< palette index, taken modulo SVG_PALETTE */
	bool dashed;             /**< a dashed line (SVG_LINES only) */
	bool no_points;          /**< no dots (nor their hover texts): a stack's lower parts when the top one tells all */
};

/** A shaded vertical band from x0 to x1 (a stage of a plan). */
struct svg_band {
	double x0, x1;
	const char *label; /**< drawn at the top when it fits; NULL: none */
	unsigned shade;    /**< taken modulo SVG_SHADES */
};

/** What a horizontal rule marks. */
enum svg_rule_kind { SVG_RULE_WARN, SVG_RULE_CRIT, SVG_RULE_TARGET };

/** A horizontal line across the plot at y (a threshold, an objective). */
struct svg_rule {
	double y;
	const char *label; /**< drawn above the line's right end; NULL: none */
	enum svg_rule_kind kind;
};

/** How the series are drawn. */
enum svg_kind {
	SVG_LINES,   /**< each series a line with a dot on each point */
	SVG_STACKED, /**< areas stacked in series order, the first at the bottom */
};

/** A chart. All pointers are borrowed for the call. */
struct svg_chart {
	const char *id;        /**< unique in the page, [A-Za-z0-9_-]: prefixes the ids of title and desc */
	const char *title;     /**< drawn at the top and the accessible name */
	const char *desc;      /**< the accessible description; NULL: the title */
	enum svg_kind kind;
	const double *x;       /**< n values, ascending for lines to read well */
	size_t n;
	struct svg_axis xa, ya;
	const struct svg_series *series;
	size_t n_series;
	const struct svg_band *bands;
	size_t n_bands;
	const struct svg_rule *rules;
	size_t n_rules;
	double width, height;  /**< the viewBox; 0: 480 x 300 */
	bool standalone;       /**< a file of its own: xmlns, an XML comment, the style inline */
	const char *comment;   /**< standalone: a line written as an XML comment first; NULL: none */
};

/**
 * Draw a chart into out.
 * @return 0; HR_E_INVALID for a chart that cannot be drawn (no id, an id
 *         with other characters, series without values, more than
 *         SVG_MAX_POINTS points); HR_E_TOO_LARGE past out's cap. Data with
 *         no finite point is drawn as empty axes saying "no data".
 */
HR_NODISCARD int svg_render(const struct svg_chart *c, struct strbuf *out);

/**
 * The CSS the charts' classes need, light and dark (prefers-color-scheme),
 * for a page that inlines charts (a standalone chart carries its own).
 * @return 0 or HR_E_TOO_LARGE.
 */
HR_NODISCARD int svg_style(struct strbuf *out);

/** Ticks chosen for an axis. */
struct svg_ticks {
	double lo, hi; /**< the axis range, widened to whole steps */
	double step;   /**< distance between ticks (log: the factor, 10 or more) */
	size_t n;
	double v[SVG_MAX_TICKS];
};

/**
 * Heckbert's loose labelling of [lo, hi] with about max_ticks ticks (2 to
 * SVG_MAX_TICKS): step = nice(nice(hi - lo) / (max_ticks - 1)), rounded;
 * range widened to multiples of step. An empty range (lo == hi) is widened
 * around the value first (0 gives 0..1). Non-finite or lo > hi gives 0..1.
 */
void svg_nice_ticks(double lo, double hi, unsigned max_ticks, struct svg_ticks *out);

/** Heckbert's nice number: 1, 2, 5 or 10 times a power of ten near x (> 0); round picks the nearest, else the one above. */
double svg_nice_number(double x, bool round);

/**
 * Append text XML-escaped for element content and attribute values (also
 * right for HTML): & < > " ' as entities, control characters other than tab
 * and newline dropped, invalid UTF-8 as U+FFFD. NULL appends nothing.
 * @return 0 or HR_E_TOO_LARGE.
 */
HR_NODISCARD int svg_escape(struct strbuf *out, const char *text);

/** A plain number with the decimals the step needs, thousands as k, M, G, T: "0.25", "1.5k", "20M". */
void svg_fmt_number(double v, double step, const void *ctx, char *buf, size_t n);
/** A ratio as a percentage with the decimals the step needs: 0.7 -> "70%". */
void svg_fmt_percent(double v, double step, const void *ctx, char *buf, size_t n);
/** A duration in seconds in one short unit: "0", "250 ms", "1.5 s", "20 min". */
void svg_fmt_duration(double v, double step, const void *ctx, char *buf, size_t n);
/** Unix seconds in UTC: "14:05" below a day's step, "3 Mar" from a day up. */
void svg_fmt_time(double v, double step, const void *ctx, char *buf, size_t n);

#endif
