/* str.c - string views and "did you mean" by edit distance (see str.h). */
#include "util/str.h"

#include <string.h>

bool str_view_eq(struct str_view v, const char *s)
{
	return strlen(s) == v.len && memcmp(v.p, s, v.len) == 0;
}

size_t str_distance(const char *a, const char *b)
{
	enum { MAX = 64 };
	size_t n = strnlen(a, MAX), m = strnlen(b, MAX);
	size_t d[MAX + 1][MAX + 1];
	for (size_t i = 0; i <= n; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= m; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= n; i++) {
		for (size_t j = 1; j <= m; j++) {
			size_t cost = a[i - 1] != b[j - 1];
			size_t best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < best)
				best = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	}
	return d[n][m];
}

const char *str_suggest(const char *word, const char *const *cands, size_t n)
{
	size_t limit = strlen(word) / 3;
	if (limit < 1)
		limit = 1;
	const char *best = NULL;
	size_t best_d = limit + 1;
	for (size_t i = 0; i < n; i++) {
		if (!cands[i])
			continue;
		size_t d = str_distance(word, cands[i]);
		if (d < best_d) {
			best_d = d;
			best = cands[i];
		}
	}
	return best;
}
