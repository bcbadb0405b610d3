/* lograte.c - a fixed table of repeated messages, each logged once per
 * window and then summed up with a count (see lograte.h). */
#include "util/lograte.h"

#include <stdio.h>
#include <string.h>

void lograte_init(struct lograte *lr, double window_s)
{
	memset(lr, 0, sizeof(*lr));
	lr->window_s = window_s > 0 ? window_s : 600;
}

static struct lograte_slot *find(struct lograte *lr, const char *key)
{
	for (size_t i = 0; i < LOGRATE_KEYS; i++)
		if (lr->slot[i].used && strncmp(lr->slot[i].key, key, LOGRATE_KEY - 1) == 0)
			return &lr->slot[i];
	return NULL;
}

bool lograte_hit(struct lograte *lr, const char *key, const char *text, double now)
{
	struct lograte_slot *s = find(lr, key);
	if (!s) {
		/* A free slot, else the one used longest ago. */
		s = &lr->slot[0];
		for (size_t i = 0; i < LOGRATE_KEYS; i++) {
			if (!lr->slot[i].used) {
				s = &lr->slot[i];
				break;
			}
			if (lr->slot[i].last_used < s->last_used)
				s = &lr->slot[i];
		}
		memset(s, 0, sizeof(*s));
		s->used = true;
		snprintf(s->key, sizeof(s->key), "%s", key);
		s->window_start = now;
		s->last_used = now;
		return true;
	}
	s->last_used = now;
	if (now - s->window_start >= lr->window_s && s->held == 0) {
		/* A quiet window: this one opens the next. */
		s->window_start = now;
		return true;
	}
	s->held++;
	snprintf(s->last, sizeof(s->last), "%s", text ? text : "");
	return false;
}

bool lograte_due(struct lograte *lr, double now, struct lograte_summary *out)
{
	for (size_t i = 0; i < LOGRATE_KEYS; i++) {
		struct lograte_slot *s = &lr->slot[i];
		if (!s->used || s->held == 0 || now - s->window_start < lr->window_s)
			continue;
		out->key = s->key;
		out->last = s->last;
		out->held = s->held;
		out->window_s = now - s->window_start;
		/* The summary is this window's line; the next window starts now. */
		s->held = 0;
		s->window_start = now;
		return true;
	}
	return false;
}

unsigned long lograte_clear(struct lograte *lr, const char *key)
{
	struct lograte_slot *s = find(lr, key);
	if (!s)
		return 0;
	unsigned long n = s->held;
	memset(s, 0, sizeof(*s));
	return n;
}

bool lograte_active(const struct lograte *lr, const char *key)
{
	return find((struct lograte *)lr, key) != NULL;
}
