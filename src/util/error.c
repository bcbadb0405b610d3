/* error.c - hr_strerror(): the name of a headroom error code or an errno. */
#include "util/error.h"

#include <string.h>

const char *hr_strerror(int code)
{
	switch (code) {
	case HR_OK: return "success";
	case HR_E_INVALID: return "invalid input";
	case HR_E_NOMEM: return "out of memory";
	case HR_E_IO: return "input/output error";
	case HR_E_RANGE: return "value out of range";
	case HR_E_NOTFOUND: return "not found";
	case HR_E_UNAVAILABLE: return "unavailable";
	case HR_E_TIMEOUT: return "timed out";
	case HR_E_PROTOCOL: return "protocol error";
	case HR_E_TOO_LARGE: return "input too large";
	case HR_E_UNSUPPORTED: return "not supported";
	case HR_E_INFEASIBLE: return "no feasible answer";
	}
	if (code < 0 && code > -1024)
		return strerror(-code);
	return "unknown error";
}
