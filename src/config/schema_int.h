/* schema_int.h - what the key tables share, inside config/ only.
 *
 * The walker (schema.c) reads any table; the tables are in one file per area
 * of the file format: schema_workload.c, schema_deployment.c,
 * schema_objectives.c, schema_economics.c, schema_sources.c,
 * schema_autoscale.c, and schema_config.c for the top level of each file.
 * A table file defines its sections with SECTION() and exports those another
 * file's table names in a KT_SECTION, KT_LIST, KT_NAMED or KT_CALIBRATION
 * row; the rest stay static. Adding a key is adding a row in its area's
 * file (and its line in docs/config.md, which a unit test checks). */
#ifndef HR_CONFIG_SCHEMA_INT_H
#define HR_CONFIG_SCHEMA_INT_H

#include <stddef.h>

#include "config/schema.h"

/** The number of elements of an array. */
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/** Where a key's value lands, in a key_spec row: F(struct workload, users). */
#define F(st, fld) .offset = offsetof(st, fld)

/**
 * Define the section var, named nm in docs, over struct st with the key
 * rows arr; more section fields (.check, .init, .name_off) may follow.
 */
#define SECTION(var, nm, st, arr, ...) \
	const struct section var = {.name = nm, .keys = arr, .n_keys = NELEM(arr), .size = sizeof(st), __VA_ARGS__}

/** `workload:` (schema_workload.c). */
extern const struct section schema_workload;
/** One element of `components:` (schema_deployment.c). */
extern const struct section schema_component;
/** `deployment:` (schema_deployment.c). */
extern const struct section schema_deployment;
/** `objectives:` (schema_objectives.c). */
extern const struct section schema_objectives;
/** `reliability:` (schema_objectives.c). */
extern const struct section schema_reliability;
/** One element of `triggers:` (schema_objectives.c). */
extern const struct section schema_trigger;
/** `economics:` (schema_economics.c). */
extern const struct section schema_economics;
/** `metrics:` (schema_sources.c). */
extern const struct section schema_metrics;
/** `agent:` (schema_sources.c). */
extern const struct section schema_agent;
/** `calibration:`, inline or in a calibration file (schema_sources.c). */
extern const struct section schema_calibration;
/** `autoscale:` (schema_autoscale.c). */
extern const struct section schema_autoscale;

#endif
