/* k8s.c - Kubernetes manifests of a planned deployment (see k8s.h).
 *
 * Probes: readiness every 10 s (3 s timeout, 3 failures), liveness every
 * 20 s after 30 s, the same check; an HTTP GET of components.NAME.health
 * when set, else a TCP connect to the port. Kubernetes' defaults are 10 s
 * period, 1 s timeout, 3 failures (kubernetes.io, "Configure Liveness,
 * Readiness and Startup Probes"); liveness runs slower so a busy replica
 * is taken out of the Service before it is restarted. */
#include "render/k8s.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/plan.h"
#include "util/redact.h"

char *k8s_name(const char *name, char *buf, size_t n)
{
	size_t j = 0;
	for (size_t i = 0; name[i] && j + 1 < n && j < 63; i++) {
		unsigned char c = (unsigned char)name[i];
		if (isalnum(c))
			buf[j++] = (char)tolower(c);
		else if ((c == '-' || c == '_' || c == '.') && j > 0 && buf[j - 1] != '-')
			buf[j++] = '-';
	}
	while (j > 0 && buf[j - 1] == '-')
		j--;
	if (j == 0 && n > 1)
		buf[j++] = 'x';
	buf[j] = 0;
	return buf;
}

static void meta(struct yamlw *w, const struct export_doc *x, const char *name)
{
	yw_printf(w, "metadata:\n  name: ");
	yw_str(w, name);
	yw_printf(w, "\n  namespace: ");
	yw_str(w, x->ns);
	yw_printf(w, "\n  labels:\n    app.kubernetes.io/name: ");
	yw_str(w, name);
	yw_printf(w, "\n    app.kubernetes.io/managed-by: headroom\n");
}

static void behavior(struct yamlw *w, int in)
{
	yw_printf(w,
		  "%*sbehavior:\n"
		  "%*s  scaleUp:\n"
		  "%*s    stabilizationWindowSeconds: 0\n"
		  "%*s    selectPolicy: Max\n"
		  "%*s    policies:\n"
		  "%*s      - type: Pods\n"
		  "%*s        value: %d\n"
		  "%*s        periodSeconds: %d\n"
		  "%*s      - type: Percent\n"
		  "%*s        value: %d\n"
		  "%*s        periodSeconds: %d\n"
		  "%*s  scaleDown:\n"
		  "%*s    stabilizationWindowSeconds: %d\n"
		  "%*s    selectPolicy: Max\n"
		  "%*s    policies:\n"
		  "%*s      - type: Percent\n"
		  "%*s        value: 100\n"
		  "%*s        periodSeconds: %d\n",
		  in, "", in, "", in, "", in, "", in, "", in, "", in, "", K8S_SCALE_UP_PODS, in, "", K8S_SCALE_PERIOD_S, in,
		  "", in, "", K8S_SCALE_UP_PERCENT, in, "", K8S_SCALE_PERIOD_S, in, "", in, "", K8S_SCALE_DOWN_WINDOW_S, in, "",
		  in, "", in, "", in, "", in, "", K8S_SCALE_PERIOD_S);
}

static void probe(struct yamlw *w, const struct component *c, unsigned port, const char *which, int period, int delay)
{
	yw_printf(w, "          %s:\n", which);
	if (c->health) {
		char path[512];
		snprintf(path, sizeof(path), "%s%s", c->health[0] == '/' ? "" : "/", c->health);
		yw_printf(w, "            httpGet:\n              path: ");
		yw_str(w, path);
		yw_printf(w, "\n              port: %u\n", port);
	} else {
		yw_printf(w, "            tcpSocket:\n              port: %u\n", port);
	}
	if (delay)
		yw_printf(w, "            initialDelaySeconds: %d\n", delay);
	yw_printf(w, "            periodSeconds: %d\n            timeoutSeconds: 3\n            failureThreshold: 3\n", period);
}

/* Compose's ${VAR} and $VAR as Kubernetes writes them in args, $(VAR),
 * which it expands from the container's env ("$$" stays: Kubernetes reads
 * it as a literal '$' too). */
static int k8s_refs(const char *cmd, struct strbuf *out)
{
	int rc = 0;
	for (const char *p = cmd; *p && !rc; p++) {
		if (p[0] == '$' && p[1] == '$') {
			rc = strbuf_puts(out, "$$");
			p++;
			continue;
		}
		const char *s = p + 1 + (p[0] == '$' && p[1] == '{');
		size_t l = 0;
		if (p[0] == '$' && (isalpha((unsigned char)*s) || *s == '_'))
			while (isalnum((unsigned char)s[l]) || s[l] == '_')
				l++;
		if (!l || (p[1] == '{' && s[l] != '}')) {
			rc = strbuf_append(out, p, 1);
			continue;
		}
		rc = strbuf_printf(out, "$(%.*s)", (int)l, s);
		p = s + l - 1 + (p[1] == '{');
	}
	return rc;
}

/* The container's args: no credential in them (a secret still written in
 * the config becomes a reference), and each variable they read comes from
 * the Secret NAME-env, which the comment says how to create. */
static void args(struct yamlw *w, const struct export_doc *x, const struct component *c, const char *name)
{
	struct strbuf sb, conv;
	strbuf_init(&sb, 0);
	strbuf_init(&conv, 0);
	struct redact_ref *refs = NULL;
	char **names = NULL, note[600];
	size_t n = 0, nn = 0;
	if (redact_refs(c->command, c->name, &sb, &refs, &n) != 0 || k8s_refs(strbuf_str(&sb), &conv) != 0) {
		if (!w->rc)
			w->rc = HR_E_TOO_LARGE;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		snprintf(note, sizeof(note), "secret: %s in components.%s.command is the variable %s, never its value",
			 refs[i].what, c->name, refs[i].var);
		yw_comment(w, 10, note);
	}
	nn = redact_ref_names(strbuf_str(&sb), &names);
	if (nn) {
		snprintf(note, sizeof(note),
			 "the args read %zu variable%s from the Secret %s-env (headroom writes no secret); create it with\n"
			 "kubectl -n %s create secret generic %s-env --from-literal=%s=...%s",
			 nn, nn > 1 ? "s" : "", name, x->ns, name, names[0], nn > 1 ? " (one --from-literal each)" : "");
		yw_comment(w, 10, note);
	}
	yw_kwords(w, 10, "args", strbuf_str(&conv));
	if (nn)
		yw_printf(w, "          env:\n");
	for (size_t i = 0; i < nn; i++) {
		yw_printf(w, "            - name: %s\n              valueFrom:\n                secretKeyRef:\n", names[i]);
		yw_printf(w, "                  name: %s-env\n                  key: %s\n", name, names[i]);
	}
out:
	for (size_t i = 0; i < nn; i++)
		free(names[i]);
	free(names);
	free(refs);
	strbuf_free(&conv);
	strbuf_free(&sb);
}

static void deployment(struct yamlw *w, const struct export_doc *x, size_t i, const char *name, unsigned replicas)
{
	const struct component *c = &x->comps[i];
	const struct placement *p = &x->pl[i];
	char a[32], b[32], note[400];
	yw_printf(w, "---\napiVersion: apps/v1\nkind: Deployment\n");
	meta(w, x, name);
	yw_printf(w, "spec:\n  replicas: %u\n", replicas);
	if (c->kind == COMP_REDIS)
		yw_printf(w, "  strategy:\n    type: Recreate\n");
	yw_printf(w, "  selector:\n    matchLabels:\n      app.kubernetes.io/name: ");
	yw_str(w, name);
	yw_printf(w, "\n  template:\n    metadata:\n      labels:\n        app.kubernetes.io/name: ");
	yw_str(w, name);
	yw_printf(w, "\n    spec:\n");
	if (c->kind == COMP_WORKER) {
		double g = 0;
		for (size_t k = 0; x->workload && k < x->workload->n_tasks; k++)
			if (x->workload->tasks[k].duration_s > g)
				g = x->workload->tasks[k].duration_s;
		yw_printf(w, "      terminationGracePeriodSeconds: %.0f\n", ceil(g) + 10);
	}
	yw_printf(w, "      containers:\n        - name: ");
	yw_str(w, name);
	yw_printf(w, "\n");
	const char *image = export_image(c);
	if (!image) {
		snprintf(note, sizeof(note), "ASSUMPTION: the config names no image for %s%s%s%s; push one and set components.%s.image",
			 c->name, c->build ? " (built from " : "", c->build ? c->build : "", c->build ? ")" : "", c->name);
		yw_comment(w, 10, note);
		char ph[300];
		snprintf(ph, sizeof(ph), "%s:latest", name);
		yw_kv(w, 10, "image", ph);
	} else {
		yw_kv(w, 10, "image", image);
	}
	if (c->command) {
		args(w, x, c, name);
	} else if (c->kind == COMP_REDIS) {
		char mb[32];
		double m = c->memory_base_b > c->memory_b ? c->memory_base_b : c->memory_b;
		snprintf(mb, sizeof(mb), "%.0fmb", ceil(m / 1048576.0));
		bool queue = false;
		for (size_t k = 0; k < x->n; k++)
			queue |= x->comps[k].kind == COMP_WORKER;
		yw_printf(w, "          args: [\"--maxmemory\", \"%s\", \"--maxmemory-policy\", \"%s\"]\n", mb,
			  queue ? "noeviction" : "allkeys-lru");
	}
	unsigned port = export_port(c);
	if (port)
		yw_printf(w, "          ports:\n            - containerPort: %u\n", port);
	yw_printf(w, "          resources:\n            requests:\n");
	yw_printf(w, "              cpu: %s\n", export_millicores(p->cpu_request, a, sizeof(a)));
	yw_printf(w, "              memory: %s\n", export_mem_k8s(p->mem_request_b, b, sizeof(b)));
	yw_printf(w, "            limits:\n");
	yw_printf(w, "              cpu: %s\n", export_millicores(p->cpu_limit, a, sizeof(a)));
	yw_printf(w, "              memory: %s\n", export_mem_k8s(p->mem_limit_b, b, sizeof(b)));
	if (port && c->kind != COMP_WORKER) {
		probe(w, c, port, "readinessProbe", 10, 0);
		probe(w, c, port, "livenessProbe", 20, 30);
	}
}

static void service(struct yamlw *w, const struct export_doc *x, size_t i, const char *name)
{
	const struct component *c = &x->comps[i];
	unsigned port = export_port(c);
	if (!port)
		return;
	yw_printf(w, "---\napiVersion: v1\nkind: Service\n");
	meta(w, x, name);
	yw_printf(w, "spec:\n");
	if (c->kind == COMP_PROXY)
		yw_printf(w, "  type: LoadBalancer\n");
	yw_printf(w, "  selector:\n    app.kubernetes.io/name: ");
	yw_str(w, name);
	yw_printf(w, "\n  ports:\n    - name: main\n      port: %u\n      targetPort: %u\n", c->kind == COMP_PROXY ? 80 : port,
		  port);
}

static void hpa(struct yamlw *w, const struct export_doc *x, const char *name, unsigned lo, unsigned hi,
		const char *note)
{
	double cpu = x->objectives && x->objectives->cpu_max > 0 ? x->objectives->cpu_max : 0.70;
	double mem = x->objectives && x->objectives->memory_max > 0 ? x->objectives->memory_max : 0.80;
	yw_printf(w, "---\n");
	yw_comment(w, 0, note);
	yw_printf(w, "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\n");
	meta(w, x, name);
	yw_printf(w, "spec:\n  scaleTargetRef:\n    apiVersion: apps/v1\n    kind: Deployment\n    name: ");
	yw_str(w, name);
	yw_printf(w, "\n  minReplicas: %u\n  maxReplicas: %u\n", lo, hi);
	yw_printf(w,
		  "  metrics:\n"
		  "    - type: Resource\n"
		  "      resource:\n"
		  "        name: cpu\n"
		  "        target:\n"
		  "          type: Utilization\n"
		  "          averageUtilization: %.0f\n"
		  "    - type: Resource\n"
		  "      resource:\n"
		  "        name: memory\n"
		  "        target:\n"
		  "          type: Utilization\n"
		  "          averageUtilization: %.0f\n",
		  round(cpu * 100), round(mem * 100));
	behavior(w, 2);
}

static void pdb(struct yamlw *w, const struct export_doc *x, const char *name, unsigned min_avail)
{
	yw_printf(w, "---\napiVersion: policy/v1\nkind: PodDisruptionBudget\n");
	meta(w, x, name);
	yw_printf(w, "spec:\n  minAvailable: %u\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: ", min_avail);
	yw_str(w, name);
	yw_printf(w, "\n");
}

/* The Redis a worker's queue lives in: a self-run one in the cluster, or managed. */
static size_t redis_index(const struct export_doc *x)
{
	for (size_t k = 0; k < x->n; k++)
		if (x->comps[k].kind == COMP_REDIS)
			return k;
	return x->n;
}

static void scaled_object(struct yamlw *w, const struct export_doc *x, size_t i, const char *name, unsigned lo,
			  unsigned hi)
{
	const struct component *c = &x->comps[i];
	const struct placement *p = &x->pl[i];
	size_t r = redis_index(x);
	char note[400];
	snprintf(note, sizeof(note),
		 "listLength %u: the tasks one replica finishes in a %.0f s poll (%u slots / %.3g s a task x %.0f s)",
		 p->queue_target, PLACEMENT_KEDA_POLL_S, (c->workers ? c->workers : 1) * (c->concurrency ? c->concurrency : 1),
		 p->task_s, PLACEMENT_KEDA_POLL_S);
	yw_printf(w, "---\n");
	yw_comment(w, 0, note);
	yw_printf(w, "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\n");
	meta(w, x, name);
	yw_printf(w, "spec:\n  scaleTargetRef:\n    name: ");
	yw_str(w, name);
	yw_printf(w, "\n  pollingInterval: %.0f\n  cooldownPeriod: %d\n  minReplicaCount: %u\n  maxReplicaCount: %u\n",
		  PLACEMENT_KEDA_POLL_S, K8S_KEDA_COOLDOWN_S, lo, hi);
	yw_printf(w, "  advanced:\n    horizontalPodAutoscalerConfig:\n");
	behavior(w, 6);
	yw_printf(w, "  triggers:\n    - type: redis\n      metadata:\n");
	if (x->pl[r].where == PLACE_MANAGED) {
		yw_comment(w, 8, "the managed Redis: give the worker's container REDIS_ADDRESS (host:port)");
		yw_printf(w, "        addressFromEnv: REDIS_ADDRESS\n");
	} else {
		char rn[80], addr[200];
		k8s_name(x->comps[r].name, rn, sizeof(rn));
		snprintf(addr, sizeof(addr), "%s.%s.svc.cluster.local:%u", rn, x->ns, export_port(&x->comps[r]));
		yw_kq(w, 8, "address", addr);
	}
	yw_kq(w, 8, "listName", c->queue);
	char len[32];
	snprintf(len, sizeof(len), "%u", p->queue_target);
	yw_kq(w, 8, "listLength", len);
}

/* The plan's PgBouncer in the cluster, in front of the database outside it:
 * two replicas behind one Service (a drain or a crash leaves one), each
 * holding half the plan's pool so the database sees no more than pool_size
 * server connections in all, and each accepting every client, so one alone
 * carries them. Resources as in render/compose.c. */
static void pgbouncer(struct yamlw *w, const struct export_doc *x)
{
	size_t db = export_db_index(x);
	const struct component *pg = &x->comps[db];
	char host[80], note[400];
	k8s_name(pg->name, host, sizeof(host));
	const char *name = EXPORT_PGBOUNCER_NAME;
	unsigned each = x->pool_size >= 2 ? x->pool_size / 2 : 1;
	yw_printf(w, "---\napiVersion: apps/v1\nkind: Deployment\n");
	meta(w, x, name);
	yw_printf(w, "spec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: %s\n", name);
	yw_printf(w, "  template:\n    metadata:\n      labels:\n        app.kubernetes.io/name: %s\n    spec:\n", name);
	yw_printf(w, "      containers:\n        - name: %s\n", name);
	yw_kv(w, 10, "image", EXPORT_PGBOUNCER_IMAGE);
	snprintf(note, sizeof(note), "ASSUMPTION: %s is the database's address here (an ExternalName Service or a host name)", host);
	yw_comment(w, 10, note);
	snprintf(note, sizeof(note), "%u server connections a replica, %u in all: the plan's pool is %u (deployment.pooler.pool_size)",
		 each, 2 * each, x->pool_size);
	yw_comment(w, 10, note);
	yw_printf(w, "          env:\n            - name: DB_HOST\n              value: ");
	yw_str(w, host);
	yw_printf(w, "\n            - name: DB_PORT\n              value: \"%u\"\n", export_port(pg));
	yw_printf(w, "            - name: POOL_MODE\n              value: transaction\n");
	yw_printf(w, "            - name: DEFAULT_POOL_SIZE\n              value: \"%u\"\n", each);
	yw_printf(w, "            - name: MAX_CLIENT_CONN\n              value: \"%u\"\n", x->max_client_conn);
	yw_printf(w, "            - name: AUTH_TYPE\n              value: scram-sha-256\n");
	yw_comment(w, 10, "DB_USER and DB_PASSWORD (or AUTH_FILE) from this Secret: headroom writes no secret");
	yw_printf(w, "          envFrom:\n            - secretRef:\n                name: %s-auth\n", name);
	yw_printf(w, "          ports:\n            - containerPort: 5432\n");
	yw_printf(w, "          resources:\n            requests:\n              cpu: 100m\n              memory: 16Mi\n"
		     "            limits:\n              cpu: 1000m\n              memory: 64Mi\n");
	yw_printf(w, "          readinessProbe:\n            tcpSocket:\n              port: 5432\n            periodSeconds: 10\n"
		     "          livenessProbe:\n            tcpSocket:\n              port: 5432\n"
		     "            initialDelaySeconds: 30\n            periodSeconds: 20\n");
	yw_printf(w, "---\napiVersion: v1\nkind: Service\n");
	meta(w, x, name);
	yw_printf(w, "spec:\n  selector:\n    app.kubernetes.io/name: %s\n  ports:\n    - name: main\n      port: 5432\n"
		     "      targetPort: 5432\n", name);
	pdb(w, x, name, 1);
}

int k8s_render(const struct export_doc *x, struct strbuf *out)
{
	struct yamlw w = {.out = out};
	export_header(&w, x);
	yw_printf(&w, "# Check with: kubectl apply --dry-run=server -f FILE (KEDA must be installed for ScaledObjects).\n");
	bool redis = redis_index(x) < x->n;
	for (size_t i = 0; i < x->n; i++) {
		const struct component *c = &x->comps[i];
		const struct placement *p = &x->pl[i];
		char name[80], note[400];
		k8s_name(c->name, name, sizeof(name));
		if (c->kind == COMP_POSTGRES) {
			if (p->where == PLACE_MANAGED)
				snprintf(note, sizeof(note), "%s: the managed database '%s', outside the cluster", c->name,
					 p->offer && p->offer->name ? p->offer->name : "?");
			else if (p->where == PLACE_DB_NODE)
				snprintf(note, sizeof(note), "%s: PostgreSQL on its own node(s) (%s), outside the cluster", c->name,
					 p->offer && p->offer->name ? p->offer->name : "?");
			else
				snprintf(note, sizeof(note),
					 "%s: the plan at these users runs PostgreSQL beside the app; in Kubernetes run it outside the cluster or with an operator",
					 c->name);
			yw_printf(&w, "---\n");
			yw_comment(&w, 0, note);
			if (x->best->shape.n_replicas) {
				snprintf(note, sizeof(note),
					 "%s: with %u read replica%s (streaming replication); the app sends its reads there",
					 c->name, x->best->shape.n_replicas, x->best->shape.n_replicas > 1 ? "s" : "");
				yw_comment(&w, 0, note);
			}
			continue;
		}
		if (c->kind == COMP_REDIS && p->where == PLACE_MANAGED) {
			snprintf(note, sizeof(note), "%s: the managed cache '%s', outside the cluster", c->name,
				 p->offer && p->offer->name ? p->offer->name : "?");
			yw_printf(&w, "---\n");
			yw_comment(&w, 0, note);
			continue;
		}
		if (c->kind == COMP_REDIS) {
			if (x->best->shape.redis_ha) {
				snprintf(note, sizeof(note),
					 "%s: the plan runs Redis as primary + replica under three Sentinels; this one Deployment "
					 "is the primary: run the pair with a Redis operator or chart", c->name);
				yw_printf(&w, "---\n");
				yw_comment(&w, 0, note);
			}
			deployment(&w, x, i, name, 1);
			service(&w, x, i, name);
			continue;
		}
		unsigned lo = p->replicas, hi = x->max_replicas ? x->max_replicas[i] : p->replicas;
		bool keda = c->kind == COMP_WORKER && c->queue && redis;
		/* Two replicas at least for a served component, so a drain or a crash leaves one serving. */
		if (c->kind != COMP_WORKER && lo < 2)
			lo = 2;
		if (hi <= lo) {
			hi = 2 * lo;
			snprintf(note, sizeof(note),
				 "ASSUMPTION: maxReplicas %u, twice the minimum: the plan finds no growth point before its search cap", hi);
		} else {
			snprintf(note, sizeof(note), "replicas %u now, %u at the next growth point of the plan", lo, hi);
		}
		deployment(&w, x, i, name, lo);
		service(&w, x, i, name);
		if (keda) {
			scaled_object(&w, x, i, name, lo, hi);
		} else {
			hpa(&w, x, name, lo, hi, note);
		}
		if (lo >= 2)
			pdb(&w, x, name, lo - 1);
	}
	if (export_has_pooler(x))
		pgbouncer(&w, x);
	return w.rc;
}
