import { describe, expect, it } from 'vitest';
import { coverageMisscheduled } from '../../../../functions/core/checks/coverage/misscheduled.js';
import { daemonSet, desiredOf, node, pod, snapshotOf } from '../../../support/builders.js';
import { runCheck } from '../support.js';

describe('coverageMisscheduled', () => {
  it.each([
    ['a nodeSelector mismatch', { nodeSelector: { pool: 'infra' } }, node('n1', { labels: { pool: 'web' } }), 'nodeSelector wants pool=infra, the node has pool=web'],
    ['a missing nodeSelector label', { nodeSelector: { pool: 'infra' } }, node('n1'), 'nodeSelector wants pool=infra, the node has no pool label'],
    ['an untolerated NoExecute taint', {}, node('n1', { taints: ['maintenance=true:NoExecute'] }), 'the node has taint maintenance=true:NoExecute, which the DaemonSet does not tolerate'],
    ['a template nodeName', { nodeName: 'n9' }, node('n1'), "the template's spec.nodeName is n9"],
  ])('reports a pod kept against %s', (_n, opts, n, reason) => {
    const ds = daemonSet('kube-system/agent', opts);

    const findings = runCheck(coverageMisscheduled, snapshotOf({ nodes: [n], daemonSets: [ds], pods: [pod(ds, 'n1')] }), desiredOf([ds]));

    expect(findings).toEqual([{
      rule: 'coverage/misscheduled', severity: 'warning', namespace: 'kube-system', daemonSet: 'agent', node: 'n1',
      message: `pod agent-n1 runs on node n1, where the DaemonSet may not run: ${reason}`, expected: 'no pod', actual: 'agent-n1',
    }]);
  });

  it('reports the affinity term that fails', () => {
    const ds = daemonSet('kube-system/agent', { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/arch', operator: 'In', values: ['arm64'] }] }] } } } });

    const [f] = runCheck(coverageMisscheduled, snapshotOf({ nodes: [node('n1')], daemonSets: [ds], pods: [pod(ds, 'n1')] }), desiredOf([ds]));

    expect(f!.message).toMatch(/^pod agent-n1 runs on node n1, where the DaemonSet may not run: required node affinity does not match: .*kubernetes\.io\/arch/);
  });

  it('does not report a pod kept behind a NoSchedule taint (that is coverage/kept)', () => {
    const ds = daemonSet('kube-system/agent');
    const n = node('n1', { taints: ['dedicated=db:NoSchedule'] });

    expect(runCheck(coverageMisscheduled, snapshotOf({ nodes: [n], daemonSets: [ds], pods: [pod(ds, 'n1')] }), desiredOf([ds]))).toEqual([]);
  });
});
