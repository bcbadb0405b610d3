/* compose.h - `headroom export compose`: the Compose file of a single or split stage.
 *
 * One service per component the stage runs in a container (a managed
 * database or cache gets none, only a comment), with the plan's replicas,
 * CPU and memory limits and reservations (model/placement.h), a health
 * check, a restart policy, named volumes for PostgreSQL and Redis, the
 * reverse proxy publishing 80 and 443, and the PostgreSQL settings mounted
 * as a config file. Written for the Compose Specification and for the
 * older schema of docker-compose 1.29 alike: no top-level `name:`, no
 * `healthcheck.start_interval` (docs/export.md says why). */
#ifndef HR_RENDER_COMPOSE_H
#define HR_RENDER_COMPOSE_H

#include "render/exports.h"
#include "util/error.h"
#include "util/strbuf.h"

/**
 * Write the Compose file. x->best must be a single, single+ops or split stage.
 * @return 0; HR_E_INVALID for another stage; HR_E_TOO_LARGE past out's cap.
 */
HR_NODISCARD int compose_render(const struct export_doc *x, struct strbuf *out);

/** Index of the component whose PostgreSQL settings are mounted, or x->n. */
size_t compose_pg_index(const struct export_doc *x);

#endif
