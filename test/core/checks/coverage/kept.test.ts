import { describe, expect, it } from 'vitest';
import { coverageKept } from '../../../../functions/core/checks/coverage/kept.js';
import { daemonSet, desiredOf, node, pod, snapshotOf } from '../../../support/builders.js';
import { runCheck } from '../support.js';

describe('coverageKept', () => {
  it('reports, as info, a pod the controller keeps on a NotReady node and names the taint', () => {
    const ds = daemonSet('kube-system/agent');
    const n = node('n1', { ready: false, taints: ['node.kubernetes.io/not-ready:NoSchedule', 'node.kubernetes.io/not-ready:NoExecute'] });

    const findings = runCheck(coverageKept, snapshotOf({ nodes: [n], daemonSets: [ds], pods: [pod(ds, 'n1')] }), desiredOf([ds]));

    expect(findings).toEqual([{
      rule: 'coverage/kept', severity: 'info', namespace: 'kube-system', daemonSet: 'agent', node: 'n1',
      message: 'pod agent-n1 on node n1 is kept by the controller, but no new pod would be created there: taint node.kubernetes.io/not-ready:NoSchedule is not tolerated (set by the node lifecycle controller while the node is not ready)',
      expected: 'pod kept, not recreated', actual: 'agent-n1',
    }]);
  });

  it.each([
    ['an eligible node', node('n1')],
    ['a node the pod may not stay on', node('n1', { taints: ['x=y:NoExecute'] })],
  ])('stays silent on %s', (_n, n) => {
    const ds = daemonSet('kube-system/agent');

    expect(runCheck(coverageKept, snapshotOf({ nodes: [n], daemonSets: [ds], pods: [pod(ds, 'n1')] }), desiredOf([ds]))).toEqual([]);
  });
});
