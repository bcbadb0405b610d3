/* catalog.h - the price catalogue: data/catalog/PROVIDER.yaml plus a config's own entries. */
#ifndef HR_CATALOG_H
#define HR_CATALOG_H

#include "model/model.h"
#include "util/diag.h"
#include "util/error.h"

/**
 * Load every *.yaml file in dir (one provider each) into a new catalogue.
 * @param dir the folder; NULL means the built-in default (HEADROOM_DATADIR/catalog,
 *        or data/catalog next to the binary's source tree when run uninstalled).
 * @param out on success, a catalogue the caller frees with catalog_free().
 * @return 0; HR_E_IO when a file cannot be read; HR_E_INVALID after reporting errors to d.
 */
HR_NODISCARD int catalog_load_dir(const char *dir, struct diag *d, struct catalog *out);

/** Add (or replace, by provider and name) the entries of extra into cat. Copies. */
void catalog_merge(struct catalog *cat, const struct catalog *extra);

/** Find an entry by provider (NULL: any) and name; borrowed, or NULL. */
const struct offer *catalog_find(const struct catalog *cat, const char *provider, const char *name);

/** Deep-copy one offer into dst (which must not own anything yet). */
void offer_copy(struct offer *dst, const struct offer *src);

/** Release an offer's strings; NULL is a no-op. */
void offer_free(struct offer *o);

/** Release a catalogue's contents; NULL is a no-op. */
void catalog_free(struct catalog *cat);

#endif
