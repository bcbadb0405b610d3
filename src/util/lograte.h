/* lograte.h - a repeated log message rate-limited with a count, never
 * silenced for good.
 *
 * A daemon whose disk is full fails every round: logging each failure
 * buries the log, and logging only the first twenty (what the agent did)
 * leaves it silent when the failure clears or changes. Here each kind of
 * message (a key: "store", "webhook", "source db") is logged the first time,
 * then counted for a window; when the window ends a summary line carries
 * the count and the last text ("... 312 more in the last 10 min: ..."). So
 * while a condition lasts its key has one line per window, and after a
 * window without it the next occurrence is logged in full. When it clears
 * the caller logs the recovery; lograte_clear() says how many went unlogged
 * since the last line.
 *
 * Pure: time is passed in (seconds, any epoch), nothing is printed; the
 * caller prints what it is told to. Fixed size: LOGRATE_KEYS keys, texts cut
 * at LOGRATE_TEXT bytes; the oldest key gives way to a new one. */
#ifndef HR_LOGRATE_H
#define HR_LOGRATE_H

#include <stdbool.h>
#include <stddef.h>

/** Keys tracked at once. */
#define LOGRATE_KEYS 32
/** Longest key and longest remembered text, NUL included. */
#define LOGRATE_KEY 64
#define LOGRATE_TEXT 512

/** One kind of message. */
struct lograte_slot {
	char key[LOGRATE_KEY];
	char last[LOGRATE_TEXT];  /**< text of the last occurrence not logged */
	double window_start;      /**< when the current window began (a logged occurrence) */
	double last_used;
	unsigned long held;       /**< occurrences in the window not logged */
	bool used;
};

/** The limiter. Plain data: zero it with lograte_init(). */
struct lograte {
	struct lograte_slot slot[LOGRATE_KEYS];
	double window_s;
};

/** Start empty; one logged line per key per window_s seconds (> 0). */
void lograte_init(struct lograte *lr, double window_s);

/**
 * An occurrence of message @p text of kind @p key at time @p now.
 * @return true when the caller should log it now (the first in its window);
 *         false when it was counted instead.
 */
bool lograte_hit(struct lograte *lr, const char *key, const char *text, double now);

/** What lograte_due() hands back: a summary line to log. */
struct lograte_summary {
	const char *key;     /**< borrowed from the limiter */
	const char *last;    /**< the last unlogged text, borrowed */
	unsigned long held;  /**< how many went unlogged */
	double window_s;     /**< over how long */
};

/**
 * The next summary due at @p now: a key whose window has ended with
 * occurrences held back. Its count is reset and its next window starts.
 * Call until it returns false.
 * @return true and *out filled; false when none is due.
 */
bool lograte_due(struct lograte *lr, double now, struct lograte_summary *out);

/**
 * The condition behind @p key has cleared: forget the key.
 * @return how many occurrences went unlogged since the last line (0 when
 *         none, or the key was unknown).
 */
unsigned long lograte_clear(struct lograte *lr, const char *key);

/** Is the key active (seen, not cleared)? */
bool lograte_active(const struct lograte *lr, const char *key);

#endif
