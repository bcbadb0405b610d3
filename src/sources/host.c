/* host.c - this machine's vCPUs, memory and disk from /proc and statvfs,
 * for `headroom init` (see host.h). */
#include "sources/host.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "sources/local.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

int host_parse_cpuinfo(const char *text, size_t len, unsigned *n)
{
	unsigned count = 0;
	const char *p = text, *end = text + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t ll = nl ? (size_t)(nl - p) : (size_t)(end - p);
		/* "processor\t: 3" on x86 and arm64 alike (the kernel's
		 * arch/x86/kernel/cpu/proc.c and arch/arm64/kernel/cpuinfo.c). */
		if (ll >= 9 && memcmp(p, "processor", 9) == 0) {
			const char *q = p + 9;
			while (q < p + ll && (*q == ' ' || *q == '\t'))
				q++;
			if (q < p + ll && *q == ':')
				count++;
		}
		p = nl ? nl + 1 : end;
	}
	if (!count)
		return HR_E_PROTOCOL;
	*n = count;
	return 0;
}

static int read_under(const char *root, const char *rel, struct strbuf *sb)
{
	char *path = xasprintf("%s%s", strcmp(root, "/") == 0 ? "" : root, rel);
	FILE *fp = fopen(path, "r");
	free(path);
	if (!fp)
		return -errno;
	strbuf_reset(sb);
	char buf[4096];
	size_t got;
	int rc = 0;
	while ((got = fread(buf, 1, sizeof(buf), fp)) > 0)
		if ((rc = strbuf_append(sb, buf, got)))
			break;
	if (!rc && ferror(fp))
		rc = HR_E_IO;
	fclose(fp);
	return rc;
}

int host_probe(const char *root, struct host_facts *out, struct diag *d)
{
	memset(out, 0, sizeof(*out));
	struct strbuf sb;
	strbuf_init(&sb, LOCAL_FILE_MAX);
	unsigned n = 0;
	int rc = read_under(root, "/proc/cpuinfo", &sb);
	if (rc == 0 && host_parse_cpuinfo(sb.buf ? sb.buf : "", sb.len, &n) == 0) {
		out->vcpu = n;
	} else if (strcmp(root, "/") == 0) {
		long c = sysconf(_SC_NPROCESSORS_ONLN);
		if (c > 0)
			out->vcpu = (double)c;
	}
	struct meminfo mi;
	if (read_under(root, "/proc/meminfo", &sb) == 0 && local_parse_meminfo(sb.buf ? sb.buf : "", sb.len, &mi) == 0)
		out->memory_b = mi.total;
	strbuf_free(&sb);
	if (out->vcpu <= 0 || out->memory_b <= 0) {
		diag_error(d, "cannot read this machine's %s under %s/proc", out->vcpu <= 0 ? "processor count" : "memory",
			   strcmp(root, "/") == 0 ? "" : root);
		return HR_E_IO;
	}
	struct statvfs vfs;
	if (statvfs(root, &vfs) == 0)
		out->disk_b = (double)vfs.f_blocks * (double)vfs.f_frsize;
	else
		diag_warn(d, "cannot read the size of the disk at %s: %s", root, strerror(errno));
	return 0;
}
