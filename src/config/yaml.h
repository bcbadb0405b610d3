/* yaml.h - a YAML document as a small tree that remembers where each part was.
 *
 * libyaml's event parser feeds a tree of scalars, sequences and mappings;
 * every node keeps the 1-based line and column it started at, so the schema
 * can say "file:14:5: error: ..." about any key or value. The input is
 * untrusted: the file size, the nesting depth and the node count are capped.
 * An alias (*name) becomes a copy of its anchor's node, and a merge key
 * (`<<: *base`, as Compose files use it) folds mappings in, the keys written
 * beside it winning. What they copy is counted before it is made, against
 * the node cap and against a budget of copied text proportional to the
 * file (YAML_COPY_FACTOR times its size, at least YAML_COPY_FLOOR), so
 * neither "billion laughs" nor a long string aliased a thousand times can
 * grow the tree much past the file. Duplicate mapping keys are an error
 * here, once for all callers.
 *
 * The tree borrows nothing from the caller: the text is copied so that
 * yaml_doc_line() can hand diag the source line of a node. */
#ifndef HR_CONFIG_YAML_H
#define HR_CONFIG_YAML_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/diag.h"
#include "util/error.h"

/** Largest file read (bytes). A config is a few kilobytes; a catalogue tens. */
#define YAML_MAX_BYTES (4u << 20)
/** Deepest nesting of collections. */
#define YAML_MAX_DEPTH 64
/** Most nodes in one document, copies made by aliases and merge keys included. */
#define YAML_MAX_NODES 200000u
/** Aliases and merge keys copy at most this many times the file's size in scalar bytes... */
#define YAML_COPY_FACTOR 4u
/** ...or this many bytes when that is more: a small file may still share a block. */
#define YAML_COPY_FLOOR (1u << 20)

/** What a node is. */
enum ynode_type { YNODE_SCALAR, YNODE_SEQ, YNODE_MAP };

/** One node of the tree. */
struct ynode {
	enum ynode_type type;
	int line, col;        /**< 1-based start of the node */
	char *str;            /**< scalar text (NUL-terminated, owned); NULL otherwise */
	size_t len;           /**< scalar length in bytes */
	bool quoted;          /**< scalar was written '...', "..." or as a block */
	bool null;            /**< plain scalar that means "no value": empty, ~ or null */
	bool anchored;        /**< an anchor (&name) names it (the parser's: a merge moves pairs only
				   out of a mapping no later alias can copy) */
	struct ynode **keys;  /**< map: the keys (scalars), owned */
	struct ynode **items; /**< map: the values; seq: the items; owned */
	size_t n;             /**< number of items (or key/value pairs) */
};

/** A parsed document. */
struct yaml_doc {
	char *name;           /**< file name used in messages (owned) */
	char *text;           /**< copy of the source text (owned) */
	size_t text_len;
	size_t *lines;        /**< byte offset of each line's start (owned) */
	size_t n_lines;
	struct ynode *root;   /**< NULL for an empty document */
	size_t n_nodes;       /**< nodes built, copies included */
	size_t copied_bytes;  /**< scalar bytes that aliases and merge keys copied */
	unsigned n_errors;    /**< errors already reported that did not stop parsing (duplicate keys) */
};

/**
 * Parse YAML text into a tree.
 * @param name the file name for messages (copied).
 * @param text the YAML (need not be NUL-terminated); at most YAML_MAX_BYTES.
 * @param d where errors go.
 * @param out on success, a new document the caller frees with yaml_doc_free().
 * @return 0 (check doc->n_errors: duplicate keys are reported but do not
 *         stop the parse); HR_E_INVALID after reporting a syntax error, an
 *         alias without its anchor or inside what it names, or a merge key
 *         whose value is not mappings, or a byte the YAML reader refuses
 *         (a control character such as NUL, invalid UTF-8: located at that
 *         byte's line and column); HR_E_TOO_LARGE after reporting a cap
 *         that was hit (size, depth, nodes, bytes copied).
 */
HR_NODISCARD int yaml_doc_parse(const char *name, const char *text, size_t len,
				struct diag *d, struct yaml_doc **out);

/**
 * Read a file (at most YAML_MAX_BYTES) and parse it with yaml_doc_parse().
 * @return as yaml_doc_parse(), or HR_E_IO after reporting why the file
 *         could not be read.
 */
HR_NODISCARD int yaml_doc_load(const char *path, struct diag *d, struct yaml_doc **out);

/** Free a document and its tree. NULL is a no-op. */
void yaml_doc_free(struct yaml_doc *doc);

/**
 * The location of a node, for diag_at(): file, line, column, the source line
 * (borrowed from doc) and a caret span covering a one-line scalar.
 */
struct diag_loc yaml_doc_loc(const struct yaml_doc *doc, const struct ynode *node);

/** The location of a line and column of doc (1-based). */
struct diag_loc yaml_doc_loc_at(const struct yaml_doc *doc, int line, int col, int span);

/**
 * Report an error at a node of doc: "FILE:LINE:COL: error: MESSAGE", then,
 * when d shows source, the node's line with a caret under it; "FILE: error:
 * MESSAGE" when node is NULL. The config layer's one located-error helper:
 * each reader binds it to its own state (schema_error(), compose.c).
 * @param rc when not NULL and *rc is 0, set to HR_E_INVALID, so a reader
 *        returns its first error.
 */
void yaml_error(struct diag *d, int *rc, const struct yaml_doc *doc, const struct ynode *node,
		const char *fmt, ...) HR_PRINTF(5, 6);

/** va_list form of yaml_error(). */
void yaml_verror(struct diag *d, int *rc, const struct yaml_doc *doc, const struct ynode *node,
		 const char *fmt, va_list ap) HR_PRINTF(5, 0);

/** yaml_error() at a line and column of doc (1-based, a caret one wide): a place that is not a node. */
void yaml_error_at(struct diag *d, int *rc, const struct yaml_doc *doc, int line, int col,
		   const char *fmt, ...) HR_PRINTF(6, 7);

/** The name of a node type for messages: "a scalar", "a list", "a mapping". */
const char *ynode_type_name(enum ynode_type t);

/**
 * The value of KEY in a mapping node.
 * @return the value node (borrowed from the document), or NULL when MAP is
 *         NULL, not a mapping, or has no such key.
 */
const struct ynode *ynode_get(const struct ynode *map, const char *key);

#endif
