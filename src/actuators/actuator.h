/* actuator.h - how a service is resized, behind one small ops table.
 *
 * An actuator reads a service's current replica count and sets a new one.
 * Backends: `compose` (docker compose: `ps -q` to count, `up -d
 * --no-recreate --scale` to set) and `exec` (a command of the user's, for
 * Swarm, systemd template units, a cloud CLI). Adding one is adding a file
 * and a row to the table in actuator.c (as sources/ does).
 *
 * Every command runs from argv, never through a shell, with a deadline
 * (run.h); names passed to it are checked first (autoscale_name_check). */
#ifndef HR_ACTUATOR_H
#define HR_ACTUATOR_H

#include "model/autoscale_config.h"
#include "util/diag.h"
#include "util/error.h"
#include "util/strbuf.h"

/** The operations of one backend. */
struct actuator_ops {
	const char *type; /**< as in the config: "compose", "exec" */
	/** Check the config and set up; nothing is run. @return 0 or HR_E_INVALID (reported to d). */
	int (*open)(const struct autoscale_service_config *cfg, double timeout_s, struct diag *d, void **state);
	/** The replicas running now. @return 0, or an error with a one-line reason in err. */
	int (*current)(void *state, int *out, struct strbuf *err);
	/** Run @p replicas replicas. @return 0, or an error with a one-line reason in err. */
	int (*scale)(void *state, int replicas, struct strbuf *err);
	/** Release the state. NULL is a no-op. */
	void (*close)(void *state);
};

/** An open actuator (opaque). */
struct actuator;

/**
 * Open the actuator a service's config names.
 * @param cfg borrowed; must outlive the actuator.
 * @param out a new actuator; free with actuator_close().
 * @return 0, or HR_E_INVALID after reporting to d.
 */
HR_NODISCARD int actuator_open(const struct autoscale_service_config *cfg, double timeout_s, struct diag *d,
			       struct actuator **out);

/** The replicas running now. @param err one line on failure (replaced). @return 0 or an error code. */
HR_NODISCARD int actuator_current(struct actuator *a, int *out, struct strbuf *err);

/** Set the replica count. @param err one line on failure (replaced). @return 0 or an error code. */
HR_NODISCARD int actuator_scale(struct actuator *a, int replicas, struct strbuf *err);

/** The backend's name ("compose", "exec"). Static. */
const char *actuator_type(const struct actuator *a);

/** Close. NULL is a no-op. */
void actuator_close(struct actuator *a);

#endif
