/* dashboard.h - the agent's page, gathered: each round's result plus the
 * stored history of each trigger's series over the last hour, day and week,
 * averaged by the store into DASH_POINTS buckets (render/dashboard.h draws
 * it). The hour is read every round; the day and the week, whose buckets
 * are 12 and 84 minutes wide, once a minute. */
#ifndef HR_PIPELINE_DASHBOARD_H
#define HR_PIPELINE_DASHBOARD_H

#include "model/live.h"
#include "render/dashboard.h"
#include "store/store.h"
#include "util/error.h"
#include "util/strbuf.h"

/** Kept across rounds (opaque). */
struct dashboard;

/** A new dashboard; free with dashboard_free(). */
struct dashboard *dashboard_new(void);
/** Free. NULL is a no-op. */
void dashboard_free(struct dashboard *db);

/** Who the page says it is. All borrowed for the calls that follow. */
struct dashboard_about {
	const char *version, *config, *listen;
	double refresh_s;
};

/**
 * Read what the round's triggers need from the store and render the page
 * and its part.
 * @param st the history (borrowed); a read that fails leaves that window empty.
 * @param page, part filled (reset first).
 * @return 0, or an error of the renderer.
 */
HR_NODISCARD int dashboard_update(struct dashboard *db, struct store *st, const struct live_result *res,
				  const struct dashboard_about *about, struct strbuf *page, struct strbuf *part);

#endif
