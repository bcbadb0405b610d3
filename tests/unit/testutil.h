/* testutil.h - small helpers the model's unit tests share (include after cmocka.h). */
#ifndef HR_TESTUTIL_H
#define HR_TESTUTIL_H

#include <math.h>

/* cmocka 1.1.5 compares floats only as float: a double comparison with its message. */
#define assert_near(a, b, eps)                                                                  \
	do {                                                                                    \
		double a_ = (a), b_ = (b);                                                      \
		if (!(fabs(a_ - b_) <= (eps)))                                                  \
			fail_msg("%s = %.12g, expected %.12g (+/- %g)", #a, a_, b_, (double)(eps)); \
	} while (0)

#define MIB (1024.0 * 1024.0)
#define GIB (1024.0 * MIB)

#endif
