/* agent.h - the agent's loop, shared by `headroom agent` and anything that
 * runs the same rounds.
 *
 * Every interval: sample the sources (pipeline/live), store the batch (one
 * transaction), log state changes and keep them in the store, post them to
 * the webhook, render /metrics and /status and publish them on the HTTP
 * endpoints (serve/httpd). The HTTP thread and this loop share only those
 * rendered documents. With autoscale: each round is handed to the
 * autoscaler's own thread (pipeline/autoscale), which this loop never waits
 * for: its part of /status and /metrics is the snapshot it last published.
 * A stop request ends the loop between rounds or during a sleep, and kills
 * an actuator's command in flight with its process group. */
#ifndef HR_PIPELINE_AGENT_H
#define HR_PIPELINE_AGENT_H

#include <signal.h>
#include <stdbool.h>

#include "config/config.h"
#include "util/logger.h"

/** What the command line decided (flags over the config's agent section). */
struct agent_params {
	const char *listen;  /**< HOST:PORT to serve on */
	const char *token;   /**< bearer token, or NULL (only on loopback) */
	const char *store;   /**< history database path */
	double interval_s;   /**< sampling interval */
	bool verbose;        /**< log every stored batch */
};

/**
 * Run until *stop becomes non-zero.
 * @param cfg borrowed, may be NULL (this machine, default triggers).
 * @param log where the agent logs (start, state changes, sources going down).
 * @param d where start-up problems go (store, sources, triggers, address).
 * @return 0 after a clean stop; HR_E_INVALID for a bad config or address;
 *         HR_E_IO when the store or the address cannot be opened.
 */
HR_NODISCARD int agent_run(const struct config *cfg, const struct agent_params *p, struct logger *log,
			   struct diag *d, volatile sig_atomic_t *stop);

#endif
