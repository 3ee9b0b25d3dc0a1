// A realistic small cluster and its GitOps desired state, correct by construction: every eligible node
// runs a Ready pod of the current revision and the live DaemonSets equal Git. Tests plant one drift
// at a time into a fresh copy.
import type { K8sDaemonSet, K8sNode, K8sPod } from '../../functions/core/k8s-types.js';
import type { DesiredState, Snapshot } from '../../functions/core/types.js';
import { compileEligibility } from '../../functions/core/scheduling/index.js';
import { daemonSet, desiredOf, node, pod, snapshotOf } from './builders.js';

export interface Cluster {
  nodes: K8sNode[];
  daemonSets: K8sDaemonSet[];
  pods: K8sPod[];
}

/** Returns a fresh correct cluster: control plane, workers in three zones, arm64, GPU nodes, a cordoned node. */
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
      containers: [{ name: 'node-exporter', image: 'quay.io/prometheus/node-exporter:v1.9.1' }, { name: 'kube-rbac-proxy', image: 'quay.io/brancz/kube-rbac-proxy:v0.19.1' }],
      nodeSelector: { 'kubernetes.io/os': 'linux' },
      tolerations: [{ operator: 'Exists' }],
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '10%' } },
    }),
    // Log shipper: workers only (no control-plane toleration), digest-free tag.
    daemonSet('logging/fluent-bit', { image: 'cr.fluentbit.io/fluent/fluent-bit:4.0.3' }),
    // CNI: hostNetwork, catch-all toleration, amd64 and arm64.
    daemonSet('kube-system/aws-node', {
      image: '602401143452.dkr.ecr.eu-west-1.amazonaws.com/amazon-k8s-cni:v1.19.6',
      initContainers: [{ name: 'aws-vpc-cni-init', image: '602401143452.dkr.ecr.eu-west-1.amazonaws.com/amazon-k8s-cni-init:v1.19.6' }],
      hostNetwork: true,
      tolerations: [{ operator: 'Exists' }],
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/arch', operator: 'In', values: ['amd64', 'arm64'] }] }] } } },
    }),
    // GPU device plugin: GPU nodes only, tolerates the GPU taint; Docker Hub short name.
    daemonSet('kube-system/nvidia-device-plugin', {
      image: 'nvcr.io/nvidia/k8s-device-plugin:v0.17.2',
      nodeSelector: { 'nvidia.com/gpu.present': 'true' },
      tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
      updateStrategy: { type: 'OnDelete' },
    }),
    // kube-proxy: Docker Hub style short reference in Git, normalised in the cluster.
    daemonSet('kube-system/kube-proxy', { image: 'registry.k8s.io/kube-proxy:v1.33.2', tolerations: [{ operator: 'Exists' }] }),
  ];
  const pods: K8sPod[] = [];
  for (const ds of daemonSets) {
    const eligible = compileEligibility(ds);
    for (const n of nodes) if (eligible(n).shouldRun) pods.push(pod(ds, n.metadata.name));
  }
  for (const ds of daemonSets) {
    const desired = pods.filter((p) => p.metadata.ownerReferences?.[0]?.uid === ds.metadata.uid).length;
    ds.status = { desiredNumberScheduled: desired, currentNumberScheduled: desired, numberReady: desired, updatedNumberScheduled: desired, numberAvailable: desired, numberMisscheduled: 0, observedGeneration: 1 };
  }
  // Static and other-owner pods the audit must ignore.
  pods.push({ ...pod(daemonSets[4]!, 'cp-1', { name: 'kube-apiserver-cp-1', owner: { kind: 'Node', name: 'cp-1', uid: 'uid-node-cp-1' } }) });
  pods.push({ ...pod(daemonSets[1]!, 'worker-a', { name: 'web-7d9f-abcde', owner: { kind: 'ReplicaSet', name: 'web-7d9f', uid: 'uid-rs-web' }, labels: { app: 'web' } }) });
  return { nodes, daemonSets, pods };
}

/** Returns the snapshot and desired state of a cluster (Git = the live DaemonSets without server fields). */
export function inputsOf(c: Cluster, git: K8sDaemonSet[] = c.daemonSets): { snapshot: Snapshot; desired: DesiredState } {
  return { snapshot: snapshotOf({ nodes: c.nodes, daemonSets: c.daemonSets, pods: c.pods }), desired: desiredOf(git) };
}
