/* common.c - what every subcommand shares: --format, the config's search
 * order, usage errors, and writing a document out (see cmd.h).
 *
 * The writer behind every -o decides by what the path names (README,
 * "Output files"): a regular file or a missing name gets a new file renamed
 * over it, so a reader never sees half a document; a FIFO or a character
 * device is opened and written in place, like a shell's redirection, since
 * renaming over it would replace the node (a root `-o /dev/null` left a
 * regular file in /dev); a symbolic link is followed and its target gets
 * the same rule; anything else is refused. */
#include "cmd/cmd.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/clock.h"
#include "util/error.h"
#include "util/xalloc.h"

int cmd_parse_format(const char *cmd, const char *value, unsigned allowed, enum out_format *out)
{
	static const char *names[] = {"text", "json", "md", "html"};
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(value, names[i]) == 0 && (allowed & (1u << i))) {
			*out = (enum out_format)i;
			return 0;
		}
	}
	fprintf(stderr, "headroom %s: unknown --format '%s'; expected", cmd, value);
	const char *sep = " ";
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (allowed & (1u << i)) {
			fprintf(stderr, "%s%s", sep, names[i]);
			sep = ", ";
		}
	}
	fputc('\n', stderr);
	return HR_E_INVALID;
}

/* The search order the README and `headroom --help` give: the working
 * folder (a project's own file), the user's XDG config folder, then the
 * host's /etc (the packaged agent's). The first that exists wins. */
const char *cmd_config_path(const char *flag)
{
	static char found[PATH_MAX];
	if (flag)
		return flag;
	if (access("headroom.yaml", F_OK) == 0)
		return "headroom.yaml";
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	int n = -1;
	/* The XDG spec: a relative path in an XDG variable is invalid and ignored. */
	if (xdg && xdg[0] == '/')
		n = snprintf(found, sizeof(found), "%s/headroom/headroom.yaml", xdg);
	else if (home && home[0] == '/')
		n = snprintf(found, sizeof(found), "%s/.config/headroom/headroom.yaml", home);
	if (n > 0 && (size_t)n < sizeof(found) && access(found, F_OK) == 0)
		return found;
	if (access(CMD_SYSTEM_CONFIG, F_OK) == 0)
		return CMD_SYSTEM_CONFIG;
	return "headroom.yaml";
}

int cmd_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "headroom %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see 'headroom %s --help')\n", cmd);
	return EXIT_BAD_INPUT;
}

/* How long a FIFO's writer waits for a reader to open it, and then for the
 * reader to take more: a shell would wait forever, a command run from cron
 * must not. */
#define FIFO_WAIT_S 10

/* Write all of p to fd. A descriptor opened O_NONBLOCK (a FIFO) that takes
 * nothing for wait_s seconds ends it: a reader that stopped reading must not
 * hold the command forever.
 * @return 0, -ETIMEDOUT or a negative errno. */
static int write_all(int fd, const char *p, size_t n, double wait_s)
{
	double last = clock_mono();
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w > 0) {
			p += w, n -= (size_t)w;
			last = clock_mono();
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			double left = last + wait_s - clock_mono();
			if (left <= 0)
				return -ETIMEDOUT;
			struct pollfd pfd = {.fd = fd, .events = POLLOUT};
			if (poll(&pfd, 1, (int)(left * 1000) + 1) < 0 && errno != EINTR)
				return -errno;
			continue;
		}
		return w < 0 ? -errno : -EIO;
	}
	return 0;
}

/* "headroom CMD: cannot write PATH: why"; @return EXIT_BAD_INPUT. */
static int write_failed(const char *cmd, const char *path, int err)
{
	if (err == -ETIMEDOUT)
		fprintf(stderr, "headroom %s: cannot write %s: its reader took nothing for %d s\n", cmd, path, FIFO_WAIT_S);
	else
		fprintf(stderr, "headroom %s: cannot write %s: %s\n", cmd, path, strerror(err < 0 ? -err : EIO));
	return EXIT_BAD_INPUT;
}

static const char *type_name(mode_t m)
{
	return S_ISDIR(m) ? "a directory" : S_ISSOCK(m) ? "a socket" : S_ISBLK(m) ? "a block device" : "not a file";
}

/* What -o refuses: one line naming the path and what it is. */
static int refuse(const char *cmd, const char *path, mode_t m)
{
	fprintf(stderr,
		"headroom %s: %s is %s; -o takes a regular file (or a new name), a FIFO, a character device or - for "
		"standard output\n",
		cmd, path, type_name(m));
	return EXIT_BAD_INPUT;
}

/* The name @p path's symbolic links end at: a link's target is taken
 * against the link's own folder, never shortened by hand (a ".." after a
 * linked folder then means what it means to open()). @p path itself when it
 * is not a link or does not exist.
 * @return a new string, or NULL with errno set (ELOOP past 40 links). */
static char *follow_links(const char *path)
{
	char *cur = xstrdup(path);
	char buf[PATH_MAX];
	for (int hops = 0;; hops++) {
		struct stat st;
		if (lstat(cur, &st) != 0 || !S_ISLNK(st.st_mode))
			return cur;
		ssize_t n = hops < 40 ? readlink(cur, buf, sizeof(buf) - 1) : -1;
		if (n < 0) {
			int err = hops < 40 ? errno : ELOOP;
			free(cur);
			errno = err;
			return NULL;
		}
		buf[n] = 0;
		const char *slash = strrchr(cur, '/');
		char *next = buf[0] == '/' || !slash ? xstrdup(buf) : xasprintf("%.*s/%s", (int)(slash - cur), cur, buf);
		free(cur);
		cur = next;
	}
}

/* A name for the temporary file beside @p target, created O_EXCL (so it is
 * never a link someone planted) with mode 0644 less the umask.
 * @return the descriptor and *tmp set, or a negative errno. */
static int open_temp(const char *target, char **tmp)
{
	for (unsigned i = 0; i < 100; i++) {
		*tmp = i ? xasprintf("%s.tmp%ld.%u", target, (long)getpid(), i) : xasprintf("%s.tmp%ld", target, (long)getpid());
		int fd = open(*tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd >= 0)
			return fd;
		int err = errno;
		free(*tmp);
		*tmp = NULL;
		if (err != EEXIST)
			return -err;
	}
	return -EEXIST;
}

/* A regular file or a new name (through its links, when @p path is one):
 * a temporary file beside the target renamed over it, so a reader never
 * sees half a document and a failed write leaves the old one. A file that
 * existed (@p old) keeps its mode, and its owner where we may give it. */
static int write_renamed(const char *cmd, const char *path, const struct stat *old, const char *text, size_t len)
{
	int rc = 0, fd = -1;
	char *tmp = NULL, *target = follow_links(path);
	struct stat st;
	if (!target) {
		rc = -errno;
		goto out;
	}
	/* A /proc link names what it points at in words of its own
	 * ("... (deleted)"): the name found must be the file stat() found. */
	if (old && (lstat(target, &st) != 0 || st.st_dev != old->st_dev || st.st_ino != old->st_ino)) {
		rc = -ENOENT;
		goto out;
	}
	fd = open_temp(target, &tmp);
	if (fd < 0) {
		rc = fd;
		goto out;
	}
	if (old) {
		/* The owner first: fchown() may clear set-id bits that fchmod() then
		 * restores. Giving a file away is root's alone; as another user the
		 * new file is ours, as a shell's would be, and that is not an error. */
		if (fchown(fd, old->st_uid, old->st_gid) != 0 && errno != EPERM) {
			rc = -errno;
			goto out;
		}
		if (fchmod(fd, old->st_mode & 07777) != 0) {
			rc = -errno;
			goto out;
		}
	}
	rc = write_all(fd, text, len, 0);
	if (close(fd) != 0 && rc == 0)
		rc = -errno;
	fd = -1;
	if (rc == 0 && rename(tmp, target) != 0)
		rc = -errno;
out:
	if (fd >= 0)
		close(fd);
	if (rc && tmp)
		unlink(tmp);
	free(tmp);
	free(target);
	return rc ? write_failed(cmd, path, rc) : 0;
}

/* A FIFO's writer opened O_NONBLOCK fails with ENXIO until a reader opens
 * it: retry for FIFO_WAIT_S seconds rather than block forever (a shell
 * would) or fail at once (a reader started a moment later is the usual
 * case). @return the descriptor or a negative errno, -ETIMEDOUT at the end. */
static int open_fifo(const char *path)
{
	double end = clock_mono() + FIFO_WAIT_S;
	for (;;) {
		int fd = open(path, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
		if (fd >= 0)
			return fd;
		if (errno != ENXIO && errno != EINTR)
			return -errno;
		if (clock_mono() >= end)
			return -ETIMEDOUT;
		clock_sleep(0.02);
	}
}

/* A FIFO or a character device (@p st, what stat() found): opened without
 * O_CREAT or O_TRUNC and written in place. A reader that goes away is a
 * write error (EPIPE), not a silent death by SIGPIPE. */
static int write_in_place(const char *cmd, const char *path, const struct stat *st, const char *text, size_t len)
{
	bool fifo = S_ISFIFO(st->st_mode);
	int fd = fifo ? open_fifo(path) : open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
	if (fd == -ETIMEDOUT) {
		fprintf(stderr, "headroom %s: cannot write %s: no reader opened the FIFO within %d s\n", cmd, path,
			FIFO_WAIT_S);
		return EXIT_BAD_INPUT;
	}
	if (fd < 0)
		return write_failed(cmd, path, fifo ? fd : -errno);
	/* The node may have been swapped between stat() and open(): what was
	 * opened is checked, and nothing was created or truncated meanwhile. */
	struct stat now;
	if (fstat(fd, &now) != 0 || (now.st_mode & S_IFMT) != (st->st_mode & S_IFMT)) {
		close(fd);
		fprintf(stderr, "headroom %s: cannot write %s: it changed while being opened\n", cmd, path);
		return EXIT_BAD_INPUT;
	}
	struct sigaction ign = {.sa_handler = SIG_IGN}, old;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGPIPE, &ign, &old);
	int rc = write_all(fd, text, len, FIFO_WAIT_S);
	sigaction(SIGPIPE, &old, NULL);
	if (close(fd) != 0 && rc == 0)
		rc = -errno;
	return rc ? write_failed(cmd, path, rc) : 0;
}

/* Without --force: a new file only, O_EXCL, so a file (or a link, even one
 * to nothing) that appears meanwhile is kept too. */
static int write_exclusive(const char *cmd, const char *path, const char *text, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		if (errno == EEXIST) {
			fprintf(stderr, "headroom %s: %s exists; use --force to replace it, or -o another file\n", cmd, path);
			return EXIT_BAD_INPUT;
		}
		return write_failed(cmd, path, -errno);
	}
	int rc = write_all(fd, text, len, 0);
	if (close(fd) != 0 && rc == 0)
		rc = -errno;
	return rc ? write_failed(cmd, path, rc) : 0;
}

bool cmd_output_is_file(const char *path)
{
	struct stat st;
	if (!path || strcmp(path, "-") == 0)
		return false;
	if (stat(path, &st) != 0)
		return errno == ENOENT;
	return S_ISREG(st.st_mode);
}

int cmd_write(const char *cmd, const char *path, const char *text, size_t len, bool replace)
{
	if (!path || strcmp(path, "-") == 0) {
		fwrite(text, 1, len, stdout);
		return fflush(stdout) == 0 ? 0 : 1;
	}
	if (!*path) {
		fprintf(stderr, "headroom %s: -o: expected a file name, - for standard output\n", cmd);
		return EXIT_BAD_INPUT;
	}
	struct stat st;
	if (stat(path, &st) != 0) {
		/* A name that is not there (or a link to one): created. */
		if (errno != ENOENT)
			return write_failed(cmd, path, -errno);
		return replace ? write_renamed(cmd, path, NULL, text, len) : write_exclusive(cmd, path, text, len);
	}
	if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode))
		return write_in_place(cmd, path, &st, text, len);
	if (!S_ISREG(st.st_mode))
		return refuse(cmd, path, st.st_mode);
	if (!replace)
		return write_exclusive(cmd, path, text, len);
	return write_renamed(cmd, path, &st, text, len);
}
