/* k8s.h - `headroom export k8s`: Kubernetes manifests for a planned deployment.
 *
 * For each stateless component (app, proxy, other) a Deployment, a Service
 * when it listens on a port, an autoscaling/v2 HorizontalPodAutoscaler
 * with its `behavior` written out, and a PodDisruptionBudget when it runs
 * two replicas or more; for each queue worker a Deployment and a KEDA
 * ScaledObject on its Redis list; a self-run Redis as one Deployment and
 * Service. PostgreSQL stays outside the cluster (the plan's database node
 * or managed offer): a comment says where. Requests and limits come from
 * model/placement.h, probes from components.NAME.health and port.
 *
 * The HPA behaviour is Kubernetes' own default made explicit
 * (kubernetes/kubernetes pkg/apis/autoscaling/v2/defaults.go): scale up
 * with no stabilisation by the larger of 4 pods or 100 % per 15 s; scale
 * down after a 300 s stabilisation window by at most 100 % per 15 s. */
#ifndef HR_RENDER_K8S_H
#define HR_RENDER_K8S_H

#include "render/exports.h"
#include "util/error.h"
#include "util/strbuf.h"

/** HPA defaults (pkg/apis/autoscaling/v2/defaults.go, Kubernetes 1.23+). */
#define K8S_SCALE_UP_PODS 4
#define K8S_SCALE_UP_PERCENT 100
#define K8S_SCALE_PERIOD_S 15
#define K8S_SCALE_DOWN_WINDOW_S 300
/** KEDA's default cooldownPeriod, seconds (keda.sh docs, ScaledObject spec). */
#define K8S_KEDA_COOLDOWN_S 300

/**
 * Write the manifests, one YAML document each, separated by "---".
 * @return 0, or HR_E_TOO_LARGE past out's cap.
 */
HR_NODISCARD int k8s_render(const struct export_doc *x, struct strbuf *out);

/**
 * A Kubernetes object name (RFC 1123 label) from a component name:
 * lowercase, '_' and '.' become '-', other characters dropped, at most 63.
 * @return buf.
 */
char *k8s_name(const char *name, char *buf, size_t n);

#endif
