/* backends.h - the actuator backends (one file each) and what they share. */
#ifndef HR_ACTUATOR_BACKENDS_H
#define HR_ACTUATOR_BACKENDS_H

#include "actuators/actuator.h"
#include "actuators/run.h"

/** docker compose (compose.c). */
extern const struct actuator_ops actuator_compose;
/** a user command (exec.c). */
extern const struct actuator_ops actuator_exec;

/**
 * Run argv and turn a failure into one line in err: "CMD: exit 3: LAST
 * STDERR LINE", "CMD: timed out after 60 s", "CMD: cannot be started".
 * @param out stdout on success (the caller's buffer, capped).
 * @return 0 when the command exited 0; otherwise an error code.
 */
HR_NODISCARD int actuator_run(const char *const *argv, double timeout_s, struct strbuf *out, struct strbuf *err);

#endif
