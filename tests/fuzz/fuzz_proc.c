/* libFuzzer target: the /proc and cgroup v2 parsers of sources/local, and
 * loadgen/cpu's /proc/PID/stat parser. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "loadgen/cpu.h"
#include "sources/local.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	// The parsers read files through a NUL-terminated strbuf; mirror that.
	char *s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	struct cpu_times c;
	struct meminfo m;
	double l[3], a, b;
	// Results are ignored: only crashes, leaks and UB count. (gcc warns
	// on a (void) cast of a warn_unused_result call; the replay build is gcc.)
	int rc = 0;
	rc |= local_parse_stat(s, size, &c);
	rc |= local_parse_meminfo(s, size, &m);
	rc |= local_parse_loadavg(s, size, l);
	rc |= local_parse_netdev(s, size, &a, &b);
	rc |= local_parse_cgroup_cpu(s, size, &a);
	rc |= local_parse_cgroup_value(s, size, &a);
	rc |= local_parse_cpu_max(s, size, &a);
	unsigned long long ticks;
	rc |= cpu_parse_pid_stat(s, size, &ticks);
	rc |= cpu_parse_stat_busy(s, size, &ticks);
	free(s);
	(void)rc;
	return 0;
}
