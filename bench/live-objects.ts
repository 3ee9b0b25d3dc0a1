// Live Kubernetes objects as the API server, the DaemonSet controller and the kubelet leave them:
// server-defaulted DaemonSets, ControllerRevisions, daemon pods with the controller's injected
// tolerations and matchFields affinity, kubelet status with image IDs, and EKS-like Nodes. Shared by
// the benchmark generator (bench/generate-cluster.ts) and the example builder (scripts/make-example.ts).
// Everything is a deterministic function of its inputs (ids come from hashing a seed string).
import { createHash } from 'node:crypto';
import type { Container, ContainerStatus, K8sControllerRevision, K8sDaemonSet, K8sNode, K8sPod, PodSpec, Taint } from '../functions/core/k8s-types.js';
import { compileEligibility } from '../functions/core/scheduling/eligibility.js';
import { daemonPodTolerations } from '../functions/core/scheduling/tolerations.js';

/** Returns `len` hex characters of sha256(seed). */
export function hexOf(seed: string, len = 64): string {
  let out = '';
  for (let i = 0; out.length < len; i++)
    out += createHash('sha256')
      .update(i ? `${seed}#${i}` : seed)
      .digest('hex');
  return out.slice(0, len);
}

/** Returns a UUID-shaped uid derived from `seed` (version 4 layout, as the API server's uids look). */
export function uidOf(seed: string): string {
  const h = hexOf(seed, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[parseInt(h[16]!, 16) % 4]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

// apimachinery's rand.String / SafeEncodeString alphabet (no vowels, no 0/1/3 lookalikes).
const SAFE = 'bcdfghjklmnpqrstvwxz2456789';

/** Returns `len` characters of the alphabet Kubernetes uses for generated names and revision hashes. */
export function safeStringOf(seed: string, len: number): string {
  const h = hexOf(seed, len * 2);
  let out = '';
  for (let i = 0; i < len; i++) out += SAFE[parseInt(h.slice(i * 2, i * 2 + 2), 16) % SAFE.length];
  return out;
}

/** Returns the RFC 3339 time `seconds` after `base`. */
export function timeAfter(base: string, seconds: number): string {
  return new Date(Date.parse(base) + seconds * 1000).toISOString().replace(/\.000Z$/, 'Z');
}

/** Returns the image reference containerd reports: registry and `library/` made explicit (docker.io default). */
export function normalizedImage(ref: string): string {
  const [first, ...rest] = ref.split('/');
  const hasRegistry = rest.length > 0 && (first!.includes('.') || first!.includes(':') || first === 'localhost');
  if (hasRegistry) return ref;
  return rest.length === 0 ? `docker.io/library/${ref}` : `docker.io/${ref}`;
}

/** Returns the repository part (no tag, no digest) of a normalised image reference. */
export function imageRepository(ref: string): string {
  const n = normalizedImage(ref);
  const at = n.indexOf('@');
  const noDigest = at >= 0 ? n.slice(0, at) : n;
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > slash ? noDigest.slice(0, colon) : noDigest;
}

/** Returns the `repo@sha256:…` image ID a kubelet reports for `ref`; `variant` models a re-pushed tag. */
export function imageIdOf(ref: string, variant = ''): string {
  const n = normalizedImage(ref);
  if (n.includes('@sha256:')) return n;
  return `${imageRepository(n)}@sha256:${hexOf(`${n}${variant}`)}`;
}

// ---------------------------------------------------------------------------------------------
// Server defaults (kubernetes/kubernetes:pkg/apis/apps/v1/defaults.go:SetDefaults_DaemonSet,
// pkg/apis/core/v1/defaults.go:SetDefaults_PodSpec, SetDefaults_Container, SetDefaults_Probe, …)

type Json = Record<string, unknown>;

function defaultProbe(p: unknown): void {
  if (!p || typeof p !== 'object') return;
  const probe = p as Json;
  probe.timeoutSeconds ??= 1;
  probe.periodSeconds ??= 10;
  probe.successThreshold ??= 1;
  probe.failureThreshold ??= 3;
  const http = probe.httpGet as Json | undefined;
  if (http) http.scheme ??= 'HTTP';
}

function defaultContainer(c: Container, hostNetwork: boolean): void {
  const image = c.image ?? '';
  const tagged = /:[^/]+$/.test(image.split('@')[0]!);
  c.imagePullPolicy ??= image.includes('@') ? 'IfNotPresent' : !tagged || image.endsWith(':latest') ? 'Always' : 'IfNotPresent';
  c.terminationMessagePath ??= '/dev/termination-log';
  c.terminationMessagePolicy ??= 'File';
  c.resources ??= {};
  for (const port of (c.ports as Json[] | undefined) ?? []) {
    port.protocol ??= 'TCP';
    if (hostNetwork) port.hostPort ??= port.containerPort;
  }
  for (const env of c.env ?? []) {
    const fieldRef = (env.valueFrom as Json | undefined)?.fieldRef as Json | undefined;
    if (fieldRef) fieldRef.apiVersion ??= 'v1';
  }
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
}

/** Applies the API server's pod spec defaults in place (pod templates and pods alike). */
export function applyPodSpecDefaults(spec: PodSpec): void {
  const hostNetwork = spec.hostNetwork === true;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.restartPolicy ??= 'Always';
  spec.schedulerName ??= 'default-scheduler';
  spec.securityContext ??= {};
  spec.terminationGracePeriodSeconds ??= 30;
  // The v1 conversion keeps the deprecated alias in step with serviceAccountName.
  if (spec.serviceAccountName && !spec.serviceAccount) spec.serviceAccount = spec.serviceAccountName;
  for (const c of spec.initContainers ?? []) defaultContainer(c, hostNetwork);
  for (const c of spec.containers) defaultContainer(c, hostNetwork);
  for (const v of (spec.volumes as Json[] | undefined) ?? []) {
    const hostPath = v.hostPath as Json | undefined;
    if (hostPath) hostPath.type ??= '';
    for (const key of ['configMap', 'secret', 'projected', 'downwardAPI']) {
      const src = v[key] as Json | undefined;
      if (src) src.defaultMode ??= 420;
    }
  }
}

/** Returns the DaemonSet as the API server stores it: a deep copy of `manifest` with server defaults and metadata. */
export function liveDaemonSet(
  manifest: K8sDaemonSet,
  meta: { uid: string; creationTimestamp: string; generation: number; resourceVersion: string },
): K8sDaemonSet {
  const ds = structuredClone(manifest);
  ds.apiVersion = 'apps/v1';
  ds.kind = 'DaemonSet';
  ds.metadata = {
    ...ds.metadata,
    namespace: ds.metadata.namespace ?? 'default',
    uid: meta.uid,
    resourceVersion: meta.resourceVersion,
    generation: meta.generation,
    creationTimestamp: meta.creationTimestamp,
    annotations: { ...ds.metadata.annotations, 'deprecated.daemonset.template.generation': String(meta.generation) },
  };
  ds.spec.revisionHistoryLimit ??= 10;
  const strategy = (ds.spec.updateStrategy ??= {});
  strategy.type ??= 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const ru = (strategy.rollingUpdate ??= {});
    ru.maxUnavailable ??= 1;
    ru.maxSurge ??= 0;
  }
  // A v1.33 API server still serialises the template's zero creationTimestamp as null.
  ds.spec.template.metadata = { creationTimestamp: null as unknown as string, ...ds.spec.template.metadata };
  applyPodSpecDefaults(ds.spec.template.spec);
  return ds;
}

/** Returns the ControllerRevision that snapshots `ds`'s template (pkg/controller/daemon/update.go:snapshot). */
export function controllerRevisionOf(ds: K8sDaemonSet, revision: number, hash: string, createdAt: string, template = ds.spec.template): K8sControllerRevision {
  const ns = ds.metadata.namespace ?? 'default';
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: `${ds.metadata.name}-${hash}`,
      namespace: ns,
      uid: uidOf(`cr/${ns}/${ds.metadata.name}/${hash}`),
      resourceVersion: String(1000 + revision),
      creationTimestamp: createdAt,
      labels: { ...(ds.spec.selector.matchLabels ?? {}), 'controller-revision-hash': hash },
      annotations: { 'deprecated.daemonset.template.generation': String(revision) },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'DaemonSet', name: ds.metadata.name, uid: ds.metadata.uid!, controller: true, blockOwnerDeletion: true },
      ],
    },
    data: { spec: { template: { ...structuredClone(template), $patch: 'replace' } } },
    revision,
  };
}

// ---------------------------------------------------------------------------------------------
// Daemon pods

/** The daemon pod's state on its node, as the kubelet would report it. */
export interface PodHealth {
  /** Ready condition; default true. */
  ready?: boolean;
  /** First container waiting with this reason (CrashLoopBackOff, ImagePullBackOff, …). */
  waiting?: {
    reason: string;
    message: string;
    restartCount: number;
    lastExit?: { exitCode: number; reason: string; message?: string; startedAt: string; finishedAt: string };
  };
  /** When the Ready condition last changed; default the pod's start. */
  readySince?: string;
  /** Containers' own readiness when it differs from the pod's (the node lifecycle controller flips only the pod's Ready). */
  containersReady?: boolean;
}

export interface DaemonPodOptions {
  /** The current ControllerRevision hash and template generation the pod is labelled with. */
  revisionHash: string;
  templateGeneration: number;
  createdAt: string;
  /** Image IDs by container name; default imageIdOf(image). */
  imageIds?: Record<string, string>;
  /** Images by container name; default the template's (a pod of an older revision differs). */
  images?: Record<string, string>;
  state?: PodHealth;
  /** Include managedFields as a server-side list (kubectl hides them by default). */
  managedFields?: boolean;
  priority?: number;
  resourceVersion?: string;
}

const PRIORITY: Record<string, number> = { 'system-node-critical': 2000001000, 'system-cluster-critical': 2000000000 };

function nodeIp(node: K8sNode): string {
  const addresses = (node.status?.addresses as { type: string; address: string }[] | undefined) ?? [];
  return addresses.find((a) => a.type === 'InternalIP')?.address ?? '10.0.0.1';
}

function qosClass(containers: Container[]): string {
  let any = false;
  let guaranteed = true;
  for (const c of containers) {
    const { limits = {}, requests = {} } = c.resources ?? {};
    if (Object.keys(limits).length || Object.keys(requests).length) any = true;
    for (const r of ['cpu', 'memory']) if (limits[r] === undefined || (requests[r] !== undefined && requests[r] !== limits[r])) guaranteed = false;
  }
  return !any ? 'BestEffort' : guaranteed ? 'Guaranteed' : 'Burstable';
}

/** Returns a pod of `ds` on `node` as the DaemonSet controller creates it and the kubelet reports it. */
export function daemonPod(ds: K8sDaemonSet, node: K8sNode, o: DaemonPodOptions): K8sPod {
  const ns = ds.metadata.namespace ?? 'default';
  const dsName = ds.metadata.name;
  const nodeName = node.metadata.name;
  const seed = `pod/${ns}/${dsName}/${nodeName}/${o.revisionHash}/${o.createdAt}`;
  const name = `${dsName}-${safeStringOf(seed, 5)}`;
  const template = ds.spec.template;
  const spec = structuredClone(template.spec);
  for (const c of spec.containers) if (o.images?.[c.name]) c.image = o.images[c.name];
  // ReplaceDaemonSetPodNodeNameNodeAffinity: the required terms become one matchFields term.
  const preferred = spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution;
  spec.affinity = {
    ...spec.affinity,
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] }] },
      ...(preferred ? { preferredDuringSchedulingIgnoredDuringExecution: preferred } : {}),
    },
  };
  spec.tolerations = daemonPodTolerations(spec);
  spec.nodeName = nodeName;
  spec.enableServiceLinks ??= true;
  spec.preemptionPolicy ??= 'PreemptLowerPriority';
  spec.priority = o.priority ?? PRIORITY[spec.priorityClassName ?? ''] ?? 0;
  if (spec.automountServiceAccountToken !== false) {
    const volumeName = `kube-api-access-${safeStringOf(`${seed}/token`, 5)}`;
    spec.volumes = [
      ...((spec.volumes as unknown[] | undefined) ?? []),
      {
        name: volumeName,
        projected: {
          defaultMode: 420,
          sources: [
            { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
            { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
            { downwardAPI: { items: [{ fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' }, path: 'namespace' }] } },
          ],
        },
      },
    ];
    for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
      c.volumeMounts = [
        ...((c.volumeMounts as unknown[] | undefined) ?? []),
        { mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', name: volumeName, readOnly: true },
      ];
    }
  }
  const hostIP = nodeIp(node);
  const podIP = spec.hostNetwork ? hostIP : podIpOf(hostIP, seed);
  const started = timeAfter(o.createdAt, 2);
  const state = o.state ?? {};
  const ready = state.ready ?? !state.waiting;
  const readySince = state.readySince ?? timeAfter(o.createdAt, 9);
  const containerStatus = (c: Container, i: number): ContainerStatus => {
    const waiting = i === 0 ? state.waiting : undefined;
    const image = normalizedImage(c.image ?? '');
    const base = {
      containerID: `containerd://${hexOf(`${seed}/${c.name}/${waiting?.restartCount ?? 0}`)}`,
      image,
      imageID: o.imageIds?.[c.name] ?? imageIdOf(c.image ?? ''),
      name: c.name,
      // Only the waiting container is unready in a crash loop; its siblings keep running.
      ready: waiting ? false : (state.containersReady ?? (state.waiting ? true : ready)),
      restartCount: waiting?.restartCount ?? 0,
      started: !waiting,
    };
    if (waiting) {
      const last = waiting.lastExit;
      return {
        ...base,
        lastState: last
          ? {
              terminated: {
                containerID: base.containerID,
                exitCode: last.exitCode,
                finishedAt: last.finishedAt,
                reason: last.reason,
                ...(last.message ? { message: last.message } : {}),
                startedAt: last.startedAt,
              },
            }
          : {},
        state: { waiting: { message: waiting.message, reason: waiting.reason } },
      };
    }
    return { ...base, lastState: {}, state: { running: { startedAt: timeAfter(o.createdAt, 3 + i) } } };
  };
  const readyStatus = ready ? 'True' : 'False';
  const notReadyReason = ready
    ? {}
    : state.waiting
      ? { reason: 'ContainersNotReady', message: `containers with unready status: [${spec.containers[0]!.name}]` }
      : {};
  const pod: K8sPod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      generateName: `${dsName}-`,
      namespace: ns,
      uid: uidOf(seed),
      resourceVersion: o.resourceVersion ?? String((parseInt(hexOf(`${seed}/rv`, 7), 16) % 90000000) + 10000000),
      creationTimestamp: o.createdAt,
      labels: { ...template.metadata?.labels, 'controller-revision-hash': o.revisionHash, 'pod-template-generation': String(o.templateGeneration) },
      ...(template.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: dsName, uid: ds.metadata.uid!, controller: true, blockOwnerDeletion: true }],
      ...(o.managedFields ? { managedFields: podManagedFields(o.createdAt, readySince, spec) } : {}),
    },
    spec,
    status: {
      conditions: [
        { lastProbeTime: null, lastTransitionTime: timeAfter(o.createdAt, 3), status: 'True', type: 'PodReadyToStartContainers' },
        { lastProbeTime: null, lastTransitionTime: timeAfter(o.createdAt, spec.initContainers?.length ? 6 : 1), status: 'True', type: 'Initialized' },
        { lastProbeTime: null, lastTransitionTime: readySince, status: readyStatus, type: 'Ready', ...notReadyReason },
        {
          lastProbeTime: null,
          lastTransitionTime: readySince,
          ...((state.containersReady ?? ready) ? { status: 'True' } : { status: 'False', ...notReadyReason }),
          type: 'ContainersReady',
        },
        { lastProbeTime: null, lastTransitionTime: o.createdAt, status: 'True', type: 'PodScheduled' },
      ] as unknown as NonNullable<K8sPod['status']>['conditions'],
      containerStatuses: spec.containers.map(containerStatus),
      ...(spec.initContainers?.length
        ? {
            initContainerStatuses: spec.initContainers.map((c) => ({
              containerID: `containerd://${hexOf(`${seed}/${c.name}`)}`,
              image: normalizedImage(c.image ?? ''),
              imageID: o.imageIds?.[c.name] ?? imageIdOf(c.image ?? ''),
              lastState: {},
              name: c.name,
              ready: true,
              restartCount: 0,
              started: false,
              state: {
                terminated: {
                  containerID: `containerd://${hexOf(`${seed}/${c.name}`)}`,
                  exitCode: 0,
                  finishedAt: timeAfter(o.createdAt, 5),
                  reason: 'Completed',
                  startedAt: started,
                },
              },
            })),
          }
        : {}),
      hostIP,
      hostIPs: [{ ip: hostIP }],
      phase: 'Running',
      podIP,
      podIPs: [{ ip: podIP }],
      qosClass: qosClass(spec.containers),
      startTime: timeAfter(o.createdAt, 1),
    },
  };
  return pod;
}

function podIpOf(hostIP: string, seed: string): string {
  const [a, b, c] = hostIP.split('.');
  return `${a}.${b}.${c}.${(parseInt(hexOf(seed, 4), 16) % 200) + 30}`;
}

/** managedFields of a daemon pod: the controller's create, then the kubelet's status updates. */
function podManagedFields(createdAt: string, updatedAt: string, spec: PodSpec): unknown[] {
  const containers: Json = {};
  for (const c of spec.containers) {
    containers[`k:{"name":"${c.name}"}`] = {
      '.': {},
      'f:image': {},
      'f:imagePullPolicy': {},
      'f:name': {},
      'f:resources': {},
      'f:terminationMessagePath': {},
      'f:terminationMessagePolicy': {},
      'f:volumeMounts': {},
    };
  }
  return [
    {
      apiVersion: 'v1',
      fieldsType: 'FieldsV1',
      manager: 'kube-controller-manager',
      operation: 'Update',
      time: createdAt,
      fieldsV1: {
        'f:metadata': {
          'f:generateName': {},
          'f:labels': { '.': {}, 'f:controller-revision-hash': {}, 'f:pod-template-generation': {} },
          'f:ownerReferences': { '.': {} },
        },
        'f:spec': {
          'f:affinity': { '.': {}, 'f:nodeAffinity': { '.': {}, 'f:requiredDuringSchedulingIgnoredDuringExecution': {} } },
          'f:containers': containers,
          'f:dnsPolicy': {},
          'f:enableServiceLinks': {},
          'f:restartPolicy': {},
          'f:schedulerName': {},
          'f:securityContext': {},
          'f:terminationGracePeriodSeconds': {},
          'f:tolerations': {},
          'f:volumes': {},
        },
      },
    },
    {
      apiVersion: 'v1',
      fieldsType: 'FieldsV1',
      manager: 'kubelet',
      operation: 'Update',
      subresource: 'status',
      time: updatedAt,
      fieldsV1: {
        'f:status': {
          'f:conditions': {},
          'f:containerStatuses': {},
          'f:hostIP': {},
          'f:hostIPs': {},
          'f:phase': {},
          'f:podIP': {},
          'f:podIPs': { '.': {} },
          'f:startTime': {},
        },
      },
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// DaemonSet status

/** Returns the status the DaemonSet controller writes for `ds` (daemon_controller.go:updateDaemonSetStatus), minReadySeconds 0. */
export function daemonSetStatusOf(ds: K8sDaemonSet, nodes: K8sNode[], pods: K8sPod[], currentHash: string): NonNullable<K8sDaemonSet['status']> {
  const shouldRun = compileEligibility(ds);
  const byNode = new Map<string, K8sPod>();
  for (const p of pods) {
    const n = p.spec.nodeName;
    // Controller order: the oldest pod on the node counts (podByCreationTimestampAndPhase).
    if (n && (!byNode.has(n) || byNode.get(n)!.metadata.creationTimestamp! > p.metadata.creationTimestamp!)) byNode.set(n, p);
  }
  let desired = 0,
    current = 0,
    misscheduled = 0,
    ready = 0,
    updated = 0;
  for (const node of nodes) {
    const run = shouldRun(node).shouldRun;
    const pod = byNode.get(node.metadata.name);
    if (run) desired++;
    if (!pod) continue;
    if (!run) {
      misscheduled++;
      continue;
    }
    current++;
    if (pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) ready++;
    if (pod.metadata.labels?.['controller-revision-hash'] === currentHash) updated++;
  }
  return {
    currentNumberScheduled: current,
    desiredNumberScheduled: desired,
    numberAvailable: ready,
    numberMisscheduled: misscheduled,
    numberReady: ready,
    ...(desired - ready > 0 ? { numberUnavailable: desired - ready } : {}),
    observedGeneration: ds.metadata.generation ?? 1,
    updatedNumberScheduled: updated,
  };
}

// ---------------------------------------------------------------------------------------------
// Nodes

/** What distinguishes one node from another; the rest is filled in as an EKS node reports it. */
export interface NodeShape {
  name: string;
  ip: string;
  region: string;
  zone: string;
  arch: 'amd64' | 'arm64';
  instanceType: string;
  createdAt: string;
  nodeGroup?: string;
  capacityType?: 'ON_DEMAND' | 'SPOT';
  controlPlane?: boolean;
  gpu?: boolean;
  cordonedAt?: string;
  /** Ready=False since this time, with the lifecycle controller's not-ready taints. */
  notReadySince?: string;
  kubeletVersion: string;
  /** Image references present on the node (status.images), with image IDs. */
  images: { id: string; ref: string; sizeBytes: number }[];
  extraLabels?: Record<string, string>;
  extraTaints?: Taint[];
  /** The kubelet's last status post (conditions' lastHeartbeatTime); default a minute after creation. */
  heartbeatAt?: string;
}

const CAPACITY: Record<string, { cpu: string; memory: string; pods: string; gpu?: string }> = {
  'm6i.2xlarge': { cpu: '8', memory: '32386096Ki', pods: '58' },
  'm6i.xlarge': { cpu: '4', memory: '15896064Ki', pods: '58' },
  'm7g.2xlarge': { cpu: '8', memory: '32389636Ki', pods: '58' },
  'g5.2xlarge': { cpu: '8', memory: '32386096Ki', pods: '58', gpu: '1' },
  'c6i.4xlarge': { cpu: '16', memory: '32386120Ki', pods: '234' },
};

/** Returns a Node object as an EKS kubelet registers it and the node controllers decorate it. */
export function nodeOf(s: NodeShape): K8sNode {
  const cap = CAPACITY[s.instanceType] ?? CAPACITY['m6i.2xlarge']!;
  const instanceId = `i-0${hexOf(`instance/${s.name}`, 16)}`;
  const labels: Record<string, string> = {
    'beta.kubernetes.io/arch': s.arch,
    'beta.kubernetes.io/instance-type': s.instanceType,
    'beta.kubernetes.io/os': 'linux',
    ...(s.nodeGroup
      ? {
          'eks.amazonaws.com/capacityType': s.capacityType ?? 'ON_DEMAND',
          'eks.amazonaws.com/nodegroup': s.nodeGroup,
          'eks.amazonaws.com/nodegroup-image': `ami-0${hexOf(`ami/${s.arch}/${s.gpu ? 'gpu' : ''}`, 16)}`,
          'eks.amazonaws.com/sourceLaunchTemplateId': `lt-0${hexOf(`lt/${s.nodeGroup}`, 16)}`,
          'eks.amazonaws.com/sourceLaunchTemplateVersion': '1',
        }
      : {}),
    'failure-domain.beta.kubernetes.io/region': s.region,
    'failure-domain.beta.kubernetes.io/zone': s.zone,
    'k8s.io/cloud-provider-aws': hexOf('cluster', 32),
    'kubernetes.io/arch': s.arch,
    'kubernetes.io/hostname': s.name,
    'kubernetes.io/os': 'linux',
    'node.kubernetes.io/instance-type': s.instanceType,
    ...(s.controlPlane ? { 'node-role.kubernetes.io/control-plane': '', 'node.kubernetes.io/exclude-from-external-load-balancers': '' } : {}),
    ...(s.gpu ? { 'nvidia.com/gpu.present': 'true', 'k8s.amazonaws.com/accelerator': 'nvidia-a10g' } : {}),
    'topology.ebs.csi.aws.com/zone': s.zone,
    'topology.k8s.aws/zone-id': `euw1-az${'abc'.indexOf(s.zone.slice(-1)) + 1}`,
    'topology.kubernetes.io/region': s.region,
    'topology.kubernetes.io/zone': s.zone,
    ...s.extraLabels,
  };
  const taints: Taint[] = [
    ...(s.controlPlane ? [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] : []),
    ...(s.gpu ? [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }] : []),
    ...(s.extraTaints ?? []),
    ...(s.cordonedAt ? [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule', timeAdded: s.cordonedAt }] : []),
    // nodelifecycle/node_lifecycle_controller.go: doNoScheduleTaintingPass and the NoExecute tainting pass.
    ...(s.notReadySince
      ? [
          { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule', timeAdded: timeAfter(s.notReadySince, 1) },
          { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute', timeAdded: timeAfter(s.notReadySince, 5) },
        ]
      : []),
  ];
  const heartbeat = s.heartbeatAt ?? timeAfter(s.createdAt, 60);
  const okCondition = (type: string, reason: string, message: string) => ({
    lastHeartbeatTime: heartbeat,
    lastTransitionTime: timeAfter(s.createdAt, 20),
    message,
    reason,
    status: 'False',
    type,
  });
  const allocatable = {
    cpu: `${Number(cap.cpu) * 1000 - 90}m`,
    'ephemeral-storage': '95491281146',
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
    memory: cap.memory.replace(/^(\d+)/, (m) => String(Number(m) - 1004000)),
    pods: cap.pods,
    ...(cap.gpu ? { 'nvidia.com/gpu': cap.gpu } : {}),
  };
  const capacity = {
    cpu: cap.cpu,
    'ephemeral-storage': '104845292Ki',
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
    memory: cap.memory,
    pods: cap.pods,
    ...(cap.gpu ? { 'nvidia.com/gpu': cap.gpu } : {}),
  };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      annotations: {
        'alpha.kubernetes.io/provided-node-ip': s.ip,
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
      },
      creationTimestamp: s.createdAt,
      labels,
      name: s.name,
      resourceVersion: String((parseInt(hexOf(`rv/${s.name}`, 7), 16) % 90000000) + 10000000),
      uid: uidOf(`node/${s.name}`),
    },
    spec: {
      providerID: `aws:///${s.zone}/${instanceId}`,
      ...(taints.length ? { taints } : {}),
      ...(s.cordonedAt ? { unschedulable: true } : {}),
    },
    status: {
      addresses: [
        { address: s.ip, type: 'InternalIP' },
        { address: s.name, type: 'InternalDNS' },
        { address: s.name, type: 'Hostname' },
      ],
      allocatable,
      capacity,
      conditions: [
        okCondition('MemoryPressure', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
        okCondition('DiskPressure', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        okCondition('PIDPressure', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        s.notReadySince
          ? {
              lastHeartbeatTime: heartbeat,
              lastTransitionTime: s.notReadySince,
              message: 'container runtime is down, PLEG is not healthy: pleg was last seen active 3m5.2s ago; threshold is 3m0s',
              reason: 'KubeletNotReady',
              status: 'False',
              type: 'Ready',
            }
          : {
              lastHeartbeatTime: heartbeat,
              lastTransitionTime: timeAfter(s.createdAt, 35),
              message: 'kubelet is posting ready status',
              reason: 'KubeletReady',
              status: 'True',
              type: 'Ready',
            },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      images: s.images.map((i) => ({ names: [i.id, normalizedImage(i.ref)], sizeBytes: i.sizeBytes })),
      nodeInfo: {
        architecture: s.arch,
        bootID: uidOf(`boot/${s.name}`),
        containerRuntimeVersion: 'containerd://1.7.27',
        kernelVersion: s.arch === 'arm64' ? '6.1.141-155.222.amzn2023.aarch64' : '6.1.141-155.222.amzn2023.x86_64',
        kubeProxyVersion: '',
        kubeletVersion: s.kubeletVersion,
        machineID: hexOf(`machine/${s.name}`, 32),
        operatingSystem: 'linux',
        osImage: 'Amazon Linux 2023.8.20250818',
        systemUUID: `ec2${hexOf(`sys/${s.name}`, 5)}-${hexOf(`sys2/${s.name}`, 4)}-${hexOf(`sys3/${s.name}`, 4)}-${hexOf(`sys4/${s.name}`, 4)}-${hexOf(`sys5/${s.name}`, 12)}`,
      },
    },
  };
}
