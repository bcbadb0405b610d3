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
#include "util/strbuf.h"

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

/* YAML flow style, the place config excerpts show them: a key after '{' or
 * ',' is a pair, its value runs to ',', '}' or ']'. */
static void test_flow_style(void **state)
{
	(void)state;
	check("agent: {token: FLOWTOK31, intervl: 1s}", "agent: {token: ***, intervl: 1s}", NULL);
	check("  - {name: p, type: prometheus, token: T0kEnAbc, password: \"pw x\", timout: 1s}",
	      "  - {name: p, type: prometheus, token: ***, password: \"***\", timout: 1s}", NULL);
	check("x: {a: 1,password: hunter2}", "x: {a: 1,password: ***}", NULL);
	check("[{api_key: k3y-v4lue}]", "[{api_key: ***}]", NULL);
	// A block value runs to the line's end, a comment excluded.
	check("  password: two words here  # set me", "  password: ***  # set me", NULL);
	// A collection where a secret was expected is covered inside its
	// brackets; a block scalar's text is on the next lines.
	check("secrets: {a: b}", "secrets: {***}", NULL);
	check("  password: [Zq9, {x: y}] # no", "  password: [***] # no", NULL);
	check("{token: [], b: 1}", "{token: [], b: 1}", NULL);
	check("  token: |", "  token: |", NULL);
	// A reference hides nothing and stays readable.
	check("  token: ${PROM_TOKEN}", "  token: ${PROM_TOKEN}", NULL);
	check("{password: \"${PGPASS}\"}", "{password: \"${PGPASS}\"}", NULL);
	// YAML's doubled quote inside single quotes does not end the value.
	check("{token: 'it''s', b: 1}", "{token: '***', b: 1}", NULL);
	check("--requirepass $REDIS_PASSWORD", "--requirepass $REDIS_PASSWORD", NULL);
	check("amqp://u:${RABBIT_PASSWORD}@rabbit//", "amqp://u:${RABBIT_PASSWORD}@rabbit//", NULL);
	check("https://hooks.slack.com/${WEB_WEBHOOK} Bearer ${API_TOKEN}",
	      "https://hooks.slack.com/${WEB_WEBHOOK} Bearer ${API_TOKEN}", NULL);
}

static void test_flags_and_keys(void **state)
{
	(void)state;
	check("redis-server --requirepass S3CR3T --maxmemory 1gb", "redis-server --requirepass *** --maxmemory 1gb",
	      NULL);
	check("app --password=abc --db-password 'a b' -v", "app --password=*** --db-password '***' -v", NULL);
	check("--token --verbose", "--token --verbose", NULL);
	check("RABBITMQ_DEFAULT_PASS=guest2", "RABBITMQ_DEFAULT_PASS=***", NULL);
	check("SECRET_KEY_BASE=abc123", "SECRET_KEY_BASE=***", NULL);
	check("bypass=1 compass=2", "bypass=1 compass=2", NULL);
	check("  Authorization: Bearer abc", "  Authorization: Bearer ***", NULL);
	check("  webhook: https://example.org/x", "  webhook: ***", NULL);
	assert_true(redact_secret_key("POSTGRES_PASSWORD", 17));
	assert_true(redact_secret_key("--masterauth", 12));
	assert_false(redact_secret_key("tokens", 6));
	assert_false(redact_secret_key("--", 2));
}

static void test_webhooks(void **state)
{
	(void)state;
	check("url: https://hooks.slack.com/services/T0/B0/XyZ, intervl: 1s",
	      "url: https://hooks.slack.com/***, intervl: 1s", NULL);
	check("post to http://127.0.0.1:8080/services/T0/abc failed", "post to http://127.0.0.1:8080/*** failed", NULL);
	check("https://discord.com/api/webhooks/123/abc", "https://discord.com/***", NULL);
	check("https://acme.webhook.office.com/webhookb2/x", "https://acme.webhook.office.com/***", NULL);
	check("https://api.telegram.org/bot123:AAH/sendMessage", "https://api.telegram.org/***", NULL);
	check("http://u:pw@hooks.example/x", "http://u:***@hooks.example/***", NULL);
	// Running text between a "://" and a '/' is no host; a "://" is no path.
	check("see x://a webhook b/c", "see x://a webhook b/c", NULL);
	check("a://webhook:x=redis://h/0", "a://webhook:x=redis://h/0", NULL);
	// Other URLs keep their paths.
	check("http://127.0.0.1:9090/api/v1/query", "http://127.0.0.1:9090/api/v1/query", NULL);
	check("see https://discord.com/channels/1", "see https://discord.com/channels/1", NULL);
}

static void test_tokens(void **state)
{
	(void)state;
	check("x ghp_0123456789abcdefABCDEF0123 y", "x *** y", NULL);
	check("note: xoxb-1234-5678-abcdefgh.", "note: ***.", NULL);
	check("id AKIAIOSFODNN7EXAMPLE end", "id *** end", NULL);
	check("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl ok", "jwt *** ok", NULL);
	check("k Zq9aB3cD4eF5gH6iJ7kL8mN9oP0qR1sT2u", "k ***", NULL);
	// Long words that are not credentials stay: one case, hex, dotted names.
	check("postgres.connections.used_ratio_of_the_whole_cluster", "postgres.connections.used_ratio_of_the_whole_cluster",
	      NULL);
	check("sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
	      "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", NULL);
	check("AbcdefghijKlmnopqrstUvwxyz0123456789.example.com", "AbcdefghijKlmnopqrstUvwxyz0123456789.example.com", NULL);
	// A secret-bearing key is no token, however it looks: its value is the secret.
	check("AbcdefghijKlmnopqrstUvwxyz0123456789_secret.x=${V}", "AbcdefghijKlmnopqrstUvwxyz0123456789_secret.x=${V}",
	      NULL);
}

/* Excerpts: one '*' a character, so a caret below keeps its column. */
static void test_aligned(void **state)
{
	(void)state;
	struct strbuf sb;
	strbuf_init(&sb, 0);
	assert_int_equal(redact_append_aligned(&sb, "agent: {token: FLOWTOK31, intervl: 1s}", NULL), 0);
	assert_string_equal(strbuf_str(&sb), "agent: {token: *********, intervl: 1s}");
	strbuf_reset(&sb);
	assert_int_equal(redact_append_aligned(&sb, "  password: \"p\tw\xc3\xa9\"", NULL), 0);
	assert_string_equal(strbuf_str(&sb), "  password: \"*\t**\"");
	strbuf_reset(&sb);
	assert_int_equal(redact_append_aligned(&sb, "dsn: postgresql://a:bc@h/d", NULL), 0);
	assert_string_equal(strbuf_str(&sb), "dsn: postgresql://a:**@h/d");
	strbuf_free(&sb);
}

static void check_refs(const char *in, const char *prefix, const char *want, size_t nwant, const char *const *vars)
{
	struct strbuf sb;
	strbuf_init(&sb, 0);
	struct redact_ref *refs;
	size_t n;
	assert_int_equal(redact_refs(in, prefix, &sb, &refs, &n), 0);
	if (strcmp(strbuf_str(&sb), want) != 0)
		print_error("in:   %s\nwant: %s\ngot:  %s\n", in, want, strbuf_str(&sb));
	assert_string_equal(strbuf_str(&sb), want);
	assert_int_equal(n, nwant);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(refs[i].var, vars[i]);
	free(refs);
	strbuf_free(&sb);
}

static void test_refs(void **state)
{
	(void)state;
	const char *v1[] = {"REDIS_REQUIREPASS"};
	check_refs("redis-server --requirepass S3CR3T --maxmemory 512mb", "redis",
		   "redis-server --requirepass ${REDIS_REQUIREPASS} --maxmemory 512mb", 1, v1);
	const char *v2[] = {"WORKER_RABBIT_PASSWORD", "WORKER_REDIS_PASSWORD"};
	check_refs("celery -A app worker -b amqp://u:pw@rabbit:5672// --result-backend redis://:x@redis:6379/0",
		   "worker",
		   "celery -A app worker -b amqp://u:${WORKER_RABBIT_PASSWORD}@rabbit:5672// --result-backend "
		   "redis://:${WORKER_REDIS_PASSWORD}@redis:6379/0",
		   2, v2);
	// The same secret twice is one variable; two under one name are two.
	const char *v3[] = {"DB_PASSWORD", "DB_PASSWORD_2"};
	check_refs("a --password one b --password one c --password two", "db",
		   "a --password ${DB_PASSWORD} b --password ${DB_PASSWORD} c --password ${DB_PASSWORD_2}", 2, v3);
	// References only: unchanged, nothing to name.
	check_refs("redis-server --requirepass ${REDIS_PASS}", "redis", "redis-server --requirepass ${REDIS_PASS}", 0,
		   NULL);
	char **names;
	assert_int_equal(redact_ref_names("a ${B_1} $C $$D ${B_1} ${e f} $", &names), 2);
	assert_string_equal(names[0], "B_1");
	assert_string_equal(names[1], "C");
	free(names[0]);
	free(names[1]);
	free(names);
	assert_int_equal(redact_ref_names("no refs $$HOME $1", &names), 0);
	assert_null(names);
	// A '$' just before a secret goes with it: "$${VAR}" would be Compose's literal.
	const char *v5[] = {"X_TOKEN"};
	check_refs("a pa$ghp_0123456789abcdefABCDEF0123 b", "x", "a pa${X_TOKEN} b", 1, v5);
	// Authorization keeps its scheme, and its reference is no secret the second time.
	const char *v6[] = {"X_AUTHORIZATION"};
	check_refs("  Authorization: Bearer abc\n", "x", "  Authorization: Bearer ${X_AUTHORIZATION}\n", 1, v6);
	check_refs("  Authorization: Bearer ${X_AUTHORIZATION}\n", "x", "  Authorization: Bearer ${X_AUTHORIZATION}\n", 0,
		   NULL);
	const char *v4[] = {"_1APP_TOKEN"};
	check_refs("run ghp_0123456789abcdefABCDEF0123", "1app", "run ${_1APP_TOKEN}", 1, v4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url_userinfo), cmocka_unit_test(test_key_value),
		cmocka_unit_test(test_auth_header), cmocka_unit_test(test_literals),
		cmocka_unit_test(test_url_origin), cmocka_unit_test(test_inplace),
		cmocka_unit_test(test_flow_style), cmocka_unit_test(test_flags_and_keys),
		cmocka_unit_test(test_webhooks), cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_aligned), cmocka_unit_test(test_refs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
