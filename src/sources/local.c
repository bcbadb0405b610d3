/* local.c - the embedded default source: this machine's /proc, statvfs and
 * cgroup v2, no server needed.
 *
 * CPU figures are deltas between two readings, so the state keeps the last
 * /proc/stat (and cgroup cpu.stat) reading; open() takes the first one and
 * source_ops.warmup_s tells a one-shot caller how long to wait before the
 * second. Counters that only make sense as rates (network bytes) become rates
 * from the second sample on. */
#include "sources/local.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "sources/backends.h"
#include "sources/source.h"
#include "util/clock.h"
#include "util/xalloc.h"

/* ---- parsing helpers: a cursor over NUL-terminated text, bounded by end ---- */

static const char *skip_blank(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/* An unsigned decimal; false when there is none or it overflows. */
static bool next_u64(const char **pp, const char *end, unsigned long long *out)
{
	const char *p = skip_blank(*pp, end);
	if (p >= end || !isdigit((unsigned char)*p))
		return false;
	unsigned long long v = 0;
	while (p < end && isdigit((unsigned char)*p)) {
		unsigned d = (unsigned)(*p - '0');
		if (v > (~0ULL - d) / 10)
			return false;
		v = v * 10 + d;
		p++;
	}
	*pp = p;
	*out = v;
	return true;
}

/* A non-negative decimal with an optional fraction ("0.25"), as /proc prints them. */
static bool next_decimal(const char **pp, const char *end, double *out)
{
	unsigned long long ip;
	const char *p = *pp;
	if (!next_u64(&p, end, &ip))
		return false;
	double v = (double)ip;
	if (p < end && *p == '.') {
		p++;
		/* Digits as one integer over a power of ten: one rounding, so
		 * "0.75" is exactly 0.75 (summing 0.7 + 0.05 is not). */
		unsigned long long frac = 0, scale = 1;
		while (p < end && isdigit((unsigned char)*p)) {
			if (scale < 1000000000000000ULL) {
				frac = frac * 10 + (unsigned)(*p - '0');
				scale *= 10;
			}
			p++;
		}
		v += (double)frac / (double)scale;
	}
	*pp = p;
	*out = v;
	return true;
}

static const char *next_line(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	return nl ? nl + 1 : end;
}

/* ---- parsers ---- */

int local_parse_stat(const char *text, size_t len, struct cpu_times *out)
{
	const char *p = text, *end = text + len;
	bool found = false;
	struct cpu_times c = {0};
	for (; p < end; p = next_line(p, end)) {
		size_t rest = (size_t)(end - p);
		if (rest > 4 && memcmp(p, "cpu ", 4) == 0) {
			const char *q = p + 4;
			unsigned long long f[8] = {0};
			int got = 0;
			while (got < 8 && next_u64(&q, end, &f[got]))
				got++;
			/* user nice system idle are in every kernel; the rest since 2.6.x. */
			if (got < 4)
				return HR_E_PROTOCOL;
			c.user = f[0], c.nice = f[1], c.system = f[2], c.idle = f[3];
			c.iowait = f[4], c.irq = f[5], c.softirq = f[6], c.steal = f[7];
			found = true;
		} else if (rest > 3 && memcmp(p, "cpu", 3) == 0 && isdigit((unsigned char)p[3])) {
			c.ncpu++;
		}
	}
	if (!found)
		return HR_E_PROTOCOL;
	if (c.ncpu == 0)
		c.ncpu = 1;
	*out = c;
	return 0;
}

static unsigned long long cpu_total(const struct cpu_times *c)
{
	return c->user + c->nice + c->system + c->idle + c->iowait + c->irq + c->softirq + c->steal;
}

double local_cpu_busy(const struct cpu_times *a, const struct cpu_times *b)
{
	unsigned long long ta = cpu_total(a), tb = cpu_total(b);
	unsigned long long ia = a->idle + a->iowait, ib = b->idle + b->iowait;
	if (tb <= ta || ib < ia)
		return NAN;
	double total = (double)(tb - ta), idle = (double)(ib - ia);
	if (idle > total)
		return NAN;
	return (total - idle) / total;
}

int local_parse_meminfo(const char *text, size_t len, struct meminfo *out)
{
	static const char *const keys[] = {"MemTotal:", "MemAvailable:", "MemFree:", "Buffers:",
					   "Cached:", "SwapTotal:", "SwapFree:"};
	double v[7];
	bool have[7] = {false};
	const char *p = text, *end = text + len;
	for (; p < end; p = next_line(p, end)) {
		for (size_t k = 0; k < 7; k++) {
			size_t kl = strlen(keys[k]);
			if ((size_t)(end - p) <= kl || memcmp(p, keys[k], kl) != 0)
				continue;
			const char *q = p + kl;
			unsigned long long kb;
			if (!next_u64(&q, end, &kb))
				return HR_E_PROTOCOL;
			/* The kernel prints every value in kB (fs/proc/meminfo.c). */
			v[k] = (double)kb * 1024.0;
			have[k] = true;
		}
	}
	if (!have[0] || v[0] <= 0)
		return HR_E_PROTOCOL;
	out->total = v[0];
	if (have[1])
		out->available = v[1];
	else
		out->available = (have[2] ? v[2] : 0) + (have[3] ? v[3] : 0) + (have[4] ? v[4] : 0);
	if (out->available > out->total)
		out->available = out->total;
	out->swap_total = have[5] ? v[5] : 0;
	out->swap_free = have[6] ? v[6] : 0;
	if (out->swap_free > out->swap_total)
		out->swap_free = out->swap_total;
	return 0;
}

int local_parse_loadavg(const char *text, size_t len, double load[3])
{
	const char *p = text, *end = text + len;
	double l[3];
	for (int i = 0; i < 3; i++) {
		p = skip_blank(p, end);
		if (!next_decimal(&p, end, &l[i]))
			return HR_E_PROTOCOL;
	}
	memcpy(load, l, sizeof(l));
	return 0;
}

int local_parse_netdev(const char *text, size_t len, double *rx, double *tx)
{
	const char *p = text, *end = text + len;
	double r = 0, t = 0;
	for (; p < end; p = next_line(p, end)) {
		const char *le = memchr(p, '\n', (size_t)(end - p));
		if (!le)
			le = end;
		const char *colon = memchr(p, ':', (size_t)(le - p));
		if (!colon)
			continue; /* the two header lines */
		const char *name = skip_blank(p, colon);
		if (colon - name == 2 && memcmp(name, "lo", 2) == 0)
			continue;
		/* rx: bytes packets errs drop fifo frame compressed multicast; tx: bytes ... */
		unsigned long long f[9];
		const char *q = colon + 1;
		for (int i = 0; i < 9; i++)
			if (!next_u64(&q, le, &f[i]))
				return HR_E_PROTOCOL;
		r += (double)f[0];
		t += (double)f[8];
	}
	*rx = r;
	*tx = t;
	return 0;
}

int local_parse_cgroup_cpu(const char *text, size_t len, double *usage_usec)
{
	const char *p = text, *end = text + len;
	for (; p < end; p = next_line(p, end)) {
		if ((size_t)(end - p) > 11 && memcmp(p, "usage_usec ", 11) == 0) {
			const char *q = p + 11;
			unsigned long long v;
			if (!next_u64(&q, end, &v))
				return HR_E_PROTOCOL;
			*usage_usec = (double)v;
			return 0;
		}
	}
	return HR_E_PROTOCOL;
}

int local_parse_cgroup_value(const char *text, size_t len, double *out)
{
	const char *p = skip_blank(text, text + len), *end = text + len;
	if ((size_t)(end - p) >= 3 && memcmp(p, "max", 3) == 0) {
		*out = INFINITY;
		return 0;
	}
	unsigned long long v;
	if (!next_u64(&p, end, &v))
		return HR_E_PROTOCOL;
	*out = (double)v;
	return 0;
}

int local_parse_cpu_max(const char *text, size_t len, double *cores)
{
	const char *p = skip_blank(text, text + len), *end = text + len;
	unsigned long long quota, period;
	bool unlimited = false;
	if ((size_t)(end - p) >= 3 && memcmp(p, "max", 3) == 0) {
		unlimited = true;
		p += 3;
	} else if (!next_u64(&p, end, &quota)) {
		return HR_E_PROTOCOL;
	}
	if (!next_u64(&p, end, &period) || period == 0)
		return HR_E_PROTOCOL;
	*cores = unlimited ? INFINITY : (double)quota / (double)period;
	return 0;
}

/* ---- the source ---- */

struct local {
	char *root;        /* "" for "/", else a directory without a trailing slash */
	char **mounts;     /* borrowed from the config */
	size_t n_mounts;
	char *cgroup_dir;  /* resolved cgroup directory, or NULL */
	char *cgroup_name; /* as configured, for the label */
	struct cpu_times cpu;
	bool have_cpu;
	double cg_usage, cg_when;
	bool have_cg;
	double rx, tx, net_when;
	bool have_net;
	struct strbuf buf;
};


/* Read ROOT/REL into l->buf (capped). 0, or -errno / HR_E_TOO_LARGE. */
static int read_file(struct local *l, const char *rel)
{
	char *path = xasprintf("%s%s", l->root, rel);
	strbuf_reset(&l->buf);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	free(path);
	if (fd < 0)
		return -errno;
	char chunk[8192];
	int rc = 0;
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			break;
		}
		if (n == 0)
			break;
		rc = strbuf_append(&l->buf, chunk, (size_t)n);
		if (rc)
			break;
	}
	close(fd);
	return rc;
}

static bool is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Look for a container's scope under the cgroup tree: docker-ID.scope,
 * libpod-ID.scope or cri-containerd-ID.scope where ID starts with name.
 * Depth and entries are bounded: a host has a few thousand cgroups at most. */
static char *find_scope(const char *dir, const char *name, int depth, unsigned *budget)
{
	if (depth > 4)
		return NULL;
	DIR *dp = opendir(dir);
	if (!dp)
		return NULL;
	char *found = NULL;
	struct dirent *e;
	static const char *const prefixes[] = {"docker-", "libpod-", "cri-containerd-"};
	while (!found && (e = readdir(dp)) && (*budget)-- > 0) {
		if (e->d_name[0] == '.' || e->d_type != DT_DIR)
			continue;
		for (size_t i = 0; i < 3 && !found; i++) {
			size_t pl = strlen(prefixes[i]);
			if (strncmp(e->d_name, prefixes[i], pl) == 0 &&
			    strncmp(e->d_name + pl, name, strlen(name)) == 0)
				found = xasprintf("%s/%s", dir, e->d_name);
		}
		if (!found && strcmp(e->d_name, name) == 0)
			found = xasprintf("%s/%s", dir, e->d_name);
		if (!found) {
			char *sub = xasprintf("%s/%s", dir, e->d_name);
			found = find_scope(sub, name, depth + 1, budget);
			free(sub);
		}
	}
	closedir(dp);
	return found;
}

static char *resolve_cgroup(const char *root, const char *name)
{
	char *base = xasprintf("%s/sys/fs/cgroup", root);
	char *found = xasprintf("%s/%s", base, name[0] == '/' ? name + 1 : name);
	if (is_dir(found))
		goto out;
	free(found);
	unsigned budget = 20000;
	found = strchr(name, '/') ? NULL : find_scope(base, name, 0, &budget);
out:
	free(base);
	return found;
}

int local_open_at(const char *root, const struct source_config *cfg, struct diag *d, void **state)
{
	struct local *l = xcalloc(1, sizeof(*l));
	size_t rl = strlen(root);
	while (rl > 0 && root[rl - 1] == '/')
		rl--;
	l->root = xstrndup(root, rl);
	l->mounts = cfg->mounts;
	l->n_mounts = cfg->n_mounts;
	strbuf_init(&l->buf, LOCAL_FILE_MAX);
	if (cfg->cgroup) {
		l->cgroup_dir = resolve_cgroup(l->root, cfg->cgroup);
		if (!l->cgroup_dir) {
			diag_error(d, "metrics source '%s': no cgroup '%s' under %s/sys/fs/cgroup "
				   "(give a path such as system.slice/docker-ID.scope, or a container ID)",
				   cfg->name ? cfg->name : "local", cfg->cgroup, l->root);
			source_local_ops.close(l);
			return HR_E_INVALID;
		}
		l->cgroup_name = xstrdup(cfg->cgroup);
	}
	/* The first CPU reading, so that a sample warmup_s later has a delta. */
	if (read_file(l, "/proc/stat") == 0 &&
	    local_parse_stat(l->buf.buf, l->buf.len, &l->cpu) == 0)
		l->have_cpu = true;
	if (l->cgroup_dir) {
		char *rel = xasprintf("%s/cpu.stat", l->cgroup_dir + rl);
		if (read_file(l, rel) == 0 &&
		    local_parse_cgroup_cpu(l->buf.buf, l->buf.len, &l->cg_usage) == 0) {
			l->cg_when = clock_mono();
			l->have_cg = true;
		}
		free(rel);
	}
	*state = l;
	return 0;
}

static int local_open(const struct source_config *cfg, struct diag *d, void **state)
{
	return local_open_at("/", cfg, d, state);
}

static int sample_cpu(struct local *l, const char *src, struct sample_set *out, struct strbuf *err)
{
	int rc = read_file(l, "/proc/stat");
	if (rc) {
		source_error(err, "cannot read %s/proc/stat: %s", l->root, hr_strerror(rc));
		return rc;
	}
	struct cpu_times now;
	if (local_parse_stat(l->buf.buf, l->buf.len, &now)) {
		source_error(err, "%s/proc/stat: no 'cpu' line with 4 counters", l->root);
		return HR_E_PROTOCOL;
	}
	if (l->have_cpu) {
		double busy = local_cpu_busy(&l->cpu, &now);
		if (!isnan(busy)) {
			unsigned long long dt = cpu_total(&now) - cpu_total(&l->cpu);
			sample_set_add(out, src, "cpu.utilization", busy);
			/* iowait can go down between reads (proc(5) calls it "not
			 * reliable"), and a counter going back has no ratio: leave it
			 * out rather than let the unsigned difference wrap. */
			if (now.iowait >= l->cpu.iowait)
				sample_set_add(out, src, "cpu.iowait_ratio",
					       (double)(now.iowait - l->cpu.iowait) / (double)dt);
			if (now.steal >= l->cpu.steal)
				sample_set_add(out, src, "cpu.steal_ratio", (double)(now.steal - l->cpu.steal) / (double)dt);
		}
	}
	sample_set_add(out, src, "cpu.cores", now.ncpu);
	l->cpu = now;
	l->have_cpu = true;
	return 0;
}

static int sample_memory(struct local *l, const char *src, struct sample_set *out, struct strbuf *err,
			 unsigned ncpu)
{
	int rc = read_file(l, "/proc/meminfo");
	struct meminfo mi;
	if (rc || local_parse_meminfo(l->buf.buf, l->buf.len, &mi)) {
		source_error(err, "cannot read MemTotal from %s/proc/meminfo", l->root);
		return rc ? rc : HR_E_PROTOCOL;
	}
	sample_set_add(out, src, "memory.total_bytes", mi.total);
	sample_set_add(out, src, "memory.available_bytes", mi.available);
	sample_set_add(out, src, "memory.used_ratio", 1.0 - mi.available / mi.total);
	sample_set_add(out, src, "memory.swap_used_ratio",
		       mi.swap_total > 0 ? 1.0 - mi.swap_free / mi.swap_total : NAN);

	double load[3];
	rc = read_file(l, "/proc/loadavg");
	if (rc || local_parse_loadavg(l->buf.buf, l->buf.len, load)) {
		source_error(err, "cannot read %s/proc/loadavg", l->root);
		return rc ? rc : HR_E_PROTOCOL;
	}
	sample_set_add(out, src, "load.1", load[0]);
	sample_set_add(out, src, "load.5", load[1]);
	sample_set_add(out, src, "load.15", load[2]);
	sample_set_add(out, src, "load.per_cpu", load[0] / (ncpu ? ncpu : 1));
	return 0;
}

static int sample_disks(struct local *l, const char *src, struct sample_set *out, struct strbuf *err)
{
	static char *root_only[] = {"/"};
	char **mounts = l->n_mounts ? l->mounts : root_only;
	size_t n = l->n_mounts ? l->n_mounts : 1;
	for (size_t i = 0; i < n; i++) {
		char *path = xasprintf("%s%s", l->root, mounts[i]);
		struct statvfs vfs;
		int rc = statvfs(path[0] ? path : "/", &vfs);
		free(path);
		if (rc != 0) {
			source_error(err, "statvfs %s: %s", mounts[i], hr_strerror(-errno));
			return HR_E_IO;
		}
		/* As df(1) computes Use%: used / (used + available to non-root). */
		double bs = (double)vfs.f_frsize;
		double used = (double)(vfs.f_blocks - vfs.f_bfree) * bs;
		double avail = (double)vfs.f_bavail * bs;
		double ratio = used + avail > 0 ? used / (used + avail) : 0;
		char label[128];
		const char *mount = sample_label_escape(mounts[i], label, sizeof(label));
		sample_set_addf(out, src, ratio, "disk.used_ratio{mount=\"%s\"}", mount);
		sample_set_addf(out, src, 1 - ratio, "disk.free_ratio{mount=\"%s\"}", mount);
		sample_set_addf(out, src, used, "disk.used_bytes{mount=\"%s\"}", mount);
		sample_set_addf(out, src, avail, "disk.available_bytes{mount=\"%s\"}", mount);
		double files_used = (double)(vfs.f_files - vfs.f_ffree);
		double files = files_used + (double)vfs.f_favail;
		sample_set_addf(out, src, files > 0 ? files_used / files : NAN,
				"disk.inodes_used_ratio{mount=\"%s\"}", mount);
	}
	return 0;
}

static int sample_net(struct local *l, const char *src, struct sample_set *out, struct strbuf *err)
{
	double rx, tx;
	int rc = read_file(l, "/proc/net/dev");
	if (rc || local_parse_netdev(l->buf.buf, l->buf.len, &rx, &tx)) {
		source_error(err, "cannot parse %s/proc/net/dev", l->root);
		return rc ? rc : HR_E_PROTOCOL;
	}
	double now = clock_mono();
	sample_set_add(out, src, "net.rx_bytes", rx);
	sample_set_add(out, src, "net.tx_bytes", tx);
	if (l->have_net && now > l->net_when && rx >= l->rx && tx >= l->tx) {
		sample_set_add(out, src, "net.rx_bytes_per_second", (rx - l->rx) / (now - l->net_when));
		sample_set_add(out, src, "net.tx_bytes_per_second", (tx - l->tx) / (now - l->net_when));
	}
	l->rx = rx, l->tx = tx, l->net_when = now, l->have_net = true;
	return 0;
}

static int sample_cgroup(struct local *l, const char *src, struct sample_set *out, struct strbuf *err,
			 unsigned ncpu)
{
	const char *rel = l->cgroup_dir + strlen(l->root);
	char label[128];
	const char *name = sample_label_escape(l->cgroup_name, label, sizeof(label));
	char *path = xasprintf("%s/cpu.stat", rel);
	double usage;
	int rc = read_file(l, path);
	free(path);
	if (rc || local_parse_cgroup_cpu(l->buf.buf, l->buf.len, &usage)) {
		source_error(err, "cgroup '%s' is gone or has no cpu.stat", name);
		return rc ? rc : HR_E_PROTOCOL;
	}
	double now = clock_mono();
	double limit = ncpu;
	path = xasprintf("%s/cpu.max", rel);
	double quota;
	/* No cpu.max (the root cgroup) means no quota. */
	if (read_file(l, path) == 0 && local_parse_cpu_max(l->buf.buf, l->buf.len, &quota) == 0 &&
	    isfinite(quota) && quota < limit)
		limit = quota;
	free(path);
	if (l->have_cg && now > l->cg_when && usage >= l->cg_usage) {
		double cores = (usage - l->cg_usage) / 1e6 / (now - l->cg_when);
		sample_set_addf(out, src, cores, "cgroup.cpu.used_cores{cgroup=\"%s\"}", name);
		sample_set_addf(out, src, limit > 0 ? cores / limit : NAN,
				"cgroup.cpu.utilization{cgroup=\"%s\"}", name);
	}
	l->cg_usage = usage, l->cg_when = now, l->have_cg = true;

	double cur, max = INFINITY;
	path = xasprintf("%s/memory.current", rel);
	rc = read_file(l, path);
	free(path);
	if (rc || local_parse_cgroup_value(l->buf.buf, l->buf.len, &cur)) {
		source_error(err, "cgroup '%s' has no memory.current (memory controller off?)", name);
		return rc ? rc : HR_E_PROTOCOL;
	}
	path = xasprintf("%s/memory.max", rel);
	if (read_file(l, path) != 0 || local_parse_cgroup_value(l->buf.buf, l->buf.len, &max) != 0)
		max = INFINITY;
	free(path);
	sample_set_addf(out, src, cur, "cgroup.memory.used_bytes{cgroup=\"%s\"}", name);
	sample_set_addf(out, src, isfinite(max) ? max : NAN, "cgroup.memory.max_bytes{cgroup=\"%s\"}", name);
	sample_set_addf(out, src, isfinite(max) && max > 0 ? cur / max : NAN,
			"cgroup.memory.used_ratio{cgroup=\"%s\"}", name);
	return 0;
}

/* Every part is read even when one fails, so that a missing cgroup does not
 * hide the CPU figure; the reasons are joined for the caller. */
static int local_sample(void *state, const char *src, struct sample_set *out, struct strbuf *err)
{
	struct local *l = state;
	struct strbuf why;
	strbuf_init(&why, 1024);
	int first = 0;
	for (int part = 0; part < 5; part++) {
		int rc = 0;
		strbuf_reset(&why);
		switch (part) {
		case 0: rc = sample_cpu(l, src, out, &why); break;
		case 1: rc = sample_memory(l, src, out, &why, l->cpu.ncpu); break;
		case 2: rc = sample_disks(l, src, out, &why); break;
		case 3: rc = sample_net(l, src, out, &why); break;
		case 4: rc = l->cgroup_dir ? sample_cgroup(l, src, out, &why, l->cpu.ncpu) : 0; break;
		}
		if (rc) {
			if (!first)
				first = rc;
			if (err->len == 0)
				source_error(err, "%s", strbuf_str(&why));
			else if (strbuf_printf(err, "; %s", strbuf_str(&why)) != 0)
				break; /* the reasons so far say enough */
		}
	}
	strbuf_free(&why);
	return first;
}

static void local_close(void *state)
{
	struct local *l = state;
	if (!l)
		return;
	strbuf_free(&l->buf);
	free(l->root);
	free(l->cgroup_dir);
	free(l->cgroup_name);
	free(l);
}

static const char *const local_prefixes[] = {"cpu.", "memory.", "load.", "disk.", "net.", "cgroup.", NULL};
static const char *const local_known[] = {
	"cpu.utilization", "cpu.iowait_ratio", "cpu.steal_ratio", "cpu.cores", "memory.used_ratio",
	"memory.available_bytes", "memory.total_bytes", "memory.swap_used_ratio", "load.1", "load.5", "load.15",
	"load.per_cpu", "disk.used_ratio", "disk.free_ratio", "disk.used_bytes", "disk.available_bytes",
	"disk.inodes_used_ratio", "net.rx_bytes", "net.tx_bytes", "net.rx_bytes_per_second",
	"net.tx_bytes_per_second", "cgroup.cpu.used_cores", "cgroup.cpu.utilization", "cgroup.memory.used_bytes",
	"cgroup.memory.max_bytes", "cgroup.memory.used_ratio", NULL};

const struct source_ops source_local_ops = {
	.type = "local",
	.prefixes = local_prefixes,
	/* Two /proc/stat reads 200 ms apart: 20 ticks at USER_HZ=100, enough
	 * for a figure to the percent, and well inside check's 1 s budget. */
	.warmup_s = 0.2,
	.open = local_open,
	.sample = local_sample,
	.close = local_close,
	.known = local_known,
};
