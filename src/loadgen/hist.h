/* hist.h - a latency histogram in fixed memory (the HdrHistogram layout).
 *
 * Values are integers (headroom records microseconds) between a lowest
 * discernible value L and a highest trackable value H, kept to d significant
 * decimal digits: bucket 0 counts [0, 2^m) one by one, and each further bucket
 * covers the next doubling in 2^(m-1) steps, so a recorded value is known to
 * within 1/2^(m-1) of itself (d = 3: m = 11, error <= 1/1024). The counters are
 * allocated once; recording is an index computation and an increment, with no
 * allocation and no locks, so each thread keeps its own histogram and they are
 * merged at the end (Gil Tene, HdrHistogram; layout as in HdrHistogram_c
 * hdr_histogram.c, re-derived for headroom, not copied).
 *
 * Min, max, count, the sum of values and the sum of their squares are kept
 * beside the counters, so the mean, the standard deviation and the extremes
 * carry no bucket error. */
#ifndef HR_BENCH_HIST_H
#define HR_BENCH_HIST_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

struct hist;

/**
 * Create an empty histogram.
 * @param lowest lowest discernible value, >= 1 (1 for microseconds).
 * @param highest highest trackable value, >= 2 * lowest; larger values are
 *        recorded as @p highest and counted by hist_saturated().
 * @param sigfigs significant decimal digits kept, 1..5.
 * @param out the new histogram; the caller frees it with hist_free().
 * @return 0, or HR_E_INVALID for arguments out of range.
 */
HR_NODISCARD int hist_new(int64_t lowest, int64_t highest, int sigfigs, struct hist **out);

/** Release a histogram. NULL is a no-op. */
void hist_free(struct hist *h);

/** Forget every recorded value; the layout stays. */
void hist_reset(struct hist *h);

/** Record one value; negative values count as 0, values above the highest as the highest. */
void hist_record(struct hist *h, int64_t value);

/**
 * Add every count of @p src into @p dst.
 * @return 0, or HR_E_INVALID when the two were created with different layouts.
 */
HR_NODISCARD int hist_merge(struct hist *dst, const struct hist *src);

/** Number of values recorded. */
uint64_t hist_count(const struct hist *h);
/** Number of recorded values that were above the highest trackable value. */
uint64_t hist_saturated(const struct hist *h);
/** Smallest value recorded (exact), 0 when empty. */
int64_t hist_min(const struct hist *h);
/** Largest value recorded (exact, after clamping to the highest), 0 when empty. */
int64_t hist_max(const struct hist *h);
/** Arithmetic mean of the values recorded (exact), 0 when empty. */
double hist_mean(const struct hist *h);

/** Sample standard deviation of the values recorded (from exact sums), 0 with fewer than 2. */
double hist_stddev(const struct hist *h);
/**
 * The value at a percentile: the highest value equivalent (same counter) to
 * the smallest recorded value v with at least pct % of the values <= v,
 * clamped to [min, max]. pct 0 gives the minimum, pct >= 100 the maximum.
 * @return 0 when empty.
 */
int64_t hist_percentile(const struct hist *h, double pct);

/** Lowest value that shares a counter with @p value. */
int64_t hist_lowest_equivalent(const struct hist *h, int64_t value);
/** Highest value that shares a counter with @p value. */
int64_t hist_highest_equivalent(const struct hist *h, int64_t value);

/** Bytes of counter memory the histogram holds (fixed at creation). */
size_t hist_memory(const struct hist *h);

#endif
