// audit() over real data: upstream DaemonSet manifests (test/fixtures/core/gitops) as Git, real Node
// objects from three clusters (test/fixtures/core/dump) as the cluster, and the pods a healthy
// controller would have created.
import { describe, expect, it } from 'vitest';
import { readDump } from '../../functions/adapters/dump-reader.js';
import { readManifestFolder } from '../../functions/adapters/manifest-folder.js';
import { audit } from '../../functions/core/audit.js';
import type { K8sDaemonSet, K8sPod } from '../../functions/core/k8s-types.js';
import { compileEligibility } from '../../functions/core/scheduling/index.js';
import { AT, desiredOf, node, pod, revision } from '../support/builders.js';
import { corePolicy } from '../support/cluster.js';

const fixture = (p: string): string => new URL(`../fixtures/core/${p}`, import.meta.url).pathname;

async function realInputs() {
  const desired = await readManifestFolder(fixture('gitops'));
  const dump = await readDump([fixture('dump/sbctl/nodes.json'), fixture('dump/honeycomb/nodes.json'), fixture('dump/openshift/nodes.json')], { cluster: 'fixtures' });
  const live: K8sDaemonSet[] = desired.daemonSets.map((d) => ({ ...structuredClone(d.manifest), metadata: { ...d.manifest.metadata, uid: `uid-${d.manifest.metadata.name}` } }));
  const pods: K8sPod[] = [];
  for (const ds of live) {
    const eligible = compileEligibility(ds);
    for (const n of dump.nodes) if (eligible(n).shouldRun) pods.push(pod(ds, n.metadata.name));
  }
  return { desired, snapshot: { ...dump, daemonSets: live, pods, controllerRevisions: live.map((ds) => revision(ds, 1)) } };
}

describe('audit() on upstream fixtures', () => {
  it('finds nothing when every eligible node runs its pod, and computes eligibility from the real specs', async () => {
    const { desired, snapshot } = await realInputs();

    const report = audit(snapshot, desired, corePolicy(), AT);

    expect(report.findings).toEqual([]);
    expect(report.summary.nodes).toEqual(11);
    expect(Object.fromEntries(report.coverage.map((c) => [`${c.namespace}/${c.name}`, c.eligible]))).toEqual({
      // gpu-feature-discovery needs NFD/NVIDIA labels that no fixture node carries.
      'default/gpu-feature-discovery': 0,
      // Tolerates NoSchedule for every key; nodeAffinity kubernetes.io/os=linux (all 11 nodes are linux).
      'kube-flannel/kube-flannel-ds': 11,
      // linux, amd64|arm64, not fargate; operator Exists tolerates everything.
      'kube-system/aws-node': 11,
      // Tolerates only nvidia.com/gpu: excluded by the 3 OpenShift masters and the 2 honeycomb nodes (type=hound:NoSchedule).
      'kube-system/nvidia-device-plugin-daemonset': 6,
      'monitoring/node-exporter': 11,
    });
  });

  it('reports the node that lost its pod', async () => {
    const { desired, snapshot } = await realInputs();
    snapshot.pods = snapshot.pods.filter((p) => !(p.metadata.name.startsWith('node-exporter') && p.spec.nodeName === 'troubleshoot-demo-002'));

    const report = audit(snapshot, desired, corePolicy(), AT);

    expect(report.findings.map((f) => [f.rule, f.namespace, f.daemonSet, f.node])).toEqual([['coverage/missing', 'monitoring', 'node-exporter', 'troubleshoot-demo-002']]);
  });

  it('owns a real live pod by its DaemonSet uid and agrees with the DaemonSet\'s own status', async () => {
    const dump = await readDump([fixture('dump/kubeiql'), fixture('dump/node.yaml')]);
    const nodeName = dump.pods[0]!.spec.nodeName!;
    const snapshot = { ...dump, nodes: [node(nodeName)] };

    const report = audit(snapshot, desiredOf(dump.daemonSets), corePolicy(), AT);

    expect(report.coverage).toEqual([{
      namespace: 'kube-system', name: 'calico-node', inGit: true, inCluster: true, eligible: 1, covered: 1, upToDate: 1, ready: 1, misscheduled: 0,
      reported: { desired: 1, current: 1, ready: 1, upToDate: 1, misscheduled: 0 }, nodes: { '10.76.193.41': 'running' },
    }]);
    expect(report.findings).toEqual([]);
  });
});
