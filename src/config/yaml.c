#include "config/yaml.h"

#include <errno.h>
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
	// Line starts, found once, so yaml_doc_loc() is a lookup and not a scan.
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
		// Keep the caret on the line; no source line when the column is past it.
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

static void error_at(struct builder *b, int line, int col, int rc, const char *fmt, ...) HR_PRINTF(5, 6);

static void error_at(struct builder *b, int line, int col, int rc, const char *fmt, ...)
{
	struct diag_loc loc = yaml_doc_loc_at(b->doc, line, col, 1);
	va_list ap;
	va_start(ap, fmt);
	diag_vat(b->d, DIAG_ERROR, &loc, fmt, ap);
	va_end(ap);
	if (!b->rc)
		b->rc = rc;
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
	if (++b->doc->n_nodes > YAML_MAX_NODES) {
		error_at(b, node->line, node->col, HR_E_TOO_LARGE,
			 "the document has more than %u nodes", YAML_MAX_NODES);
		node_free(node);
		return HR_E_TOO_LARGE;
	}
	if (b->depth == 0) {
		b->doc->root = node;
		return 0;
	}
	struct ynode *parent = b->stack[b->depth];
	bool key = parent->type == YNODE_MAP && !b->pending_key[b->depth];
	if (key && node->type != YNODE_SCALAR) {
		error_at(b, node->line, node->col, HR_E_INVALID,
			 "a mapping key must be a plain name, not %s", ynode_type_name(node->type));
		node_free(node);
		return HR_E_INVALID;
	}
	push_child(parent, &b->caps[b->depth], node, key);
	if (parent->type == YNODE_MAP)
		b->pending_key[b->depth] = key;
	return 0;
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
			struct diag_loc loc = yaml_doc_loc(b->doc, k[i]);
			diag_at(b->d, DIAG_ERROR, &loc, "duplicate key '%s' (first at line %d, column %d)",
				k[i]->str, k[i - 1]->line, k[i - 1]->col);
			// Not fatal: the schema walk still reports the file's other problems.
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
		error_at(b, (int)ev->start_mark.line + 1, (int)ev->start_mark.column + 1,
			 HR_E_INVALID, "aliases (*%s) are not supported; write the value out",
			 (const char *)ev->data.alias.anchor);
		return HR_E_INVALID;
	case YAML_SCALAR_EVENT: {
		// A double-quoted "\0" is a NUL inside the value: C strings would
		// end there while the length ran on (every later memchr over len
		// read past the copy). No setting can mean one: refused here.
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
		return attach(b, n);
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
		b->depth++;
		b->stack[b->depth] = n;
		b->caps[b->depth] = 0;
		b->pending_key[b->depth] = false;
		return 0;
	}
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		if (b->depth > 0) {
			if (ev->type == YAML_MAPPING_END_EVENT)
				check_duplicates(b, b->stack[b->depth]);
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
	if (len > YAML_MAX_BYTES) {
		struct diag_loc loc = {.file = name};
		diag_at(d, DIAG_ERROR, &loc, "the file is larger than %u MiB", YAML_MAX_BYTES >> 20);
		yaml_doc_free(doc);
		return HR_E_TOO_LARGE;
	}
	struct builder b = {.doc = doc, .d = d};
	yaml_parser_t p;
	if (!yaml_parser_initialize(&p))
		abort(); // libyaml fails here only when out of memory; xalloc's policy
	yaml_parser_set_input_string(&p, (const unsigned char *)doc->text, len);
	for (;;) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&p, &ev)) {
			if (p.error == YAML_MEMORY_ERROR)
				abort();
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
	// Only regular files: a FIFO or a terminal named by mistake would block.
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
	while (len < cap && (got = fread(buf + len, 1, cap - len, fp)) > 0)
		len += got;
	int err = ferror(fp);
	fclose(fp);
	if (err) {
		free(buf);
		diag_at(d, DIAG_ERROR, &loc, "cannot read: input/output error");
		return HR_E_IO;
	}
	if (len > YAML_MAX_BYTES) {
		free(buf);
		diag_at(d, DIAG_ERROR, &loc, "the file is larger than %u MiB", YAML_MAX_BYTES >> 20);
		return HR_E_TOO_LARGE;
	}
	int rc = yaml_doc_parse(path, buf, len, d, out);
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
