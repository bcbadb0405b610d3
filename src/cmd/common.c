/* common.c - what every subcommand shares: --format, the config's search
 * order, usage errors, and writing a document out (see cmd.h). */
#include "cmd/cmd.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

static bool write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w, n -= (size_t)w;
	}
	return true;
}

int cmd_write(const char *cmd, const char *path, const char *text, size_t len, bool replace)
{
	if (!path || strcmp(path, "-") == 0) {
		fwrite(text, 1, len, stdout);
		return fflush(stdout) == 0 ? 0 : 1;
	}
	if (!replace) {
		/* A new file only: O_EXCL, so a file that appears meanwhile is kept too. */
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd < 0) {
			fprintf(stderr, "headroom %s: %s %s\n", cmd, path,
				errno == EEXIST ? "exists; use --force to replace it, or -o another file" : strerror(errno));
			return errno == EEXIST ? EXIT_BAD_INPUT : 1;
		}
		bool ok = write_all(fd, text, len);
		int err = errno;
		if (close(fd) != 0 || !ok) {
			fprintf(stderr, "headroom %s: cannot write %s: %s\n", cmd, path, strerror(ok ? errno : err));
			return 1;
		}
		return 0;
	}
	/* Through a temporary file renamed over the target: a reader never sees
	 * half a document, and a failed write leaves the old one. */
	char *tmp = xasprintf("%s.tmp%ld", path, (long)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	bool ok = fd >= 0 && write_all(fd, text, len);
	int err = errno;
	if (fd >= 0 && close(fd) != 0 && ok) {
		ok = false;
		err = errno;
	}
	if (ok && rename(tmp, path) != 0) {
		ok = false;
		err = errno;
	}
	if (!ok) {
		fprintf(stderr, "headroom %s: cannot write %s: %s\n", cmd, path, strerror(err ? err : EIO));
		if (fd >= 0)
			unlink(tmp);
	}
	free(tmp);
	return ok ? 0 : 1;
}
