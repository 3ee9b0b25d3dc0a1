import { describe, expect, it } from 'vitest';
import { coverageDuplicate } from '../../../../functions/core/checks/coverage/duplicate.js';
import { daemonSet, desiredOf, node, pod, revision, snapshotOf } from '../../../support/builders.js';
import { runCheck } from '../support.js';

const surge = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } };

describe('coverageDuplicate', () => {
  it('reports two pods on one node without surge', () => {
    const ds = daemonSet('kube-system/agent');
    const pods = [pod(ds, 'n1', { name: 'agent-a' }), pod(ds, 'n1', { name: 'agent-b', creationTimestamp: '2026-05-02T00:00:00Z' })];

    const findings = runCheck(coverageDuplicate, snapshotOf({ nodes: [node('n1')], daemonSets: [ds], pods }), desiredOf([ds]));

    expect(findings).toEqual([{
      rule: 'coverage/duplicate', severity: 'warning', namespace: 'kube-system', daemonSet: 'agent', node: 'n1',
      message: '2 live pods of agent on node n1: agent-a (revision 6d4b8c9f7), agent-b (revision 6d4b8c9f7)', expected: 1, actual: 2,
    }]);
  });

  it('accepts one old and one new pod during a surge rollout', () => {
    const ds = daemonSet('kube-system/agent', { updateStrategy: surge });
    const pods = [pod(ds, 'n1', { name: 'agent-old', revisionHash: 'old' }), pod(ds, 'n1', { name: 'agent-new', revisionHash: 'new' })];
    const revisions = [revision(ds, 1, 'old'), revision(ds, 2, 'new')];

    expect(runCheck(coverageDuplicate, snapshotOf({ nodes: [node('n1')], daemonSets: [ds], pods, controllerRevisions: revisions }), desiredOf([ds]))).toEqual([]);
  });

  it.each([
    ['two new pods', ['new', 'new']],
    ['three pods', ['old', 'new', 'new']],
  ])('reports %s even with surge', (_n, hashes) => {
    const ds = daemonSet('kube-system/agent', { updateStrategy: surge });
    const pods = hashes.map((h, i) => pod(ds, 'n1', { name: `agent-${i}`, revisionHash: h }));
    const revisions = [revision(ds, 1, 'old'), revision(ds, 2, 'new')];

    const findings = runCheck(coverageDuplicate, snapshotOf({ nodes: [node('n1')], daemonSets: [ds], pods, controllerRevisions: revisions }), desiredOf([ds]));

    expect(findings.map((f) => f.actual)).toEqual([hashes.length]);
  });

  // kubernetes/kubernetes pkg/controller/daemon/daemon_controller.go:podsShouldBeOnNode: only non-deleted, non-terminal
  // pods (daemonPodsRunning) compete for the node; Failed and Succeeded pods are deleted on their own.
  it.each([['Failed'], ['Succeeded']])('ignores an undeleted %s pod beside the running one', (phase) => {
    const ds = daemonSet('kube-system/agent');
    const pods = [pod(ds, 'n1', { name: 'agent-a', phase, ready: false }), pod(ds, 'n1', { name: 'agent-b', creationTimestamp: '2026-05-02T00:00:00Z' })];

    expect(runCheck(coverageDuplicate, snapshotOf({ nodes: [node('n1')], daemonSets: [ds], pods }), desiredOf([ds]))).toEqual([]);
  });

  // pkg/controller/daemon/util/daemonset_util.go:AllowsSurge asks SurgeCount(ds, 1): any non-zero maxSurge allows the
  // old+new pair, whatever the number of nodes the Git spec selects.
  it('accepts one old and one new pod with a percentage maxSurge when Git selects no node', () => {
    const live = daemonSet('kube-system/agent', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '10%', maxUnavailable: 0 } } });
    const git = daemonSet('kube-system/agent', { nodeSelector: { pool: 'none' }, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '10%', maxUnavailable: 0 } } });
    const pods = [pod(live, 'n1', { name: 'agent-old', revisionHash: 'old' }), pod(live, 'n1', { name: 'agent-new', revisionHash: 'new' })];
    const revisions = [revision(live, 1, 'old'), revision(live, 2, 'new')];

    expect(runCheck(coverageDuplicate, snapshotOf({ nodes: [node('n1')], daemonSets: [live], pods, controllerRevisions: revisions }), desiredOf([git]))).toEqual([]);
  });

  it('ignores a terminating second pod', () => {
    const ds = daemonSet('kube-system/agent');
    const pods = [pod(ds, 'n1', { name: 'agent-a' }), pod(ds, 'n1', { name: 'agent-b', deletionTimestamp: '2026-06-01T11:59:00Z' })];

    expect(runCheck(coverageDuplicate, snapshotOf({ nodes: [node('n1')], daemonSets: [ds], pods }), desiredOf([ds]))).toEqual([]);
  });
});
