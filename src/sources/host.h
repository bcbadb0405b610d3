/* host.h - the size of this machine: vCPUs, memory and disk, for `headroom init`.
 *
 * vCPUs are the "processor" entries of /proc/cpuinfo (sysconf's count when
 * the file cannot be read), memory is MemTotal of /proc/meminfo, disk the
 * size of the file system holding the root, from statvfs(3). Every file is
 * read under a root folder so tests can point it at a fixture tree. */
#ifndef HR_SOURCES_HOST_H
#define HR_SOURCES_HOST_H

#include <stddef.h>

#include "util/diag.h"
#include "util/error.h"

/** What a machine has. */
struct host_facts {
	double vcpu;     /**< online processors */
	double memory_b; /**< MemTotal */
	double disk_b;   /**< size of the file system at the root; 0 when unknown */
};

/**
 * Count the processors of a /proc/cpuinfo text (lines "processor : N").
 * @return 0 and *n set, or HR_E_PROTOCOL when there is none.
 */
HR_NODISCARD int host_parse_cpuinfo(const char *text, size_t len, unsigned *n);

/**
 * Read this machine's facts.
 * @param root "/" on the machine itself, or a fixture tree holding proc/.
 * @param d where a fact that cannot be read is reported.
 * @return 0; HR_E_IO after reporting when vCPUs or memory cannot be read
 *         (a disk that cannot be read leaves disk_b 0 with a warning).
 */
HR_NODISCARD int host_probe(const char *root, struct host_facts *out, struct diag *d);

#endif
