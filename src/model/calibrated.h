/* calibrated.h - a measured calibration resolved into what one app node of
 * the planner serves (docs/plan.md, "Calibration").
 *
 * A calibration (model.h, struct calibration) describes one deployment on
 * `cores` vCPU measured from outside by `headroom bench`: a request alone
 * takes service_s (CPU and waiting: database, network, sleeps) with
 * coefficient of variation service_cv; it uses cpu_s of CPU; the deployment
 * served `concurrency` requests at once at its knee, max_rps. The planner
 * keeps those apart:
 *
 *   - CPU: cpu_s per request is what a vCPU spends (the utilisation law
 *     U = X D: Denning & Buzen, Computing Surveys 10(3), 1978), so a node's
 *     CPU use is lambda x cpu_s, whatever its size;
 *   - slots: the deployment serves at most `concurrency` requests at once,
 *     each for service_s, so its capacity is concurrency / service_s =
 *     max_rps. On a node of v vCPU the planner runs one app process per vCPU
 *     (seed 004, "--workers $(nproc)"), v / cores times the processes
 *     measured, so the slots scale by v / cores (per vCPU a node serves what
 *     a vCPU of the measured machine served);
 *   - latency: the slots are the servers of an M/G/c queue with mean
 *     service_s and the measured cv (model/queue.h, Allen-Cunneen).
 *
 * The USL (sigma, kappa, gamma) was fitted on client concurrency: N is the
 * requests the whole measured deployment had in flight, X its throughput.
 * It is used where N means that: its peak throughput is the deployment's
 * ceiling when max_rps and concurrency are absent. It is never applied per
 * vCPU.
 *
 * Fallbacks (docs/plan.md, "Calibration"):
 *   cpu_s absent: cores / max_rps, as if the knee were where the CPU
 *     saturated (an upper bound on the CPU per request); without max_rps,
 *     service_s (every second of the latency taken as CPU: the old, most
 *     pessimistic reading);
 *   concurrency absent: max_rps x service_s (Little's law at the knee); then
 *     the USL's peak throughput x service_s; else no bound on slots.
 *
 * Pure computation: no I/O, no globals. */
#ifndef HR_CALIBRATED_H
#define HR_CALIBRATED_H

#include "model/model.h"
#include "util/error.h"

/** Where the CPU per request comes from. */
enum calib_cpu_from {
	CALIB_CPU_MEASURED, /**< cpu_per_request: measured by bench */
	CALIB_CPU_KNEE,     /**< cores / max_rps: the knee taken as CPU-bound (upper bound) */
	CALIB_CPU_SERVICE,  /**< service_time: all latency taken as CPU (upper bound) */
};

/** Where the slots (requests served at once) come from. */
enum calib_slots_from {
	CALIB_SLOTS_MEASURED, /**< concurrency */
	CALIB_SLOTS_KNEE,     /**< max_rps x service_time */
	CALIB_SLOTS_USL,      /**< USL peak throughput x service_time */
	CALIB_SLOTS_NONE,     /**< nothing bounds them: only the CPU does */
};

/** A calibration resolved for the planner. */
struct calib_service {
	double service_s;       /**< mean time a request holds a slot, alone */
	double cv;              /**< its coefficient of variation (1 when not measured) */
	double cpu_s;           /**< CPU seconds per request on one vCPU */
	enum calib_cpu_from cpu_from;
	double slots_per_vcpu;  /**< requests served at once per vCPU; 0 with CALIB_SLOTS_NONE */
	enum calib_slots_from slots_from;
};

/**
 * Resolve a calibration (see the design note for the fallbacks).
 * @param cal a loaded calibration (borrowed).
 * @param out filled on success.
 * @return 0; HR_E_INVALID when cal is not present or has no service time.
 */
HR_NODISCARD int calib_resolve(const struct calibration *cal, struct calib_service *out);

/**
 * Requests a node of @p vcpu vCPU serves at once: slots_per_vcpu x vcpu
 * (fractional: the capacity is this over service_s).
 * @return the slots; 0 when nothing bounds them (CALIB_SLOTS_NONE).
 */
double calib_slots(const struct calib_service *s, double vcpu);

/**
 * The servers of the node's latency queue: calib_slots() rounded to the
 * nearest whole number, at least 1.
 * @return the servers; 0 when nothing bounds them.
 */
unsigned calib_servers(const struct calib_service *s, double vcpu);

/** A short name for where the CPU per request comes from ("measured", "knee", "service_time"). */
const char *calib_cpu_from_name(enum calib_cpu_from f);

/** A short name for where the slots come from ("measured", "knee", "usl", "none"). */
const char *calib_slots_from_name(enum calib_slots_from f);

#endif
