/* fx.h - exchange rates between the currencies prices are quoted in.
 *
 * A small table of reference rates ships with headroom (the ECB euro
 * reference rates of one day, docs/catalog.md); a config's
 * economics.exchange overrides it. Rates only need to be good enough to
 * compare a €4.59 server with a $6 one: the table says its date. */
#ifndef HR_CONFIG_FX_H
#define HR_CONFIG_FX_H

#include "model/model.h"
#include "util/error.h"

/** Where the shipped rates come from, for docs and --help. */
#define FX_SOURCE "ECB euro foreign exchange reference rates (ecb.europa.eu)"
/** The day of the shipped rates. */
#define FX_DATE "2025-02-28"

/**
 * How many units of e->currency one unit of @p from is worth.
 * economics.exchange (e->fx_codes/fx_rates) wins over the shipped table.
 * @param e the economics; e->currency is the target.
 * @param from an ISO 4217 code such as "EUR".
 * @param rate on success, the rate (1 when from is the target).
 * @return 0, or HR_E_NOTFOUND when neither knows the pair.
 */
HR_NODISCARD int fx_rate(const struct economics *e, const char *from, double *rate);

/**
 * The shipped table: the rate of code against the euro (units per EUR).
 * @return the rate, or 0 when the table does not list code.
 */
double fx_per_eur(const char *code);

#endif
