/* schema.h - the declarative key tables and the walker that applies them.
 *
 * Every key a headroom file may hold is one row of a table (redis
 * createIntConfig): its name, its type (which unit parser reads it), its
 * bounds, its default written as text, where it lands in a struct, and one
 * line of documentation. One walker reads any table against a YAML tree, so
 * parsing, validation, defaults and docs/config.md cannot drift apart (a
 * unit test checks every row appears in the docs). The walker is schema.c;
 * the tables are in schema_*.c, one file per area (schema_int.h).
 *
 * Messages are "FILE:LINE:COL: error: PATH: what was expected, got 'TEXT'",
 * with PATH the dotted key path (workload.requests[0].duration). */
#ifndef HR_CONFIG_SCHEMA_H
#define HR_CONFIG_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

#include "config/yaml.h"
#include "model/model.h"
#include "util/diag.h"

/** How a key's value is read. */
enum key_type {
	KT_STRING,      /**< text (after ${VAR} interpolation) -> char * */
	KT_BOOL,        /**< true | false -> bool */
	KT_UINT,        /**< whole count, 10k allowed -> unsigned */
	KT_NUMBER,      /**< plain non-negative number -> double */
	KT_COUNT,       /**< 5000, 10k, 1.5M -> double */
	KT_RATIO,       /**< 70% or 0.7 -> double */
	KT_DURATION,    /**< 250ms, 5m -> seconds */
	KT_SIZE,        /**< 512MiB -> bytes */
	KT_RATE,        /**< 100/s, 4/min -> per second */
	KT_RATE_NUM,    /**< a rate, or a bare number meaning per second */
	KT_THROUGHPUT,  /**< 25MB/s, 90GB/h -> bytes per second */
	KT_MONEY_MONTH, /**< $5.39/mo, $0.0104/h -> money per 730-hour month */
	KT_MONEY_UNIT,  /**< $0.012 (per call, per GB-month, ...) -> money, no period */
	KT_MONEY_HOUR,  /**< $60/h or $60 -> money per hour */
	KT_LEVEL,       /**< trigger level: 70%, 500, 10k, 500ms or 4GiB -> base units */
	KT_ENUM,        /**< one of names[] -> int */
	KT_DATE,        /**< YYYY-MM-DD -> char * */
	KT_CURRENCY,    /**< ISO 4217 code such as USD -> char[4] */
	KT_STR_LIST,    /**< [a, b] -> char **, count at count_off */
	KT_COUNT_LIST,  /**< [500, 10k] -> double *, count at count_off */
	KT_STAGE_SET,   /**< [single, ha] -> bool[STAGE_COUNT] */
	KT_STAGE_HOURS, /**< {single: 1, ha: 6} -> double[STAGE_COUNT] */
	KT_FX_MAP,      /**< {EUR: 1.08} -> economics.fx_codes/fx_rates */
	KT_QUERY_MAP,   /**< {name: promql} -> char ** of "name=promql", count at count_off */
	KT_SECTION,     /**< a nested mapping read with sub, base + offset */
	KT_LIST,        /**< a list of mappings read with sub: array at offset, count at count_off */
	KT_NAMED,       /**< a mapping NAME -> mapping read with sub; NAME goes to sub->name_off */
	KT_CALIBRATION, /**< an inline mapping, or a path to a calibration file */
	KT_ANY,         /**< accepted and ignored (informational keys of a calibration file) */
};

/** Key flags. */
enum {
	KF_REQUIRED = 1u << 0, /**< missing is an error */
	KF_INVERT = 1u << 1,   /**< KT_BOOL: store the negation (enabled -> disabled) */
	KF_PRESENT = 1u << 2,  /**< set the bool at flag_off when the key is given */
	KF_POSITIVE = 1u << 3, /**< zero is not allowed (min is exclusive) */
};

struct section;

/** One key. */
struct key_spec {
	const char *name;
	enum key_type type;
	size_t offset;              /**< where the value lands in the section's struct */
	size_t count_off;           /**< lists: where the element count lands */
	size_t flag_off;            /**< KF_PRESENT: the bool to set */
	size_t cur_off;             /**< money: char[4] for the currency; 0 = the model's */
	unsigned flags;
	double min, max;            /**< bounds in base units; max 0 = none */
	const char *def;            /**< default, written as the user would; NULL = none */
	const char *const *names;   /**< KT_ENUM: the accepted words, NULL-terminated */
	const struct section *sub;  /**< KT_SECTION / KT_LIST / KT_NAMED / KT_CALIBRATION */
	const char *doc;            /**< one line for docs/config.md */
	const char *why_default;    /**< where the default comes from (a seed, a manual) */
};

struct loader;

/** A mapping's keys. */
struct section {
	const char *name;           /**< for docs: "workload", "request class", ... */
	const struct key_spec *keys;
	size_t n_keys;
	size_t size;                /**< KT_LIST / KT_NAMED element size */
	size_t name_off;            /**< KT_NAMED: where the element's char *name goes */
	/** Called after the keys are read, to check how they fit together. */
	void (*check)(struct loader *L, void *base, const struct ynode *map, const char *path);
	/** Called on a new element before its defaults (e.g. "unset" NaN levels). */
	void (*init)(void *base);
};

/** A money amount whose currency is settled after the whole file is read. */
struct pending_money {
	double *target;
	char currency[4];
	int line, col;
};

/** Walking state for one document. */
struct loader {
	const struct yaml_doc *doc;
	struct diag *d;
	int rc;                    /**< first error, 0 while there is none */
	const char *dir;           /**< folder of the file, for relative paths; NULL = cwd */
	struct calibration *calib; /**< where KT_CALIBRATION loads go */
	struct pending_money *money;
	size_t n_money, cap_money;
	unsigned depth;            /**< calibration files included (at most 1) */
};

/** The top level of a headroom.yaml (lands in struct config). */
extern const struct section schema_config;
/** A catalogue data file: provider + offers (lands in struct catalog_file). */
extern const struct section schema_catalog_file;
/** One catalogue entry (lands in struct offer). */
extern const struct section schema_offer;
/** A calibration file (top level `calibration:`). */
extern const struct section schema_calibration_file;

/** What a catalogue data file holds. */
struct catalog_file {
	char *provider;
	struct offer *offers;
	size_t n;
};

/** Offer kinds as written in files, in enum offer_kind order. */
extern const char *const schema_offer_kinds[];
/** Stage names as written in files, in enum stage_kind order. */
extern const char *const schema_stage_names[];

/**
 * Read map (a mapping node, or NULL for "absent") into base with section s.
 * Defaults must have been applied first (schema_defaults). Errors go to
 * L->d and set L->rc.
 */
void schema_load(struct loader *L, const struct section *s, void *base, const struct ynode *map,
		 const char *path);

/** Apply the defaults of s (and of its nested sections) to base. */
void schema_defaults(const struct section *s, void *base);

/** Free what schema_load() allocated in base (strings, lists, nested sections). */
void schema_free(const struct section *s, void *base);

/** Report an error at node (the file's location when node is NULL) and set L->rc. */
void schema_error(struct loader *L, const struct ynode *node, const char *fmt, ...) HR_PRINTF(3, 4);

/** What a key takes, for messages and docs: "a duration such as 250ms, 15s or 5m". */
const char *schema_type_name(const struct key_spec *k);

/** The value of key in a mapping node, or NULL. */
const struct ynode *schema_get(const struct ynode *map, const char *key);

/**
 * Call fn for every key of s and the sections under it, with its dotted path
 * ("workload.requests[].rate"); lists show as "[]", named maps as ".NAME".
 */
void schema_each_key(const struct section *s, const char *prefix,
		     void (*fn)(const char *path, const struct key_spec *k, void *ctx), void *ctx);

/**
 * Expand ${VAR} from the environment in text; "$${" stands for "${".
 * @param out on success, a new string the caller frees.
 * @param why on failure, a static reason; *bad_at the byte offset of the problem,
 *        *var the variable's name (caller frees) when it is unset.
 * @return 0 or HR_E_INVALID.
 */
HR_NODISCARD int schema_interpolate(const char *text, char **out, const char **why,
				    size_t *bad_at, char **var);

#endif
