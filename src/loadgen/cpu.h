/* cpu.h - the CPU time a load test makes a server spend, for the calibration's
 * CPU per request (docs/bench.md, "CPU per request").
 *
 * Two readings, both cumulative CPU seconds that a bench run differences over
 * its counted window (engine.h, cpu_probe):
 *   processes  utime + stime of the given PIDs (all their threads) from
 *              /proc/PID/stat (proc(5), fields 14 and 15);
 *   machine    busy time of every CPU from the "cpu" line of /proc/stat:
 *              user + nice + system + irq + softirq (idle, iowait and the
 *              steal a hypervisor took are not the server's work); the load
 *              generator subtracts its own CPU from it.
 * Clock ticks are converted with sysconf(_SC_CLK_TCK). Files are read under a
 * root directory (so tests can point at a fixture tree) with a size cap. */
#ifndef HR_BENCH_CPU_H
#define HR_BENCH_CPU_H

#include <stddef.h>
#include <sys/types.h>

#include "util/error.h"

/** Most PIDs one probe sums. */
#define CPU_PROBE_MAX_PIDS 64

/** What a probe reads. */
struct cpu_probe {
	const char *root;                /**< "/" in production; a fixture tree in tests (borrowed) */
	pid_t pids[CPU_PROBE_MAX_PIDS];  /**< processes to sum; none = the whole machine */
	size_t n_pids;
};

/**
 * Parse the first line of /proc/stat ("cpu  user nice system idle iowait irq
 * softirq steal ..."): user + nice + system + irq + softirq in clock ticks
 * (idle, iowait and steal are not work done here).
 * @return 0, or HR_E_PROTOCOL when the text does not start with such a line.
 */
HR_NODISCARD int cpu_parse_stat_busy(const char *text, size_t len, unsigned long long *ticks);

/**
 * Parse the text of /proc/PID/stat: utime + stime in clock ticks. The
 * command name (field 2) may hold spaces and parentheses; the fields are
 * counted from its last ')'.
 * @return 0, or HR_E_PROTOCOL when the text is not such a line.
 */
HR_NODISCARD int cpu_parse_pid_stat(const char *text, size_t len, unsigned long long *ticks);

/**
 * Cumulative CPU seconds of what the probe reads (the engine's cpu_probe).
 * @param arg a struct cpu_probe (borrowed).
 * @param cpu_s set on success.
 * @return 0; HR_E_IO when a file cannot be read (a process that ended);
 *         HR_E_PROTOCOL when it cannot be parsed.
 */
HR_NODISCARD int cpu_probe_read(void *arg, double *cpu_s);

#endif
