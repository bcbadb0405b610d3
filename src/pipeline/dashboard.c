/* dashboard.c - gather and render the agent's page (see dashboard.h). */
#include "pipeline/dashboard.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

/* Re-read the day and the week this often (their buckets are 12 and 84 min wide). */
#define LONG_EVERY_S 60.0

struct slot {
	char *series;                   /* the series read last, owned */
	double read_at[DASH_WINDOWS];   /* when each window was read (-inf: never) */
	double t[DASH_WINDOWS][DASH_POINTS], v[DASH_WINDOWS][DASH_POINTS];
	struct dash_window w[DASH_WINDOWS];
};

struct dashboard {
	struct slot *slots;
	size_t n;
	struct dash_window (*hist)[DASH_WINDOWS];
};

struct dashboard *dashboard_new(void)
{
	return xcalloc(1, sizeof(struct dashboard));
}

void dashboard_free(struct dashboard *db)
{
	if (!db)
		return;
	for (size_t i = 0; i < db->n; i++)
		free(db->slots[i].series);
	free(db->slots);
	free(db->hist);
	free(db);
}

/* One window: DASH_POINTS buckets ending at now, a NaN where the store has nothing. */
static void read_window(struct store *st, const char *series, double now, int w, struct slot *s)
{
	double span = dash_window_s[w], step = span / DASH_POINTS;
	/* the buckets end just after now, so the sample of this round falls in the last one */
	double from = now - span + 1e-3;
	struct series pts = {0};
	for (size_t k = 0; k < DASH_POINTS; k++) {
		s->t[w][k] = from + ((double)k + 0.5) * step;
		s->v[w][k] = NAN;
	}
	if (store_read_buckets(st, series, from, from + span, step, &pts) == 0) {
		for (size_t i = 0; i < pts.n; i++) {
			double k = floor((pts.t[i] - from) / step);
			if (k >= 0 && k < DASH_POINTS)
				s->v[w][(size_t)k] = pts.v[i];
		}
	}
	series_free(&pts);
	s->w[w] = (struct dash_window){now - span, now, s->t[w], s->v[w], DASH_POINTS};
	s->read_at[w] = now;
}

int dashboard_update(struct dashboard *db, struct store *st, const struct live_result *res,
		     const struct dashboard_about *about, struct strbuf *page, struct strbuf *part)
{
	if (db->n != res->n_trig) {
		for (size_t i = 0; i < db->n; i++)
			free(db->slots[i].series);
		free(db->slots);
		free(db->hist);
		db->n = res->n_trig;
		db->slots = xcalloc(db->n ? db->n : 1, sizeof(*db->slots));
		db->hist = xcalloc(db->n ? db->n : 1, sizeof(*db->hist));
		for (size_t i = 0; i < db->n; i++)
			for (int w = 0; w < DASH_WINDOWS; w++)
				db->slots[i].read_at[w] = -INFINITY;
	}
	for (size_t i = 0; i < db->n; i++) {
		const struct live_trigger *t = &res->trig[i];
		struct slot *s = &db->slots[i];
		if (!t->series) {
			memset(db->hist[i], 0, sizeof(db->hist[i]));
			continue;
		}
		bool same = s->series && strcmp(s->series, t->series) == 0;
		if (!same) {
			free(s->series);
			s->series = xstrdup(t->series);
		}
		for (int w = 0; w < DASH_WINDOWS; w++)
			if (!same || w == DASH_HOUR || res->now - s->read_at[w] >= LONG_EVERY_S)
				read_window(st, t->series, res->now, w, s);
		memcpy(db->hist[i], s->w, sizeof(s->w));
	}
	struct dash_input in = {
		.res = res,
		.hist = (const struct dash_window(*)[DASH_WINDOWS])db->hist,
		.version = about->version,
		.config = about->config,
		.listen = about->listen,
		.refresh_s = about->refresh_s,
	};
	strbuf_reset(page);
	strbuf_reset(part);
	int rc = dashboard_render_page(&in, page);
	if (!rc)
		rc = dashboard_render_part(&in, part);
	return rc;
}
