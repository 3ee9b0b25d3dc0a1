// Builds examples/cluster/ (a `kubectl get nodes,daemonsets,pods,controllerrevisions -A -o json`
// dump, split in two files) from the GitOps folder examples/gitops/, with the planted drifts that
// examples/README.md explains. Deterministic: run `npx tsx scripts/make-example.ts` and commit the output.
// The audit time the example is designed around is EXAMPLE_NOW (npm start passes it as --now).
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import type { K8sControllerRevision, K8sDaemonSet, K8sNode, K8sPod } from '../functions/core/k8s-types.js';
import {
  controllerRevisionOf,
  daemonPod,
  daemonSetStatusOf,
  hexOf,
  imageIdOf,
  liveDaemonSet,
  nodeOf,
  safeStringOf,
  timeAfter,
  uidOf,
  type DaemonPodOptions,
  type NodeShape,
} from '../bench/live-objects.js';
import { compileEligibility } from '../functions/core/scheduling/eligibility.js';

/** The audit time the example's ages and waiver expiries are designed around. */
export const EXAMPLE_NOW = '2026-11-20T10:00:00Z';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const REGION = 'eu-west-1';
const KUBELET = 'v1.33.5-eks-98436be';
const internal = (ip: string): string => `ip-${ip.replace(/\./g, '-')}.${REGION}.compute.internal`;

// ---------------------------------------------------------------------------------------------
// Nodes: a control plane node, general workers in three zones, arm64 workers, spot workers, GPU
// workers, one cordoned node (being drained) and one NotReady node.

interface NodeRow {
  ip: string;
  zone: string;
  group: string;
  createdAt: string;
  extra?: Partial<NodeShape>;
}
const GROUPS: Record<string, Pick<NodeShape, 'arch' | 'instanceType' | 'capacityType' | 'gpu' | 'controlPlane'>> = {
  'control-plane': { arch: 'amd64', instanceType: 'm6i.xlarge', controlPlane: true },
  'general-amd64': { arch: 'amd64', instanceType: 'm6i.2xlarge', capacityType: 'ON_DEMAND' },
  'general-arm64': { arch: 'arm64', instanceType: 'm7g.2xlarge', capacityType: 'ON_DEMAND' },
  'batch-spot': { arch: 'amd64', instanceType: 'c6i.4xlarge', capacityType: 'SPOT' },
  'gpu-a10g': { arch: 'amd64', instanceType: 'g5.2xlarge', capacityType: 'ON_DEMAND', gpu: true },
};
const NODE_ROWS: NodeRow[] = [
  { ip: '10.0.0.11', zone: 'a', group: 'control-plane', createdAt: '2025-03-10T08:12:04Z' },
  { ip: '10.0.1.21', zone: 'a', group: 'general-amd64', createdAt: '2026-10-02T09:14:51Z' },
  { ip: '10.0.1.57', zone: 'a', group: 'general-amd64', createdAt: '2026-10-02T09:15:03Z' },
  { ip: '10.0.2.33', zone: 'b', group: 'general-amd64', createdAt: '2026-10-02T09:14:58Z' },
  { ip: '10.0.2.80', zone: 'b', group: 'general-amd64', createdAt: '2026-10-02T09:15:20Z', extra: { notReadySince: '2026-11-20T09:57:12Z' } },
  { ip: '10.0.3.14', zone: 'c', group: 'general-amd64', createdAt: '2026-10-02T09:15:11Z' },
  { ip: '10.0.3.92', zone: 'c', group: 'general-amd64', createdAt: '2026-10-02T09:15:42Z', extra: { cordonedAt: '2026-11-20T09:31:40Z' } },
  { ip: '10.0.1.140', zone: 'a', group: 'general-arm64', createdAt: '2026-11-19T14:05:33Z' },
  { ip: '10.0.2.171', zone: 'b', group: 'general-arm64', createdAt: '2026-11-19T14:06:02Z' },
  { ip: '10.0.3.160', zone: 'c', group: 'general-arm64', createdAt: '2026-11-20T09:41:17Z' },
  { ip: '10.0.2.118', zone: 'b', group: 'batch-spot', createdAt: '2026-11-17T06:30:26Z' },
  { ip: '10.0.3.45', zone: 'c', group: 'batch-spot', createdAt: '2026-11-17T06:30:49Z' },
  { ip: '10.0.1.200', zone: 'a', group: 'gpu-a10g', createdAt: '2026-11-18T16:20:00Z' },
  { ip: '10.0.3.210', zone: 'c', group: 'gpu-a10g', createdAt: '2026-11-18T16:21:10Z' },
];

// ---------------------------------------------------------------------------------------------
// DaemonSets: live metadata and revision history per Git DaemonSet (namespace/name), plus the drifts.

interface Revision {
  revision: number;
  createdAt: string;
  images?: Record<string, string>;
}
interface LivePlan {
  createdAt: string;
  /** Revisions, oldest first; the last is current. `images` overrides the Git images (a hot-fix). */
  revisions: Revision[];
}
const PLANS: Record<string, LivePlan> = {
  'kube-system/aws-node': {
    createdAt: '2025-03-10T08:20:11Z',
    revisions: [
      { revision: 3, createdAt: '2026-06-02T10:11:09Z' },
      { revision: 4, createdAt: '2026-09-30T13:02:44Z' },
    ],
  },
  'kube-system/kube-proxy': {
    createdAt: '2025-03-10T08:20:13Z',
    revisions: [
      { revision: 2, createdAt: '2026-06-02T10:14:27Z' },
      { revision: 3, createdAt: '2026-09-30T13:05:10Z' },
    ],
  },
  // Planted drift: hot-fixed in the cluster (kubectl set image ... nvidia-device-plugin-ctr=...:v0.17.1); Git still says v0.20.0.
  'kube-system/nvidia-device-plugin-daemonset': {
    createdAt: '2026-11-18T15:02:37Z',
    revisions: [
      { revision: 1, createdAt: '2026-11-18T15:02:37Z' },
      { revision: 2, createdAt: '2026-11-19T08:47:31Z', images: { 'nvidia-device-plugin-ctr': 'nvcr.io/nvidia/k8s-device-plugin:v0.17.1' } },
    ],
  },
  'monitoring/node-exporter': {
    createdAt: '2026-02-03T15:40:22Z',
    revisions: [
      { revision: 4, createdAt: '2026-07-14T09:03:51Z' },
      { revision: 5, createdAt: '2026-10-20T11:00:07Z' },
    ],
  },
  'logging/fluentd': {
    createdAt: '2025-06-01T12:00:45Z',
    revisions: [
      { revision: 1, createdAt: '2025-06-01T12:00:45Z' },
      { revision: 2, createdAt: '2026-08-11T07:25:16Z' },
    ],
  },
};

/** Planted drift: a debug DaemonSet applied by hand during an incident, in a namespace Git manages, not in Git. */
const UNMANAGED: K8sDaemonSet = {
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: {
    name: 'netshoot-debug',
    namespace: 'monitoring',
    labels: { app: 'netshoot-debug' },
    annotations: { 'kubernetes.io/change-cause': 'debugging conntrack drops in eu-west-1a (INC-4821)' },
  },
  spec: {
    selector: { matchLabels: { app: 'netshoot-debug' } },
    template: {
      metadata: { labels: { app: 'netshoot-debug' } },
      spec: {
        hostNetwork: true,
        nodeSelector: { 'eks.amazonaws.com/nodegroup': 'general-amd64', 'topology.kubernetes.io/zone': 'eu-west-1a' },
        containers: [
          {
            name: 'netshoot',
            image: 'nicolaka/netshoot:v0.13',
            command: ['sleep', 'infinity'],
            resources: { limits: { cpu: '200m', memory: '128Mi' }, requests: { cpu: '50m', memory: '64Mi' } },
            securityContext: { capabilities: { add: ['NET_ADMIN', 'NET_RAW'] } },
          },
        ],
      },
    },
    updateStrategy: { type: 'RollingUpdate' },
  },
};
const UNMANAGED_PLAN: LivePlan = { createdAt: '2026-11-14T22:13:05Z', revisions: [{ revision: 1, createdAt: '2026-11-14T22:13:05Z' }] };

/** Planted drift: the fluentd tag was re-pushed upstream on this date; pods started later pulled the new digest. */
const FLUENTD_REPUSHED_AT = '2026-11-12T00:00:00Z';
/** Planted drift: node-exporter's pod on this node is in CrashLoopBackOff (port 9101 taken by a host exporter). */
const CRASHLOOP = { ds: 'monitoring/node-exporter', node: internal('10.0.1.57'), since: '2026-11-20T09:12:40Z' };
/** Planted drift: no node-exporter pod on this new node (the controller's pod creation keeps failing). */
const MISSING = { ds: 'monitoring/node-exporter', node: internal('10.0.3.160') };

// ---------------------------------------------------------------------------------------------

function readGitDaemonSets(dir: string): K8sDaemonSet[] {
  const out: K8sDaemonSet[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.ya?ml$/.test(e)) {
        for (const doc of parseAllDocuments(readFileSync(p, 'utf8'))) {
          const v = doc.toJS() as K8sDaemonSet | null;
          if (v?.kind === 'DaemonSet') out.push(v);
        }
      }
    }
  };
  walk(dir);
  return out;
}

function imagesOnNode(ds: K8sDaemonSet[]): NodeShape['images'] {
  return ds
    .flatMap((d) => [...(d.spec.template.spec.initContainers ?? []), ...d.spec.template.spec.containers])
    .map((c) => ({ id: imageIdOf(c.image!), ref: c.image!, sizeBytes: 10_000_000 + parseInt(hexOf(c.image!, 6), 16) * 4 }));
}

function revisionHash(key: string, revision: number): string {
  return safeStringOf(`revision/${key}/${revision}`, 10);
}

function withImages(ds: K8sDaemonSet, images: Record<string, string> | undefined): K8sDaemonSet {
  if (!images) return ds;
  const copy = structuredClone(ds);
  for (const c of copy.spec.template.spec.containers) if (images[c.name]) c.image = images[c.name];
  return copy;
}

function coreDnsPod(node: K8sNode, i: number): K8sPod {
  const name = `coredns-7bf648ff5d-${safeStringOf(`coredns/${i}`, 5)}`;
  const createdAt = timeAfter(node.metadata.creationTimestamp!, 95);
  const ip = `10.0.${node.metadata.name.split('-')[3]}.${60 + i}`;
  const image = '602401143452.dkr.ecr.eu-west-1.amazonaws.com/eks/coredns:v1.12.1-eksbuild.2';
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      generateName: 'coredns-7bf648ff5d-',
      namespace: 'kube-system',
      uid: uidOf(`pod/${name}`),
      resourceVersion: String(48211000 + i),
      creationTimestamp: createdAt,
      labels: { 'eks.amazonaws.com/component': 'coredns', 'k8s-app': 'kube-dns', 'pod-template-hash': '7bf648ff5d' },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: 'coredns-7bf648ff5d',
          uid: uidOf('rs/coredns-7bf648ff5d'),
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      containers: [
        {
          name: 'coredns',
          image,
          args: ['-conf', '/etc/coredns/Corefile'],
          imagePullPolicy: 'IfNotPresent',
          resources: { limits: { memory: '170Mi' }, requests: { cpu: '100m', memory: '70Mi' } },
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
        },
      ],
      dnsPolicy: 'Default',
      enableServiceLinks: true,
      nodeName: node.metadata.name,
      preemptionPolicy: 'PreemptLowerPriority',
      priority: 2000000000,
      priorityClassName: 'system-cluster-critical',
      restartPolicy: 'Always',
      schedulerName: 'default-scheduler',
      securityContext: {},
      serviceAccount: 'coredns',
      serviceAccountName: 'coredns',
      terminationGracePeriodSeconds: 30,
      tolerations: [
        { effect: 'NoSchedule', key: 'node-role.kubernetes.io/control-plane' },
        { key: 'CriticalAddonsOnly', operator: 'Exists' },
        { effect: 'NoExecute', key: 'node.kubernetes.io/not-ready', operator: 'Exists', tolerationSeconds: 300 },
        { effect: 'NoExecute', key: 'node.kubernetes.io/unreachable', operator: 'Exists', tolerationSeconds: 300 },
      ],
    },
    status: {
      conditions: [
        { type: 'Ready', status: 'True', lastTransitionTime: timeAfter(createdAt, 8) },
        { type: 'PodScheduled', status: 'True', lastTransitionTime: createdAt },
      ],
      containerStatuses: [
        {
          name: 'coredns',
          image,
          imageID: imageIdOf(image),
          ready: true,
          restartCount: 0,
          started: true,
          state: { running: { startedAt: timeAfter(createdAt, 4) } },
        },
      ],
      hostIP: (node.status?.addresses as { address: string }[])[0]!.address,
      phase: 'Running',
      podIP: ip,
      podIPs: [{ ip }],
      qosClass: 'Burstable',
      startTime: timeAfter(createdAt, 1),
    },
  };
}

/** Returns the example cluster's objects (Git DaemonSets read from `gitopsDir`). */
export function buildExample(gitopsDir: string): {
  nodes: K8sNode[];
  daemonSets: K8sDaemonSet[];
  pods: K8sPod[];
  controllerRevisions: K8sControllerRevision[];
} {
  const git = readGitDaemonSets(gitopsDir);
  const nodes = NODE_ROWS.map((r, i) =>
    nodeOf({
      name: internal(r.ip),
      ip: r.ip,
      region: REGION,
      zone: `${REGION}${r.zone}`,
      createdAt: r.createdAt,
      kubeletVersion: KUBELET,
      ...GROUPS[r.group]!,
      ...(r.group === 'control-plane' ? {} : { nodeGroup: r.group }),
      images: imagesOnNode(git),
      heartbeatAt: timeAfter(EXAMPLE_NOW, -23 - i * 3),
      ...r.extra,
    }),
  );
  const daemonSets: K8sDaemonSet[] = [];
  const pods: K8sPod[] = [];
  const controllerRevisions: K8sControllerRevision[] = [];
  const sources: [K8sDaemonSet, LivePlan][] = git.map((m) => {
    const key = `${m.metadata.namespace ?? 'default'}/${m.metadata.name}`;
    const plan = PLANS[key];
    if (!plan) throw new Error(`no live plan for Git DaemonSet ${key}`);
    return [m, plan];
  });
  sources.push([UNMANAGED, UNMANAGED_PLAN]);
  for (const [manifest, plan] of sources) {
    const key = `${manifest.metadata.namespace}/${manifest.metadata.name}`;
    const current = plan.revisions.at(-1)!;
    const generation = plan.revisions.length > 1 ? current.revision : 1;
    const live = liveDaemonSet(withImages(manifest, current.images), {
      uid: uidOf(`ds/${key}`),
      creationTimestamp: plan.createdAt,
      generation,
      resourceVersion: String(48200000 + parseInt(hexOf(key, 4), 16)),
    });
    const hash = revisionHash(key, current.revision);
    for (const r of plan.revisions) {
      const template = liveDaemonSet(withImages(manifest, r.images), { uid: '', creationTimestamp: '', generation: r.revision, resourceVersion: '' }).spec
        .template;
      controllerRevisions.push(controllerRevisionOf(live, r.revision, revisionHash(key, r.revision), r.createdAt, template));
    }
    const shouldRun = compileEligibility(live);
    const owned: K8sPod[] = [];
    nodes.forEach((node, i) => {
      const name = node.metadata.name;
      const decision = shouldRun(node);
      // A pod exists where the controller created one: nodes that were eligible when the pod was
      // created. The NotReady and cordoned nodes were eligible before their taints appeared.
      const tainted = Boolean(NODE_ROWS[i]!.extra?.notReadySince);
      if (!decision.shouldRun && !(tainted && decision.shouldContinueRunning)) return;
      if (key === MISSING.ds && name === MISSING.node) return;
      const createdAt = [timeAfter(node.metadata.creationTimestamp!, 15 + (i % 7) * 3), timeAfter(current.createdAt, 10 + i * 7)].sort().at(-1)!;
      const opts: DaemonPodOptions = { revisionHash: hash, templateGeneration: generation, createdAt };
      if (key === 'logging/fluentd') {
        const ref = live.spec.template.spec.containers[0]!.image!;
        opts.imageIds = { fluentd: imageIdOf(ref, createdAt >= FLUENTD_REPUSHED_AT ? 'repushed-2026-11-12' : '') };
      }
      if (NODE_ROWS[i]!.extra?.notReadySince) {
        // nodelifecycle: MarkPodsNotReady flips the pods' Ready condition once the node is NotReady.
        opts.state = { ready: false, readySince: timeAfter(NODE_ROWS[i]!.extra!.notReadySince!, 40), containersReady: true };
      }
      if (key === CRASHLOOP.ds && name === CRASHLOOP.node) {
        opts.state = {
          ready: false,
          readySince: CRASHLOOP.since,
          waiting: {
            reason: 'CrashLoopBackOff',
            message: '',
            restartCount: 14,
            lastExit: { exitCode: 1, reason: 'Error', startedAt: '2026-11-20T09:54:51Z', finishedAt: '2026-11-20T09:54:52Z' },
          },
        };
      }
      const pod = daemonPod(live, node, opts);
      const waiting = pod.status?.containerStatuses?.[0]?.state?.waiting;
      if (waiting)
        waiting.message = `back-off 5m0s restarting failed container=${pod.spec.containers[0]!.name} pod=${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`;
      owned.push(pod);
    });
    live.status = daemonSetStatusOf(live, nodes, owned, hash);
    daemonSets.push(live);
    pods.push(...owned);
  }
  pods.push(coreDnsPod(nodes[1]!, 0), coreDnsPod(nodes[3]!, 1));
  return { nodes, daemonSets, pods, controllerRevisions };
}

/** Returns a `kubectl get … -o json` style `v1 List`. */
export function asList(items: unknown[]): { apiVersion: 'v1'; kind: 'List'; items: unknown[]; metadata: { resourceVersion: string } } {
  return { apiVersion: 'v1', items, kind: 'List', metadata: { resourceVersion: '' } };
}

/** Returns the dump files' contents by path relative to the repository root, as committed under examples/cluster/. */
export function renderExample(gitopsDir: string): Record<string, string> {
  const { nodes, daemonSets, pods, controllerRevisions } = buildExample(gitopsDir);
  const byKey = (a: K8sPod | K8sDaemonSet | K8sControllerRevision, b: typeof a): number =>
    `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`);
  // kubectl indents -o json by 4 and prints kinds in the order asked for.
  const json = (items: unknown[]): string => `${JSON.stringify(asList(items), null, 4)}\n`;
  return {
    'examples/cluster/nodes.json': json(nodes),
    'examples/cluster/workloads.json': json([...daemonSets.sort(byKey), ...pods.sort(byKey), ...controllerRevisions.sort(byKey)]),
  };
}

function main(): void {
  for (const [file, text] of Object.entries(renderExample(join(ROOT, 'examples/gitops')))) {
    writeFileSync(join(ROOT, file), text);
    console.log(`wrote ${file} (${Buffer.byteLength(text)} bytes)`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
