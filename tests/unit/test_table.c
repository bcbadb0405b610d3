/* Unit tests for out/table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "render/table.h"

static void test_render(void **state)
{
	(void)state;
	const char *h[] = {"users", "stage", "cost"};
	struct table *t = table_new(3, h);
	table_align_right(t, 0);
	table_align_right(t, 2);
	table_add(t, "500", "single", "\xE2\x82\xAC" "3.99");
	table_add(t, "10000", "ha", "$41.00");
	struct strbuf sb;
	strbuf_init(&sb, 0);
	assert_int_equal(table_render(t, &sb), 0);
	assert_string_equal(strbuf_str(&sb),
			    "users  stage     cost\n"
			    "-----  ------  ------\n"
			    "  500  single   \xE2\x82\xAC" "3.99\n"
			    "10000  ha      $41.00\n");
	strbuf_free(&sb);
	table_free(t);
	table_free(NULL);
	assert_int_equal(table_text_width("\xE2\x82\xAC" "15"), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_render)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
