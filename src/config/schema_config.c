/* schema_config.c - the top level of each file headroom reads: a
 * headroom.yaml (one row per section; each section's table is in the
 * schema_*.c of its area), a calibration file and a price catalogue data
 * file. The walker is schema.c's. */
#include "config/schema_int.h"

#include <stddef.h>

#include "config/config.h"
#include "model/model.h"

static const struct key_spec config_keys[] = {
	{"workload", KT_SECTION, F(struct config, workload), .sub = &schema_workload, .doc = "who uses the service and what each use costs"},
	{"components", KT_NAMED, F(struct config, components), .count_off = offsetof(struct config, n_components),
	 .sub = &schema_component, .doc = "the services of the deployment, keyed by name"},
	{"deployment", KT_SECTION, F(struct config, deployment), .sub = &schema_deployment, .doc = "where and how it may run"},
	{"objectives", KT_SECTION, F(struct config, objectives), .sub = &schema_objectives, .doc = "targets and utilisation limits"},
	{"reliability", KT_SECTION, F(struct config, reliability), .sub = &schema_reliability,
	 .doc = "how parts fail and recover, for availability (docs/plan.md)"},
	{"triggers", KT_NAMED, F(struct config, triggers), .count_off = offsetof(struct config, n_triggers),
	 .sub = &schema_trigger, .doc = "named thresholds, keyed by name; a default's name overrides it"},
	{"economics", KT_SECTION, F(struct config, economics), .sub = &schema_economics, .doc = "currency, revenue and operations cost"},
	{"catalog", KT_LIST, F(struct config, catalog.offers), .count_off = offsetof(struct config, catalog.n),
	 .sub = &schema_offer, .doc = "catalogue entries to add or override"},
	{"metrics", KT_SECTION, .offset = 0, .sub = &schema_metrics, .doc = "live metric sources"},
	{"agent", KT_SECTION, F(struct config, agent), .sub = &schema_agent, .doc = "the daemon"},
	{"autoscale", KT_SECTION, F(struct config, autoscale), .sub = &schema_autoscale, .flags = KF_PRESENT,
	 .flag_off = offsetof(struct config, autoscale.present), .doc = "the autoscaler (docs/autoscale.md)"},
	{"calibration", KT_CALIBRATION, F(struct config, calibration), .sub = &schema_calibration,
	 .doc = "a measured calibration: inline, or the path of a file from headroom bench --calibrate"},
	{"catalog_dir", KT_STRING, F(struct config, catalog_dir),
	 .doc = "a folder of price catalogue files to read instead of the installed one (relative to this file); "
		"absent: $HEADROOM_CATALOG, else the catalogue installed with headroom"},
};
SECTION(schema_config, "config", struct config, config_keys);

static const struct key_spec calibration_file_keys[] = {
	{"calibration", KT_SECTION, .offset = 0, .flags = KF_REQUIRED, .sub = &schema_calibration,
	 .doc = "the calibration"},
};
SECTION(schema_calibration_file, "calibration file", struct calibration, calibration_file_keys);

static const struct key_spec catalog_file_keys[] = {
	{"provider", KT_STRING, F(struct catalog_file, provider), .flags = KF_REQUIRED, .doc = "the provider all entries belong to"},
	{"offers", KT_LIST, F(struct catalog_file, offers), .count_off = offsetof(struct catalog_file, n),
	 .flags = KF_REQUIRED, .sub = &schema_offer, .doc = "the entries"},
};
SECTION(schema_catalog_file, "catalogue file", struct catalog_file, catalog_file_keys);
