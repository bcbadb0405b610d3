/* Unit tests for config/: the loader's values and the exact text of its errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "config/fx.h"
#include "config/schema.h"
#include "config/yaml.h"
#include "model/availability.h"
#include "util/strbuf.h"
#include "testutil.h"

/* Load text named t.yaml; return the loader's result, messages in *msgs. */
static int load(const char *text, struct config **cfg, struct strbuf *msgs)
{
	struct diag d;
	strbuf_init(msgs, 0);
	diag_init_mem(&d, msgs);
	return config_load_string("t.yaml", text, strlen(text), &d, cfg);
}

/* The text must be rejected with exactly these messages. */
static void expect_errors(const char *text, const char *want)
{
	struct config *cfg = (void *)1;
	struct strbuf msgs;
	int rc = load(text, &cfg, &msgs);
	if (rc != HR_E_INVALID)
		fail_msg("accepted (rc %d): %s", rc, text);
	assert_null(cfg);
	if (strcmp(strbuf_str(&msgs), want) != 0)
		fail_msg("messages differ\n--- got\n%s--- want\n%s", strbuf_str(&msgs), want);
	strbuf_free(&msgs);
}

static struct config *expect_ok(const char *text)
{
	struct config *cfg = NULL;
	struct strbuf msgs;
	int rc = load(text, &cfg, &msgs);
	if (rc != 0)
		fail_msg("rejected: %s", strbuf_str(&msgs));
	assert_string_equal(strbuf_str(&msgs), "");
	strbuf_free(&msgs);
	return cfg;
}

static void test_nested_typo(void **state)
{
	(void)state;
	expect_errors("triggers:\n"
		      "  cpu:\n"
		      "    metric: cpu.utilization\n"
		      "    direciton: below\n",
		      "t.yaml:4:5: error: unknown key 'direciton' in 'triggers.cpu'; did you mean 'direction'?\n");
	expect_errors("workload:\n  users: 10\n  daily_active: 1\n  peak_concurrent: 1\n"
		      "  requests:\n    - {name: a, rate: 1/s, duration: 1s, cpu: 1ms, db_querys: 2}\n",
		      "t.yaml:6:52: error: unknown key 'db_querys' in 'workload.requests[0]'; did you mean 'db_queries'?\n");
	expect_errors("wrkload: {}\n",
		      "t.yaml:1:1: error: unknown key 'wrkload' at the top level; did you mean 'workload'?\n");
	expect_errors("zzz: 1\n", "t.yaml:1:1: error: unknown key 'zzz' at the top level\n");
}

static void test_truncated(void **state)
{
	(void)state;
	expect_errors("workload:\n  users: \"2000\n",
		      "t.yaml:3:1: error: invalid YAML: found unexpected end of stream while scanning a quoted scalar"
		      " (started at line 2, column 10)\n");
	expect_errors("agent: {listen: x\n",
		      "t.yaml:2:1: error: invalid YAML: did not find expected ',' or '}' while parsing a flow mapping"
		      " (started at line 1, column 8)\n");
	expect_errors("", "t.yaml: error: the file is empty; expected a mapping with workload:, components:, triggers: ...\n");
	expect_errors("- a\n", "t.yaml:1:1: error: expected a mapping of keys at the top of the file, got a list\n");
}

static void test_type_errors(void **state)
{
	(void)state;
	const char *head = "workload:\n  users: 10\n  daily_active: 1\n  peak_concurrent: 1\n  requests:\n    - name: a\n      rate: 1/s\n      cpu: 1ms\n";
	char buf[512];
	snprintf(buf, sizeof(buf), "%s      duration: fast\n", head);
	expect_errors(buf, "t.yaml:9:17: error: workload.requests[0].duration: expected a duration with a unit,"
			   " such as 250ms, 15s, 5m, 2h or 7d, got 'fast'\n");
	snprintf(buf, sizeof(buf), "%s      duration: -5s\n", head);
	expect_errors(buf, "t.yaml:9:17: error: workload.requests[0].duration: a duration cannot be negative, got '-5s'\n");
	snprintf(buf, sizeof(buf), "%s      duration: 1s\n      memory: 4GX\n", head);
	expect_errors(buf, "t.yaml:10:15: error: workload.requests[0].memory: expected a size with a unit,"
			   " such as 512MiB, 4GiB or 25GB, got '4GX'\n");
	snprintf(buf, sizeof(buf), "%s      duration: 1s\n      bytes_out: 20\n", head);
	expect_errors(buf, "t.yaml:10:18: error: workload.requests[0].bytes_out: a size needs a unit"
			   " (B, kB, MB, GB, TB, KiB, MiB, GiB, TiB), e.g. 512MiB, got '20'\n");
	expect_errors("components:\n  app: {kind: ap}\n",
		      "t.yaml:2:15: error: components.app.kind: expected one of app, worker, postgres, redis, proxy,"
		      " other, got 'ap'; did you mean 'app'?\n");
	expect_errors("components:\n  app: {kind: app, workers: 1.5}\n",
		      "t.yaml:2:29: error: components.app.workers: expected a whole number such as 4, got '1.5'\n");
	expect_errors("agent: [1]\n", "t.yaml:1:8: error: agent: expected a mapping, got a list\n");
	expect_errors("agent: {listen: [a]}\n", "t.yaml:1:17: error: agent.listen: expected a string, got a list\n");
	expect_errors("triggers: {x: {enabled: yes}}\n",
		      "t.yaml:1:25: error: triggers.x.enabled: expected true or false, got 'yes'\n");
	expect_errors("agent: {interval: }\n",
		      "t.yaml:1:19: error: agent.interval: missing value; expected a duration such as 250ms, 15s or 5m\n");
}

static void test_bounds(void **state)
{
	(void)state;
	expect_errors("objectives: {utilization: {cpu: 120%}}\n",
		      "t.yaml:1:33: error: objectives.utilization.cpu: must be greater than 0% and at most 100%, got '120%'\n");
	expect_errors("objectives: {utilization: {cpu: 0}}\n",
		      "t.yaml:1:33: error: objectives.utilization.cpu: must be greater than 0, got '0'\n");
	expect_errors("objectives: {utilization: {memory: 80}}\n",
		      "t.yaml:1:36: error: objectives.utilization.memory: a bare ratio must be between 0 and 1;"
		      " write 70% for a percentage, got '80'\n");
	expect_errors("agent: {interval: 100ms}\n",
		      "t.yaml:1:19: error: agent.interval: must be at least 1.00 s, got '100ms'\n");
}

static void test_env(void **state)
{
	(void)state;
	unsetenv("HR_TEST_UNSET");
	expect_errors("agent:\n  token: \"Bearer ${HR_TEST_UNSET}\"\n",
		      "t.yaml:2:18: error: agent.token: environment variable 'HR_TEST_UNSET' is not set\n");
	expect_errors("agent:\n  token: x${bad-name}\n",
		      "t.yaml:2:11: error: agent.token: expected ${NAME} with NAME made of letters, digits and '_'\n");
	expect_errors("agent:\n  token: ${OPEN\n",
		      "t.yaml:2:10: error: agent.token: '${' is not closed by '}' (write $${ for a literal ${)\n");
	setenv("HR_TEST_TOKEN", "s3cret", 1);
	struct config *cfg = expect_ok("agent:\n  token: ${HR_TEST_TOKEN}\n  webhook: \"$${HR_TEST_TOKEN} and ${HR_TEST_TOKEN}\"\n");
	assert_string_equal(cfg->agent.token, "s3cret");
	assert_string_equal(cfg->agent.webhook, "${HR_TEST_TOKEN} and s3cret");
	config_free(cfg);
	unsetenv("HR_TEST_TOKEN");
}

static void test_duplicates_and_required(void **state)
{
	(void)state;
	expect_errors("agent:\n  interval: 10s\n  interval: 20s\n",
		      "t.yaml:3:3: error: duplicate key 'interval' (first at line 2, column 3)\n");
	expect_errors("workload:\n  users: 10\n  daily_active: 50%\n",
		      "t.yaml:2:3: error: workload: missing required key 'peak_concurrent'\n");
	expect_errors("components:\n  app:\n",
		      "t.yaml:2:7: error: components.app: missing required key 'kind'\n");
	expect_errors("a: &x 1\nb: *nope\n", "t.yaml:2:4: error: no anchor &nope before this alias\n");
	expect_errors("{a: 1}\n---\n{b: 2}\n", "t.yaml:2:1: error: only one YAML document is allowed in a file\n");
	// All errors, not just the first.
	expect_errors("agent: {interval: x, retention: y}\n",
		      "t.yaml:1:19: error: agent.interval: expected a duration with a unit, such as 250ms, 15s, 5m, 2h or 7d, got 'x'\n"
		      "t.yaml:1:33: error: agent.retention: expected a duration with a unit, such as 250ms, 15s, 5m, 2h or 7d, got 'y'\n");
}

/* On a terminal the source line and a caret under the offending text follow. */
static void test_show_source(void **state)
{
	(void)state;
	struct strbuf msgs;
	strbuf_init(&msgs, 0);
	struct diag d;
	diag_init_mem(&d, &msgs);
	d.show_source = true;
	struct config *cfg;
	const char *text = "agent:\n  intervl: 5s\n  retention: \"-1d\"\n";
	assert_int_equal(config_load_string("t.yaml", text, strlen(text), &d, &cfg), HR_E_INVALID);
	assert_string_equal(strbuf_str(&msgs),
			    "t.yaml:2:3: error: unknown key 'intervl' in 'agent'; did you mean 'interval'?\n"
			    "      intervl: 5s\n"
			    "      ^~~~~~~\n"
			    "t.yaml:3:14: error: agent.retention: a duration cannot be negative, got '-1d'\n"
			    "      retention: \"-1d\"\n"
			    "                 ^~~~~\n");
	// A problem at the very end of the input has no line to show, and must not read past it.
	strbuf_reset(&msgs);
	text = "agent: [";
	assert_int_equal(config_load_string("t.yaml", text, strlen(text), &d, &cfg), HR_E_INVALID);
	assert_string_equal(strbuf_str(&msgs), "t.yaml:2:1: error: invalid YAML: did not find expected node content"
					       " while parsing a flow node (started at line 2, column 1)\n");
	strbuf_free(&msgs);
}

static void test_caps(void **state)
{
	(void)state;
	// Nesting past YAML_MAX_DEPTH is refused before it can exhaust anything.
	struct strbuf sb;
	strbuf_init(&sb, 0);
	for (int i = 0; i < YAML_MAX_DEPTH + 2; i++)
		assert_int_equal(strbuf_puts(&sb, "["), 0);
	struct config *cfg;
	struct strbuf msgs;
	assert_int_equal(load(strbuf_str(&sb), &cfg, &msgs), HR_E_INVALID);
	assert_string_equal(strbuf_str(&msgs), "t.yaml:1:65: error: nesting deeper than 64 levels\n");
	strbuf_free(&msgs);
	strbuf_free(&sb);
}

/* Anchors, aliases and merge keys (config/yaml.c): an alias is a copy of its
 * anchor's node, a merge key folds mappings in with the written keys
 * winning, and neither can grow the tree past the node cap. */
static struct yaml_doc *parse_ok(const char *text)
{
	struct strbuf msgs;
	strbuf_init(&msgs, 0);
	struct diag d;
	diag_init_mem(&d, &msgs);
	struct yaml_doc *doc = NULL;
	if (yaml_doc_parse("t.yaml", text, strlen(text), &d, &doc) != 0 || !doc)
		fail_msg("rejected: %s", strbuf_str(&msgs));
	assert_string_equal(strbuf_str(&msgs), "");
	strbuf_free(&msgs);
	return doc;
}

static void parse_fails(const char *text, int want_rc, const char *want)
{
	struct strbuf msgs;
	strbuf_init(&msgs, 0);
	struct diag d;
	diag_init_mem(&d, &msgs);
	struct yaml_doc *doc = (void *)1;
	int rc = yaml_doc_parse("t.yaml", text, strlen(text), &d, &doc);
	assert_int_equal(rc, want_rc);
	assert_null(doc);
	if (strcmp(strbuf_str(&msgs), want) != 0)
		fail_msg("messages differ\n--- got\n%s--- want\n%s", strbuf_str(&msgs), want);
	strbuf_free(&msgs);
}

/* The value of key under map (NULL when absent). */
static const struct ynode *get(const struct ynode *map, const char *key)
{
	assert_int_equal(map->type, YNODE_MAP);
	for (size_t i = 0; i < map->n; i++)
		if (strcmp(map->keys[i]->str, key) == 0)
			return map->items[i];
	return NULL;
}

static void test_aliases(void **state)
{
	(void)state;
	struct yaml_doc *doc = parse_ok("a: &x 1\nb: *x\nc: &l [1, 2]\nd: *l\n");
	assert_string_equal(get(doc->root, "b")->str, "1");
	assert_int_equal(get(doc->root, "b")->line, 2); /* the copy stands where the alias does */
	assert_int_equal(get(doc->root, "b")->col, 4);
	assert_int_equal(get(doc->root, "d")->n, 2);
	assert_ptr_not_equal(get(doc->root, "d"), get(doc->root, "c")); /* a copy: the tree owns each node once */
	yaml_doc_free(doc);

	// A later &name hides an earlier one, even one inside the collection
	// the first names; that collection is still usable once it ends.
	doc = parse_ok("a: &x 1\nb: &x 2\nc: *x\nd: &y [&y 3]\ne: *y\n");
	assert_string_equal(get(doc->root, "c")->str, "2");
	assert_int_equal(get(doc->root, "e")->type, YNODE_SCALAR);
	assert_string_equal(get(doc->root, "e")->str, "3");
	yaml_doc_free(doc);

	// A merge key: the written key wins, merged keys take the << key's place.
	doc = parse_ok("x-base: &base {image: app, restart: always}\n"
		       "web:\n  <<: *base\n  restart: \"no\"\n");
	const struct ynode *web = get(doc->root, "web");
	assert_int_equal(web->n, 2);
	assert_string_equal(web->keys[0]->str, "image");
	assert_string_equal(web->keys[1]->str, "restart");
	assert_string_equal(web->items[1]->str, "no");
	assert_null(get(web, "<<"));
	yaml_doc_free(doc);

	// A list of mappings: the earlier one wins over the later.
	doc = parse_ok("a: &a {k: 1, only_a: 1}\nb: &b {k: 2, only_b: 2}\nc: {<<: [*a, *b]}\n");
	const struct ynode *c = get(doc->root, "c");
	assert_int_equal(c->n, 3);
	assert_string_equal(get(c, "k")->str, "1");
	assert_string_equal(get(c, "only_b")->str, "2");
	yaml_doc_free(doc);

	// An anchor on the merged mapping itself still names all of it later.
	doc = parse_ok("web: {<<: &b {image: x, cpus: 2}, cpus: 1}\nworker: {<<: *b}\n");
	assert_string_equal(get(get(doc->root, "web"), "cpus")->str, "1");
	assert_string_equal(get(get(doc->root, "worker"), "cpus")->str, "2");
	assert_string_equal(get(get(doc->root, "worker"), "image")->str, "x");
	yaml_doc_free(doc);

	// A quoted "<<" is an ordinary key.
	doc = parse_ok("m: {\"<<\": 1}\n");
	assert_string_equal(get(get(doc->root, "m"), "<<")->str, "1");
	yaml_doc_free(doc);

	parse_fails("a: 1\nb: *nope\n", HR_E_INVALID, "t.yaml:2:4: error: no anchor &nope before this alias\n");
	parse_fails("a: &r [1, *r]\n", HR_E_INVALID, "t.yaml:1:11: error: the alias *r is inside the collection it names (line 1)\n");
	parse_fails("a: &s 1\nb: {<<: *s}\n", HR_E_INVALID,
		    "t.yaml:2:9: error: the merge key << takes a mapping or a list of mappings (an alias of one)\n");
	// In a config: x- keys at the top are extension fields, a place for
	// anchors that sections merge; anywhere else an x- key is unknown.
	struct config *cfg = expect_ok("x-rel: &r {repair: 45m, provision: 20m}\nreliability: {<<: *r, provision: 10m}\n");
	assert_true(cfg->reliability.repair_s == 2700);
	assert_true(cfg->reliability.provision_s == 600);
	config_free(cfg);
	expect_errors("agent: {x-note: 1}\n", "t.yaml:1:9: error: unknown key 'x-note' in 'agent'\n");

	// Written twice beside a merge: still a duplicate (reported, parse goes on).
	struct strbuf msgs;
	strbuf_init(&msgs, 0);
	struct diag d;
	diag_init_mem(&d, &msgs);
	const char *dup = "a: &a {k: 1}\nb: {<<: *a, j: 1, j: 2}\n";
	assert_int_equal(yaml_doc_parse("t.yaml", dup, strlen(dup), &d, &doc), 0);
	assert_int_equal(doc->n_errors, 1);
	assert_string_equal(strbuf_str(&msgs), "t.yaml:2:19: error: duplicate key 'j' (first at line 2, column 13)\n");
	assert_string_equal(get(get(doc->root, "b"), "k")->str, "1");
	yaml_doc_free(doc);
	strbuf_free(&msgs);
}

/* "Billion laughs": each level ten aliases of the one before. It stops at
 * the node cap, at once, having built no more than the cap. */
static void test_alias_bomb(void **state)
{
	(void)state;
	struct strbuf sb;
	strbuf_init(&sb, 0);
	assert_int_equal(strbuf_puts(&sb, "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"), 0);
	for (int i = 1; i < 10; i++) {
		assert_int_equal(strbuf_printf(&sb, "a%d: &a%d [", i, i), 0);
		for (int j = 0; j < 10; j++)
			assert_int_equal(strbuf_printf(&sb, "%s*a%d", j ? ", " : "", i - 1), 0);
		assert_int_equal(strbuf_puts(&sb, "]\n"), 0);
	}
	struct strbuf msgs;
	strbuf_init(&msgs, 0);
	struct diag d;
	diag_init_mem(&d, &msgs);
	struct yaml_doc *doc = (void *)1;
	assert_int_equal(yaml_doc_parse("t.yaml", strbuf_str(&sb), sb.len, &d, &doc), HR_E_TOO_LARGE);
	assert_null(doc);
	assert_non_null(strstr(strbuf_str(&msgs), "takes the document past 200000 nodes"));
	strbuf_free(&msgs);
	strbuf_free(&sb);
	// Merging the same way is bounded as well.
	strbuf_init(&sb, 0);
	assert_int_equal(strbuf_puts(&sb, "m0: &m0 {"), 0);
	for (int j = 0; j < 1000; j++)
		assert_int_equal(strbuf_printf(&sb, "%sk%d: [1, 2, 3, 4, 5, 6, 7, 8, 9]", j ? ", " : "", j), 0);
	assert_int_equal(strbuf_puts(&sb, "}\n"), 0);
	for (int i = 1; i < 40; i++)
		assert_int_equal(strbuf_printf(&sb, "m%d: {<<: *m0}\n", i), 0);
	strbuf_init(&msgs, 0);
	diag_init_mem(&d, &msgs);
	assert_int_equal(yaml_doc_parse("t.yaml", strbuf_str(&sb), sb.len, &d, &doc), HR_E_TOO_LARGE);
	assert_non_null(strstr(strbuf_str(&msgs), "past 200000 nodes"));
	strbuf_free(&msgs);
	strbuf_free(&sb);
}

/* What aliases and merge keys copy is bounded in bytes too (yaml.h:
 * YAML_COPY_FACTOR times the file, at least YAML_COPY_FLOOR), counted
 * before each copy; a mapping that leaves the tree as the value of << is
 * moved, not copied, unless an anchor names it. */
static void test_alias_budget(void **state)
{
	(void)state;
	// A 200,000-byte string: five copies fit the 1 MiB floor, the sixth not.
	struct strbuf sb;
	strbuf_init(&sb, 0);
	assert_int_equal(strbuf_puts(&sb, "s: &s '"), 0);
	for (int i = 0; i < 200000; i++)
		assert_int_equal(strbuf_puts(&sb, "a"), 0);
	assert_int_equal(strbuf_puts(&sb, "'\nl: [*s, *s, *s, *s, *s]\n"), 0);
	struct strbuf msgs;
	strbuf_init(&msgs, 0);
	struct diag d;
	diag_init_mem(&d, &msgs);
	struct yaml_doc *doc = NULL;
	assert_int_equal(yaml_doc_parse("t.yaml", strbuf_str(&sb), sb.len, &d, &doc), 0);
	assert_int_equal(doc->copied_bytes, 1000000);
	yaml_doc_free(doc);
	assert_int_equal(strbuf_puts(&sb, "m: *s\n"), 0);
	assert_int_equal(yaml_doc_parse("t.yaml", strbuf_str(&sb), sb.len, &d, &doc), HR_E_TOO_LARGE);
	assert_null(doc);
	assert_string_equal(strbuf_str(&msgs), "t.yaml:3:4: error: aliases and merge keys would copy 1200000 bytes with "
					       "*s, more than the 1048576 this file may expand to (4 times its size, "
					       "at least 1 MiB)\n");
	strbuf_free(&sb);
	strbuf_free(&msgs);

	// Merged from an alias: its copy is counted once, then moved in.
	doc = parse_ok("x: &x {k: '0123456789'}\na: {<<: *x}\nb: {<<: [*x, {j: '01234'}]}\n");
	assert_int_equal(doc->copied_bytes, 2 * (1 + 10));
	assert_string_equal(get(get(doc->root, "a"), "k")->str, "0123456789");
	assert_string_equal(get(get(doc->root, "b"), "j")->str, "01234");
	yaml_doc_free(doc);
	// Named by an anchor, in place or as a list, the merged mapping is
	// copied and stays whole for a later alias.
	doc = parse_ok("x-a: &a {k: 1}\nx-b: &b {j: 2}\nw1: {<<: &m [*a, *b], z: 3}\nw2: {<<: *m}\n"
		       "w3: {<<: [&c {q: 4}]}\nw4: {<<: *c}\nw5: *c\n");
	assert_string_equal(get(get(doc->root, "w1"), "j")->str, "2");
	assert_string_equal(get(get(doc->root, "w2"), "k")->str, "1");
	assert_string_equal(get(get(doc->root, "w2"), "j")->str, "2");
	assert_string_equal(get(get(doc->root, "w3"), "q")->str, "4");
	assert_string_equal(get(get(doc->root, "w4"), "q")->str, "4");
	assert_string_equal(get(get(doc->root, "w5"), "q")->str, "4");
	yaml_doc_free(doc);
}

/* Bytes libyaml's reader refuses are located at their own line and column
 * (in characters, a byte order mark not counted), not at 1:1. */
static void test_reader_errors(void **state)
{
	(void)state;
#define TEXT(s) s, sizeof(s) - 1 /* the text may hold NUL bytes */
	static const struct {
		const char *text;
		size_t len;
		const char *want;
	} cases[] = {
		{TEXT("a: 1\nb: 2\nc: \"x\0y\"\n"), "t.yaml:3:6: error: invalid YAML: control characters are not allowed (U+0000)\n"},
		{TEXT("\xc3\xa9: 1\nb: \xc3\xa9\xff\n"), "t.yaml:2:5: error: invalid YAML: invalid leading UTF-8 octet (byte 0xFF)\n"},
		{TEXT("\xef\xbb\xbf" "a: \"\x01\"\n"), "t.yaml:1:5: error: invalid YAML: control characters are not allowed (U+0001)\n"},
		{TEXT("a: 1\nb: \xe2\x82"), "t.yaml:2:4: error: invalid YAML: incomplete UTF-8 octet sequence\n"},
		{TEXT("\xff\xfe" "a\0:\0 \0\0\xd8\n\0"), "t.yaml: error: invalid YAML: expected low surrogate area (U+000A) at byte 10\n"},
	};
#undef TEXT
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct strbuf msgs;
		strbuf_init(&msgs, 0);
		struct diag d;
		diag_init_mem(&d, &msgs);
		struct yaml_doc *doc = (void *)1;
		assert_int_equal(yaml_doc_parse("t.yaml", cases[i].text, cases[i].len, &d, &doc), HR_E_INVALID);
		assert_null(doc);
		if (strcmp(strbuf_str(&msgs), cases[i].want) != 0)
			fail_msg("case %zu\n--- got\n%s--- want\n%s", i, strbuf_str(&msgs), cases[i].want);
		strbuf_free(&msgs);
	}
}

/* A double-quoted "\0" puts a NUL inside a scalar: it was copied up to the
 * NUL but kept its full length, and the error location (yaml.c) and the
 * ${VAR} expansion (schema.c) read past the copy. Refused where it is read,
 * in a value and in a key, with the caret shown, under ASan. */
static void test_escaped_nul(void **state)
{
	(void)state;
	expect_errors("workload:\n  users: \"ab\\0cdefgh\\nijk\"\n",
		      "t.yaml:2:10: error: a value cannot hold a NUL character (\\0)\n");
	expect_errors("workload:\n  \"us\\0ers\": 5\n", "t.yaml:2:3: error: a value cannot hold a NUL character (\\0)\n");
	expect_errors("metrics:\n  sources:\n    - type: \"\\0local\"\n      url: \"${\\0}\"\n",
		      "t.yaml:3:13: error: a value cannot hold a NUL character (\\0)\n");
	expect_errors("triggers: {cpu: {warn: \"70\\x00%\"}}\n",
		      "t.yaml:1:24: error: a value cannot hold a NUL character (\\0)\n");
	struct strbuf msgs;
	strbuf_init(&msgs, 0);
	struct diag d;
	diag_init_mem(&d, &msgs);
	d.show_source = true;
	struct config *cfg;
	const char *text = "agent:\n  listen: \"a\\0bcdefghijklmnopqrstuvwxyz\"\n";
	assert_int_equal(config_load_string("t.yaml", text, strlen(text), &d, &cfg), HR_E_INVALID);
	assert_string_equal(strbuf_str(&msgs), "t.yaml:2:11: error: a value cannot hold a NUL character (\\0)\n"
					       "      listen: \"a\\0bcdefghijklmnopqrstuvwxyz\"\n"
					       "              ^\n");
	strbuf_free(&msgs);
}

/* agent.token is a bearer token (RFC 6750 b64token): blank or with spaces
 * it is refused, not taken as "no token". */
static void test_agent_token(void **state)
{
	(void)state;
	expect_errors("agent:\n  token: \"   \"\n",
		      "t.yaml:2:10: error: agent.token: is blank; a bearer token needs letters or digits (RFC 6750 b64token)\n");
	expect_errors("agent:\n  token: \"\"\n",
		      "t.yaml:2:10: error: agent.token: is blank; a bearer token needs letters or digits (RFC 6750 b64token)\n");
	expect_errors("agent:\n  token: \"ab cd\"\n",
		      "t.yaml:2:10: error: agent.token: may hold only letters, digits and -._~+/ then '=' (RFC 6750 "
		      "b64token); it holds a character at position 3 that a client cannot send as is\n");
	config_free(expect_ok("agent:\n  token: \"aZ09-._~+/==\"\n"));
}

static void test_triggers(void **state)
{
	(void)state;
	struct config *cfg = expect_ok("triggers:\n"
				       "  p95: {metric: http.p95, warn: 500ms, crit: 1s}\n"
				       "  mem: {metric: redis.memory, warn: 3GiB, crit: 4GiB}\n"
				       "  q: {metric: redis.queue.celery, warn: 500, crit: 10k}\n"
				       "  free: {metric: disk.free_ratio, direction: below, warn: 30%, crit: 20%}\n"
				       "  cpu: {enabled: false}\n");
	assert_int_equal(cfg->n_triggers, 5);
	assert_string_equal(cfg->triggers[0].name, "p95");
	assert_true(cfg->triggers[0].warn == 0.5 && cfg->triggers[0].crit == 1);
	assert_true(cfg->triggers[1].crit == 4.0 * 1024 * 1024 * 1024);
	assert_true(cfg->triggers[2].warn == 500 && cfg->triggers[2].crit == 10000);
	assert_int_equal(cfg->triggers[3].dir, TRIGGER_BELOW);
	assert_true(fabs(cfg->triggers[3].crit - 0.2) < 1e-12);
	assert_int_equal(cfg->triggers[0].dir, TRIGGER_ABOVE);
	assert_false(cfg->triggers[0].disabled);
	assert_true(cfg->triggers[4].disabled);
	assert_true(isnan(cfg->triggers[4].warn) && isnan(cfg->triggers[4].crit));
	assert_string_equal(cfg->triggers[4].origin, "t.yaml:6");
	config_free(cfg);
	expect_errors("triggers: {x: {warn: 90%, crit: 70%}}\n",
		      "t.yaml:1:33: error: triggers.x: crit must not be below warn for a trigger that fires above its levels\n");
	expect_errors("triggers: {x: {warn: fast}}\n",
		      "t.yaml:1:22: error: triggers.x.warn: expected a level: a ratio (70%), a count (500, 10k),"
		      " a duration (500ms) or a size (4GiB), got 'fast'\n");
}

static void test_money(void **state)
{
	(void)state;
	struct config *cfg = expect_ok("economics:\n"
				       "  currency: USD\n"
				       "  exchange: {EUR: 1.25}\n"
				       "  tiers:\n"
				       "    - {name: a, price: \xE2\x82\xAC" "10/mo, share: 50%}\n"
				       "    - {name: b, price: 0.5/h, share: 50%}\n"
				       "  operations: {rate: $60/h}\n");
	assert_true(fabs(cfg->economics.tiers[0].price - 12.5) < 1e-9);
	assert_true(fabs(cfg->economics.tiers[1].price - 365) < 1e-9); // 0.5 * 730 h
	assert_true(cfg->economics.ops_rate == 60);
	config_free(cfg);
	// Without an override, the shipped reference rate applies.
	cfg = expect_ok("economics: {currency: EUR, operations: {rate: $52.0/h}}\n");
	assert_true(fabs(cfg->economics.ops_rate - 52.0 / fx_per_eur("USD")) < 1e-9);
	config_free(cfg);
	expect_errors("economics: {currency: USD, operations: {rate: 60 ZAR/h}}\n",
		      "t.yaml:1:47: error: economics.operations.rate: unknown currency; use a symbol ($, \xE2\x82\xAC,"
		      " \xC2\xA3) or an ISO code such as USD or EUR, got '60 ZAR/h'\n");
	expect_errors("economics: {currency: EUR, exchange: {CHF: 0}}\n",
		      "t.yaml:1:44: error: economics.exchange.CHF: expected what one CHF is worth in economics.currency,"
		      " a number greater than 0, got '0'\n");
	expect_errors("economics: {tiers: [{name: a, price: $5/mo, share: 60%}]}\n",
		      "t.yaml:1:20: error: economics.tiers: the shares add up to 60%, expected 100%\n");
	expect_errors("economics: {tiers: [{name: a, price: $5, share: 100%}]}\n",
		      "t.yaml:1:38: error: economics.tiers[0].price: expected a price per period such as $5.39/mo or"
		      " $0.0104/h, got '$5'\n");
}

static void test_calibration(void **state)
{
	(void)state;
	struct config *cfg = expect_ok("calibration: {sigma: 0.02, kappa: 0.0001, gamma: 120/s, service_time: 8ms,"
				       " max_rps: 900, cores: 2}\n");
	assert_true(cfg->calibration.present);
	assert_true(cfg->calibration.sigma == 0.02 && cfg->calibration.kappa == 0.0001);
	assert_true(cfg->calibration.gamma == 120 && cfg->calibration.max_rps == 900);
	assert_true(fabs(cfg->calibration.service_s - 0.008) < 1e-12 && cfg->calibration.cores == 2);
	config_free(cfg);

	// A file from `headroom bench --calibrate`, relative to the config.
	char dir[] = "/tmp/hr-calib-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[128], cpath[128];
	snprintf(path, sizeof(path), "%s/calib.yaml", dir);
	snprintf(cpath, sizeof(cpath), "%s/headroom.yaml", dir);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("calibration:\n  url: http://127.0.0.1:8080/\n  measured_at: 2026-01-01T00:00:00Z\n  slo: {p95: 500ms}\n"
	      "  sigma: 0.05\n  kappa: 0.001\n  gamma: 100\n  max_rps: 750/s\n  cores: 4\n  service_time: 9.5ms\n"
	      "  service_cv: 0.25\n  cpu_per_request: 1.2ms\n  concurrency: 7.1\n  cpu_source: process\n"
	      "  ladder_stop: \"throughput fell\"\n"
	      "  points:\n    - {concurrency: 1, throughput: 100, p95: 0.01}\n", fp);
	fclose(fp);
	fp = fopen(cpath, "w");
	assert_non_null(fp);
	fputs("calibration: calib.yaml\n", fp);
	fclose(fp);
	struct diag d;
	struct strbuf msgs;
	strbuf_init(&msgs, 0);
	diag_init_mem(&d, &msgs);
	cfg = NULL;
	assert_int_equal(config_load(cpath, &d, &cfg), 0);
	assert_true(cfg->calibration.present && cfg->calibration.sigma == 0.05 && cfg->calibration.max_rps == 750);
	assert_true(cfg->calibration.cores == 4 && cfg->calibration.has_service_cv && cfg->calibration.service_cv == 0.25);
	assert_true(fabs(cfg->calibration.cpu_s - 0.0012) < 1e-15 && cfg->calibration.concurrency == 7.1);
	config_free(cfg);
	// An error inside the calibration file names that file.
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("calibration:\n  sigma: lots\n  service_time: 5ms\n", fp);
	fclose(fp);
	strbuf_reset(&msgs);
	assert_int_equal(config_load(cpath, &d, &cfg), HR_E_INVALID);
	char want[256];
	snprintf(want, sizeof(want), "%s:2:10: error: calibration.sigma: expected a number, got 'lots'\n", path);
	assert_string_equal(strbuf_str(&msgs), want);
	strbuf_free(&msgs);
	unlink(path);
	unlink(cpath);
	rmdir(dir);
	// The measured machine's size scales what was measured; without it, say so.
	expect_errors("calibration: {service_time: 8ms, max_rps: 900}\n",
		      "t.yaml:1:14: error: calibration: 'cores' (vCPUs of the machine measured) is needed with max_rps, "
		      "concurrency or cpu_per_request, to scale them to other machines\n");
	expect_errors("calibration: {sigma: 0.1}\n", "t.yaml:1:14: error: calibration: missing required key 'service_time'\n");
	expect_errors("calibration: {service_time: 8ms, service_cv: 12}\n",
		      "t.yaml:1:46: error: calibration.service_cv: must be between 0 and 10, got '12'\n");
	expect_errors("calibration: /nonexistent/calib.yaml\n",
		      "/nonexistent/calib.yaml: error: cannot read: No such file or directory\n"
		      "t.yaml:1:14: error: calibration: cannot read the calibration file '/nonexistent/calib.yaml'\n");
}

/* The starter must load with no environment and give these values. */
static void test_starter(void **state)
{
	(void)state;
	unsetenv("PROM_TOKEN");
	struct diag d;
	struct strbuf msgs;
	strbuf_init(&msgs, 0);
	diag_init_mem(&d, &msgs);
	struct config *cfg = NULL;
	int rc = config_load(HEADROOM_SRCDATADIR "/../examples/starter.yaml", &d, &cfg);
	if (rc)
		fail_msg("%s", strbuf_str(&msgs));
	const struct workload *w = &cfg->workload;
	assert_true(w->users == 2000 && fabs(w->growth_monthly - 0.10) < 1e-12);
	assert_int_equal(w->n_milestones, 5);
	assert_true(w->milestones[4] == 25000);
	assert_true(fabs(w->daily_active - 0.3) < 1e-12 && fabs(w->peak_concurrent - 0.1) < 1e-12);
	assert_true(w->storage_per_user_b == 5 * 1048576.0 && w->files_per_user_b == 20 * 1048576.0);
	assert_int_equal(w->n_requests, 2);
	assert_string_equal(w->requests[0].name, "api");
	assert_true(fabs(w->requests[0].rate - 0.1) < 1e-12);
	assert_true(fabs(w->requests[0].duration_s - 0.12) < 1e-12);
	assert_true(w->requests[0].bytes_out == 20000 && w->requests[0].db_queries == 4);
	assert_string_equal(w->requests[1].external.name, "anthropic");
	assert_true(w->requests[1].external.calls == 1 && fabs(w->requests[1].external.price - 0.012) < 1e-12);
	assert_true(w->requests[1].external.rate_limit == 50);
	assert_int_equal(w->n_tasks, 1);
	assert_true(fabs(w->tasks[0].rate_per_user - 1.0 / 3600) < 1e-15 && w->tasks[0].cpu_s == 1.5);
	assert_int_equal(cfg->n_components, 5);
	assert_string_equal(cfg->components[0].name, "app");
	assert_int_equal(cfg->components[0].kind, COMP_APP);
	assert_int_equal(cfg->components[0].workers, 2);
	assert_int_equal(cfg->components[0].concurrency, 100);
	assert_int_equal(cfg->components[0].db_pool, 10);
	assert_true(cfg->components[0].memory_base_b == 150 * 1048576.0);
	assert_int_equal(cfg->components[2].kind, COMP_POSTGRES);
	assert_int_equal(cfg->components[2].max_connections, 100);
	assert_true(cfg->components[2].memory_b == 1073741824.0 && cfg->components[2].memory_base_b == 0);
	assert_int_equal(cfg->components[1].workers, 1);
	const struct deployment *dep = &cfg->deployment;
	assert_int_equal(dep->n_providers, 1);
	assert_string_equal(dep->providers[0], "hetzner");
	for (int s = 0; s < STAGE_COUNT; s++)
		assert_true(dep->stage_allowed[s]);
	assert_int_equal(dep->database, DB_ANY);
	assert_true(fabs(cfg->reliability.app_failures * 365 * 86400 - 24) < 1e-9 && cfg->reliability.response_s == 7200);
	assert_true(cfg->reliability.db_failover_s == 45);
	assert_true(dep->has_current);
	assert_int_equal(dep->current_stage, STAGE_SINGLE);
	assert_int_equal(dep->n_current, 1);
	assert_string_equal(dep->current[0].plan, "cx22");
	assert_int_equal(dep->current[0].count, 1);
	assert_true(cfg->objectives.p95_s == 0.5 && fabs(cfg->objectives.availability - 0.995) < 1e-12);
	assert_true(fabs(cfg->objectives.cpu_max - 0.7) < 1e-12 && fabs(cfg->objectives.ext_rate_max - 0.8) < 1e-12);
	assert_int_equal(cfg->n_triggers, 3);
	assert_string_equal(cfg->triggers[1].name, "celery-queue");
	assert_true(cfg->triggers[1].warn == 500 && cfg->triggers[1].for_s == 600);
	assert_int_equal(cfg->triggers[2].dir, TRIGGER_BELOW);
	assert_true(fabs(cfg->triggers[2].hysteresis - 0.05) < 1e-12);
	assert_string_equal(cfg->economics.currency, "USD");
	assert_int_equal(cfg->economics.n_fx, 1);
	assert_true(cfg->economics.fx_rates[0] == 1.08);
	assert_int_equal(cfg->economics.n_tiers, 2);
	assert_true(cfg->economics.tiers[1].price == 99 && cfg->economics.ops_rate == 60);
	assert_true(cfg->economics.ops_hours[STAGE_CLUSTER] == 12 && cfg->economics.ops_hours[STAGE_SPLIT] == 4);
	assert_int_equal(cfg->catalog.n, 1);
	assert_string_equal(cfg->catalog.offers[0].provider, "hetzner");
	assert_true(cfg->catalog.offers[0].price == 5.39);
	assert_string_equal(cfg->catalog.offers[0].currency, "USD");
	assert_int_equal(cfg->n_sources, 5);
	assert_string_equal(cfg->sources[0].name, "local");
	assert_int_equal(cfg->sources[0].n_mounts, 1);
	assert_int_equal(cfg->sources[3].probes, 10);
	assert_true(cfg->sources[3].timeout_s == 5);
	assert_int_equal(cfg->sources[4].n_queries, 1);
	assert_true(strncmp(cfg->sources[4].queries[0], "http.p95=histogram_quantile(0.95", 32) == 0);
	assert_null(cfg->sources[4].token);
	assert_string_equal(cfg->agent.listen, "127.0.0.1:9870");
	assert_true(cfg->agent.interval_s == 10 && cfg->agent.retention_s == 7 * 86400);
	assert_false(cfg->calibration.present);
	struct diag_loc loc = config_loc(cfg, "deployment.current.nodes[0].plan");
	assert_true(loc.line > 0 && strncmp(loc.src_line + loc.col - 1, "cx22", 4) == 0);
	loc = config_loc(cfg, "no.such.key");
	assert_int_equal(loc.line, 0);
	config_free(cfg);
	strbuf_free(&msgs);
}

static void test_defaults(void **state)
{
	(void)state;
	struct config *cfg = expect_ok("agent: {}\n");
	assert_true(fabs(cfg->objectives.cpu_max - 0.7) < 1e-12);
	assert_true(fabs(cfg->objectives.memory_max - 0.8) < 1e-12);
	assert_true(fabs(cfg->objectives.db_conn_max - 0.8) < 1e-12);
	assert_true(fabs(cfg->objectives.disk_max - 0.8) < 1e-12);
	assert_true(cfg->objectives.p95_s == 0 && cfg->objectives.availability == 0);
	assert_string_equal(cfg->economics.currency, "USD");
	assert_string_equal(cfg->agent.listen, "127.0.0.1:9870");
	assert_true(cfg->agent.interval_s == 10 && cfg->agent.retention_s == 604800);
	config_free(cfg);
	cfg = expect_ok("metrics: {sources: [{type: http, url: x}, {type: http, name: h2, url: y}]}\n");
	assert_int_equal(cfg->sources[0].probes, 10);
	assert_true(cfg->sources[0].timeout_s == 5);
	assert_string_equal(cfg->sources[0].name, "http");
	config_free(cfg);
	expect_errors("metrics: {sources: [{type: http}, {type: http}]}\n",
		      "t.yaml:1:35: error: metrics.sources[1]: a second source named 'http' (the first is"
		      " metrics.sources[0]); give each a unique 'name'\n");
	expect_errors("metrics: {sources: [{type: promethus}]}\n",
		      "t.yaml:1:28: error: metrics.sources[0].type: expected one of local, prometheus, postgres, redis,"
		      " http, got 'promethus'; did you mean 'prometheus'?\n");
}

/* reliability: the key table's defaults are the model's (avail_defaults), to
 * the bit; overrides land; a bad value names its place. */
static void test_reliability(void **state)
{
	(void)state;
	struct config *cfg = expect_ok("agent: {}\n");
	struct reliability want;
	avail_defaults(&want);
	const double *got = (const double *)&cfg->reliability, *exp = (const double *)&want;
	for (size_t i = 0; i < sizeof(want) / sizeof(double); i++)
		if (got[i] != exp[i])
			fail_msg("reliability field %zu: the key table gives %.17g, avail_defaults() %.17g", i, got[i], exp[i]);
	config_free(cfg);
	cfg = expect_ok("reliability: {node_failures: 1/month, response: 15m, restore_rate: 90GB/h, change_failure: 10%}\n");
	assert_near(cfg->reliability.node_failures, 1 / (730 * 3600.0), 1e-20);
	assert_true(cfg->reliability.response_s == 900);
	assert_near(cfg->reliability.restore_bps, 90e9 / 3600, 1e-6);
	assert_near(cfg->reliability.change_failure, 0.1, 1e-15);
	assert_true(cfg->reliability.db_failover_s == 45); /* untouched: the default */
	config_free(cfg);
	expect_errors("reliability:\n  node_failures: 2\n",
		      "t.yaml:2:18: error: reliability.node_failures: a rate needs a period, e.g. 100/s, 4/min or 10k/day, got '2'\n");
	expect_errors("reliability:\n  restore_rate: 25MB\n",
		      "t.yaml:2:17: error: reliability.restore_rate: expected a throughput such as 25MB/s or 90GB/h, got '25MB'\n");
}

/* Every key of the table is documented in docs/config.md. */
static void doc_key(const struct config_key_info *k, void *ctx)
{
	const char *text = ctx, *path = k->path, *doc = k->doc, *def = k->def;
	char needle[300];
	snprintf(needle, sizeof(needle), "`%s`", path);
	if (!strstr(text, needle))
		fail_msg("docs/config.md does not document %s", needle);
	assert_non_null(doc);
	if (def) {
		snprintf(needle, sizeof(needle), "`%s`", def);
		if (!strstr(text, needle))
			fail_msg("docs/config.md does not give the default %s of %s", needle, path);
	}
}

static void test_docs(void **state)
{
	(void)state;
	FILE *fp = fopen(HEADROOM_SRCDATADIR "/../docs/config.md", "r");
	assert_non_null(fp);
	static char text[1 << 18];
	size_t n = fread(text, 1, sizeof(text) - 1, fp);
	fclose(fp);
	text[n] = '\0';
	config_each_key(doc_key, text);
}

/* config_each_value(): each value given or defaulted, in schema order, secrets never shown. */
static void value_line(const struct config_value *v, void *ctx)
{
	struct strbuf *sb = ctx;
	if (strbuf_printf(sb, "%s=%s%s\n", v->path, v->secret ? "(secret)" : v->text ? v->text : "(none)",
			  v->given ? " given" : ""))
		fail();
}

static void test_each_value(void **state)
{
	(void)state;
	struct config *cfg = expect_ok("workload:\n  users: 2k\n  milestones: [500, 2k]\n"
				       "  daily_active: 30%\n  peak_concurrent: 10%\n"
				       "  requests:\n    - {name: api, rate: 6/min, duration: 100ms, cpu: 5ms}\n"
				       "economics:\n  operations: {hours: {single: 1, ha: 6}}\n"
				       "agent: {token: hunter2}\n");
	struct strbuf sb;
	strbuf_init(&sb, 0);
	config_each_value(cfg, "workload", value_line, &sb);
	const char *o = strbuf_str(&sb);
	assert_non_null(strstr(o, "workload.users=2k given\n"));
	assert_non_null(strstr(o, "workload.milestones=[500, 2k] given\n"));
	assert_non_null(strstr(o, "workload.busy_time=8h\n")); /* defaulted: its default text, not given */
	assert_non_null(strstr(o, "workload.requests[0].rate=6/min given\n"));
	assert_non_null(strstr(o, "workload.requests[0].duration=100ms given\n"));
	assert_null(strstr(o, "economics"));
	assert_null(strstr(o, "workload.tasks")); /* a list the file leaves out has no elements */
	strbuf_reset(&sb);
	config_each_value(cfg, "economics", value_line, &sb);
	assert_non_null(strstr(strbuf_str(&sb), "economics.operations.hours={single: 1, ha: 6} given\n"));
	assert_non_null(strstr(strbuf_str(&sb), "economics.currency=USD\n"));
	strbuf_reset(&sb);
	config_each_value(cfg, NULL, value_line, &sb);
	assert_non_null(strstr(strbuf_str(&sb), "agent.token=(secret) given\n"));
	assert_null(strstr(strbuf_str(&sb), "hunter2"));
	strbuf_free(&sb);
	config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nested_typo),
		cmocka_unit_test(test_escaped_nul),
		cmocka_unit_test(test_agent_token),
		cmocka_unit_test(test_each_value),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_type_errors),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_env),
		cmocka_unit_test(test_duplicates_and_required),
		cmocka_unit_test(test_show_source),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_aliases),
		cmocka_unit_test(test_alias_bomb),
		cmocka_unit_test(test_alias_budget),
		cmocka_unit_test(test_reader_errors),
		cmocka_unit_test(test_triggers),
		cmocka_unit_test(test_money),
		cmocka_unit_test(test_calibration),
		cmocka_unit_test(test_starter),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_reliability),
		cmocka_unit_test(test_docs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
