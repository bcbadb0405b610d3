/* color.h - when output is coloured, and with what.
 *
 * Colour is on for a terminal and off otherwise (a pipe, a file, cron); the
 * NO_COLOR environment variable, when set to anything but the empty string,
 * turns it off, and an explicit --color=always|never overrides both
 * (https://no-color.org/: "user-level configuration files and per-instance
 * command-line arguments should override NO_COLOR"). TERM=dumb is off too.
 * Colour is ANSI SGR: green OK, yellow WARNING, red CRITICAL, magenta
 * UNKNOWN; render/table measures cells without the escape sequences. */
#ifndef HR_UTIL_COLOR_H
#define HR_UTIL_COLOR_H

#include <stdbool.h>

#include "util/error.h"

/** --color=WHEN. */
enum color_mode { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER };

/** Parse "auto", "always" or "never". @return 0 or HR_E_INVALID. */
HR_NODISCARD int color_mode_parse(const char *s, enum color_mode *out);

/** Should output to @p fd be coloured under @p mode (the environment read now)? */
bool color_wanted(enum color_mode mode, int fd);

/** The SGR sequence that starts a state's colour (0 OK .. 3 UNKNOWN), "" for others. */
const char *color_state(int state);

/** The SGR sequence that ends a colour. */
#define COLOR_RESET "\033[0m"

#endif
