/* run.h - run a command given as argv (never a shell), with a deadline,
 * capturing its output up to a cap.
 *
 * posix_spawnp with stdin from /dev/null, stdout and stderr on pipes, and
 * every other descriptor closed in the child (the agent's store and HTTP
 * socket must not leak into the workers a scale command starts). The call
 * returns when the child exits, not when its pipes close: a script that
 * starts background workers holding the pipes still returns at once. */
#ifndef HR_ACTUATORS_RUN_H
#define HR_ACTUATORS_RUN_H

#include "util/error.h"
#include "util/strbuf.h"

/** What a run gave. */
struct run_result {
	int exit_code;   /**< the exit status, or 128 + the signal that ended it */
	double took_s;
};

/**
 * Run argv[0] (searched on PATH when it has no '/') with argv.
 * @param argv NULL-terminated, borrowed.
 * @param out receives stdout (appended; at most its cap, the rest dropped).
 * @param err receives stderr the same way.
 * @return 0 when the command ran to its end (any exit status: see res);
 *         HR_E_NOTFOUND when it cannot be started; HR_E_TIMEOUT when it ran
 *         past timeout_s (it is then killed, by its pid, and reaped).
 */
HR_NODISCARD int run_argv(const char *const *argv, double timeout_s, struct strbuf *out, struct strbuf *err,
			  struct run_result *res);

#endif
