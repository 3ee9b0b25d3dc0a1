import { describe, expect, it } from 'vitest';
import { applyPolicy } from '../../../functions/core/policy/apply.js';
import type { Finding, Policy, Waiver } from '../../../functions/core/types.js';
import { AT, defaultPolicy, ruleStub } from '../../support/builders.js';

const rules = [
  ruleStub('coverage/missing', 'critical'),
  ruleStub('coverage/unready', 'warning'),
  ruleStub('practice/no-priority-class', 'info'),
  ruleStub('policy/waiver-expired', 'warning'),
  ruleStub('audit/incomplete', 'critical'),
];

function finding(rule: string, ds: string, node: string | null = null, severity: Finding['severity'] = 'critical'): Finding {
  const [namespace, daemonSet] = ds.split('/') as [string, string];
  return { rule, severity, namespace, daemonSet, node, message: `${rule} on ${node ?? ds}` };
}

function policy(p: Partial<Policy>): Policy {
  return { ...defaultPolicy(rules), ...p };
}

const waiver = (o: Partial<Waiver>): Waiver => ({
  rule: 'coverage/missing',
  daemonSet: 'kube-system/nvidia-device-plugin',
  node: 'gpu-*',
  reason: 're-imaging',
  owner: 'team-ml',
  expires: '2026-12-31',
  ...o,
});

describe('applyPolicy()', () => {
  it('applies rule-level overrides, then DaemonSet-specific ones', () => {
    const p = policy({
      severityOverrides: [
        { rule: 'coverage/unready', severity: 'critical' },
        { rule: 'coverage/unready', daemonSet: 'monitoring/*', severity: 'info' },
      ],
    });

    const out = applyPolicy(
      [finding('coverage/unready', 'monitoring/node-exporter', 'n1', 'warning'), finding('coverage/unready', 'logging/fluent-bit', 'n1', 'warning')],
      p,
      AT,
    );

    expect(out.findings.map((f) => `${f.daemonSet} ${f.severity}`)).toEqual(['node-exporter info', 'fluent-bit critical']);
  });

  it('moves findings a live waiver matches to waived, with the waiver set', () => {
    const p = policy({ waivers: [waiver({})] });

    const out = applyPolicy(
      [
        finding('coverage/missing', 'kube-system/nvidia-device-plugin', 'gpu-1'),
        finding('coverage/missing', 'kube-system/nvidia-device-plugin', 'cpu-1'),
        finding('coverage/missing', 'kube-system/other', 'gpu-1'),
        finding('coverage/unready', 'kube-system/nvidia-device-plugin', 'gpu-1'),
      ],
      p,
      AT,
    );

    expect(out.waived).toEqual([
      {
        ...finding('coverage/missing', 'kube-system/nvidia-device-plugin', 'gpu-1'),
        waiver: { reason: 're-imaging', owner: 'team-ml', expires: '2026-12-31' },
      },
    ]);
    expect(out.findings.map((f) => `${f.rule} ${f.daemonSet} ${f.node}`)).toEqual([
      'coverage/missing nvidia-device-plugin cpu-1',
      'coverage/missing other gpu-1',
      'coverage/unready nvidia-device-plugin gpu-1',
    ]);
  });

  it('carries gitFollowsCluster onto the waived finding, so notify can open a PR', () => {
    const p = policy({ waivers: [waiver({ rule: 'coverage/unready', node: undefined, gitFollowsCluster: true })] });

    const out = applyPolicy([finding('coverage/unready', 'kube-system/nvidia-device-plugin', 'gpu-1')], p, AT);

    expect(out.waived.map((f) => f.waiver)).toEqual([{ reason: 're-imaging', owner: 'team-ml', expires: '2026-12-31', gitFollowsCluster: true }]);
  });

  it('keeps the findings of an expired waiver and reports the waiver once per DaemonSet', () => {
    const p = policy({ waivers: [waiver({ expires: '2026-05-31', daemonSet: 'kube-system/*' })] });

    const out = applyPolicy(
      [finding('coverage/missing', 'kube-system/nvidia-device-plugin', 'gpu-1'), finding('coverage/missing', 'kube-system/nvidia-device-plugin', 'gpu-2')],
      p,
      AT,
    );

    expect(out.waived).toEqual([]);
    expect(out.findings.map((f) => `${f.rule} ${f.severity} ${f.node}`)).toEqual([
      'coverage/missing critical gpu-1',
      'coverage/missing critical gpu-2',
      'policy/waiver-expired warning null',
    ]);
    expect(out.findings[2]).toEqual({
      rule: 'policy/waiver-expired',
      severity: 'warning',
      namespace: 'kube-system',
      daemonSet: 'nvidia-device-plugin',
      node: null,
      message:
        'the waiver for coverage/missing on kube-system/* (nodes gpu-*) owned by team-ml expired on 2026-05-31; it no longer hides 2 findings (reason given: re-imaging)',
      expected: { rule: 'coverage/missing', daemonSet: 'kube-system/*', node: 'gpu-*', owner: 'team-ml', expires: '2026-05-31' },
      actual: { unhiddenFindings: 2 },
    });
  });

  it.each([
    ['the day before', '2026-06-02', 1, 0],
    ['the same instant', '2026-06-01T12:00:00Z', 0, 1],
    ['a date that began before the audit time', '2026-06-01', 0, 1],
  ])('applies a waiver expiring %s (%s) only while the audit time is before it', (_case, expires, waivedCount, expiredCount) => {
    const out = applyPolicy([finding('coverage/missing', 'kube-system/nvidia-device-plugin', 'gpu-1')], policy({ waivers: [waiver({ expires })] }), AT);

    expect([out.waived.length, out.findings.filter((f) => f.rule === 'policy/waiver-expired').length]).toEqual([waivedCount, expiredCount]);
  });

  it('reports nothing for a waiver that matches no finding, expired or not', () => {
    const out = applyPolicy([finding('coverage/unready', 'a/b', 'n1')], policy({ waivers: [waiver({ expires: '2020-01-01' }), waiver({})] }), AT);

    expect(out.findings.map((f) => f.rule)).toEqual(['coverage/unready']);
    expect(out.waived).toEqual([]);
  });

  it('matches a DaemonSet-level finding only with a waiver without node', () => {
    const dsLevel = finding('practice/no-priority-class', 'kube-system/nvidia-device-plugin', null, 'info');

    const withNode = applyPolicy([dsLevel], policy({ waivers: [waiver({ rule: 'practice/*' })] }), AT);
    const withoutNode = applyPolicy([dsLevel], policy({ waivers: [waiver({ rule: 'practice/*', node: undefined })] }), AT);

    expect([withNode.waived.length, withoutNode.waived.length]).toEqual([0, 1]);
  });

  it('drops findings of disabled rules and never waives, drops or re-rates audit/incomplete', () => {
    const p = policy({
      rules: rules.map((r) => (r.id === 'coverage/unready' || r.id === 'audit/incomplete' ? { ...r, enabled: false } : r)),
      severityOverrides: [{ rule: '*', severity: 'info' }],
      waivers: [waiver({ rule: '*', daemonSet: '*/*', node: undefined })],
    });

    const out = applyPolicy([finding('coverage/unready', 'a/b', 'n1'), finding('audit/incomplete', '/', null)], p, AT);

    expect(out.findings.map((f) => `${f.rule} ${f.severity}`)).toEqual(['audit/incomplete critical']);
    expect(out.waived).toEqual([]);
  });

  it('treats a waiver with an unreadable expiry as expired', () => {
    const out = applyPolicy(
      [finding('coverage/missing', 'kube-system/nvidia-device-plugin', 'gpu-1')],
      policy({ waivers: [waiver({ expires: 'someday' })] }),
      AT,
    );

    expect(out.waived).toEqual([]);
    expect(out.findings.map((f) => f.rule)).toEqual(['coverage/missing', 'policy/waiver-expired']);
  });
});
