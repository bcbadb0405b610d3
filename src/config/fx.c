/* fx.c - exchange rates: a config's own (economics.exchange) first, else
 * through the euro with the ECB reference table below. */
#include "config/fx.h"

#include <string.h>

/* ECB euro foreign exchange reference rates of 2025-02-28: units of each
 * currency per 1 EUR, as published by the European Central Bank
 * (ecb.europa.eu, "Euro foreign exchange reference rates"). */
static const struct {
	const char *code;
	double per_eur;
} table[] = {
	{"EUR", 1.0},      {"USD", 1.0411},  {"GBP", 0.82608}, {"CHF", 0.9394},
	{"JPY", 156.96},   {"SEK", 11.1880}, {"NOK", 11.7245}, {"DKK", 7.4583},
	{"PLN", 4.1503},   {"CZK", 25.029},  {"CAD", 1.5019},  {"AUD", 1.6741},
	{"INR", 90.9710},
};

double fx_per_eur(const char *code)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (strcmp(table[i].code, code) == 0)
			return table[i].per_eur;
	return 0;
}

int fx_rate(const struct economics *e, const char *from, double *rate)
{
	if (strcmp(from, e->currency) == 0) {
		*rate = 1;
		return 0;
	}
	for (size_t i = 0; i < e->n_fx; i++) {
		if (strcmp(e->fx_codes[i], from) == 0) {
			*rate = e->fx_rates[i];
			return 0;
		}
	}
	double f = fx_per_eur(from), t = fx_per_eur(e->currency);
	if (f <= 0 || t <= 0)
		return HR_E_NOTFOUND;
	*rate = t / f;
	return 0;
}
