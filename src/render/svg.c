/* svg.c - the chart writer (see svg.h for why it is hand-written). */
#include "render/svg.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/xalloc.h"

/* Layout, in viewBox units (px at 1:1). The font sizes are the CSS ones. */
enum { FONT = 12, TITLE_FONT = 14, RULE_FONT = 11 };
#define CHAR_W (0.6 * FONT) /* a digit or Latin letter of system-ui at 12 px, a little over */
#define DEFAULT_W 480.0
#define DEFAULT_H 300.0

/* ------------------------------------------------------------ escaping -- */

/* Length of the valid UTF-8 sequence at s (1-4), or 0 when it is not one. */
static size_t utf8_len(const unsigned char *s)
{
	if (s[0] < 0x80)
		return 1;
	size_t n;
	uint32_t cp;
	if ((s[0] & 0xE0) == 0xC0) {
		n = 2;
		cp = s[0] & 0x1Fu;
	} else if ((s[0] & 0xF0) == 0xE0) {
		n = 3;
		cp = s[0] & 0x0Fu;
	} else if ((s[0] & 0xF8) == 0xF0) {
		n = 4;
		cp = s[0] & 0x07u;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3Fu);
	}
	/* overlong forms, surrogates, past U+10FFFF, and U+FFFE/U+FFFF (not XML characters) */
	static const uint32_t min_cp[5] = {0, 0, 0x80, 0x800, 0x10000};
	if (cp < min_cp[n] || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF || cp == 0xFFFE || cp == 0xFFFF)
		return 0;
	return n;
}

int svg_escape(struct strbuf *out, const char *text)
{
	if (!text)
		return 0;
	const unsigned char *p = (const unsigned char *)text;
	int rc = 0;
	while (*p && !rc) {
		const char *ent = NULL;
		switch (*p) {
		case '&': ent = "&amp;"; break;
		case '<': ent = "&lt;"; break;
		case '>': ent = "&gt;"; break;
		case '"': ent = "&quot;"; break;
		case '\'': ent = "&#39;"; break;
		default: break;
		}
		if (ent) {
			rc = strbuf_puts(out, ent);
			p++;
			continue;
		}
		if (*p < 0x20 && *p != '\t' && *p != '\n') {
			p++; /* XML 1.0 has no place for other control characters */
			continue;
		}
		size_t n = utf8_len(p);
		if (n == 0) {
			rc = strbuf_puts(out, "\xEF\xBF\xBD"); /* U+FFFD for a byte that is not UTF-8 */
			p++;
			continue;
		}
		rc = strbuf_append(out, p, n);
		p += n;
	}
	return rc;
}

/* Displayed characters of a UTF-8 string (code points). */
static size_t text_chars(const char *s)
{
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)s; p && *p; p++)
		n += (*p & 0xC0) != 0x80;
	return n;
}

static double text_w(const char *s, double font)
{
	return (double)text_chars(s) * 0.6 * font;
}

/* --------------------------------------------------------------- ticks -- */

double svg_nice_number(double x, bool round)
{
	if (!(x > 0) || !isfinite(x))
		return 1;
	double e = floor(log10(x));
	double p = pow(10, e);
	double f = x / p, nf;
	if (round)
		nf = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
	else
		nf = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
	return nf * p;
}

void svg_nice_ticks(double lo, double hi, unsigned max_ticks, struct svg_ticks *t)
{
	if (max_ticks < 2)
		max_ticks = 2;
	if (max_ticks > SVG_MAX_TICKS)
		max_ticks = SVG_MAX_TICKS;
	if (!isfinite(lo) || !isfinite(hi) || lo > hi || !isfinite(hi - lo)) {
		lo = 0;
		hi = 1;
	}
	if (lo == hi) {
		/* one value: a range around it that shows it in the middle */
		double d = lo == 0 ? 1 : fabs(lo) * 0.1;
		lo -= d;
		hi += d;
		if (lo == hi) { /* too close to the limits of a double */
			lo = 0;
			hi = 1;
		}
	}
	double range = svg_nice_number(hi - lo, false);
	double step = svg_nice_number(range / (max_ticks - 1), true);
	double first = floor(lo / step) * step, last = ceil(hi / step) * step;
	/* rounding can leave one step too many: drop ticks until it fits */
	while ((last - first) / step + 1.5 > SVG_MAX_TICKS && isfinite(step * 1.5)) {
		step = svg_nice_number(step * 1.5, true);
		first = floor(lo / step) * step;
		last = ceil(hi / step) * step;
	}
	t->lo = first;
	t->hi = last;
	t->step = step;
	t->n = 0;
	for (double k = 0; t->n < SVG_MAX_TICKS; k++) {
		double v = first + k * step;
		if (v > last + step * 0.5)
			break;
		/* print 0 as 0, not as 1e-17 */
		t->v[t->n++] = fabs(v) < step * 1e-9 ? 0 : v;
	}
}

/* Powers of ten, with 2x and 5x between when they fit. */
static void log_ticks(double lo, double hi, unsigned max_ticks, struct svg_ticks *t)
{
	int e0 = (int)floor(log10(lo) + 1e-9), e1 = (int)ceil(log10(hi) - 1e-9);
	if (e1 <= e0)
		e1 = e0 + 1;
	static const double m[3] = {1, 2, 5};
	/* 1-2-5 ticks, the range cut to the ticks next to the data */
	double c[3 * 40 + 1];
	size_t nc = 0;
	for (int e = e0; e <= e1 && nc + 3 < sizeof(c) / sizeof(c[0]); e++)
		for (int i = 0; i < 3; i++)
			c[nc++] = m[i] * pow(10, e);
	size_t a = 0, b = nc - 1;
	while (a + 1 < nc && c[a + 1] <= lo * (1 + 1e-9))
		a++;
	while (b > 0 && c[b - 1] >= hi * (1 - 1e-9))
		b--;
	t->n = 0;
	if (b >= a && b - a + 1 <= max_ticks && e1 - e0 <= 12) {
		for (size_t i = a; i <= b; i++)
			t->v[t->n++] = c[i];
		t->lo = c[a];
		t->hi = c[b];
		t->step = 2;
		return;
	}
	int stride = 1;
	while ((e1 - e0) / stride + 1 > (int)max_ticks)
		stride++;
	e0 = (int)(floor((double)e0 / stride) * stride);
	e1 = (int)(ceil((double)e1 / stride) * stride);
	for (int e = e0; e <= e1 && t->n < SVG_MAX_TICKS; e += stride)
		t->v[t->n++] = pow(10, e);
	t->lo = t->v[0];
	t->hi = t->v[t->n - 1];
	t->step = pow(10, stride);
}

/* Whole minutes, hours, days (UTC: midnight is on a multiple of 86400). */
static void time_ticks(double lo, double hi, unsigned max_ticks, struct svg_ticks *t)
{
	static const double steps[] = {1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200,
				       10800, 21600, 43200, 86400, 172800, 604800, 1209600, 2592000};
	if (hi <= lo)
		hi = lo + 60;
	double step = 0;
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]) && !step; i++)
		if ((hi - lo) / steps[i] <= max_ticks - 1)
			step = steps[i];
	if (!step)
		step = svg_nice_number((hi - lo) / 86400 / (max_ticks - 1), true) * 86400;
	/* the data's own ends, ticks inside them: a time axis is not widened */
	t->lo = lo;
	t->hi = hi;
	t->step = step;
	t->n = 0;
	for (double v = ceil(lo / step) * step; v <= hi + 1e-6 && t->n < SVG_MAX_TICKS; v += step)
		t->v[t->n++] = v;
}

/* ---------------------------------------------------------- formatting -- */

/* Decimals a step needs: 0.25 -> 2, 5 -> 0. */
static int decimals_for(double step)
{
	if (!(step > 0) || !isfinite(step))
		return 0;
	int d = (int)ceil(-log10(step) - 1e-9);
	return d < 0 ? 0 : d > 9 ? 9 : d;
}

static void strip_zeros(char *s)
{
	char *dot = strchr(s, '.');
	if (!dot)
		return;
	char *end = s + strlen(s);
	while (end > dot + 1 && end[-1] == '0')
		*--end = 0;
	if (end == dot + 1)
		*dot = 0;
}

void svg_fmt_number(double v, double step, const void *ctx, char *buf, size_t n)
{
	(void)ctx;
	if (!isfinite(v)) {
		snprintf(buf, n, "-");
		return;
	}
	if (v == 0) {
		snprintf(buf, n, "0");
		return;
	}
	if (!(step > 0))
		step = pow(10, floor(log10(fabs(v))) - 2); /* three significant digits */
	static const struct {
		double f;
		const char *s;
	} units[] = {{1e12, "T"}, {1e9, "G"}, {1e6, "M"}, {1e3, "k"}};
	double f = 1;
	const char *suf = "";
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (fabs(v) >= units[i].f) {
			f = units[i].f;
			suf = units[i].s;
			break;
		}
	}
	char num[64];
	snprintf(num, sizeof(num), "%.*f", decimals_for(step / f), v / f);
	strip_zeros(num);
	if (strcmp(num, "-0") == 0)
		snprintf(num, sizeof(num), "0");
	snprintf(buf, n, "%s%s", num, suf);
}

void svg_fmt_percent(double v, double step, const void *ctx, char *buf, size_t n)
{
	(void)ctx;
	if (!isfinite(v)) {
		snprintf(buf, n, "-");
		return;
	}
	if (!(step > 0))
		step = v == 0 ? 0.01 : pow(10, floor(log10(fabs(v))) - 2); /* three figures */
	snprintf(buf, n, "%.*f%%", decimals_for(step * 100), v * 100);
}

void svg_fmt_duration(double v, double step, const void *ctx, char *buf, size_t n)
{
	(void)ctx;
	(void)step;
	if (v == 0)
		snprintf(buf, n, "0");
	else if (v < 1)
		snprintf(buf, n, "%.3g ms", v * 1e3);
	else if (v < 600)
		snprintf(buf, n, "%.3g s", v);
	else
		snprintf(buf, n, "%.3g min", v / 60);
}

void svg_fmt_time(double v, double step, const void *ctx, char *buf, size_t n)
{
	(void)ctx;
	static const char *const mon[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	if (!isfinite(v) || fabs(v) > 1e13) {
		snprintf(buf, n, "-");
		return;
	}
	time_t tt = (time_t)floor(v);
	struct tm tm;
	if (!gmtime_r(&tt, &tm)) {
		snprintf(buf, n, "-");
		return;
	}
	if (step > 0 && step >= 86400)
		snprintf(buf, n, "%d %s", tm.tm_mday, mon[tm.tm_mon % 12]);
	else if (step > 0 && step < 60)
		snprintf(buf, n, "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
	else
		snprintf(buf, n, "%02d:%02d", tm.tm_hour, tm.tm_min);
}

/* Text cut to max_px at a character boundary, with an ellipsis when cut; a
 * cut text carries the whole as its hover title. */
static int put_fitted(struct strbuf *out, const char *text, double max_px, double font)
{
	if (text_w(text, font) <= max_px)
		return svg_escape(out, text);
	size_t keep = max_px > font ? (size_t)(max_px / (0.6 * font)) - 1 : 0, chars = 0;
	const char *p = text;
	while (*p && chars < keep) {
		p++;
		while ((*p & 0xC0) == 0x80)
			p++;
		chars++;
	}
	char *cut = xstrndup(text, (size_t)(p - text));
	int rc = strbuf_puts(out, "<title>");
	if (!rc)
		rc = svg_escape(out, text);
	if (!rc)
		rc = strbuf_puts(out, "</title>");
	if (!rc)
		rc = svg_escape(out, cut);
	if (!rc)
		rc = strbuf_puts(out, "\xE2\x80\xA6");
	free(cut);
	return rc;
}

/* ------------------------------------------------------------- drawing -- */

/* A coordinate with one decimal, "-0" and ".0" left out. */
static int put_num(struct strbuf *out, double v)
{
	char b[48];
	double r = round(v * 10) / 10;
	if (r == 0)
		r = 0;
	if (r == floor(r))
		snprintf(b, sizeof(b), "%.0f", r);
	else
		snprintf(b, sizeof(b), "%.1f", r);
	return strbuf_puts(out, b);
}

/* Append a printf-like string where %N is a coordinate (put_num) and %s
 * a string copied as is; nothing else is interpreted. Keeps the drawing
 * code readable while every coordinate goes through put_num. */
static int emit(struct strbuf *out, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = 0;
	const char *p = fmt;
	while (*p && !rc) {
		const char *q = strchr(p, '%');
		if (!q) {
			rc = strbuf_puts(out, p);
			break;
		}
		if (q > p)
			rc = strbuf_append(out, p, (size_t)(q - p));
		if (rc)
			break;
		if (q[1] == 'N')
			rc = put_num(out, va_arg(ap, double));
		else if (q[1] == 's')
			rc = strbuf_puts(out, va_arg(ap, const char *));
		else
			rc = strbuf_append(out, q, 2);
		p = q[1] ? q + 2 : q + 1;
	}
	va_end(ap);
	return rc;
}

struct frame {
	double left, top, pw, ph; /* the plot area */
	struct svg_ticks xt, yt;
	enum svg_scale xs, ys;
};

static double map(double v, double lo, double hi, enum svg_scale s)
{
	if (s == SVG_LOG)
		return (log10(v) - log10(lo)) / (log10(hi) - log10(lo));
	return (v - lo) / (hi - lo);
}

static double px(const struct frame *f, double x)
{
	return f->left + map(x, f->xt.lo, f->xt.hi, f->xs) * f->pw;
}

static double py(const struct frame *f, double y)
{
	return f->top + f->ph - map(y, f->yt.lo, f->yt.hi, f->ys) * f->ph;
}

/* Can the axis show this value? */
static bool usable(double v, enum svg_scale s)
{
	return isfinite(v) && (s != SVG_LOG || v > 0);
}

static void fmt_axis(const struct svg_axis *a, double v, double step, char *buf, size_t n)
{
	svg_fmt_fn fn = a->fmt ? a->fmt : a->scale == SVG_TIME ? svg_fmt_time : svg_fmt_number;
	fn(v, step, a->fmt_ctx, buf, n);
}

static void choose_ticks(const struct svg_axis *a, double lo, double hi, unsigned max_ticks, struct svg_ticks *t)
{
	if (a->scale == SVG_LOG && lo > 0 && hi > 0)
		log_ticks(lo, hi, max_ticks, t);
	else if (a->scale == SVG_TIME)
		time_ticks(lo, hi, max_ticks, t);
	else
		svg_nice_ticks(lo, hi, max_ticks, t);
}

/* The widest label of a tick set, in px. */
static double labels_w(const struct svg_axis *a, const struct svg_ticks *t)
{
	double w = 0;
	char b[64];
	for (size_t i = 0; i < t->n; i++) {
		fmt_axis(a, t->v[i], t->step, b, sizeof(b));
		double tw = text_w(b, FONT);
		if (tw > w)
			w = tw;
	}
	return w;
}

/* A stacked chart's cumulative top of series s at point i (NaN: a gap). */
static double stack_at(const struct svg_chart *c, size_t s, size_t i)
{
	double sum = 0;
	for (size_t k = 0; k <= s; k++) {
		double v = c->series[k].y[i];
		if (!isfinite(v))
			return NAN;
		sum += v;
	}
	return sum;
}

static double value_at(const struct svg_chart *c, size_t s, size_t i)
{
	return c->kind == SVG_STACKED ? stack_at(c, s, i) : c->series[s].y[i];
}

static bool point_ok(const struct svg_chart *c, const struct frame *f, size_t s, size_t i)
{
	return usable(c->x[i], f->xs) && usable(value_at(c, s, i), f->ys);
}

static int validate(const struct svg_chart *c)
{
	if (!c->id || !c->id[0] || c->n > SVG_MAX_POINTS || (c->n && !c->x))
		return HR_E_INVALID;
	for (const char *p = c->id; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-' ||
		      *p == '_'))
			return HR_E_INVALID;
	for (size_t s = 0; s < c->n_series; s++)
		if (c->n && !c->series[s].y)
			return HR_E_INVALID;
	if (c->n_series && !c->series)
		return HR_E_INVALID;
	if ((c->n_bands && !c->bands) || (c->n_rules && !c->rules))
		return HR_E_INVALID;
	return 0;
}

/* Width of one legend item: a swatch, the name (cut to the row), a gap. */
static double legend_item_w(const struct svg_series *se, double width)
{
	return 16 + fmin(text_w(se->name ? se->name : "", FONT), width - 16) + 14;
}

/* Rows the legend takes when its items wrap at width. */
static int legend_rows(const struct svg_chart *c, double width)
{
	int rows = c->n_series ? 1 : 0;
	double x = 0;
	for (size_t s = 0; s < c->n_series; s++) {
		double w = legend_item_w(&c->series[s], width);
		if (x > 0 && x + w - 14 > width) {
			x = 0;
			rows++;
		}
		x += w;
	}
	return rows;
}

/* The legend: items left to right from (x0, y0), wrapping as legend_rows() counts. */
static int draw_legend(const struct svg_chart *c, double x0, double y0, double width, struct strbuf *out)
{
	if (!c->n_series)
		return 0;
	double x = x0, y = y0;
	int rc = strbuf_puts(out, "<g class=\"hr-legend\">");
	for (size_t s = 0; s < c->n_series && !rc; s++) {
		const struct svg_series *se = &c->series[s];
		double w = legend_item_w(se, width);
		if (x > x0 && x + w - 14 > x0 + width) {
			x = x0;
			y += 18;
		}
		char cls[16];
		snprintf(cls, sizeof(cls), "hr-c%u", se->color % SVG_PALETTE);
		if (c->kind == SVG_STACKED)
			rc = emit(out, "<rect class=\"hr-sw %s\" x=\"%N\" y=\"%N\" width=\"12\" height=\"12\"/>", cls, x,
				  y - 10);
		else
			rc = emit(out, "<path class=\"hr-line %s%s\" d=\"M%N %NH%N\"/>", cls, se->dashed ? " hr-dash" : "", x,
				  y - 4, x + 12);
		if (!rc)
			rc = emit(out, "<text x=\"%N\" y=\"%N\">", x + 16, y);
		if (!rc)
			rc = put_fitted(out, se->name ? se->name : "", width - 16, FONT);
		if (!rc)
			rc = strbuf_puts(out, "</text>");
		x += w;
	}
	if (!rc)
		rc = strbuf_puts(out, "</g>\n");
	return rc;
}

/* An XML comment: "--" may not appear in one, nor a control character. */
static int put_comment(struct strbuf *out, const char *text)
{
	int rc = strbuf_puts(out, "<!-- ");
	for (const unsigned char *p = (const unsigned char *)text; *p && !rc;) {
		size_t n = utf8_len(p);
		if (p[0] == '-' && p[1] == '-')
			rc = strbuf_puts(out, "- ");
		else if (n == 0 || *p < 0x20)
			rc = strbuf_puts(out, " ");
		else
			rc = strbuf_append(out, p, n);
		p += n ? n : 1;
	}
	if (!rc)
		rc = strbuf_puts(out, " -->\n");
	return rc;
}

static int draw_tip(struct strbuf *out, const struct svg_chart *c, size_t s, size_t i)
{
	const struct svg_series *se = &c->series[s];
	int rc = strbuf_puts(out, "<title>");
	if (!rc && se->tips && se->tips[i]) {
		rc = svg_escape(out, se->tips[i]);
	} else if (!rc) {
		char xb[64], yb[64];
		fmt_axis(&c->xa, c->x[i], 0, xb, sizeof(xb));
		fmt_axis(&c->ya, se->y[i], 0, yb, sizeof(yb));
		rc = svg_escape(out, se->name);
		if (!rc)
			rc = strbuf_puts(out, ": ");
		if (!rc)
			rc = svg_escape(out, xb);
		if (!rc)
			rc = strbuf_puts(out, ", ");
		if (!rc)
			rc = svg_escape(out, yb);
	}
	if (!rc)
		rc = strbuf_puts(out, "</title>");
	return rc;
}

/* A line (or an area's top) through the usable points, broken at gaps. */
static int draw_series(struct strbuf *out, const struct svg_chart *c, const struct frame *f, size_t s)
{
	const struct svg_series *se = &c->series[s];
	char cls[16];
	snprintf(cls, sizeof(cls), "hr-c%u", se->color % SVG_PALETTE);
	int rc = 0;
	if (c->kind == SVG_STACKED) {
		/* one closed shape per run of usable points: along this top, back along the one below */
		size_t i = 0;
		while (i < c->n && !rc) {
			while (i < c->n && !point_ok(c, f, s, i))
				i++;
			size_t a = i;
			while (i < c->n && point_ok(c, f, s, i))
				i++;
			if (a == i)
				break;
			rc = emit(out, "<path class=\"hr-area %s\" d=\"", cls);
			for (size_t k = a; k < i && !rc; k++)
				rc = emit(out, k == a ? "M%N %N" : "L%N %N", px(f, c->x[k]), py(f, value_at(c, s, k)));
			for (size_t k = i; k > a && !rc; k--) {
				double below = s ? stack_at(c, s - 1, k - 1) : 0;
				if (!usable(below, f->ys))
					below = f->yt.lo;
				rc = emit(out, "L%N %N", px(f, c->x[k - 1]), py(f, below));
			}
			if (!rc)
				rc = strbuf_puts(out, "Z\"/>\n");
		}
	}
	if (rc)
		return rc;
	/* the line */
	bool pen = false, any = false;
	for (size_t i = 0; i < c->n && !rc; i++) {
		if (!point_ok(c, f, s, i)) {
			pen = false;
			continue;
		}
		if (!any)
			rc = emit(out, "<path class=\"hr-line %s%s\" d=\"", cls, se->dashed ? " hr-dash" : "");
		any = true;
		if (!rc)
			rc = emit(out, pen ? "L%N %N" : "M%N %N", px(f, c->x[i]), py(f, value_at(c, s, i)));
		pen = true;
	}
	if (any && !rc)
		rc = strbuf_puts(out, "\"/>\n");
	/* a dot with a hover text on every point; smaller where points crowd */
	double r = f->pw / (c->n ? (double)c->n : 1) < 12 ? 2 : 3;
	for (size_t i = 0; i < c->n && !rc && !se->no_points; i++) {
		if (!point_ok(c, f, s, i))
			continue;
		rc = emit(out, "<circle class=\"hr-pt %s%s\" cx=\"%N\" cy=\"%N\" r=\"%N\">", cls, r < 3 ? " hr-dense" : "",
			  px(f, c->x[i]), py(f, value_at(c, s, i)), r);
		if (!rc)
			rc = draw_tip(out, c, s, i);
		if (!rc)
			rc = strbuf_puts(out, "</circle>\n");
	}
	return rc;
}

int svg_render(const struct svg_chart *c, struct strbuf *out)
{
	int rc = validate(c);
	if (rc)
		return rc;
	const double W = c->width > 0 ? c->width : DEFAULT_W, H = c->height > 0 ? c->height : DEFAULT_H;
	struct frame f = {.xs = c->xa.scale, .ys = c->ya.scale};

	/* Data ranges. */
	double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
	bool any = false;
	for (size_t i = 0; i < c->n; i++) {
		if (!usable(c->x[i], f.xs))
			continue;
		for (size_t s = 0; s < c->n_series; s++) {
			double v = value_at(c, s, i);
			if (!usable(v, f.ys))
				continue;
			any = true;
			xlo = fmin(xlo, c->x[i]);
			xhi = fmax(xhi, c->x[i]);
			ylo = fmin(ylo, v);
			yhi = fmax(yhi, v);
		}
	}
	for (size_t r = 0; r < c->n_rules; r++) {
		if (usable(c->rules[r].y, f.ys)) {
			ylo = fmin(ylo, c->rules[r].y);
			yhi = fmax(yhi, c->rules[r].y);
		}
	}
	if (c->kind == SVG_STACKED && f.ys != SVG_LOG && isfinite(ylo))
		ylo = fmin(ylo, 0);
	if (c->ya.zero && f.ys == SVG_LINEAR) {
		ylo = fmin(ylo, 0);
		yhi = fmax(yhi, 0);
	}
	if (usable(c->xa.min, f.xs))
		xlo = c->xa.min;
	if (usable(c->xa.max, f.xs))
		xhi = c->xa.max;
	if (usable(c->ya.min, f.ys))
		ylo = c->ya.min;
	if (usable(c->ya.max, f.ys))
		yhi = c->ya.max;
	if (!(xlo <= xhi)) {
		xlo = f.xs == SVG_LOG ? 1 : 0;
		xhi = f.xs == SVG_LOG ? 10 : 1;
	}
	if (!(ylo <= yhi)) {
		ylo = f.ys == SVG_LOG ? 1 : 0;
		yhi = f.ys == SVG_LOG ? 10 : 1;
	}
	if (f.xs == SVG_LOG && xlo == xhi) {
		xlo /= 2;
		xhi *= 2;
	}
	if (f.ys == SVG_LOG && ylo == yhi) {
		ylo /= 2;
		yhi *= 2;
	}
	if (f.xs == SVG_TIME && xlo == xhi) {
		xlo -= 30;
		xhi += 30;
	}

	/* Frame: title, legend rows, then the plot; margins fit the tick labels. */
	int rows = legend_rows(c, W - 16);
	f.top = 8 + TITLE_FONT + 6 + rows * 18 + (rows ? 4 : 0) + 8;
	double bottom = 8 + FONT + 8 + (c->xa.title ? FONT + 8 : 0);
	f.ph = H - f.top - bottom;
	if (f.ph < 40)
		f.ph = 40;
	unsigned ymax = (unsigned)(f.ph / 36) + 1;
	choose_ticks(&c->ya, ylo, yhi, ymax < 3 ? 3 : ymax, &f.yt);
	f.left = 8 + (c->ya.title ? FONT + 6 : 0) + labels_w(&c->ya, &f.yt) + 6;
	/* x ticks: as many as fit side by side with a gap between labels */
	unsigned xmax = 8;
	for (;;) {
		choose_ticks(&c->xa, xlo, xhi, xmax, &f.xt);
		double lw = labels_w(&c->xa, &f.xt);
		f.pw = W - f.left - (lw / 2 + 8);
		if (f.xt.n <= 2 || xmax <= 2 || (lw + 10) * (double)f.xt.n <= f.pw)
			break;
		xmax--;
	}
	if (f.pw < 40)
		f.pw = 40;

	/* Head. */
	if (c->standalone && c->comment)
		rc = put_comment(out, c->comment);
	if (!rc)
		rc = emit(out,
			  "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"hr-chart\" viewBox=\"0 0 %N %N\" width=\"%N\" "
			  "height=\"%N\" role=\"img\" aria-labelledby=\"%s-title %s-desc\">\n<title id=\"%s-title\">",
			  W, H, W, H, c->id, c->id, c->id);
	if (!rc)
		rc = svg_escape(out, c->title);
	if (!rc)
		rc = emit(out, "</title>\n<desc id=\"%s-desc\">", c->id);
	if (!rc)
		rc = svg_escape(out, c->desc ? c->desc : c->title);
	if (!rc)
		rc = strbuf_puts(out, "</desc>\n");
	if (!rc && c->standalone) {
		rc = strbuf_puts(out, "<style>\n");
		if (!rc)
			rc = svg_style(out);
		if (!rc)
			rc = strbuf_puts(out, "</style>\n");
	}
	if (!rc)
		rc = emit(out, "<rect class=\"hr-bg\" width=\"%N\" height=\"%N\"/>\n<text class=\"hr-title\" x=\"8\" y=\"%N\">", W,
			  H, 8.0 + TITLE_FONT);
	if (!rc)
		rc = put_fitted(out, c->title ? c->title : "", W - 16, TITLE_FONT);
	if (!rc)
		rc = strbuf_puts(out, "</text>\n");
	if (!rc)
		rc = draw_legend(c, 8, 8 + TITLE_FONT + 6 + FONT, W - 16, out);
	if (!rc)
		rc = emit(out, "<clipPath id=\"%s-clip\"><rect x=\"%N\" y=\"%N\" width=\"%N\" height=\"%N\"/></clipPath>\n",
			  c->id, f.left, f.top, f.pw, f.ph);

	/* Bands, behind everything; their labels after all of them, so none is covered. */
	for (size_t b = 0; b < c->n_bands && !rc; b++) {
		const struct svg_band *bd = &c->bands[b];
		double a = fmax(bd->x0, f.xt.lo), z = fmin(bd->x1, f.xt.hi);
		if (!usable(a, f.xs) || !usable(z, f.xs) || z <= a)
			continue;
		double x0 = px(&f, a), x1 = px(&f, z);
		char cls[16];
		snprintf(cls, sizeof(cls), "hr-band%u", bd->shade % SVG_SHADES);
		rc = emit(out, "<rect class=\"%s\" x=\"%N\" y=\"%N\" width=\"%N\" height=\"%N\"/>\n", cls, x0, f.top,
			  x1 - x0, f.ph);
	}
	for (size_t b = 0; b < c->n_bands && !rc; b++) {
		const struct svg_band *bd = &c->bands[b];
		double a = fmax(bd->x0, f.xt.lo), z = fmin(bd->x1, f.xt.hi);
		if (!bd->label || !usable(a, f.xs) || !usable(z, f.xs) || z <= a)
			continue;
		double x0 = px(&f, a), x1 = px(&f, z);
		if (text_w(bd->label, FONT) + 6 > x1 - x0)
			continue;
		rc = emit(out, "<text class=\"hr-band-label\" x=\"%N\" y=\"%N\" text-anchor=\"middle\">", (x0 + x1) / 2,
			  f.top + FONT + 2);
		if (!rc)
			rc = svg_escape(out, bd->label);
		if (!rc)
			rc = strbuf_puts(out, "</text>\n");
	}

	/* Grid and tick labels. */
	char lb[64];
	if (!rc)
		rc = strbuf_puts(out, "<g class=\"hr-grid\">");
	for (size_t i = 0; i < f.yt.n && !rc; i++)
		rc = emit(out, "<path d=\"M%N %NH%N\"/>", f.left, py(&f, f.yt.v[i]), f.left + f.pw);
	for (size_t i = 0; i < f.xt.n && !rc; i++)
		rc = emit(out, "<path d=\"M%N %NV%N\"/>", px(&f, f.xt.v[i]), f.top, f.top + f.ph);
	if (!rc)
		rc = strbuf_puts(out, "</g>\n<g class=\"hr-ticks\">");
	for (size_t i = 0; i < f.yt.n && !rc; i++) {
		fmt_axis(&c->ya, f.yt.v[i], f.yt.step, lb, sizeof(lb));
		rc = emit(out, "<text x=\"%N\" y=\"%N\" text-anchor=\"end\">", f.left - 6, py(&f, f.yt.v[i]) + FONT * 0.35);
		if (!rc)
			rc = svg_escape(out, lb);
		if (!rc)
			rc = strbuf_puts(out, "</text>");
	}
	for (size_t i = 0; i < f.xt.n && !rc; i++) {
		fmt_axis(&c->xa, f.xt.v[i], f.xt.step, lb, sizeof(lb));
		rc = emit(out, "<text x=\"%N\" y=\"%N\" text-anchor=\"middle\">", px(&f, f.xt.v[i]),
			  f.top + f.ph + FONT + 8); /* clear of the lowest y label */
		if (!rc)
			rc = svg_escape(out, lb);
		if (!rc)
			rc = strbuf_puts(out, "</text>");
	}
	if (!rc)
		rc = emit(out, "</g>\n<path class=\"hr-axis\" d=\"M%N %NV%NH%N\"/>\n", f.left, f.top, f.top + f.ph,
			  f.left + f.pw);
	if (!rc && c->xa.title) {
		rc = emit(out, "<text class=\"hr-axis-title\" x=\"%N\" y=\"%N\" text-anchor=\"middle\">", f.left + f.pw / 2,
			  H - 8);
		if (!rc)
			rc = svg_escape(out, c->xa.title);
		if (!rc)
			rc = strbuf_puts(out, "</text>\n");
	}
	if (!rc && c->ya.title) {
		double cx = 8 + FONT, cy = f.top + f.ph / 2;
		rc = emit(out, "<text class=\"hr-axis-title\" x=\"%N\" y=\"%N\" text-anchor=\"middle\" transform=\"rotate(-90 %N %N)\">",
			  cx, cy, cx, cy);
		if (!rc)
			rc = svg_escape(out, c->ya.title);
		if (!rc)
			rc = strbuf_puts(out, "</text>\n");
	}

	/* The data, clipped to the plot. */
	if (!rc)
		rc = emit(out, "<g clip-path=\"url(#%s-clip)\">\n", c->id);
	for (size_t s = 0; s < c->n_series && !rc; s++)
		rc = draw_series(out, c, &f, s);
	static const char *const rule_cls[] = {"hr-warn", "hr-crit", "hr-target"};
	for (size_t r = 0; r < c->n_rules && !rc; r++) {
		const struct svg_rule *ru = &c->rules[r];
		if (!usable(ru->y, f.ys))
			continue;
		rc = emit(out, "<path class=\"hr-rule %s\" d=\"M%N %NH%N\"/>\n", rule_cls[ru->kind % 3], f.left, py(&f, ru->y),
			  f.left + f.pw);
	}
	if (!rc)
		rc = strbuf_puts(out, "</g>\n");
	/* A rule's label sits above its line; one that would touch a label already
	 * placed goes below its line instead, and is left out when both are taken. */
	double placed[64];
	size_t np = 0, order[64], no = 0;
	for (size_t r = 0; r < c->n_rules && no < 64; r++)
		if (usable(c->rules[r].y, f.ys) && c->rules[r].label)
			order[no++] = r;
	/* from the top down, so that of two close lines the upper one's label goes above, the lower one's below */
	for (size_t i = 1; i < no; i++)
		for (size_t j = i; j > 0 && py(&f, c->rules[order[j]].y) < py(&f, c->rules[order[j - 1]].y); j--) {
			size_t t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	for (size_t o = 0; o < no && !rc; o++) {
		const struct svg_rule *ru = &c->rules[order[o]];
		double ly = py(&f, ru->y);
		double cand[2] = {ly - 4, ly + FONT + 1};
		int pick = -1;
		for (int k = 0; k < 2 && pick < 0; k++) {
			bool clear = cand[k] - FONT >= f.top - 2 && cand[k] <= f.top + f.ph;
			for (size_t j = 0; j < np && clear; j++)
				clear = fabs(placed[j] - cand[k]) >= FONT + 1;
			if (clear)
				pick = k;
		}
		if (pick < 0 || np == sizeof(placed) / sizeof(placed[0]))
			continue;
		placed[np++] = cand[pick];
		rc = emit(out, "<text class=\"hr-rule-label %s\" x=\"%N\" y=\"%N\" text-anchor=\"end\">", rule_cls[ru->kind % 3],
			  f.left + f.pw - 4, cand[pick]);
		if (!rc)
			rc = put_fitted(out, ru->label, f.pw - 8, RULE_FONT);
		if (!rc)
			rc = strbuf_puts(out, "</text>\n");
	}
	if (!rc && !any)
		rc = emit(out, "<text class=\"hr-empty\" x=\"%N\" y=\"%N\" text-anchor=\"middle\">no data</text>\n",
			  f.left + f.pw / 2, f.top + f.ph / 2);
	if (!rc)
		rc = strbuf_puts(out, "</svg>\n");
	return rc;
}

/* Okabe & Ito's colour-blind-safe palette ("Color Universal Design", 2008)
 * in light mode; lighter tones of the same hues on a dark background. */
static const char style_text[] =
	".hr-chart{font-family:system-ui,-apple-system,\"Segoe UI\",Roboto,\"DejaVu Sans\",sans-serif;font-size:12px;"
	"max-width:100%;height:auto;--hr-fg:#1f2328;--hr-muted:#57606a;--hr-bg:#ffffff;--hr-grid:#d8dee4;"
	"--hr-band0:#eef2f6;--hr-band1:#e2e8ef;--hr-band2:#f3efe6;--hr-band3:#e9f1ea;--hr-band4:#f1e9f0;--hr-band5:#fbe3e3;"
	"--hr-warn:#9a6700;--hr-crit:#cf222e;--hr-target:#1a7f37;"
	"--hr-c0:#0072b2;--hr-c1:#d55e00;--hr-c2:#009e73;--hr-c3:#cc79a7;--hr-c4:#56b4e9;--hr-c5:#e69f00;"
	"--hr-c6:#6e7781;--hr-c7:#000000}\n"
	"@media (prefers-color-scheme:dark){.hr-chart{--hr-fg:#e6edf3;--hr-muted:#9198a1;--hr-bg:#0d1117;"
	"--hr-grid:#30363d;--hr-band0:#161b22;--hr-band1:#1f2630;--hr-band2:#262219;--hr-band3:#18251c;"
	"--hr-band4:#251a24;--hr-band5:#3a1d1f;--hr-warn:#d29922;--hr-crit:#f85149;--hr-target:#3fb950;"
	"--hr-c0:#58a6ff;--hr-c1:#f0883e;--hr-c2:#3fb98f;--hr-c3:#e39ad0;--hr-c4:#8dd3f7;--hr-c5:#f2c14e;"
	"--hr-c6:#9198a1;--hr-c7:#f0f6fc}}\n"
	".hr-chart text{fill:var(--hr-fg)}\n"
	".hr-bg{fill:var(--hr-bg)}\n"
	".hr-title{font-size:14px;font-weight:600}\n"
	".hr-ticks text,.hr-band-label,.hr-empty{fill:var(--hr-muted)}\n"
	".hr-grid path{stroke:var(--hr-grid);stroke-width:1;fill:none}\n"
	".hr-axis{stroke:var(--hr-muted);stroke-width:1;fill:none}\n"
	".hr-line{fill:none;stroke:var(--c);stroke-width:2;stroke-linejoin:round}\n"
	".hr-dash{stroke-dasharray:6 3}\n"
	".hr-area{stroke:none;fill:var(--c);fill-opacity:.8}\n"
	".hr-sw{fill:var(--c)}\n"
	".hr-pt{fill:var(--c);stroke:var(--hr-bg);stroke-width:1}\n"
	".hr-pt:hover{r:6}\n.hr-dense{stroke:none}\n"
	".hr-rule{fill:none;stroke-width:1.5;stroke-dasharray:5 4}\n"
	".hr-warn{stroke:var(--hr-warn)}\n.hr-crit{stroke:var(--hr-crit)}\n.hr-target{stroke:var(--hr-target)}\n"
	".hr-rule-label{font-size:11px}\n"
	".hr-chart .hr-rule-label.hr-warn{fill:var(--hr-warn)}\n.hr-chart .hr-rule-label.hr-crit{fill:var(--hr-crit)}\n"
	".hr-chart .hr-rule-label.hr-target{fill:var(--hr-target)}\n"
	".hr-band0{fill:var(--hr-band0)}\n.hr-band1{fill:var(--hr-band1)}\n.hr-band2{fill:var(--hr-band2)}\n"
	".hr-band3{fill:var(--hr-band3)}\n.hr-band4{fill:var(--hr-band4)}\n.hr-band5{fill:var(--hr-band5)}\n"
	/* a halo in the background colour keeps a label readable over lines */
	".hr-chart .hr-rule-label,.hr-chart .hr-band-label{paint-order:stroke;stroke:var(--hr-bg);stroke-width:3px;stroke-linejoin:round}\n"
	".hr-c0{--c:var(--hr-c0)}\n.hr-c1{--c:var(--hr-c1)}\n.hr-c2{--c:var(--hr-c2)}\n.hr-c3{--c:var(--hr-c3)}\n"
	".hr-c4{--c:var(--hr-c4)}\n.hr-c5{--c:var(--hr-c5)}\n.hr-c6{--c:var(--hr-c6)}\n.hr-c7{--c:var(--hr-c7)}\n";

int svg_style(struct strbuf *out)
{
	return strbuf_puts(out, style_text);
}
