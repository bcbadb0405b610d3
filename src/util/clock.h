/* clock.h - the one place headroom reads a clock (bfs `xtime`).
 *
 * Two clocks: wall time (Unix seconds, for samples, the store and anything a
 * user reads) and monotonic time (for deadlines and durations, which must not
 * jump when NTP steps the wall clock). model/ never calls these: time is
 * passed into it. */
#ifndef HR_UTIL_CLOCK_H
#define HR_UTIL_CLOCK_H

#include <signal.h>
#include <stdint.h>

/** Wall-clock time in Unix seconds (CLOCK_REALTIME), with sub-second part. */
double clock_unix(void);

/** Monotonic seconds since an arbitrary origin (CLOCK_MONOTONIC). */
double clock_mono(void);

/** Monotonic nanoseconds (CLOCK_MONOTONIC), for the load generator's hot path. */
int64_t clock_mono_ns(void);

/** Sleep @p s seconds, resuming after signals; no-op for s <= 0 or NaN. */
void clock_sleep(double s);

/**
 * Sleep until wall-clock time @p t (clock_unix()), or until *stop becomes
 * non-zero. The sleep goes in slices of 100 ms at most: a signal interrupts
 * nanosleep() only on the thread it is delivered to, which need not be the
 * caller's, so the flag is looked at often.
 * @param stop a stop request (a signal handler's flag), or NULL: sleep until t.
 */
void clock_sleep_until(double t, const volatile sig_atomic_t *stop);

#endif
