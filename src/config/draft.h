/* draft.h - draft a headroom config from a compose file and this machine (`headroom init`).
 *
 * Each compose service becomes a component of the kind compose_classify()
 * recognised; its replicas and the worker flags of its command become
 * `workers`, its memory limit (deploy.resources or mem_limit) `memory`; the
 * machine becomes deployment.current, matched to the closest catalogue
 * plan. What nothing in the file says is a stated ASSUMPTION with what to
 * measure (model/draft.h). */
#ifndef HR_CONFIG_DRAFT_H
#define HR_CONFIG_DRAFT_H

#include "config/compose.h"
#include "model/draft.h"
#include "util/diag.h"
#include "util/error.h"

/**
 * Build a draft.
 * @param p the compose project (borrowed), or NULL for a starter: one app,
 *        PostgreSQL, Redis and a proxy, sized for the machine.
 * @param vcpu, memory_b, disk_b this machine (disk_b 0 = unknown).
 * @param cat the price catalogue (borrowed); the nearest server plan is copied.
 * @param provider restrict the plan to one provider, or NULL.
 * @param out filled; the caller frees it with draft_free().
 * @return 0; HR_E_NOTFOUND after reporting to d when the catalogue has no
 *         server plan (of that provider); HR_E_INVALID after reporting when
 *         the file has no service headroom can plan (no app and no worker).
 */
HR_NODISCARD int draft_build(const struct compose_project *p, double vcpu, double memory_b, double disk_b,
			     const struct catalog *cat, const char *provider, struct diag *d, struct draft *out);

#endif
