/* pgconf.h - the postgresql.conf `export compose` mounts into PostgreSQL:
 * `headroom tune postgres`'s settings (model/pgtune: PGTune's rules, type
 * web, Linux, SSD) for the memory and CPUs the placement gives PostgreSQL
 * and the version its image's tag names. */
#ifndef HR_RENDER_PGCONF_H
#define HR_RENDER_PGCONF_H

#include "render/exports.h"
#include "util/error.h"
#include "util/strbuf.h"

/**
 * Write the settings file of the PostgreSQL component x->comps[i]: the
 * header, listen_addresses = '*' (the file replaces the image's own), and
 * the tuned settings for the memory and CPUs its placement gives it and
 * its max_connections.
 * @return 0, or HR_E_TOO_LARGE past out's cap.
 */
HR_NODISCARD int pgconf_render(const struct export_doc *x, size_t i, struct strbuf *out);

#endif
