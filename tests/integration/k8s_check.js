// k8s_check.js - validate Kubernetes manifests offline, for tests/integration/export.sh.
//
//   node k8s_check.js NODE_MODULES FILE
//
// 1. Schema: every document through kubernetes-models@4.5.1 and
//    @kubernetes-models/keda@0.4.2 (ajv, generated from the OpenAPI schemas).
// 2. headroom's own lint, for what those schemas let through (they carry no
//    additionalProperties: false and no enums):
//    - field names: each key of each object against the property lists of
//      the packages' own type declarations (.d.ts), walked by type;
//    - enum values (HPA policy type, selectPolicy, metric and target types,
//      Service type, Deployment strategy, KEDA trigger type);
//    - minReplicas <= maxReplicas, minReplicaCount <= maxReplicaCount;
//    - requests <= limits for cpu and memory;
//    - a Deployment's selector matches its template's labels; a Service's
//      and a PDB's selector match some Deployment's pods;
//    - a PDB's minAvailable is below its Deployment's replicas;
//    - an HPA's or ScaledObject's target is a Deployment of the file.
// Prints one line per problem ("DOC N (KIND NAME): ...") and exits 1 on any.
"use strict";
const fs = require("fs");
const path = require("path");
const [nm, file] = process.argv.slice(2);
const req = (m) => require(path.join(nm, m));
const yaml = req("js-yaml");

const models = {
  "apps/v1/Deployment": ["kubernetes-models/apps/v1/Deployment", "Deployment"],
  "v1/Service": ["kubernetes-models/v1/Service", "Service"],
  "autoscaling/v2/HorizontalPodAutoscaler": ["kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler", "HorizontalPodAutoscaler"],
  "policy/v1/PodDisruptionBudget": ["kubernetes-models/policy/v1/PodDisruptionBudget", "PodDisruptionBudget"],
  "keda.sh/v1alpha1/ScaledObject": ["@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject", "ScaledObject"],
};

// ---- a small reader of TypeScript declaration files: property lists by type ----
const cache = new Map();
function stripComments(s) { return s.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/[^\n]*/g, ""); }

// Parse a type expression at s[i]; returns [type, next index].
// type: {kind:"obj", props:{name:type}, index:type|null} | {kind:"arr", of} | {kind:"ref", name, file}
//       | {kind:"leaf"} | {kind:"union", of:[...]}
function parseType(s, i, ctx) {
  const skip = () => { while (i < s.length && /\s/.test(s[i])) i++; };
  const one = () => {
    skip();
    if (s[i] === "{") {
      i++;
      const t = { kind: "obj", props: {}, index: null };
      for (;;) {
        skip();
        if (s[i] === "}") { i++; return t; }
        if (s[i] === "[") { // [key: string]: Type
          const close = s.indexOf("]", i);
          i = close + 1; skip();
          if (s[i] === "?") i++;
          skip(); i++; // ':'
          const [ty, j] = parseType(s, i, ctx); t.index = ty; i = j;
        } else {
          const m = /^"?([A-Za-z0-9_$.\-]+)"?\s*(\?)?\s*:/.exec(s.slice(i));
          if (!m) throw new Error("cannot read a member at: " + s.slice(i, i + 40));
          i += m[0].length;
          const [ty, j] = parseType(s, i, ctx); t.props[m[1]] = ty; i = j;
        }
        skip();
        if (s[i] === ";" || s[i] === ",") i++;
      }
    }
    if (s.startsWith("Array<", i)) {
      i += 6;
      const [ty, j] = parseType(s, i, ctx); i = j; skip();
      if (s[i] === ">") i++;
      return { kind: "arr", of: ty };
    }
    if (s[i] === '"' || s[i] === "'") { const q = s[i]; i = s.indexOf(q, i + 1) + 1; return { kind: "leaf" }; }
    const m = /^[A-Za-z0-9_$]+/.exec(s.slice(i));
    if (!m) throw new Error("cannot read a type at: " + s.slice(i, i + 40));
    i += m[0].length;
    const name = m[0];
    if (["string", "number", "boolean", "any", "unknown", "null", "undefined", "object"].includes(name)) return { kind: "leaf" };
    const from = ctx.imports[name];
    return from ? { kind: "ref", name, file: from } : { kind: "leaf" };
  };
  const alts = [one()];
  for (;;) {
    while (i < s.length && /\s/.test(s[i])) i++;
    if (s[i] !== "|") break;
    i++;
    alts.push(one());
  }
  return [alts.length === 1 ? alts[0] : { kind: "union", of: alts }, i];
}

// The interface a .d.ts file exports first, as an "obj" type.
function declared(file) {
  if (cache.has(file)) return cache.get(file);
  const text = stripComments(fs.readFileSync(file, "utf8"));
  const imports = {};
  for (const m of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*"([^"]+)"/g)) {
    let target = m[2].startsWith(".") ? path.resolve(path.dirname(file), m[2]) : path.join(nm, m[2]);
    for (const n of m[1].split(",")) {
      const parts = n.trim().split(/\s+as\s+/);
      if (parts[0]) imports[parts[parts.length - 1]] = target + ".d.ts";
    }
  }
  const at = text.search(/export interface \w+[^{]*\{/);
  if (at < 0) { // a type alias (Quantity, IntOrString): a leaf
    cache.set(file, { kind: "leaf" });
    return cache.get(file);
  }
  const open = text.indexOf("{", at);
  const [t] = parseType(text, open, { imports });
  cache.set(file, t);
  return t;
}

function resolve(t) {
  while (t && t.kind === "ref") t = declared(t.file);
  return t;
}

function checkFields(v, t, where, errs) {
  t = resolve(t);
  if (!t || v === null || v === undefined) return;
  if (t.kind === "union") {
    const objs = t.of.map(resolve).filter((x) => x && x.kind === "obj");
    if (objs.length && typeof v === "object" && !Array.isArray(v)) checkFields(v, objs[0], where, errs);
    return;
  }
  if (t.kind === "arr") {
    if (Array.isArray(v)) v.forEach((x, k) => checkFields(x, t.of, `${where}[${k}]`, errs));
    return;
  }
  if (t.kind !== "obj" || typeof v !== "object" || Array.isArray(v)) return;
  for (const [k, x] of Object.entries(v)) {
    if (k in t.props) checkFields(x, t.props[k], `${where}.${k}`, errs);
    else if (t.index) checkFields(x, t.index, `${where}.${k}`, errs);
    else errs.push(`unknown field ${where}.${k} (known: ${Object.keys(t.props).join(", ")})`);
  }
}

// ---- quantities ----
function cpu(q) { const s = String(q); return s.endsWith("m") ? parseFloat(s) / 1000 : parseFloat(s); }
function mem(q) {
  const m = /^([0-9.]+)([KMGTE]i?|k|m)?$/.exec(String(q));
  if (!m) return NaN;
  const u = { Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12, m: 1e-3 };
  return parseFloat(m[1]) * (m[2] ? u[m[2]] : 1);
}
const matches = (sel, labels) => sel && labels && Object.entries(sel).every(([k, v]) => labels[k] === v);

const docs = yaml.loadAll(fs.readFileSync(file, "utf8")).filter((d) => d !== null && d !== undefined);
const errors = [];
const deployments = {};
docs.forEach((d) => { if (d.kind === "Deployment") deployments[d.metadata && d.metadata.name] = d; });
if (!docs.length) errors.push("no document");

docs.forEach((d, n) => {
  const key = `${d.apiVersion}/${d.kind}`;
  const tag = `doc ${n + 1} (${d.kind} ${d.metadata && d.metadata.name})`;
  const e = (msg) => errors.push(`${tag}: ${msg}`);
  const m = models[key];
  if (!m) { e(`unexpected kind ${key}`); return; }
  try {
    const Model = req(m[0])[m[1]];
    new Model(d).validate();
  } catch (err) { e(`schema: ${err.message}`); }
  const dts = path.join(nm, m[0] + ".d.ts");
  const fe = [];
  checkFields(d, declared(dts), d.kind, fe);
  fe.forEach(e);
  const s = d.spec || {};
  const oneOf = (v, allowed, what) => { if (v !== undefined && !allowed.includes(v)) e(`${what} '${v}' is not one of ${allowed.join("|")}`); };
  const behavior = (b, what) => {
    for (const dir of ["scaleUp", "scaleDown"]) {
      const r = b && b[dir];
      if (!r) continue;
      oneOf(r.selectPolicy, ["Max", "Min", "Disabled"], `${what}.${dir}.selectPolicy`);
      (r.policies || []).forEach((p) => {
        oneOf(p.type, ["Pods", "Percent"], `${what}.${dir}.policies.type`);
        if (!(p.value > 0)) e(`${what}.${dir} policy value ${p.value} must be above 0`);
        if (!(p.periodSeconds > 0 && p.periodSeconds <= 1800)) e(`${what}.${dir} periodSeconds ${p.periodSeconds} not in 1..1800`);
      });
      if (r.stabilizationWindowSeconds < 0 || r.stabilizationWindowSeconds > 3600) e(`${what}.${dir}.stabilizationWindowSeconds out of 0..3600`);
    }
  };
  if (d.kind === "Deployment") {
    const tl = s.template && s.template.metadata && s.template.metadata.labels;
    if (!matches(s.selector && s.selector.matchLabels, tl)) e("selector does not match the template's labels");
    oneOf(s.strategy && s.strategy.type, ["Recreate", "RollingUpdate"], "strategy.type");
    const cs = (s.template && s.template.spec && s.template.spec.containers) || [];
    if (!cs.length) e("no container");
    cs.forEach((c) => {
      const r = c.resources || {}, rq = r.requests || {}, lm = r.limits || {};
      if (rq.cpu !== undefined && lm.cpu !== undefined && !(cpu(rq.cpu) <= cpu(lm.cpu))) e(`container ${c.name}: cpu request ${rq.cpu} above limit ${lm.cpu}`);
      if (rq.memory !== undefined && lm.memory !== undefined && !(mem(rq.memory) <= mem(lm.memory))) e(`container ${c.name}: memory request ${rq.memory} above limit ${lm.memory}`);
      if (!c.image) e(`container ${c.name}: no image`);
    });
  } else if (d.kind === "Service") {
    oneOf(s.type, ["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"], "spec.type");
    if (!Object.values(deployments).some((x) => matches(s.selector, x.spec.template.metadata.labels))) e("selector matches no Deployment's pods");
  } else if (d.kind === "HorizontalPodAutoscaler") {
    if (!(s.minReplicas <= s.maxReplicas)) e(`minReplicas ${s.minReplicas} above maxReplicas ${s.maxReplicas}`);
    if (!s.behavior) e("no behavior section");
    behavior(s.behavior, "behavior");
    (s.metrics || []).forEach((x) => {
      oneOf(x.type, ["Resource", "Pods", "Object", "External", "ContainerResource"], "metrics.type");
      if (x.resource) oneOf(x.resource.target && x.resource.target.type, ["Utilization", "Value", "AverageValue"], "metrics.resource.target.type");
    });
    const t = s.scaleTargetRef || {};
    if (t.kind !== "Deployment" || !deployments[t.name]) e(`scaleTargetRef ${t.kind} ${t.name} is not a Deployment of the file`);
  } else if (d.kind === "PodDisruptionBudget") {
    const dep = Object.values(deployments).find((x) => matches(s.selector && s.selector.matchLabels, x.spec.template.metadata.labels));
    if (!dep) e("selector matches no Deployment's pods");
    else if (typeof s.minAvailable === "number" && !(s.minAvailable < dep.spec.replicas)) e(`minAvailable ${s.minAvailable} not below the Deployment's ${dep.spec.replicas} replicas`);
  } else if (d.kind === "ScaledObject") {
    if (!(s.minReplicaCount <= s.maxReplicaCount)) e(`minReplicaCount ${s.minReplicaCount} above maxReplicaCount ${s.maxReplicaCount}`);
    const t = s.scaleTargetRef || {};
    if (!deployments[t.name]) e(`scaleTargetRef ${t.name} is not a Deployment of the file`);
    const b = s.advanced && s.advanced.horizontalPodAutoscalerConfig && s.advanced.horizontalPodAutoscalerConfig.behavior;
    behavior(b, "advanced.horizontalPodAutoscalerConfig.behavior");
    (s.triggers || []).forEach((tr) => {
      oneOf(tr.type, ["redis", "redis-cluster", "redis-sentinel", "cpu", "memory", "prometheus"], "triggers.type");
      if (tr.type === "redis") {
        const md = tr.metadata || {};
        if (!md.listName) e("redis trigger without listName");
        if (!(parseInt(md.listLength, 10) >= 1)) e(`redis trigger listLength '${md.listLength}' is not a whole number >= 1`);
        if (!md.address && !md.addressFromEnv && !md.host) e("redis trigger without an address");
      }
    });
  }
});
errors.forEach((x) => console.log(x));
console.log(errors.length ? `${errors.length} problems in ${docs.length} documents` : `ok: ${docs.length} documents`);
process.exit(errors.length ? 1 : 0);
