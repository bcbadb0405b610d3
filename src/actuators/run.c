/* run.c - see run.h: fork with a start gate, the child in a process group of
 * its own, one poll loop that reads stdout and stderr until the child exits,
 * its deadline passes or a stop is requested; the group killed then. */
#include "actuators/run.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/clock.h"
#include "util/xalloc.h"

extern char **environ;

/* After SIGKILL, how long to wait for the group's last process to go. */
#define GONE_WAIT_S 1.0

/* Read what is there without blocking; drop bytes past the buffer's cap. */
static void drain(int fd, struct strbuf *sb, bool *open)
{
	char buf[4096];
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n > 0) {
			/* Past the cap: keep what fits, keep reading so the child never blocks. */
			size_t cap = sb->cap ? sb->cap : 64u << 20, room = sb->len < cap ? cap - sb->len : 0;
			int rc = room ? strbuf_append(sb, buf, (size_t)n < room ? (size_t)n : room) : 0;
			(void)rc; /* cannot fail: it fits */
			continue;
		}
		if (n == 0)
			*open = false;
		else if (errno == EINTR)
			continue;
		return;
	}
}

/* Close *fd unless it is already closed (-1), and mark it closed. */
static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* --- /proc: who is running --- */

/* What /proc/PID/stat says of a process. */
struct proc_stat {
	char state;               /* R, S, D, Z, ... */
	long pgrp;
	unsigned long long start; /* clock ticks after boot */
};

/* @return 0, or HR_E_NOTFOUND when there is no such process. */
static int proc_stat_read(long pid, struct proc_stat *ps)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return HR_E_NOTFOUND;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return HR_E_NOTFOUND;
	buf[n] = '\0';
	/* "PID (COMM) STATE PPID PGRP ...": COMM may hold ')' and spaces, the
	 * fields after the last ')' cannot. starttime is field 22. */
	char *p = strrchr(buf, ')');
	if (!p || p[1] != ' ' || !p[2])
		return HR_E_NOTFOUND;
	ps->state = p[2];
	p += 3;
	ps->pgrp = -1;
	ps->start = 0;
	for (int field = 4; field <= 22 && *p; field++) {
		while (*p == ' ')
			p++;
		char *end;
		unsigned long long v = strtoull(p, &end, 10);
		if (end == p && *p != '-')
			return HR_E_NOTFOUND;
		if (field == 5)
			ps->pgrp = (long)v;
		if (field == 22)
			ps->start = v;
		p = end == p ? p + 1 : end;
		while (*p && *p != ' ')
			p++;
	}
	return 0;
}

static bool running(const struct proc_stat *ps)
{
	return ps->state != 'Z' && ps->state != 'X' && ps->state != 'x';
}

/* Does any process of group @p pgid run (zombies do not count: whoever
 * inherited them may never reap them)? */
static bool group_alive(long pgid)
{
	DIR *d = opendir("/proc");
	if (!d)
		return kill((pid_t)-pgid, 0) == 0;
	bool alive = false;
	struct dirent *e;
	while (!alive && (e = readdir(d)) != NULL) {
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		struct proc_stat ps;
		if (proc_stat_read(strtol(e->d_name, NULL, 10), &ps) == 0 && ps.pgrp == pgid && running(&ps))
			alive = true;
	}
	closedir(d);
	return alive;
}

static bool stop_requested(const volatile sig_atomic_t *stop)
{
	return stop && *stop;
}

/* SIGTERM has been sent to group @p pgid: wait until none of it runs, at
 * most @p grace_s, cut to RUN_STOP_GRACE_S from a stop request on. */
static void wait_grace(long pgid, double grace_s, const volatile sig_atomic_t *stop)
{
	double end = clock_mono() + grace_s;
	while (group_alive(pgid)) {
		double t = clock_mono();
		if (stop_requested(stop) && end > t + RUN_STOP_GRACE_S)
			end = t + RUN_STOP_GRACE_S;
		if (t >= end)
			return;
		clock_sleep(0.01);
	}
}

/* SIGKILL has been sent to group @p pgid: wait until none of it runs (a
 * process in uninterruptible sleep dies when it wakes), at most a second,
 * or a fifth of one after a stop request. */
static void wait_group_gone(long pgid, const volatile sig_atomic_t *stop)
{
	double end = clock_mono() + (stop_requested(stop) ? 0.2 : GONE_WAIT_S);
	while (group_alive(pgid) && clock_mono() < end)
		clock_sleep(0.01);
}

/* This boot's id, or "" when the kernel does not say. */
static void boot_id(char *buf, size_t n)
{
	buf[0] = '\0';
	int fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	ssize_t r = read(fd, buf, n - 1);
	close(fd);
	buf[r > 0 ? r : 0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

/* --- the pid file --- */

/* Write the record atomically (a temporary file renamed over it). */
static int record_write(const char *path, pid_t pid, double deadline)
{
	struct proc_stat ps;
	if (proc_stat_read(pid, &ps) != 0)
		return HR_E_IO;
	char boot[40], line[160];
	boot_id(boot, sizeof(boot));
	int len = snprintf(line, sizeof(line), "%ld %llu %s %.3f\n", (long)pid, ps.start, boot[0] ? boot : "-",
			   deadline);
	char *tmp = xasprintf("%s.tmp", path);
	int rc = 0, fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, line, (size_t)len) != len) {
		rc = HR_E_IO;
		goto out;
	}
	if (close(fd) != 0 || rename(tmp, path) != 0)
		rc = HR_E_IO;
	fd = -1;
out:
	close_fd(&fd);
	if (rc)
		unlink(tmp);
	free(tmp);
	return rc;
}

int run_record_read(const char *path, struct run_record *r)
{
	char buf[256];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? HR_E_NOTFOUND : HR_E_PROTOCOL;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return HR_E_PROTOCOL;
	buf[n] = '\0';
	char *p = buf, *end;
	r->pid = strtol(p, &end, 10);
	if (end == p || *end != ' ' || r->pid <= 1)
		return HR_E_PROTOCOL;
	p = end + 1;
	r->start = strtoull(p, &end, 10);
	if (end == p || *end != ' ')
		return HR_E_PROTOCOL;
	p = end + 1;
	size_t len = strcspn(p, " ");
	if (!len || len >= sizeof(r->boot) || p[len] != ' ')
		return HR_E_PROTOCOL;
	memcpy(r->boot, p, len);
	r->boot[len] = '\0';
	p += len + 1;
	r->deadline = strtod(p, &end);
	if (end == p || *end != '\n' || !isfinite(r->deadline))
		return HR_E_PROTOCOL;
	return 0;
}

/* The recorded process, when it still runs. */
static bool record_proc(const struct run_record *r, struct proc_stat *ps)
{
	char boot[40];
	boot_id(boot, sizeof(boot));
	if (strcmp(boot[0] ? boot : "-", r->boot) != 0)
		return false;
	return proc_stat_read(r->pid, ps) == 0 && ps->start == r->start && running(ps);
}

bool run_record_alive(const struct run_record *r)
{
	struct proc_stat ps;
	return record_proc(r, &ps);
}

void run_record_kill(const struct run_record *r, double grace_s, const volatile sig_atomic_t *stop)
{
	struct proc_stat ps;
	if (!record_proc(r, &ps))
		return;
	if (ps.pgrp != r->pid) {
		/* It left its group: the group may be someone else's now. It alone. */
		kill((pid_t)r->pid, SIGTERM);
		double end = clock_mono() + grace_s;
		while (clock_mono() < end && !stop_requested(stop) && record_proc(r, &ps))
			clock_sleep(0.01);
		if (record_proc(r, &ps))
			kill((pid_t)r->pid, SIGKILL);
		return;
	}
	/* While it runs and leads the group, the group's id cannot be anyone else's. */
	kill((pid_t)-r->pid, SIGTERM);
	wait_grace(r->pid, grace_s, stop);
	kill((pid_t)-r->pid, SIGKILL);
	wait_group_gone(r->pid, stop);
}

/* --- running a command --- */

static bool executable(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* argv[0] as execvp would find it, found before the fork (the child may
 * not allocate). @return a new string, or NULL when there is none. */
static char *resolve(const char *name)
{
	if (!name[0])
		return NULL;
	if (strchr(name, '/'))
		return executable(name) ? xstrdup(name) : NULL;
	const char *path = getenv("PATH");
	if (!path || !path[0])
		path = "/usr/local/bin:/usr/bin:/bin";
	for (const char *p = path;;) {
		size_t n = strcspn(p, ":");
		/* An empty entry is the current directory. */
		char *cand = n ? xasprintf("%.*s/%s", (int)n, p, name) : xasprintf("./%s", name);
		if (executable(cand))
			return cand;
		free(cand);
		if (!p[n])
			return NULL;
		p += n + 1;
	}
}

/* The child, between fork and execve: only async-signal-safe calls (the
 * parent may have other threads, one of them holding malloc's lock). */
static void child(const char *path, const char *const *argv, const int gate[2], int out, int err)
{
	setpgid(0, 0);
	/* Only the parent may hold the gate's write end, or its death is no end of file. */
	close(gate[1]);
	/* Wait for the parent's go: end of file means it died first (or could
	 * not record us), and we must not run. */
	char go;
	ssize_t n;
	while ((n = read(gate[0], &go, 1)) < 0 && errno == EINTR)
		;
	if (n != 1)
		_exit(127);
	struct sigaction dfl;
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	for (int s = 1; s < NSIG; s++)
		sigaction(s, &dfl, NULL); /* the agent ignores SIGPIPE: the command must not */
	int nul = open("/dev/null", O_RDONLY);
	/* Above 2 first, so that no dup2 below overwrites another's source. */
	int a = nul >= 0 ? fcntl(nul, F_DUPFD, 3) : -1, b = fcntl(out, F_DUPFD, 3), c = fcntl(err, F_DUPFD, 3);
	if (a < 0 || b < 0 || c < 0 || dup2(a, 0) < 0 || dup2(b, 1) < 0 || dup2(c, 2) < 0)
		_exit(127);
	close_range(3, ~0U, 0);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execve(path, (char *const *)argv, environ);
	_exit(127);
}

/* Kill the group of @p pid (our child, not yet reaped: its pid, and so its
 * group's id, cannot be reused meanwhile), then reap it. */
static void kill_group(pid_t pid, double grace_s, const volatile sig_atomic_t *stop, int *status)
{
	kill(-pid, SIGTERM);
	wait_grace(pid, grace_s, stop);
	kill(-pid, SIGKILL);
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
	wait_group_gone(pid, stop);
}

/* Start argv through the gate. @return 0 with *pid set, or an error. */
static int start(const char *const *argv, const struct run_opts *o, int out, int err, pid_t *pid)
{
	char *path = resolve(argv[0]);
	if (!path)
		return HR_E_NOTFOUND;
	int gate[2] = {-1, -1}, rc = 0;
	if (pipe2(gate, O_CLOEXEC) != 0) {
		rc = -errno;
		goto out;
	}
	/* No signal handler of ours runs in the child before it resets them. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	*pid = fork();
	if (*pid == 0)
		child(path, argv, gate, out, err);
	int fork_errno = errno;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (*pid < 0) {
		rc = -fork_errno;
		goto out;
	}
	/* The group exists before anyone may signal it. */
	setpgid(*pid, *pid);
	close_fd(&gate[0]);
	if (o->pidfile && record_write(o->pidfile, *pid, o->deadline_unix) != 0) {
		rc = HR_E_IO;
		close_fd(&gate[1]); /* no go: it exits without running */
		while (waitpid(*pid, NULL, 0) < 0 && errno == EINTR)
			;
		goto out;
	}
	if (write(gate[1], "x", 1) != 1) {
		rc = HR_E_IO;
		kill(*pid, SIGKILL);
		while (waitpid(*pid, NULL, 0) < 0 && errno == EINTR)
			;
		if (o->pidfile)
			unlink(o->pidfile);
	}
out:
	close_fd(&gate[0]);
	close_fd(&gate[1]);
	free(path);
	return rc;
}

int run_command(const char *const *argv, const struct run_opts *o, struct strbuf *out, struct strbuf *err,
		struct run_result *res)
{
	res->exit_code = -1;
	res->took_s = 0;
	if (stop_requested(o->stop))
		return -ECANCELED;
	int po[2] = {-1, -1}, pe[2] = {-1, -1};
	int rc = 0;
	/* The child's ends block as usual; ours do not (one loop reads both). */
	if (pipe2(po, O_CLOEXEC) != 0 || pipe2(pe, O_CLOEXEC) != 0) {
		rc = -errno;
		goto out;
	}
	fcntl(po[0], F_SETFL, O_NONBLOCK);
	fcntl(pe[0], F_SETFL, O_NONBLOCK);
	double t0 = clock_mono();
	pid_t pid;
	rc = start(argv, o, po[1], pe[1], &pid);
	/* The child holds its own copies of the write ends: ours go now, so
	 * that the pipes reach end of file when it exits. */
	close_fd(&po[1]);
	close_fd(&pe[1]);
	if (rc)
		goto out;
	bool oo = true, eo = true;
	int status = 0;
	for (;;) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			/* Whatever the child wrote is in the pipes now; a grandchild
			 * holding them must not keep us here. */
			drain(po[0], out, &oo);
			drain(pe[0], err, &eo);
			break;
		}
		double left = t0 + o->timeout_s - clock_mono();
		if (left <= 0 || stop_requested(o->stop)) {
			rc = left <= 0 ? HR_E_TIMEOUT : -ECANCELED;
			kill_group(pid, left <= 0 ? RUN_GRACE_S : RUN_STOP_GRACE_S, o->stop, &status);
			break;
		}
		struct pollfd pf[2] = {{oo ? po[0] : -1, POLLIN, 0}, {eo ? pe[0] : -1, POLLIN, 0}};
		/* Wake up at least every 20 ms to see whether the child has exited. */
		int ms = left < 0.02 ? (int)ceil(left * 1000) : 20;
		if (poll(pf, 2, ms) > 0) {
			if (oo && pf[0].revents)
				drain(po[0], out, &oo);
			if (eo && pf[1].revents)
				drain(pe[0], err, &eo);
		}
	}
	/* It has ended (and, killed, so has its group): the record goes. */
	if (o->pidfile)
		unlink(o->pidfile);
	res->took_s = clock_mono() - t0;
	if (!rc)
		res->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
out:
	close_fd(&po[0]);
	close_fd(&po[1]);
	close_fd(&pe[0]);
	close_fd(&pe[1]);
	return rc;
}

int run_argv(const char *const *argv, double timeout_s, struct strbuf *out, struct strbuf *err,
	     struct run_result *res)
{
	struct run_opts o = {.timeout_s = timeout_s};
	return run_command(argv, &o, out, err, res);
}
