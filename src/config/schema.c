/* schema.c - the key tables of headroom's files and the walker that reads them.
 *
 * The first half is the walker: one function per kind of key, all reporting
 * through schema_error(). The second half is the tables, one per mapping of
 * the schema fixed by examples/starter.yaml. Every default carries the
 * source it comes from (why_default), which docs/config.md repeats. */
#include "config/schema.h"

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "util/str.h"
#include "util/strbuf.h"
#include "util/units.h"
#include "util/xalloc.h"

#define AT(base, off, T) ((T *)(void *)((char *)(base) + (off)))
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Longest key path kept for messages; deeper paths are cut, not overflowed. */
enum { PATH_MAX_LEN = 256, SHOW_MAX = 60, INTERP_MAX = 1 << 20 };

/* ---------------------------------------------------------------- walker -- */

void schema_error(struct loader *L, const struct ynode *node, const char *fmt, ...)
{
	struct diag_loc loc = node ? yaml_doc_loc(L->doc, node) : (struct diag_loc){.file = L->doc->name};
	va_list ap;
	va_start(ap, fmt);
	diag_vat(L->d, DIAG_ERROR, &loc, fmt, ap);
	va_end(ap);
	if (!L->rc)
		L->rc = HR_E_INVALID;
}

/* The value as shown in a message: cut to SHOW_MAX bytes, control bytes as '?'. */
static const char *shown(const char *s, char *buf, size_t n)
{
	size_t i = 0, j = 0;
	for (; s[i] && j + 4 < n && i < SHOW_MAX; i++)
		buf[j++] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	if (s[i] && j + 4 <= n) {
		memcpy(buf + j, "...", 3);
		j += 3;
	}
	buf[j] = '\0';
	return buf;
}

const struct ynode *schema_get(const struct ynode *map, const char *key)
{
	if (!map || map->type != YNODE_MAP)
		return NULL;
	for (size_t i = 0; i < map->n; i++)
		if (strcmp(map->keys[i]->str, key) == 0)
			return map->items[i];
	return NULL;
}

int schema_interpolate(const char *text, char **out, const char **why, size_t *bad_at, char **var)
{
	*out = NULL;
	*var = NULL;
	if (!strchr(text, '$')) {
		*out = xstrdup(text);
		return 0;
	}
	struct strbuf sb;
	strbuf_init(&sb, INTERP_MAX);
	const char *p = text;
	int rc = 0;
	while (*p && !rc) {
		if (p[0] == '$' && p[1] == '$' && p[2] == '{') {
			rc = strbuf_puts(&sb, "${");
			p += 3;
			continue;
		}
		if (p[0] != '$' || p[1] != '{') {
			rc = strbuf_append(&sb, p, 1);
			p++;
			continue;
		}
		const char *name = p + 2, *q = name;
		while ((*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z') || *q == '_' ||
		       (q > name && *q >= '0' && *q <= '9'))
			q++;
		if (*q != '}' || q == name) {
			*why = strchr(p, '}') ? "expected ${NAME} with NAME made of letters, digits and '_'"
					      : "'${' is not closed by '}' (write $${ for a literal ${)";
			*bad_at = (size_t)(p - text);
			strbuf_free(&sb);
			return HR_E_INVALID;
		}
		char *key = xstrndup(name, (size_t)(q - name));
		const char *val = getenv(key);
		if (!val) {
			*why = "environment variable is not set";
			*bad_at = (size_t)(p - text);
			*var = key;
			strbuf_free(&sb);
			return HR_E_INVALID;
		}
		free(key);
		rc = strbuf_puts(&sb, val);
		p = q + 1;
	}
	if (rc) {
		*why = "the value is longer than 1 MiB after ${VAR} expansion";
		*bad_at = 0;
		strbuf_free(&sb);
		return HR_E_INVALID;
	}
	*out = strbuf_take(&sb);
	if (!*out)
		*out = xstrdup("");
	return 0;
}

/* A scalar's text, interpolated; NULL after reporting what was wrong. */
static char *scalar_text(struct loader *L, const struct ynode *n, const char *path, const char *expect)
{
	if (n->type != YNODE_SCALAR) {
		schema_error(L, n, "%s: expected %s, got %s", path, expect, ynode_type_name(n->type));
		return NULL;
	}
	char *out, *var;
	const char *why;
	size_t at;
	if (schema_interpolate(n->str, &out, &why, &at, &var) == 0)
		return out;
	// Point at the "${" when the scalar sits on one line.
	struct ynode where = *n;
	if (!memchr(n->str, '\n', n->len) && at < 4096)
		where.col += (int)at + (n->quoted ? 1 : 0);
	where.len = 0;
	if (var) {
		schema_error(L, &where, "%s: environment variable '%s' is not set", path, var);
		free(var);
	} else {
		schema_error(L, &where, "%s: %s", path, why);
	}
	return NULL;
}

const char *schema_type_name(const struct key_spec *k)
{
	switch (k->type) {
	case KT_STRING: return "a string";
	case KT_BOOL: return "true or false";
	case KT_UINT: return "a whole number such as 4";
	case KT_NUMBER: return "a number";
	case KT_COUNT: return "a count such as 5000 or 10k";
	case KT_RATIO: return "a ratio such as 70% or 0.7";
	case KT_DURATION: return "a duration such as 250ms, 15s or 5m";
	case KT_SIZE: return "a size such as 512MiB or 4GiB";
	case KT_RATE: return "a rate such as 100/s or 4/min";
	case KT_RATE_NUM: return "a rate such as 100/s, or a number of requests per second";
	case KT_THROUGHPUT: return "a throughput such as 25MB/s or 90GB/h";
	case KT_MONEY_MONTH: return "a price per period such as $5.39/mo or $0.0104/h";
	case KT_MONEY_UNIT: return "a price such as $0.012";
	case KT_MONEY_HOUR: return "a price per hour such as $60/h";
	case KT_LEVEL: return "a level such as 70%, 500, 10k, 500ms or 4GiB";
	case KT_ENUM: return "a name";
	case KT_DATE: return "a date such as 2025-06-01";
	case KT_CURRENCY: return "a currency code such as USD";
	case KT_STR_LIST: return "a list of strings such as [a, b]";
	case KT_COUNT_LIST: return "a list of counts such as [500, 2000, 10k]";
	case KT_STAGE_SET: return "a list of stages such as [single, ha]";
	case KT_STAGE_HOURS: return "a mapping of stage to hours such as {single: 1, ha: 6}";
	case KT_FX_MAP: return "a mapping of currency to rate such as {EUR: 1.08}";
	case KT_QUERY_MAP: return "a mapping of metric name to query";
	case KT_SECTION: return "a mapping";
	case KT_LIST: return "a list of mappings";
	case KT_NAMED: return "a mapping of names to mappings";
	case KT_CALIBRATION: return "a mapping or the path of a calibration file";
	case KT_ANY: return "a value";
	}
	return "a value";
}

static void fmt_bound(const struct key_spec *k, double v, char *buf, size_t n)
{
	switch (k->type) {
	case KT_RATIO: snprintf(buf, n, "%g%%", v * 100); break;
	case KT_DURATION: units_fmt_duration(v, buf, n); break;
	case KT_SIZE: units_fmt_size(v, buf, n); break;
	default: snprintf(buf, n, "%g", v); break;
	}
}

/* Bounds shared by every numeric type. */
static int check_bounds(struct loader *L, const struct key_spec *k, double v, const char *text,
			const struct ynode *n, const char *path)
{
	char lo[32], hi[32], sb[SHOW_MAX + 8];
	if ((k->flags & KF_POSITIVE) && v <= 0) {
		schema_error(L, n, "%s: must be greater than 0, got '%s'", path, shown(text, sb, sizeof(sb)));
		return HR_E_RANGE;
	}
	if (v < k->min || (k->max > 0 && v > k->max)) {
		fmt_bound(k, k->min, lo, sizeof(lo));
		fmt_bound(k, k->max, hi, sizeof(hi));
		if (k->max > 0 && (k->flags & KF_POSITIVE))
			schema_error(L, n, "%s: must be greater than %s and at most %s, got '%s'", path, lo, hi,
				     shown(text, sb, sizeof(sb)));
		else if (k->max > 0)
			schema_error(L, n, "%s: must be between %s and %s, got '%s'", path, lo, hi,
				     shown(text, sb, sizeof(sb)));
		else
			schema_error(L, n, "%s: must be at least %s, got '%s'", path, lo,
				     shown(text, sb, sizeof(sb)));
		return HR_E_RANGE;
	}
	return 0;
}

/* A trigger level: whatever unit the metric is in, read into base units.
 * The forms cannot be confused: '%' ends a ratio, k/M/G a count, ms/s/m/h/d
 * a duration and B/kB/MiB... a size. */
static int parse_level(const char *s, double *out, const char **why)
{
	if (*s == '-') {
		*why = "a level cannot be negative";
		return HR_E_INVALID;
	}
	size_t n = strlen(s);
	if (n && s[n - 1] == '%')
		return units_parse_ratio(s, out, why);
	if (units_parse_count(s, out, why) == 0 || units_parse_duration(s, out, why) == 0 ||
	    units_parse_size(s, out, why) == 0)
		return 0;
	*why = "expected a level: a ratio (70%), a count (500, 10k), a duration (500ms) or a size (4GiB)";
	return HR_E_INVALID;
}

static int parse_date(const char *s)
{
	// YYYY-MM-DD, digits only, plausible month and day.
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return HR_E_INVALID;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return HR_E_INVALID;
	int m = (s[5] - '0') * 10 + (s[6] - '0'), d = (s[8] - '0') * 10 + (s[9] - '0');
	return m >= 1 && m <= 12 && d >= 1 && d <= 31 ? 0 : HR_E_INVALID;
}

static bool is_currency(const char *s)
{
	return strlen(s) == 3 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z' &&
	       s[2] >= 'A' && s[2] <= 'Z';
}

static int enum_index(const char *const *names, const char *s)
{
	for (int i = 0; names[i]; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

static void enum_error(struct loader *L, const struct ynode *n, const char *path,
		       const char *const *names, const char *s)
{
	struct strbuf sb;
	strbuf_init(&sb, 4096);
	size_t count = 0;
	for (; names[count]; count++)
		if (strbuf_printf(&sb, "%s%s", count ? ", " : "", names[count]))
			break;
	char buf[SHOW_MAX + 8];
	const char *sug = str_suggest(s, names, count);
	if (sug)
		schema_error(L, n, "%s: expected one of %s, got '%s'; did you mean '%s'?", path,
			     strbuf_str(&sb), shown(s, buf, sizeof(buf)), sug);
	else
		schema_error(L, n, "%s: expected one of %s, got '%s'", path, strbuf_str(&sb),
			     shown(s, buf, sizeof(buf)));
	strbuf_free(&sb);
}

static void add_pending_money(struct loader *L, double *target, const char *cur, const struct ynode *n)
{
	if (L->n_money == L->cap_money) {
		L->cap_money = L->cap_money ? L->cap_money * 2 : 8;
		L->money = xreallocarray(L->money, L->cap_money, sizeof(*L->money));
	}
	struct pending_money *m = &L->money[L->n_money++];
	m->target = target;
	memcpy(m->currency, cur, 4);
	m->line = n ? n->line : 0;
	m->col = n ? n->col : 0;
}

/* Read a money value; period rules depend on the key type. */
static int parse_money_key(struct loader *L, const struct key_spec *k, void *base, const char *text,
			   const struct ynode *n, const char *path, double *value)
{
	struct money m;
	const char *why;
	char sb[SHOW_MAX + 8];
	if (units_parse_money(text, &m, &why)) {
		if (L)
			schema_error(L, n, "%s: %s, got '%s'", path, why, shown(text, sb, sizeof(sb)));
		return HR_E_INVALID;
	}
	const char *bad = NULL;
	if (k->type == KT_MONEY_MONTH && m.period == MONEY_ONCE)
		bad = "a price per period such as $5.39/mo or $0.0104/h";
	else if (k->type == KT_MONEY_UNIT && m.period != MONEY_ONCE)
		bad = "a price without a period such as $0.012";
	else if (k->type == KT_MONEY_HOUR && m.period != MONEY_ONCE && m.period != MONEY_HOUR)
		bad = "a price per hour such as $60/h";
	if (bad) {
		if (L)
			schema_error(L, n, "%s: expected %s, got '%s'", path, bad, shown(text, sb, sizeof(sb)));
		return HR_E_INVALID;
	}
	*value = k->type == KT_MONEY_MONTH ? money_per_month(&m) : m.amount;
	if (!L)
		return 0;
	if (k->cur_off) {
		// A catalogue entry: its prices share the entry's one currency.
		char *cur = AT(base, k->cur_off, char);
		if (!m.currency[0]) {
			schema_error(L, n, "%s: a catalogue price needs a currency, such as $5.39/mo or 4.59 EUR/mo, got '%s'",
				     path, shown(text, sb, sizeof(sb)));
			return HR_E_INVALID;
		}
		if (cur[0] && strcmp(cur, m.currency) != 0) {
			schema_error(L, n, "%s: price in %s, but this entry's other prices are in %s", path,
				     m.currency, cur);
			return HR_E_INVALID;
		}
		memcpy(cur, m.currency, 4);
	} else if (m.currency[0]) {
		// Converted to economics.currency once the whole file is read.
		add_pending_money(L, AT(base, k->offset, double), m.currency, n);
	}
	return 0;
}

/* Parse one scalar text into its field. L is NULL for built-in defaults. */
static int parse_scalar(struct loader *L, const struct key_spec *k, void *base, const char *text,
			const struct ynode *n, const char *path)
{
	void *field = AT(base, k->offset, char);
	const char *why = NULL;
	char sb[SHOW_MAX + 8];
	double v = 0;
	int rc = 0;
	switch (k->type) {
	case KT_STRING:
		if (k->names && enum_index(k->names, text) < 0) {
			if (L)
				enum_error(L, n, path, k->names, text);
			return HR_E_INVALID;
		}
		free(*(char **)field);
		*(char **)field = xstrdup(text);
		return 0;
	case KT_DATE:
		if (parse_date(text)) {
			if (L)
				schema_error(L, n, "%s: expected a date such as 2025-06-01, got '%s'", path,
					     shown(text, sb, sizeof(sb)));
			return HR_E_INVALID;
		}
		free(*(char **)field);
		*(char **)field = xstrdup(text);
		return 0;
	case KT_CURRENCY:
		if (!is_currency(text)) {
			if (L)
				schema_error(L, n, "%s: expected a three-letter currency code such as USD or EUR, got '%s'",
					     path, shown(text, sb, sizeof(sb)));
			return HR_E_INVALID;
		}
		memcpy(field, text, 4);
		return 0;
	case KT_BOOL:
		if (!strcmp(text, "true") || !strcmp(text, "True") || !strcmp(text, "TRUE"))
			*(bool *)field = !(k->flags & KF_INVERT);
		else if (!strcmp(text, "false") || !strcmp(text, "False") || !strcmp(text, "FALSE"))
			*(bool *)field = (k->flags & KF_INVERT) != 0;
		else {
			if (L)
				schema_error(L, n, "%s: expected true or false, got '%s'", path,
					     shown(text, sb, sizeof(sb)));
			return HR_E_INVALID;
		}
		return 0;
	case KT_ENUM: {
		int i = enum_index(k->names, text);
		if (i < 0) {
			if (L)
				enum_error(L, n, path, k->names, text);
			return HR_E_INVALID;
		}
		*(int *)field = i;
		return 0;
	}
	case KT_UINT:
		rc = units_parse_count(text, &v, &why);
		if (!rc && (v != floor(v) || v > UINT_MAX)) {
			why = "expected a whole number such as 4";
			rc = HR_E_INVALID;
		}
		break;
	case KT_NUMBER: rc = units_parse_number(text, &v, &why); break;
	case KT_COUNT: rc = units_parse_count(text, &v, &why); break;
	case KT_RATIO: rc = units_parse_ratio(text, &v, &why); break;
	case KT_DURATION: rc = units_parse_duration(text, &v, &why); break;
	case KT_SIZE: rc = units_parse_size(text, &v, &why); break;
	case KT_RATE: rc = units_parse_rate(text, &v, &why); break;
	case KT_THROUGHPUT: rc = units_parse_throughput(text, &v, &why); break;
	case KT_RATE_NUM:
		if (units_parse_number(text, &v, &why) != 0)
			rc = units_parse_rate(text, &v, &why);
		break;
	case KT_LEVEL: rc = parse_level(text, &v, &why); break;
	case KT_MONEY_MONTH:
	case KT_MONEY_UNIT:
	case KT_MONEY_HOUR:
		rc = parse_money_key(L, k, base, text, n, path, &v);
		if (rc)
			return rc;
		break;
	default:
		return HR_E_INVALID;
	}
	if (rc) {
		if (L)
			schema_error(L, n, "%s: %s, got '%s'", path, why, shown(text, sb, sizeof(sb)));
		return rc;
	}
	if (L && check_bounds(L, k, v, text, n, path))
		return HR_E_RANGE;
	if (k->type == KT_UINT)
		*(unsigned *)field = (unsigned)v;
	else
		*(double *)field = v;
	return 0;
}

static void join(char *buf, const char *path, const char *name)
{
	/* A path longer than PATH_MAX_LEN is cut short: it only names a place in
	 * messages. Looking at the result keeps gcc -O2 -Wformat-truncation quiet. */
	int n = path && *path ? snprintf(buf, PATH_MAX_LEN, "%s.%s", path, name)
			      : snprintf(buf, PATH_MAX_LEN, "%s", name);
	if (n < 0)
		buf[0] = 0;
}

static bool want(struct loader *L, const struct ynode *n, enum ynode_type t, const struct key_spec *k,
		 const char *path)
{
	if (n->type == t)
		return true;
	schema_error(L, n, "%s: expected %s, got %s", path, schema_type_name(k), ynode_type_name(n->type));
	return false;
}

/* Each element of a list or named mapping: init, defaults, then the file. */
static void *new_element(const struct section *sub, void *array, size_t i)
{
	void *e = (char *)array + i * sub->size;
	if (sub->init)
		sub->init(e);
	schema_defaults(sub, e);
	return e;
}

static void load_calibration_file(struct loader *L, const struct key_spec *k, const struct ynode *n,
				  const char *text);
static void load_map(struct loader *L, const struct section *s, void *base, const struct ynode *map,
		     const struct ynode *at, const char *path);

static void load_value(struct loader *L, const struct key_spec *k, void *base, const struct ynode *n,
		       const char *path)
{
	char sub[PATH_MAX_LEN];
	void *field = AT(base, k->offset, char);
	bool empty = n->type == YNODE_SCALAR && n->null;
	switch (k->type) {
	case KT_ANY:
		return;
	case KT_SECTION:
		load_map(L, k->sub, field, empty ? NULL : n, n, path);
		return;
	case KT_CALIBRATION:
		if (n->type == YNODE_SCALAR && !empty) {
			char *text = scalar_text(L, n, path, schema_type_name(k));
			if (text)
				load_calibration_file(L, k, n, text);
			free(text);
		} else {
			load_map(L, k->sub, L->calib, empty ? NULL : n, n, path);
			L->calib->present = true;
		}
		return;
	case KT_LIST: {
		if (empty)
			return;
		if (!want(L, n, YNODE_SEQ, k, path))
			return;
		void *arr = xcalloc(n->n ? n->n : 1, k->sub->size);
		*AT(base, k->offset, void *) = arr;
		*AT(base, k->count_off, size_t) = n->n;
		for (size_t i = 0; i < n->n; i++) {
			if (snprintf(sub, sizeof(sub), "%s[%zu]", path, i) < 0)
				sub[0] = 0; /* cut short past the cap: a name in messages */
			schema_load(L, k->sub, new_element(k->sub, arr, i), n->items[i], sub);
		}
		return;
	}
	case KT_NAMED: {
		if (empty)
			return;
		if (!want(L, n, YNODE_MAP, k, path))
			return;
		void *arr = xcalloc(n->n ? n->n : 1, k->sub->size);
		*AT(base, k->offset, void *) = arr;
		*AT(base, k->count_off, size_t) = n->n;
		for (size_t i = 0; i < n->n; i++) {
			void *e = new_element(k->sub, arr, i);
			*AT(e, k->sub->name_off, char *) = xstrdup(n->keys[i]->str);
			join(sub, path, n->keys[i]->str);
			const struct ynode *v = n->items[i];
			load_map(L, k->sub, e, v->type == YNODE_SCALAR && v->null ? NULL : v, v, sub);
		}
		return;
	}
	case KT_STR_LIST:
	case KT_COUNT_LIST: {
		if (empty)
			return;
		if (!want(L, n, YNODE_SEQ, k, path))
			return;
		size_t cnt = 0;
		char **strs = NULL;
		double *nums = NULL;
		if (k->type == KT_STR_LIST)
			strs = xcalloc(n->n ? n->n : 1, sizeof(*strs));
		else
			nums = xcalloc(n->n ? n->n : 1, sizeof(*nums));
		for (size_t i = 0; i < n->n; i++) {
			if (snprintf(sub, sizeof(sub), "%s[%zu]", path, i) < 0)
				sub[0] = 0; /* cut short past the cap: a name in messages */
			char *t = scalar_text(L, n->items[i], sub, k->type == KT_STR_LIST ? "a string" : "a count");
			if (!t)
				continue;
			const char *why;
			char sb[SHOW_MAX + 8];
			if (strs) {
				strs[cnt++] = t;
				continue;
			}
			if (units_parse_count(t, &nums[cnt], &why))
				schema_error(L, n->items[i], "%s: %s, got '%s'", sub, why, shown(t, sb, sizeof(sb)));
			else if (check_bounds(L, k, nums[cnt], t, n->items[i], sub) == 0)
				cnt++;
			free(t);
		}
		if (strs)
			*AT(base, k->offset, char **) = strs;
		else
			*AT(base, k->offset, double *) = nums;
		*AT(base, k->count_off, size_t) = cnt;
		return;
	}
	case KT_STAGE_SET: {
		if (!want(L, n, YNODE_SEQ, k, path))
			return;
		bool *set = field;
		for (int s = 0; s < STAGE_COUNT; s++)
			set[s] = false;
		for (size_t i = 0; i < n->n; i++) {
			if (snprintf(sub, sizeof(sub), "%s[%zu]", path, i) < 0)
				sub[0] = 0; /* cut short past the cap: a name in messages */
			char *t = scalar_text(L, n->items[i], sub, "a stage name");
			if (!t)
				continue;
			int s = enum_index(schema_stage_names, t);
			if (s < 0)
				enum_error(L, n->items[i], sub, schema_stage_names, t);
			else
				set[s] = true;
			free(t);
		}
		return;
	}
	case KT_STAGE_HOURS: {
		if (!want(L, n, YNODE_MAP, k, path))
			return;
		double *hours = field;
		for (size_t i = 0; i < n->n; i++) {
			join(sub, path, n->keys[i]->str);
			int s = enum_index(schema_stage_names, n->keys[i]->str);
			if (s < 0) {
				enum_error(L, n->keys[i], path, schema_stage_names, n->keys[i]->str);
				continue;
			}
			char *t = scalar_text(L, n->items[i], sub, "a number of hours");
			const char *why;
			char sb[SHOW_MAX + 8];
			if (t && units_parse_number(t, &hours[s], &why))
				schema_error(L, n->items[i], "%s: %s of hours per month, got '%s'", sub, why,
					     shown(t, sb, sizeof(sb)));
			free(t);
		}
		return;
	}
	case KT_FX_MAP: {
		if (!want(L, n, YNODE_MAP, k, path))
			return;
		struct economics *e = base;
		e->fx_codes = xcalloc(n->n ? n->n : 1, sizeof(*e->fx_codes));
		e->fx_rates = xcalloc(n->n ? n->n : 1, sizeof(*e->fx_rates));
		for (size_t i = 0; i < n->n; i++) {
			join(sub, path, n->keys[i]->str);
			if (!is_currency(n->keys[i]->str)) {
				char sb[SHOW_MAX + 8];
				schema_error(L, n->keys[i], "%s: expected a three-letter currency code such as EUR, got '%s'",
					     path, shown(n->keys[i]->str, sb, sizeof(sb)));
				continue;
			}
			char *t = scalar_text(L, n->items[i], sub, "an exchange rate");
			double r;
			const char *why;
			char sb[SHOW_MAX + 8];
			if (t && (units_parse_number(t, &r, &why) || r <= 0 || !isfinite(r))) {
				// economics.currency may come later in the file, so it is not named here.
				schema_error(L, n->items[i],
					     "%s: expected what one %s is worth in economics.currency, a number greater than 0, got '%s'",
					     sub, n->keys[i]->str, shown(t, sb, sizeof(sb)));
			} else if (t) {
				e->fx_codes[e->n_fx] = xstrdup(n->keys[i]->str);
				e->fx_rates[e->n_fx++] = r;
			}
			free(t);
		}
		return;
	}
	case KT_QUERY_MAP: {
		if (!want(L, n, YNODE_MAP, k, path))
			return;
		char **q = xcalloc(n->n ? n->n : 1, sizeof(*q));
		size_t cnt = 0;
		for (size_t i = 0; i < n->n; i++) {
			join(sub, path, n->keys[i]->str);
			char *t = scalar_text(L, n->items[i], sub, "a query");
			if (!t)
				continue;
			if (strchr(n->keys[i]->str, '=') || !*n->keys[i]->str)
				schema_error(L, n->keys[i], "%s: a metric name cannot be empty or contain '='", sub);
			else
				q[cnt++] = xasprintf("%s=%s", n->keys[i]->str, t);
			free(t);
		}
		*AT(base, k->offset, char **) = q;
		*AT(base, k->count_off, size_t) = cnt;
		return;
	}
	default:
		break;
	}
	if (empty && n->type == YNODE_SCALAR) {
		schema_error(L, n, "%s: missing value; expected %s", path, schema_type_name(k));
		return;
	}
	char *text = scalar_text(L, n, path, schema_type_name(k));
	if (!text)
		return;
	(void)parse_scalar(L, k, base, text, n, path);
	free(text);
}

void schema_load(struct loader *L, const struct section *s, void *base, const struct ynode *map,
		 const char *path)
{
	load_map(L, s, base, map, map, path);
}

/* map NULL means "given but empty" (`agent:` alone); at is then where to point. */
static void load_map(struct loader *L, const struct section *s, void *base, const struct ynode *map,
		     const struct ynode *at, const char *path)
{
	char sub[PATH_MAX_LEN];
	if (map && map->type != YNODE_MAP) {
		if (*path)
			schema_error(L, map, "%s: expected a mapping, got %s", path, ynode_type_name(map->type));
		else
			schema_error(L, map, "expected a mapping of keys at the top of the file, got %s",
				     ynode_type_name(map->type));
		return;
	}
	const char *cands[64];
	uint64_t seen = 0; // one bit per key of s
	if (s->n_keys > 64)
		abort(); // a table this size is a bug the first test run shows
	size_t nc = s->n_keys < NELEM(cands) ? s->n_keys : NELEM(cands);
	for (size_t i = 0; i < nc; i++)
		cands[i] = s->keys[i].name;
	for (size_t i = 0; map && i < map->n; i++) {
		const struct ynode *key = map->keys[i];
		const struct key_spec *k = NULL;
		size_t idx = 0;
		for (size_t j = 0; j < s->n_keys && !k; j++)
			if (strcmp(s->keys[j].name, key->str) == 0)
				k = &s->keys[j], idx = j;
		// A duplicate key was reported by the parser; reading it twice would
		// merge two values into one field (a list's count with another's array).
		if (k && (seen & (UINT64_C(1) << idx)))
			continue;
		if (k)
			seen |= UINT64_C(1) << idx;
		char kb[SHOW_MAX + 8];
		// x-NAME at the top is an extension field, Compose's convention:
		// a place for anchors (&name) that sections merge in; not read.
		if (!k && !*path && strncmp(key->str, "x-", 2) == 0)
			continue;
		if (!k) {
			const char *sug = str_suggest(key->str, cands, nc);
			char where[PATH_MAX_LEN + 8];
			if (*path)
				snprintf(where, sizeof(where), "in '%s'", path);
			else
				snprintf(where, sizeof(where), "at the top level");
			if (sug)
				schema_error(L, key, "unknown key '%s' %s; did you mean '%s'?",
					     shown(key->str, kb, sizeof(kb)), where, sug);
			else
				schema_error(L, key, "unknown key '%s' %s", shown(key->str, kb, sizeof(kb)), where);
			continue;
		}
		join(sub, path, k->name);
		load_value(L, k, base, map->items[i], sub);
		if (k->flags & KF_PRESENT)
			*AT(base, k->flag_off, bool) = true;
	}
	for (size_t j = 0; j < s->n_keys; j++) {
		if (!(s->keys[j].flags & KF_REQUIRED) || schema_get(map, s->keys[j].name))
			continue;
		if (*path)
			schema_error(L, at, "%s: missing required key '%s'", path, s->keys[j].name);
		else
			schema_error(L, at, "missing required key '%s'", s->keys[j].name);
	}
	if (s->check)
		s->check(L, base, map, path);
}

void schema_defaults(const struct section *s, void *base)
{
	for (size_t i = 0; i < s->n_keys; i++) {
		const struct key_spec *k = &s->keys[i];
		if (k->type == KT_SECTION) {
			schema_defaults(k->sub, AT(base, k->offset, char));
		} else if (k->type == KT_STAGE_SET) {
			bool *set = AT(base, k->offset, bool);
			for (int st = 0; st < STAGE_COUNT; st++)
				set[st] = true;
		} else if (k->def) {
			// The defaults are ours: failing to parse one is a bug caught by the tests.
			if (parse_scalar(NULL, k, base, k->def, NULL, k->name))
				abort();
		}
	}
}

void schema_free(const struct section *s, void *base)
{
	for (size_t i = 0; i < s->n_keys; i++) {
		const struct key_spec *k = &s->keys[i];
		void *field = AT(base, k->offset, char);
		switch (k->type) {
		case KT_STRING:
		case KT_DATE:
			free(*(char **)field);
			*(char **)field = NULL;
			break;
		case KT_STR_LIST:
		case KT_QUERY_MAP: {
			char **v = *(char ***)field;
			size_t cnt = *AT(base, k->count_off, size_t);
			for (size_t j = 0; v && j < cnt; j++)
				free(v[j]);
			free(v);
			*(char ***)field = NULL;
			*AT(base, k->count_off, size_t) = 0;
			break;
		}
		case KT_COUNT_LIST:
			free(*(double **)field);
			*(double **)field = NULL;
			*AT(base, k->count_off, size_t) = 0;
			break;
		case KT_FX_MAP: {
			struct economics *e = base;
			for (size_t j = 0; j < e->n_fx; j++)
				free(e->fx_codes[j]);
			free(e->fx_codes);
			free(e->fx_rates);
			e->fx_codes = NULL;
			e->fx_rates = NULL;
			e->n_fx = 0;
			break;
		}
		case KT_SECTION:
			schema_free(k->sub, field);
			break;
		case KT_LIST:
		case KT_NAMED: {
			char *arr = *(char **)field;
			size_t cnt = *AT(base, k->count_off, size_t);
			for (size_t j = 0; arr && j < cnt; j++) {
				schema_free(k->sub, arr + j * k->sub->size);
				if (k->type == KT_NAMED)
					free(*AT(arr + j * k->sub->size, k->sub->name_off, char *));
			}
			free(arr);
			*(char **)field = NULL;
			*AT(base, k->count_off, size_t) = 0;
			break;
		}
		default:
			break;
		}
	}
}

void schema_each_key(const struct section *s, const char *prefix,
		     void (*fn)(const char *path, const struct key_spec *k, void *ctx), void *ctx)
{
	char path[PATH_MAX_LEN], sub[PATH_MAX_LEN + 8];
	for (size_t i = 0; i < s->n_keys; i++) {
		const struct key_spec *k = &s->keys[i];
		join(path, prefix, k->name);
		fn(path, k, ctx);
		if (k->type == KT_LIST) {
			snprintf(sub, sizeof(sub), "%s[]", path);
			schema_each_key(k->sub, sub, fn, ctx);
		} else if (k->type == KT_NAMED) {
			snprintf(sub, sizeof(sub), "%s.NAME", path);
			schema_each_key(k->sub, sub, fn, ctx);
		} else if (k->type == KT_SECTION || k->type == KT_CALIBRATION) {
			schema_each_key(k->sub, path, fn, ctx);
		}
	}
}

/* A calibration file written by `headroom bench --calibrate`; relative paths
 * are relative to the config file, so a config and its calibration travel together. */
static void load_calibration_file(struct loader *L, const struct key_spec *k, const struct ynode *n,
				  const char *text)
{
	if (L->depth > 0) {
		schema_error(L, n, "calibration: a calibration file cannot name another one");
		return;
	}
	char *path = text[0] == '/' || !L->dir ? xstrdup(text) : xasprintf("%s/%s", L->dir, text);
	struct yaml_doc *doc;
	struct loader sub = *L;
	int rc = yaml_doc_load(path, L->d, &doc);
	if (rc) {
		if (rc == HR_E_IO)
			schema_error(L, n, "calibration: cannot read the calibration file '%s'", path);
		else if (!L->rc)
			L->rc = rc;
		free(path);
		return;
	}
	sub.doc = doc;
	sub.rc = 0;
	sub.depth = L->depth + 1;
	if (!doc->root)
		schema_error(&sub, NULL, "the calibration file is empty; expected 'calibration:'");
	else
		schema_load(&sub, &schema_calibration_file, L->calib, doc->root, "");
	L->calib->present = sub.rc == 0;
	// The pending-money list may have grown; nothing else is shared.
	L->money = sub.money;
	L->n_money = sub.n_money;
	L->cap_money = sub.cap_money;
	if (sub.rc && !L->rc)
		L->rc = sub.rc;
	yaml_doc_free(doc);
	free(path);
	(void)k;
}

/* ---------------------------------------------------------------- tables -- */

const char *const schema_stage_names[] = {"single", "single+ops", "split", "ha", "cluster", NULL};
const char *const schema_offer_kinds[] = {"server", "lb", "managed_db", "managed_cache", "volume",
					  "backup", "k8s", "function", "monitoring", NULL};
static const char *const component_kinds[] = {"app", "worker", "postgres", "redis", "proxy", "other", NULL};
static const char *const db_modes[] = {"any", "self", "managed", NULL};
static const char *const pooler_modes[] = {"any", "never", "always", NULL};
static const char *const directions[] = {"above", "below", NULL};
static const char *const source_types[] = {"local", "prometheus", "postgres", "redis", "http", NULL};

#define F(st, fld) .offset = offsetof(st, fld)
#define SECTION(var, nm, st, arr, ...) \
	const struct section var = {.name = nm, .keys = arr, .n_keys = NELEM(arr), .size = sizeof(st), __VA_ARGS__}

/* workload.requests[].external and workload.tasks[].external */
static const struct key_spec ext_keys[] = {
	{"name", KT_STRING, F(struct ext_call, name), .flags = KF_REQUIRED,
	 .doc = "the external API (e.g. anthropic), for the cost breakdown"},
	{"calls", KT_NUMBER, F(struct ext_call, calls), .def = "1",
	 .doc = "calls per request or task", .why_default = "one call per request"},
	{"price", KT_MONEY_UNIT, F(struct ext_call, price),
	 .doc = "price per call; converted to economics.currency"},
	{"rate_limit", KT_RATE, F(struct ext_call, rate_limit),
	 .doc = "calls the account may make (a rate such as 50/s); absent = no limit"},
};
static SECTION(ext_section, "external call", struct ext_call, ext_keys);

static const struct key_spec request_keys[] = {
	{"name", KT_STRING, F(struct request_class, name), .flags = KF_REQUIRED, .doc = "name of the request class"},
	{"rate", KT_RATE, F(struct request_class, rate), .flags = KF_REQUIRED,
	 .doc = "requests per user online at the peak (a rate such as 6/min)"},
	{"duration", KT_DURATION, F(struct request_class, duration_s), .flags = KF_REQUIRED | KF_POSITIVE,
	 .doc = "wall time a request holds a connection and a worker slot"},
	{"cpu", KT_DURATION, F(struct request_class, cpu_s), .flags = KF_REQUIRED,
	 .doc = "CPU time per request on the app tier"},
	{"memory", KT_SIZE, F(struct request_class, memory_b), .doc = "memory held per in-flight request"},
	{"db_queries", KT_NUMBER, F(struct request_class, db_queries), .doc = "database queries per request"},
	{"db_query_time", KT_DURATION, F(struct request_class, db_query_s), .doc = "mean database time per query"},
	{"bytes_out", KT_SIZE, F(struct request_class, bytes_out), .doc = "response size"},
	{"bytes_in", KT_SIZE, F(struct request_class, bytes_in), .doc = "request size"},
	{"external", KT_SECTION, F(struct request_class, external), .sub = &ext_section,
	 .doc = "an external API each request calls"},
};
static SECTION(request_section, "request class", struct request_class, request_keys);

static void task_check(struct loader *L, void *base, const struct ynode *map, const char *path)
{
	if (map && !schema_get(map, "rate") && !schema_get(map, "rate_per_user"))
		schema_error(L, map, "%s: needs 'rate' (tasks regardless of users) or 'rate_per_user'", path);
	(void)base;
}

static const struct key_spec task_keys[] = {
	{"name", KT_STRING, F(struct task_class, name), .flags = KF_REQUIRED, .doc = "name of the task class"},
	{"rate", KT_RATE, F(struct task_class, rate), .doc = "tasks regardless of users (a rate such as 2/min)"},
	{"rate_per_user", KT_RATE, F(struct task_class, rate_per_user),
	 .doc = "tasks per user online at the peak, added to rate"},
	{"duration", KT_DURATION, F(struct task_class, duration_s), .flags = KF_REQUIRED | KF_POSITIVE,
	 .doc = "wall time a task holds a worker slot"},
	{"cpu", KT_DURATION, F(struct task_class, cpu_s), .flags = KF_REQUIRED, .doc = "CPU time per task"},
	{"memory", KT_SIZE, F(struct task_class, memory_b), .doc = "memory per running task"},
	{"db_queries", KT_NUMBER, F(struct task_class, db_queries), .doc = "database queries per task"},
	{"external", KT_SECTION, F(struct task_class, external), .sub = &ext_section,
	 .doc = "an external API each task calls"},
};
static SECTION(task_section, "task class", struct task_class, task_keys, .check = task_check);

static const struct key_spec storage_keys[] = {
	{"per_user", KT_SIZE, F(struct workload, storage_per_user_b), .doc = "database bytes per registered user"},
	{"base", KT_SIZE, F(struct workload, storage_base_b), .doc = "database bytes regardless of users"},
	{"files_per_user", KT_SIZE, F(struct workload, files_per_user_b),
	 .doc = "file/object bytes per user on disk, outside the database"},
};
static SECTION(storage_section, "storage", struct workload, storage_keys);

static const struct key_spec workload_keys[] = {
	{"users", KT_COUNT, F(struct workload, users), .flags = KF_REQUIRED, .max = WORKLOAD_MAX_USERS,
	 .doc = "registered users now"},
	{"growth", KT_RATIO, F(struct workload, growth_monthly), .max = 10,
	 .doc = "user growth per month (10%); at most 1000%"},
	{"milestones", KT_COUNT_LIST, F(struct workload, milestones), .count_off = offsetof(struct workload, n_milestones),
	 .max = WORKLOAD_MAX_USERS, .doc = "user counts to plan for, e.g. [500, 2000, 10k]"},
	{"daily_active", KT_RATIO, F(struct workload, daily_active), .flags = KF_REQUIRED | KF_POSITIVE, .max = 1,
	 .doc = "share of users active on a day"},
	{"peak_concurrent", KT_RATIO, F(struct workload, peak_concurrent), .flags = KF_REQUIRED | KF_POSITIVE, .max = 1,
	 .doc = "share of the day's active users online at the peak"},
	{"busy_time", KT_DURATION, F(struct workload, busy_s), .def = "8h", .max = 86400,
	 .doc = "how long a day the peak load lasts; monthly volumes (external calls, egress) = peak rate x this x 365/12",
	 .why_default = "a working day (headroom's assumption, docs/plan.md)"},
	{"db_read_share", KT_RATIO, F(struct workload, db_read_share), .def = "80%", .max = 1,
	 .doc = "share of the database queries that only read: read replicas and a read cache take these",
	 .why_default = "the low end of the 80-95 % reads quoted for web and CRUD apps (research notes, \"Read fraction\"); measure yours with pg_stat_statements"},
	{"cache_hit_ratio", KT_RATIO, F(struct workload, cache_hit_ratio), .max = 1,
	 .doc = "share of the read queries a Redis read cache would answer, when the planner adds one (seed 004, Tier 2 \"Add Redis Cache\"); absent = no read cache"},
	{"storage", KT_SECTION, .offset = 0, .sub = &storage_section, .doc = "how data grows"},
	{"requests", KT_LIST, F(struct workload, requests), .count_off = offsetof(struct workload, n_requests),
	 .sub = &request_section, .doc = "request classes"},
	{"tasks", KT_LIST, F(struct workload, tasks), .count_off = offsetof(struct workload, n_tasks),
	 .sub = &task_section, .doc = "background task classes"},
};
static SECTION(workload_section, "workload", struct workload, workload_keys);

static const struct key_spec component_keys[] = {
	{"kind", KT_ENUM, F(struct component, kind), .flags = KF_REQUIRED, .names = component_kinds,
	 .doc = "app | worker | postgres | redis | proxy | other"},
	{"workers", KT_UINT, F(struct component, workers), .def = "1", .flags = KF_POSITIVE,
	 .doc = "processes per replica (uvicorn/gunicorn --workers)", .why_default = "one process"},
	{"concurrency", KT_UINT, F(struct component, concurrency), .def = "1", .flags = KF_POSITIVE,
	 .doc = "in-flight requests or tasks per process",
	 .why_default = "a synchronous worker serves one at a time"},
	{"memory", KT_SIZE, F(struct component, memory_base_b),
	 .doc = "app/worker/proxy/other: resident bytes per process; postgres/redis: memory to reserve"},
	{"cpu_idle", KT_NUMBER, F(struct component, cpu_base), .doc = "cores used at idle"},
	{"db_pool", KT_UINT, F(struct component, db_pool), .doc = "database connections per process"},
	{"max_connections", KT_UINT, F(struct component, max_connections), .def = "100", .flags = KF_POSITIVE,
	 .doc = "postgres: max_connections",
	 .why_default = "PostgreSQL's own default (postgresql.org/docs/current/runtime-config-connection.html)"},
	/* How it runs: read by init and export only (docs/export.md). */
	{"image", KT_STRING, F(struct component, image),
	 .doc = "container image for export, e.g. redis:7-alpine; absent = the kind's default image (app/worker: none, build or set one)"},
	{"build", KT_STRING, F(struct component, build), .doc = "compose build context for export, e.g. ./apps/api"},
	{"command", KT_STRING, F(struct component, command), .doc = "command line for export; absent = the image's own"},
	{"port", KT_UINT, F(struct component, port), .flags = KF_POSITIVE, .max = 65535,
	 .doc = "port the service listens on, for health checks, probes and the proxy; absent = the kind's default"},
	{"health", KT_STRING, F(struct component, health),
	 .doc = "HTTP path health checks and probes ask, e.g. /health; absent = a TCP check on the port"},
	{"queue", KT_STRING, F(struct component, queue),
	 .doc = "worker: the Redis list it consumes (celery, bull:NAME:wait), for the KEDA trigger"},
	{"profiles", KT_STR_LIST, F(struct component, profiles), .count_off = offsetof(struct component, n_profiles),
	 .doc = "compose profiles the service belongs to (kept by init, written by export compose)"},
};
static SECTION(component_section, "component", struct component, component_keys,
	       .name_off = offsetof(struct component, name));

static const struct key_spec node_keys[] = {
	{"role", KT_STRING, F(struct node_group, role), .def = "all",
	 .doc = "what runs on these nodes: all, app, db, worker, ...", .why_default = "one node runs everything"},
	{"plan", KT_STRING, F(struct node_group, plan), .flags = KF_REQUIRED, .doc = "catalogue entry name, e.g. cx22"},
	{"count", KT_UINT, F(struct node_group, count), .def = "1", .flags = KF_POSITIVE, .doc = "how many such nodes",
	 .why_default = "one node"},
};
static SECTION(node_section, "node group", struct node_group, node_keys);

static const struct key_spec current_keys[] = {
	{"stage", KT_ENUM, F(struct deployment, current_stage), .flags = KF_REQUIRED, .names = schema_stage_names,
	 .doc = "the stage running today"},
	{"nodes", KT_LIST, F(struct deployment, current), .count_off = offsetof(struct deployment, n_current),
	 .sub = &node_section, .doc = "the nodes running today"},
};
static SECTION(current_section, "current deployment", struct deployment, current_keys);

static const struct key_spec pooler_keys[] = {
	{"use", KT_ENUM, F(struct deployment, pooler), .def = "any", .names = pooler_modes,
	 .doc = "a PgBouncer in front of the database (transaction pooling): any (where a shape needs it) | never | always",
	 .why_default = "let the planner compare, as for deployment.database"},
	{"pool_size", KT_UINT, F(struct deployment, pool_size), .def = "20", .flags = KF_POSITIVE,
	 .doc = "server connections the pooler holds to each database server",
	 .why_default = "PgBouncer's default_pool_size (pgbouncer.org/config.html)"},
	{"max_client_conn", KT_UINT, F(struct deployment, max_client_conn), .def = "100", .flags = KF_POSITIVE,
	 .doc = "client connections one pooler accepts (every process's db_pool ends there)",
	 .why_default = "PgBouncer's default max_client_conn (pgbouncer.org/config.html)"},
};
static SECTION(pooler_section, "pooler", struct deployment, pooler_keys);

static const struct key_spec deployment_keys[] = {
	{"providers", KT_STR_LIST, F(struct deployment, providers), .count_off = offsetof(struct deployment, n_providers),
	 .doc = "catalogue providers the planner may use; absent = all"},
	{"stages", KT_STAGE_SET, F(struct deployment, stage_allowed),
	 .doc = "stage templates the planner may use: single, single+ops, split, ha, cluster; absent = all"},
	{"database", KT_ENUM, F(struct deployment, database), .def = "any", .names = db_modes,
	 .doc = "how the database may run: any | self | managed", .why_default = "let the planner compare"},
	{"pooler", KT_SECTION, .offset = 0, .sub = &pooler_section, .doc = "the connection pooler"},
	{"max_read_replicas", KT_UINT, F(struct deployment, max_replicas), .def = "15", .max = 15,
	 .doc = "most read replicas of the database the planner tries (0 = none)",
	 .why_default = "Amazon RDS: each DB instance can have up to 15 read replicas (RDS API, CreateDBInstanceReadReplica)"},
	{"current", KT_SECTION, .offset = 0, .sub = &current_section, .flags = KF_PRESENT,
	 .flag_off = offsetof(struct deployment, has_current), .doc = "what runs today"},
};
static SECTION(deployment_section, "deployment", struct deployment, deployment_keys);

/* How parts fail and recover (docs/plan.md, "Availability"): every default
 * with its source; avail_defaults() in model/availability.c holds the same
 * values (a unit test compares them). Research notes = the project's
 * availability research, section A. */
static const struct key_spec reliability_keys[] = {
	{"node_failures", KT_RATE, F(struct reliability, node_failures), .def = "2/year",
	 .doc = "host events (hardware, hypervisor, kernel) per node",
	 .why_default = "research notes A.3: \"1-2 unplanned host events per VM-year\" (the upper end)"},
	{"app_failures", KT_RATE, F(struct reliability, app_failures), .def = "24/year",
	 .doc = "failures of the service on an app node that its restart policy does not fix (a hang, a crash loop, a leak, a full disk)",
	 .why_default = "ASSUMPTION, twice a month: research notes A.3, \"real incidents are dominated by software/deploy/config\"; "
			"with it one VPS comes out near seed 000's 99 % tier (docs/plan.md); set it from your incident history"},
	{"detection", KT_DURATION, F(struct reliability, detection_s), .def = "5m",
	 .doc = "time for an uptime monitor to notice a failure and alert",
	 .why_default = "seed 000 section 4: uptime monitoring on UptimeRobot's free tier, which checks every 5 minutes"},
	{"detection_unmonitored", KT_DURATION, F(struct reliability, unmonitored_s), .def = "4h",
	 .doc = "time to notice a failure without monitoring (stage single)",
	 .why_default = "ASSUMPTION: nobody is paged, a user or the owner notices; seed 000 section 8 calls it best-effort"},
	{"response", KT_DURATION, F(struct reliability, response_s), .def = "2h",
	 .doc = "time from an alert to a person at work on it",
	 .why_default = "ASSUMPTION: a small team without a 24/7 rotation; ~10 min in working hours, ~45 min evenings and weekends, "
			"until morning at night: 1.8 h over a week (docs/plan.md)"},
	{"repair", KT_DURATION, F(struct reliability, repair_s), .def = "30m",
	 .doc = "hands-on fix of a failed service: restart, clean up, start it elsewhere",
	 .why_default = "seed 000 section 8, 99 % tier: \"Recovery time: 5-30 minutes\""},
	{"rebuild", KT_DURATION, F(struct reliability, rebuild_s), .def = "3h",
	 .doc = "set a lost node up again by hand, without backups or a standby image (stage single)",
	 .why_default = "seed 000 section 10: a new VPS with Docker Compose takes \"2-4 hours\""},
	{"provision", KT_DURATION, F(struct reliability, provision_s), .def = "5m",
	 .doc = "start a standby image or a replacement node",
	 .why_default = "seed 000 section 4: \"Standby VPS image ... 5-minute failover\""},
	{"restore_rate", KT_THROUGHPUT, F(struct reliability, restore_bps), .def = "25MB/s", .flags = KF_POSITIVE,
	 .doc = "how fast a database backup restores",
	 .why_default = "A. McKerlie, \"Speeding up Postgres Restores\" (2016): a 50 GB dump loaded by psql in about 30 minutes"},
	{"wal_replay", KT_DURATION, F(struct reliability, wal_replay_s), .def = "0s",
	 .doc = "WAL replay after a restore",
	 .why_default = "seed 000 section 4 backs up with pg_dump, which leaves no WAL to replay; set it for base backups with a WAL archive"},
	{"deploys", KT_RATE, F(struct reliability, deploys), .def = "20/month",
	 .doc = "releases a month",
	 .why_default = "ASSUMPTION: a release every working day"},
	{"restart", KT_DURATION, F(struct reliability, restart_s), .def = "30s",
	 .doc = "downtime of an in-place docker compose up: stop, start, ready",
	 .why_default = "research notes A.4: compose stops (SIGTERM, SIGKILL after stop_grace_period 10 s) and starts the changed containers; seconds to tens of seconds"},
	{"change_failure", KT_RATIO, F(struct reliability, change_failure), .def = "5%", .max = 1,
	 .doc = "share of releases that break the service and are rolled back",
	 .why_default = "ASSUMPTION: one release in twenty; DORA's State of DevOps reports measure it as the change failure rate"},
	{"rollback", KT_DURATION, F(struct reliability, rollback_s), .def = "10m",
	 .doc = "from noticing a bad release to the previous one serving",
	 .why_default = "ASSUMPTION: the deployer is at the keyboard and redeploys the previous image"},
	{"patch_reboots", KT_RATE, F(struct reliability, patch_reboots), .def = "1/month",
	 .doc = "OS patch reboots per node",
	 .why_default = "ASSUMPTION: a monthly patch cycle that needs a reboot"},
	{"reboot", KT_DURATION, F(struct reliability, reboot_s), .def = "2m",
	 .doc = "a node's reboot until its services answer",
	 .why_default = "seed 003 (knowledge graph on 3 VPS), option A1: a VPS reboot, \"Downtime: ~2 minutes\""},
	{"lb_failover", KT_DURATION, F(struct reliability, lb_failover_s), .def = "1m",
	 .doc = "a load balancer's health checks take a failed node out",
	 .why_default = "AWS ALB target-group defaults: a check every 30 s, out after 2 failures"},
	{"db_failover", KT_DURATION, F(struct reliability, db_failover_s), .def = "45s",
	 .doc = "self-run PostgreSQL pair: the standby is promoted and clients reconnect",
	 .why_default = "research notes A.4: Patroni ttl 30 s + loop_wait 10 s to promotion, plus a client reconnect"},
	{"managed_failover", KT_DURATION, F(struct reliability, managed_failover_s), .def = "2m",
	 .doc = "a managed database with a standby fails over",
	 .why_default = "research notes A.4: AWS RDS Multi-AZ failover \"typically 60-120 seconds\" (the upper end)"},
	{"cache_failover", KT_DURATION, F(struct reliability, cache_failover_s), .def = "40s",
	 .doc = "Redis with a replica (Sentinel or managed) fails over",
	 .why_default = "research notes A.4: Sentinel down-after-milliseconds 30 s, then the election and promotion"},
	{"pod_restart", KT_DURATION, F(struct reliability, pod_restart_s), .def = "30s",
	 .doc = "Kubernetes takes a failed pod out and restarts it",
	 .why_default = "Kubernetes probe defaults: periodSeconds 10 x failureThreshold 3"},
	{"reschedule", KT_DURATION, F(struct reliability, reschedule_s), .def = "5m40s",
	 .doc = "Kubernetes moves the pods of a dead node elsewhere",
	 .why_default = "Kubernetes: node-monitor-grace-period 40 s, then the default not-ready toleration of 300 s"},
	{"zone_outages", KT_RATE, F(struct reliability, zone_outages), .def = "1/year",
	 .doc = "outages of the provider's location (common to every part there)",
	 .why_default = "ASSUMPTION; a server plan's published SLA bounds this share (research notes A.2)"},
	{"zone_outage", KT_DURATION, F(struct reliability, zone_outage_s), .def = "2h",
	 .doc = "how long a location outage lasts",
	 .why_default = "ASSUMPTION"},
};
static SECTION(reliability_section, "reliability", struct reliability, reliability_keys);

static const struct key_spec utilization_keys[] = {
	{"cpu", KT_RATIO, F(struct objectives, cpu_max), .def = "70%", .flags = KF_POSITIVE, .max = 1,
	 .doc = "highest CPU utilisation at the peak",
	 .why_default = "seed 004 (FastAPI + PostgreSQL scaling strategy): \"CPU consistently >70%\"; seed 001 (agent platform): \"Target <70% average\""},
	{"memory", KT_RATIO, F(struct objectives, memory_max), .def = "80%", .flags = KF_POSITIVE, .max = 1,
	 .doc = "highest memory use at the peak",
	 .why_default = "seed 001 (agent platform): \"Server Memory: Target <80% average\"; seed 004 warns at >80%"},
	{"db_connections", KT_RATIO, F(struct objectives, db_conn_max), .def = "80%", .flags = KF_POSITIVE, .max = 1,
	 .doc = "highest share of max_connections in use",
	 .why_default = "seed 002 (API + web + workers): \"Connections 80/100\""},
	{"disk", KT_RATIO, F(struct objectives, disk_max), .def = "80%", .flags = KF_POSITIVE, .max = 1,
	 .doc = "fullest a disk may get",
	 .why_default = "seed 001: \"Disk Usage: Alert at 80% full\"; seed 002: \"Disk 80% used\"; seed 004: storage 80%"},
	{"external_rate", KT_RATIO, F(struct objectives, ext_rate_max), .def = "80%", .flags = KF_POSITIVE, .max = 1,
	 .doc = "share of an external API's rate limit to use at most",
	 .why_default = "the same 80% headroom the seeds keep on connections"},
};
static SECTION(utilization_section, "utilization", struct objectives, utilization_keys);

static const struct key_spec objectives_keys[] = {
	{"p95", KT_DURATION, F(struct objectives, p95_s), .flags = KF_POSITIVE,
	 .doc = "request latency target at the 95th percentile; absent = none"},
	{"availability", KT_RATIO, F(struct objectives, availability), .flags = KF_POSITIVE, .max = 0.999999,
	 .doc = "monthly availability target such as 99.5%; absent = none"},
	{"utilization", KT_SECTION, .offset = 0, .sub = &utilization_section,
	 .doc = "utilisation limits at the peak"},
};
static SECTION(objectives_section, "objectives", struct objectives, objectives_keys);

static void trigger_init(void *base)
{
	struct trigger_rule *t = base;
	// Levels the file leaves out stay NAN so rules/ can take them from the default rule.
	t->warn = NAN;
	t->crit = NAN;
	// So do `for` and hysteresis: an override that leaves them out keeps the
	// default's (rules_merge), and "for: 0s" stays expressible.
	t->for_s = NAN;
	t->hysteresis = NAN;
}

static void trigger_check(struct loader *L, void *base, const struct ynode *map, const char *path)
{
	struct trigger_rule *t = base;
	if (isnan(t->warn) || isnan(t->crit))
		return;
	if (t->dir == TRIGGER_ABOVE && t->warn > t->crit)
		schema_error(L, schema_get(map, "crit"), "%s: crit must not be below warn for a trigger that fires above its levels",
			     path);
	else if (t->dir == TRIGGER_BELOW && t->warn < t->crit)
		schema_error(L, schema_get(map, "crit"), "%s: crit must not be above warn for a trigger with direction: below",
			     path);
}

static const struct key_spec trigger_keys[] = {
	{"metric", KT_STRING, F(struct trigger_rule, metric),
	 .doc = "metric name (docs/metrics.md); may be left out when overriding a default trigger"},
	{"direction", KT_ENUM, F(struct trigger_rule, dir), .def = "above", .names = directions,
	 .doc = "above | below: which side of the levels is bad", .why_default = "most triggers are upper limits"},
	{"warn", KT_LEVEL, F(struct trigger_rule, warn), .doc = "warning level: 70%, 500, 10k, 500ms or 4GiB"},
	{"crit", KT_LEVEL, F(struct trigger_rule, crit), .doc = "critical level, same forms"},
	{"for", KT_DURATION, F(struct trigger_rule, for_s), .doc = "how long past a level before the state changes"},
	{"hysteresis", KT_RATIO, F(struct trigger_rule, hysteresis), .max = 1,
	 .doc = "share of the level to cross back before clearing"},
	{"action", KT_STRING, F(struct trigger_rule, action), .doc = "what to do when it fires"},
	{"enabled", KT_BOOL, F(struct trigger_rule, disabled), .flags = KF_INVERT, .def = "true",
	 .doc = "false turns a (default) trigger off", .why_default = "a written trigger is meant to run"},
};
static SECTION(trigger_section, "trigger", struct trigger_rule, trigger_keys,
	       .name_off = offsetof(struct trigger_rule, name), .check = trigger_check, .init = trigger_init);

static const struct key_spec tier_keys[] = {
	{"name", KT_STRING, F(struct revenue_tier, name), .flags = KF_REQUIRED, .doc = "tier name"},
	{"price", KT_MONEY_MONTH, F(struct revenue_tier, price), .flags = KF_REQUIRED,
	 .doc = "revenue per customer, such as $29/mo"},
	{"share", KT_RATIO, F(struct revenue_tier, share), .flags = KF_REQUIRED, .max = 1,
	 .doc = "share of customers on this tier"},
};
static SECTION(tier_section, "revenue tier", struct revenue_tier, tier_keys);

static const struct key_spec operations_keys[] = {
	{"rate", KT_MONEY_HOUR, F(struct economics, ops_rate), .doc = "cost of an hour of operations work, such as $60/h"},
	{"hours", KT_STAGE_HOURS, F(struct economics, ops_hours),
	 .doc = "hours of operations work per month for each stage; absent stages cost 0"},
};
static SECTION(operations_section, "operations", struct economics, operations_keys);

static const struct key_spec dedicated_keys[] = {
	{"users", KT_COUNT, F(struct dedicated, users), .flags = KF_REQUIRED | KF_POSITIVE, .max = WORKLOAD_MAX_USERS,
	 .doc = "users of one enterprise customer who gets a stack of their own"},
	{"customers", KT_UINT, F(struct dedicated, customers), .def = "1", .flags = KF_POSITIVE,
	 .doc = "how many such customers", .why_default = "seed 000 section 10: \"When You Sign First Enterprise Customer\""},
	{"availability", KT_RATIO, F(struct dedicated, availability), .flags = KF_POSITIVE, .max = 0.999999,
	 .doc = "the availability objective of a dedicated stack; absent = objectives.availability"},
	{"revenue", KT_MONEY_MONTH, F(struct dedicated, revenue),
	 .doc = "revenue per dedicated customer, such as $5000/mo; absent = no margin shown"},
};
static SECTION(dedicated_section, "dedicated stack", struct dedicated, dedicated_keys);

static void economics_check(struct loader *L, void *base, const struct ynode *map, const char *path)
{
	struct economics *e = base;
	double sum = 0;
	for (size_t i = 0; i < e->n_tiers; i++)
		sum += e->tiers[i].share;
	if (e->n_tiers && fabs(sum - 1) > 0.005)
		schema_error(L, schema_get(map, "tiers"), "%s.tiers: the shares add up to %g%%, expected 100%%",
			     path, sum * 100);
}

static const struct key_spec economics_keys[] = {
	{"currency", KT_CURRENCY, F(struct economics, currency), .def = "USD",
	 .doc = "currency of every amount in the plan (ISO 4217)",
	 .why_default = "the seeds price in dollars (seed 000) and euros (seed 002); most provider pages quote USD"},
	{"exchange", KT_FX_MAP, .offset = 0,
	 .doc = "rates to economics.currency, such as {EUR: 1.08}; override the shipped table"},
	{"users_per_customer", KT_NUMBER, F(struct economics, users_per_customer),
	 .doc = "users per paying customer; absent = no per-customer figures"},
	{"tiers", KT_LIST, F(struct economics, tiers), .count_off = offsetof(struct economics, n_tiers),
	 .sub = &tier_section, .doc = "revenue tiers"},
	{"operations", KT_SECTION, .offset = 0, .sub = &operations_section, .doc = "operations time cost"},
	{"dedicated", KT_SECTION, F(struct economics, dedicated), .sub = &dedicated_section, .flags = KF_PRESENT,
	 .flag_off = offsetof(struct economics, dedicated.present),
	 .doc = "a stack of its own per enterprise customer (seed 000 section 9), planned and priced beside the shared one"},
};
static SECTION(economics_section, "economics", struct economics, economics_keys, .check = economics_check);

static void offer_check(struct loader *L, void *base, const struct ynode *map, const char *path)
{
	struct offer *o = base;
	const char *need = NULL;
	switch (o->kind) {
	case OFFER_VOLUME:
		if (!schema_get(map, "price_per_gb"))
			need = "price_per_gb";
		break;
	case OFFER_BACKUP:
		if (!schema_get(map, "percent") && !schema_get(map, "price"))
			need = "percent";
		break;
	case OFFER_FUNCTION:
		if (!schema_get(map, "per_million") && !schema_get(map, "per_gb_s") && !schema_get(map, "per_cpu_h"))
			need = "per_million, per_gb_s or per_cpu_h";
		break;
	default:
		if (!schema_get(map, "price"))
			need = "price";
		break;
	}
	if (need && map && schema_get(map, "kind"))
		schema_error(L, map, "%s: a %s entry needs %s", path, schema_offer_kinds[o->kind], need);
	if (map && o->kind == OFFER_SERVER && (!schema_get(map, "vcpu") || !schema_get(map, "memory")))
		schema_error(L, map, "%s: a server entry needs vcpu and memory", path);
}

static const struct key_spec offer_keys[] = {
	{"provider", KT_STRING, F(struct offer, provider), .doc = "provider name, e.g. hetzner (a data file gives its own)"},
	{"name", KT_STRING, F(struct offer, name), .flags = KF_REQUIRED, .doc = "entry name, e.g. cx22"},
	{"kind", KT_ENUM, F(struct offer, kind), .flags = KF_REQUIRED, .names = schema_offer_kinds,
	 .doc = "server | lb | managed_db | managed_cache | volume | backup | k8s | function | monitoring"},
	{"vcpu", KT_NUMBER, F(struct offer, vcpu), .doc = "virtual CPUs"},
	{"memory", KT_SIZE, F(struct offer, memory_b), .doc = "memory"},
	{"disk", KT_SIZE, F(struct offer, disk_b), .doc = "included disk"},
	{"transfer", KT_SIZE, F(struct offer, transfer_b), .doc = "included egress per month"},
	{"price", KT_MONEY_MONTH, F(struct offer, price), .cur_off = offsetof(struct offer, currency),
	 .doc = "price per month (or per hour, converted at 730 h a month)"},
	{"price_per_gb", KT_MONEY_UNIT, F(struct offer, price_per_gb), .cur_off = offsetof(struct offer, currency),
	 .doc = "volumes: price per GB-month"},
	{"percent", KT_RATIO, F(struct offer, percent), .max = 10, .doc = "backups: share of the server price, such as 20%"},
	{"per_million", KT_MONEY_UNIT, F(struct offer, per_million), .cur_off = offsetof(struct offer, currency),
	 .doc = "functions: price per million invocations"},
	{"per_gb_s", KT_MONEY_UNIT, F(struct offer, per_gb_s), .cur_off = offsetof(struct offer, currency),
	 .doc = "functions: price per GB-second of memory"},
	{"per_cpu_h", KT_MONEY_UNIT, F(struct offer, per_cpu_h), .cur_off = offsetof(struct offer, currency),
	 .doc = "functions: price per active CPU-hour"},
	{"availability", KT_RATIO, F(struct offer, availability), .max = 1, .doc = "published SLA; absent = none published"},
	{"max_connections", KT_UINT, F(struct offer, max_connections), .doc = "managed database: connection limit"},
	{"ha", KT_BOOL, F(struct offer, ha), .doc = "managed database/cache with a standby"},
	{"pooler", KT_BOOL, F(struct offer, pooler),
	 .doc = "managed database: the provider runs a connection pooler (PgBouncer) for it"},
	{"replica_price", KT_MONEY_MONTH, F(struct offer, replica_price), .cur_off = offsetof(struct offer, currency),
	 .doc = "managed database: price of one read replica; absent = the entry's price"},
	{"non_commercial", KT_BOOL, F(struct offer, non_commercial),
	 .doc = "true when the terms forbid commercial use (a free hobby tier); the planner leaves such an entry out; absent = commercial use allowed"},
	{"as_of", KT_DATE, F(struct offer, as_of), .flags = KF_REQUIRED, .doc = "date the price was read (YYYY-MM-DD)"},
	{"source", KT_STRING, F(struct offer, source), .flags = KF_REQUIRED, .doc = "where the price was read"},
};
SECTION(schema_offer, "catalogue entry", struct offer, offer_keys, .check = offer_check);

static const struct key_spec source_keys[] = {
	{"name", KT_STRING, F(struct source_config, name), .doc = "unique name; absent = the type"},
	{"type", KT_STRING, F(struct source_config, type), .flags = KF_REQUIRED, .names = source_types,
	 .doc = "local | prometheus | postgres | redis | http"},
	{"url", KT_STRING, F(struct source_config, url), .doc = "prometheus base URL, http probe URL or redis://HOST:PORT"},
	{"dsn", KT_STRING, F(struct source_config, dsn), .doc = "postgres connection string"},
	{"user", KT_STRING, F(struct source_config, user), .doc = "basic-auth user"},
	{"password", KT_STRING, F(struct source_config, password), .doc = "basic-auth password (use ${VAR})"},
	{"token", KT_STRING, F(struct source_config, token), .doc = "bearer token (use ${VAR})"},
	{"queues", KT_STR_LIST, F(struct source_config, queues), .count_off = offsetof(struct source_config, n_queues),
	 .doc = "redis: list keys whose length is a queue depth"},
	{"cgroup", KT_STRING, F(struct source_config, cgroup), .doc = "local: cgroup v2 path or container to read"},
	{"mounts", KT_STR_LIST, F(struct source_config, mounts), .count_off = offsetof(struct source_config, n_mounts),
	 .doc = "local: mount points for disk use; absent = /"},
	{"queries", KT_QUERY_MAP, F(struct source_config, queries), .count_off = offsetof(struct source_config, n_queries),
	 .doc = "prometheus: metric name -> PromQL"},
	{"probes", KT_UINT, F(struct source_config, probes), .def = "10", .flags = KF_POSITIVE, .max = 10000,
	 .doc = "http: requests per sample", .why_default = "enough for a p95 of one sample to mean something, cheap enough for every 10s"},
	{"timeout", KT_DURATION, F(struct source_config, timeout_s), .def = "5s", .flags = KF_POSITIVE,
	 .doc = "per operation", .why_default = "half the default agent interval, so a slow source cannot stall a cycle"},
};
static SECTION(source_section, "metric source", struct source_config, source_keys);

static const struct key_spec metrics_keys[] = {
	{"sources", KT_LIST, F(struct config, sources), .count_off = offsetof(struct config, n_sources),
	 .sub = &source_section, .doc = "where live metrics come from; absent = local only"},
};
static SECTION(metrics_section, "metrics", struct config, metrics_keys);

static const struct key_spec agent_keys[] = {
	{"listen", KT_STRING, F(struct agent_config, listen), .def = "127.0.0.1:9870",
	 .doc = "HOST:PORT for /metrics and /status",
	 .why_default = "loopback only; the port is next to Prometheus exporters' 9100-9800 range"},
	{"interval", KT_DURATION, F(struct agent_config, interval_s), .def = "10s", .min = 1,
	 .doc = "sampling interval (at least 1s)", .why_default = "Prometheus scrape intervals are 10-60 s; 10 s resolves a 5 m trigger"},
	{"webhook", KT_STRING, F(struct agent_config, webhook), .doc = "Slack-compatible webhook URL for alerts"},
	{"token", KT_STRING, F(struct agent_config, token), .doc = "bearer token for the HTTP endpoints"},
	{"store", KT_STRING, F(struct agent_config, store), .doc = "SQLite path; absent = $XDG_STATE_HOME/headroom/history.db"},
	{"retention", KT_DURATION, F(struct agent_config, retention_s), .def = "7d", .flags = KF_POSITIVE,
	 .doc = "how long raw samples are kept", .why_default = "a week covers weekly peaks for trend fits"},
};
static SECTION(agent_section, "agent", struct agent_config, agent_keys);

/* What scales a calibration to other machines (docs/plan.md, "Calibration")
 * needs the measured machine's size. */
static void calibration_check(struct loader *L, void *base, const struct ynode *map, const char *path)
{
	const struct calibration *c = base;
	(void)path;
	if (!map)
		return;
	if (!schema_get(map, "cores") &&
	    (schema_get(map, "max_rps") || schema_get(map, "concurrency") || schema_get(map, "cpu_per_request")))
		schema_error(L, map, "calibration: 'cores' (vCPUs of the machine measured) is needed with max_rps, "
				     "concurrency or cpu_per_request, to scale them to other machines");
	if (schema_get(map, "cores") && !(c->cores > 0))
		schema_error(L, schema_get(map, "cores"), "calibration.cores: must be more than 0");
}

static const struct key_spec calibration_keys[] = {
	{"sigma", KT_NUMBER, F(struct calibration, sigma), .max = 1, .doc = "USL contention coefficient"},
	{"kappa", KT_NUMBER, F(struct calibration, kappa), .max = 1, .doc = "USL coherency coefficient"},
	{"gamma", KT_RATE_NUM, F(struct calibration, gamma), .doc = "USL throughput at concurrency 1 (req/s)"},
	{"service_time", KT_DURATION, F(struct calibration, service_s), .flags = KF_REQUIRED | KF_POSITIVE,
	 .doc = "mean latency of a request alone (concurrency 1): CPU and waiting"},
	/* QUEUE_MAX_CV (model/queue.h): past it a two-moment fit says little. */
	{"service_cv", KT_NUMBER, F(struct calibration, service_cv), .max = 10, .flags = KF_PRESENT,
	 .flag_off = offsetof(struct calibration, has_service_cv),
	 .doc = "coefficient of variation of that latency (0 constant, 1 exponential); absent = 1"},
	{"cpu_per_request", KT_DURATION, F(struct calibration, cpu_s),
	 .doc = "CPU time per request on one vCPU of the machine measured"},
	{"concurrency", KT_NUMBER, F(struct calibration, concurrency),
	 .doc = "requests in service at once at the knee (max_rps x service_time)"},
	{"max_rps", KT_RATE_NUM, F(struct calibration, max_rps), .doc = "highest sustainable rate at the SLO (req/s)"},
	{"cores", KT_NUMBER, F(struct calibration, cores), .doc = "vCPUs of the machine measured"},
	{"cpu_source", KT_ANY, .doc = "informational: how cpu_per_request was measured (process, machine or knee)"},
	{"ladder_stop", KT_ANY, .doc = "informational: why the closed-loop ladder stopped"},
	{"url", KT_ANY, .doc = "informational: the URL measured"},
	{"measured_at", KT_ANY, .doc = "informational: when"},
	{"slo", KT_ANY, .doc = "informational: the latency SLO used"},
	{"points", KT_ANY, .doc = "informational: the measured {concurrency, throughput, p95} points"},
};
static SECTION(calibration_section, "calibration", struct calibration, calibration_keys, .check = calibration_check);

static const struct key_spec calibration_file_keys[] = {
	{"calibration", KT_SECTION, .offset = 0, .flags = KF_REQUIRED, .sub = &calibration_section,
	 .doc = "the calibration"},
};
SECTION(schema_calibration_file, "calibration file", struct calibration, calibration_file_keys);

static const struct key_spec config_keys[] = {
	{"workload", KT_SECTION, F(struct config, workload), .sub = &workload_section, .doc = "who uses the service and what each use costs"},
	{"components", KT_NAMED, F(struct config, components), .count_off = offsetof(struct config, n_components),
	 .sub = &component_section, .doc = "the services of the deployment, keyed by name"},
	{"deployment", KT_SECTION, F(struct config, deployment), .sub = &deployment_section, .doc = "where and how it may run"},
	{"objectives", KT_SECTION, F(struct config, objectives), .sub = &objectives_section, .doc = "targets and utilisation limits"},
	{"reliability", KT_SECTION, F(struct config, reliability), .sub = &reliability_section,
	 .doc = "how parts fail and recover, for availability (docs/plan.md)"},
	{"triggers", KT_NAMED, F(struct config, triggers), .count_off = offsetof(struct config, n_triggers),
	 .sub = &trigger_section, .doc = "named thresholds, keyed by name; a default's name overrides it"},
	{"economics", KT_SECTION, F(struct config, economics), .sub = &economics_section, .doc = "currency, revenue and operations cost"},
	{"catalog", KT_LIST, F(struct config, catalog.offers), .count_off = offsetof(struct config, catalog.n),
	 .sub = &schema_offer, .doc = "catalogue entries to add or override"},
	{"metrics", KT_SECTION, .offset = 0, .sub = &metrics_section, .doc = "live metric sources"},
	{"agent", KT_SECTION, F(struct config, agent), .sub = &agent_section, .doc = "the daemon"},
	{"autoscale", KT_SECTION, F(struct config, autoscale), .sub = &schema_autoscale, .flags = KF_PRESENT,
	 .flag_off = offsetof(struct config, autoscale.present), .doc = "the autoscaler (docs/autoscale.md)"},
	{"calibration", KT_CALIBRATION, F(struct config, calibration), .sub = &calibration_section,
	 .doc = "a measured calibration: inline, or the path of a file from headroom bench --calibrate"},
	{"catalog_dir", KT_STRING, F(struct config, catalog_dir),
	 .doc = "a folder of price catalogue files to read instead of the installed one (relative to this file); "
		"absent: $HEADROOM_CATALOG, else the catalogue installed with headroom"},
};
SECTION(schema_config, "config", struct config, config_keys);

static const struct key_spec catalog_file_keys[] = {
	{"provider", KT_STRING, F(struct catalog_file, provider), .flags = KF_REQUIRED, .doc = "the provider all entries belong to"},
	{"offers", KT_LIST, F(struct catalog_file, offers), .count_off = offsetof(struct catalog_file, n),
	 .flags = KF_REQUIRED, .sub = &schema_offer, .doc = "the entries"},
};
SECTION(schema_catalog_file, "catalogue file", struct catalog_file, catalog_file_keys);
