/* units.h - the quantities a capacity model is written in.
 *
 * Parsers take the text a person writes in a config or on the command line
 * and return the value in base units: seconds, bytes, ratios 0-1, events per
 * second, money with its currency and period. Each parser is strict: on bad
 * text it returns HR_E_INVALID and points *why at a static sentence saying
 * what was expected, for the caller (who knows the position) to print.
 * Nothing is defaulted: a number without a unit, where a unit matters, is an
 * error, not a guess.
 *
 *   duration  250ms 15s 5m 2h 7d 1w, and sums such as 1h30m     -> seconds
 *   size      512MiB 4GiB 25GB 100kB 0                         -> bytes
 *   ratio     70% 0.7                                          -> 0.7
 *   rate      100/s 4/min 10k/day 2/h 5/week 1M/month 2/year   -> per second
 *   throughput  25MB/s 90GB/h                                  -> bytes per second
 *   count     5000 10k 1.5M 2G                                 -> number
 *   money     $5.39/mo €15/month 0.04 USD 5.39 EUR/mo £3/h     -> amount, currency, period
 *
 * A month is 730 hours (365 d / 12; the convention of AWS and Infracost), so
 * a day-rate and an hour-rate convert to a month the same way. */
#ifndef HR_UNITS_H
#define HR_UNITS_H

#include <stddef.h>

#include "util/error.h"

/** Hours in a month: 365 * 24 / 12 (AWS pricing, Infracost HourToMonthUnitMultiplier). */
#define UNITS_HOURS_PER_MONTH 730.0
/** Seconds in a month of 730 hours. */
#define UNITS_SECONDS_PER_MONTH (UNITS_HOURS_PER_MONTH * 3600.0)

/** Parse a duration; @p out gets seconds (>= 0). */
HR_NODISCARD int units_parse_duration(const char *s, double *out, const char **why);
/** Parse a size; @p out gets bytes (>= 0). */
HR_NODISCARD int units_parse_size(const char *s, double *out, const char **why);
/** Parse a ratio ("70%" or a bare number in [0, 1]); @p out gets the fraction (>= 0). */
HR_NODISCARD int units_parse_ratio(const char *s, double *out, const char **why);
/** Parse a rate "COUNT/PERIOD"; @p out gets events per second (>= 0). */
HR_NODISCARD int units_parse_rate(const char *s, double *out, const char **why);
/** Parse a throughput "SIZE/PERIOD" (25MB/s); @p out gets bytes per second (>= 0). */
HR_NODISCARD int units_parse_throughput(const char *s, double *out, const char **why);
/** Parse a count with an optional k/M/G suffix; @p out gets the number (>= 0). */
HR_NODISCARD int units_parse_count(const char *s, double *out, const char **why);
/** Parse a plain non-negative decimal number (no suffix). */
HR_NODISCARD int units_parse_number(const char *s, double *out, const char **why);

/** The period a price is quoted for. */
enum money_period {
	MONEY_ONCE,  /**< no period: a price per unit ("0.04 USD" per call) */
	MONEY_HOUR,
	MONEY_DAY,
	MONEY_MONTH,
	MONEY_YEAR,
};

/** An amount of money. */
struct money {
	double amount;
	char currency[4];         /**< ISO 4217 code ("USD"), or "" when the text named none */
	enum money_period period;
};

/** Parse money; a missing currency leaves currency "" for the caller to judge. */
HR_NODISCARD int units_parse_money(const char *s, struct money *out, const char **why);
/** The amount per 730-hour month; MONEY_ONCE amounts are returned unchanged. */
double money_per_month(const struct money *m);

/** Format seconds for people: "250 ms", "1.50 s", "5.0 min", "2.0 h", "7.0 d". Returns buf. */
char *units_fmt_duration(double seconds, char *buf, size_t n);
/**
 * Format seconds with three significant figures, keeping trailing zeros so
 * columns line up: "250 us", "25.0 ms", "1.23 s", "43.8 min", "8.76 h",
 * "3.00 d"; 0 is "0 s", a non-finite value "unbounded". Returns buf.
 */
char *units_fmt_duration3(double seconds, char *buf, size_t n);
/** Format bytes for people with binary units: "512 MiB", "4.0 GiB". Returns buf. */
char *units_fmt_size(double bytes, char *buf, size_t n);
/** Format money: "$5.39", "€15.00", "12.00 CHF". Returns buf. */
char *units_fmt_money(double amount, const char *currency, char *buf, size_t n);
/** Format a unit price with the digits it needs: "$5.39", "$0.0000166667", "€0.20". Returns buf. */
char *units_fmt_unit_price(double amount, const char *currency, char *buf, size_t n);

#endif
