/* schema_objectives.c - the key tables of what a plan must meet and what to
 * watch: `objectives:` (latency, availability, utilisation limits),
 * `reliability:` (how parts fail and recover, for availability) and
 * `triggers:` (named thresholds). The walker is schema.c's. */
#include "config/schema_int.h"

#include <math.h>
#include <stddef.h>

#include "model/model.h"

static const char *const directions[] = {"above", "below", NULL};

/* How parts fail and recover (docs/plan.md, "Availability"): every default
 * with its source; avail_defaults() in model/availability.c holds the same
 * values (a unit test compares them). The public sources behind the A.2-A.4
 * labels in the strings below: A.2, the providers' SLA pages (e.g. Hetzner,
 * https://www.hetzner.com/legal/cloud-server/, 99.9 % per server); A.3, none
 * (a planning range: headroom default); A.4, Docker Compose
 * (https://docs.docker.com/compose/reference/up), Patroni
 * (https://patroni.readthedocs.io/en/latest/dynamic_configuration.html),
 * AWS RDS (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.MultiAZ.Failover.html)
 * and Redis Sentinel
 * (https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/). */
static const struct key_spec reliability_keys[] = {
	{"node_failures", KT_RATE, F(struct reliability, node_failures), .def = "2/year",
	 .doc = "host events (hardware, hypervisor, kernel) per node",
	 .why_default = "research notes A.3: \"1-2 unplanned host events per VM-year\" (the upper end)"},
	{"app_failures", KT_RATE, F(struct reliability, app_failures), .def = "24/year",
	 .doc = "failures of the service on an app node that its restart policy does not fix (a hang, a crash loop, a leak, a full disk)",
	 .why_default = "ASSUMPTION, twice a month: research notes A.3, \"real incidents are dominated by software/deploy/config\"; "
			"with it one VPS comes out near seed 000's 99 % tier (docs/plan.md); set it from your incident history"},
	{"detection", KT_DURATION, F(struct reliability, detection_s), .def = "5m",
	 .doc = "time for an uptime monitor to notice a failure and alert",
	 .why_default = "seed 000 section 4: uptime monitoring on UptimeRobot's free tier, which checks every 5 minutes"},
	{"detection_unmonitored", KT_DURATION, F(struct reliability, unmonitored_s), .def = "4h",
	 .doc = "time to notice a failure without monitoring (stage single)",
	 .why_default = "ASSUMPTION: nobody is paged, a user or the owner notices; seed 000 section 8 calls it best-effort"},
	{"response", KT_DURATION, F(struct reliability, response_s), .def = "2h",
	 .doc = "time from an alert to a person at work on it",
	 .why_default = "ASSUMPTION: a small team without a 24/7 rotation; ~10 min in working hours, ~45 min evenings and weekends, "
			"until morning at night: 1.8 h over a week (docs/plan.md)"},
	{"repair", KT_DURATION, F(struct reliability, repair_s), .def = "30m",
	 .doc = "hands-on fix of a failed service: restart, clean up, start it elsewhere",
	 .why_default = "seed 000 section 8, 99 % tier: \"Recovery time: 5-30 minutes\""},
	{"rebuild", KT_DURATION, F(struct reliability, rebuild_s), .def = "3h",
	 .doc = "set a lost node up again by hand, without backups or a standby image (stage single)",
	 .why_default = "seed 000 section 10: a new VPS with Docker Compose takes \"2-4 hours\""},
	{"provision", KT_DURATION, F(struct reliability, provision_s), .def = "5m",
	 .doc = "start a standby image or a replacement node",
	 .why_default = "seed 000 section 4: \"Standby VPS image ... 5-minute failover\""},
	{"restore_rate", KT_THROUGHPUT, F(struct reliability, restore_bps), .def = "25MB/s", .flags = KF_POSITIVE,
	 .doc = "how fast a database backup restores",
	 .why_default = "A. McKerlie, \"Speeding up Postgres Restores\" (2016): a 50 GB dump loaded by psql in about 30 minutes"},
	{"wal_replay", KT_DURATION, F(struct reliability, wal_replay_s), .def = "0s",
	 .doc = "WAL replay after a restore",
	 .why_default = "seed 000 section 4 backs up with pg_dump, which leaves no WAL to replay; set it for base backups with a WAL archive"},
	{"deploys", KT_RATE, F(struct reliability, deploys), .def = "20/month",
	 .doc = "releases a month",
	 .why_default = "ASSUMPTION: a release every working day"},
	{"restart", KT_DURATION, F(struct reliability, restart_s), .def = "30s",
	 .doc = "downtime of an in-place docker compose up: stop, start, ready",
	 .why_default = "research notes A.4: compose stops (SIGTERM, SIGKILL after stop_grace_period 10 s) and starts the changed containers; seconds to tens of seconds"},
	{"change_failure", KT_RATIO, F(struct reliability, change_failure), .def = "5%", .max = 1,
	 .doc = "share of releases that break the service and are rolled back",
	 .why_default = "ASSUMPTION: one release in twenty; DORA's State of DevOps reports measure it as the change failure rate"},
	{"rollback", KT_DURATION, F(struct reliability, rollback_s), .def = "10m",
	 .doc = "from noticing a bad release to the previous one serving",
	 .why_default = "ASSUMPTION: the deployer is at the keyboard and redeploys the previous image"},
	{"patch_reboots", KT_RATE, F(struct reliability, patch_reboots), .def = "1/month",
	 .doc = "OS patch reboots per node",
	 .why_default = "ASSUMPTION: a monthly patch cycle that needs a reboot"},
	{"reboot", KT_DURATION, F(struct reliability, reboot_s), .def = "2m",
	 .doc = "a node's reboot until its services answer",
	 .why_default = "seed 003 (knowledge graph on 3 VPS), option A1: a VPS reboot, \"Downtime: ~2 minutes\""},
	{"lb_failover", KT_DURATION, F(struct reliability, lb_failover_s), .def = "1m",
	 .doc = "a load balancer's health checks take a failed node out",
	 .why_default = "AWS ALB target-group defaults: a check every 30 s, out after 2 failures"},
	{"db_failover", KT_DURATION, F(struct reliability, db_failover_s), .def = "45s",
	 .doc = "self-run PostgreSQL pair: the standby is promoted and clients reconnect",
	 .why_default = "research notes A.4: Patroni ttl 30 s + loop_wait 10 s to promotion, plus a client reconnect"},
	{"managed_failover", KT_DURATION, F(struct reliability, managed_failover_s), .def = "2m",
	 .doc = "a managed database with a standby fails over",
	 .why_default = "research notes A.4: AWS RDS Multi-AZ failover \"typically 60-120 seconds\" (the upper end)"},
	{"cache_failover", KT_DURATION, F(struct reliability, cache_failover_s), .def = "40s",
	 .doc = "Redis with a replica (Sentinel or managed) fails over",
	 .why_default = "research notes A.4: Sentinel down-after-milliseconds 30 s, then the election and promotion"},
	{"pod_restart", KT_DURATION, F(struct reliability, pod_restart_s), .def = "30s",
	 .doc = "Kubernetes takes a failed pod out and restarts it",
	 .why_default = "Kubernetes probe defaults: periodSeconds 10 x failureThreshold 3"},
	{"reschedule", KT_DURATION, F(struct reliability, reschedule_s), .def = "5m40s",
	 .doc = "Kubernetes moves the pods of a dead node elsewhere",
	 .why_default = "Kubernetes: node-monitor-grace-period 40 s, then the default not-ready toleration of 300 s"},
	{"zone_outages", KT_RATE, F(struct reliability, zone_outages), .def = "1/year",
	 .doc = "outages of the provider's location (common to every part there)",
	 .why_default = "ASSUMPTION; a server plan's published SLA bounds this share (research notes A.2)"},
	{"zone_outage", KT_DURATION, F(struct reliability, zone_outage_s), .def = "2h",
	 .doc = "how long a location outage lasts",
	 .why_default = "ASSUMPTION"},
};
SECTION(schema_reliability, "reliability", struct reliability, reliability_keys);

static const struct key_spec utilization_keys[] = {
	{"cpu", KT_RATIO, F(struct objectives, cpu_max), .def = "70%", .flags = KF_POSITIVE, .max = 1,
	 .doc = "highest CPU utilisation at the peak",
	 .why_default = "seed 004 (FastAPI + PostgreSQL scaling strategy): \"CPU consistently >70%\"; seed 001 (agent platform): \"Target <70% average\""},
	{"memory", KT_RATIO, F(struct objectives, memory_max), .def = "80%", .flags = KF_POSITIVE, .max = 1,
	 .doc = "highest memory use at the peak",
	 .why_default = "seed 001 (agent platform): \"Server Memory: Target <80% average\"; seed 004 warns at >80%"},
	{"db_connections", KT_RATIO, F(struct objectives, db_conn_max), .def = "80%", .flags = KF_POSITIVE, .max = 1,
	 .doc = "highest share of max_connections in use",
	 .why_default = "seed 002 (API + web + workers): \"Connections 80/100\""},
	{"disk", KT_RATIO, F(struct objectives, disk_max), .def = "80%", .flags = KF_POSITIVE, .max = 1,
	 .doc = "fullest a disk may get",
	 .why_default = "seed 001: \"Disk Usage: Alert at 80% full\"; seed 002: \"Disk 80% used\"; seed 004: storage 80%"},
	{"external_rate", KT_RATIO, F(struct objectives, ext_rate_max), .def = "80%", .flags = KF_POSITIVE, .max = 1,
	 .doc = "share of an external API's rate limit to use at most",
	 .why_default = "the same 80% headroom the seeds keep on connections"},
};
static SECTION(utilization_section, "utilization", struct objectives, utilization_keys);

static const struct key_spec objectives_keys[] = {
	{"p95", KT_DURATION, F(struct objectives, p95_s), .flags = KF_POSITIVE,
	 .doc = "request latency target at the 95th percentile; absent = none"},
	{"availability", KT_RATIO, F(struct objectives, availability), .flags = KF_POSITIVE, .max = 0.999999,
	 .doc = "monthly availability target such as 99.5%; absent = none"},
	{"utilization", KT_SECTION, .offset = 0, .sub = &utilization_section,
	 .doc = "utilisation limits at the peak"},
};
SECTION(schema_objectives, "objectives", struct objectives, objectives_keys);

static void trigger_init(void *base)
{
	struct trigger_rule *t = base;
	/* Levels the file leaves out stay NAN so rules/ can take them from the default rule. */
	t->warn = NAN;
	t->crit = NAN;
	/* So do `for` and hysteresis: an override that leaves them out keeps the
	 * default's (rules_merge), and "for: 0s" stays expressible. */
	t->for_s = NAN;
	t->hysteresis = NAN;
}

static void trigger_check(struct loader *L, void *base, const struct ynode *map, const char *path)
{
	struct trigger_rule *t = base;
	if (isnan(t->warn) || isnan(t->crit))
		return;
	if (t->dir == TRIGGER_ABOVE && t->warn > t->crit)
		schema_error(L, schema_get(map, "crit"), "%s: crit must not be below warn for a trigger that fires above its levels",
			     path);
	else if (t->dir == TRIGGER_BELOW && t->warn < t->crit)
		schema_error(L, schema_get(map, "crit"), "%s: crit must not be above warn for a trigger with direction: below",
			     path);
}

static const struct key_spec trigger_keys[] = {
	{"metric", KT_STRING, F(struct trigger_rule, metric),
	 .doc = "metric name (docs/metrics.md); may be left out when overriding a default trigger"},
	{"direction", KT_ENUM, F(struct trigger_rule, dir), .def = "above", .names = directions,
	 .doc = "above | below: which side of the levels is bad", .why_default = "most triggers are upper limits"},
	{"warn", KT_LEVEL, F(struct trigger_rule, warn), .doc = "warning level: 70%, 500, 10k, 500ms or 4GiB"},
	{"crit", KT_LEVEL, F(struct trigger_rule, crit), .doc = "critical level, same forms"},
	{"for", KT_DURATION, F(struct trigger_rule, for_s), .doc = "how long past a level before the state changes"},
	{"hysteresis", KT_RATIO, F(struct trigger_rule, hysteresis), .max = 1,
	 .doc = "share of the level to cross back before clearing"},
	{"action", KT_STRING, F(struct trigger_rule, action), .doc = "what to do when it fires"},
	{"enabled", KT_BOOL, F(struct trigger_rule, disabled), .flags = KF_INVERT, .def = "true",
	 .doc = "false turns a (default) trigger off", .why_default = "a written trigger is meant to run"},
};
SECTION(schema_trigger, "trigger", struct trigger_rule, trigger_keys,
	.name_off = offsetof(struct trigger_rule, name), .check = trigger_check, .init = trigger_init);
