/* backends.h - the actuator backends (one file each) and what they share. */
#ifndef HR_ACTUATOR_BACKENDS_H
#define HR_ACTUATOR_BACKENDS_H

#include <signal.h>
#include <stdbool.h>

#include "actuators/actuator.h"
#include "actuators/run.h"

/** docker compose (compose.c). */
extern const struct actuator_ops actuator_compose;
/** a user command (exec.c). */
extern const struct actuator_ops actuator_exec;

/** What every command of an actuator runs with; the front owns it, and it outlives the backend's state. */
struct actuator_env {
	double timeout_s;                  /**< autoscale.timeout: the command's group is killed past it */
	const volatile sig_atomic_t *stop; /**< a stop request kills the command's group; NULL: none */
	char *pidfile;                     /**< owned; where a resize in flight is recorded, or NULL */
};

/**
 * Run argv and turn a failure into one line in err: "CMD: exit 3: LAST
 * STDERR LINE", "CMD: timed out after 60 s (killed with its process group)",
 * "CMD: cannot be started".
 * @param record true for a resize: recorded in env->pidfile while it runs.
 * @param out stdout on success (the caller's buffer, capped).
 * @return 0 when the command exited 0; -ECANCELED when a stop killed it;
 *         otherwise an error code.
 */
HR_NODISCARD int actuator_run(const struct actuator_env *env, bool record, const char *const *argv,
			      struct strbuf *out, struct strbuf *err);

#endif
