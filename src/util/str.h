/* str.h - small string helpers: views and "did you mean". */
#ifndef HR_STR_H
#define HR_STR_H

#include <stdbool.h>
#include <stddef.h>

/** A borrowed, not necessarily NUL-terminated run of bytes. */
struct str_view {
	const char *p;
	size_t len;
};

/** Does the view equal the NUL-terminated string s? */
bool str_view_eq(struct str_view v, const char *s);

/**
 * Optimal string alignment distance (Damerau-Levenshtein with adjacent
 * transpositions), the measure typo suggestions use (bfs typo_distance).
 * Strings longer than 64 bytes are compared on their first 64.
 */
size_t str_distance(const char *a, const char *b);

/**
 * The candidate closest to word, if it is close enough to be a likely typo
 * (distance at most a third of the word's length, and at least 1).
 * @param cands n candidate strings (borrowed); NULL entries are skipped.
 * @return a borrowed pointer to one of cands, or NULL.
 */
const char *str_suggest(const char *word, const char *const *cands, size_t n);

#endif
