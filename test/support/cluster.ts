// A realistic small cluster and its GitOps desired state, correct by construction: every eligible node
// runs a Ready pod of the current revision and the live DaemonSets equal Git. Tests plant one drift
// at a time into a fresh copy.
import type { K8sDaemonSet, K8sNode, K8sPod } from '../../functions/core/k8s-types.js';
import type { DesiredState, Policy, Snapshot } from '../../functions/core/types.js';
import { compileEligibility } from '../../functions/core/scheduling/index.js';
import { daemonSet, defaultPolicy, desiredOf, node, pod, rulesFromRepo, snapshotOf } from './builders.js';

/** The rule categories the audit core itself implements (coverage, image, resource, manifest, audit). */
const CORE_CATEGORIES = /^(audit|coverage|image|resource|manifest)\//;

/** Returns the default policy restricted to the core's own rules, for tests about them alone. */
export function corePolicy(): Policy {
  return defaultPolicy(rulesFromRepo().filter((r) => CORE_CATEGORIES.test(r.id)));
}

// Good practice every DaemonSet of the correct cluster follows (limits, a node-critical priority).
const resources = { requests: { cpu: '10m', memory: '32Mi' }, limits: { cpu: '200m', memory: '128Mi' } };
const PRIORITY = 'system-node-critical';

export interface Cluster {
  nodes: K8sNode[];
  daemonSets: K8sDaemonSet[];
  pods: K8sPod[];
}

/** Returns a fresh correct cluster (control plane, workers in three zones, arm64, a GPU node, a cordoned node) whose DaemonSets also follow good practice. */
export function correctCluster(): Cluster {
  const nodes = [
    node('cp-1', { zone: 'eu-west-1a', labels: { 'node-role.kubernetes.io/control-plane': '' }, taints: ['node-role.kubernetes.io/control-plane:NoSchedule'] }),
    node('worker-a', { zone: 'eu-west-1a', nodeGroup: 'general' }),
    node('worker-b', { zone: 'eu-west-1b', nodeGroup: 'general' }),
    node('worker-c', { zone: 'eu-west-1c', nodeGroup: 'general', unschedulable: true, taints: ['node.kubernetes.io/unschedulable:NoSchedule'] }),
    node('arm-a', { zone: 'eu-west-1a', arch: 'arm64', nodeGroup: 'graviton' }),
    node('gpu-a', { zone: 'eu-west-1b', nodeGroup: 'gpu', labels: { 'nvidia.com/gpu.present': 'true' }, taints: ['nvidia.com/gpu=present:NoSchedule'] }),
  ];
  const daemonSets = [
    // Node exporter: every linux node, tolerates everything (kube-prometheus).
    daemonSet('monitoring/node-exporter', {
      containers: [
        { name: 'node-exporter', image: 'quay.io/prometheus/node-exporter:v1.9.1', resources },
        { name: 'kube-rbac-proxy', image: 'quay.io/brancz/kube-rbac-proxy:v0.19.1', resources },
      ],
      nodeSelector: { 'kubernetes.io/os': 'linux' },
      tolerations: [{ operator: 'Exists' }],
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '10%' } },
    }),
    // Log shipper: workers only (no control-plane toleration), digest-free tag.
    daemonSet('logging/fluent-bit', { containers: [{ name: 'fluent-bit', image: 'cr.fluentbit.io/fluent/fluent-bit:4.0.3', resources }] }),
    // CNI: hostNetwork, catch-all toleration, amd64 and arm64.
    daemonSet('kube-system/aws-node', {
      containers: [{ name: 'aws-node', image: '602401143452.dkr.ecr.eu-west-1.amazonaws.com/amazon-k8s-cni:v1.19.6', resources }],
      initContainers: [{ name: 'aws-vpc-cni-init', image: '602401143452.dkr.ecr.eu-west-1.amazonaws.com/amazon-k8s-cni-init:v1.19.6', resources }],
      hostNetwork: true,
      tolerations: [{ operator: 'Exists' }],
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/arch', operator: 'In', values: ['amd64', 'arm64'] }] }],
          },
        },
      },
    }),
    // GPU device plugin: GPU nodes only, tolerates the GPU taint.
    daemonSet('kube-system/nvidia-device-plugin', {
      containers: [{ name: 'nvidia-device-plugin', image: 'nvcr.io/nvidia/k8s-device-plugin:v0.17.2', resources }],
      nodeSelector: { 'nvidia.com/gpu.present': 'true' },
      tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
    }),
    daemonSet('kube-system/kube-proxy', {
      containers: [{ name: 'kube-proxy', image: 'registry.k8s.io/kube-proxy:v1.33.2', resources }],
      tolerations: [{ operator: 'Exists' }],
    }),
  ];
  for (const ds of daemonSets) ds.spec.template.spec.priorityClassName = PRIORITY;
  const pods: K8sPod[] = [];
  for (const ds of daemonSets) {
    const eligible = compileEligibility(ds);
    for (const n of nodes) if (eligible(n).shouldRun) pods.push(pod(ds, n.metadata.name));
  }
  for (const ds of daemonSets) {
    const desired = pods.filter((p) => p.metadata.ownerReferences?.[0]?.uid === ds.metadata.uid).length;
    ds.status = {
      desiredNumberScheduled: desired,
      currentNumberScheduled: desired,
      numberReady: desired,
      updatedNumberScheduled: desired,
      numberAvailable: desired,
      numberMisscheduled: 0,
      observedGeneration: 1,
    };
  }
  // Static and other-owner pods the audit must ignore.
  pods.push({ ...pod(daemonSets[4]!, 'cp-1', { name: 'kube-apiserver-cp-1', owner: { kind: 'Node', name: 'cp-1', uid: 'uid-node-cp-1' } }) });
  pods.push({
    ...pod(daemonSets[1]!, 'worker-a', { name: 'web-7d9f-abcde', owner: { kind: 'ReplicaSet', name: 'web-7d9f', uid: 'uid-rs-web' }, labels: { app: 'web' } }),
  });
  return { nodes, daemonSets, pods };
}

/** Returns the snapshot and desired state of a cluster (Git = the live DaemonSets without server fields). */
export function inputsOf(c: Cluster, git: K8sDaemonSet[] = c.daemonSets): { snapshot: Snapshot; desired: DesiredState } {
  return { snapshot: snapshotOf({ nodes: c.nodes, daemonSets: c.daemonSets, pods: c.pods }), desired: desiredOf(git) };
}
