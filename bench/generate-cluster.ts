// A generated cluster at Kubernetes' scale for the benchmarks: EKS-like nodes in three zones
// (control plane, amd64, arm64, GPU, a few cordoned and NotReady), a catalog of real-world node
// agents as DaemonSets, their pods as the controller and kubelet leave them (managedFields, image
// IDs, injected tolerations and affinity), ControllerRevisions, DaemonSet status computed the
// controller's way, plus the Git manifests. Pure and deterministic for a given seed.
import type { Container, K8sControllerRevision, K8sDaemonSet, K8sNode, K8sPod, PodSpec, Toleration } from '../functions/core/k8s-types.js';
import { compileEligibility } from '../functions/core/scheduling/eligibility.js';
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
} from './live-objects.js';

export interface GenerateClusterOptions {
  nodes: number;
  daemonSets: number;
  /** Pods per node that belong to other owners (ReplicaSets); default 2. */
  extraPodsPerNode?: number;
  seed?: number;
}

export interface GeneratedCluster {
  nodes: K8sNode[];
  daemonSets: K8sDaemonSet[];
  pods: K8sPod[];
  controllerRevisions: K8sControllerRevision[];
  /** The DaemonSets as Git holds them (no server defaults, no status). */
  manifests: K8sDaemonSet[];
}

const AT = '2026-11-20T10:00:00Z';
const CLUSTER_CREATED = '2025-03-10T08:12:04Z';

type Placement = 'all' | 'workers' | 'linux' | 'gpu' | 'amd64';
interface AgentSpec {
  name: string;
  namespace: string;
  images: string[];
  placement: Placement;
  tolerateAll?: boolean;
  hostNetwork?: boolean;
  env: number;
  priorityClassName?: string;
}

/** Node agents as found on production EKS clusters; DaemonSets beyond the catalog repeat it with a suffix. */
const CATALOG: AgentSpec[] = [
  {
    name: 'aws-node',
    namespace: 'kube-system',
    images: [
      '602401143452.dkr.ecr.eu-west-1.amazonaws.com/amazon-k8s-cni:v1.23.1',
      '602401143452.dkr.ecr.eu-west-1.amazonaws.com/amazon/aws-network-policy-agent:v1.4.2',
    ],
    placement: 'all',
    tolerateAll: true,
    hostNetwork: true,
    env: 4,
    priorityClassName: 'system-node-critical',
  },
  {
    name: 'kube-proxy',
    namespace: 'kube-system',
    images: ['602401143452.dkr.ecr.eu-west-1.amazonaws.com/eks/kube-proxy:v1.33.5-minimal-eksbuild.2'],
    placement: 'all',
    tolerateAll: true,
    hostNetwork: true,
    env: 1,
    priorityClassName: 'system-node-critical',
  },
  {
    name: 'ebs-csi-node',
    namespace: 'kube-system',
    images: ['public.ecr.aws/ebs-csi-driver/aws-ebs-csi-driver:v1.48.0', 'public.ecr.aws/csi-components/csi-node-driver-registrar:v2.14.0-eksbuild.4'],
    placement: 'linux',
    tolerateAll: true,
    env: 2,
    priorityClassName: 'system-node-critical',
  },
  {
    name: 'efs-csi-node',
    namespace: 'kube-system',
    images: ['public.ecr.aws/efs-csi-driver/amazon/aws-efs-csi-driver:v2.1.11'],
    placement: 'workers',
    env: 2,
    priorityClassName: 'system-node-critical',
  },
  {
    name: 'node-exporter',
    namespace: 'monitoring',
    images: ['quay.io/prometheus/node-exporter:v1.12.1', 'quay.io/brancz/kube-rbac-proxy:v0.22.1'],
    placement: 'linux',
    tolerateAll: true,
    hostNetwork: true,
    env: 1,
    priorityClassName: 'system-cluster-critical',
  },
  { name: 'fluent-bit', namespace: 'logging', images: ['cr.fluentbit.io/fluent/fluent-bit:4.0.7'], placement: 'linux', tolerateAll: true, env: 4 },
  { name: 'datadog-agent', namespace: 'datadog', images: ['gcr.io/datadoghq/agent:7.70.2'], placement: 'workers', env: 6 },
  { name: 'falco', namespace: 'falco', images: ['docker.io/falcosecurity/falco:0.41.3'], placement: 'linux', tolerateAll: true, env: 3 },
  { name: 'kured', namespace: 'kube-system', images: ['ghcr.io/kubereboot/kured:1.20.0'], placement: 'workers', env: 1 },
  {
    name: 'node-problem-detector',
    namespace: 'kube-system',
    images: ['registry.k8s.io/node-problem-detector/node-problem-detector:v0.8.21'],
    placement: 'linux',
    tolerateAll: true,
    env: 1,
  },
  {
    name: 'nvidia-device-plugin-daemonset',
    namespace: 'kube-system',
    images: ['nvcr.io/nvidia/k8s-device-plugin:v0.20.0'],
    placement: 'gpu',
    env: 0,
    priorityClassName: 'system-node-critical',
  },
  { name: 'dcgm-exporter', namespace: 'monitoring', images: ['nvcr.io/nvidia/k8s/dcgm-exporter:4.2.3-4.1.3-ubuntu22.04'], placement: 'gpu', env: 2 },
  { name: 'secrets-store-csi-driver', namespace: 'kube-system', images: ['registry.k8s.io/csi-secrets-store/driver:v1.5.3'], placement: 'workers', env: 1 },
  {
    name: 'istio-cni-node',
    namespace: 'istio-system',
    images: ['docker.io/istio/install-cni:1.27.1'],
    placement: 'workers',
    tolerateAll: true,
    hostNetwork: true,
    env: 6,
    priorityClassName: 'system-node-critical',
  },
  {
    name: 'node-local-dns',
    namespace: 'kube-system',
    images: ['registry.k8s.io/dns/k8s-dns-node-cache:1.26.4'],
    placement: 'all',
    tolerateAll: true,
    hostNetwork: true,
    env: 0,
    priorityClassName: 'system-node-critical',
  },
  { name: 'otel-agent', namespace: 'observability', images: ['docker.io/otel/opentelemetry-collector-contrib:0.135.0'], placement: 'amd64', env: 5 },
];

function placementAffinity(p: Placement): Partial<Pick<PodSpec, 'nodeSelector' | 'affinity'>> {
  const linux = { key: 'kubernetes.io/os', operator: 'In', values: ['linux'] };
  switch (p) {
    case 'all':
      return {};
    case 'linux':
      return { nodeSelector: { 'kubernetes.io/os': 'linux' } };
    case 'gpu':
      return { nodeSelector: { 'nvidia.com/gpu.present': 'true' } };
    case 'amd64':
      return { nodeSelector: { 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64' } };
    case 'workers':
      return {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                {
                  matchExpressions: [
                    linux,
                    { key: 'node-role.kubernetes.io/control-plane', operator: 'DoesNotExist' },
                    { key: 'eks.amazonaws.com/compute-type', operator: 'NotIn', values: ['fargate', 'hybrid', 'auto'] },
                  ],
                },
              ],
            },
          },
        },
      };
  }
}

/** Returns the Git manifest of one catalog agent. */
function manifestOf(a: AgentSpec, suffix: string): K8sDaemonSet {
  const name = `${a.name}${suffix}`;
  const labels = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': name };
  const tolerations: Toleration[] = a.tolerateAll
    ? [{ operator: 'Exists' }]
    : a.placement === 'gpu'
      ? [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]
      : [];
  const containers: Container[] = a.images.map((image, i) => ({
    name: i === 0 ? a.name : `${a.name}-sidecar-${i}`,
    image,
    ...(i === 0 ? { args: [`--log-level=info`, `--metrics-port=${9100 + i}`] } : {}),
    env: [
      { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
      ...Array.from({ length: i === 0 ? a.env : 0 }, (_, k) => ({ name: `${a.name.toUpperCase().replace(/[^A-Z]/g, '_')}_SETTING_${k}`, value: `value-${k}` })),
    ],
    ...(i === 0 ? { ports: [{ name: 'metrics', containerPort: 9100 + CATALOG.indexOf(a) }] } : {}),
    resources: { limits: { memory: '256Mi' }, requests: { cpu: '50m', memory: '128Mi' } },
    volumeMounts: [
      { name: 'host-root', mountPath: '/host', readOnly: true },
      { name: 'varlog', mountPath: '/var/log' },
    ],
    ...(i === 0 ? { readinessProbe: { httpGet: { path: '/healthz', port: 9100 + CATALOG.indexOf(a) }, initialDelaySeconds: 5 } } : {}),
  }));
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name, namespace: a.namespace, labels },
    spec: {
      selector: { matchLabels: labels },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '10%' } },
      template: {
        metadata: { labels: { ...labels } },
        spec: {
          ...placementAffinity(a.placement),
          ...(a.hostNetwork ? { hostNetwork: true } : {}),
          ...(a.priorityClassName ? { priorityClassName: a.priorityClassName } : {}),
          serviceAccountName: name,
          tolerations,
          containers,
          volumes: [
            { name: 'host-root', hostPath: { path: '/' } },
            { name: 'varlog', hostPath: { path: '/var/log' } },
          ],
        },
      },
    },
  };
}

function nodeShapeOf(i: number, images: NodeShape['images']): NodeShape {
  const zone = 'abc'[i % 3]!;
  const controlPlane = i < 3;
  const gpu = !controlPlane && i % 20 === 7;
  const arch = !controlPlane && !gpu && i % 4 === 1 ? 'arm64' : 'amd64';
  const group = controlPlane ? undefined : gpu ? 'gpu-a10g' : arch === 'arm64' ? 'general-arm64' : `general-amd64-${i % 5}`;
  const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
  // Nodes are replaced over time: later indexes joined later (AMI rotations, autoscaling).
  const createdAt = controlPlane ? CLUSTER_CREATED : timeAfter('2026-10-01T00:00:00Z', Math.floor((i * 4_100_000) / Math.max(1, i + 500)) + i * 37);
  return {
    name: `ip-${ip.replace(/\./g, '-')}.eu-west-1.compute.internal`,
    ip,
    region: 'eu-west-1',
    zone: `eu-west-1${zone}`,
    arch,
    instanceType: controlPlane ? 'm6i.xlarge' : gpu ? 'g5.2xlarge' : arch === 'arm64' ? 'm7g.2xlarge' : 'm6i.2xlarge',
    createdAt,
    kubeletVersion: 'v1.33.5-eks-98436be',
    heartbeatAt: timeAfter(AT, -(i % 50) - 5),
    ...(group ? { nodeGroup: group, capacityType: i % 7 === 3 ? 'SPOT' : 'ON_DEMAND' } : {}),
    ...(controlPlane ? { controlPlane: true } : {}),
    ...(gpu ? { gpu: true } : {}),
    ...(!controlPlane && i % 500 === 250 ? { cordonedAt: timeAfter(AT, -1800) } : {}),
    ...(!controlPlane && i % 1000 === 613 ? { notReadySince: timeAfter(AT, -150) } : {}),
    images,
  };
}

/** A pod of some other workload (a ReplicaSet's), for dumps where not every pod is a daemon pod. */
function appPod(node: K8sNode, i: number, template: K8sDaemonSet): K8sPod {
  const rs = `web-${i % 40}-${safeStringOf(`rs/${i % 40}`, 10)}`;
  const pod = daemonPod(template, node, {
    revisionHash: 'x',
    templateGeneration: 1,
    createdAt: timeAfter(node.metadata.creationTimestamp!, 300 + i),
    managedFields: true,
  });
  const { 'controller-revision-hash': _h, 'pod-template-generation': _g, ...labels } = pod.metadata.labels!;
  pod.metadata.name = `${rs}-${safeStringOf(`app/${node.metadata.name}/${i}`, 5)}`;
  pod.metadata.generateName = `${rs}-`;
  pod.metadata.namespace = `team-${i % 12}`;
  pod.metadata.uid = uidOf(`app/${node.metadata.name}/${i}`);
  pod.metadata.labels = { ...labels, 'pod-template-hash': rs.split('-').at(-1)! };
  pod.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs, uid: uidOf(`rs/${rs}`), controller: true, blockOwnerDeletion: true }];
  pod.spec.affinity = null;
  pod.spec.hostNetwork = false;
  pod.spec.tolerations = [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  ];
  return pod;
}

/** Returns a consistent generated cluster: every daemon pod is owned by an existing DaemonSet uid. */
export function generateCluster(opts: GenerateClusterOptions): GeneratedCluster {
  const seed = opts.seed ?? 1;
  const extra = opts.extraPodsPerNode ?? 2;
  const manifests = Array.from({ length: opts.daemonSets }, (_, i) =>
    manifestOf(CATALOG[i % CATALOG.length]!, i < CATALOG.length ? '' : `-${Math.floor(i / CATALOG.length) + 1}`),
  );
  const images: NodeShape['images'] = [...new Set(manifests.flatMap((m) => m.spec.template.spec.containers.map((c) => c.image!)))]
    .slice(0, 14)
    .map((ref) => ({ id: imageIdOf(ref), ref, sizeBytes: 20_000_000 + parseInt(hexOf(ref, 6), 16) }));
  const nodes = Array.from({ length: opts.nodes }, (_, i) => nodeOf(nodeShapeOf(i, images)));
  const notReady = new Set(nodes.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status !== 'True')).map((n) => n.metadata.name));
  const daemonSets: K8sDaemonSet[] = [];
  const pods: K8sPod[] = [];
  const controllerRevisions: K8sControllerRevision[] = [];
  manifests.forEach((manifest, d) => {
    const key = `${manifest.metadata.namespace}/${manifest.metadata.name}`;
    const generation = 2 + (d % 3);
    // Drift planted at scale: one GPU agent hot-fixed in the cluster (image/drift, image/outdated-pod).
    const hotFixed = manifest.metadata.name === 'dcgm-exporter';
    const liveSource = hotFixed ? structuredClone(manifest) : manifest;
    if (hotFixed) liveSource.spec.template.spec.containers[0]!.image = 'nvcr.io/nvidia/k8s/dcgm-exporter:4.2.3-4.1.3-ubuntu22.04-hotfix1';
    const live = liveDaemonSet(liveSource, {
      uid: uidOf(`ds/${seed}/${key}`),
      creationTimestamp: CLUSTER_CREATED,
      generation,
      resourceVersion: String(48_000_000 + d),
    });
    const hash = safeStringOf(`rev/${seed}/${key}/${generation}`, 10);
    const revisionAt = '2026-09-30T13:00:00Z';
    controllerRevisions.push(
      controllerRevisionOf(live, generation - 1, safeStringOf(`rev/${seed}/${key}/${generation - 1}`, 10), '2026-06-02T10:00:00Z'),
      controllerRevisionOf(live, generation, hash, revisionAt),
    );
    const shouldRun = compileEligibility(live);
    const owned: K8sPod[] = [];
    nodes.forEach((node, i) => {
      const decision = shouldRun(node);
      if (!decision.shouldRun && !(notReady.has(node.metadata.name) && decision.shouldContinueRunning)) return;
      // Drift planted at scale: a missing pod on every 997th node for one agent.
      if (d === 5 % opts.daemonSets && i % 997 === 500) return;
      const createdAt = [timeAfter(node.metadata.creationTimestamp!, 20 + (d % 9)), timeAfter(revisionAt, 30 + ((i * 7) % 3600))].sort().at(-1)!;
      const o: DaemonPodOptions = { revisionHash: hash, templateGeneration: generation, createdAt, managedFields: true };
      // A crash-looping pod on every 1499th node for one agent (coverage/unready).
      if (d === 1 % opts.daemonSets && i % 1499 === 700) {
        o.state = {
          ready: false,
          readySince: timeAfter(AT, -3600),
          waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s restarting failed container', restartCount: 9 },
        };
      } else if (notReady.has(node.metadata.name)) {
        o.state = { ready: false, readySince: timeAfter(AT, -110), containersReady: true };
      }
      owned.push(daemonPod(live, node, o));
    });
    live.status = daemonSetStatusOf(live, nodes, owned, hash);
    daemonSets.push(live);
    for (const p of owned) pods.push(p);
  });
  if (extra > 0 && daemonSets.length > 0) {
    const template = daemonSets[daemonSets.length > 6 ? 6 : 0]!;
    nodes.forEach((node, n) => {
      if (n < 3) return;
      for (let k = 0; k < extra; k++) pods.push(appPod(node, n * extra + k, template));
    });
  }
  return { nodes, daemonSets, pods, controllerRevisions, manifests };
}
