/* simulate.h - the replay `headroom simulate` runs, set up from its inputs.
 *
 * The service per replica from a config (its calibration, else the app
 * component and the request classes; the price from deployment.current);
 * the replay sized from the trace (the busiest bucket: static:peak and the
 * autoscalers' maximum; the count autoscalers start with, where a team would
 * switch them on); each policy from its spelling; then every policy replayed
 * through model/simulate. Wiring only: the model does the work. */
#ifndef HR_PIPELINE_SIMULATE_H
#define HR_PIPELINE_SIMULATE_H

#include <stddef.h>

#include "config/config.h"
#include "config/trace.h"
#include "model/simulate.h"
#include "util/diag.h"
#include "util/error.h"

/** What the trace asks of the service. */
struct simulate_setup {
	double peak_rps;  /**< the busiest bucket's requests per second, scaled */
	int peak_n;       /**< replicas the busiest bucket needs: static:peak */
	int max;          /**< the autoscalers' maximum */
	int first;        /**< replicas an autoscaler starts with; 0: its maximum */
};

/**
 * The service per replica from a config: its calibration when present, else
 * the app component (workers x concurrency slots) and the request classes'
 * rate-weighted duration and CPU; the price and cores of a replica from the
 * deployment.current app node.
 * @param price_hour set to the price of a replica an hour, NaN when unknown.
 * @param currency set to the price's currency (borrowed from cfg), or NULL.
 * @return 0; HR_E_INVALID or HR_E_IO after reporting to d.
 */
HR_NODISCARD int simulate_service_from_config(const struct config *cfg, struct sim_service *svc, double *price_hour,
					      const char **currency, struct diag *d);

/**
 * Size the replay from the trace.
 * @param max_replicas --max-replicas, or 0: twice static:peak, at least 4 more.
 * @param service how the service was given ("from the config" or the flag), for messages.
 * @return 0; HR_E_INFEASIBLE after reporting to d when no replica count meets
 *         the SLO (a request alone is too slow, or the peak needs more than
 *         100000 replicas); HR_E_TOO_LARGE after reporting to d when the
 *         replay would pass SIM_MAX_TICKS (sim_check_ticks()).
 */
HR_NODISCARD int simulate_prepare(const struct trace *tr, const char *trace_name, const struct sim_service *svc,
				  const struct sim_params *p, long max_replicas, const char *service, struct diag *d,
				  struct simulate_setup *out);

/**
 * A policy from its spelling - static:N, static:peak, hpa, keda, predictive
 * (each optionally :target=V), or config:SERVICE (the behavior, limits and
 * target of autoscale.services.SERVICE) - with the count it starts at,
 * checked against the service and the parameters (sim_check()).
 * @param cfg the -f config, or NULL.
 * @param why on failure, set to the sentence to show ("--policy 'x': ...");
 *        the caller frees it.
 * @return 0; HR_E_INVALID with *why set.
 */
HR_NODISCARD int simulate_policy(const char *spec, const struct sim_service *svc, const struct sim_params *p,
				 const struct simulate_setup *su, const struct config *cfg, struct sim_policy *pol,
				 char **why);

/**
 * Replay the trace against each of @p n policies.
 * @param res n results.
 * @param series NULL, or n per-tick series to fill for charts (the demand in
 *        the first only); free them with simulate_series_free().
 * @param failed set to the index of the policy whose replay failed.
 * @return 0; the error of sim_run().
 */
HR_NODISCARD int simulate_replay(const struct trace *tr, const struct sim_service *svc, const struct sim_params *p,
				 const struct sim_policy *pols, size_t n, struct sim_result *res,
				 struct sim_series *series, size_t *failed);

/** Free @p n series that simulate_replay() filled (zeroed ones are fine). */
void simulate_series_free(struct sim_series *series, size_t n);

#endif
