/* cmd.h - the subcommands, one file each (apk-tools app_*.c).
 *
 * A subcommand is thin: it reads its flags (getopt_long, one option table
 * beside its usage text; a long list of options as a table of setters),
 * loads, calls one pipeline or model function, renders and writes. A flow
 * of several steps lives in pipeline/; no function here is over 80 lines
 * (tests/integration/checksrc.sh). It returns the process exit status: 0
 * ok, 2 bad input (usage or config), other codes as its --help says (check
 * uses Nagios codes). */
#ifndef HR_CMD_H
#define HR_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/** A subcommand. */
struct hr_cmd {
	const char *name;
	const char *summary;                 /**< one line for `headroom --help` */
	int (*run)(int argc, char **argv);   /**< argv[0] is the subcommand name */
};

/* Keep in the order `headroom --help` lists them. */
extern const struct hr_cmd cmd_plan;
extern const struct hr_cmd cmd_check;
extern const struct hr_cmd cmd_agent;
extern const struct hr_cmd cmd_autoscale;
extern const struct hr_cmd cmd_simulate;
extern const struct hr_cmd cmd_bench;
extern const struct hr_cmd cmd_queue;
extern const struct hr_cmd cmd_sla;
extern const struct hr_cmd cmd_catalog;
extern const struct hr_cmd cmd_validate;
extern const struct hr_cmd cmd_init;
extern const struct hr_cmd cmd_tune;
extern const struct hr_cmd cmd_export;

/** Exit status for bad input (usage, config): 2, as the README promises. */
#define EXIT_BAD_INPUT 2

/** Output formats a data-printing command may offer. */
enum out_format { FORMAT_TEXT, FORMAT_JSON, FORMAT_MD, FORMAT_HTML };

/**
 * Parse a --format value against the formats a command allows.
 * @param allowed bit set of (1u << FORMAT_x).
 * @return 0 and *out set, or HR_E_INVALID after printing one line to stderr.
 */
int cmd_parse_format(const char *cmd, const char *value, unsigned allowed, enum out_format *out);

/** The host-wide config, last in the search order. */
#define CMD_SYSTEM_CONFIG "/etc/headroom/headroom.yaml"

/**
 * The config path to use: the -f value if given, else the first that exists
 * of ./headroom.yaml, $XDG_CONFIG_HOME/headroom/headroom.yaml (default
 * ~/.config/headroom/headroom.yaml) and /etc/headroom/headroom.yaml; when
 * none does, "headroom.yaml" (so a message names the usual place).
 * @return the flag, a literal, or a static buffer valid until the next call.
 */
const char *cmd_config_path(const char *flag);

/**
 * Write what a renderer made, as the README's "Output files" says: to
 * standard output when @p path is NULL or "-"; a regular file or a name
 * that is not there through a temporary file renamed over it (a reader
 * never sees half a document; an existing file keeps its mode); a FIFO
 * (waiting up to 10 s for a reader, and for the reader to take more) or a
 * character device opened and written in place; a symbolic link followed,
 * its target getting the same rule; anything else (a directory, a socket,
 * a block device) refused. Without @p replace, an existing regular file
 * (or link) is kept: the write is to a new file only.
 * @return 0; 1 when standard output failed (main() says why);
 *         EXIT_BAD_INPUT after one line on stderr naming the path: refused,
 *         exists without @p replace, or could not be written (a missing
 *         folder, no permission, a full device, a FIFO without a reader).
 */
int cmd_write(const char *cmd, const char *path, const char *text, size_t len, bool replace);

/**
 * Whether other files may go beside @p path (PostgreSQL's settings beside a
 * Compose file, a Markdown plan's charts): only when it names a regular
 * file or nothing yet (through its links). False for NULL, "-", a FIFO, a
 * device or anything cmd_write() refuses, so nothing lands in /dev because
 * the output is /dev/null.
 */
bool cmd_output_is_file(const char *path);

/** Print "headroom CMD: MESSAGE" and a hint to run --help; return EXIT_BAD_INPUT. */
int cmd_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
