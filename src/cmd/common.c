#include "cmd/cmd.h"

#include <jansson.h>

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

int cmd_parse_format(const char *cmd, const char *value, unsigned allowed, enum out_format *out)
{
	static const char *names[] = {"text", "json", "md", "html"};
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(value, names[i]) == 0 && (allowed & (1u << i))) {
			*out = (enum out_format)i;
			return 0;
		}
	}
	fprintf(stderr, "headroom %s: unknown --format '%s'; expected", cmd, value);
	const char *sep = " ";
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (allowed & (1u << i)) {
			fprintf(stderr, "%s%s", sep, names[i]);
			sep = ", ";
		}
	}
	fputc('\n', stderr);
	return -1;
}

const char *cmd_config_path(const char *flag)
{
	return flag ? flag : "headroom.yaml";
}

int cmd_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "headroom %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see 'headroom %s --help')\n", cmd);
	return EXIT_BAD_INPUT;
}

int cmd_print_json(const char *cmd, json_t *o)
{
	char *s = o ? json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12)) : NULL;
	json_decref(o);
	if (!s) {
		fprintf(stderr, "headroom %s: cannot encode the JSON output\n", cmd);
		return 1;
	}
	puts(s);
	free(s);
	return 0;
}
