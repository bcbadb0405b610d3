/* Unit tests for model/pgtune: PGTune's rules as a table of machines, each
 * worked by hand from the rules in docs/tune.md (every figure in kB, floors
 * where PGTune floors), compared with the whole list of settings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "model/pgtune.h"
#include "testutil.h"
#include "util/strbuf.h"

/* Which warnings a case expects, as bits. */
enum { W_LOW = 1, W_HIGH = 2, W_LZ4 = 4, W_URING = 8, W_DW = 16 };

struct tcase {
	const char *name;
	unsigned version;
	enum pgtune_os os;
	enum pgtune_type type;
	double ram_b;
	unsigned cpus, connections;
	enum pgtune_storage storage;
	enum pgtune_dbsize db_size;
	const char *want;  /* "name=value" separated by spaces, in order */
	unsigned warnings; /* W_* bits */
};

static const struct tcase cases[] = {
	/* 8 GiB = 8388608 kB; shared_buffers 2097152 (2GB); work_mem
	 * (8388608 - 2097152) / ((200 + 8) x 3) = 10082.46 -> 10082kB;
	 * wal_buffers 3 % = 62914 -> capped at 16MB; huge pages from 2 GB. */
	{"web, 18, linux, 8GiB: PGTune's defaults", 18, PGTUNE_LINUX, PGTUNE_WEB, 8 * GIB, 0, 0, PGTUNE_SSD,
	 PGTUNE_MID_RAM,
	 "max_connections=200 shared_buffers=2GB effective_cache_size=6GB maintenance_work_mem=512MB "
	 "checkpoint_completion_target=0.9 wal_buffers=16MB default_statistics_target=100 random_page_cost=1.1 "
	 "effective_io_concurrency=200 work_mem=10082kB huge_pages=try jit=off wal_compression=lz4 "
	 "io_method=io_uring min_wal_size=1GB max_wal_size=4GB",
	 W_LZ4 | W_URING},
	/* oltp: 300 connections; 8 CPUs: parallel settings, W = 8:
	 * (16777216 - 4194304) / (308 x 3) = 13617.87 -> 13617kB. */
	{"oltp, 15, 16GiB, 8 cpus", 15, PGTUNE_LINUX, PGTUNE_OLTP, 16 * GIB, 8, 0, PGTUNE_SSD, PGTUNE_MID_RAM,
	 "max_connections=300 shared_buffers=4GB effective_cache_size=12GB maintenance_work_mem=1GB "
	 "checkpoint_completion_target=0.9 wal_buffers=16MB default_statistics_target=100 random_page_cost=1.1 "
	 "effective_io_concurrency=200 work_mem=13617kB huge_pages=try jit=off wal_compression=lz4 "
	 "min_wal_size=2GB max_wal_size=8GB max_worker_processes=8 max_parallel_workers_per_gather=4 "
	 "max_parallel_workers=8 max_parallel_maintenance_workers=4",
	 W_LZ4},
	/* dw on hdd, bigger than RAM: maintenance_work_mem RAM/8 = 8GB (the cap);
	 * work_mem (67108864 - 16777216) / ((40 + 32) x 3) = 233016.89, / 2 ->
	 * 116508, x 0.9 -> 104857kB; 32 CPUs: 5 autovacuum workers, 16 per
	 * gather (no cap for dw); autovacuum_work_mem 2GB; no jit for dw. */
	{"dw, 16, 64GiB, 32 cpus, hdd, greater-ram", 16, PGTUNE_LINUX, PGTUNE_DW, 64 * GIB, 32, 0, PGTUNE_HDD,
	 PGTUNE_GREATER_RAM,
	 "max_connections=40 shared_buffers=16GB effective_cache_size=48GB maintenance_work_mem=8GB "
	 "checkpoint_completion_target=0.9 wal_buffers=16MB default_statistics_target=500 random_page_cost=4 "
	 "effective_io_concurrency=2 work_mem=104857kB huge_pages=try wal_compression=lz4 "
	 "autovacuum_max_workers=5 autovacuum_work_mem=2GB min_wal_size=4GB max_wal_size=16GB "
	 "max_worker_processes=32 max_parallel_workers_per_gather=16 max_parallel_workers=32 "
	 "max_parallel_maintenance_workers=4",
	 W_LZ4},
	/* desktop on Windows 10: RAM/16 and RAM/4; wal_buffers 3 % of 262144 =
	 * 7864kB; work_mem (4194304 - 262144) / (28 x 3) = 46811.43, / 6 ->
	 * 7801, x 1.3 (less-ram) -> 10141kB; no jit before 12; pglz before 15;
	 * no effective_io_concurrency off Linux; minimal WAL. */
	{"desktop, 10, windows, 4GiB, less-ram", 10, PGTUNE_WINDOWS, PGTUNE_DESKTOP, 4 * GIB, 2, 0, PGTUNE_SSD,
	 PGTUNE_LESS_RAM,
	 "max_connections=20 shared_buffers=256MB effective_cache_size=1GB maintenance_work_mem=256MB "
	 "checkpoint_completion_target=0.9 wal_buffers=7864kB default_statistics_target=100 random_page_cost=1.1 "
	 "work_mem=10141kB huge_pages=off wal_compression=on min_wal_size=100MB max_wal_size=2GB "
	 "wal_level=minimal max_wal_senders=0",
	 0},
	/* Windows 17: maintenance_work_mem 4GB -> capped at 2 GB - 1 MB = 2047MB,
	 * so no autovacuum_work_mem; work_mem 50331648 / (216 x 3) = 77672.30. */
	{"web, 17, windows, 64GiB, 16 cpus, nvme", 17, PGTUNE_WINDOWS, PGTUNE_WEB, 64 * GIB, 16, 0, PGTUNE_NVME,
	 PGTUNE_MID_RAM,
	 "max_connections=200 shared_buffers=16GB effective_cache_size=48GB maintenance_work_mem=2047MB "
	 "checkpoint_completion_target=0.9 wal_buffers=16MB default_statistics_target=100 random_page_cost=1.1 "
	 "work_mem=77672kB huge_pages=try jit=off wal_compression=lz4 autovacuum_max_workers=4 "
	 "min_wal_size=1GB max_wal_size=4GB max_worker_processes=16 max_parallel_workers_per_gather=4 "
	 "max_parallel_workers=16 max_parallel_maintenance_workers=4",
	 W_LZ4},
	/* Windows 17 with 1 TiB and 20 connections: work_mem 805306368 / 84 =
	 * 9586980 kB, over 2 GB - 1 MB: capped at 2047MB; the high-memory warning. */
	{"web, 17, windows, 1TiB, 20 connections: work_mem cap", 17, PGTUNE_WINDOWS, PGTUNE_WEB, 1024 * GIB, 0, 20,
	 PGTUNE_SSD, PGTUNE_MID_RAM,
	 "max_connections=20 shared_buffers=256GB effective_cache_size=768GB maintenance_work_mem=2047MB "
	 "checkpoint_completion_target=0.9 wal_buffers=16MB default_statistics_target=100 random_page_cost=1.1 "
	 "work_mem=2047MB huge_pages=try jit=off wal_compression=lz4 min_wal_size=1GB max_wal_size=4GB",
	 W_HIGH | W_LZ4},
	/* The same on 18: no Windows caps (maintenance_work_mem 8GB, work_mem
	 * 805306368 / (36 x 3) = 7456540.44), autovacuum_work_mem 2GB, io_method
	 * worker with 16 / 4 = 4 io_workers. */
	{"web, 18, windows, 1TiB, 16 cpus: no caps, io_workers", 18, PGTUNE_WINDOWS, PGTUNE_WEB, 1024 * GIB, 16, 20,
	 PGTUNE_SSD, PGTUNE_MID_RAM,
	 "max_connections=20 shared_buffers=256GB effective_cache_size=768GB maintenance_work_mem=8GB "
	 "checkpoint_completion_target=0.9 wal_buffers=16MB default_statistics_target=100 random_page_cost=1.1 "
	 "work_mem=7456540kB huge_pages=try jit=off wal_compression=lz4 autovacuum_max_workers=4 "
	 "autovacuum_work_mem=2GB io_method=worker io_workers=4 min_wal_size=1GB max_wal_size=4GB "
	 "max_worker_processes=16 max_parallel_workers_per_gather=4 max_parallel_workers=16 "
	 "max_parallel_maintenance_workers=4",
	 W_HIGH | W_LZ4},
	/* mac, mixed, 2 GiB, 4 CPUs: wal_buffers 15728 kB rounds up to 16MB;
	 * work_mem 1572864 / (104 x 3) = 5041.2, / 2 = 2520 -> the 4MB floor;
	 * no huge pages on macOS; io_workers max(3, 1) = 3 is the default: left out. */
	{"mixed, 18, mac, 2GiB, 4 cpus, san", 18, PGTUNE_MAC, PGTUNE_MIXED, 2 * GIB, 4, 0, PGTUNE_SAN,
	 PGTUNE_MID_RAM,
	 "max_connections=100 shared_buffers=512MB effective_cache_size=1536MB maintenance_work_mem=128MB "
	 "checkpoint_completion_target=0.9 wal_buffers=16MB default_statistics_target=100 random_page_cost=1.1 "
	 "work_mem=4MB huge_pages=off jit=off wal_compression=lz4 io_method=worker min_wal_size=1GB "
	 "max_wal_size=4GB max_worker_processes=4 max_parallel_workers_per_gather=2 max_parallel_workers=4 "
	 "max_parallel_maintenance_workers=2",
	 W_LZ4},
	/* dw on ssd larger than RAM: random_page_cost stays 4, with the warning;
	 * wal_buffers 3 % of 524288 = 15728 kB, past 14 MB: rounded up to 16MB; 3 CPUs: no parallel settings; W = 8: (2097152 - 524288) / (48 x 3) =
	 * 10922.67, / 2 -> 5461kB. */
	{"dw, 14, 2GiB, 3 cpus, ssd", 14, PGTUNE_LINUX, PGTUNE_DW, 2 * GIB, 3, 0, PGTUNE_SSD, PGTUNE_MID_RAM,
	 "max_connections=40 shared_buffers=512MB effective_cache_size=1536MB maintenance_work_mem=256MB "
	 "checkpoint_completion_target=0.9 wal_buffers=16MB default_statistics_target=500 random_page_cost=4 "
	 "effective_io_concurrency=200 work_mem=5461kB huge_pages=off wal_compression=on min_wal_size=4GB "
	 "max_wal_size=16GB",
	 W_DW},
	/* ... but 1.1 when the data fits in memory, and no warning; x 1.3 -> 7099kB. */
	{"dw, 14, 2GiB, ssd, less-ram", 14, PGTUNE_LINUX, PGTUNE_DW, 2 * GIB, 3, 0, PGTUNE_SSD, PGTUNE_LESS_RAM,
	 "max_connections=40 shared_buffers=512MB effective_cache_size=1536MB maintenance_work_mem=256MB "
	 "checkpoint_completion_target=0.9 wal_buffers=16MB default_statistics_target=500 random_page_cost=1.1 "
	 "effective_io_concurrency=200 work_mem=7099kB huge_pages=off wal_compression=on min_wal_size=4GB "
	 "max_wal_size=16GB",
	 0},
	/* hdd, web, mid: random_page_cost 4, effective_io_concurrency 2; 4 CPUs on
	 * 11: max_parallel_maintenance_workers appears, jit does not (12). */
	{"web, 11, 1GiB, 4 cpus, hdd", 11, PGTUNE_LINUX, PGTUNE_WEB, 1 * GIB, 4, 0, PGTUNE_HDD, PGTUNE_MID_RAM,
	 "max_connections=200 shared_buffers=256MB effective_cache_size=768MB maintenance_work_mem=64MB "
	 "checkpoint_completion_target=0.9 wal_buffers=7864kB default_statistics_target=100 random_page_cost=4 "
	 "effective_io_concurrency=2 work_mem=4MB huge_pages=off wal_compression=on min_wal_size=1GB "
	 "max_wal_size=4GB max_worker_processes=4 max_parallel_workers_per_gather=2 max_parallel_workers=4 "
	 "max_parallel_maintenance_workers=2",
	 0},
	/* 10: no max_parallel_maintenance_workers (it came in 11). */
	{"web, 10, 1GiB, 4 cpus", 10, PGTUNE_LINUX, PGTUNE_WEB, 1 * GIB, 4, 0, PGTUNE_SSD, PGTUNE_MID_RAM,
	 "max_connections=200 shared_buffers=256MB effective_cache_size=768MB maintenance_work_mem=64MB "
	 "checkpoint_completion_target=0.9 wal_buffers=7864kB default_statistics_target=100 random_page_cost=1.1 "
	 "effective_io_concurrency=200 work_mem=4MB huge_pages=off wal_compression=on min_wal_size=1GB "
	 "max_wal_size=4GB max_worker_processes=4 max_parallel_workers_per_gather=2 max_parallel_workers=4",
	 0},
	/* 12: jit off appears; nvme 1000; 300 connections given. */
	{"oltp, 12, 4GiB, nvme, 300 connections", 12, PGTUNE_LINUX, PGTUNE_OLTP, 4 * GIB, 0, 300, PGTUNE_NVME,
	 PGTUNE_MID_RAM,
	 "max_connections=300 shared_buffers=1GB effective_cache_size=3GB maintenance_work_mem=256MB "
	 "checkpoint_completion_target=0.9 wal_buffers=16MB default_statistics_target=100 random_page_cost=1.1 "
	 "effective_io_concurrency=1000 work_mem=4MB huge_pages=off jit=off wal_compression=on "
	 "min_wal_size=2GB max_wal_size=8GB",
	 0},
	/* 128 MiB: the low-memory warning; wal_buffers 3 % of 32768 = 983 kB,
	 * printed as a whole 8 kB page, 976kB; work_mem at its 4MB floor. */
	{"web, 18, 128MiB: low memory", 18, PGTUNE_LINUX, PGTUNE_WEB, 128 * MIB, 0, 0, PGTUNE_SSD, PGTUNE_MID_RAM,
	 "max_connections=200 shared_buffers=32MB effective_cache_size=96MB maintenance_work_mem=8MB "
	 "checkpoint_completion_target=0.9 wal_buffers=976kB default_statistics_target=100 random_page_cost=1.1 "
	 "effective_io_concurrency=200 work_mem=4MB huge_pages=off jit=off wal_compression=lz4 "
	 "io_method=io_uring min_wal_size=1GB max_wal_size=4GB",
	 W_LOW | W_LZ4 | W_URING},
	/* 4 GB written in SI units = 3906250 kB: shared_buffers 976562 kB and
	 * effective_cache_size 2929687 kB round down to whole pages; work_mem
	 * (3906250 - 976562) / ((200 + 16) x 3) = 4521.12 -> 4521kB; 16 CPUs on Linux 18:
	 * io_uring, so no io_workers (PGTune #142). */
	{"web, 18, 4GB (SI), 16 cpus", 18, PGTUNE_LINUX, PGTUNE_WEB, 4e9, 16, 0, PGTUNE_SSD, PGTUNE_MID_RAM,
	 "max_connections=200 shared_buffers=976560kB effective_cache_size=2929680kB "
	 "maintenance_work_mem=244140kB checkpoint_completion_target=0.9 wal_buffers=16MB "
	 "default_statistics_target=100 random_page_cost=1.1 effective_io_concurrency=200 work_mem=4521kB "
	 "huge_pages=off jit=off wal_compression=lz4 autovacuum_max_workers=4 io_method=io_uring "
	 "min_wal_size=1GB max_wal_size=4GB max_worker_processes=16 max_parallel_workers_per_gather=4 "
	 "max_parallel_workers=16 max_parallel_maintenance_workers=4",
	 W_LZ4 | W_URING},
	/* mac, 18, 200 CPUs: io_workers min(32, 50) = 32. */
	{"desktop, 18, mac, 8GiB, 200 cpus", 18, PGTUNE_MAC, PGTUNE_DESKTOP, 8 * GIB, 200, 0, PGTUNE_SSD,
	 PGTUNE_MID_RAM,
	 "max_connections=20 shared_buffers=512MB effective_cache_size=2GB maintenance_work_mem=512MB "
	 "checkpoint_completion_target=0.9 wal_buffers=16MB default_statistics_target=100 random_page_cost=1.1 "
	 "work_mem=4MB huge_pages=off wal_compression=lz4 autovacuum_max_workers=5 io_method=worker io_workers=32 "
	 "min_wal_size=100MB max_wal_size=2GB max_worker_processes=200 max_parallel_workers_per_gather=4 "
	 "max_parallel_workers=200 max_parallel_maintenance_workers=4 wal_level=minimal max_wal_senders=0",
	 W_LZ4},
};

static void check_case(const struct tcase *c)
{
	struct pgtune_input in;
	pgtune_input_default(&in);
	in.version = c->version;
	in.os = c->os;
	in.type = c->type;
	in.ram_b = c->ram_b;
	in.cpus = c->cpus;
	in.connections = c->connections;
	in.storage = c->storage;
	in.db_size = c->db_size;
	struct pgtune_result r;
	if (pgtune_compute(&in, &r))
		fail_msg("%s: refused: %s", c->name, pgtune_check(&in));
	struct strbuf got;
	strbuf_init(&got, 0);
	for (size_t i = 0; i < r.n; i++) {
		char v[64];
		assert_int_equal(strbuf_printf(&got, "%s%s=%s", i ? " " : "", r.settings[i].name,
					       pgtune_value(&r.settings[i], v, sizeof(v))), 0);
	}
	if (strcmp(strbuf_str(&got), c->want) != 0)
		fail_msg("%s:\n got  %s\n want %s", c->name, strbuf_str(&got), c->want);
	strbuf_free(&got);
	static const struct {
		unsigned bit;
		const char *needle;
	} marks[] = {
		{W_LOW, "less than 256 MB"}, {W_HIGH, "more than 100 GB"}, {W_LZ4, "lz4"},
		{W_URING, "liburing"}, {W_DW, "data warehouse"},
	};
	unsigned seen = 0;
	for (size_t i = 0; i < r.n_warnings; i++)
		for (size_t k = 0; k < sizeof(marks) / sizeof(marks[0]); k++)
			if (strstr(r.warnings[i], marks[k].needle))
				seen |= marks[k].bit;
	if (seen != c->warnings || r.n_warnings != (size_t)__builtin_popcount(c->warnings))
		fail_msg("%s: warnings %#x (%zu), want %#x", c->name, seen, r.n_warnings, c->warnings);
}

static void test_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_case(&cases[i]);
}

/* Every type x OS x version: the settings PostgreSQL of that version does not
 * know never appear (io_method and io_workers came in 18, jit in 12,
 * max_parallel_maintenance_workers in 11, lz4 for wal_compression in 15). */
static void test_version_gates(void **state)
{
	(void)state;
	for (unsigned v = PGTUNE_VERSION_MIN; v <= PGTUNE_VERSION_MAX; v++)
		for (int t = 0; t <= PGTUNE_MIXED; t++)
			for (int os = 0; os <= PGTUNE_MAC; os++) {
				struct pgtune_input in;
				pgtune_input_default(&in);
				in.version = v;
				in.type = (enum pgtune_type)t;
				in.os = (enum pgtune_os)os;
				in.ram_b = 32 * GIB;
				in.cpus = 64;
				struct pgtune_result r;
				assert_int_equal(pgtune_compute(&in, &r), 0);
				assert_int_equal(pgtune_find(&r, "io_method") != NULL, v >= 18);
				assert_int_equal(pgtune_find(&r, "io_workers") != NULL, v >= 18 && os != PGTUNE_LINUX);
				assert_int_equal(pgtune_find(&r, "max_parallel_maintenance_workers") != NULL, v >= 11);
				assert_int_equal(pgtune_find(&r, "jit") != NULL, v >= 12 && t != PGTUNE_DW && t != PGTUNE_DESKTOP);
				assert_string_equal(pgtune_find(&r, "wal_compression")->word, v >= 15 ? "lz4" : "on");
				assert_int_equal(pgtune_find(&r, "effective_io_concurrency") != NULL, os == PGTUNE_LINUX);
				/* Windows up to 17: no memory setting at 2 GB or more. */
				for (size_t i = 0; i < r.n; i++)
					if (os == PGTUNE_WINDOWS && v <= 17 && r.settings[i].kind == PGTUNE_KB &&
					    strcmp(r.settings[i].name, "shared_buffers") != 0 &&
					    strcmp(r.settings[i].name, "effective_cache_size") != 0 &&
					    strstr(r.settings[i].name, "wal_size") == NULL)
						assert_true(r.settings[i].num < 2 * 1048576.0);
			}
}

static void test_check(void **state)
{
	(void)state;
	struct pgtune_input in;
	pgtune_input_default(&in);
	struct pgtune_result r;
	in.ram_b = 0;
	assert_int_equal(pgtune_compute(&in, &r), HR_E_INVALID);
	assert_non_null(strstr(pgtune_check(&in), "--ram: at least 64MiB"));
	in.ram_b = 64 * MIB;
	assert_null(pgtune_check(&in));
	in.ram_b = 17 * 1024 * GIB;
	assert_non_null(strstr(pgtune_check(&in), "--ram: at most 16TiB"));
	in.ram_b = 1 * GIB;
	in.version = 9;
	assert_non_null(strstr(pgtune_check(&in), "--version"));
	in.version = 19;
	assert_non_null(pgtune_check(&in));
	in.version = 10;
	in.cpus = 10000;
	assert_non_null(strstr(pgtune_check(&in), "--cpus"));
	in.cpus = 9999;
	in.connections = 100001;
	assert_non_null(strstr(pgtune_check(&in), "--connections"));
	in.connections = 100000;
	assert_null(pgtune_check(&in));
	assert_int_equal(pgtune_compute(&in, &r), 0);
}

static void test_names(void **state)
{
	(void)state;
	enum pgtune_type t;
	enum pgtune_os os;
	enum pgtune_storage s;
	enum pgtune_dbsize d;
	assert_int_equal(pgtune_parse_type("dw", &t), 0);
	assert_int_equal(t, PGTUNE_DW);
	assert_int_equal(pgtune_parse_type("warehouse", &t), HR_E_INVALID);
	assert_int_equal(pgtune_parse_type("Web", &t), HR_E_INVALID);
	assert_int_equal(pgtune_parse_os("mac", &os), 0);
	assert_int_equal(os, PGTUNE_MAC);
	assert_int_equal(pgtune_parse_storage("nvme", &s), 0);
	assert_int_equal(s, PGTUNE_NVME);
	assert_int_equal(pgtune_parse_dbsize("greater-ram", &d), 0);
	assert_int_equal(d, PGTUNE_GREATER_RAM);
	assert_int_equal(pgtune_parse_dbsize("less_ram", &d), 0);
	assert_int_equal(d, PGTUNE_LESS_RAM);
	assert_int_equal(pgtune_parse_dbsize("small", &d), HR_E_INVALID);
	for (int i = 0; i <= PGTUNE_MIXED; i++) {
		assert_int_equal(pgtune_parse_type(pgtune_type_name((enum pgtune_type)i), &t), 0);
		assert_int_equal(t, i);
	}
	struct pgtune_setting kb = {.name = "x", .kind = PGTUNE_KB, .num = 1572864};
	char buf[32];
	assert_string_equal(pgtune_value(&kb, buf, sizeof(buf)), "1536MB");
	kb.num = 3 * 1048576.0;
	assert_string_equal(pgtune_value(&kb, buf, sizeof(buf)), "3GB");
	kb.num = 10280;
	assert_string_equal(pgtune_value(&kb, buf, sizeof(buf)), "10280kB");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_version_gates),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
