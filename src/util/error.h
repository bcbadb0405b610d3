/* error.h - the one error type of headroom.
 *
 * Functions that can fail return int: 0 on success or a negative code below.
 * -errno values (e.g. -ENOENT) are allowed too; hr_strerror() names both. */
#ifndef HR_ERROR_H
#define HR_ERROR_H

/** Mark a function whose result must be looked at. */
#define HR_NODISCARD __attribute__((warn_unused_result))
/** printf-style argument checking. */
#define HR_PRINTF(f, a) __attribute__((format(printf, f, a)))

/** headroom's own error codes, all below -1024 so they never clash with -errno. */
enum hr_err {
	HR_OK = 0,
	HR_E_INVALID = -1025,     /**< bad input: a value, a flag, a config key */
	HR_E_NOMEM = -1026,       /**< allocation failed */
	HR_E_IO = -1027,          /**< reading or writing a file failed */
	HR_E_RANGE = -1028,       /**< a value outside its allowed bounds */
	HR_E_NOTFOUND = -1029,    /**< a named thing does not exist */
	HR_E_UNAVAILABLE = -1030, /**< a server or source could not be reached */
	HR_E_TIMEOUT = -1031,     /**< an operation ran past its deadline */
	HR_E_PROTOCOL = -1032,    /**< a peer answered something we cannot parse */
	HR_E_TOO_LARGE = -1033,   /**< untrusted input over its size or depth cap */
	HR_E_UNSUPPORTED = -1034, /**< a valid request this build cannot serve */
	HR_E_INFEASIBLE = -1035,  /**< a well-formed question with no answer (no plan meets it) */
};

/**
 * Describe an error code.
 * @param code 0, a negative hr_err, or a negative errno.
 * @return a static string; never NULL.
 */
const char *hr_strerror(int code);

#endif
