// Redaction and projection of raw API objects into what the audit and its evidence need. Secrets never
// leave the cluster: env values become a sha256 (a change stays detectable), managedFields and the
// last-applied annotation are dropped, and Secrets/ConfigMaps are never listed at all.
import { createHash } from 'node:crypto';
import { redactSecretArgs } from '../../core/redact.js';
import type { Container, EnvVar, K8sControllerRevision, K8sDaemonSet, K8sNode, K8sPod, ObjectMeta, OwnerReference, PodSpec } from '../../core/k8s-types.js';

/** The annotation `kubectl apply` leaves: a full copy of the manifest, env values included. */
export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

type Raw = Record<string, unknown>;

/** Returns the hex sha256 of a string. */
export function sha256Hex(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

/** Returns env vars with `value` replaced by `valueSha256`; `valueFrom` (a reference, no data) is kept. */
export function redactEnv(env: unknown): EnvVar[] | undefined {
  if (!Array.isArray(env)) return undefined;
  return (env as EnvVar[]).map(({ value, ...rest }) => (value === undefined || value === null ? rest : { ...rest, valueSha256: sha256Hex(String(value)) }));
}

/** Returns the metadata the audit uses: no managedFields, no last-applied annotation, no selfLink. */
export function projectMeta(m: Raw | undefined): ObjectMeta {
  const meta = (m ?? {}) as ObjectMeta;
  const out: ObjectMeta = { name: meta.name };
  if (meta.namespace !== undefined) out.namespace = meta.namespace;
  if (meta.uid !== undefined) out.uid = meta.uid;
  if (meta.resourceVersion !== undefined) out.resourceVersion = meta.resourceVersion;
  if (meta.generation !== undefined) out.generation = meta.generation;
  if (meta.creationTimestamp !== undefined) out.creationTimestamp = meta.creationTimestamp;
  if (meta.deletionTimestamp !== undefined) out.deletionTimestamp = meta.deletionTimestamp;
  if (meta.labels) out.labels = meta.labels;
  const annotations = withoutLastApplied(meta.annotations);
  if (annotations) out.annotations = annotations;
  if (meta.ownerReferences) out.ownerReferences = meta.ownerReferences;
  return out;
}

function withoutLastApplied(a: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!a) return undefined;
  if (!(LAST_APPLIED in a)) return a;
  const { [LAST_APPLIED]: _dropped, ...rest } = a;
  return rest;
}

/** Returns the controlling owner reference (`controller: true`), if any. */
export function controllerOf(meta: { ownerReferences?: OwnerReference[] } | undefined): OwnerReference | undefined {
  return meta?.ownerReferences?.find((r) => r.controller === true);
}

function ownedByDaemonSet(raw: Raw): boolean {
  const owner = controllerOf(raw.metadata as ObjectMeta | undefined);
  return owner?.kind === 'DaemonSet' && /^(apps|extensions)\//.test(owner.apiVersion ?? '');
}

/** Redacts a full pod spec (DaemonSet template, ControllerRevision data): env values in every container list. */
export function redactPodSpec(spec: Raw | undefined): PodSpec | undefined {
  if (!spec) return undefined;
  const out: Raw = { ...spec };
  for (const key of ['containers', 'initContainers', 'ephemeralContainers']) {
    const list = spec[key];
    if (Array.isArray(list)) out[key] = (list as Raw[]).map(redactContainer);
  }
  return out as PodSpec;
}

/** Returns a container with env values and secret-looking flag values (`--password=…`) replaced by sha256s. */
function redactContainer(c: Raw): Raw {
  const out: Raw = c.env === undefined ? { ...c } : { ...c, env: redactEnv(c.env) };
  for (const field of ['command', 'args']) {
    if (Array.isArray(c[field])) out[field] = redactSecretArgs(c[field] as unknown[], (v) => `sha256:${sha256Hex(v)}`);
  }
  return out;
}

/** Redacts a pod template: its metadata loses the last-applied annotation, its spec the env values. */
export function redactPodTemplate(t: Raw | undefined): Raw | undefined {
  if (!t || typeof t !== 'object') return t;
  const out: Raw = { ...t };
  const meta = t.metadata as ObjectMeta | undefined;
  if (meta?.annotations) out.metadata = { ...meta, annotations: withoutLastApplied(meta.annotations) };
  if (t.spec) out.spec = redactPodSpec(t.spec as Raw);
  return out;
}

/**
 * Returns a DaemonSet's managedFields with only what attribution reads (manager, operation, time, the
 * field set: names and merge keys, never values), or undefined when there are none.
 */
export function projectManagedFields(m: Raw | undefined): Raw[] | undefined {
  const list = m?.managedFields;
  if (!Array.isArray(list) || list.length === 0) return undefined;
  const keep = ['manager', 'operation', 'apiVersion', 'time', 'fieldsType', 'fieldsV1', 'subresource'];
  return (list as Raw[]).filter((e) => e && typeof e === 'object').map((e) => Object.fromEntries(keep.filter((k) => e[k] !== undefined).map((k) => [k, e[k]])));
}

/** Returns a DaemonSet with its full spec (template redacted), status and managedFields (who changed what). */
export function projectDaemonSet(raw: Raw): K8sDaemonSet {
  const spec = raw.spec as Raw;
  const managedFields = projectManagedFields(raw.metadata as Raw | undefined);
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { ...projectMeta(raw.metadata as Raw), ...(managedFields ? { managedFields } : {}) },
    spec: { ...spec, template: redactPodTemplate(spec?.template as Raw) } as unknown as K8sDaemonSet['spec'],
    ...(raw.status ? { status: raw.status as K8sDaemonSet['status'] } : {}),
  };
}

/** Returns a Node without `status.images` and the volume lists (large, unused). */
export function projectNode(raw: Raw, i: Interner = new Interner()): K8sNode {
  const status = (raw.status ?? {}) as Raw;
  const kept: Raw = {};
  for (const key of ['conditions', 'nodeInfo', 'capacity', 'allocatable', 'addresses', 'phase']) {
    if (status[key] !== undefined) kept[key] = status[key];
  }
  // Thousands of nodes share instance types, versions, label values and condition texts.
  if (kept.capacity) kept.capacity = i.value(kept.capacity);
  if (kept.allocatable) kept.allocatable = i.value(kept.allocatable);
  i.stringsIn(kept.conditions, CONDITION_STRINGS);
  if (kept.nodeInfo && typeof kept.nodeInfo === 'object') i.stringsIn([kept.nodeInfo], NODE_INFO_STRINGS);
  const metadata = projectMeta(raw.metadata as Raw);
  if (metadata.labels) for (const k in metadata.labels) metadata.labels[k] = i.string(metadata.labels[k]!);
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata,
    spec: (raw.spec ?? {}) as K8sNode['spec'],
    status: kept as K8sNode['status'],
  };
}

const NODE_INFO_STRINGS = ['architecture', 'containerRuntimeVersion', 'kernelVersion', 'kubeProxyVersion', 'kubeletVersion', 'operatingSystem', 'osImage'] as const;

/** Returns a DaemonSet's ControllerRevision (revision + redacted template patch), or undefined for other owners. */
export function projectControllerRevision(raw: Raw): K8sControllerRevision | undefined {
  if (!ownedByDaemonSet(raw)) return undefined;
  const out: K8sControllerRevision = { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: projectMeta(raw.metadata as Raw), revision: raw.revision as number };
  const data = raw.data as Raw | undefined;
  if (data !== undefined) {
    // DaemonSet revisions hold `{"spec":{"template":{...,"$patch":"replace"}}}`, see
    // kubernetes/pkg/controller/daemon/update.go getPatch().
    const spec = data?.spec as Raw | undefined;
    out.data = spec?.template ? { ...data, spec: { ...spec, template: redactPodTemplate(spec.template as Raw) } } : {};
  }
  return out;
}

function projectContainer(c: Raw): Container {
  const out: Container = { name: c.name as string };
  if (c.image !== undefined) out.image = c.image as string;
  const env = redactEnv(c.env);
  if (env) out.env = env;
  if (c.resources !== undefined) out.resources = c.resources as Container['resources'];
  return out;
}

function projectContainerStatus(s: Raw, i: Interner): Raw {
  const out: Raw = { name: i.string(s.name) };
  for (const key of ['image', 'imageID', 'ready', 'started', 'restartCount', 'state', 'lastState']) {
    if (s[key] !== undefined) out[key] = i.string(s[key]);
  }
  return out;
}

const CONDITION_STRINGS = ['type', 'status', 'reason', 'message'] as const;

/**
 * Shares equal sub-objects between projected objects (the pods of one DaemonSet carry the same labels,
 * owner, containers and tolerations): 30,000 daemon pods then cost a fraction of their JSON in memory.
 * Shared values are read-only, like everything in a Snapshot.
 */
export class Interner {
  private readonly values = new Map<string, unknown>();

  /** Returns the first value seen that serialises like `v` (or `v` itself). */
  value<T>(v: T): T {
    if (v === undefined || v === null) return v;
    const key = JSON.stringify(v);
    return this.memo(key, () => {
      if (typeof v === 'object') SHARED_JSON.set(v, key);
      return v;
    });
  }

  private readonly strings = new Map<string, string>();

  /** Returns the first string seen equal to `s`: JSON.parse makes a new copy of every repeated value. */
  string<T>(s: T): T {
    if (typeof s !== 'string') return s;
    const hit = this.strings.get(s);
    if (hit !== undefined) return hit as T;
    this.strings.set(s, s);
    return s;
  }

  /** Interns, in place, the string values of the given keys of each object in a list. */
  stringsIn(list: unknown, keys: readonly string[]): void {
    if (!Array.isArray(list)) return;
    for (const o of list as Raw[]) {
      if (!o || typeof o !== 'object') continue;
      for (const k of keys) if (typeof o[k] === 'string') o[k] = this.string(o[k]);
    }
  }

  /** Returns the value stored under `key`, computing it once. */
  memo<T>(key: string, make: () => T): T {
    const hit = this.values.get(key);
    if (hit !== undefined) return hit as T;
    const made = make();
    this.values.set(key, made);
    return made;
  }
}

/** JSON text of each shared value, so that the snapshot writer serialises it once, not once per pod. */
const SHARED_JSON = new WeakMap<object, string>();

/** Returns the JSON text of a shared (interned) value, or undefined for any other value. */
export function sharedJson(v: object): string | undefined {
  return SHARED_JSON.get(v);
}

function internMeta(meta: ObjectMeta, i: Interner): ObjectMeta {
  if (meta.namespace !== undefined) meta.namespace = i.string(meta.namespace);
  if (meta.labels) meta.labels = i.value(meta.labels);
  if (meta.annotations) meta.annotations = i.value(meta.annotations);
  if (meta.ownerReferences) meta.ownerReferences = i.value(meta.ownerReferences);
  return meta;
}

function projectContainers(list: unknown, i: Interner): Container[] {
  if (!Array.isArray(list)) return [];
  // Keyed by what the projection keeps (env values included): the hashes are computed once per distinct list.
  let key = 'containers';
  for (const c of list as Raw[]) key += `\u0000${c.name}\u0000${c.image}\u0000${JSON.stringify(c.env) ?? ''}\u0000${JSON.stringify(c.resources) ?? ''}`;
  return i.memo(key, () => {
    const made = (list as Raw[]).map(projectContainer);
    SHARED_JSON.set(made, JSON.stringify(made));
    return made;
  });
}

/**
 * Returns the compact projection of a pod whose controller is a DaemonSet, or undefined for any other pod.
 * All pods are listed and filtered here (one paginated list, no per-DaemonSet selectors to keep in sync
 * and orphans still seen by their owner reference).
 */
export function projectPod(raw: Raw, i: Interner = new Interner()): K8sPod | undefined {
  if (!ownedByDaemonSet(raw)) return undefined;
  const spec = (raw.spec ?? {}) as Raw;
  const outSpec: PodSpec = { containers: projectContainers(spec.containers, i) };
  if (Array.isArray(spec.initContainers)) outSpec.initContainers = projectContainers(spec.initContainers, i);
  if (typeof spec.nodeName === 'string') outSpec.nodeName = i.value(spec.nodeName);
  for (const key of ['affinity', 'tolerations', 'nodeSelector'] as const) {
    if (spec[key] !== undefined) (outSpec as Raw)[key] = i.value(spec[key]);
  }
  for (const key of ['hostNetwork', 'priorityClassName'] as const) {
    if (spec[key] !== undefined) (outSpec as Raw)[key] = spec[key];
  }
  const status = (raw.status ?? {}) as Raw;
  const outStatus: Raw = {};
  for (const key of ['phase', 'conditions', 'reason', 'message', 'startTime']) {
    if (status[key] !== undefined) outStatus[key] = i.string(status[key]);
  }
  i.stringsIn(outStatus.conditions, CONDITION_STRINGS);
  if (Array.isArray(status.containerStatuses)) outStatus.containerStatuses = (status.containerStatuses as Raw[]).map((c) => projectContainerStatus(c, i));
  if (Array.isArray(status.initContainerStatuses)) outStatus.initContainerStatuses = (status.initContainerStatuses as Raw[]).map((c) => projectContainerStatus(c, i));
  return { apiVersion: 'v1', kind: 'Pod', metadata: internMeta(projectMeta(raw.metadata as Raw), i), spec: outSpec, status: outStatus as K8sPod['status'] };
}
