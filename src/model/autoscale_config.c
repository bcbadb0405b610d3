#include "model/autoscale_config.h"

#include <string.h>

const char *autoscale_name_check(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 63)
		return "expected 1 to 63 characters";
	if (s[0] == '-' || s[0] == '.')
		return "must not start with '-' or '.'";
	if (strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != n)
		return "only letters, digits, '.', '_' and '-' are allowed";
	return NULL;
}
