/* color.c - whether to colour output (--color, NO_COLOR, TERM, a terminal)
 * and the escape for a state (see color.h). */
#include "util/color.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int color_mode_parse(const char *s, enum color_mode *out)
{
	static const char *const names[] = {"auto", "always", "never"};
	for (int i = 0; i < 3; i++)
		if (strcmp(s, names[i]) == 0) {
			*out = (enum color_mode)i;
			return 0;
		}
	return HR_E_INVALID;
}

bool color_wanted(enum color_mode mode, int fd)
{
	if (mode != COLOR_AUTO)
		return mode == COLOR_ALWAYS;
	const char *no = getenv("NO_COLOR"), *term = getenv("TERM");
	if (no && *no)
		return false;
	if (term && strcmp(term, "dumb") == 0)
		return false;
	return isatty(fd) == 1;
}

const char *color_state(int state)
{
	static const char *const sgr[] = {"\033[32m", "\033[33m", "\033[1;31m", "\033[35m"};
	return state >= 0 && state < 4 ? sgr[state] : "";
}
