import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { batchesOf, HttpSecurityHub, importFindings } from '../../functions/adapters/security-hub.js';
import { audit } from '../../functions/core/audit.js';
import { renderAsff, type AsffFinding } from '../../functions/core/render/asff.js';
import type { Report } from '../../functions/core/types.js';
import { AT, daemonSet, defaultPolicy, desiredOf, node, pod, snapshotOf } from '../support/builders.js';
import { startSecurityHub, TEST_CREDENTIALS, type SecurityHubEmulator } from '../emulators/security-hub/server.js';

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const EKS_ARN = `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/prod`;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
let hub: SecurityHubEmulator | undefined;
afterEach(async () => {
  await hub?.close();
  hub = undefined;
});

/** A real audit of `nodes` nodes where fluentd runs on `covered` of them, and Git wants `gitImage`. */
function report(o: { nodes: number; covered: number; liveImage?: string; at?: Date; gaps?: boolean }): Report {
  const git = daemonSet('monitoring/fluentd', { image: 'fluent/fluentd:v1.17' });
  const live = daemonSet('monitoring/fluentd', { image: o.liveImage ?? 'fluent/fluentd:v1.17' });
  const names = Array.from({ length: o.nodes }, (_, i) => `n${String(i + 1).padStart(3, '0')}`);
  const snapshot = snapshotOf({
    cluster: 'prod',
    nodes: names.map((n) => node(n)),
    daemonSets: [live],
    pods: names.slice(0, o.covered).map((n) => pod(live, n)),
    gaps: o.gaps ? [{ source: 'kubernetes:list pods', message: 'timeout' }] : [],
  });
  return audit(snapshot, desiredOf([git]), defaultPolicy(), o.at ?? AT, { hash: sha256 });
}

async function client(): Promise<HttpSecurityHub> {
  hub = await startSecurityHub({ account: ACCOUNT, region: REGION });
  return new HttpSecurityHub({ region: REGION, endpoint: hub.url, credentials: TEST_CREDENTIALS, baseDelayMs: 5 });
}

const asff = (r: Report, previous?: Report) => renderAsff(r, { awsAccountId: ACCOUNT, region: REGION, eksClusterArn: EKS_ARN, previous });

describe('importFindings() into the Security Hub emulator', () => {
  it('imports findings that pass the ASFF validation, with Compliance, Severity and Other/AwsEksCluster resources', async () => {
    const c = await client();
    const first = report({ nodes: 3, covered: 2, liveImage: 'fluent/fluentd:v1.16' });

    const summary = await importFindings(c, asff(first));

    expect(summary).toEqual({ imported: 4, failed: [], calls: 1 });
    const stored = [...hub!.findings.values()].map((s) => s.finding as unknown as AsffFinding);
    expect(stored.map((f) => [f.Id, f.Severity.Label, f.Compliance.Status, f.Workflow.Status, f.Resources.map((r) => r.Type)])).toEqual([
      ['drift-auditor/prod/monitoring/fluentd/coverage/missing/n003', 'CRITICAL', 'FAILED', 'NEW', ['Other', 'AwsEksCluster']],
      [
        'drift-auditor/prod/monitoring/fluentd/image/drift/-/spec.template.spec.containers[name=fluentd].image',
        'MEDIUM',
        'FAILED',
        'NEW',
        ['Other', 'AwsEksCluster'],
      ],
      ['drift-auditor/prod/monitoring/fluentd/image/outdated-pod/n001', 'MEDIUM', 'FAILED', 'NEW', ['Other', 'AwsEksCluster']],
      ['drift-auditor/prod/monitoring/fluentd/image/outdated-pod/n002', 'MEDIUM', 'FAILED', 'NEW', ['Other', 'AwsEksCluster']],
    ]);
  });

  it('updates in place on a rerun and marks findings that went away RESOLVED', async () => {
    const c = await client();
    const first = report({ nodes: 3, covered: 2, liveImage: 'fluent/fluentd:v1.16' });
    const second = report({ nodes: 3, covered: 2, at: new Date(AT.getTime() + 86_400_000) });
    await importFindings(c, asff(first));

    await importFindings(c, asff(second, first));

    const byId = new Map([...hub!.findings.values()].map((s) => [(s.finding as unknown as AsffFinding).Id, s]));
    expect(byId.size).toEqual(4);
    expect([...byId.values()].map((x) => (x.finding as unknown as AsffFinding).Workflow.Status)).toEqual(['NEW', 'RESOLVED', 'RESOLVED', 'RESOLVED']);
    const missing = byId.get('drift-auditor/prod/monitoring/fluentd/coverage/missing/n003')!;
    const drift = byId.get('drift-auditor/prod/monitoring/fluentd/image/drift/-/spec.template.spec.containers[name=fluentd].image')!;
    expect([missing.imports, (missing.finding as unknown as AsffFinding).Workflow.Status, (missing.finding as unknown as AsffFinding).CreatedAt]).toEqual([
      2,
      'NEW',
      AT.toISOString(),
    ]);
    expect([
      drift.imports,
      (drift.finding as unknown as AsffFinding).Workflow.Status,
      (drift.finding as unknown as AsffFinding).Compliance.Status,
      (drift.finding as unknown as AsffFinding).RecordState,
    ]).toEqual([2, 'RESOLVED', 'PASSED', 'ARCHIVED']);
  });

  it('never resolves anything from an incomplete audit', () => {
    const first = report({ nodes: 3, covered: 2, liveImage: 'fluent/fluentd:v1.16' });
    const incomplete = report({ nodes: 3, covered: 3, gaps: true });

    const out = asff(incomplete, first);

    expect(out.filter((f) => f.Workflow.Status === 'RESOLVED')).toEqual([]);
  });

  it('sends at most 100 findings per call and retries when throttled', async () => {
    const c = await client();
    const big = asff(report({ nodes: 250, covered: 0 }));
    hub!.throttle(2);

    const summary = await importFindings(c, big);

    expect(big.length).toEqual(250);
    expect(batchesOf(big).map((b) => b.length)).toEqual([100, 100, 50]);
    expect(summary).toEqual({ imported: 250, failed: [], calls: 3 });
    expect(hub!.calls.map((x) => x.status)).toEqual([429, 429, 200, 200, 200]);
    expect(hub!.findings.size).toEqual(250);
  });

  it('reports the findings Security Hub refused by Id', async () => {
    const c = await client();
    const findings = asff(report({ nodes: 3, covered: 1 }));
    findings[1] = { ...findings[1]!, Severity: { Label: 'SEVERE' as 'HIGH', Original: 'x' } };

    const summary = await importFindings(c, findings);

    expect(summary).toEqual({
      imported: 1,
      calls: 1,
      failed: [{ Id: findings[1]!.Id, ErrorCode: 'InvalidInput', ErrorMessage: "Severity.Label 'SEVERE' is not valid" }],
    });
  });

  it('is refused when the request is not signed by the caller', async () => {
    await client();
    const wrong = new HttpSecurityHub({ region: REGION, endpoint: hub!.url, credentials: { ...TEST_CREDENTIALS, secretAccessKey: 'wrong' }, maxAttempts: 1 });

    await expect(importFindings(wrong, asff(report({ nodes: 1, covered: 0 })))).rejects.toThrow(/403 InvalidSignatureException/);
  });
});
