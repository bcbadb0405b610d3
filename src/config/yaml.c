/* yaml.c - libyaml's events into the tree of yaml.h, and the config
 * layer's located errors.
 *
 * Design note. A builder keeps the stack of open collections and attaches
 * each new node under the top one; anchors, aliases and merge keys are
 * resolved as the events arrive, within the node cap and the budget of
 * copied bytes (the section on them below says how). Every error that
 * points into a YAML file, the parser's own and the readers' (schema,
 * config, compose), goes through report(), so the location, the source
 * line under it and the first-error code are worked out in one place. */
#include "config/yaml.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <yaml.h>

#include "util/xalloc.h"

/* The tree's private bookkeeping: allocated sizes and line offsets. */
struct builder {
	struct yaml_doc *doc;
	struct diag *d;
	struct ynode *stack[YAML_MAX_DEPTH + 1];
	size_t caps[YAML_MAX_DEPTH + 1];
	bool pending_key[YAML_MAX_DEPTH + 1]; /* a mapping's key was read, its value not yet */
	int depth;
	int docs;
	int rc;
	struct anchor *anchors; /* open-addressing table by name: the latest &name of each */
	size_t n_anchors, cap_anchors; /* cap_anchors a power of two, or 0 */
	const char *open_anchor[YAML_MAX_DEPTH + 1]; /* the &name of each open collection, or NULL */
	struct ynode **spent;   /* merge keys and what was left of their values: freed at the end */
	size_t n_spent, cap_spent;
	size_t copy_cap;        /* scalar bytes aliases and merge keys may copy in all */
};

/* An anchor and the node it names; a collection's is usable once it ends
 * (an alias inside the collection it names would be a cycle). */
struct anchor {
	char *name;
	struct ynode *node;
	bool done;
};

static void node_free(struct ynode *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->n; i++) {
		if (n->keys)
			node_free(n->keys[i]);
		node_free(n->items[i]);
	}
	free(n->keys);
	free(n->items);
	free(n->str);
	free(n);
}

const char *ynode_type_name(enum ynode_type t)
{
	switch (t) {
	case YNODE_SCALAR: return "a scalar";
	case YNODE_SEQ: return "a list";
	case YNODE_MAP: return "a mapping";
	}
	return "a node";
}

static void copy_text(struct yaml_doc *doc, const char *text, size_t len)
{
	doc->text = xmalloc(len + 1);
	memcpy(doc->text, text, len);
	doc->text[len] = '\0';
	doc->text_len = len;
	/* Line starts, found once, so yaml_doc_loc() is a lookup and not a scan. */
	size_t lines = 1;
	for (size_t i = 0; i < len; i++)
		lines += text[i] == '\n';
	doc->lines = xcalloc(lines, sizeof(*doc->lines));
	doc->n_lines = 0;
	doc->lines[doc->n_lines++] = 0;
	for (size_t i = 0; i < len; i++)
		if (text[i] == '\n')
			doc->lines[doc->n_lines++] = i + 1;
}

struct diag_loc yaml_doc_loc_at(const struct yaml_doc *doc, int line, int col, int span)
{
	struct diag_loc loc = {.file = doc->name, .line = line, .col = col, .span = span > 0 ? span : 1};
	if (line >= 1 && (size_t)line <= doc->n_lines && doc->lines[line - 1] <= doc->text_len) {
		loc.src_line = doc->text + doc->lines[line - 1];
		/* Keep the caret on the line; no source line when the column is past it. */
		size_t rest = strcspn(loc.src_line, "\r\n");
		if (col < 1 || (size_t)col > rest + 1)
			loc.src_line = NULL;
		else if ((size_t)(col - 1 + loc.span) > rest)
			loc.span = rest >= (size_t)col ? (int)(rest - (size_t)col + 1) : 1;
	}
	return loc;
}

struct diag_loc yaml_doc_loc(const struct yaml_doc *doc, const struct ynode *node)
{
	int span = 1;
	if (node && node->type == YNODE_SCALAR && node->len > 0 && node->len < 256 &&
	    !memchr(node->str, '\n', node->len))
		span = (int)node->len + (node->quoted ? 2 : 0);
	return yaml_doc_loc_at(doc, node ? node->line : 0, node ? node->col : 0, span);
}

/* Every located error of the config layer is reported here: *rc keeps the
 * first error's code. */
static void report(struct diag *d, int *rc, int code, const struct diag_loc *loc, const char *fmt, va_list ap)
	HR_PRINTF(5, 0);

static void report(struct diag *d, int *rc, int code, const struct diag_loc *loc, const char *fmt, va_list ap)
{
	diag_vat(d, DIAG_ERROR, loc, fmt, ap);
	if (rc && !*rc)
		*rc = code;
}

void yaml_verror(struct diag *d, int *rc, const struct yaml_doc *doc, const struct ynode *node,
		 const char *fmt, va_list ap)
{
	struct diag_loc loc = node ? yaml_doc_loc(doc, node) : (struct diag_loc){.file = doc->name};
	report(d, rc, HR_E_INVALID, &loc, fmt, ap);
}

void yaml_error(struct diag *d, int *rc, const struct yaml_doc *doc, const struct ynode *node,
		const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	yaml_verror(d, rc, doc, node, fmt, ap);
	va_end(ap);
}

void yaml_error_at(struct diag *d, int *rc, const struct yaml_doc *doc, int line, int col,
		   const char *fmt, ...)
{
	struct diag_loc loc = yaml_doc_loc_at(doc, line, col, 1);
	va_list ap;
	va_start(ap, fmt);
	report(d, rc, HR_E_INVALID, &loc, fmt, ap);
	va_end(ap);
}

/* The parser's errors: code is HR_E_TOO_LARGE for a cap, else HR_E_INVALID. */
static void error_at(struct builder *b, int line, int col, int code, const char *fmt, ...) HR_PRINTF(5, 6);

static void error_at(struct builder *b, int line, int col, int code, const char *fmt, ...)
{
	struct diag_loc loc = yaml_doc_loc_at(b->doc, line, col, 1);
	va_list ap;
	va_start(ap, fmt);
	report(b->d, &b->rc, code, &loc, fmt, ap);
	va_end(ap);
}

/* Append to a collection; a mapping's key and value go in as a pair, the
 * value slot NULL until the value arrives (node_free copes with that). */
static void push_child(struct ynode *parent, size_t *cap, struct ynode *child, bool is_key)
{
	if (parent->type == YNODE_MAP && !is_key) {
		parent->items[parent->n - 1] = child;
		return;
	}
	if (parent->n == *cap) {
		*cap = *cap ? *cap * 2 : 4;
		if (parent->type == YNODE_MAP)
			parent->keys = xreallocarray(parent->keys, *cap, sizeof(*parent->keys));
		parent->items = xreallocarray(parent->items, *cap, sizeof(*parent->items));
	}
	if (parent->type == YNODE_MAP) {
		parent->keys[parent->n] = child;
		parent->items[parent->n++] = NULL;
	} else {
		parent->items[parent->n++] = child;
	}
}

/* Attach a new node under the top of the stack (or make it the root). */
static int attach(struct builder *b, struct ynode *node)
{
	int rc = 0;
	struct ynode *parent;
	bool key;
	if (++b->doc->n_nodes > YAML_MAX_NODES) {
		error_at(b, node->line, node->col, HR_E_TOO_LARGE,
			 "the document has more than %u nodes", YAML_MAX_NODES);
		rc = HR_E_TOO_LARGE;
		goto out;
	}
	if (b->depth == 0) {
		b->doc->root = node;
		goto out;
	}
	parent = b->stack[b->depth];
	key = parent->type == YNODE_MAP && !b->pending_key[b->depth];
	if (key && node->type != YNODE_SCALAR) {
		error_at(b, node->line, node->col, HR_E_INVALID,
			 "a mapping key must be a plain name, not %s", ynode_type_name(node->type));
		rc = HR_E_INVALID;
		goto out;
	}
	push_child(parent, &b->caps[b->depth], node, key);
	if (parent->type == YNODE_MAP)
		b->pending_key[b->depth] = key;
out:
	/* A node that was not attached is not in the tree: it is freed here. */
	if (rc)
		node_free(node);
	return rc;
}

static int key_cmp(const void *a, const void *b)
{
	const struct ynode *x = *(const struct ynode *const *)a, *y = *(const struct ynode *const *)b;
	int c = strcmp(x->str, y->str);
	if (c)
		return c;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->col < y->col ? -1 : x->col > y->col;
}

/* Duplicate keys: YAML 1.2 says keys are unique; libyaml does not check.
 * Sorting a copy keeps this O(n log n) on hostile input. */
static void check_duplicates(struct builder *b, const struct ynode *map)
{
	if (map->n < 2)
		return;
	struct ynode **k = xcalloc(map->n, sizeof(*k));
	memcpy(k, map->keys, map->n * sizeof(*k));
	qsort(k, map->n, sizeof(*k), key_cmp);
	for (size_t i = 1; i < map->n; i++) {
		if (strcmp(k[i]->str, k[i - 1]->str) == 0) {
			yaml_error(b->d, NULL, b->doc, k[i], "duplicate key '%s' (first at line %d, column %d)",
				   k[i]->str, k[i - 1]->line, k[i - 1]->col);
			/* Not fatal: the schema walk still reports the file's other problems. */
			b->doc->n_errors++;
		}
	}
	free(k);
}

static struct ynode *node_new(enum ynode_type t, const yaml_mark_t *m)
{
	struct ynode *n = xcalloc(1, sizeof(*n));
	n->type = t;
	n->line = (int)m->line + 1;
	n->col = (int)m->column + 1;
	return n;
}

static bool is_null(const yaml_event_t *ev)
{
	if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	const char *s = (const char *)ev->data.scalar.value;
	return !*s || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 || strcmp(s, "Null") == 0 ||
	       strcmp(s, "NULL") == 0;
}

/* --- anchors, aliases and merge keys --------------------------------------
 *
 * An alias (*name) becomes a copy of the node its anchor (&name) names, so
 * the tree stays a tree that owns every node once. Copies count against
 * YAML_MAX_NODES like written nodes, and their scalars' bytes against the
 * copy budget (YAML_COPY_FACTOR times the file, at least YAML_COPY_FLOOR);
 * both are checked before a copy is made (charge()): "billion laughs"
 * (aliases of aliases, each doubling the tree) stops at the node cap, and
 * a long string aliased a thousand times at the byte budget, after at most
 * that much was built. A merge key (`<<: *base`, YAML 1.1's merge type,
 * which Compose files use for shared service settings) folds the named
 * mappings into its own: keys written in the mapping win, then the merged
 * mappings in their order. The pairs are moved out of a merged mapping no
 * anchor names (an alias's copy, one written in place) and copied, and
 * charged, out of one an anchor names. */

/* The slot of name in the anchor table: its entry, or the empty slot it
 * would take. A table keeps each lookup O(1): a file may hold 100,000
 * anchors and as many aliases, and scanning would make that quadratic. */
static struct anchor *anchor_slot(struct anchor *t, size_t cap, const char *name)
{
	uint64_t h = 1469598103934665603u; /* FNV-1a */
	for (const unsigned char *c = (const unsigned char *)name; *c; c++)
		h = (h ^ *c) * 1099511628211u;
	for (size_t i = (size_t)h & (cap - 1);; i = (i + 1) & (cap - 1))
		if (!t[i].name || strcmp(t[i].name, name) == 0)
			return &t[i];
}

/* A later &name hides an earlier one (YAML 1.2, 3.2.2.2): its entry is
 * overwritten, the name string kept, so the open_anchor[] of an enclosing
 * collection still points at it. Returns the name as the table holds it. */
static const char *add_anchor(struct builder *b, const char *name, struct ynode *node, bool done)
{
	if (2 * (b->n_anchors + 1) > b->cap_anchors) {
		size_t cap = b->cap_anchors ? 2 * b->cap_anchors : 16;
		struct anchor *t = xcalloc(cap, sizeof(*t));
		for (size_t i = 0; i < b->cap_anchors; i++)
			if (b->anchors[i].name)
				*anchor_slot(t, cap, b->anchors[i].name) = b->anchors[i];
		free(b->anchors);
		b->anchors = t;
		b->cap_anchors = cap;
	}
	struct anchor *a = anchor_slot(b->anchors, b->cap_anchors, name);
	if (!a->name) {
		a->name = xstrdup(name);
		b->n_anchors++;
	}
	a->node = node;
	a->done = done;
	node->anchored = true;
	return a->name;
}

/* The nodes of a subtree, and in *bytes its scalars' bytes; stops counting
 * past limit nodes (the caller's budget), so the walk is bounded too. */
static size_t tree_cost(const struct ynode *n, size_t limit, size_t *bytes)
{
	if (!n)
		return 0;
	size_t count = 1;
	*bytes += n->len;
	for (size_t i = 0; i < n->n && count <= limit; i++) {
		if (n->keys)
			count += tree_cost(n->keys[i], limit - count, bytes);
		if (count <= limit)
			count += tree_cost(n->items[i], limit - count, bytes);
	}
	return count;
}

/* Count a copy of key and value (either may be NULL) against both caps
 * before it is made: the node cap, and the bytes the file may expand to.
 * attached is 1 when attach() will count the copy's root itself. alias
 * names the alias asking for the copy, NULL for a merge key; line and col
 * are where it stands, for the error. */
static int charge(struct builder *b, int line, int col, const char *alias, const struct ynode *key,
		  const struct ynode *value, size_t attached)
{
	size_t used = b->doc->n_nodes < YAML_MAX_NODES ? b->doc->n_nodes : YAML_MAX_NODES;
	size_t budget = YAML_MAX_NODES - used, bytes = 0;
	size_t nodes = tree_cost(key, budget + 1, &bytes);
	nodes += tree_cost(value, budget + 1, &bytes);
	if (nodes > budget) {
		if (alias)
			error_at(b, line, col, HR_E_TOO_LARGE, "the alias *%s takes the document past %u nodes",
				 alias, YAML_MAX_NODES);
		else
			error_at(b, line, col, HR_E_TOO_LARGE, "merging takes the document past %u nodes",
				 YAML_MAX_NODES);
		return HR_E_TOO_LARGE;
	}
	if (bytes > b->copy_cap - b->doc->copied_bytes) {
		error_at(b, line, col, HR_E_TOO_LARGE,
			 "aliases and merge keys would copy %zu bytes with %s%s, more than the %zu this file may "
			 "expand to (%u times its size, at least %u MiB)",
			 b->doc->copied_bytes + bytes, alias ? "*" : "this <<", alias ? alias : "", b->copy_cap,
			 YAML_COPY_FACTOR, YAML_COPY_FLOOR >> 20);
		return HR_E_TOO_LARGE;
	}
	b->doc->n_nodes += nodes - attached;
	b->doc->copied_bytes += bytes;
	return 0;
}

static struct ynode *tree_copy(const struct ynode *n)
{
	if (!n)
		return NULL;
	struct ynode *c = xcalloc(1, sizeof(*c));
	*c = *n;
	c->str = n->str ? xstrndup(n->str, n->len) : NULL;
	c->anchored = false; /* no anchor names a copy */
	c->keys = NULL;
	c->items = NULL;
	if (n->n) {
		if (n->keys)
			c->keys = xcalloc(n->n, sizeof(*c->keys));
		c->items = xcalloc(n->n, sizeof(*c->items));
		for (size_t i = 0; i < n->n; i++) {
			if (n->keys)
				c->keys[i] = tree_copy(n->keys[i]);
			c->items[i] = tree_copy(n->items[i]);
		}
	}
	return c;
}

static int on_alias(struct builder *b, const yaml_event_t *ev)
{
	int line = (int)ev->start_mark.line + 1, col = (int)ev->start_mark.column + 1;
	const char *name = (const char *)ev->data.alias.anchor;
	const struct anchor *a = b->cap_anchors ? anchor_slot(b->anchors, b->cap_anchors, name) : NULL;
	if (!a || !a->name) {
		error_at(b, line, col, HR_E_INVALID, "no anchor &%s before this alias", name);
		return HR_E_INVALID;
	}
	if (!a->done) {
		error_at(b, line, col, HR_E_INVALID, "the alias *%s is inside the collection it names (line %d)", name,
			 a->node->line);
		return HR_E_INVALID;
	}
	/* Counted first; attach() counts the copy's root. */
	int rc = charge(b, line, col, name, NULL, a->node, 1);
	if (rc)
		return rc;
	/* The copy's root is where the alias stands, so an error about the value
	 * points at the alias; what is inside points into the anchored text. */
	struct ynode *copy = tree_copy(a->node);
	copy->line = line;
	copy->col = col;
	return attach(b, copy);
}

static void spend(struct builder *b, struct ynode *n)
{
	if (b->n_spent == b->cap_spent) {
		b->cap_spent = b->cap_spent ? b->cap_spent * 2 : 8;
		b->spent = xreallocarray(b->spent, b->cap_spent, sizeof(*b->spent));
	}
	b->spent[b->n_spent++] = n;
}

static bool is_merge_key(const struct ynode *k)
{
	return k && !k->quoted && k->len == 2 && strcmp(k->str, "<<") == 0;
}

/* One pair a merge may bring: where it is and whether it was written here. */
struct merge_pair {
	struct ynode *src; /* the mapping it is in (map itself for a written pair) */
	const struct ynode *merge_key; /* the << it comes by (NULL for a written pair) */
	size_t idx;
	size_t order;
	bool written;
	bool movable; /* no anchor can reach src: the pair is moved, not copied */
	bool keep;
};

static int merge_pair_cmp(const void *a, const void *b)
{
	const struct merge_pair *x = a, *y = b;
	int c = strcmp(x->src->keys[x->idx]->str, y->src->keys[y->idx]->str);
	if (c)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

static int resolve_merges(struct builder *b, struct ynode *map)
{
	size_t total = 0;
	bool any = false;
	for (size_t i = 0; i < map->n; i++) {
		if (!is_merge_key(map->keys[i])) {
			total++;
			continue;
		}
		any = true;
		const struct ynode *v = map->items[i];
		bool ok = v && (v->type == YNODE_MAP || v->type == YNODE_SEQ);
		for (size_t j = 0; ok && v->type == YNODE_SEQ && j < v->n; j++)
			ok = v->items[j]->type == YNODE_MAP;
		if (!ok) {
			int line = v ? v->line : map->keys[i]->line, col = v ? v->col : map->keys[i]->col;
			error_at(b, line, col, HR_E_INVALID,
				 "the merge key << takes a mapping or a list of mappings (an alias of one)");
			return HR_E_INVALID;
		}
		if (v->type == YNODE_MAP)
			total += v->n;
		for (size_t j = 0; v->type == YNODE_SEQ && j < v->n; j++)
			total += v->items[j]->n;
	}
	if (!any)
		return 0;
	/* Every candidate in document order; sorted by key, the first written
	 * pair or else the first merged one of each key is kept. */
	struct merge_pair *mp = xcalloc(total ? total : 1, sizeof(*mp));
	size_t n = 0;
	for (size_t i = 0; i < map->n; i++) {
		if (!is_merge_key(map->keys[i])) {
			mp[n] = (struct merge_pair){.src = map, .idx = i, .order = n, .written = true};
			n++;
			continue;
		}
		struct ynode *v = map->items[i];
		size_t parts = v->type == YNODE_MAP ? 1 : v->n;
		for (size_t j = 0; j < parts; j++) {
			struct ynode *src = v->type == YNODE_MAP ? v : v->items[j];
			/* The value of << leaves the tree once merged (spent below): an
			 * alias's copy or a mapping written there can give its pairs up;
			 * one an anchor names, or in a list one names, stays whole. */
			bool movable = !src->anchored && !v->anchored;
			for (size_t k = 0; k < src->n; k++) {
				mp[n] = (struct merge_pair){.src = src, .merge_key = map->keys[i], .idx = k,
							    .order = n, .movable = movable};
				n++;
			}
		}
	}
	struct merge_pair *sorted = xcalloc(n ? n : 1, sizeof(*sorted));
	memcpy(sorted, mp, n * sizeof(*mp));
	qsort(sorted, n, sizeof(*sorted), merge_pair_cmp);
	for (size_t i = 0; i < n;) {
		size_t j = i;
		bool written = false;
		while (j < n && strcmp(sorted[j].src->keys[sorted[j].idx]->str, sorted[i].src->keys[sorted[i].idx]->str) == 0)
			written |= sorted[j++].written;
		/* Written duplicates all stay, so check_duplicates() names them. */
		for (size_t k = i; k < j; k++)
			mp[sorted[k].order].keep = written ? sorted[k].written : k == i;
		i = j;
	}
	free(sorted);
	size_t kept = 0;
	for (size_t i = 0; i < n; i++)
		kept += mp[i].keep;
	struct ynode **keys = xcalloc(kept ? kept : 1, sizeof(*keys));
	struct ynode **items = xcalloc(kept ? kept : 1, sizeof(*items));
	size_t out = 0;
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		if (!mp[i].keep)
			continue;
		struct ynode *src = mp[i].src;
		if (mp[i].written || mp[i].movable) {
			/* Moved: the pair was written in this mapping, or comes from
			 * a mapping that is about to leave the tree. */
			keys[out] = src->keys[mp[i].idx];
			items[out++] = src->items[mp[i].idx];
			src->keys[mp[i].idx] = NULL;
			src->items[mp[i].idx] = NULL;
			continue;
		}
		/* Copied: an anchor names the merged mapping, which stays whole. */
		if (!rc)
			rc = charge(b, mp[i].merge_key->line, mp[i].merge_key->col, NULL, src->keys[mp[i].idx],
				    src->items[mp[i].idx], 0);
		if (rc)
			continue;
		keys[out] = tree_copy(src->keys[mp[i].idx]);
		items[out++] = tree_copy(src->items[mp[i].idx]);
	}
	free(mp);
	/* What is left (the << keys and their values) stays alive until the
	 * parse ends: an anchor may still name it. */
	for (size_t i = 0; i < map->n; i++) {
		if (map->keys[i])
			spend(b, map->keys[i]);
		if (map->items[i])
			spend(b, map->items[i]);
	}
	free(map->keys);
	free(map->items);
	map->keys = keys;
	map->items = items;
	map->n = out;
	return rc;
}

/* libyaml's reader refuses a byte (a control character such as NUL,
 * invalid UTF-8) with its offset in the input, not a mark: the line and
 * column are worked out here, the column in characters as libyaml counts
 * them in its marks (a UTF-8 byte order mark not counted). A UTF-16 file's
 * offsets do not match the lines found in UTF-8: it gets the byte offset. */
static void reader_error(struct builder *b, const yaml_parser_t *p)
{
	const struct yaml_doc *doc = b->doc;
	const char *what = p->problem ? p->problem : "unreadable input";
	char val[32] = "";
	if (p->problem_value >= 0 && strstr(what, "octet"))
		snprintf(val, sizeof(val), " (byte 0x%02X)", (unsigned)p->problem_value & 0xffu);
	else if (p->problem_value >= 0)
		snprintf(val, sizeof(val), " (U+%04X)", (unsigned)p->problem_value);
	size_t off = p->problem_offset < doc->text_len ? p->problem_offset : doc->text_len;
	if (p->encoding != YAML_UTF8_ENCODING) {
		struct diag_loc loc = {.file = doc->name};
		diag_at(b->d, DIAG_ERROR, &loc, "invalid YAML: %s%s at byte %zu", what, val, off);
		b->rc = b->rc ? b->rc : HR_E_INVALID;
		return;
	}
	size_t lo = 0, hi = doc->n_lines; /* the last line starting at or before off */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (doc->lines[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	size_t start = doc->lines[lo];
	if (lo == 0 && doc->text_len >= 3 && memcmp(doc->text, "\xEF\xBB\xBF", 3) == 0 && off >= 3)
		start = 3;
	int col = 1;
	for (size_t i = start; i < off; i++)
		col += ((unsigned char)doc->text[i] & 0xC0u) != 0x80u;
	error_at(b, (int)lo + 1, col, HR_E_INVALID, "invalid YAML: %s%s", what, val);
}

/* One event. Returns 0 to go on, 1 at the end of the stream, <0 to stop. */
static int on_event(struct builder *b, yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_STREAM_END_EVENT:
		return 1;
	case YAML_DOCUMENT_START_EVENT:
		if (++b->docs > 1) {
			error_at(b, (int)ev->start_mark.line + 1, (int)ev->start_mark.column + 1,
				 HR_E_INVALID, "only one YAML document is allowed in a file");
			return HR_E_INVALID;
		}
		return 0;
	case YAML_ALIAS_EVENT:
		return on_alias(b, ev);
	case YAML_SCALAR_EVENT: {
		/* A double-quoted "\0" is a NUL inside the value: C strings would
		 * end there while the length ran on (every later memchr over len
		 * read past the copy). No setting can mean one: refused here. */
		if (memchr(ev->data.scalar.value, '\0', ev->data.scalar.length)) {
			error_at(b, (int)ev->start_mark.line + 1, (int)ev->start_mark.column + 1, HR_E_INVALID,
				 "a value cannot hold a NUL character (\\0)");
			return HR_E_INVALID;
		}
		struct ynode *n = node_new(YNODE_SCALAR, &ev->start_mark);
		n->len = ev->data.scalar.length;
		n->str = xstrndup((const char *)ev->data.scalar.value, n->len);
		n->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
		n->null = is_null(ev);
		int rc = attach(b, n);
		if (!rc && ev->data.scalar.anchor)
			add_anchor(b, (const char *)ev->data.scalar.anchor, n, true);
		return rc;
	}
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT: {
		if (b->depth >= YAML_MAX_DEPTH) {
			error_at(b, (int)ev->start_mark.line + 1, (int)ev->start_mark.column + 1,
				 HR_E_TOO_LARGE, "nesting deeper than %d levels", YAML_MAX_DEPTH);
			return HR_E_TOO_LARGE;
		}
		struct ynode *n = node_new(ev->type == YAML_MAPPING_START_EVENT ? YNODE_MAP : YNODE_SEQ,
					   &ev->start_mark);
		int rc = attach(b, n);
		if (rc)
			return rc;
		const yaml_char_t *anchor = ev->type == YAML_MAPPING_START_EVENT ? ev->data.mapping_start.anchor
										: ev->data.sequence_start.anchor;
		b->depth++;
		b->open_anchor[b->depth] = anchor ? add_anchor(b, (const char *)anchor, n, false) : NULL;
		b->stack[b->depth] = n;
		b->caps[b->depth] = 0;
		b->pending_key[b->depth] = false;
		return 0;
	}
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		if (b->depth > 0) {
			struct ynode *done = b->stack[b->depth];
			if (ev->type == YAML_MAPPING_END_EVENT) {
				int rc = resolve_merges(b, done);
				if (rc)
					return rc;
				check_duplicates(b, done);
			}
			const char *name = b->open_anchor[b->depth];
			if (name) {
				struct anchor *a = anchor_slot(b->anchors, b->cap_anchors, name);
				if (a->node == done) /* not hidden by a later &name inside it */
					a->done = true;
			}
			b->depth--;
		}
		return 0;
	default:
		return 0;
	}
}

int yaml_doc_parse(const char *name, const char *text, size_t len, struct diag *d,
		   struct yaml_doc **out)
{
	*out = NULL;
	struct yaml_doc *doc = xcalloc(1, sizeof(*doc));
	doc->name = xstrdup(name);
	copy_text(doc, text, len);
	struct builder b = {.doc = doc, .d = d};
	b.copy_cap = len > YAML_COPY_FLOOR / YAML_COPY_FACTOR ? len * YAML_COPY_FACTOR : YAML_COPY_FLOOR;
	yaml_parser_t p;
	if (len > YAML_MAX_BYTES) {
		struct diag_loc loc = {.file = name};
		diag_at(d, DIAG_ERROR, &loc, "the file is larger than %u MiB", YAML_MAX_BYTES >> 20);
		b.rc = HR_E_TOO_LARGE;
		goto out;
	}
	if (!yaml_parser_initialize(&p))
		abort(); /* libyaml fails here only when out of memory; xalloc's policy */
	yaml_parser_set_input_string(&p, (const unsigned char *)doc->text, len);
	for (;;) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&p, &ev)) {
			if (p.error == YAML_MEMORY_ERROR)
				abort();
			if (p.error == YAML_READER_ERROR) {
				reader_error(&b, &p);
				break;
			}
			int line = (int)p.problem_mark.line + 1, col = (int)p.problem_mark.column + 1;
			if (p.context)
				error_at(&b, line, col, HR_E_INVALID,
					 "invalid YAML: %s %s (started at line %d, column %d)",
					 p.problem ? p.problem : "syntax error", p.context,
					 (int)p.context_mark.line + 1, (int)p.context_mark.column + 1);
			else
				error_at(&b, line, col, HR_E_INVALID, "invalid YAML: %s",
					 p.problem ? p.problem : "syntax error");
			break;
		}
		int rc = on_event(&b, &ev);
		yaml_event_delete(&ev);
		if (rc)
			break;
	}
	yaml_parser_delete(&p);
	for (size_t i = 0; i < b.cap_anchors; i++)
		free(b.anchors[i].name);
	free(b.anchors);
	for (size_t i = 0; i < b.n_spent; i++)
		node_free(b.spent[i]);
	free(b.spent);
out:
	if (b.rc) {
		yaml_doc_free(doc);
		return b.rc;
	}
	*out = doc;
	return 0;
}

int yaml_doc_load(const char *path, struct diag *d, struct yaml_doc **out)
{
	*out = NULL;
	struct diag_loc loc = {.file = path};
	/* Only regular files: a FIFO or a terminal named by mistake would block. */
	struct stat st;
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		diag_at(d, DIAG_ERROR, &loc, "cannot read: %s", S_ISDIR(st.st_mode) ? "it is a directory" : "not a regular file");
		return HR_E_IO;
	}
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		diag_at(d, DIAG_ERROR, &loc, "cannot read: %s", strerror(errno));
		return HR_E_IO;
	}
	size_t cap = YAML_MAX_BYTES + 1, len = 0;
	char *buf = xmalloc(cap);
	size_t got;
	int rc;
	while (len < cap && (got = fread(buf + len, 1, cap - len, fp)) > 0)
		len += got;
	int err = ferror(fp);
	fclose(fp);
	if (err) {
		diag_at(d, DIAG_ERROR, &loc, "cannot read: input/output error");
		rc = HR_E_IO;
		goto out;
	}
	if (len > YAML_MAX_BYTES) {
		diag_at(d, DIAG_ERROR, &loc, "the file is larger than %u MiB", YAML_MAX_BYTES >> 20);
		rc = HR_E_TOO_LARGE;
		goto out;
	}
	rc = yaml_doc_parse(path, buf, len, d, out);
out:
	free(buf);
	return rc;
}

void yaml_doc_free(struct yaml_doc *doc)
{
	if (!doc)
		return;
	node_free(doc->root);
	free(doc->text);
	free(doc->lines);
	free(doc->name);
	free(doc);
}

const struct ynode *ynode_get(const struct ynode *map, const char *key)
{
	if (!map || map->type != YNODE_MAP)
		return NULL;
	for (size_t i = 0; i < map->n; i++)
		if (strcmp(map->keys[i]->str, key) == 0)
			return map->items[i];
	return NULL;
}
