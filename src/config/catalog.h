/* catalog.h - the price catalogue: data/catalog/PROVIDER.yaml plus a config's own entries. */
#ifndef HR_CATALOG_H
#define HR_CATALOG_H

#include <stdbool.h>

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

/** Does the catalogue hold any entry of provider? */
bool catalog_find_provider(const struct catalog *cat, const char *provider);

/**
 * Convert every price of cat to e->currency (economics.exchange first, then
 * the shipped reference rates, see config/fx.h).
 * @return 0; HR_E_NOTFOUND after reporting each currency without a rate to d
 *         (those entries keep their own currency).
 */
HR_NODISCARD int catalog_to_currency(struct catalog *cat, const struct economics *e, struct diag *d);

/**
 * The folder catalog_load_dir(NULL, ...) reads, the first of:
 * $HEADROOM_CATALOG; $HEADROOM_DATA/catalog; the source tree's data/catalog
 * when the program runs from its build folder; BINDIR/../share/headroom/catalog
 * beside the running binary when it exists (an install under another prefix
 * or DESTDIR); the DATADIR/headroom/catalog the build was configured with.
 * @return a new string the caller frees.
 */
char *catalog_default_dir(void);

/** Deep-copy one offer into dst (which must not own anything yet). */
void offer_copy(struct offer *dst, const struct offer *src);

/** Release an offer's strings; NULL is a no-op. */
void offer_free(struct offer *o);

/** Release a catalogue's contents; NULL is a no-op. */
void catalog_free(struct catalog *cat);

#endif
