import { describe, expect, it } from 'vitest';
import { audit, compareFindings } from '../../functions/core/audit.js';
import type { Finding } from '../../functions/core/types.js';
import { AT, daemonSet, type DaemonSetOptions, defaultPolicy, desiredOf, node, type NodeOptions, pod, revision, snapshotOf } from '../support/builders.js';
import { corePolicy, correctCluster, inputsOf } from '../support/cluster.js';

describe('audit()', () => {
  it('finds nothing in a correct cluster, with every rule of rules/ enabled', () => {
    const { snapshot, desired } = inputsOf(correctCluster());

    const report = audit(snapshot, desired, defaultPolicy(), AT, { auditorVersion: '0.1.0' });

    expect(report.findings).toEqual([]);
    expect(report.complete).toEqual(true);
    expect(report.summary).toEqual({ nodes: 6, daemonSets: 5, findings: 0, bySeverity: { critical: 0, warning: 0, info: 0 }, waived: 0 });
  });

  it('recomputes coverage and agrees with the live status of a correct cluster', () => {
    const { snapshot, desired } = inputsOf(correctCluster());

    const report = audit(snapshot, desired, defaultPolicy(), AT);

    expect(report.coverage.map((c) => [`${c.namespace}/${c.name}`, c.eligible, c.covered, c.upToDate, c.ready, c.misscheduled])).toEqual([
      ['kube-system/aws-node', 6, 6, 6, 6, 0],
      ['kube-system/kube-proxy', 6, 6, 6, 6, 0],
      ['kube-system/nvidia-device-plugin', 1, 1, 1, 1, 0],
      ['logging/fluent-bit', 4, 4, 4, 4, 0],
      ['monitoring/node-exporter', 6, 6, 6, 6, 0],
    ]);
    for (const c of report.coverage)
      expect(c.reported).toEqual({ desired: c.eligible, current: c.covered, ready: c.ready, upToDate: c.upToDate, misscheduled: 0 });
    expect(report.coverage[3]!.nodes).toEqual({ 'arm-a': 'running', 'worker-a': 'running', 'worker-b': 'running', 'worker-c': 'running' });
  });

  it('reports node facts sorted by name', () => {
    const { snapshot, desired } = inputsOf(correctCluster());

    const report = audit(snapshot, desired, defaultPolicy(), AT);

    expect(report.nodes.map((n) => n.name)).toEqual(['arm-a', 'cp-1', 'gpu-a', 'worker-a', 'worker-b', 'worker-c']);
    expect(report.nodes[2]).toEqual({
      name: 'gpu-a',
      zone: 'eu-west-1b',
      nodeGroup: 'gpu',
      arch: 'amd64',
      ready: true,
      unschedulable: false,
      taints: ['nvidia.com/gpu=present:NoSchedule'],
    });
    expect(report.nodes[5]!.unschedulable).toEqual(true);
  });

  it('fills the report header from its inputs', () => {
    const { snapshot, desired } = inputsOf(correctCluster());

    const report = audit(snapshot, desired, defaultPolicy(), AT, { auditorVersion: '0.1.0', policySource: { file: 'policy.yaml', sha256: 'ab' } });

    expect([report.schemaVersion, report.cluster, report.generatedAt, report.auditorVersion]).toEqual([1, 'test', '2026-06-01T12:00:00.000Z', '0.1.0']);
    expect(report.inputs).toEqual({ snapshot: snapshot.source, desired: desired.source, policy: { file: 'policy.yaml', sha256: 'ab' } });
  });

  it('marks the report incomplete and adds audit/incomplete when an input has gaps, even with the rule disabled', () => {
    const c = correctCluster();
    const snapshot = snapshotOf({ nodes: c.nodes, daemonSets: c.daemonSets, pods: c.pods, gaps: [{ source: 'kubernetes:list pods', message: 'forbidden' }] });
    const desired = desiredOf(c.daemonSets, { gaps: [{ source: 'file:x.yaml', message: 'EACCES' }] });
    const policy = defaultPolicy(corePolicy().rules.map((r) => (r.id === 'audit/incomplete' ? { ...r, enabled: false } : r)));

    const report = audit(snapshot, desired, policy, AT);

    expect(report.complete).toEqual(false);
    expect(report.gaps).toHaveLength(2);
    expect(report.findings.map((f) => [f.rule, f.severity, f.message])).toEqual([
      [
        'audit/incomplete',
        'critical',
        'the audit could not read everything (2 gaps): kubernetes:list pods: forbidden; file:x.yaml: EACCES; findings below are a lower bound',
      ],
    ]);
  });

  it('counts a pod only when the DaemonSet controls it and its labels still match the selector', () => {
    const ds = daemonSet('kube-system/agent');
    const nodes = [node('n1'), node('n2'), node('n3'), node('n4'), node('n5')];
    const pods = [
      pod(ds, 'n1'),
      pod(ds, 'n2', { labels: { app: 'released' } }), // released by the selector
      pod(ds, 'n3', { owner: null }), // orphan with matching labels
      pod(ds, 'n5', { owner: { kind: 'DaemonSet', name: 'agent', uid: 'other-uid' } }), // same name, another DaemonSet
    ];

    const report = audit(snapshotOf({ nodes, daemonSets: [ds], pods }), desiredOf([ds]), corePolicy(), AT);

    expect(report.coverage[0]!.nodes).toEqual({ n1: 'running', n2: 'missing', n3: 'missing', n4: 'missing', n5: 'missing' });
    expect(report.findings.map((f) => `${f.rule}@${f.node}`)).toEqual([
      'coverage/missing@n2',
      'coverage/missing@n3',
      'coverage/missing@n4',
      'coverage/missing@n5',
    ]);
  });

  // Mirrors kubernetes/kubernetes pkg/controller/daemon/daemon_controller_test.go:TestGetNodesToDaemonPods
  // ("exclude deleted terminal pods") and updateDaemonSetStatus: only a pod that is both terminal (Succeeded/Failed)
  // and being deleted drops out; a terminating Running pod and an undeleted terminal pod still count as scheduled.
  it.each([
    ['a terminating Running pod', { deletionTimestamp: '2026-06-01T11:59:00Z' }, 'running', 1, 1, []],
    ['an undeleted Succeeded pod', { phase: 'Succeeded', ready: false }, 'unready', 1, 0, []],
    ['an undeleted Failed pod', { phase: 'Failed', ready: false }, 'unready', 1, 0, []],
    [
      'a Succeeded pod being deleted',
      { phase: 'Succeeded', ready: false, deletionTimestamp: '2026-06-01T11:59:00Z' },
      'missing',
      0,
      0,
      ['coverage/missing@n1'],
    ],
    ['a Failed pod being deleted', { phase: 'Failed', ready: false, deletionTimestamp: '2026-06-01T11:59:00Z' }, 'missing', 0, 0, ['coverage/missing@n1']],
  ] as const)("counts %s as the controller's status does", (_name, options, state, covered, ready, findings) => {
    const ds = daemonSet('kube-system/agent');

    const report = audit(
      snapshotOf({ nodes: [node('n1')], daemonSets: [ds], pods: [pod(ds, 'n1', { ...options, readySince: AT.toISOString() })] }),
      desiredOf([ds]),
      corePolicy(),
      AT,
    );

    expect([report.coverage[0]!.nodes, report.coverage[0]!.covered, report.coverage[0]!.ready]).toEqual([{ n1: state }, covered, ready]);
    expect(report.findings.filter((f) => f.rule.startsWith('coverage/')).map((f) => `${f.rule}@${f.node}`)).toEqual(findings);
  });

  // podsShouldBeOnNode deletes only pods with no deletionTimestamp, and keeps only non-terminal ones: a pod already being
  // deleted is counted in status but is neither a pod to delete, nor a kept pod, nor an outdated one left behind.
  it.each<[string, DaemonSetOptions, NodeOptions, string]>([
    ['on a node the spec excludes', { nodeSelector: { pool: 'infra' } }, {}, 'coverage/misscheduled'],
    ['on a node with an untolerated NoSchedule taint', {}, { taints: ['dedicated=db:NoSchedule'] }, 'coverage/kept'],
    ['with an old image', {}, {}, 'image/outdated-pod'],
  ])('does not report a pod being deleted %s', (_name, gitOptions, nodeOptions, rule) => {
    const live = daemonSet('kube-system/agent');
    const git = daemonSet('kube-system/agent', gitOptions);
    const report = (deletionTimestamp?: string) =>
      audit(
        snapshotOf({
          nodes: [node('n1', nodeOptions)],
          daemonSets: [live],
          pods: [pod(live, 'n1', { images: { agent: 'agent:0.9' }, ...(deletionTimestamp ? { deletionTimestamp } : {}) })],
        }),
        desiredOf([git]),
        defaultPolicy(),
        AT,
      ).findings.filter((f) => f.rule === rule).length;

    expect([report(), report('2026-06-01T11:59:00Z')]).toEqual([1, 0]);
  });

  it('says a pod stuck terminating is why the node has no Ready pod', () => {
    const ds = daemonSet('kube-system/agent');
    const pods = [pod(ds, 'n1', { name: 'agent-a', ready: false, deletionTimestamp: '2026-06-01T10:00:00Z', readySince: '2026-06-01T10:00:00Z' })];

    const report = audit(snapshotOf({ nodes: [node('n1')], daemonSets: [ds], pods }), desiredOf([ds]), corePolicy(), AT);

    expect(report.findings.filter((f) => f.rule === 'coverage/unready').map((f) => f.actual)).toEqual([
      'pod is terminating (deletion requested at 2026-06-01T10:00:00Z) and no replacement is created until it is gone',
    ]);
  });

  it('counts the first pod in podByCreationTimestampAndPhase order when a terminating pod precedes its replacement', () => {
    const ds = daemonSet('kube-system/agent');
    const pods = [
      pod(ds, 'n1', { name: 'agent-old', revisionHash: 'old', deletionTimestamp: '2026-06-01T11:59:00Z', ready: false, readySince: AT.toISOString() }),
      pod(ds, 'n1', { name: 'agent-new', creationTimestamp: '2026-06-01T11:59:30Z' }),
    ];

    const report = audit(
      snapshotOf({ nodes: [node('n1')], daemonSets: [ds], pods, controllerRevisions: [revision(ds, 1, 'old'), revision(ds, 2)] }),
      desiredOf([ds]),
      corePolicy(),
      AT,
    );

    expect([report.coverage[0]!.covered, report.coverage[0]!.ready, report.coverage[0]!.upToDate]).toEqual([1, 0, 0]);
    expect(report.findings.filter((f) => f.rule.startsWith('coverage/')).map((f) => `${f.rule}@${f.node}`)).toEqual([]);
  });

  it('maps a pod not yet bound to its node through the matchFields affinity the controller sets', () => {
    const ds = daemonSet('kube-system/agent');

    const report = audit(
      snapshotOf({ nodes: [node('n1')], daemonSets: [ds], pods: [pod(ds, 'n1', { unbound: true, readySince: AT.toISOString() })] }),
      desiredOf([ds]),
      corePolicy(),
      AT,
    );

    expect(report.coverage[0]!.covered).toEqual(1);
    expect(report.findings).toEqual([]);
  });

  it('computes eligibility from the Git spec, not the live one', () => {
    const git = daemonSet('kube-system/agent', { nodeSelector: { pool: 'infra' } });
    const live = daemonSet('kube-system/agent');
    const nodes = [node('infra-1', { labels: { pool: 'infra' } }), node('web-1', { labels: { pool: 'web' } })];

    const report = audit(snapshotOf({ nodes, daemonSets: [live], pods: [pod(live, 'infra-1'), pod(live, 'web-1')] }), desiredOf([git]), corePolicy(), AT);

    expect(report.coverage[0]).toMatchObject({ eligible: 1, covered: 1, misscheduled: 1, nodes: { 'infra-1': 'running', 'web-1': 'misscheduled' } });
    expect(report.findings.map((f) => f.message)).toEqual([
      'pod agent-web-1 runs on node web-1, where the DaemonSet may not run: nodeSelector wants pool=infra, the node has pool=web; the live DaemonSet still allows this node, the spec in Git does not',
    ]);
  });

  it('uses the highest ControllerRevision as the current revision for up-to-date counts', () => {
    const ds = daemonSet('kube-system/agent');
    const pods = [pod(ds, 'n1', { revisionHash: 'new' }), pod(ds, 'n2', { revisionHash: 'old' })];
    const revisions = [revision(ds, 3, 'new'), revision(ds, 2, 'old')];

    const report = audit(
      snapshotOf({ nodes: [node('n1'), node('n2')], daemonSets: [ds], pods, controllerRevisions: revisions }),
      desiredOf([ds]),
      defaultPolicy(),
      AT,
    );

    expect(report.coverage[0]!.upToDate).toEqual(1);
  });

  it('audits only the namespaces the policy names', () => {
    const { snapshot, desired } = inputsOf(correctCluster());
    const policy = { ...defaultPolicy(), namespaces: ['logging'] };

    const report = audit(snapshot, desired, policy, AT);

    expect(report.coverage.map((c) => c.name)).toEqual(['fluent-bit']);
  });

  it('runs no check of a disabled rule', () => {
    const ds = daemonSet('kube-system/agent');
    const policy = defaultPolicy(corePolicy().rules.map((r) => (r.id === 'coverage/missing' ? { ...r, enabled: false } : r)));

    const report = audit(snapshotOf({ nodes: [node('n1')], daemonSets: [ds] }), desiredOf([ds]), policy, AT);

    expect(report.findings).toEqual([]);
  });

  it('orders findings deterministically whatever the input order', () => {
    const c = correctCluster();
    c.pods = c.pods.filter((p) => !['worker-a', 'cp-1'].includes(p.spec.nodeName ?? ''));
    const { snapshot, desired } = inputsOf(c);
    const reversed = { ...snapshot, nodes: [...snapshot.nodes].reverse(), pods: [...snapshot.pods].reverse(), daemonSets: [...snapshot.daemonSets].reverse() };

    const a = audit(snapshot, desired, defaultPolicy(), AT);
    const b = audit(reversed, desired, defaultPolicy(), AT);

    expect(b.findings).toEqual(a.findings);
    expect(a.findings.map((f) => `${f.severity} ${f.namespace}/${f.daemonSet} ${f.node}`).slice(0, 3)).toEqual([
      'critical kube-system/aws-node cp-1',
      'critical kube-system/aws-node worker-a',
      'critical kube-system/kube-proxy cp-1',
    ]);
  });
});

describe('compareFindings()', () => {
  const f = (o: Partial<Finding>): Finding => ({ rule: 'r', severity: 'warning', namespace: 'ns', daemonSet: 'ds', node: null, message: 'm', ...o });

  it.each([
    ['severity first', f({ severity: 'critical', namespace: 'z' }), f({ severity: 'info', namespace: 'a' })],
    ['then namespace', f({ namespace: 'a', daemonSet: 'z' }), f({ namespace: 'b', daemonSet: 'a' })],
    ['then DaemonSet', f({ daemonSet: 'a', rule: 'z' }), f({ daemonSet: 'b', rule: 'a' })],
    ['then rule', f({ rule: 'a', node: 'z' }), f({ rule: 'b', node: 'a' })],
    ['then node, DaemonSet-level first', f({ node: null }), f({ node: 'n1' })],
    ['then container', f({ container: 'a' }), f({ container: 'b' })],
  ])('orders by %s', (_n, first, second) => {
    expect(compareFindings(first, second)).toBeLessThan(0);
    expect(compareFindings(second, first)).toBeGreaterThan(0);
  });
});
