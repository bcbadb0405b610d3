/* pgtune.c - PGTune's rules in C: PostgreSQL settings for a machine (see
 * pgtune.h for the rules' source and licence). */
#include "model/pgtune.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Sizes in kB, PGTune's unit (its SIZE_UNIT_MAP: 1 kB = 1024 bytes). */
#define KB_MB 1024.0
#define KB_GB 1048576.0
/* PostgreSQL's page (BLCKSZ and XLOG_BLCKSZ, 8 kB by default). */
#define PAGE_KB 8.0
/* Bytes, for the warnings, which PGTune tests on the total in bytes. */
#define MIB_B 1048576.0
#define GIB_B 1073741824.0

static const char *const os_names[] = {"linux", "windows", "mac"};
static const char *const type_names[] = {"web", "oltp", "dw", "desktop", "mixed"};
static const char *const storage_names[] = {"ssd", "hdd", "san", "nvme"};
static const char *const dbsize_names[] = {"less-ram", "mid-ram", "greater-ram"};

#define N(a) (sizeof(a) / sizeof((a)[0]))

void pgtune_input_default(struct pgtune_input *in)
{
	memset(in, 0, sizeof(*in));
	in->version = PGTUNE_VERSION_DEFAULT;
	in->os = PGTUNE_LINUX;
	in->type = PGTUNE_WEB;
	in->storage = PGTUNE_SSD;
	in->db_size = PGTUNE_MID_RAM;
}

const char *pgtune_os_name(enum pgtune_os v)
{
	return (size_t)v < N(os_names) ? os_names[v] : "?";
}

const char *pgtune_type_name(enum pgtune_type v)
{
	return (size_t)v < N(type_names) ? type_names[v] : "?";
}

const char *pgtune_storage_name(enum pgtune_storage v)
{
	return (size_t)v < N(storage_names) ? storage_names[v] : "?";
}

const char *pgtune_dbsize_name(enum pgtune_dbsize v)
{
	return (size_t)v < N(dbsize_names) ? dbsize_names[v] : "?";
}

static int lookup(const char *s, const char *const *names, size_t n, int *out)
{
	for (size_t i = 0; s && i < n; i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = (int)i;
			return 0;
		}
	}
	return HR_E_INVALID;
}

int pgtune_parse_os(const char *s, enum pgtune_os *out)
{
	int v;
	int rc = lookup(s, os_names, N(os_names), &v);
	if (!rc)
		*out = (enum pgtune_os)v;
	return rc;
}

int pgtune_parse_type(const char *s, enum pgtune_type *out)
{
	int v;
	int rc = lookup(s, type_names, N(type_names), &v);
	if (!rc)
		*out = (enum pgtune_type)v;
	return rc;
}

int pgtune_parse_storage(const char *s, enum pgtune_storage *out)
{
	int v;
	int rc = lookup(s, storage_names, N(storage_names), &v);
	if (!rc)
		*out = (enum pgtune_storage)v;
	return rc;
}

int pgtune_parse_dbsize(const char *s, enum pgtune_dbsize *out)
{
	/* PGTune's own spelling is less_ram, mid_ram, greater_ram. */
	static const char *const underscored[] = {"less_ram", "mid_ram", "greater_ram"};
	int v;
	int rc = lookup(s, dbsize_names, N(dbsize_names), &v);
	if (rc)
		rc = lookup(s, underscored, N(underscored), &v);
	if (!rc)
		*out = (enum pgtune_dbsize)v;
	return rc;
}

const char *pgtune_choices(char which)
{
	switch (which) {
	case 'o': return "linux, windows or mac";
	case 't': return "web, oltp, dw, desktop or mixed";
	case 's': return "ssd, hdd, san or nvme";
	case 'd': return "less-ram, mid-ram or greater-ram";
	}
	return "";
}

const char *pgtune_check(const struct pgtune_input *in)
{
	if (in->version < PGTUNE_VERSION_MIN || in->version > PGTUNE_VERSION_MAX)
		return "--version: PGTune's rules cover PostgreSQL 10 to 18";
	if ((size_t)in->os >= N(os_names))
		return "--os: expected linux, windows or mac";
	if ((size_t)in->type >= N(type_names))
		return "--type: expected web, oltp, dw, desktop or mixed";
	if ((size_t)in->storage >= N(storage_names))
		return "--storage: expected ssd, hdd, san or nvme";
	if ((size_t)in->db_size >= N(dbsize_names))
		return "--db-size: expected less-ram, mid-ram or greater-ram";
	if (!(in->ram_b >= PGTUNE_RAM_MIN_B))
		return "--ram: at least 64MiB (PGTune's rules do not fit smaller machines)";
	if (!(in->ram_b <= PGTUNE_RAM_MAX_B))
		return "--ram: at most 16TiB (past it shared_buffers would pass PostgreSQL's limit)";
	if (in->cpus > PGTUNE_CPUS_MAX)
		return "--cpus: at most 9999";
	if (in->connections > PGTUNE_CONNECTIONS_MAX)
		return "--connections: at most 100000";
	return NULL;
}

static void put(struct pgtune_result *r, const char *name, enum pgtune_kind kind, double num, const char *word)
{
	/* The table below emits at most 25 settings; the array holds 32. */
	if (r->n < PGTUNE_MAX_SETTINGS)
		r->settings[r->n++] = (struct pgtune_setting){.name = name, .kind = kind, .num = num, .word = word};
}

static void warn(struct pgtune_result *r, const char *sentence)
{
	if (r->n_warnings < PGTUNE_MAX_WARNINGS)
		r->warnings[r->n_warnings++] = sentence;
}

/* A size PostgreSQL keeps in 8 kB pages, rounded down to a whole page so
 * SHOW reads back what the file says (pgtune.h, "One deliberate difference"). */
static double whole_pages(double kb)
{
	return floor(kb / PAGE_KB) * PAGE_KB;
}

int pgtune_compute(const struct pgtune_input *in, struct pgtune_result *out)
{
	memset(out, 0, sizeof(*out));
	if (pgtune_check(in))
		return HR_E_INVALID;
	const enum pgtune_type t = in->type;
	const bool desktop = t == PGTUNE_DESKTOP, dw = t == PGTUNE_DW;
	const bool windows = in->os == PGTUNE_WINDOWS;
	/* Windows builds up to 17 refuse 2 GB or more for the memory settings
	 * (PGTune: "strict 2GB limit up to PostgreSQL 17"), so they stop 1 MB short. */
	const bool win_2gb = windows && in->version <= 17;
	const double win_cap = 2 * KB_GB - KB_MB;
	/* PGTune keeps the total in kB as a float (bytes / 1024) and floors each result. */
	const double ram = in->ram_b / 1024.0;
	const unsigned cpus = in->cpus;
	const bool parallel = cpus >= 4;

	/* max_connections: the user's, else PGTune's per type. */
	static const unsigned def_conn[] = {200, 300, 40, 20, 100};
	const unsigned conn = in->connections ? in->connections : def_conn[t];

	/* shared_buffers: a quarter of memory (a sixteenth for a desktop). The
	 * Windows 512 MB cap of PGTune applies before version 10 only, below
	 * what it (and this) accepts. */
	const double sb = floor(ram / (desktop ? 16 : 4));

	/* effective_cache_size: three quarters (a quarter for a desktop). */
	const double ecs = floor(desktop ? ram / 4 : ram * 3 / 4);

	/* maintenance_work_mem: a sixteenth (an eighth for dw), capped at 8 GB,
	 * or at 2 GB - 1 MB on Windows up to 17. */
	double mwm = floor(ram / (dw ? 8 : 16));
	const double mwm_cap = win_2gb ? 2 * KB_GB : 8 * KB_GB;
	if (mwm >= mwm_cap)
		mwm = win_2gb ? mwm_cap - KB_MB : mwm_cap;

	/* wal_buffers: PostgreSQL's own auto-tuning (3 % of shared_buffers, at
	 * most 16 MB), rounded up to 16 MB from above 14 MB, at least 32 kB. */
	double wb = floor(3 * sb / 100);
	if (wb > 16 * KB_MB)
		wb = 16 * KB_MB;
	if (wb > 14 * KB_MB && wb < 16 * KB_MB)
		wb = 16 * KB_MB;
	if (wb < 32)
		wb = 32;

	/* random_page_cost: 1.1 when the data fits in memory (reads come from
	 * the page cache); else 4 for spinning disks, and 4 (PostgreSQL's
	 * default) for a data warehouse, whose big reads should stay sequential. */
	double rpc;
	if (in->db_size == PGTUNE_LESS_RAM)
		rpc = 1.1;
	else if (in->storage == PGTUNE_HDD || dw)
		rpc = 4;
	else
		rpc = 1.1;

	/* effective_io_concurrency: Linux only (it needs posix_fadvise). */
	static const double eic[] = {200, 2, 300, 1000}; /* ssd, hdd, san, nvme */

	/* work_mem: what memory is left after shared_buffers, shared by
	 * (connections + worker processes) x 3 operations each; the workers are
	 * max_worker_processes when set below, else PostgreSQL's default 8. */
	const double workers = parallel ? cpus : 8;
	const double wm_base = (ram - sb) / ((conn + workers) * 3);
	double wm;
	switch (t) {
	case PGTUNE_DW:
	case PGTUNE_MIXED: wm = floor(wm_base / 2); break;
	case PGTUNE_DESKTOP: wm = floor(wm_base / 6); break;
	default: wm = floor(wm_base); break;
	}
	if (in->db_size == PGTUNE_LESS_RAM)
		wm = floor(wm * 1.3); /* the page cache has room to spare */
	else if (in->db_size == PGTUNE_GREATER_RAM)
		wm = floor(wm * 0.9); /* keep a margin against the OOM killer */
	if (wm < 4 * KB_MB)
		wm = 4 * KB_MB;
	if (win_2gb && wm > win_cap)
		wm = win_cap;

	/* autovacuum_work_mem: 2 GB per autovacuum worker once
	 * maintenance_work_mem reaches it (else they would each take up to 8 GB). */
	double avwm = mwm >= 2 * KB_GB ? 2 * KB_GB : NAN;
	if (!isnan(avwm) && win_2gb && avwm > win_cap)
		avwm = win_cap;

	/* PostgreSQL 18's asynchronous I/O: io_uring on Linux, worker elsewhere;
	 * io_workers only matter for `worker` (PGTune issue #142). */
	const char *io_method = NULL;
	double io_workers = NAN;
	if (in->version >= 18) {
		io_method = in->os == PGTUNE_LINUX ? "io_uring" : "worker";
		if (cpus > 0 && strcmp(io_method, "worker") == 0) {
			double v = fmin(32, fmax(3, floor(cpus / 4.0)));
			if (v > 3)
				io_workers = v;
		}
	}

	/* min_wal_size / max_wal_size per type, in MB. */
	static const double min_wal_mb[] = {1024, 2048, 4096, 100, 1024};
	static const double max_wal_mb[] = {4096, 8192, 16384, 2048, 4096};

	/* In the order PGTune prints them. */
	put(out, "max_connections", PGTUNE_INT, conn, NULL);
	put(out, "shared_buffers", PGTUNE_KB, whole_pages(sb), NULL);
	put(out, "effective_cache_size", PGTUNE_KB, whole_pages(ecs), NULL);
	put(out, "maintenance_work_mem", PGTUNE_KB, mwm, NULL);
	put(out, "checkpoint_completion_target", PGTUNE_REAL, 0.9, NULL);
	put(out, "wal_buffers", PGTUNE_KB, whole_pages(wb), NULL);
	put(out, "default_statistics_target", PGTUNE_INT, dw ? 500 : 100, NULL);
	put(out, "random_page_cost", PGTUNE_REAL, rpc, NULL);
	if (in->os == PGTUNE_LINUX)
		put(out, "effective_io_concurrency", PGTUNE_INT, eic[in->storage], NULL);
	put(out, "work_mem", PGTUNE_KB, wm, NULL);
	/* huge_pages: macOS has none; elsewhere worth trying from 2 GB of shared_buffers. */
	put(out, "huge_pages", PGTUNE_WORD, 0,
	    in->os != PGTUNE_MAC && sb >= 2 * KB_GB ? "try" : "off");
	/* jit: off for short queries (PG 12 turned it on by default). */
	if (in->version >= 12 && (t == PGTUNE_WEB || t == PGTUNE_OLTP || t == PGTUNE_MIXED))
		put(out, "jit", PGTUNE_WORD, 0, "off");
	/* wal_compression: lz4 from 15 (it gained lz4 and zstd), pglz ("on") before. */
	const bool lz4 = in->version >= 15;
	put(out, "wal_compression", PGTUNE_WORD, 0, lz4 ? "lz4" : "on");
	if (cpus >= 32)
		put(out, "autovacuum_max_workers", PGTUNE_INT, 5, NULL);
	else if (cpus >= 16)
		put(out, "autovacuum_max_workers", PGTUNE_INT, 4, NULL);
	if (!isnan(avwm))
		put(out, "autovacuum_work_mem", PGTUNE_KB, avwm, NULL);
	if (io_method)
		put(out, "io_method", PGTUNE_WORD, 0, io_method);
	if (!isnan(io_workers))
		put(out, "io_workers", PGTUNE_INT, io_workers, NULL);
	put(out, "min_wal_size", PGTUNE_KB, min_wal_mb[t] * KB_MB, NULL);
	put(out, "max_wal_size", PGTUNE_KB, max_wal_mb[t] * KB_MB, NULL);
	if (parallel) {
		/* Parallel query from 4 CPUs: at most 4 workers per gather and per
		 * maintenance job ("no clear evidence" more helps), but all for dw. */
		double half = ceil(cpus / 2.0);
		put(out, "max_worker_processes", PGTUNE_INT, cpus, NULL);
		put(out, "max_parallel_workers_per_gather", PGTUNE_INT, !dw && half > 4 ? 4 : half, NULL);
		put(out, "max_parallel_workers", PGTUNE_INT, cpus, NULL); /* PG >= 10: always here */
		if (in->version >= 11)
			put(out, "max_parallel_maintenance_workers", PGTUNE_INT, half > 4 ? 4 : half, NULL);
	}
	if (desktop) {
		/* No replication on a desktop: minimal WAL needs max_wal_senders 0. */
		put(out, "wal_level", PGTUNE_WORD, 0, "minimal");
		put(out, "max_wal_senders", PGTUNE_INT, 0, NULL);
	}

	/* Warnings, worded here; PGTune gives the same four. */
	if (in->ram_b < 256 * MIB_B)
		warn(out, "PGTune's rules are not made for less than 256 MB of memory: check these settings by hand");
	else if (in->ram_b > 100 * GIB_B)
		warn(out, "PGTune's rules are not made for more than 100 GB of memory: check these settings by hand");
	if (lz4)
		warn(out, "wal_compression = lz4 needs a PostgreSQL built with lz4 (configure --with-lz4)");
	if (io_method && strcmp(io_method, "io_uring") == 0)
		warn(out, "io_method = io_uring needs a PostgreSQL built with liburing (configure --with-liburing)");
	if (dw && in->storage != PGTUNE_HDD && in->db_size != PGTUNE_LESS_RAM)
		warn(out, "random_page_cost stays at PostgreSQL's default (4) for a data warehouse larger than "
			  "memory on SSD, NVMe or SAN storage, so large reads stay sequential scans: "
			  "watch the plans and lower it if index scans would win");
	return 0;
}

char *pgtune_value(const struct pgtune_setting *s, char *buf, size_t n)
{
	switch (s->kind) {
	case PGTUNE_INT:
		snprintf(buf, n, "%.0f", s->num);
		break;
	case PGTUNE_KB:
		/* The largest unit that holds the value exactly, as PGTune and SHOW print. */
		if (fmod(s->num, KB_GB) == 0)
			snprintf(buf, n, "%.0fGB", s->num / KB_GB);
		else if (fmod(s->num, KB_MB) == 0)
			snprintf(buf, n, "%.0fMB", s->num / KB_MB);
		else
			snprintf(buf, n, "%.0fkB", s->num);
		break;
	case PGTUNE_REAL:
		snprintf(buf, n, "%g", s->num);
		break;
	case PGTUNE_WORD:
		snprintf(buf, n, "%s", s->word ? s->word : "");
		break;
	}
	return buf;
}

const struct pgtune_setting *pgtune_find(const struct pgtune_result *r, const char *name)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->settings[i].name, name) == 0)
			return &r->settings[i];
	return NULL;
}

enum pgtune_dbsize pgtune_dbsize_for(double db_size_b, double ram_b)
{
	if (!(db_size_b > ram_b * 3 / 4))
		return PGTUNE_LESS_RAM;
	return db_size_b > ram_b ? PGTUNE_GREATER_RAM : PGTUNE_MID_RAM;
}
