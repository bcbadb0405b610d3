/* schema.c - the walker: reads a YAML tree against a key table.
 *
 * One function per kind of key, all reporting through schema_error(). The
 * tables it reads, one per mapping of the schema fixed by
 * examples/starter.yaml, are in the schema_*.c files by area (schema_int.h
 * lists them); every default carries the source it comes from
 * (why_default), which docs/config.md repeats. */
#include "config/schema.h"

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/schema_int.h"
#include "util/str.h"
#include "util/strbuf.h"
#include "util/units.h"
#include "util/xalloc.h"

#define AT(base, off, T) ((T *)(void *)((char *)(base) + (off)))

/* Longest key path kept for messages; deeper paths are cut, not overflowed. */
enum { PATH_MAX_LEN = 256, SHOW_MAX = 60, INTERP_MAX = 1 << 20 };

void schema_error(struct loader *L, const struct ynode *node, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	yaml_verror(L->d, &L->rc, L->doc, node, fmt, ap);
	va_end(ap);
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
	return ynode_get(map, key);
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
			rc = HR_E_INVALID;
			goto out;
		}
		char *key = xstrndup(name, (size_t)(q - name));
		const char *val = getenv(key);
		if (!val) {
			*why = "environment variable is not set";
			*bad_at = (size_t)(p - text);
			*var = key;
			rc = HR_E_INVALID;
			goto out;
		}
		free(key);
		rc = strbuf_puts(&sb, val);
		p = q + 1;
	}
	if (rc) {
		*why = "the value is longer than 1 MiB after ${VAR} expansion";
		*bad_at = 0;
		rc = HR_E_INVALID;
		goto out;
	}
	*out = strbuf_take(&sb);
	if (!*out)
		*out = xstrdup("");
out:
	strbuf_free(&sb);
	return rc;
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
	/* Point at the "${" when the scalar sits on one line. */
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
	/* YYYY-MM-DD, digits only, plausible month and day. */
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

/* The index of s in names (NULL-terminated), or HR_E_NOTFOUND. */
static int enum_index(const char *const *names, const char *s)
{
	for (int i = 0; names[i]; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return HR_E_NOTFOUND;
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
		/* A catalogue entry: its prices share the entry's one currency. */
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
		/* Converted to economics.currency once the whole file is read. */
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
				/* economics.currency may come later in the file, so it is not named here. */
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
	uint64_t seen = 0; /* one bit per key of s */
	if (s->n_keys > 64)
		abort(); /* a table this size is a bug the first test run shows */
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
		/* A duplicate key was reported by the parser; reading it twice would
		 * merge two values into one field (a list's count with another's array). */
		if (k && (seen & (UINT64_C(1) << idx)))
			continue;
		if (k)
			seen |= UINT64_C(1) << idx;
		char kb[SHOW_MAX + 8];
		/* x-NAME at the top is an extension field, Compose's convention:
		 * a place for anchors (&name) that sections merge in; not read. */
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
			/* The defaults are ours: failing to parse one is a bug caught by the tests. */
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
		goto out;
	}
	sub.doc = doc;
	sub.rc = 0;
	sub.depth = L->depth + 1;
	if (!doc->root)
		schema_error(&sub, NULL, "the calibration file is empty; expected 'calibration:'");
	else
		schema_load(&sub, &schema_calibration_file, L->calib, doc->root, "");
	L->calib->present = sub.rc == 0;
	/* The pending-money list may have grown; nothing else is shared. */
	L->money = sub.money;
	L->n_money = sub.n_money;
	L->cap_money = sub.cap_money;
	if (sub.rc && !L->rc)
		L->rc = sub.rc;
	yaml_doc_free(doc);
out:
	free(path);
	(void)k;
}
