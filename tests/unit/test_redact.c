/* Unit tests for util/redact: a table of messages as libpq, libcurl,
 * hiredis and headroom itself write them, and what must be left of them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "util/redact.h"

static void check(const char *in, const char *want, const char *const *secrets)
{
	char *got = redact_dup(in, secrets);
	if (strcmp(got, want) != 0)
		print_error("in:   %s\nwant: %s\ngot:  %s\n", in, want, got);
	assert_string_equal(got, want);
	free(got);
}

static void test_url_userinfo(void **state)
{
	(void)state;
	check("postgresql://app:s3cret@db/app", "postgresql://app:***@db/app", NULL);
	// A password holding '@', '%', ':' or a space is covered whole.
	check("postgresql://app:p@ss@db/app", "postgresql://app:***@db/app", NULL);
	check("postgresql://app:p%zzw@db:5432/app", "postgresql://app:***@db:5432/app", NULL);
	check("postgresql://app:pass word@db/app", "postgresql://app:***@db/app", NULL);
	check("postgresql://app:a:b:c@db/app", "postgresql://app:***@db/app", NULL);
	check("redis://:hunter22@127.0.0.1:6379/0", "redis://:***@127.0.0.1:6379/0", NULL);
	check("GET http://admin:pw@host:9090/api/v1/query?query=up failed",
	      "GET http://admin:***@host:9090/api/v1/query?query=up failed", NULL);
	// No password: nothing to hide; an '@' in the query is no userinfo.
	check("postgresql://app@db/app", "postgresql://app@db/app", NULL);
	check("http://host/path?mail=a@b.c", "http://host/path?mail=a@b.c", NULL);
	check("http://127.0.0.1:9/api: Connection refused", "http://127.0.0.1:9/api: Connection refused", NULL);
	check("a 'x://' alone", "a 'x://' alone", NULL);
}

static void test_key_value(void **state)
{
	(void)state;
	check("host=db user=app password=s3cret dbname=app", "host=db user=app password=*** dbname=app", NULL);
	check("host=db password='pass word' port=5", "host=db password='***' port=5", NULL);
	check("host=db password='it\\'s' port=5", "host=db password='***' port=5", NULL);
	check("PGPASSWORD=abc psql", "PGPASSWORD=*** psql", NULL);
	check("/hook?token=abcd&x=1", "/hook?token=***&x=1", NULL);
	check("{\"api_key\": \"abcd\", \"n\": 1}", "{\"api_key\": \"***\", \"n\": 1}", NULL);
	check("  password: hunter2\n", "  password: ***\n", NULL);
	check("- client_secret: xyz", "- client_secret: ***", NULL);
	// A secret-like word in a sentence is not a pair.
	check("headroom agent: agent.token: must not be blank", "headroom agent: agent.token: must not be blank", NULL);
	check("source 'db': password: needs a value", "source 'db': password: needs a value", NULL);
	check("tokens=3", "tokens=3", NULL);
	check("password=", "password=", NULL);
}

static void test_auth_header(void **state)
{
	(void)state;
	check("Authorization: Bearer abc.def-ghi", "Authorization: Bearer ***", NULL);
	check("authorization: basic YWRtaW46cHc=", "authorization: basic ***", NULL);
	check("Basically fine", "Basically fine", NULL);
	check("a bearer token needs letters", "a bearer token needs letters", NULL);
}

static void test_literals(void **state)
{
	(void)state;
	const char *secrets[] = {"s3cr3t-tail", "abc", NULL};
	// libpq echoing part of a mangled DSN, with the literal known.
	check("could not translate host name \"s3cr3t-tail@db\"", "could not translate host name \"***@db\"",
	      secrets);
	check("abc is short and stays", "abc is short and stays", secrets);
	const char *hook[] = {"https://hooks.example/services/T0/B0/XyZ", NULL};
	check("webhook failed: https://hooks.example/services/T0/B0/XyZ: timeout", "webhook failed: ***: timeout",
	      hook);
	check(NULL, "", NULL);
}

static void test_url_origin(void **state)
{
	(void)state;
	char b[128];
	assert_string_equal(redact_url_origin("https://hooks.example/services/T0/B0/XyZ", b, sizeof(b)),
			    "https://hooks.example/***");
	assert_string_equal(redact_url_origin("http://u:p@h:81", b, sizeof(b)), "http://h:81");
	assert_string_equal(redact_url_origin("not a url", b, sizeof(b)), "***");
}

static void test_inplace(void **state)
{
	(void)state;
	char b[16] = "password=x y";
	redact_inplace(b, sizeof(b), NULL);
	assert_string_equal(b, "password=*** y");
	char small[11] = "password=x";
	redact_inplace(small, sizeof(small), NULL);
	assert_string_equal(small, "password=*"); // cut to fit, never the secret
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url_userinfo), cmocka_unit_test(test_key_value),
		cmocka_unit_test(test_auth_header), cmocka_unit_test(test_literals),
		cmocka_unit_test(test_url_origin), cmocka_unit_test(test_inplace),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
