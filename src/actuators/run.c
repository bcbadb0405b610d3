/* run.c - see run.h: posix_spawn with two pipes, one poll loop that reads
 * stdout and stderr until the child exits or the deadline kills it. */
#include "actuators/run.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/clock.h"

extern char **environ;

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

int run_argv(const char *const *argv, double timeout_s, struct strbuf *out, struct strbuf *err,
	     struct run_result *res)
{
	res->exit_code = -1;
	res->took_s = 0;
	int po[2] = {-1, -1}, pe[2] = {-1, -1};
	int rc = 0;
	/* The child's ends block as usual; ours do not (one loop reads both). */
	if (pipe2(po, O_CLOEXEC) != 0 || pipe2(pe, O_CLOEXEC) != 0) {
		rc = -errno;
		goto out;
	}
	fcntl(po[0], F_SETFL, O_NONBLOCK);
	fcntl(pe[0], F_SETFL, O_NONBLOCK);
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, po[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	posix_spawnattr_t at;
	posix_spawnattr_init(&at);
	/* The child starts with default signal handling (the agent ignores SIGPIPE). */
	sigset_t all;
	sigfillset(&all);
	posix_spawnattr_setsigdefault(&at, &all);
	sigset_t none;
	sigemptyset(&none);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
	double t0 = clock_mono();
	pid_t pid;
	int sp = posix_spawnp(&pid, argv[0], &fa, &at, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	/* The child holds its own copies of the write ends: ours go now, so
	 * that the pipes reach end of file when it exits. */
	close_fd(&po[1]);
	close_fd(&pe[1]);
	if (sp != 0) {
		rc = sp == ENOENT || sp == EACCES ? HR_E_NOTFOUND : -sp;
		goto out;
	}
	bool oo = true, eo = true, exited = false, timed_out = false;
	int status = 0;
	for (;;) {
		if (!exited) {
			pid_t w = waitpid(pid, &status, WNOHANG);
			if (w == pid)
				exited = true;
		}
		if (exited) {
			/* Whatever the child wrote is in the pipes now; a grandchild
			 * holding them must not keep us here. */
			drain(po[0], out, &oo);
			drain(pe[0], err, &eo);
			break;
		}
		double left = t0 + timeout_s - clock_mono();
		if (left <= 0) {
			timed_out = true;
			kill(pid, SIGKILL);
			(void)waitpid(pid, &status, 0);
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
	res->took_s = clock_mono() - t0;
	if (timed_out)
		rc = HR_E_TIMEOUT;
	else
		res->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
out:
	close_fd(&po[0]);
	close_fd(&po[1]);
	close_fd(&pe[0]);
	close_fd(&pe[1]);
	return rc;
}
