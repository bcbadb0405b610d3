/* hist.c - see hist.h for the layout. Index arithmetic follows the
 * HdrHistogram description (counts_index, value_from_index). */
#include "loadgen/hist.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

struct hist {
	int64_t lowest;
	int64_t highest;
	int sigfigs;
	int unit_magnitude;           /* floor(log2(lowest)) */
	int sub_bucket_half_magnitude; /* log2(sub_bucket_count) - 1 */
	int64_t sub_bucket_count;
	int64_t sub_bucket_half;
	int64_t sub_bucket_mask;
	int bucket_count;
	size_t counts_len;
	uint64_t total;
	uint64_t saturated;
	int64_t min, max;
	double sum;
	double sumsq; /* sum of squared values, for the standard deviation */
	uint64_t counts[]; /* counts_len counters */
};

static int floor_log2(uint64_t v)
{
	return 63 - __builtin_clzll(v);
}

int hist_new(int64_t lowest, int64_t highest, int sigfigs, struct hist **out)
{
	*out = NULL;
	if (lowest < 1 || sigfigs < 1 || sigfigs > 5 || highest < 2 * lowest ||
	    highest > INT64_MAX / 4)
		return HR_E_INVALID;

	/* Sub-buckets needed so that 2 * 10^d values are distinct within one
	 * doubling: 2^ceil(log2(2 * 10^d)). */
	int64_t largest_single_unit = 2;
	for (int i = 0; i < sigfigs; i++)
		largest_single_unit *= 10;
	int magnitude = floor_log2((uint64_t)largest_single_unit);
	if ((INT64_C(1) << magnitude) < largest_single_unit)
		magnitude++;
	int half_mag = magnitude > 1 ? magnitude - 1 : 0;
	int unit_mag = floor_log2((uint64_t)lowest);
	if (unit_mag + half_mag + 1 > 61)
		return HR_E_INVALID;

	int64_t sub_count = INT64_C(1) << (half_mag + 1);
	int64_t smallest_untrackable = sub_count << unit_mag;
	int buckets = 1;
	while (smallest_untrackable <= highest) {
		if (smallest_untrackable > INT64_MAX / 2) {
			buckets++;
			break;
		}
		smallest_untrackable <<= 1;
		buckets++;
	}
	size_t len = (size_t)(buckets + 1) * (size_t)(sub_count / 2);

	struct hist *h = xcalloc(1, sizeof(*h) + len * sizeof(h->counts[0]));
	h->lowest = lowest;
	h->highest = highest;
	h->sigfigs = sigfigs;
	h->unit_magnitude = unit_mag;
	h->sub_bucket_half_magnitude = half_mag;
	h->sub_bucket_count = sub_count;
	h->sub_bucket_half = sub_count / 2;
	h->sub_bucket_mask = (sub_count - 1) << unit_mag;
	h->bucket_count = buckets;
	h->counts_len = len;
	*out = h;
	return 0;
}

void hist_free(struct hist *h)
{
	free(h);
}

void hist_reset(struct hist *h)
{
	memset(h->counts, 0, h->counts_len * sizeof(h->counts[0]));
	h->total = h->saturated = 0;
	h->min = h->max = 0;
	h->sum = h->sumsq = 0;
}

static int bucket_index(const struct hist *h, int64_t v)
{
	int pow2ceiling = 64 - __builtin_clzll((uint64_t)(v | h->sub_bucket_mask));
	return pow2ceiling - h->unit_magnitude - (h->sub_bucket_half_magnitude + 1);
}

static size_t counts_index_for(const struct hist *h, int64_t v)
{
	int b = bucket_index(h, v);
	int64_t sub = v >> (b + h->unit_magnitude);
	int64_t base = (int64_t)(b + 1) << h->sub_bucket_half_magnitude;
	return (size_t)(base + (sub - h->sub_bucket_half));
}

static int64_t value_at_index(const struct hist *h, size_t index)
{
	int b = (int)(index >> h->sub_bucket_half_magnitude) - 1;
	int64_t sub = (int64_t)(index & (size_t)(h->sub_bucket_half - 1)) + h->sub_bucket_half;
	if (b < 0) {
		sub -= h->sub_bucket_half;
		b = 0;
	}
	return sub << (b + h->unit_magnitude);
}

void hist_record(struct hist *h, int64_t value)
{
	if (value < 0)
		value = 0;
	if (value > h->highest) {
		value = h->highest;
		h->saturated++;
	}
	h->counts[counts_index_for(h, value)]++;
	if (h->total == 0 || value < h->min)
		h->min = value;
	if (value > h->max)
		h->max = value;
	h->total++;
	h->sum += (double)value;
	h->sumsq += (double)value * (double)value;
}

int hist_merge(struct hist *dst, const struct hist *src)
{
	if (dst->lowest != src->lowest || dst->highest != src->highest ||
	    dst->sigfigs != src->sigfigs)
		return HR_E_INVALID;
	if (src->total == 0)
		return 0;
	for (size_t i = 0; i < dst->counts_len; i++)
		dst->counts[i] += src->counts[i];
	if (dst->total == 0 || src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
	dst->total += src->total;
	dst->saturated += src->saturated;
	dst->sum += src->sum;
	dst->sumsq += src->sumsq;
	return 0;
}

uint64_t hist_count(const struct hist *h)
{
	return h->total;
}

uint64_t hist_saturated(const struct hist *h)
{
	return h->saturated;
}

int64_t hist_min(const struct hist *h)
{
	return h->min;
}

int64_t hist_max(const struct hist *h)
{
	return h->max;
}

double hist_mean(const struct hist *h)
{
	return h->total ? h->sum / (double)h->total : 0.0;
}

double hist_stddev(const struct hist *h)
{
	if (h->total < 2)
		return 0.0;
	/* Latencies in microseconds up to an hour square to at most 1.3e19, so
	 * the sums keep 15 digits for millions of values; the cancellation of
	 * E[x^2] - E[x]^2 loses at most the digits of 1/cv^2, which for any
	 * service time a calibration reports (cv >= 0.001) leaves 9. */
	double n = (double)h->total, mean = h->sum / n;
	double var = (h->sumsq - n * mean * mean) / (n - 1);
	return var > 0 ? sqrt(var) : 0.0;
}

int64_t hist_lowest_equivalent(const struct hist *h, int64_t value)
{
	if (value < 0)
		value = 0;
	int b = bucket_index(h, value);
	int64_t sub = value >> (b + h->unit_magnitude);
	return sub << (b + h->unit_magnitude);
}

int64_t hist_highest_equivalent(const struct hist *h, int64_t value)
{
	if (value < 0)
		value = 0;
	int b = bucket_index(h, value);
	int64_t sub = value >> (b + h->unit_magnitude);
	/* The top half of bucket 0 and every later bucket step by 2^(b+unit). */
	int shift = (sub >= h->sub_bucket_count ? b + 1 : b) + h->unit_magnitude;
	return (sub << (b + h->unit_magnitude)) + (INT64_C(1) << shift) - 1;
}

int64_t hist_percentile(const struct hist *h, double pct)
{
	if (h->total == 0)
		return 0;
	if (pct <= 0)
		return h->min;
	if (pct >= 100)
		return h->max;
	/* The rank of the value sought, rounded as HdrHistogram does. */
	uint64_t want = (uint64_t)(pct / 100.0 * (double)h->total + 0.5);
	if (want < 1)
		want = 1;
	uint64_t seen = 0;
	for (size_t i = 0; i < h->counts_len; i++) {
		seen += h->counts[i];
		if (seen >= want) {
			int64_t v = hist_highest_equivalent(h, value_at_index(h, i));
			if (v > h->max)
				v = h->max;
			if (v < h->min)
				v = h->min;
			return v;
		}
	}
	return h->max;
}

size_t hist_memory(const struct hist *h)
{
	return h->counts_len * sizeof(h->counts[0]);
}
