import { describe, expect, it } from 'vitest';
import { coverageMissing } from '../../../../functions/core/checks/coverage/missing.js';
import { daemonSet, desiredOf, node, pod, snapshotOf } from '../../../support/builders.js';
import { correctCluster, inputsOf } from '../../../support/cluster.js';
import { runCheck } from '../support.js';

describe('coverageMissing', () => {
  it('reports each eligible node without a pod, with the rule severity', () => {
    const ds = daemonSet('kube-system/agent');
    const nodes = [node('n1'), node('n2'), node('n3', { taints: ['dedicated=db:NoSchedule'] })];

    const findings = runCheck(coverageMissing, snapshotOf({ nodes, daemonSets: [ds], pods: [pod(ds, 'n1')] }), desiredOf([ds]));

    expect(findings).toEqual([{
      rule: 'coverage/missing', severity: 'critical', namespace: 'kube-system', daemonSet: 'agent', node: 'n2',
      message: 'no agent pod on node n2, which the DaemonSet should run on', expected: 'a daemon pod', actual: 'no pod',
    }]);
  });

  it('expects pods on cordoned nodes and says so', () => {
    const ds = daemonSet('kube-system/agent');
    const nodes = [node('n1', { unschedulable: true, taints: ['node.kubernetes.io/unschedulable:NoSchedule'] })];

    const findings = runCheck(coverageMissing, snapshotOf({ nodes, daemonSets: [ds] }), desiredOf([ds]));

    expect(findings.map((f) => f.message)).toEqual(['no agent pod on node n1, which the DaemonSet should run on (the node is cordoned, but DaemonSet pods run on cordoned nodes)']);
  });

  it('expects no new pod on a NotReady node with the lifecycle NoSchedule taint (semantics §7.2)', () => {
    const ds = daemonSet('kube-system/agent');
    const nodes = [node('n1', { ready: false, taints: ['node.kubernetes.io/not-ready:NoSchedule', 'node.kubernetes.io/not-ready:NoExecute'] })];

    expect(runCheck(coverageMissing, snapshotOf({ nodes, daemonSets: [ds] }), desiredOf([ds]))).toEqual([]);
  });

  it('names the live spec as the cause when only Git includes the node', () => {
    const git = daemonSet('kube-system/agent', { tolerations: [{ key: 'dedicated', operator: 'Exists' }] });
    const live = daemonSet('kube-system/agent');
    const nodes = [node('n1', { taints: ['dedicated=db:NoSchedule'] })];

    const findings = runCheck(coverageMissing, snapshotOf({ nodes, daemonSets: [live] }), desiredOf([git]));

    expect(findings.map((f) => f.message)).toEqual(["no agent pod on node n1, which the DaemonSet should run on; the live DaemonSet's spec excludes it (the node has taint dedicated=db:NoSchedule, which the DaemonSet does not tolerate), Git's does not"]);
  });

  it('leaves a DaemonSet absent from the cluster to resource/missing', () => {
    const ds = daemonSet('kube-system/agent');

    expect(runCheck(coverageMissing, snapshotOf({ nodes: [node('n1')] }), desiredOf([ds]))).toEqual([]);
  });

  it('finds nothing in a correct cluster', () => {
    const { snapshot, desired } = inputsOf(correctCluster());

    expect(runCheck(coverageMissing, snapshot, desired)).toEqual([]);
  });
});
