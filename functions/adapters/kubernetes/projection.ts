// Projection of raw API objects into what the audit and its evidence need, redacted by core/redact.ts
// (the one place of redaction). The exact projection, field by field, is docs/snapshot.md. Live reads
// and kubectl dumps both go through it (projectSnapshot), and Secrets/ConfigMaps are never listed at all.
import {
  hashToken,
  LAST_APPLIED,
  redactDaemonSet,
  redactEnv as redactEnvValues,
  redactImage,
  redactPodTemplate,
  redactText,
  type Token,
} from '../../core/redact.js';
import type { Container, EnvVar, K8sControllerRevision, K8sDaemonSet, K8sNode, K8sPod, ObjectMeta, OwnerReference, PodSpec } from '../../core/k8s-types.js';
import type { Snapshot } from '../../core/types.js';
import { sha256Hex } from '../sha256.js';

export { LAST_APPLIED };

type Raw = Record<string, unknown>;

export { sha256Hex };

/** The snapshot's token: `sha256:` + all 64 hex digits (findings show a prefix of it). */
export const SNAPSHOT_TOKEN: Token = hashToken(sha256Hex);

/** Free text a check reads (a waiting or scheduling message) is kept this long, redacted. */
export const MESSAGE_LIMIT = 200;

/** Returns env vars with `value` replaced by `valueSha256`; `valueFrom` (a reference, no data) is kept. */
export function redactEnv(env: unknown): EnvVar[] | undefined {
  if (!Array.isArray(env)) return undefined;
  return redactEnvValues(env, SNAPSHOT_TOKEN) as EnvVar[];
}

/** Returns a message a check reads: redacted, then cut to MESSAGE_LIMIT characters. */
function keptMessage(m: unknown): string | undefined {
  if (typeof m !== 'string') return undefined;
  const s = redactText(m, SNAPSHOT_TOKEN);
  return s.length > MESSAGE_LIMIT ? `${s.slice(0, MESSAGE_LIMIT - 1)}…` : s;
}

/**
 * Returns the metadata the audit uses: name, namespace, uid, resourceVersion, generation, creation and
 * deletion times, labels and owner references. Annotations are not kept here (projectDaemonSet keeps
 * the DaemonSet's, redacted); nor are managedFields (DaemonSets keep theirs), finalizers or selfLink.
 */
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
  if (meta.ownerReferences) out.ownerReferences = meta.ownerReferences;
  return out;
}

const MANAGED_FIELD_KEYS = ['manager', 'operation', 'time', 'apiVersion', 'fieldsType', 'fieldsV1', 'subresource'] as const;

/** Returns a DaemonSet's managedFields entries (who wrote which field, never values), for change attribution. */
function projectManagedFields(list: unknown): Raw[] | undefined {
  if (!Array.isArray(list)) return undefined;
  return list
    .filter((e): e is Raw => !!e && typeof e === 'object')
    .map((e) => {
      const out: Raw = {};
      for (const k of MANAGED_FIELD_KEYS) if (e[k] !== undefined) out[k] = e[k];
      return out;
    });
}

/** Returns the controlling owner reference (`controller: true`), if any. */
export function controllerOf(meta: { ownerReferences?: OwnerReference[] } | undefined): OwnerReference | undefined {
  return meta?.ownerReferences?.find((r) => r.controller === true);
}

function ownedByDaemonSet(raw: Raw): boolean {
  const owner = controllerOf(raw.metadata as ObjectMeta | undefined);
  return owner?.kind === 'DaemonSet' && /^(apps|extensions)\//.test(owner.apiVersion ?? '');
}

/** Returns a DaemonSet with its full spec (template redacted), status, redacted annotations and managedFields. */
export function projectDaemonSet(raw: Raw): K8sDaemonSet {
  const meta = (raw.metadata ?? {}) as Raw;
  const metadata = projectMeta(meta) as ObjectMeta & { annotations?: Record<string, string>; managedFields?: Raw[] };
  const redacted = redactDaemonSet({ metadata: { annotations: meta.annotations }, spec: raw.spec }, SNAPSHOT_TOKEN) as {
    metadata: { annotations?: Record<string, string> };
    spec?: unknown;
  };
  if (redacted.metadata.annotations) metadata.annotations = redacted.metadata.annotations;
  const managedFields = projectManagedFields(meta.managedFields);
  if (managedFields) metadata.managedFields = managedFields;
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata,
    spec: redacted.spec as K8sDaemonSet['spec'],
    ...(raw.status ? { status: raw.status as K8sDaemonSet['status'] } : {}),
  };
}

/** Returns a condition's type, status, reason and times; its message only when `keepMessage` (redacted, cut). */
function projectCondition(c: unknown, keepMessage: boolean): unknown {
  if (!c || typeof c !== 'object') return c;
  const r = c as Raw;
  const out: Raw = {};
  // A node's newest heartbeat dates a dump that records no read time (pr-check's change/snapshot-stale).
  for (const k of ['type', 'status', 'reason', 'lastTransitionTime', 'lastHeartbeatTime']) if (r[k] !== undefined) out[k] = r[k];
  if (keepMessage && r.message !== undefined) out.message = keptMessage(r.message);
  return out;
}

/** Returns a Node: conditions without messages, node info, capacity, addresses; no annotations, no `status.images`. */
export function projectNode(raw: Raw, i: Interner = new Interner()): K8sNode {
  const status = (raw.status ?? {}) as Raw;
  const kept: Raw = {};
  for (const key of ['conditions', 'nodeInfo', 'capacity', 'allocatable', 'addresses', 'phase']) {
    if (status[key] !== undefined) kept[key] = status[key];
  }
  if (Array.isArray(kept.conditions)) kept.conditions = kept.conditions.map((c) => projectCondition(c, false));
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

const NODE_INFO_STRINGS = [
  'architecture',
  'containerRuntimeVersion',
  'kernelVersion',
  'kubeProxyVersion',
  'kubeletVersion',
  'operatingSystem',
  'osImage',
] as const;

/** Returns a DaemonSet's ControllerRevision (revision + redacted template patch), or undefined for other owners. */
export function projectControllerRevision(raw: Raw): K8sControllerRevision | undefined {
  if (!ownedByDaemonSet(raw)) return undefined;
  const out: K8sControllerRevision = {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: projectMeta(raw.metadata as Raw),
    revision: raw.revision as number,
  };
  const data = raw.data as Raw | undefined;
  if (data !== undefined) {
    // DaemonSet revisions hold `{"spec":{"template":{...,"$patch":"replace"}}}`, see
    // kubernetes/pkg/controller/daemon/update.go getPatch().
    const spec = data?.spec as Raw | undefined;
    out.data = spec?.template ? { ...data, spec: { ...spec, template: redactPodTemplate(spec.template as Raw, SNAPSHOT_TOKEN) } } : {};
  }
  return out;
}

function projectContainer(c: Raw): Container {
  const out: Container = { name: c.name as string };
  if (c.image !== undefined) out.image = typeof c.image === 'string' ? redactImage(c.image, SNAPSHOT_TOKEN) : (c.image as string);
  const env = redactEnv(c.env);
  if (env) out.env = env;
  if (c.resources !== undefined) out.resources = c.resources as Container['resources'];
  return out;
}

/** Container state: waiting reason and message (redacted, cut), running start, terminated reason, exit code and times. */
function projectState(state: unknown): unknown {
  if (!state || typeof state !== 'object') return state;
  const out: Raw = {};
  const { waiting, running, terminated } = state as Raw;
  if (waiting && typeof waiting === 'object') {
    const w = waiting as Raw;
    out.waiting = { ...(w.reason !== undefined ? { reason: w.reason } : {}), ...(w.message !== undefined ? { message: keptMessage(w.message) } : {}) };
  }
  if (running && typeof running === 'object') out.running = (running as Raw).startedAt !== undefined ? { startedAt: (running as Raw).startedAt } : {};
  if (terminated && typeof terminated === 'object') {
    const t = terminated as Raw;
    const kept: Raw = {};
    // The termination message is whatever the container wrote: never kept.
    for (const k of ['reason', 'exitCode', 'startedAt', 'finishedAt']) if (t[k] !== undefined) kept[k] = t[k];
    out.terminated = kept;
  }
  return out;
}

function projectContainerStatus(s: Raw, i: Interner): Raw {
  const out: Raw = { name: i.string(s.name) };
  for (const key of ['image', 'imageID']) {
    if (typeof s[key] === 'string') out[key] = i.string(redactImage(s[key] as string, SNAPSHOT_TOKEN));
  }
  for (const key of ['ready', 'started', 'restartCount']) {
    if (s[key] !== undefined) out[key] = s[key];
  }
  if (s.state !== undefined) out.state = projectState(s.state);
  // coverage/unready reads the last exit code and time (lastState.terminated), never its message.
  if (s.lastState !== undefined) out.lastState = projectState(s.lastState);
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
  // status.message is free text no check reads: not kept. Only PodScheduled's message is (coverage/unready).
  for (const key of ['phase', 'reason', 'startTime']) {
    if (status[key] !== undefined) outStatus[key] = i.string(status[key]);
  }
  if (Array.isArray(status.conditions)) outStatus.conditions = status.conditions.map((c) => projectCondition(c, (c as Raw | null)?.type === 'PodScheduled'));
  i.stringsIn(outStatus.conditions, CONDITION_STRINGS);
  if (Array.isArray(status.containerStatuses)) outStatus.containerStatuses = (status.containerStatuses as Raw[]).map((c) => projectContainerStatus(c, i));
  if (Array.isArray(status.initContainerStatuses))
    outStatus.initContainerStatuses = (status.initContainerStatuses as Raw[]).map((c) => projectContainerStatus(c, i));
  return { apiVersion: 'v1', kind: 'Pod', metadata: internMeta(projectMeta(raw.metadata as Raw), i), spec: outSpec, status: outStatus as K8sPod['status'] };
}

/**
 * Returns a snapshot read from dump files projected exactly as a live read is (same fields, same
 * redaction), so that the audit, its findings and the stored evidence never see more than a live read
 * would. Projecting a projected snapshot changes nothing.
 */
export function projectSnapshot(snapshot: Snapshot): Snapshot {
  const i = new Interner();
  const defined = <T>(x: T | undefined): x is T => x !== undefined;
  return {
    ...snapshot,
    nodes: snapshot.nodes.map((n) => projectNode(n as unknown as Raw, i)),
    daemonSets: snapshot.daemonSets.map((d) => projectDaemonSet(d as unknown as Raw)),
    controllerRevisions: snapshot.controllerRevisions.map((r) => projectControllerRevision(r as unknown as Raw)).filter(defined),
    pods: snapshot.pods.map((p) => projectPod(p as unknown as Raw, i)).filter(defined),
  };
}
