/* actuator.h - how a service is resized, behind one small ops table.
 *
 * An actuator reads a service's current replica count and sets a new one.
 * Backends: `compose` (docker compose: `ps -q` to count, `up -d
 * --no-recreate --scale` to set) and `exec` (a command of the user's, for
 * Swarm, systemd template units, a cloud CLI). Adding one is adding a file
 * and a row to the table in actuator.c (as sources/ does).
 *
 * Every command runs from argv, never through a shell, in a process group
 * of its own, with a deadline at which the whole group is killed (run.h);
 * names passed to it are checked first (autoscale_name_check).
 *
 * A resize in flight is recorded in a pid file (actuator_guard) from before
 * its command runs until the command has ended, so that a process started
 * after a kill -9 of the one that began it finds it still running
 * (actuator_inflight) and waits for it, or kills its group at its deadline,
 * before deciding again: a resize never runs twice at once. */
#ifndef HR_ACTUATOR_H
#define HR_ACTUATOR_H

#include <signal.h>
#include <stdbool.h>

#include "model/autoscale_config.h"
#include "util/diag.h"
#include "util/error.h"
#include "util/strbuf.h"

struct actuator_env;

/** The operations of one backend. */
struct actuator_ops {
	const char *type; /**< as in the config: "compose", "exec" */
	/**
	 * Check the config and set up; nothing is run. @param env borrowed, outlives the state.
	 * @return 0 or HR_E_INVALID (reported to d).
	 */
	int (*open)(const struct autoscale_service_config *cfg, const struct actuator_env *env, struct diag *d,
		    void **state);
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

/**
 * Set the replica count.
 * @param err one line on failure (replaced).
 * @return 0; -ECANCELED when a stop request killed the command (with its
 *         group: what it did is unknown); HR_E_TIMEOUT when it ran past the
 *         timeout (killed the same way); another error code.
 */
HR_NODISCARD int actuator_scale(struct actuator *a, int replicas, struct strbuf *err);

/**
 * Guard the commands: a stop request (*stop non-zero) kills the one running
 * (SIGTERM to its group, RUN_STOP_GRACE_S, SIGKILL) and starts no other; a
 * resize is recorded in @p pidfile while it runs.
 * @param pidfile copied; NULL: resizes are not recorded.
 * @param stop borrowed, must outlive the actuator; NULL: none.
 */
void actuator_guard(struct actuator *a, const char *pidfile, const volatile sig_atomic_t *stop);

/** A resize begun by an earlier process and still running. */
struct actuator_inflight {
	long pid;        /**< its command, leader of its process group */
	double deadline; /**< Unix time: its start plus the timeout */
};

/**
 * Is a resize recorded in the pid file, by an earlier process, still running?
 * @return true with *out filled; false when none is (a record left by a
 *         command that has ended is removed).
 */
bool actuator_inflight(struct actuator *a, struct actuator_inflight *out);

/**
 * Kill the recorded resize's process group (SIGTERM, RUN_GRACE_S, SIGKILL;
 * nothing is sent to a pid no longer its), wait until it is gone, and remove
 * the record.
 */
void actuator_inflight_kill(struct actuator *a);

/** The backend's name ("compose", "exec"). Static. */
const char *actuator_type(const struct actuator *a);

/** Close. NULL is a no-op. */
void actuator_close(struct actuator *a);

#endif
