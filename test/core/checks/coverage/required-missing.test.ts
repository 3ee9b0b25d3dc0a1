import { describe, expect, it } from 'vitest';
import { audit } from '../../../../functions/core/audit.js';
import { requiredCoverage } from '../../../../functions/core/checks/coverage/required-missing.js';
import { parsePolicy } from '../../../../functions/core/policy/parse.js';
import type { Policy, RequiredCoverage } from '../../../../functions/core/types.js';
import { AT, daemonSet, defaultPolicy, desiredOf, node, pod, rulesFromRepo, snapshotOf } from '../../../support/builders.js';
import { runCheck } from '../support.js';

// The example: a log shipper without the GPU toleration, required on every Linux node by policy.
const fluentBit = daemonSet('logging/fluent-bit');
const nodes = [
  node('cpu-1'),
  node('cpu-2'),
  node('gpu-1', { labels: { 'nvidia.com/gpu.present': 'true' }, taints: ['nvidia.com/gpu=present:NoSchedule'] }),
  node('gpu-2', { labels: { 'nvidia.com/gpu.present': 'true' }, taints: ['nvidia.com/gpu=present:NoSchedule'] }),
];
const snapshot = snapshotOf({ nodes, daemonSets: [fluentBit], pods: [pod(fluentBit, 'cpu-1'), pod(fluentBit, 'cpu-2')] });
const desired = desiredOf([fluentBit]);

function policyYaml(waivers = ''): Policy {
  return parsePolicy(`apiVersion: drift-auditor.io/v1
kind: Policy
requiredCoverage:
  - name: logs from every linux node
    nodeSelector: { matchLabels: { kubernetes.io/os: linux } }
    daemonSets: [logging/fluent-bit]
${waivers}`, 'policy.yaml', rulesFromRepo());
}

const waiver = (expires: string) => `waivers:
  - { rule: coverage/required-missing, daemonSet: logging/fluent-bit, node: "gpu-*", reason: GPU logging via the vendor agent until Q3, owner: team-ml, expires: ${expires} }
`;

describe('requiredCoverage', () => {
  it('turns tainted GPU nodes the log shipper does not tolerate into coverage/required-missing', () => {
    const report = audit(snapshot, desired, policyYaml(), AT);

    expect(report.findings.map((f) => [f.rule, f.severity, f.node, f.message])).toEqual([
      ['coverage/required-missing', 'critical', 'gpu-1', "the policy requirement 'logs from every linux node' needs logging/fluent-bit on node gpu-1, but the DaemonSet's own spec excludes it: the node has taint nvidia.com/gpu=present:NoSchedule, which the DaemonSet does not tolerate"],
      ['coverage/required-missing', 'critical', 'gpu-2', "the policy requirement 'logs from every linux node' needs logging/fluent-bit on node gpu-2, but the DaemonSet's own spec excludes it: the node has taint nvidia.com/gpu=present:NoSchedule, which the DaemonSet does not tolerate"],
    ]);
    expect(report.coverage.map((c) => [c.name, c.eligible, c.covered])).toEqual([['fluent-bit', 2, 2]]);
  });

  it('lets a waiver with a future expiry hide them', () => {
    const report = audit(snapshot, desired, policyYaml(waiver('2026-09-30')), AT);

    expect(report.findings).toEqual([]);
    expect(report.waived.map((f) => [f.node, f.waiver])).toEqual([
      ['gpu-1', { reason: 'GPU logging via the vendor agent until Q3', owner: 'team-ml', expires: '2026-09-30' }],
      ['gpu-2', { reason: 'GPU logging via the vendor agent until Q3', owner: 'team-ml', expires: '2026-09-30' }],
    ]);
  });

  it('keeps them with a past expiry and adds policy/waiver-expired', () => {
    const report = audit(snapshot, desired, policyYaml(waiver('2026-05-01')), AT);

    expect(report.waived).toEqual([]);
    expect(report.findings.map((f) => [f.rule, f.severity, f.node])).toEqual([
      ['coverage/required-missing', 'critical', 'gpu-1'],
      ['coverage/required-missing', 'critical', 'gpu-2'],
      ['policy/waiver-expired', 'warning', null],
    ]);
  });

  it('matches nodes on required taints and reports a required DaemonSet that exists nowhere', () => {
    const req: RequiredCoverage = { name: 'gpu', nodeSelector: {}, taints: [{ key: 'nvidia.com/gpu', effect: 'NoSchedule' }], daemonSets: ['logging/fluent-bit', 'kube-system/dcgm-exporter'] };

    const findings = runCheck(requiredCoverage, snapshot, desired, { ...defaultPolicy(), requiredCoverage: [req] });

    expect(findings.map((f) => [f.daemonSet, f.node])).toEqual([['fluent-bit', 'gpu-1'], ['fluent-bit', 'gpu-2'], ['dcgm-exporter', null]]);
    expect(findings[2]!.message).toEqual("the policy requirement 'gpu' needs kube-system/dcgm-exporter on 2 nodes, but it is neither in the cluster nor in Git");
  });

  it('does not report a node whose pod the controller keeps (that is coverage/kept)', () => {
    const kept = snapshotOf({ nodes, daemonSets: [fluentBit], pods: [pod(fluentBit, 'cpu-1'), pod(fluentBit, 'cpu-2'), pod(fluentBit, 'gpu-1')] });
    const req: RequiredCoverage = { nodeSelector: { matchExpressions: [{ key: 'nvidia.com/gpu.present', operator: 'Exists' }] }, daemonSets: ['logging/fluent-bit'] };

    const findings = runCheck(requiredCoverage, kept, desired, { ...defaultPolicy(), requiredCoverage: [req] });

    expect(findings.map((f) => f.node)).toEqual(['gpu-2']);
  });

  it('reports nothing when the DaemonSet tolerates the taint', () => {
    const tolerant = daemonSet('logging/fluent-bit', { tolerations: [{ operator: 'Exists' }] });
    const all = snapshotOf({ nodes, daemonSets: [tolerant], pods: nodes.map((n) => pod(tolerant, n.metadata.name)) });

    expect(audit(all, desiredOf([tolerant]), policyYaml(), AT).findings).toEqual([]);
  });
});
