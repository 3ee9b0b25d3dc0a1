// Normalisation before a spec diff: both the Git manifest and the live object get the API server's
// defaults, server-owned fields are dropped, quantities become values, and "empty" equals "absent".
// What is left differs only where a person or a controller changed something.
import { parseImageRef } from '../image-ref.js';
import { API_FIELDS } from './api-fields.js';
import type { K8sDaemonSet } from '../k8s-types.js';
import { quantityNanos } from './quantity.js';

/** A resource quantity: compared by value, shown as written. */
export class Quantity {
  constructor(
    readonly raw: string | number,
    readonly nanos: bigint | null,
  ) {}
  /** True when both hold the same value (unparseable ones compare as text). */
  equals(o: Quantity): boolean {
    return this.nanos !== null && o.nanos !== null ? this.nanos === o.nanos : String(this.raw) === String(o.raw);
  }
}

/** A normalised JSON value (objects, arrays, scalars, and Quantity leaves). */
export type Norm = null | boolean | number | string | Quantity | Norm[] | { [k: string]: Norm };
type Obj = { [k: string]: Norm };

/** Annotations the API server or kubectl write on the DaemonSet itself: never drift. */
export const SERVER_ANNOTATIONS: readonly string[] = ['deprecated.daemonset.template.generation', 'kubectl.kubernetes.io/last-applied-configuration'];
/** Pod template annotations that record an action, not desired state (`kubectl rollout restart`). */
export const ACTION_ANNOTATIONS: readonly string[] = ['kubectl.kubernetes.io/restartedAt'];
/** Boolean fields whose `false` equals absent. */
const FALSE_IS_ABSENT = new Set([
  'hostNetwork',
  'hostPID',
  'hostIPC',
  'hostUsers',
  'shareProcessNamespace',
  'readOnly',
  'stdin',
  'stdinOnce',
  'tty',
  'optional',
  'setHostnameAsFQDN',
]);

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Quantity);
}

function obj(parent: Obj, key: string): Obj {
  const v = parent[key];
  if (isObj(v)) return v;
  const o: Obj = {};
  parent[key] = o;
  return o;
}

function list(v: Norm | undefined): Obj[] {
  return Array.isArray(v) ? v.filter(isObj) : [];
}

function setDefault(o: Obj, key: string, value: Norm): void {
  if (o[key] === undefined || o[key] === null) o[key] = value;
}

/**
 * Marks the GitOps controllers write on the objects they apply, which are not desired state: Argo CD's
 * tracking annotation, Flux's kustomize-controller and helm-controller labels, Helm's release annotations.
 */
export const CONTROLLER_MARKS = {
  annotations: [/^argocd\.argoproj\.io\/tracking-id$/, /^meta\.helm\.sh\//],
  labels: [/^kustomize\.toolkit\.fluxcd\.io\//, /^helm\.toolkit\.fluxcd\.io\//],
};

function omitMatching(o: Norm | undefined, patterns: readonly RegExp[]): void {
  if (isObj(o)) for (const k of Object.keys(o)) if (patterns.some((p) => p.test(k))) delete o[k];
}

function omitKeys(o: Norm | undefined, keys: readonly string[]): void {
  if (isObj(o)) for (const k of keys) delete o[k];
}

/** Wraps every value of a resource list (limits, requests) as a Quantity. */
function quantities(o: Norm | undefined): void {
  if (!isObj(o)) return;
  for (const [k, v] of Object.entries(o)) if (typeof v === 'string' || typeof v === 'number') o[k] = new Quantity(v, quantityNanos(v));
}

/**
 * The pull policy the API server gives a container without one
 * (kubernetes/kubernetes:pkg/apis/core/v1/defaults.go:SetDefaults_Container): Always for `:latest` or an
 * untagged image without digest, else IfNotPresent.
 */
export function defaultPullPolicy(image: string | undefined): 'Always' | 'IfNotPresent' {
  const ref = image ? parseImageRef(image) : null;
  return ref && ref.tag === 'latest' ? 'Always' : 'IfNotPresent';
}

/** Probe and lifecycle-handler defaults (defaults.go:SetDefaults_Probe, SetDefaults_HTTPGetAction). */
function normaliseHttpGet(h: Norm | undefined): void {
  if (!isObj(h)) return;
  setDefault(h, 'path', '/');
  setDefault(h, 'scheme', 'HTTP');
}

function normaliseProbe(p: Norm | undefined): void {
  if (!isObj(p)) return;
  setDefault(p, 'timeoutSeconds', 1);
  setDefault(p, 'periodSeconds', 10);
  setDefault(p, 'successThreshold', 1);
  setDefault(p, 'failureThreshold', 3);
  normaliseHttpGet(p.httpGet);
}

/** Container defaults (defaults.go:SetDefaults_Container, SetDefaults_ContainerPort, SetDefaults_ObjectFieldSelector). */
function normaliseContainer(c: Obj, hostNetwork: boolean): void {
  setDefault(c, 'imagePullPolicy', defaultPullPolicy(typeof c.image === 'string' ? c.image : undefined));
  setDefault(c, 'terminationMessagePath', '/dev/termination-log');
  setDefault(c, 'terminationMessagePolicy', 'File');
  for (const port of list(c.ports)) {
    setDefault(port, 'protocol', 'TCP');
    // defaults.go:defaultHostNetworkPorts (templates too before 1.28, and with DefaultHostNetworkHostPortsInPodTemplates).
    if (hostNetwork && port.hostPort === undefined && port.containerPort !== undefined) port.hostPort = port.containerPort;
  }
  for (const env of list(c.env)) {
    if (env.value === '') delete env.value;
    const from = env.valueFrom;
    if (isObj(from)) normaliseFieldRefs(from);
  }
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) normaliseProbe(c[probe]);
  if (isObj(c.lifecycle)) for (const h of ['postStart', 'preStop']) if (isObj(c.lifecycle[h])) normaliseHttpGet((c.lifecycle[h] as Obj).httpGet);
  if (isObj(c.resources)) {
    quantities(c.resources.limits);
    quantities(c.resources.requests);
  }
}

/**
 * fieldRef apiVersion v1 (defaults.go:SetDefaults_ObjectFieldSelector), and a resourceFieldRef's divisor,
 * which the server always serialises ("0" when unset: a zero Quantity is not omitted).
 */
function normaliseFieldRefs(o: Obj): void {
  if (isObj(o.fieldRef)) setDefault(o.fieldRef, 'apiVersion', 'v1');
  if (isObj(o.resourceFieldRef)) {
    const r = o.resourceFieldRef;
    setDefault(r, 'divisor', '0');
    if (typeof r.divisor === 'string' || typeof r.divisor === 'number') r.divisor = new Quantity(r.divisor, quantityNanos(r.divisor));
  }
}

/** Volume defaults (defaults.go:SetDefaults_Volume, SetDefaults_HostPathVolumeSource, SetDefaults_ConfigMapVolumeSource, SetDefaults_SecretVolumeSource, ...). */
function normaliseVolume(v: Obj): void {
  const sources = Object.keys(v).filter((k) => k !== 'name');
  if (sources.length === 0) v.emptyDir = {};
  if (isObj(v.hostPath) && (v.hostPath.type === '' || v.hostPath.type === undefined)) delete v.hostPath.type;
  for (const s of ['configMap', 'secret', 'downwardAPI', 'projected']) if (isObj(v[s])) setDefault(v[s] as Obj, 'defaultMode', 420);
  if (isObj(v.downwardAPI)) for (const item of list(v.downwardAPI.items)) normaliseFieldRefs(item);
  if (isObj(v.projected)) {
    for (const src of list(v.projected.sources)) {
      // defaults.go:SetDefaults_ServiceAccountTokenProjection: one hour.
      if (isObj(src.serviceAccountToken)) setDefault(src.serviceAccountToken, 'expirationSeconds', 3600);
      if (isObj(src.downwardAPI)) for (const item of list(src.downwardAPI.items)) normaliseFieldRefs(item);
    }
  }
  if (isObj(v.emptyDir) && v.emptyDir.sizeLimit !== undefined) {
    const q = v.emptyDir.sizeLimit;
    if (typeof q === 'string' || typeof q === 'number') v.emptyDir.sizeLimit = new Quantity(q, quantityNanos(q));
  }
}

/** Pod spec defaults (kubernetes/kubernetes:pkg/apis/core/v1/defaults.go:SetDefaults_PodSpec, SetDefaults_Pod). */
function normalisePodSpec(spec: Obj): void {
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefault(spec, 'schedulerName', 'default-scheduler');
  setDefault(spec, 'securityContext', {});
  setDefault(spec, 'enableServiceLinks', true);
  // `serviceAccount` is the deprecated alias the server mirrors from serviceAccountName.
  if (spec.serviceAccountName === undefined && typeof spec.serviceAccount === 'string') spec.serviceAccountName = spec.serviceAccount;
  delete spec.serviceAccount;
  if (spec.serviceAccountName === 'default') delete spec.serviceAccountName;
  const hostNetwork = spec.hostNetwork === true;
  for (const key of ['initContainers', 'containers', 'ephemeralContainers']) for (const c of list(spec[key])) normaliseContainer(c, hostNetwork);
  for (const v of list(spec.volumes)) normaliseVolume(v);
  if (isObj(spec.overhead)) quantities(spec.overhead);
}

/**
 * Drops the zero value of every non-pointer `omitempty` scalar field, following the API types from `type`
 * down (api-fields.ts): the API server never returns them, so Git's `initialDelaySeconds: 0` or
 * `hostNetwork: false` equals their absence. Runs before defaulting, as the server decodes before it defaults
 * (a `timeoutSeconds: 0` becomes the default 1). Pointer fields keep their zero (`runAsUser: 0` is root).
 */
function dropZeroValues(v: Norm | undefined, type: string): void {
  const fields = API_FIELDS[type];
  if (!fields) return;
  if (Array.isArray(v)) {
    for (const item of v) dropZeroValues(item, type);
    return;
  }
  if (!isObj(v)) return;
  for (const [key, kind] of Object.entries(fields)) {
    const x = v[key];
    if (x === undefined) continue;
    if (kind === 'zero') {
      if (x === 0 || x === false || x === '') delete v[key];
    } else {
      dropZeroValues(x, kind);
    }
  }
}

/** Removes nulls, empty objects, empty arrays and `false` where false is the default, recursively. */
function prune(v: Norm): Norm | undefined {
  if (v === null) return undefined;
  if (Array.isArray(v)) {
    // Items that prune to nothing stay as {} so positions and counts are kept.
    const out = v.map((x) => prune(x) ?? {});
    return out.length ? out : undefined;
  }
  if (!isObj(v)) return v;
  const out: Obj = {};
  for (const [k, x] of Object.entries(v)) {
    if (x === false && FALSE_IS_ABSENT.has(k)) continue;
    // `emptyDir: {}` names the volume's source: keep it.
    const p = k === 'emptyDir' && isObj(x) && Object.keys(x).length === 0 ? x : prune(x);
    if (p === undefined || (isObj(p) && Object.keys(p).length === 0 && k !== 'emptyDir')) continue;
    out[k] = p;
  }
  return Object.keys(out).length ? out : undefined;
}

/**
 * Returns the comparable part of a DaemonSet (`metadata.labels`, `metadata.annotations`, `spec`) with the API
 * server's defaults applied (kubernetes/kubernetes:pkg/apis/apps/v1/defaults.go:SetDefaults_DaemonSet;
 * pkg/apis/extensions/v1beta1/defaults.go for the OnDelete default and the selector taken from template labels),
 * server-owned metadata and status dropped, and quantities as values.
 */
export function normaliseDaemonSet(ds: K8sDaemonSet): Obj {
  const src = structuredClone(ds) as unknown as Obj;
  const meta = isObj(src.metadata) ? src.metadata : {};
  omitKeys(meta.annotations, SERVER_ANNOTATIONS);
  omitMatching(meta.annotations, CONTROLLER_MARKS.annotations);
  omitMatching(meta.labels, CONTROLLER_MARKS.labels);
  const spec: Obj = isObj(src.spec) ? src.spec : {};
  delete spec.templateGeneration;
  dropZeroValues(spec, 'DaemonSetSpec');
  const template = obj(spec, 'template');
  const tmeta = obj(template, 'metadata');
  delete tmeta.creationTimestamp;
  omitKeys(tmeta.annotations, ACTION_ANNOTATIONS);
  // Snapshot readers drop kubectl's last-applied copy wherever it appears, so it can never be compared.
  omitKeys(tmeta.annotations, SERVER_ANNOTATIONS);
  if (!isObj(spec.selector) && isObj(tmeta.labels)) spec.selector = { matchLabels: structuredClone(tmeta.labels) };
  const strategy = obj(spec, 'updateStrategy');
  setDefault(strategy, 'type', src.apiVersion === 'extensions/v1beta1' ? 'OnDelete' : 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') {
    const ru = obj(strategy, 'rollingUpdate');
    setDefault(ru, 'maxUnavailable', 1);
    setDefault(ru, 'maxSurge', 0);
  }
  setDefault(spec, 'revisionHistoryLimit', 10);
  setDefault(spec, 'minReadySeconds', 0);
  normalisePodSpec(obj(template, 'spec'));
  const out: Obj = {
    metadata: { ...(meta.labels !== undefined ? { labels: meta.labels } : {}), ...(meta.annotations !== undefined ? { annotations: meta.annotations } : {}) },
    spec,
  };
  return (prune(out) as Obj | undefined) ?? {};
}
