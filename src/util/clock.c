/* clock.c - wall and monotonic time through clock_gettime, a sleep that
 * resumes after signals, and sleeping until a time or a stop (see clock.h). */
#include "util/clock.h"

#include <errno.h>
#include <math.h>
#include <time.h>

static double to_s(const struct timespec *ts)
{
	return (double)ts->tv_sec + (double)ts->tv_nsec / 1e9;
}

double clock_unix(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return to_s(&ts);
}

double clock_mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return to_s(&ts);
}

int64_t clock_mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void clock_sleep(double s)
{
	if (!(s > 0))
		return;
	struct timespec ts = {(time_t)s, (long)((s - floor(s)) * 1e9)};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

void clock_sleep_until(double t, const volatile sig_atomic_t *stop)
{
	for (;;) {
		double left = t - clock_unix();
		if (!(left > 0) || (stop && *stop))
			return;
		left = fmin(left, 0.1);
		struct timespec ts = {(time_t)left, (long)((left - floor(left)) * 1e9)};
		(void)nanosleep(&ts, NULL);
	}
}
