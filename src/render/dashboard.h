/* dashboard.h - the agent's page: each trigger's state, value, levels and
 * forecast, the bottleneck, and charts of the stored history (last hour,
 * day, week) with the warn and crit lines.
 *
 * Two documents: the page (GET /), and the part of it that changes each
 * round (GET /dashboard.part), which a small inline script fetches from the
 * agent itself every interval and swaps in, so the page refreshes without a
 * reload and without any other network. The window tabs are CSS (radio
 * buttons) outside the swapped part, so a refresh keeps the reader's
 * choice. The page holds no secret: the token never goes into it. */
#ifndef HR_DASHBOARD_H
#define HR_DASHBOARD_H

#include <stddef.h>

#include "model/live.h"
#include "util/error.h"
#include "util/strbuf.h"

/** The windows of history: last hour, day, week. */
enum { DASH_HOUR, DASH_DAY, DASH_WEEK, DASH_WINDOWS };

/** Width of each window in seconds, and how many points a chart of it has. */
extern const double dash_window_s[DASH_WINDOWS];
/** Points per window chart (the store averages into this many buckets). */
#define DASH_POINTS 120

/** One window of one trigger's series. */
struct dash_window {
	double from, to;     /**< the window (Unix seconds) */
	const double *t, *v; /**< n points in time order; NaN values are gaps */
	size_t n;
};

/** What the page shows; all borrowed. */
struct dash_input {
	const struct live_result *res;   /**< the last round */
	const struct dash_window (*hist)[DASH_WINDOWS]; /**< per trigger of res (n_trig), or NULL: no history */
	const char *version;             /**< headroom's version */
	const char *config;              /**< the config's path, or NULL when the agent runs on defaults */
	const char *listen;              /**< where the agent serves */
	double refresh_s;                /**< how often the page fetches the part again */
};

/**
 * The whole page: head and style, the window tabs, the part, the refresh script.
 * @return 0, HR_E_TOO_LARGE past out's cap, or an error of svg_render().
 */
HR_NODISCARD int dashboard_render_page(const struct dash_input *in, struct strbuf *out);

/**
 * The part that changes each round (an HTML fragment): status line,
 * trigger table, history charts.
 * @return as dashboard_render_page().
 */
HR_NODISCARD int dashboard_render_part(const struct dash_input *in, struct strbuf *out);

#endif
