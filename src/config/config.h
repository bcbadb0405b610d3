/* config.h - a headroom.yaml, loaded.
 *
 * config_load() reads the YAML file (libyaml), checks every key against the
 * declarative schema (schema.c), interpolates ${VAR} from the environment and
 * fills the model structs. All problems are reported to the diag sink, one
 * line each as FILE:LINE:COL: error: ..., up to the sink's cap; nothing is
 * defaulted silently (the defaults that do apply are documented, key by key,
 * in docs/config.md). */
#ifndef HR_CONFIG_H
#define HR_CONFIG_H

#include "model/autoscale_config.h"
#include "model/model.h"
#include "model/source_config.h"
#include "util/diag.h"
#include "util/error.h"

struct yaml_doc;

/** The daemon (agent). */
struct agent_config {
	char *listen;       /**< HOST:PORT, default 127.0.0.1:9870 */
	double interval_s;  /**< sampling interval, default 10s */
	char *webhook;      /**< Slack-compatible webhook URL, or NULL */
	char *token;        /**< bearer token for the HTTP endpoints, or NULL */
	char *store;        /**< SQLite path; NULL = $XDG_STATE_HOME/headroom/history.db */
	double retention_s; /**< keep raw samples this long (default 7d) */
};

/** A loaded configuration. Owns everything it points to. */
struct config {
	char *path;                    /**< the file it came from */
	char *catalog_dir;             /**< catalog_dir: a folder of catalogue files instead of the installed one, or NULL */
	struct workload workload;
	struct component *components;
	size_t n_components;
	struct deployment deployment;
	struct objectives objectives;
	struct reliability reliability;  /**< failure rates and recovery times (defaults from the key table) */
	struct trigger_rule *triggers; /**< user rules (merged over the defaults by rules/) */
	size_t n_triggers;
	struct economics economics;
	struct catalog catalog;        /**< user entries, added to / overriding data/catalog */
	struct source_config *sources;
	size_t n_sources;
	struct agent_config agent;
	struct autoscale_config autoscale; /**< autoscale: (config/autoscale.h) */
	struct calibration calibration;
	struct yaml_doc *doc;          /**< the parsed file, kept for located messages (config_loc) */
};

/**
 * Load and validate a config file.
 * @param path the file to read.
 * @param d where errors go (all of them, up to its cap).
 * @param out on success, a new config the caller frees with config_free().
 * @return 0; HR_E_IO when the file cannot be read; HR_E_INVALID when it has
 *         errors (each already reported to d).
 */
HR_NODISCARD int config_load(const char *path, struct diag *d, struct config **out);

/** Same as config_load() for text already in memory; @p name is used in messages. */
HR_NODISCARD int config_load_string(const char *name, const char *text, size_t len,
				    struct diag *d, struct config **out);

/**
 * The folder of catalogue files this config names (catalog_dir), a relative
 * path taken from the config file's folder; NULL when it names none (then
 * catalog_load_dir(NULL) reads HEADROOM_CATALOG or the installed catalogue).
 * @return a new string the caller frees, or NULL.
 */
char *config_catalog_dir(const struct config *cfg);

/** Release a config and everything it owns. NULL is a no-op. */
void config_free(struct config *cfg);

/**
 * Where a key of the loaded file is, for messages about it after loading.
 * @param path a dotted key path with list indices, as in the config's own
 *        messages: "deployment.current.nodes[0].plan", "triggers.cpu.warn".
 * @return the location of that node (file, line, column, source line, all
 *         borrowed from cfg); only the file when the path is not in the file.
 */
struct diag_loc config_loc(const struct config *cfg, const char *path);

/**
 * Check the config's references into the price catalogue: every
 * deployment.providers entry and every deployment.current node plan must be
 * in cat. Called by commands that have both (plan, check), after
 * catalog_merge() of the config's own entries.
 * @return 0, or HR_E_INVALID after reporting each bad reference to d.
 */
HR_NODISCARD int config_check_refs(const struct config *cfg, const struct catalog *cat, struct diag *d);

/** One key of the schema, as config_each_key() describes it. */
struct config_key_info {
	const char *path;        /**< "workload.requests[].rate", "triggers.NAME.warn" */
	const char *type;        /**< what it takes: "a duration such as 250ms, 15s or 5m" */
	const char *doc;         /**< one line */
	const char *def;         /**< the default as written, NULL when there is none */
	const char *why_default; /**< where the default comes from, or NULL */
	const char *bounds;      /**< "0-100%", "> 0", ... or NULL */
	bool required;
};

/** One value of a loaded config, as config_each_value() describes it. */
struct config_value {
	const char *path;        /**< the key with its list indices and names: "workload.requests[0].rate" */
	const char *text;        /**< as written in the file when given, else the default as written; NULL: neither */
	bool given;              /**< written in the file (false: the default applies, or nothing) */
	bool secret;             /**< a password, token, DSN or webhook: text is NULL, never shown */
	const char *doc;         /**< the key's one line of documentation */
	const char *why_default; /**< where the default comes from, or NULL */
};

/**
 * Call fn for every value the loaded config holds or defaults, in schema
 * order: each key of each mapping, each element of each list and named
 * mapping that the file has. What a report lists as the assumptions a plan
 * rests on, each marked given or defaulted. Lists and mappings of scalars
 * (milestones, operations hours) are one value, written in flow style
 * ("[500, 2k]"). A list or named mapping the file leaves out is not
 * visited (it has no elements to default), nor an optional mapping left
 * out of an element (a request class without `external`).
 * @param prefix only paths under this top-level key ("workload"); NULL: all.
 */
void config_each_value(const struct config *cfg, const char *prefix,
		       void (*fn)(const struct config_value *v, void *ctx), void *ctx);

/** Call fn for every key the schema knows, parents before children. For docs and tests. */
void config_each_key(void (*fn)(const struct config_key_info *k, void *ctx), void *ctx);

#endif
