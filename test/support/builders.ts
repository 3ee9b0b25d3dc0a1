// Small builders for core tests: realistic Kubernetes objects with only the fields a test cares
// about spelled out. Every builder returns plain wire-format objects (what `kubectl get -o json` prints).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type {
  Container,
  K8sControllerRevision,
  K8sDaemonSet,
  K8sNode,
  K8sPod,
  LabelSelector,
  PodSpec,
  Taint,
  Toleration,
} from '../../functions/core/k8s-types.js';
import { parseRuleFile } from '../../functions/core/rules.js';
import type { DesiredDaemonSet, DesiredState, Gap, ManifestProblem, Policy, RuleDefinition, Severity, Snapshot } from '../../functions/core/types.js';

/** The audit time most tests use. */
export const AT = new Date('2026-06-01T12:00:00Z');
/** A creation time well before AT. */
export const CREATED = '2026-05-01T00:00:00Z';
/** The `controller-revision-hash` the builders give current pods and revisions by default. */
export const CURRENT_HASH = '6d4b8c9f7';

export interface NodeOptions {
  labels?: Record<string, string>;
  /** Taints as objects or `key=value:Effect` / `key:Effect` strings. */
  taints?: (Taint | string)[];
  ready?: boolean;
  unschedulable?: boolean;
  arch?: string;
  zone?: string;
  nodeGroup?: string;
}

/** Parses `key=value:Effect` or `key:Effect` into a taint. */
export function taint(s: string): Taint {
  const [kv, effect] = s.split(':') as [string, string];
  const [key, value] = kv.split('=') as [string, string | undefined];
  return value === undefined ? { key, effect } : { key, value, effect };
}

/** Returns a Node like a kubelet registers it (linux, amd64 unless told, Ready unless told). */
export function node(name: string, o: NodeOptions = {}): K8sNode {
  const arch = o.arch ?? 'amd64';
  const labels: Record<string, string> = {
    'kubernetes.io/hostname': name,
    'kubernetes.io/os': 'linux',
    'kubernetes.io/arch': arch,
    ...(o.zone ? { 'topology.kubernetes.io/zone': o.zone } : {}),
    ...(o.nodeGroup ? { 'eks.amazonaws.com/nodegroup': o.nodeGroup } : {}),
    ...o.labels,
  };
  const ready = o.ready ?? true;
  const taints = (o.taints ?? []).map((t) => (typeof t === 'string' ? taint(t) : t));
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, uid: `uid-node-${name}`, creationTimestamp: CREATED, labels },
    spec: { ...(taints.length ? { taints } : {}), ...(o.unschedulable ? { unschedulable: true } : {}) },
    status: {
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'Unknown', reason: ready ? 'KubeletReady' : 'NodeStatusUnknown', lastTransitionTime: CREATED }],
      nodeInfo: { architecture: arch, operatingSystem: 'linux', kubeletVersion: 'v1.33.2' },
    },
  };
}

export interface DaemonSetOptions {
  uid?: string;
  /** Selector labels (also put on the template); default `{ app: <name> }`. */
  selector?: Record<string, string>;
  /** Image of the single container named after the DaemonSet; ignored when `containers` is given. */
  image?: string;
  containers?: Container[];
  initContainers?: Container[];
  nodeSelector?: Record<string, string>;
  affinity?: PodSpec['affinity'];
  tolerations?: Toleration[];
  hostNetwork?: boolean;
  nodeName?: string;
  updateStrategy?: K8sDaemonSet['spec']['updateStrategy'];
  minReadySeconds?: number;
  /** Live status; omitted when undefined. */
  status?: K8sDaemonSet['status'];
  generation?: number;
  annotations?: Record<string, string>;
  /** Strip server-side fields (uid, status, generation), as a manifest in Git looks. */
  asManifest?: boolean;
}

/** Returns a DaemonSet `namespace/name` (namespace defaults to `kube-system` when the key has no slash). */
export function daemonSet(key: string, o: DaemonSetOptions = {}): K8sDaemonSet {
  const [namespace, name] = key.includes('/') ? (key.split('/') as [string, string]) : ['kube-system', key];
  const selector = o.selector ?? { app: name };
  const containers = o.containers ?? [{ name, image: o.image ?? `registry.example.com/${name}:1.0.0` }];
  const spec: PodSpec = {
    containers,
    ...(o.initContainers ? { initContainers: o.initContainers } : {}),
    ...(o.nodeSelector ? { nodeSelector: o.nodeSelector } : {}),
    ...(o.affinity ? { affinity: o.affinity } : {}),
    ...(o.tolerations ? { tolerations: o.tolerations } : {}),
    ...(o.hostNetwork ? { hostNetwork: true } : {}),
    ...(o.nodeName ? { nodeName: o.nodeName } : {}),
  };
  const ds: K8sDaemonSet = {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: {
      name,
      namespace,
      ...(o.asManifest ? {} : { uid: o.uid ?? `uid-ds-${namespace}-${name}`, generation: o.generation ?? 1, creationTimestamp: CREATED }),
      ...(o.annotations ? { annotations: o.annotations } : {}),
    },
    spec: {
      selector: { matchLabels: selector },
      template: { metadata: { labels: { ...selector } }, spec },
      ...(o.updateStrategy ? { updateStrategy: o.updateStrategy } : {}),
      ...(o.minReadySeconds !== undefined ? { minReadySeconds: o.minReadySeconds } : {}),
    },
  };
  if (!o.asManifest && o.status) ds.status = o.status;
  return ds;
}

/** Returns the DaemonSet as a Git manifest: no uid, generation or status. */
export function asManifest(ds: K8sDaemonSet): K8sDaemonSet {
  const { uid: _uid, generation: _g, creationTimestamp: _c, resourceVersion: _r, ...metadata } = ds.metadata;
  return { apiVersion: ds.apiVersion, kind: ds.kind, metadata, spec: structuredClone(ds.spec) };
}

export interface PodOptions {
  name?: string;
  /** `controller-revision-hash` label; default CURRENT_HASH. */
  revisionHash?: string;
  /** Ready condition (default true when phase is Running). */
  ready?: boolean;
  phase?: string;
  /** Container name -> image, overriding the DaemonSet template's. */
  images?: Record<string, string>;
  /** Container name -> imageID (as containerStatuses report it). */
  imageIDs?: Record<string, string>;
  /** Container waiting reason (e.g. CrashLoopBackOff) on the first container. */
  waiting?: string;
  /** When the Ready condition last changed (default CREATED). */
  readySince?: string;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  /** Extra or replacement labels. */
  labels?: Record<string, string>;
  /** Controller owner; `null` makes an orphan. Default: the DaemonSet. */
  owner?: { kind: string; name: string; uid: string } | null;
  /** Bind via the controller's matchFields affinity instead of spec.nodeName (a pod not yet scheduled). */
  unbound?: boolean;
  /** PodScheduled=False reason/message for a Pending pod. */
  unschedulable?: string;
}

/** Returns a daemon pod of `ds` on node `nodeName`, as the DaemonSet controller and kubelet leave it. */
export function pod(ds: K8sDaemonSet, nodeName: string, o: PodOptions = {}): K8sPod {
  const ns = ds.metadata.namespace ?? 'default';
  const name = o.name ?? `${ds.metadata.name}-${nodeName}`;
  const phase = o.phase ?? (o.unbound || o.unschedulable ? 'Pending' : 'Running');
  const ready = o.ready ?? (phase === 'Running' && !o.waiting);
  const containers: Container[] = ds.spec.template.spec.containers.map((c) => ({ ...c, image: o.images?.[c.name] ?? c.image }));
  const owner = o.owner === undefined ? { kind: 'DaemonSet', name: ds.metadata.name, uid: ds.metadata.uid ?? `uid-ds-${ns}-${ds.metadata.name}` } : o.owner;
  const affinity = {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] }],
      },
    },
  };
  const since = o.readySince ?? CREATED;
  const started = phase === 'Running' || phase === 'Succeeded' || phase === 'Failed';
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: ns,
      uid: `uid-pod-${ns}-${name}`,
      creationTimestamp: o.creationTimestamp ?? CREATED,
      ...(o.deletionTimestamp ? { deletionTimestamp: o.deletionTimestamp } : {}),
      labels: { ...(ds.spec.template.metadata?.labels ?? {}), 'controller-revision-hash': o.revisionHash ?? CURRENT_HASH, ...o.labels },
      ...(owner
        ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: owner.kind, name: owner.name, uid: owner.uid, controller: true, blockOwnerDeletion: true }] }
        : {}),
    },
    spec: {
      ...ds.spec.template.spec,
      containers,
      affinity,
      ...(o.unbound ? {} : { nodeName }),
    },
    status: {
      phase,
      conditions: [
        {
          type: 'PodScheduled',
          status: o.unschedulable ? 'False' : 'True',
          ...(o.unschedulable ? { reason: 'Unschedulable', message: o.unschedulable } : {}),
          lastTransitionTime: since,
        },
        { type: 'Ready', status: ready ? 'True' : 'False', ...(ready ? {} : { reason: 'ContainersNotReady' }), lastTransitionTime: since },
      ],
      ...(started || o.waiting
        ? {
            startTime: o.creationTimestamp ?? CREATED,
            containerStatuses: containers.map((c, i) => ({
              name: c.name,
              image: c.image,
              imageID: o.imageIDs?.[c.name] ?? '',
              ready: ready,
              restartCount: o.waiting === 'CrashLoopBackOff' && i === 0 ? 7 : 0,
              started: ready,
              state: o.waiting && i === 0 ? { waiting: { reason: o.waiting, message: `${o.waiting} for ${c.name}` } } : { running: { startedAt: since } },
            })),
          }
        : {}),
    },
  };
}

/** Returns a ControllerRevision owned by `ds` with the given revision number and hash label. */
export function revision(ds: K8sDaemonSet, rev: number, hash: string = CURRENT_HASH): K8sControllerRevision {
  const ns = ds.metadata.namespace ?? 'default';
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: `${ds.metadata.name}-${hash}`,
      namespace: ns,
      uid: `uid-cr-${ns}-${ds.metadata.name}-${rev}`,
      labels: { ...(ds.spec.selector.matchLabels ?? {}), 'controller-revision-hash': hash },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: ds.metadata.name, uid: ds.metadata.uid ?? '', controller: true }],
    },
    revision: rev,
    data: { spec: { template: { $patch: 'replace' } } },
  };
}

export interface SnapshotParts {
  nodes?: K8sNode[];
  daemonSets?: K8sDaemonSet[];
  pods?: K8sPod[];
  /** Default: one revision (1, CURRENT_HASH) per DaemonSet. */
  controllerRevisions?: K8sControllerRevision[];
  gaps?: Gap[];
  cluster?: string;
}

/** Returns a Snapshot from a dump of the given objects. */
export function snapshotOf(p: SnapshotParts): Snapshot {
  const daemonSets = p.daemonSets ?? [];
  return {
    cluster: p.cluster ?? 'test',
    nodes: p.nodes ?? [],
    daemonSets,
    pods: p.pods ?? [],
    controllerRevisions: p.controllerRevisions ?? daemonSets.map((ds) => revision(ds, 1)),
    source: { kind: 'dump', files: [{ path: 'dump.json', sha256: '0'.repeat(64) }] },
    gaps: p.gaps ?? [],
  };
}

export interface DesiredParts {
  managedNamespaces?: string[];
  problems?: ManifestProblem[];
  gaps?: Gap[];
}

/** Returns a DesiredState holding the given DaemonSets (server-side fields stripped) from `gitops/<ns>/<name>.yaml`. */
export function desiredOf(daemonSets: K8sDaemonSet[], p: DesiredParts = {}): DesiredState {
  const desired: DesiredDaemonSet[] = daemonSets.map((ds) => ({
    manifest: asManifest(ds),
    file: `gitops/${ds.metadata.namespace ?? 'default'}/${ds.metadata.name}.yaml`,
    line: 1,
    documentIndex: 0,
  }));
  const namespaces = p.managedNamespaces ?? [...new Set(daemonSets.map((d) => d.metadata.namespace ?? 'default'))].sort();
  return {
    source: { kind: 'folder', location: 'gitops' },
    daemonSets: desired,
    managedNamespaces: namespaces,
    problems: p.problems ?? [],
    gaps: p.gaps ?? [],
  };
}

const RULES_DIR = fileURLToPath(new URL('../../rules/', import.meta.url));
let repoRules: RuleDefinition[] | undefined;

/** Returns the rule catalog in rules/ (read once, synchronously; top-level files skipped). */
export function rulesFromRepo(): RuleDefinition[] {
  if (!repoRules) {
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir).sort()) {
        const p = join(dir, e);
        if (statSync(p).isDirectory()) walk(p);
        else if (dir !== RULES_DIR.replace(/\/$/, '') && /\.ya?ml$/.test(e)) files.push(p);
      }
    };
    walk(RULES_DIR.replace(/\/$/, ''));
    repoRules = files.map((f) => parseRuleFile(relative(RULES_DIR, f), readFileSync(f, 'utf8')));
  }
  return repoRules;
}

/** Returns a minimal rule definition, for tests that need a rule not (yet) in rules/. */
export function ruleStub(id: string, severity: Severity = 'warning', parameters?: Record<string, unknown>): RuleDefinition {
  return { id, title: id, severity, description: id, remediation: id, ...(parameters ? { parameters } : {}) };
}

/** Returns the default policy: every rule given (default: all of rules/), all namespaces, no waivers. */
export function defaultPolicy(rules: RuleDefinition[] = rulesFromRepo()): Policy {
  return {
    rules,
    namespaces: [],
    requiredCoverage: [],
    severityOverrides: [],
    waivers: [],
    thresholds: { unreadyGraceSeconds: 300, rolloutStuckSeconds: 1800 },
  };
}

/** Re-exported for tests that build selectors by hand. */
export type { LabelSelector };
