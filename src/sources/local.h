/* local.h - this machine: /proc, statvfs and cgroup v2.
 *
 * The parsers take the text of one file and are exported for the unit tests
 * and the fuzz target; every path is read under a root directory so tests can
 * point the source at a fixture tree (htop's compile-time PROCDIR is the
 * counter-example). Files are read with a size cap: /proc is trusted more
 * than the network, but a container can mount anything there. */
#ifndef HR_LOCAL_H
#define HR_LOCAL_H

#include <stddef.h>

#include "model/source_config.h"
#include "util/diag.h"
#include "util/error.h"
#include "util/strbuf.h"

/** Largest file the local source reads (/proc/net/dev on a host with many veths). */
#define LOCAL_FILE_MAX (1u << 20)

/** CPU time counters of the "cpu" line of /proc/stat, in clock ticks. */
struct cpu_times {
	unsigned long long user, nice, system, idle, iowait, irq, softirq, steal;
	unsigned ncpu; /**< number of "cpuN" lines */
};

/** Parse /proc/stat. @return 0, or HR_E_PROTOCOL when the "cpu" line is missing or short. */
HR_NODISCARD int local_parse_stat(const char *text, size_t len, struct cpu_times *out);

/**
 * Busy share of the CPU time between two readings: everything but idle and
 * iowait, over everything (guest time is already inside user, see proc(5)).
 * @return a ratio 0-1, or NaN when no time passed or the counters went back.
 */
double local_cpu_busy(const struct cpu_times *a, const struct cpu_times *b);

/** The parts of /proc/meminfo headroom reads, in bytes. */
struct meminfo {
	double total, available, swap_total, swap_free;
};

/**
 * Parse /proc/meminfo. MemAvailable (Linux >= 3.14) is used when present,
 * else MemFree + Buffers + Cached, the estimate it replaced.
 * @return 0 or HR_E_PROTOCOL when MemTotal is missing.
 */
HR_NODISCARD int local_parse_meminfo(const char *text, size_t len, struct meminfo *out);

/** Parse /proc/loadavg into the 1, 5 and 15 minute averages. @return 0 or HR_E_PROTOCOL. */
HR_NODISCARD int local_parse_loadavg(const char *text, size_t len, double load[3]);

/** Parse /proc/net/dev: bytes received and sent by all interfaces but "lo". */
HR_NODISCARD int local_parse_netdev(const char *text, size_t len, double *rx, double *tx);

/** Parse a cgroup v2 cpu.stat: the usage_usec field. @return 0 or HR_E_PROTOCOL. */
HR_NODISCARD int local_parse_cgroup_cpu(const char *text, size_t len, double *usage_usec);

/** Parse a one-number cgroup file (memory.current, memory.max); "max" gives INFINITY. */
HR_NODISCARD int local_parse_cgroup_value(const char *text, size_t len, double *out);

/** Parse cgroup v2 cpu.max ("QUOTA PERIOD" or "max PERIOD") into cores; INFINITY for max. */
HR_NODISCARD int local_parse_cpu_max(const char *text, size_t len, double *cores);

/**
 * Open the local source reading every file under @p root ("/" in production).
 * Same contract as source_ops.open; exported so tests can use fixture trees.
 */
HR_NODISCARD int local_open_at(const char *root, const struct source_config *cfg, struct diag *d,
			       void **state);

#endif
