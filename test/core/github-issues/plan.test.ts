import { describe, expect, it } from 'vitest';
import { formatPlan, planIssues, writesOf, type ExistingIssue, type IssueAction } from '../../../functions/core/github-issues/plan.js';
import { selectSubjects } from '../../../functions/core/github-issues/subjects.js';
import type { Report } from '../../../functions/core/types.js';
import { finding, report } from './reports.js';

const OPTS = { minSeverity: 'warning' as const };

/** Returns the issue GitHub would hold after a create planned from `r`. */
function issueFrom(r: Report, number: number, state: 'open' | 'closed' = 'open'): ExistingIssue {
  const a = planIssues(r, [], OPTS).actions.find((x) => x.kind === 'create') as Extract<IssueAction, { kind: 'create' }>;
  return { number, state, body: a.body, labels: a.labels };
}

const kinds = (actions: IssueAction[]) => actions.map((a) => [a.kind, a.daemonSet, 'issue' in a ? a.issue : null]);

describe('planIssues()', () => {
  const drift = report([finding('kube-system/node-exporter', 'coverage/missing', { node: 'n1' })]);

  it('creates one issue per drifting DaemonSet with drift, severity and cluster labels', () => {
    const plan = planIssues(drift, [], OPTS);

    expect([kinds(plan.actions), plan.labels]).toEqual([[['create', 'kube-system/node-exporter', null]], ['cluster:prod-eu', 'drift', 'severity:warning']]);
  });

  it('plans nothing for unchanged drift, whatever the report time', () => {
    const later = { ...drift, generatedAt: '2026-06-02T12:00:00Z' };

    const plan = planIssues(later, [issueFrom(drift, 7)], OPTS);

    expect([kinds(plan.actions), plan.actions.reduce((n, a) => n + writesOf(a), 0)]).toEqual([[['none', 'kube-system/node-exporter', 7]], 0]);
  });

  it('edits and comments once with what appeared and what resolved when the findings change', () => {
    const changed = report([finding('kube-system/node-exporter', 'coverage/missing', { node: 'n2' })]);

    const [a] = planIssues(changed, [issueFrom(drift, 7)], OPTS).actions;

    expect([
      a!.kind,
      writesOf(a!),
      a!.kind === 'edit' && [a.appeared, a.resolved, /Appeared \(1\)[\s\S]*n2[\s\S]*Resolved \(1\)[\s\S]*n1/.test(a.comment ?? '')],
    ]).toEqual(['edit', 2, [1, 1, true]]);
  });

  it('closes with a comment when a complete report no longer has the drift', () => {
    const clean = report([], { audited: ['kube-system/node-exporter'] });

    const [a] = planIssues(clean, [issueFrom(drift, 7)], OPTS).actions;

    expect([a!.kind, a!.kind === 'close' && a.reason, a!.kind === 'close' && /Resolved \(1\)/.test(a.comment)]).toEqual(['close', 'resolved', true]);
  });

  it('never closes from an incomplete report', () => {
    const partial = report([], { audited: ['kube-system/node-exporter'], complete: false });

    const plan = planIssues(partial, [issueFrom(drift, 7)], OPTS);

    expect(kinds(plan.actions)).toEqual([['none', 'kube-system/node-exporter', 7]]);
  });

  it('only adds findings from an incomplete report, and reports nothing resolved', () => {
    const partial = report([finding('kube-system/node-exporter', 'coverage/missing', { node: 'n2' })], { complete: false });
    const previous = issueFrom(drift, 7);

    const [a] = planIssues(partial, [previous], OPTS).actions;
    const again = planIssues(report([finding('kube-system/node-exporter', 'coverage/missing', { node: 'n1' })], { complete: false }), [previous], OPTS).actions;

    expect([a!.kind, a!.kind === 'edit' && [a.appeared, a.resolved], a!.kind === 'edit' && /Resolved/.test(a.comment ?? ''), kinds(again)]).toEqual([
      'edit',
      [1, 0],
      false,
      [['none', 'kube-system/node-exporter', 7]],
    ]);
  });

  it('reopens a closed issue when its drift returns', () => {
    const plan = planIssues(drift, [issueFrom(drift, 7, 'closed')], OPTS);

    expect(kinds(plan.actions)).toEqual([['reopen', 'kube-system/node-exporter', 7]]);
  });

  it('keeps the oldest open duplicate and closes the others pointing at it', () => {
    const plan = planIssues(drift, [issueFrom(drift, 9), issueFrom(drift, 8), issueFrom(drift, 12)], OPTS);

    expect(plan.actions.map((a) => [a.kind, 'issue' in a ? a.issue : null, a.kind === 'close' ? a.duplicateOf : null])).toEqual([
      ['close', 9, 8],
      ['close', 12, 8],
      ['none', 8, null],
    ]);
  });

  it('leaves issues of other clusters and foreign issues alone', () => {
    const other = issueFrom(report([finding('kube-system/node-exporter', 'coverage/missing', { node: 'n1' })], { cluster: 'prod-us' }), 3);
    const foreign: ExistingIssue = { number: 4, state: 'open', body: 'hand written', labels: ['drift'] };

    const plan = planIssues(report([], { audited: ['kube-system/node-exporter'] }), [other, foreign], OPTS);

    expect(plan.actions).toEqual([]);
  });

  it("updates labels without a comment when only the worst severity changed, keeping people's labels", () => {
    const previous = { ...issueFrom(drift, 7), labels: ['cluster:prod-eu', 'drift', 'severity:critical', 'team:obs'] };

    const [a] = planIssues(drift, [previous], OPTS).actions;

    expect([a!.kind, a!.kind === 'edit' && [a.comment, a.labels]]).toEqual(['edit', [null, ['cluster:prod-eu', 'drift', 'severity:warning', 'team:obs']]]);
  });

  it('keeps the body under the cap and still stores the fingerprint for thousands of findings', () => {
    const many = report(
      Array.from({ length: 5000 }, (_, i) =>
        finding('kube-system/node-exporter', 'coverage/missing', { node: `ip-10-0-${i}.eu-west-1.compute.internal`, message: 'x'.repeat(80) }),
      ),
    );

    const a = planIssues(many, [], { ...OPTS, maxChars: 60_000 }).actions[0] as Extract<IssueAction, { kind: 'create' }>;

    expect([
      a.body.length <= 60_000,
      a.body.includes(`fingerprint=${selectSubjects(many, 'warning')[0]!.fingerprint}`),
      /… and \d+ more findings \(see full report/.test(a.body),
    ]).toEqual([true, true, true]);
  });
});

describe('formatPlan()', () => {
  it('prints one line per action with the write count', () => {
    const plan = planIssues(report([finding('a/x', 'image/drift')]), [], OPTS);

    expect(formatPlan(plan).split('\n')).toEqual([
      'cluster prod-eu: 1 action(s), 1 write(s)',
      '  create  a/x: new issue [drift, severity:warning, cluster:prod-eu]',
    ]);
  });
});
