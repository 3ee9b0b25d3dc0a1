import { describe, expect, it } from 'vitest';
import { coverageUnready } from '../../../../functions/core/checks/coverage/unready.js';
import { AT, daemonSet, defaultPolicy, desiredOf, node, pod, snapshotOf, type PodOptions } from '../../../support/builders.js';
import { runCheck } from '../support.js';

const ds = daemonSet('kube-system/agent');
const LONG_AGO = '2026-06-01T11:00:00Z';

describe('coverageUnready', () => {
  it.each<[string, PodOptions, string, string | undefined, string]>([
    ['CrashLoopBackOff', { waiting: 'CrashLoopBackOff', readySince: LONG_AGO, creationTimestamp: LONG_AGO }, 'container agent is waiting: CrashLoopBackOff, 7 restarts (CrashLoopBackOff for agent)', 'agent', 'CrashLoopBackOff'],
    ['ImagePullBackOff', { waiting: 'ImagePullBackOff', readySince: LONG_AGO }, 'container agent is waiting: ImagePullBackOff (ImagePullBackOff for agent)', 'agent', 'ImagePullBackOff'],
    ['ErrImagePull', { waiting: 'ErrImagePull', readySince: LONG_AGO }, 'container agent is waiting: ErrImagePull (ErrImagePull for agent)', 'agent', 'ErrImagePull'],
    ['an unschedulable Pending pod', { unschedulable: '0/1 nodes are available: 1 Insufficient cpu.', readySince: LONG_AGO }, 'pod is Pending: kube-scheduler cannot place it (Unschedulable: 0/1 nodes are available: 1 Insufficient cpu.)', undefined, 'Unschedulable'],
    ['a failing readiness probe', { ready: false, readySince: LONG_AGO }, 'container agent is running but not ready (readiness probe failing)', 'agent', 'ReadinessProbeFailing'],
  ])('reports %s with its reason', (_n, opts, reason, container, code) => {
    const findings = runCheck(coverageUnready, snapshotOf({ nodes: [node('n1')], daemonSets: [ds], pods: [pod(ds, 'n1', opts)] }), desiredOf([ds]));

    expect(findings).toEqual([{
      rule: 'coverage/unready', severity: 'warning', namespace: 'kube-system', daemonSet: 'agent', node: 'n1',
      message: `pod agent-n1 on node n1 has not been Ready since ${LONG_AGO} (60m before the audit): ${reason}`, expected: 'Ready', actual: reason, reason: code, ...(container ? { container } : {}),
    }]);
  });

  it('blames a NotReady node first', () => {
    const n = node('n1', { ready: false, taints: ['node.kubernetes.io/unreachable:NoExecute'] });

    const [f] = runCheck(coverageUnready, snapshotOf({ nodes: [n], daemonSets: [ds], pods: [pod(ds, 'n1', { ready: false, readySince: LONG_AGO })] }), desiredOf([ds]));

    expect(f!.actual).toEqual('node n1 is NotReady (NodeStatusUnknown)');
  });

  it('waits for the grace period from the Ready condition transition', () => {
    const recent = new Date(AT.getTime() - 299_000).toISOString();

    const findings = runCheck(coverageUnready, snapshotOf({ nodes: [node('n1')], daemonSets: [ds], pods: [pod(ds, 'n1', { ready: false, readySince: recent })] }), desiredOf([ds]));

    expect(findings).toEqual([]);
  });

  it('reports a crash loop inside the grace period, dated only by what the pod shows', () => {
    const recent = new Date(AT.getTime() - 20_000).toISOString();
    const started = new Date(AT.getTime() - 3 * 3600_000).toISOString();
    const p = pod(ds, 'n1', { waiting: 'CrashLoopBackOff', readySince: recent, creationTimestamp: started });
    p.status!.containerStatuses![0]!.lastState = { terminated: { exitCode: 1, reason: 'Error', startedAt: '2026-06-01T11:59:20Z', finishedAt: '2026-06-01T11:59:21Z' } };

    const findings = runCheck(coverageUnready, snapshotOf({ nodes: [node('n1')], daemonSets: [ds], pods: [p] }), desiredOf([ds]));

    expect(findings.map((f) => f.message)).toEqual([
      `pod agent-n1 on node n1 has not been Ready since ${recent} (20s before the audit): container agent is waiting: CrashLoopBackOff, 7 restarts, last exit code 1 (Error) at 2026-06-01T11:59:21Z`,
    ]);
  });

  it('waits for the grace period for a container waiting without restarts', () => {
    const recent = new Date(AT.getTime() - 20_000).toISOString();

    const findings = runCheck(coverageUnready, snapshotOf({ nodes: [node('n1')], daemonSets: [ds], pods: [pod(ds, 'n1', { waiting: 'ContainerCreating', readySince: recent })] }), desiredOf([ds]));

    expect(findings).toEqual([]);
  });

  it('names the pod start, not a Ready transition, when the Ready condition has no time', () => {
    const p = pod(ds, 'n1', { ready: false, creationTimestamp: LONG_AGO });
    p.status!.conditions = p.status!.conditions!.filter((c) => c.type !== 'Ready');

    const findings = runCheck(coverageUnready, snapshotOf({ nodes: [node('n1')], daemonSets: [ds], pods: [p] }), desiredOf([ds]));

    expect(findings.map((f) => f.message)).toEqual([
      `pod agent-n1 on node n1 is not Ready (started at ${LONG_AGO}, 60m before the audit; no Ready condition time): container agent is running but not ready (readiness probe failing)`,
    ]);
  });

  it('uses the policy threshold', () => {
    const recent = new Date(AT.getTime() - 61_000).toISOString();
    const policy = { ...defaultPolicy(), thresholds: { unreadyGraceSeconds: 60, rolloutStuckSeconds: 1800 } };

    const findings = runCheck(coverageUnready, snapshotOf({ nodes: [node('n1')], daemonSets: [ds], pods: [pod(ds, 'n1', { ready: false, readySince: recent })] }), desiredOf([ds]), policy);

    expect(findings.map((f) => f.message)).toEqual([`pod agent-n1 on node n1 has not been Ready since ${recent} (61s before the audit): container agent is running but not ready (readiness probe failing)`]);
  });

  it('judges only the pod the controller counts on the node', () => {
    const pods = [pod(ds, 'n1', { name: 'agent-old' }), pod(ds, 'n1', { name: 'agent-new', creationTimestamp: '2026-05-20T00:00:00Z', waiting: 'CrashLoopBackOff', readySince: LONG_AGO })];

    expect(runCheck(coverageUnready, snapshotOf({ nodes: [node('n1')], daemonSets: [ds], pods }), desiredOf([ds]))).toEqual([]);
  });
});
