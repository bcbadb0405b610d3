/* model.h - the model of a workload and its deployment.
 *
 * Transparent data structs: config/ fills them from YAML (each field names
 * its key), the model computes on them, out/ prints the results. Every
 * quantity is in base units: seconds, bytes, ratios 0-1, events per second,
 * money per 730-hour month in the model's currency. Strings and arrays are
 * owned by the struct that holds them; config_free() releases them all.
 *
 * Semantics of load (see docs/config.md, "workload"):
 *   concurrent users at a user count U = U * daily_active * peak_concurrent
 *   arrival rate of a request class     = concurrent users * rate
 * so `rate` is requests per second per user who is online at the peak. */
#ifndef HR_MODEL_H
#define HR_MODEL_H

#include <stdbool.h>
#include <stddef.h>

/** An external API a request or task calls (an LLM, a payment provider). */
struct ext_call {
	char *name;        /**< external.name, e.g. "anthropic"; NULL when there is no call */
	double calls;      /**< external.calls: calls per request (default 1) */
	double price;      /**< external.price: money per call, model currency */
	double rate_limit; /**< external.rate_limit: calls/s the account allows; 0 = none */
};

/** A class of HTTP requests (workload.requests[]). */
struct request_class {
	char *name;
	double rate;        /**< requests/s per concurrent user */
	double duration_s;  /**< wall time a request holds a connection and a worker slot */
	double cpu_s;       /**< CPU seconds per request on the app tier */
	double memory_b;    /**< bytes held per in-flight request */
	double db_queries;  /**< database queries per request */
	double db_query_s;  /**< mean database time per query */
	double bytes_out;   /**< response bytes */
	double bytes_in;    /**< request bytes */
	struct ext_call external;
};

/** A class of background tasks run by worker components (workload.tasks[]). */
struct task_class {
	char *name;
	double rate;          /**< tasks/s regardless of users */
	double rate_per_user; /**< tasks/s per concurrent user, added to rate */
	double duration_s;    /**< wall time a task holds a worker slot */
	double cpu_s;         /**< CPU seconds per task */
	double memory_b;      /**< bytes per running task */
	double db_queries;    /**< queries per task */
	struct ext_call external;
};

/**
 * The most users a plan models: 1e12, over a hundred times the world's
 * population. Beyond it the sums stop meaning anything and overflow to
 * infinity (1e308 users gave a "$-nan" external cost). The config, `plan
 * --users` and the growth curve all stop here.
 */
#define WORKLOAD_MAX_USERS 1e12

/** The workload: who uses the service and what each use costs. */
struct workload {
	double users;              /**< registered users now */
	double growth_monthly;     /**< growth per month as a fraction (0.15 = 15 %) */
	double *milestones;        /**< explicit user counts to plan for; n_milestones of them */
	size_t n_milestones;
	double daily_active;       /**< fraction of users active on a day */
	double peak_concurrent;    /**< fraction of daily-active users online at the peak */
	struct request_class *requests;
	size_t n_requests;
	struct task_class *tasks;
	size_t n_tasks;
	double storage_per_user_b; /**< database bytes per registered user */
	double storage_base_b;     /**< database bytes regardless of users */
	double files_per_user_b;   /**< object/file storage per user (disk, not DB) */
	double busy_s;             /**< workload.busy_time: seconds a day the peak load lasts, for
	                                monthly volumes (external calls, egress); 0 = default 8 h */
	double db_read_share;      /**< workload.db_read_share: share of database queries that only
	                                read (read replicas and a read cache can take them); 0 = none */
	double cache_hit_ratio;    /**< workload.cache_hit_ratio: share of the read queries a Redis
	                                read cache answers when the plan adds one; 0 = no read cache */
};

/** What a component is. */
enum component_kind {
	COMP_APP,      /**< serves the request classes (web/API process) */
	COMP_WORKER,   /**< runs the task classes (Celery, BullMQ, ...) */
	COMP_POSTGRES, /**< the relational database */
	COMP_REDIS,    /**< cache and/or queue broker */
	COMP_PROXY,    /**< TLS terminator / reverse proxy (Caddy, nginx) */
	COMP_OTHER,    /**< anything else that needs a fixed share of a node */
};

/** A service of the deployment (components.NAME). */
struct component {
	char *name;
	enum component_kind kind;
	unsigned workers;         /**< processes per replica (uvicorn --workers) */
	unsigned concurrency;     /**< in-flight requests per process (--limit-concurrency) */
	double memory_base_b;     /**< resident bytes per process (or the server's own) */
	double cpu_base;          /**< cores used at idle */
	unsigned db_pool;         /**< database connections per process */
	unsigned max_connections; /**< postgres: max_connections (default 100) */
	double memory_b;          /**< redis/postgres: memory to reserve (shared_buffers, maxmemory) */
	/* How the service runs, for `headroom init` and `headroom export`; the
	 * model reads none of these (docs/export.md). */
	char *image;              /**< container image ("redis:7-alpine"); NULL = the kind's default */
	char *build;              /**< compose build context ("./apps/api"); NULL = none */
	char *command;            /**< command line as compose takes it; NULL = the image's own */
	unsigned port;            /**< port it listens on; 0 = the kind's default, or none */
	char *health;             /**< HTTP path health checks ask ("/health"); NULL = a TCP check on port */
	char *queue;              /**< worker: the Redis list it consumes (KEDA trigger); NULL = none */
	char **profiles;          /**< compose profiles the service belongs to */
	size_t n_profiles;
};

/** Stage templates, simplest first (docs/plan.md, "Placement: the five stages"). */
enum stage_kind {
	STAGE_SINGLE,     /**< everything on one node */
	STAGE_SINGLE_OPS, /**< one node + backups, monitoring, standby snapshot */
	STAGE_SPLIT,      /**< app node(s) + a database node */
	STAGE_HA,         /**< >= 2 app nodes + LB + managed or replicated DB + cache */
	STAGE_CLUSTER,    /**< Kubernetes with an HPA */
	STAGE_COUNT
};

/** How the database may be run. */
enum db_mode { DB_ANY, DB_SELF, DB_MANAGED };

/** Whether a connection pooler (PgBouncer, transaction pooling) may sit in front of the database. */
enum pooler_mode {
	POOLER_ANY,    /**< the planner adds one where it makes a shape feasible */
	POOLER_NEVER,  /**< never (the application cannot run behind transaction pooling) */
	POOLER_ALWAYS, /**< always (one runs today) */
};

/** A group of identical nodes in a deployment. */
struct node_group {
	char *role;     /**< "app", "db", "worker", "all", ... */
	char *plan;     /**< catalogue entry name, e.g. "cx22" */
	unsigned count;
};

/* PgBouncer's defaults (pgbouncer.org/config.html): default_pool_size 20
 * server connections per database/user pair, max_client_conn 100. */
#define PGBOUNCER_POOL_SIZE 20u
#define PGBOUNCER_MAX_CLIENT 100u

/** Where and how the service may run (deployment). */
struct deployment {
	char **providers;       /**< allowed catalogue providers; none = all */
	size_t n_providers;
	bool stage_allowed[STAGE_COUNT]; /**< deployment.stages; all true when absent */
	enum db_mode database;  /**< deployment.database */
	enum pooler_mode pooler;   /**< deployment.pooler.use */
	unsigned pool_size;        /**< deployment.pooler.pool_size: server connections per database
	                                server (PgBouncer default_pool_size); 0 = 20 */
	unsigned max_client_conn;  /**< deployment.pooler.max_client_conn: client connections one
	                                PgBouncer accepts; 0 = 100 (PgBouncer's default) */
	unsigned max_replicas;     /**< deployment.max_read_replicas: most read replicas the search
	                                tries; 0 = none */
	enum stage_kind current_stage; /**< deployment.current.stage */
	bool has_current;
	struct node_group *current; /**< deployment.current.nodes */
	size_t n_current;
};

/**
 * How parts fail and come back (reliability): the inputs of the availability
 * model (model/availability.h, docs/plan.md "Availability"). Rates are per
 * second (the config writes 2/year, 20/month); times in seconds. Each
 * default and its source is in config/schema_objectives.c and docs/config.md;
 * avail_defaults() gives the same values to callers without a config.
 */
struct reliability {
	double node_failures;   /**< host events (hardware, hypervisor, kernel) per node */
	double app_failures;    /**< failures of the service on an app node that its restart policy does not fix */
	double detection_s;     /**< an uptime monitor's time to notice and alert */
	double unmonitored_s;   /**< time to notice without monitoring (`single`) */
	double response_s;      /**< from an alert to a person at work on it */
	double repair_s;        /**< hands-on fix of a failed service: restart, clean up, roll back */
	double rebuild_s;       /**< a lost node without backups or a standby image, set up again by hand */
	double provision_s;     /**< start a standby image or a replacement node */
	double restore_bps;     /**< bytes a second a database backup restores at */
	double wal_replay_s;    /**< WAL replay after a restore */
	double deploys;         /**< releases per second (the config: per month) */
	double restart_s;       /**< an in-place `docker compose up`: stop, start, ready */
	double change_failure;  /**< share of releases that break the service and are rolled back */
	double rollback_s;      /**< from noticing a bad release to the previous one serving */
	double patch_reboots;   /**< OS patch reboots per node */
	double reboot_s;        /**< a node's reboot, services back */
	double lb_failover_s;   /**< a load balancer's health checks take a dead node out */
	double db_failover_s;   /**< self-run PostgreSQL pair (Patroni): a standby serves */
	double managed_failover_s; /**< a managed database with a standby fails over */
	double cache_failover_s;   /**< Redis with a replica (Sentinel or managed) fails over */
	double pod_restart_s;   /**< Kubernetes probes take a failed pod out and restart it */
	double reschedule_s;    /**< Kubernetes moves the pods of a dead node elsewhere */
	double zone_outages;    /**< provider location (zone) outages */
	double zone_outage_s;   /**< how long one lasts */
};

/** Utilisation limits and service objectives (objectives). */
struct objectives {
	double p95_s;          /**< request p95 target; 0 = none */
	double availability;   /**< monthly availability target (0.999); 0 = none */
	double cpu_max;        /**< default 0.70 (seed 004: "CPU consistently >70%") */
	double memory_max;     /**< default 0.80 */
	double db_conn_max;    /**< default 0.80 of max_connections */
	double disk_max;       /**< default 0.80 */
	double ext_rate_max;   /**< share of an external rate limit; default 0.80 */
};

/** Which way a trigger fires. */
enum trigger_dir { TRIGGER_ABOVE, TRIGGER_BELOW };

/** A named threshold on a metric (triggers[]). */
struct trigger_rule {
	char *name;
	char *metric;   /**< metric name, e.g. "cpu.utilization" (docs/metrics.md) */
	enum trigger_dir dir;
	double warn;        /**< warning level in base units; NAN when the config leaves it to the default rule */
	double crit;        /**< critical level in base units; NAN when left to the default rule */
	double for_s;       /**< how long past a level before the state changes */
	double hysteresis;  /**< fraction of the level to cross back before clearing */
	char *action;       /**< what to do when it fires (the seeds' "action" column) */
	char *origin;       /**< where the default came from (a seed), for docs */
	bool disabled;      /**< `enabled: false`: the rule (or the default it overrides) is off */
};

/** A revenue tier (economics.tiers[]). */
struct revenue_tier {
	char *name;
	double price;  /**< revenue per customer per month */
	double share;  /**< fraction of customers on this tier */
};

/** A dedicated stack for each enterprise customer who asks for one (economics.dedicated;
 *  seed 000 section 9: "a separate Docker Compose stack on a separate VPS"). */
struct dedicated {
	bool present;          /**< the section is given */
	double users;          /**< users of one dedicated customer */
	unsigned customers;    /**< how many such customers (default 1) */
	double availability;   /**< the objective of a dedicated stack; 0 = objectives.availability */
	double revenue;        /**< revenue per dedicated customer per month; 0 = not given */
};

/** Money in and operations time (economics). */
struct economics {
	char currency[4];              /**< currency of every amount in the model; default USD */
	double users_per_customer;     /**< users per paying customer (0 = no customers) */
	struct revenue_tier *tiers;
	size_t n_tiers;
	double ops_rate;               /**< cost of an hour of operations work */
	double ops_hours[STAGE_COUNT]; /**< hours per month each stage needs; default 0 */
	char **fx_codes;               /**< economics.exchange: other currency codes ... */
	double *fx_rates;              /**< ... and how many model-currency units one unit is worth */
	size_t n_fx;
	struct dedicated dedicated;    /**< economics.dedicated */
};

/** What a catalogue entry sells. */
enum offer_kind {
	OFFER_SERVER,        /**< a virtual machine */
	OFFER_LB,            /**< a load balancer */
	OFFER_MANAGED_DB,    /**< managed PostgreSQL */
	OFFER_MANAGED_CACHE, /**< managed Redis */
	OFFER_VOLUME,        /**< block storage, priced per GB-month */
	OFFER_BACKUP,        /**< backups, priced as a percentage of the server */
	OFFER_K8S,           /**< a managed Kubernetes control plane */
	OFFER_FUNCTION,      /**< serverless functions, priced per request and GB-s */
	OFFER_MONITORING,    /**< uptime monitoring / alerting */
	OFFER_KIND_COUNT
};

/** One priced item of a provider (data/catalog/PROVIDER.yaml, catalog: in a config). */
struct offer {
	char *provider;          /**< "hetzner" */
	char *name;              /**< "cx22" */
	enum offer_kind kind;
	double vcpu;
	double memory_b;
	double disk_b;
	double transfer_b;       /**< included egress per month */
	double price;            /**< per month, in currency */
	char currency[4];
	double price_per_gb;     /**< volumes: per GB-month */
	double percent;          /**< backups: fraction of the server price */
	double per_million;      /**< functions: per 1M invocations */
	double per_gb_s;         /**< functions: per GB-second */
	double per_cpu_h;        /**< functions: per active CPU-hour */
	double availability;     /**< published SLA, 0 = none published */
	unsigned max_connections;/**< managed DB */
	bool ha;                 /**< managed DB/cache with a standby */
	bool pooler;             /**< managed DB: the provider runs a connection pooler (PgBouncer) for it */
	double replica_price;    /**< managed DB: price of one read replica; 0 = the entry's price */
	bool non_commercial;     /**< the terms forbid commercial use (a free hobby tier); left out of cost comparisons */
	char *as_of;             /**< date the price was read, YYYY-MM-DD */
	char *source;            /**< where it was read */
};

/** A price catalogue. */
struct catalog {
	struct offer *offers;
	size_t n;
};

/**
 * A measured calibration written by `headroom bench --calibrate`: one
 * deployment on `cores` vCPU, measured from outside (docs/bench.md,
 * "Calibration file"; how the planner uses it: docs/plan.md, "Calibration").
 */
struct calibration {
	bool present;
	double sigma;      /**< USL contention (fitted on client concurrency) */
	double kappa;      /**< USL coherency */
	double gamma;      /**< USL throughput of one unit of concurrency, req/s */
	double service_s;  /**< mean latency at concurrency 1: a request alone, CPU and waiting */
	double service_cv; /**< its coefficient of variation (stddev / mean) */
	bool has_service_cv; /**< service_cv was given; absent = 1 (exponential) */
	double cpu_s;      /**< CPU seconds per request (cores x utilisation / throughput); 0 = not given */
	double concurrency; /**< requests in service at once at the knee (max_rps x service_s); 0 = not given */
	double max_rps;    /**< highest sustainable rate at the SLO */
	double cores;      /**< vCPUs of the machine measured */
};

#endif
