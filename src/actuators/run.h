/* run.h - run a command given as argv (never a shell), with a deadline,
 * capturing its output up to a cap, in a process group of its own.
 *
 * fork, then in the child: a process group of its own (setpgid), default
 * signal handling, stdin from /dev/null, stdout and stderr on pipes, every
 * other descriptor closed (the agent's store and HTTP socket must not leak
 * into the workers a scale command starts), and execve only once the parent
 * has said go. Before saying go the parent may record the child (its pid and
 * start time) in a pid file, so no command runs without its record: a
 * parent killed before the go leaves a child that exits without running.
 *
 * The call returns when the command exits, not when its pipes close: a
 * script that starts background workers holding the pipes still returns at
 * once, and those workers are left running (they are what it started). At
 * the deadline, or when a stop is requested, the whole group is killed:
 * SIGTERM, a short grace, SIGKILL, then the command is reaped and the call
 * waits (briefly) until no process of the group is left (zombies do not
 * count: whoever inherited them may never reap them). A stop request cuts
 * the grace short, so that the caller ends within a second. A process that
 * moves itself out of the group (setsid, a daemon) is not followed. */
#ifndef HR_ACTUATORS_RUN_H
#define HR_ACTUATORS_RUN_H

#include <signal.h>
#include <stdbool.h>

#include "util/error.h"
#include "util/strbuf.h"

/** The grace between SIGTERM and SIGKILL at a deadline, and at a stop. */
#define RUN_GRACE_S 1.0
#define RUN_STOP_GRACE_S 0.25

/** What a run gave. */
struct run_result {
	int exit_code;   /**< the exit status, or 128 + the signal that ended it */
	double took_s;
};

/** How to run. */
struct run_opts {
	double timeout_s;                  /**< the group is killed past this */
	const volatile sig_atomic_t *stop; /**< when it becomes non-zero the group is killed; NULL: never */
	const char *pidfile;               /**< where the command is recorded while it runs; NULL: nowhere */
	double deadline_unix;              /**< written to the pid file: when a later process may kill it */
};

/**
 * Run argv[0] (searched on PATH when it has no '/') with argv.
 * @param argv NULL-terminated, borrowed.
 * @param out receives stdout (appended; at most its cap, the rest dropped).
 * @param err receives stderr the same way.
 * @return 0 when the command ran to its end (any exit status: see res);
 *         HR_E_NOTFOUND when it cannot be started; HR_E_IO when the pid file
 *         cannot be written (the command is then not run); HR_E_TIMEOUT when
 *         it ran past the timeout, -ECANCELED when a stop was requested (in
 *         both cases its group was killed and it was reaped; the pid file is
 *         removed once the command has ended).
 */
HR_NODISCARD int run_command(const char *const *argv, const struct run_opts *o, struct strbuf *out,
			     struct strbuf *err, struct run_result *res);

/** run_command() with a timeout and nothing else. */
HR_NODISCARD int run_argv(const char *const *argv, double timeout_s, struct strbuf *out, struct strbuf *err,
			  struct run_result *res);

/** A command recorded in a pid file by run_command(), possibly by an earlier process. */
struct run_record {
	long pid;                 /**< the command's pid, which is also its process group */
	unsigned long long start; /**< its start time, in clock ticks after boot (/proc/PID/stat) */
	char boot[40];            /**< the boot it ran in (/proc/sys/kernel/random/boot_id) */
	double deadline;          /**< Unix time past which it may be killed */
};

/**
 * Read a pid file.
 * @return 0; HR_E_NOTFOUND when there is none; HR_E_PROTOCOL when it does
 *         not hold a record (a truncated file: nothing to wait for).
 */
HR_NODISCARD int run_record_read(const char *path, struct run_record *r);

/** Is the recorded command still running (the same process, same boot, not a zombie)? */
bool run_record_alive(const struct run_record *r);

/**
 * Kill a recorded command's process group: SIGTERM, @p grace_s, SIGKILL,
 * then wait (at most a second) until no process of it is left; from a stop
 * request on, the grace is cut to RUN_STOP_GRACE_S and the wait to 0.2 s.
 * Nothing is sent when the recorded command is no longer running (its pid
 * may be someone else's now); only the command itself when it no longer
 * leads its group.
 * @param stop a stop request, or NULL.
 */
void run_record_kill(const struct run_record *r, double grace_s, const volatile sig_atomic_t *stop);

#endif
