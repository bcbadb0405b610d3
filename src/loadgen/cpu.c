/* cpu.c - see cpu.h. Written here: two /proc lines are a few lines of
 * parsing, and no library reads them (the local metric source parses
 * /proc/stat for its own purpose; adapters do not share code sideways). */
#include "loadgen/cpu.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>


/* /proc/PID/stat is one line of about 300 bytes; the "cpu" line of /proc/stat
 * comes first. Past this the rest is not needed. */
#define READ_MAX 4096

/* Read up to READ_MAX - 1 bytes of root + rel into buf, NUL-terminated. */
static int read_head(const char *root, const char *rel, char *buf, size_t *len)
{
	char path[4096];
	int n = snprintf(path, sizeof(path), "%s%s", strcmp(root, "/") == 0 ? "" : root, rel);
	if (n < 0 || (size_t)n >= sizeof(path))
		return HR_E_INVALID;
	FILE *fp = fopen(path, "r");
	if (!fp)
		return HR_E_IO;
	*len = fread(buf, 1, READ_MAX - 1, fp);
	bool err = ferror(fp);
	fclose(fp);
	if (err)
		return HR_E_IO;
	buf[*len] = '\0';
	return 0;
}

/* Read an unsigned decimal at *p (after spaces); false when there is none or it overflows. */
static bool next_ull(const char **p, const char *end, unsigned long long *out)
{
	const char *q = *p;
	while (q < end && *q == ' ')
		q++;
	if (q >= end || !isdigit((unsigned char)*q))
		return false;
	unsigned long long x = 0;
	for (; q < end && isdigit((unsigned char)*q); q++) {
		if (x > (~0ULL - 9) / 10)
			return false;
		x = x * 10 + (unsigned long long)(*q - '0');
	}
	*p = q;
	*out = x;
	return true;
}

int cpu_parse_stat_busy(const char *text, size_t len, unsigned long long *ticks)
{
	const char *end = text + len;
	if (len < 4 || memcmp(text, "cpu ", 4) != 0)
		return HR_E_PROTOCOL;
	const char *p = text + 4;
	/* user nice system idle iowait irq softirq (steal ...): proc(5). */
	unsigned long long f[7] = {0};
	int got = 0;
	while (got < 7 && next_ull(&p, end, &f[got]))
		got++;
	if (got < 4)
		return HR_E_PROTOCOL;
	unsigned long long busy = 0;
	const int parts[] = {0, 1, 2, 5, 6}; /* user nice system irq softirq */
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		if (busy > ~0ULL - f[parts[i]])
			return HR_E_PROTOCOL;
		busy += f[parts[i]];
	}
	*ticks = busy;
	return 0;
}

int cpu_parse_pid_stat(const char *text, size_t len, unsigned long long *ticks)
{
	const char *end = text + len, *p = NULL;
	for (const char *q = text; q < end; q++)
		if (*q == ')')
			p = q;
	if (!p || !memchr(text, '(', (size_t)(p - text)))
		return HR_E_PROTOCOL;
	p++;
	/* After the name: field 3 (state) ... field 14 utime, 15 stime. */
	unsigned long long v[2] = {0, 0};
	for (int field = 3; field <= 15; field++) {
		while (p < end && *p == ' ')
			p++;
		if (p >= end || *p == '\n')
			return HR_E_PROTOCOL;
		if (field >= 14) {
			if (!next_ull(&p, end, &v[field - 14]))
				return HR_E_PROTOCOL;
		} else {
			while (p < end && *p != ' ' && *p != '\n')
				p++;
		}
	}
	if (v[0] > ~0ULL - v[1])
		return HR_E_PROTOCOL;
	*ticks = v[0] + v[1];
	return 0;
}

int cpu_probe_read(void *arg, double *cpu_s)
{
	const struct cpu_probe *pr = arg;
	const char *root = pr->root ? pr->root : "/";
	long hz = sysconf(_SC_CLK_TCK);
	if (hz <= 0)
		hz = 100; /* USER_HZ on every Linux architecture (proc(5)) */
	char buf[READ_MAX];
	size_t len;
	unsigned long long ticks = 0;
	if (pr->n_pids == 0) {
		int rc = read_head(root, "/proc/stat", buf, &len);
		if (rc)
			return rc;
		if (cpu_parse_stat_busy(buf, len, &ticks) != 0)
			return HR_E_PROTOCOL;
	} else {
		for (size_t i = 0; i < pr->n_pids; i++) {
			char rel[64];
			snprintf(rel, sizeof(rel), "/proc/%ld/stat", (long)pr->pids[i]);
			int rc = read_head(root, rel, buf, &len);
			if (rc)
				return rc;
			unsigned long long t;
			if (cpu_parse_pid_stat(buf, len, &t) != 0)
				return HR_E_PROTOCOL;
			ticks += t;
		}
	}
	*cpu_s = (double)ticks / (double)hz;
	return 0;
}
