// The audit's scope: the namespaces a snapshot read (a live read with --namespace) and the policy's
// namespaces; what lies outside is neither "not in cluster" nor counted, and a scope that names nothing warns.
import { describe, expect, it } from 'vitest';
import { audit, namespaceScope } from '../../functions/core/audit.js';
import type { Policy, Snapshot } from '../../functions/core/types.js';
import { AT, daemonSet, defaultPolicy, desiredOf, node, pod, snapshotOf } from '../support/builders.js';

const agent = daemonSet('monitoring/agent');
const logs = daemonSet('logging/fluentd');

/** A snapshot read with --namespace monitoring: logging's DaemonSet was not read, Git still declares it. */
function monitoringOnly(): Snapshot {
  const s = snapshotOf({ nodes: [node('n1')], daemonSets: [agent], pods: [pod(agent, 'n1')] });
  return { ...s, source: { ...s.source, kind: 'live', namespaces: ['monitoring'] } };
}

function withWaiver(policy: Policy): Policy {
  return { ...policy, waivers: [{ rule: 'resource/missing', daemonSet: 'logging/*', reason: 'moving', owner: 'ops', expires: '2026-01-01' }] };
}

describe('namespaceScope()', () => {
  it.each([
    [undefined, [], null],
    [['monitoring'], [], ['monitoring']],
    [undefined, ['logging'], ['logging']],
    [['monitoring', 'logging'], ['logging', 'kube-system'], ['logging']],
  ])('reads %j and policy %j as %j', (read, policyNamespaces, expected) => {
    const s = snapshotOf({});
    const snapshot = { ...s, source: { ...s.source, ...(read ? { namespaces: read } : {}) } };

    const scope = namespaceScope(snapshot, { ...defaultPolicy(), namespaces: policyNamespaces });

    expect(scope === null ? null : [...scope]).toEqual(expected);
  });
});

describe('audit() of a snapshot read in some namespaces', () => {
  it('leaves out the Git DaemonSets of namespaces it did not read, and the waivers about them', () => {
    const report = audit(monitoringOnly(), desiredOf([agent, logs]), withWaiver(defaultPolicy()), AT);

    expect(report.coverage.map((c) => `${c.namespace}/${c.name}`)).toEqual(['monitoring/agent']);
    expect(report.findings.filter((f) => f.namespace === 'logging')).toEqual([]);
    expect(report.summary.waived).toBe(0);
    expect(report.summary.daemonSets).toBe(1);
  });

  it('warns about a policy namespace the snapshot did not read', () => {
    const policy = { ...defaultPolicy(), namespaces: ['monitoring', 'logging'] };

    const report = audit(monitoringOnly(), desiredOf([agent, logs]), policy, AT);

    expect(report.warnings).toEqual([
      { source: 'policy:namespaces', message: "policy namespace 'logging' is outside the namespaces the snapshot read (monitoring): nothing there is audited" },
    ]);
  });
});

describe('audit() warnings', () => {
  it('warns about a policy namespace nothing lives in, and has no warnings otherwise', () => {
    const snapshot = snapshotOf({ nodes: [node('n1')], daemonSets: [agent], pods: [pod(agent, 'n1')] });

    const typo = audit(snapshot, desiredOf([agent]), { ...defaultPolicy(), namespaces: ['monitoring', 'monitorng'] }, AT);
    const fine = audit(snapshot, desiredOf([agent]), { ...defaultPolicy(), namespaces: ['monitoring'] }, AT);

    expect(typo.warnings).toEqual([
      {
        source: 'policy:namespaces',
        message: "policy namespace 'monitorng' holds no DaemonSet in the cluster and is not managed in Git: nothing there is audited (a typo?)",
      },
    ]);
    expect(fine.warnings).toBeUndefined();
  });
});

describe('audit() live-only', () => {
  it('audits coverage against the live specs with no resource/*, image/drift or spec/drift finding, and says so in its inputs', () => {
    const drifted = daemonSet('monitoring/agent', { image: 'registry.example.com/agent:9.9.9' });
    const snapshot = snapshotOf({ nodes: [node('n1'), node('n2')], daemonSets: [drifted, logs], pods: [pod(drifted, 'n1'), pod(logs, 'n1'), pod(logs, 'n2')] });
    const none = { source: { kind: 'none' as const, location: '' }, daemonSets: [], managedNamespaces: ['monitoring', 'logging'], problems: [], gaps: [] };

    const report = audit(snapshot, none, defaultPolicy(), AT);

    expect(report.inputs.desired.kind).toBe('none');
    expect(report.complete).toBe(true);
    expect(report.findings.filter((f) => /^(resource|spec)\/|^image\/drift$/.test(f.rule))).toEqual([]);
    expect(report.findings.filter((f) => f.rule === 'coverage/missing').map((f) => [f.daemonSet, f.node])).toEqual([['agent', 'n2']]);
  });
});
