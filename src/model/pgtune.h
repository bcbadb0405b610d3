/* pgtune.h - PostgreSQL settings for a machine, by PGTune's rules.
 *
 * The rules are those of PGTune (le0pard/pgtune, MIT licence; the file
 * src/features/configuration/configurationSlice.js at HEAD of July 2026,
 * with issue #142, "no io_workers when io_method is io_uring"). They are
 * re-derived here from the rules, not translated line by line; docs/tune.md
 * lists every formula with its source. As in PGTune, every memory figure is
 * computed in kB (1 kB = 1024 bytes) with floating-point arithmetic and the
 * floors PGTune takes, and printed in the largest of GB, MB, kB that holds
 * it exactly (so 1.5 GB prints as 1536MB).
 *
 * One deliberate difference: PostgreSQL keeps shared_buffers,
 * effective_cache_size and wal_buffers in 8 kB pages and rounds a value that
 * is not a whole number of pages, so SHOW would not read back what the file
 * says; those three are rounded down to a whole page before printing (only
 * their printed values: the formulas use PGTune's figures). For memory sizes
 * in whole MiB nothing changes.
 *
 * Pure: no I/O, no globals but constant tables. */
#ifndef HR_PGTUNE_H
#define HR_PGTUNE_H

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

/** Operating system of the database host. */
enum pgtune_os { PGTUNE_LINUX, PGTUNE_WINDOWS, PGTUNE_MAC };

/** What the database is for (PGTune's "DB type"). */
enum pgtune_type { PGTUNE_WEB, PGTUNE_OLTP, PGTUNE_DW, PGTUNE_DESKTOP, PGTUNE_MIXED };

/** Data storage. */
enum pgtune_storage { PGTUNE_SSD, PGTUNE_HDD, PGTUNE_SAN, PGTUNE_NVME };

/** Database size against memory. */
enum pgtune_dbsize { PGTUNE_LESS_RAM, PGTUNE_MID_RAM, PGTUNE_GREATER_RAM };

/** PostgreSQL major versions PGTune knows (its DB_VERSIONS). */
#define PGTUNE_VERSION_MIN 10u
#define PGTUNE_VERSION_MAX 18u
/** PGTune's default version (DEFAULT_DB_VERSION). */
#define PGTUNE_VERSION_DEFAULT 18u
/**
 * Least memory accepted: 64 MiB. Below it a desktop-type shared_buffers
 * (RAM / 16) would fall under 4 MiB, and PGTune itself asks for 512 MB in its
 * form; between 64 and 256 MiB the result carries PGTune's low-memory warning.
 */
#define PGTUNE_RAM_MIN_B (64.0 * 1024 * 1024)
/**
 * Most memory accepted: 16 TiB. Above it RAM / 4 passes PostgreSQL's largest
 * shared_buffers with 8 kB pages (2^30 - 1 pages, about 8 TiB) and 3/4 of it
 * passes effective_cache_size's (2^31 - 1 pages).
 */
#define PGTUNE_RAM_MAX_B (16.0 * 1024 * 1024 * 1024 * 1024)
/** Most CPUs accepted: PGTune's form takes up to 9999. */
#define PGTUNE_CPUS_MAX 9999u
/**
 * Most connections accepted: 100000, so max_connections plus 9999 worker
 * processes stays under PostgreSQL's MAX_BACKENDS (2^18 - 1,
 * src/include/postmaster/postmaster.h).
 */
#define PGTUNE_CONNECTIONS_MAX 100000u

/** What PGTune asks. */
struct pgtune_input {
	unsigned version;            /**< PostgreSQL major version, 10..18 */
	enum pgtune_os os;
	enum pgtune_type type;
	double ram_b;                /**< memory PostgreSQL may use, in bytes */
	unsigned cpus;               /**< CPUs PostgreSQL may use; 0 = not given */
	unsigned connections;        /**< max_connections; 0 = PGTune's default for the type */
	enum pgtune_storage storage;
	enum pgtune_dbsize db_size;
};

/** PGTune's defaults: version 18, linux, web, ssd, mid-ram; no RAM, CPUs or connections. */
void pgtune_input_default(struct pgtune_input *in);

/** Names as the command line takes them ("linux", "web", "ssd", "less-ram"). */
const char *pgtune_os_name(enum pgtune_os v);
/** See pgtune_os_name(). */
const char *pgtune_type_name(enum pgtune_type v);
/** See pgtune_os_name(). */
const char *pgtune_storage_name(enum pgtune_storage v);
/** See pgtune_os_name(). */
const char *pgtune_dbsize_name(enum pgtune_dbsize v);

/**
 * Parse a name (exact, lower case).
 * @return 0 and *out set; HR_E_INVALID for an unknown name.
 */
HR_NODISCARD int pgtune_parse_os(const char *s, enum pgtune_os *out);
/** See pgtune_parse_os(). */
HR_NODISCARD int pgtune_parse_type(const char *s, enum pgtune_type *out);
/** See pgtune_parse_os(); "less-ram", "mid-ram", "greater-ram" (underscores too). */
HR_NODISCARD int pgtune_parse_storage(const char *s, enum pgtune_storage *out);
/** See pgtune_parse_os(). */
HR_NODISCARD int pgtune_parse_dbsize(const char *s, enum pgtune_dbsize *out);

/**
 * The choices of each enumeration for messages: "linux, windows or mac".
 * @param which 'o' os, 't' type, 's' storage, 'd' db size.
 * @return a static string.
 */
const char *pgtune_choices(char which);

/**
 * Check an input against the bounds above.
 * @return NULL when it can be tuned, else a static sentence naming the flag.
 */
const char *pgtune_check(const struct pgtune_input *in);

/** How a setting's value is written. */
enum pgtune_kind {
	PGTUNE_INT,  /**< a whole number: max_connections = 200 */
	PGTUNE_KB,   /**< a memory size in kB, printed in GB, MB or kB */
	PGTUNE_REAL, /**< a number: random_page_cost = 1.1 */
	PGTUNE_WORD, /**< a keyword: huge_pages = try */
};

/** One postgresql.conf setting. */
struct pgtune_setting {
	const char *name;      /**< static */
	enum pgtune_kind kind;
	double num;            /**< the value for INT, KB (in kB) and REAL */
	const char *word;      /**< static, for WORD */
};

/** Most settings one result holds. */
#define PGTUNE_MAX_SETTINGS 32
/** Most warnings one result holds. */
#define PGTUNE_MAX_WARNINGS 8

/** The settings, in PGTune's order, and its warnings. */
struct pgtune_result {
	struct pgtune_setting settings[PGTUNE_MAX_SETTINGS];
	size_t n;
	const char *warnings[PGTUNE_MAX_WARNINGS]; /**< static sentences */
	size_t n_warnings;
};

/**
 * Compute the settings.
 * @return 0 and *out filled; HR_E_INVALID when pgtune_check() refuses the input.
 */
HR_NODISCARD int pgtune_compute(const struct pgtune_input *in, struct pgtune_result *out);

/**
 * A setting's value as postgresql.conf and SHOW write it: "200", "2GB",
 * "1536MB", "10280kB", "1.1", "try".
 * @return buf.
 */
char *pgtune_value(const struct pgtune_setting *s, char *buf, size_t n);

/**
 * PGTune's database-size choice for a planned database: less-ram while the
 * data fits in the three quarters of memory effective_cache_size tells the
 * planner is cache, greater-ram once it is larger than memory, mid-ram
 * between.
 */
enum pgtune_dbsize pgtune_dbsize_for(double db_size_b, double ram_b);

/** The setting of that name, or NULL when the result has none. */
const struct pgtune_setting *pgtune_find(const struct pgtune_result *r, const char *name);

#endif
