/* units.c - parse and format durations, sizes, ratios, rates and money,
 * strictly (see units.h). */
#include "util/units.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Read a strict decimal number at *p: digits, an optional fraction and an
 * optional exponent. No sign, no hex, no inf/nan, no leading blanks: strtod
 * alone accepts all of those. Advances *p past the number. */
static bool read_number(const char **p, double *out)
{
	const char *s = *p, *q = s;
	bool digits = false;
	while (*q >= '0' && *q <= '9')
		q++, digits = true;
	if (*q == '.') {
		q++;
		while (*q >= '0' && *q <= '9')
			q++, digits = true;
	}
	if (!digits)
		return false;
	if ((*q == 'e' || *q == 'E') && (q[1] == '-' || q[1] == '+' || (q[1] >= '0' && q[1] <= '9'))) {
		const char *e = q + 1;
		if (*e == '-' || *e == '+')
			e++;
		if (*e >= '0' && *e <= '9') {
			while (*e >= '0' && *e <= '9')
				e++;
			q = e;
		}
	}
	char tmp[64];
	size_t n = (size_t)(q - s);
	if (n >= sizeof(tmp))
		return false;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	double v = strtod(tmp, NULL);
	if (!isfinite(v))
		return false;
	*out = v;
	*p = q;
	return true;
}

static const char *skip_blanks(const char *p)
{
	while (*p == ' ')
		p++;
	return p;
}

struct unit {
	const char *name;
	double factor;
};

/* Match the longest unit name that ends the word at p. */
static const struct unit *match_unit(const char *p, size_t len, const struct unit *u)
{
	for (; u->name; u++)
		if (strlen(u->name) == len && strncmp(p, u->name, len) == 0)
			return u;
	return NULL;
}

static size_t alpha_len(const char *p)
{
	size_t n = 0;
	/* 'µ' is two bytes in UTF-8 (0xC2 0xB5); count it as letters. */
	while ((p[n] >= 'a' && p[n] <= 'z') || (p[n] >= 'A' && p[n] <= 'Z') ||
	       (unsigned char)p[n] == 0xC2 || (unsigned char)p[n] == 0xB5)
		n++;
	return n;
}

static const struct unit duration_units[] = {
	{"ns", 1e-9}, {"us", 1e-6}, {"\xC2\xB5s", 1e-6}, {"ms", 1e-3},
	{"s", 1}, {"sec", 1}, {"m", 60}, {"min", 60}, {"h", 3600}, {"d", 86400},
	{"w", 7 * 86400}, {NULL, 0},
};

static const char *why_duration =
	"expected a duration with a unit, such as 250ms, 15s, 5m, 2h or 7d";

int units_parse_duration(const char *s, double *out, const char **why)
{
	*why = why_duration;
	if (!s)
		return HR_E_INVALID;
	if (*s == '-') {
		*why = "a duration cannot be negative";
		return HR_E_INVALID;
	}
	if (strcmp(s, "0") == 0) {
		*out = 0;
		return 0;
	}
	const char *p = s;
	double total = 0;
	int parts = 0;
	while (*p) {
		double v;
		if (!read_number(&p, &v))
			return HR_E_INVALID;
		size_t n = alpha_len(p);
		const struct unit *u = match_unit(p, n, duration_units);
		if (!u) {
			if (n == 0)
				*why = "a duration needs a unit (ns, us, ms, s, m, h, d or w), e.g. 15s";
			return HR_E_INVALID;
		}
		total += v * u->factor;
		p += n;
		parts++;
	}
	if (!parts)
		return HR_E_INVALID;
	if (!isfinite(total)) { /* "1e308w": each number is finite, the seconds are not */
		*why = "the duration is too large";
		return HR_E_INVALID;
	}
	*out = total;
	return 0;
}

static const struct unit size_units[] = {
	{"B", 1}, {"kB", 1e3}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12}, {"PB", 1e15},
	{"KiB", 1024.0}, {"MiB", 1048576.0}, {"GiB", 1073741824.0}, {"TiB", 1099511627776.0},
	{"Ki", 1024.0}, {"Mi", 1048576.0}, {"Gi", 1073741824.0}, {"Ti", 1099511627776.0},
	{NULL, 0},
};

int units_parse_size(const char *s, double *out, const char **why)
{
	*why = "expected a size with a unit, such as 512MiB, 4GiB or 25GB";
	if (!s)
		return HR_E_INVALID;
	if (*s == '-') {
		*why = "a size cannot be negative";
		return HR_E_INVALID;
	}
	if (strcmp(s, "0") == 0) {
		*out = 0;
		return 0;
	}
	const char *p = s;
	double v;
	if (!read_number(&p, &v))
		return HR_E_INVALID;
	p = skip_blanks(p);
	size_t n = alpha_len(p);
	const struct unit *u = match_unit(p, n, size_units);
	if (!u || p[n]) {
		if (n == 0 && !*p)
			*why = "a size needs a unit (B, kB, MB, GB, TB, KiB, MiB, GiB, TiB), e.g. 512MiB";
		return HR_E_INVALID;
	}
	if (!isfinite(v * u->factor)) {
		*why = "the size is too large";
		return HR_E_INVALID;
	}
	*out = v * u->factor;
	return 0;
}

int units_parse_ratio(const char *s, double *out, const char **why)
{
	*why = "expected a ratio such as 70% or 0.7";
	if (!s)
		return HR_E_INVALID;
	if (*s == '-') {
		*why = "a ratio cannot be negative";
		return HR_E_INVALID;
	}
	const char *p = s;
	double v;
	if (!read_number(&p, &v))
		return HR_E_INVALID;
	p = skip_blanks(p);
	if (*p == '%' && p[1] == '\0') {
		*out = v / 100.0;
		return 0;
	}
	if (*p)
		return HR_E_INVALID;
	if (v > 1.0) {
		/* "70" is almost always a percentage without its sign: refuse to guess. */
		*why = "a bare ratio must be between 0 and 1; write 70% for a percentage";
		return HR_E_INVALID;
	}
	*out = v;
	return 0;
}

static const struct unit count_suffixes[] = {
	{"", 1}, {"k", 1e3}, {"K", 1e3}, {"M", 1e6}, {"G", 1e9}, {NULL, 0},
};

static bool read_count(const char **p, double *out)
{
	double v;
	if (!read_number(p, &v))
		return false;
	const struct unit *u = count_suffixes;
	if (**p == 'k' || **p == 'K' || **p == 'M' || **p == 'G') {
		for (u = count_suffixes + 1; u->name; u++)
			if (u->name[0] == **p)
				break;
		(*p)++;
	}
	/* "1e308G": the number is finite, the count is not. */
	if (!isfinite(v * u->factor))
		return false;
	*out = v * u->factor;
	return true;
}

int units_parse_count(const char *s, double *out, const char **why)
{
	*why = "expected a count such as 5000, 10k or 1.5M";
	if (!s)
		return HR_E_INVALID;
	if (*s == '-') {
		*why = "a count cannot be negative";
		return HR_E_INVALID;
	}
	const char *p = s;
	double v;
	if (!read_count(&p, &v) || *p)
		return HR_E_INVALID;
	*out = v;
	return 0;
}

int units_parse_number(const char *s, double *out, const char **why)
{
	*why = "expected a number";
	if (!s)
		return HR_E_INVALID;
	if (*s == '-') {
		*why = "expected a number that is not negative";
		return HR_E_INVALID;
	}
	const char *p = s;
	double v;
	if (!read_number(&p, &v) || *p)
		return HR_E_INVALID;
	*out = v;
	return 0;
}

static const struct unit rate_periods[] = {
	{"s", 1}, {"sec", 1}, {"second", 1}, {"min", 60}, {"minute", 60}, {"m", 60},
	{"h", 3600}, {"hr", 3600}, {"hour", 3600}, {"d", 86400}, {"day", 86400},
	{"w", 7 * 86400}, {"week", 7 * 86400},
	{"mo", UNITS_SECONDS_PER_MONTH}, {"month", UNITS_SECONDS_PER_MONTH},
	{"y", 365 * 86400.0}, {"yr", 365 * 86400.0}, {"year", 365 * 86400.0},
	{NULL, 0},
};

int units_parse_rate(const char *s, double *out, const char **why)
{
	*why = "expected a rate such as 100/s, 4/min, 2/h, 10k/day or 2/year";
	if (!s)
		return HR_E_INVALID;
	if (*s == '-') {
		*why = "a rate cannot be negative";
		return HR_E_INVALID;
	}
	const char *p = s;
	double v;
	if (!read_count(&p, &v))
		return HR_E_INVALID;
	p = skip_blanks(p);
	if (*p != '/') {
		if (!*p)
			*why = "a rate needs a period, e.g. 100/s, 4/min or 10k/day";
		return HR_E_INVALID;
	}
	p = skip_blanks(p + 1);
	size_t n = alpha_len(p);
	const struct unit *u = match_unit(p, n, rate_periods);
	if (!u || p[n])
		return HR_E_INVALID;
	*out = v / u->factor;
	return 0;
}

int units_parse_throughput(const char *s, double *out, const char **why)
{
	*why = "expected a throughput such as 25MB/s or 90GB/h";
	if (!s)
		return HR_E_INVALID;
	if (*s == '-') {
		*why = "a throughput cannot be negative";
		return HR_E_INVALID;
	}
	const char *slash = strchr(s, '/');
	char size[64];
	size_t len = slash ? (size_t)(slash - s) : 0;
	if (!slash || len == 0 || len >= sizeof(size))
		return HR_E_INVALID;
	memcpy(size, s, len);
	size[len] = '\0';
	double bytes;
	const char *ignored;
	if (units_parse_size(size, &bytes, &ignored) != 0)
		return HR_E_INVALID;
	const char *p = skip_blanks(slash + 1);
	size_t n = alpha_len(p);
	const struct unit *u = match_unit(p, n, rate_periods);
	if (!u || p[n])
		return HR_E_INVALID;
	*out = bytes / u->factor;
	return 0;
}

struct currency {
	const char *symbol; /* UTF-8 prefix symbol, or NULL */
	const char *code;
};

static const struct currency currencies[] = {
	{"$", "USD"}, {"\xE2\x82\xAC", "EUR"}, {"\xC2\xA3", "GBP"}, {NULL, "CHF"},
	{NULL, "CAD"}, {NULL, "AUD"}, {NULL, "JPY"}, {NULL, "SEK"}, {NULL, "NOK"},
	{NULL, "DKK"}, {NULL, "PLN"}, {NULL, "INR"}, {NULL, "CZK"},
};

static const struct currency *currency_by_code(const char *p, size_t n)
{
	for (size_t i = 0; i < sizeof(currencies) / sizeof(currencies[0]); i++)
		if (n == 3 && strncmp(currencies[i].code, p, 3) == 0)
			return &currencies[i];
	return NULL;
}

static const struct unit money_periods[] = {
	{"h", MONEY_HOUR}, {"hr", MONEY_HOUR}, {"hour", MONEY_HOUR},
	{"d", MONEY_DAY}, {"day", MONEY_DAY},
	{"mo", MONEY_MONTH}, {"month", MONEY_MONTH},
	{"y", MONEY_YEAR}, {"yr", MONEY_YEAR}, {"year", MONEY_YEAR},
	{NULL, 0},
};

int units_parse_money(const char *s, struct money *out, const char **why)
{
	*why = "expected money such as $5.39/mo, \xE2\x82\xAC" "15/month or 0.04 USD";
	if (!s)
		return HR_E_INVALID;
	const char *p = s;
	const struct currency *cur = NULL;
	for (size_t i = 0; i < sizeof(currencies) / sizeof(currencies[0]); i++) {
		const char *sym = currencies[i].symbol;
		if (sym && strncmp(p, sym, strlen(sym)) == 0) {
			cur = &currencies[i];
			p += strlen(sym);
			break;
		}
	}
	if (!cur) {
		/* "USD 5" as well as "5 USD". */
		size_t n = alpha_len(p);
		if (n) {
			cur = currency_by_code(p, n);
			if (!cur) {
				*why = "unknown currency; use a symbol ($, \xE2\x82\xAC, \xC2\xA3) or an ISO code such as USD or EUR";
				return HR_E_INVALID;
			}
			p = skip_blanks(p + n);
		}
	}
	if (*p == '-') {
		*why = "a price cannot be negative";
		return HR_E_INVALID;
	}
	double v;
	if (!read_number(&p, &v))
		return HR_E_INVALID;
	p = skip_blanks(p);
	size_t n = alpha_len(p);
	if (n == 3 && !cur && currency_by_code(p, n)) {
		cur = currency_by_code(p, n);
		p = skip_blanks(p + n);
	} else if (n) {
		*why = "unknown currency; use a symbol ($, \xE2\x82\xAC, \xC2\xA3) or an ISO code such as USD or EUR";
		return HR_E_INVALID;
	}
	enum money_period period = MONEY_ONCE;
	if (*p == '/') {
		p = skip_blanks(p + 1);
		n = alpha_len(p);
		const struct unit *u = match_unit(p, n, money_periods);
		if (!u) {
			*why = "unknown price period; use /h, /day, /mo or /year";
			return HR_E_INVALID;
		}
		period = (enum money_period)u->factor;
		p += n;
	}
	if (*p)
		return HR_E_INVALID;
	/* "$1e307/h" is finite per hour and not per month, where costs are summed. */
	if (!isfinite(money_per_month(&(struct money){.amount = v, .period = period}))) {
		*why = "the price is too large";
		return HR_E_INVALID;
	}
	out->amount = v;
	memset(out->currency, 0, sizeof(out->currency));
	if (cur)
		memcpy(out->currency, cur->code, 3);
	out->period = period;
	return 0;
}

double money_per_month(const struct money *m)
{
	switch (m->period) {
	case MONEY_ONCE: return m->amount;
	case MONEY_HOUR: return m->amount * UNITS_HOURS_PER_MONTH;
	case MONEY_DAY: return m->amount * UNITS_HOURS_PER_MONTH / 24.0;
	case MONEY_MONTH: return m->amount;
	case MONEY_YEAR: return m->amount / 12.0;
	}
	return m->amount;
}

char *units_fmt_duration(double s, char *buf, size_t n)
{
	if (!isfinite(s))
		snprintf(buf, n, "inf");
	else if (s < 1e-3)
		snprintf(buf, n, "%.0f us", s * 1e6);
	else if (s < 1)
		snprintf(buf, n, "%.0f ms", s * 1e3);
	else if (s < 60)
		snprintf(buf, n, "%.2f s", s);
	else if (s < 3600)
		snprintf(buf, n, "%.1f min", s / 60);
	else if (s < 86400)
		snprintf(buf, n, "%.1f h", s / 3600);
	else
		snprintf(buf, n, "%.1f d", s / 86400);
	return buf;
}

/* v with three significant figures, keeping trailing zeros ("70.0"). */
static void sig3(double v, const char *unit, char *buf, size_t n)
{
	int d = v >= 100 ? 0 : v >= 10 ? 1 : v >= 1 ? 2 : 3;
	/* 9.9996 rounds up to the next decade: three figures there are "10.0", not "10.00". */
	if (d > 0 && fabs(v) * pow(10, d) + 0.5 >= 1000)
		d--;
	snprintf(buf, n, "%.*f %s", d, v, unit);
}

char *units_fmt_duration3(double s, char *buf, size_t n)
{
	if (!isfinite(s))
		snprintf(buf, n, "unbounded");
	else if (s == 0)
		snprintf(buf, n, "0 s");
	else if (s < 1e-3)
		sig3(s * 1e6, "us", buf, n);
	else if (s < 1)
		sig3(s * 1e3, "ms", buf, n);
	else if (s < 60)
		sig3(s, "s", buf, n);
	else if (s < 3600)
		sig3(s / 60, "min", buf, n);
	else if (s < 2 * 86400)
		sig3(s / 3600, "h", buf, n);
	else
		sig3(s / 86400, "d", buf, n);
	return buf;
}

char *units_fmt_exact(double v, char *buf, size_t n)
{
	if (isnan(v)) {
		snprintf(buf, n, "NaN");
		return buf;
	}
	if (isinf(v)) {
		snprintf(buf, n, v > 0 ? "+Inf" : "-Inf");
		return buf;
	}
	/* At most 17 tries of a few hundred nanoseconds; /metrics prints a few
	 * hundred numbers a scrape. */
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, n, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	return buf;
}

char *units_fmt_size(double b, char *buf, size_t n)
{
	static const char *names[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
	int i = 0;
	while (b >= 1024 && i < 5)
		b /= 1024, i++;
	if (i == 0 || b >= 100)
		snprintf(buf, n, "%.0f %s", b, names[i]);
	else
		snprintf(buf, n, "%.1f %s", b, names[i]);
	return buf;
}

static char *fmt_money(const char *num, const char *currency, char *buf, size_t n)
{
	for (size_t i = 0; i < sizeof(currencies) / sizeof(currencies[0]); i++) {
		if (currencies[i].symbol && currency && strcmp(currency, currencies[i].code) == 0) {
			snprintf(buf, n, "%s%s", currencies[i].symbol, num);
			return buf;
		}
	}
	snprintf(buf, n, "%s %s", num, currency && *currency ? currency : "");
	return buf;
}

char *units_fmt_money(double amount, const char *currency, char *buf, size_t n)
{
	char num[48];
	snprintf(num, sizeof(num), "%.2f", amount);
	return fmt_money(num, currency, buf, n);
}

char *units_fmt_unit_price(double amount, const char *currency, char *buf, size_t n)
{
	char num[48];
	if (amount == 0 || fabs(amount) >= 1 || fabs(amount * 100 - round(amount * 100)) < 1e-9) {
		snprintf(num, sizeof(num), "%.2f", amount);
	} else {
		/* Unit prices such as $0.0000166667 per GB-s: fixed notation, no trailing zeros. */
		snprintf(num, sizeof(num), "%.10f", amount);
		size_t l = strlen(num);
		while (l > 4 && num[l - 1] == '0')
			num[--l] = '\0';
	}
	return fmt_money(num, currency, buf, n);
}
