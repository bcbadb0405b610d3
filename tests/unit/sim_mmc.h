/* sim_mmc.h - a discrete-event simulation of the FCFS M/M/c and M/G/c
 * queues, for tests.
 *
 * It checks model/queue against the system it models rather than against
 * the same formulas: customers arrive in a Poisson stream, each takes a
 * service time drawn from the configured distribution (exponential by
 * default; constant, uniform, lognormal or two-phase hyperexponential with
 * a given coefficient of variation), and c servers take them first come,
 * first served. Seeded, so a run is deterministic; confidence intervals come from
 * batch means (Law, Simulation Modeling and Analysis, 5th ed., section 9.5.3). */
#ifndef HR_SIM_MMC_H
#define HR_SIM_MMC_H

#include <stddef.h>
#include <stdint.h>

/** Service-time distributions; all have mean service_s. */
enum sim_service {
	SIM_EXP = 0,   /**< exponential (cv 1; cv is ignored) */
	SIM_CONST,     /**< constant (cv 0; cv is ignored) */
	SIM_UNIFORM,   /**< uniform on S (1 -+ cv sqrt 3), cv <= 1/sqrt 3 */
	SIM_LOGNORMAL, /**< lognormal with the given cv */
	SIM_H2,        /**< hyperexponential, balanced means (Whitt 1982), cv >= 1 */
};

/** What to simulate and how long. */
struct sim_mmc_cfg {
	double lambda;     /**< arrivals per second */
	double service_s;  /**< mean service time */
	enum sim_service dist; /**< service-time distribution (default exponential) */
	double cv;         /**< its coefficient of variation, where the distribution takes one */
	unsigned c;        /**< servers */
	uint64_t seed;
	size_t warmup;     /**< customers discarded before measuring (the queue starts empty) */
	size_t batches;    /**< number of batches; the intervals use Student t with batches-1 df */
	size_t batch_size; /**< customers per batch */
	double quantile;   /**< response-time quantile to estimate, e.g. 0.95 */
	double t_crit;     /**< Student t critical value for the wanted confidence */
};

/** An estimate and its confidence interval. */
struct sim_ci {
	double est, lo, hi;
};

/** The measured response times. */
struct sim_mmc_result {
	struct sim_ci mean;     /**< mean response time */
	struct sim_ci quantile; /**< the configured response-time quantile */
};

/** Run the simulation. @return 0, or -1 on bad configuration. */
int sim_mmc_run(const struct sim_mmc_cfg *cfg, struct sim_mmc_result *out);

#endif
