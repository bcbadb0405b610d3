/* calibrated.c - see calibrated.h. */
#include "model/calibrated.h"

#include <math.h>

#include "model/usl.h"

/* Most servers a node's latency queue takes: a calibration of 1e5 slots per
 * vCPU on a 200-vCPU node is past anything the M/G/c approximation needs to
 * resolve (with that many servers nobody waits), and the Erlang recursion
 * stays cheap. */
#define MAX_SERVERS 1000000.0

int calib_resolve(const struct calibration *cal, struct calib_service *out)
{
	if (!cal || !cal->present || !(cal->service_s > 0) || !isfinite(cal->service_s))
		return HR_E_INVALID;
	double s = cal->service_s, m = cal->cores > 0 ? cal->cores : 0;
	*out = (struct calib_service){
		.service_s = s,
		.cv = cal->has_service_cv ? cal->service_cv : 1.0,
		.slots_from = CALIB_SLOTS_NONE,
	};
	if (cal->cpu_s > 0) {
		out->cpu_s = cal->cpu_s;
		out->cpu_from = CALIB_CPU_MEASURED;
	} else if (cal->max_rps > 0 && m > 0) {
		/* Utilisation law U = X D at U = 1: every vCPU busy at the knee. */
		out->cpu_s = m / cal->max_rps;
		out->cpu_from = CALIB_CPU_KNEE;
	} else {
		out->cpu_s = s;
		out->cpu_from = CALIB_CPU_SERVICE;
	}
	if (m <= 0)
		return 0; /* nothing to scale slots by */
	double slots = 0;
	if (cal->concurrency > 0) {
		slots = cal->concurrency;
		out->slots_from = CALIB_SLOTS_MEASURED;
	} else if (cal->max_rps > 0) {
		/* Little's law on the time in service: L = X S at the knee. */
		slots = cal->max_rps * s;
		out->slots_from = CALIB_SLOTS_KNEE;
	} else if (cal->gamma > 0) {
		/* The USL's concurrency is the deployment's client concurrency, so
		 * its peak throughput is the whole deployment's ceiling. */
		struct usl_model u = {cal->sigma, cal->kappa, cal->gamma};
		double x = usl_max_throughput(&u);
		if (isfinite(x) && x > 0) {
			slots = x * s;
			out->slots_from = CALIB_SLOTS_USL;
		}
	}
	out->slots_per_vcpu = slots / m;
	return 0;
}

double calib_slots(const struct calib_service *s, double vcpu)
{
	if (s->slots_from == CALIB_SLOTS_NONE || !(vcpu > 0))
		return 0;
	return s->slots_per_vcpu * vcpu;
}

unsigned calib_servers(const struct calib_service *s, double vcpu)
{
	double slots = calib_slots(s, vcpu);
	if (!(slots > 0))
		return 0;
	double c = round(slots);
	if (c < 1)
		c = 1;
	return c > MAX_SERVERS ? (unsigned)MAX_SERVERS : (unsigned)c;
}

const char *calib_cpu_from_name(enum calib_cpu_from f)
{
	switch (f) {
	case CALIB_CPU_MEASURED: return "measured";
	case CALIB_CPU_KNEE: return "knee";
	default: return "service_time";
	}
}

const char *calib_slots_from_name(enum calib_slots_from f)
{
	switch (f) {
	case CALIB_SLOTS_MEASURED: return "measured";
	case CALIB_SLOTS_KNEE: return "knee";
	case CALIB_SLOTS_USL: return "usl";
	default: return "none";
	}
}
