import { describe, expect, it } from 'vitest';
import { compareChange, snapshotTime } from '../../../functions/core/change/index.js';
import type { K8sDaemonSet } from '../../../functions/core/k8s-types.js';
import type { DesiredState, Policy } from '../../../functions/core/types.js';
import { AT, daemonSet, type DaemonSetOptions, defaultPolicy, desiredOf, node, snapshotOf } from '../../support/builders.js';

const GPU = { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' } as const;
const CP = { key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' } as const;

/** A snapshot taken a minute before AT: 2 plain workers, 2 GPU nodes in pool gpu-a, 1 control-plane node. */
function cluster() {
  const s = snapshotOf({
    nodes: [
      node('w1', { zone: 'z1', nodeGroup: 'general' }),
      node('w2', { zone: 'z2', nodeGroup: 'general' }),
      node('g1', { zone: 'z1', nodeGroup: 'gpu-a', labels: { 'nvidia.com/gpu.present': 'true' }, taints: ['nvidia.com/gpu=present:NoSchedule'] }),
      node('g2', { zone: 'z1', nodeGroup: 'gpu-a', labels: { 'nvidia.com/gpu.present': 'true' }, taints: ['nvidia.com/gpu=present:NoSchedule'] }),
      node('cp', { zone: 'z2', labels: { 'node-role.kubernetes.io/control-plane': '' }, taints: ['node-role.kubernetes.io/control-plane:NoSchedule'] }),
    ],
  });
  s.source.finishedAt = new Date(AT.getTime() - 60_000).toISOString();
  return s;
}

function side(...ds: K8sDaemonSet[]): DesiredState {
  return desiredOf(ds);
}

function ds(o: DaemonSetOptions = {}): K8sDaemonSet {
  return daemonSet('logging/fluent-bit', o);
}

function check(base: DesiredState, head: DesiredState, policy: Policy = defaultPolicy(), snapshot = cluster()) {
  return compareChange(snapshot, base, head, policy, AT);
}

function rulesAndNodes(r: ReturnType<typeof check>): [string, string | null][] {
  return r.findings.map((f) => [f.rule, f.node]);
}

describe('compareChange()', () => {
  it('names each node a narrowed toleration loses, with the taint as the reason', () => {
    const base = side(ds({ tolerations: [GPU, CP] }));
    const head = side(ds({ tolerations: [CP] }));

    const r = check(base, head);

    expect(rulesAndNodes(r)).toEqual([
      ['change/coverage-lost', 'g1'],
      ['change/coverage-lost', 'g2'],
    ]);
    expect(r.findings[0]!.message).toContain('the node has taint nvidia.com/gpu=present:NoSchedule, which the DaemonSet does not tolerate');
    expect(r.findings[0]!.actual).toEqual({ kind: 'taint', key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' });
    expect(r.daemonSets[0]).toMatchObject({ change: 'modified', nodesBefore: 5, nodesAfter: 3, lost: 2, gained: 0 });
  });

  it('groups lost nodes by pool, zone and taints, one line per group', () => {
    const r = check(side(ds({ tolerations: [GPU, CP] })), side(ds()));

    expect(r.daemonSets[0]!.lostBy).toEqual([
      {
        pool: 'gpu-a',
        zone: 'z1',
        taints: ['nvidia.com/gpu=present:NoSchedule'],
        reason: 'taint nvidia.com/gpu=present:NoSchedule not tolerated',
        nodes: 2,
        examples: ['g1', 'g2'],
      },
      {
        pool: null,
        zone: 'z2',
        taints: ['node-role.kubernetes.io/control-plane:NoSchedule'],
        reason: 'taint node-role.kubernetes.io/control-plane:NoSchedule not tolerated',
        nodes: 1,
        examples: ['cp'],
      },
    ]);
  });

  it('reports an added nodeSelector as the label no longer selected', () => {
    const head = side(ds({ tolerations: [GPU, CP], nodeSelector: { 'nvidia.com/gpu.present': 'true' } }));

    const r = check(side(ds({ tolerations: [GPU, CP] })), head);

    expect(rulesAndNodes(r)).toEqual([
      ['change/coverage-lost', 'cp'],
      ['change/coverage-lost', 'w1'],
      ['change/coverage-lost', 'w2'],
    ]);
    expect(r.daemonSets[0]!.lostBy.map((g) => g.reason)).toEqual([
      'nodeSelector nvidia.com/gpu.present=true not matched',
      'nodeSelector nvidia.com/gpu.present=true not matched',
      'nodeSelector nvidia.com/gpu.present=true not matched',
    ]);
    expect(r.findings[0]!.message).toContain('nodeSelector wants nvidia.com/gpu.present=true, the node has no nvidia.com/gpu.present label');
  });

  it('follows a required node affinity change both ways: lost and gained nodes', () => {
    const affinity = (values: string[]) => ({
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values }] }],
        },
      },
    });
    const base = side(ds({ tolerations: [GPU, CP], affinity: affinity(['z1']) }));
    const head = side(ds({ tolerations: [GPU, CP], affinity: affinity(['z2']) }));

    const r = check(base, head);

    expect(rulesAndNodes(r)).toEqual([
      ['change/coverage-lost', 'g1'],
      ['change/coverage-lost', 'g2'],
      ['change/coverage-lost', 'w1'],
      ['change/coverage-gained', 'cp'],
      ['change/coverage-gained', 'w2'],
    ]);
    expect(r.findings[0]!.message).toContain('required node affinity does not match');
    expect(r.summary).toMatchObject({ changed: 1, lost: 3, gained: 2 });
  });

  it('makes a lost node critical where the policy requires the DaemonSet', () => {
    const policy: Policy = {
      ...defaultPolicy(),
      requiredCoverage: [
        { name: 'logs on GPU nodes', nodeSelector: { matchLabels: { 'nvidia.com/gpu.present': 'true' } }, daemonSets: ['logging/fluent-bit'] },
      ],
    };

    const r = check(side(ds({ tolerations: [GPU, CP] })), side(ds({ tolerations: [GPU] })), policy);

    expect(r.findings.map((f) => [f.rule, f.severity, f.node])).toEqual([['change/coverage-lost', 'warning', 'cp']]);
    const r2 = check(side(ds({ tolerations: [GPU, CP] })), side(ds({ tolerations: [CP] })), policy);
    expect(r2.findings.map((f) => [f.rule, f.severity, f.node])).toEqual([
      ['change/required-coverage-lost', 'critical', 'g1'],
      ['change/required-coverage-lost', 'critical', 'g2'],
    ]);
    expect(r2.findings[0]!.message).toContain('the policy requires it there: logs on GPU nodes');
  });

  it('counts every node of a removed DaemonSet as lost, and of an added one as gained', () => {
    const other = daemonSet('monitoring/node-exporter', { tolerations: [{ operator: 'Exists' }] });

    const removed = check(side(ds(), other), side(other));
    const added = check(side(other), side(ds(), other));

    expect(removed.daemonSets.map((d) => [d.name, d.change, d.lost])).toEqual([
      ['fluent-bit', 'removed', 2],
      ['node-exporter', 'unchanged', 0],
    ]);
    expect(rulesAndNodes(removed)).toEqual([
      ['change/coverage-lost', 'w1'],
      ['change/coverage-lost', 'w2'],
    ]);
    expect(removed.findings[0]!.message).toContain('the DaemonSet is removed in the head');
    expect(added.daemonSets[0]).toMatchObject({ change: 'added', nodesBefore: 0, nodesAfter: 2, gained: 2 });
    expect(added.findings.map((f) => f.rule)).toEqual(['change/coverage-gained', 'change/coverage-gained']);
  });

  it('gives no change finding for an unchanged head, even on an old snapshot', () => {
    const snapshot = cluster();
    snapshot.source.finishedAt = '2026-01-01T00:00:00Z';

    const r = check(side(ds({ tolerations: [GPU] })), side(ds({ tolerations: [GPU] })), defaultPolicy(), snapshot);

    expect(r.findings).toEqual([]);
    expect(r.complete).toBe(true);
    expect(r.summary).toMatchObject({ changed: 0, lost: 0, gained: 0 });
  });

  it('treats key order and rendering noise as no change', () => {
    const a = ds({ tolerations: [GPU] });
    const reversed = (v: unknown): unknown =>
      v && typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(
            Object.entries(v)
              .reverse()
              .map(([k, x]) => [k, reversed(x)]),
          )
        : Array.isArray(v)
          ? v.map(reversed)
          : v;
    const b = reversed(a) as K8sDaemonSet;

    const r = check(side(a), side(b));

    expect(r.daemonSets[0]!.change).toBe('unchanged');
  });

  it('names the images that would roll and on how many nodes', () => {
    const r = check(side(ds({ image: 'fluent/fluent-bit:3.1.0' })), side(ds({ image: 'fluent/fluent-bit:3.2.2' })));

    expect(r.findings.map((f) => [f.rule, f.severity, f.node, f.message])).toEqual([
      ['change/image', 'info', null, '1 image would roll on 2 nodes: fluent-bit fluent/fluent-bit:3.1.0 → fluent/fluent-bit:3.2.2'],
    ]);
  });

  it("flags maxUnavailable 100% against the head's node count, and not the default of 1", () => {
    const risky = ds({ image: 'x:2', updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '100%' } } });

    const r = check(side(ds({ image: 'x:1' })), side(risky));
    const safe = check(side(ds({ image: 'x:1' })), side(ds({ image: 'x:2' })));

    expect(r.findings.filter((f) => f.rule === 'change/rollout-risk').map((f) => f.message)).toEqual([
      'the head rolls with maxUnavailable 100%: up to 2 of 2 nodes may be without the daemon pod at once (more than 25%, 1 nodes)',
    ]);
    expect(safe.findings.map((f) => f.rule)).toEqual(['change/image']);
  });

  it('reports a stale snapshot, and one of unknown age, only when something changes', () => {
    const old = cluster();
    old.source.finishedAt = '2026-05-30T00:00:00Z';
    const unknown = cluster();
    delete unknown.source.finishedAt;
    for (const n of unknown.nodes) n.status = {};

    const stale = check(side(ds({ image: 'x:1' })), side(ds({ image: 'x:2' })), defaultPolicy(), old);
    const noTime = check(side(ds({ image: 'x:1' })), side(ds({ image: 'x:2' })), defaultPolicy(), unknown);
    const fresh = check(side(ds({ image: 'x:1' })), side(ds({ image: 'x:2' })));

    expect(stale.findings.filter((f) => f.rule === 'change/snapshot-stale').map((f) => f.message)).toEqual([
      'the snapshot was taken 2 d 12 h before this check (2026-05-30T00:00:00.000Z); nodes added or relabelled since are not in this verdict',
    ]);
    expect(noTime.findings.filter((f) => f.rule === 'change/snapshot-stale').map((f) => f.actual)).toEqual([null]);
    expect(fresh.findings.some((f) => f.rule === 'change/snapshot-stale')).toBe(false);
  });

  it('is incomplete, never a pass, when the head cannot be rendered', () => {
    const head = desiredOf([], {
      problems: [{ rule: 'manifest/unrendered', file: 'logging/kustomization.yaml', message: 'kustomize build failed: missing resource' }],
      gaps: [{ source: 'git:logging/kustomization.yaml', message: 'kustomize build failed: missing resource' }],
    });
    const invalid = desiredOf([ds()], {
      problems: [{ rule: 'manifest/invalid', file: 'logging/broken.yaml', line: 3, daemonSet: 'logging/other', message: 'spec.template is missing' }],
    });

    const r = check(side(ds()), head);
    const r2 = check(side(ds()), invalid);

    expect(r.complete).toBe(false);
    expect(r.gaps).toEqual([{ source: 'head:git:logging/kustomization.yaml', message: 'kustomize build failed: missing resource' }]);
    expect(r.findings[0]).toMatchObject({ rule: 'audit/incomplete', severity: 'critical' });
    expect(r2.complete).toBe(false);
    expect(r2.gaps).toEqual([{ source: 'head:logging/broken.yaml:3', message: 'manifest/invalid: spec.template is missing' }]);
  });

  it('applies the policy: namespaces in scope, waivers and disabled rules', () => {
    const policy: Policy = {
      ...defaultPolicy(),
      waivers: [{ rule: 'change/coverage-lost', daemonSet: 'logging/*', node: 'g1', reason: 'GPU pool retired', owner: 'ml', expires: '2027-01-01' }],
    };
    const outOfScope: Policy = { ...defaultPolicy(), namespaces: ['monitoring'] };

    const r = check(side(ds({ tolerations: [GPU] })), side(ds()), policy);
    const none = check(side(ds({ tolerations: [GPU] })), side(ds()), outOfScope);

    expect(rulesAndNodes(r)).toEqual([['change/coverage-lost', 'g2']]);
    expect(r.waived.map((f) => f.node)).toEqual(['g1']);
    expect(none.daemonSets).toEqual([]);
  });
});

describe('snapshotTime()', () => {
  it('uses the recorded time, else the newest node heartbeat, else null', () => {
    const s = cluster();
    s.source.finishedAt = '2026-06-01T11:00:00Z';
    const dump = cluster();
    delete dump.source.finishedAt;
    Object.assign(dump.nodes[1]!.status!.conditions![0]!, { lastHeartbeatTime: '2026-06-01T11:58:00Z' });
    Object.assign(dump.nodes[2]!.status!.conditions![0]!, { lastHeartbeatTime: '2026-06-01T11:59:30Z' });

    expect([snapshotTime(s)?.toISOString(), snapshotTime(dump)?.toISOString(), snapshotTime(snapshotOf({}))]).toEqual([
      '2026-06-01T11:00:00.000Z',
      '2026-06-01T11:59:30.000Z',
      null,
    ]);
  });
});
