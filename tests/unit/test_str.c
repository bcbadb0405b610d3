/* Unit tests for util/str, util/strbuf and util/diag. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "util/diag.h"
#include "util/str.h"
#include "util/strbuf.h"

static void test_distance(void **state)
{
	(void)state;
	assert_int_equal(str_distance("threshold", "threshold"), 0);
	assert_int_equal(str_distance("trheshold", "threshold"), 1); // transposition
	assert_int_equal(str_distance("kitten", "sitting"), 3);
	assert_int_equal(str_distance("", "abc"), 3);
	const char *keys[] = {"users", "growth", "requests", "tasks", NULL};
	assert_string_equal(str_suggest("reqeusts", keys, 5), "requests");
	assert_string_equal(str_suggest("user", keys, 5), "users");
	assert_null(str_suggest("zzzzzz", keys, 5));
}

static void test_strbuf_cap(void **state)
{
	(void)state;
	struct strbuf sb;
	strbuf_init(&sb, 8);
	assert_int_equal(strbuf_puts(&sb, "12345678"), 0);
	assert_int_equal(strbuf_puts(&sb, "9"), HR_E_TOO_LARGE);
	assert_string_equal(strbuf_str(&sb), "12345678"); // unchanged by the failed append
	strbuf_reset(&sb);
	assert_int_equal(strbuf_printf(&sb, "%d-%s", 42, "x"), 0);
	assert_string_equal(strbuf_str(&sb), "42-x");
	char *s = strbuf_take(&sb);
	assert_string_equal(s, "42-x");
	assert_string_equal(strbuf_str(&sb), "");
	free(s);
	strbuf_free(&sb);
	strbuf_free(NULL);
}

static void test_diag(void **state)
{
	(void)state;
	struct strbuf mem;
	strbuf_init(&mem, 0);
	struct diag d;
	diag_init_mem(&d, &mem);
	struct diag_loc loc = {"h.yaml", 14, 5, "    trheshold: 80%", 9};
	diag_at(&d, DIAG_ERROR, &loc, "unknown key '%s'", "trheshold");
	assert_string_equal(strbuf_str(&mem), "h.yaml:14:5: error: unknown key 'trheshold'\n");
	strbuf_reset(&mem);
	d.show_source = true;
	diag_at(&d, DIAG_WARNING, &loc, "x");
	assert_string_equal(strbuf_str(&mem),
			    "h.yaml:14:5: warning: x\n        trheshold: 80%\n        ^~~~~~~~~\n");
	assert_int_equal(d.nerrors, 1);
	assert_int_equal(d.nwarnings, 1);
	strbuf_reset(&mem);
	diag_error(&d, "plain %s", "message");
	assert_string_equal(strbuf_str(&mem), "headroom: error: plain message\n");
	// The cap: errors past max_errors are counted but not printed.
	strbuf_reset(&mem);
	d.max_errors = 3;
	diag_error(&d, "e3");
	diag_error(&d, "e4");
	diag_error(&d, "e5");
	assert_int_equal(d.nerrors, 5);
	assert_string_equal(strbuf_str(&mem), "headroom: error: e3\ntoo many errors; stopping here\n");
	strbuf_free(&mem);
}

/* Messages quote input; neither its length nor its line breaks may cost the
 * message (a 100 kB -H value printed "headroom bench: error: " and nothing). */
static void test_diag_odd_input(void **state)
{
	(void)state;
	struct strbuf mem;
	strbuf_init(&mem, 0);
	struct diag d;
	diag_init_mem(&d, &mem);
	size_t big = 100000;
	char *long_text = malloc(big + 1);
	assert_non_null(long_text);
	memset(long_text, 'a', big);
	long_text[big] = 0;
	diag_error(&d, "header '%s': too long", long_text);
	const char *out = strbuf_str(&mem);
	assert_true(strncmp(out, "headroom: error: header 'aaa", 28) == 0);
	assert_true(mem.len > 1000 && mem.len < 4096);
	assert_string_equal(out + mem.len - 6, "aa...\n");
	assert_ptr_equal(strchr(out, '\n'), out + mem.len - 1); // one line

	strbuf_reset(&mem);
	diag_error(&d, "header '%s': expected one line", "X: a\nb\r\x1b[2J");
	assert_string_equal(strbuf_str(&mem),
			    "headroom: error: header 'X: a\\nb\\r\\x1b[2J': expected one line\n");

	// A source line too long to show: the message stays, the excerpt goes.
	strbuf_reset(&mem);
	d.show_source = true;
	struct diag_loc loc = {"h.yaml", 1, (int)big, long_text, 1};
	diag_at(&d, DIAG_ERROR, &loc, "bad");
	assert_string_equal(strbuf_str(&mem), "h.yaml:1:100000: error: bad\n");
	free(long_text);
	strbuf_free(&mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_distance),
		cmocka_unit_test(test_strbuf_cap),
		cmocka_unit_test(test_diag),
		cmocka_unit_test(test_diag_odd_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
