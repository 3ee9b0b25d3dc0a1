import { describe, expect, it } from 'vitest';
import { renderTable } from '../../../functions/core/render/table.js';
import { coverageOf, finding, reportNode, reportOf } from '../../support/report-builder.js';

describe('renderTable()', () => {
  it('lists findings worst first in aligned columns', () => {
    const report = reportOf({
      nodes: [reportNode('n1')],
      coverage: [coverageOf('kube-system/aws-node', { n1: 'missing' })],
      findings: [
        finding('logging/fluentd', 'a-much-longer-node-name', { rule: 'coverage/unready', severity: 'warning' }),
        finding('kube-system/aws-node', 'n1'),
      ],
    });

    const lines = renderTable(report).split('\n');
    const head = lines.findIndex((l) => l.startsWith('SEVERITY'));
    const rows = lines.slice(head, head + 3);

    expect(rows[1]!.startsWith('critical')).toBe(true);
    expect(rows[2]!.startsWith('warning')).toBe(true);
    for (const col of ['RULE', 'DAEMONSET', 'NODE', 'MESSAGE']) {
      const at = rows[0]!.indexOf(col);
      expect(rows.slice(1).map((r) => r[at - 1] === ' ' && r[at] !== ' ')).toEqual([true, true]);
    }
  });

  it('says INCOMPLETE and lists the gaps for an incomplete report', () => {
    const out = renderTable(reportOf({ gaps: [{ source: 'github:archive', message: '404' }] }));

    expect(out).toContain('INCOMPLETE audit');
    expect(out).toContain('GAP github:archive: 404');
    expect(out).not.toMatch(/no drift/i);
  });

  it('replaces terminal control characters from cluster strings', () => {
    const report = reportOf({ findings: [finding('kube-system/aws-node', 'n1\u001b[2J\u001b]8;;http://x\u0007', { message: 'a\rb\u202ec' })] });

    const out = renderTable(report);

    // eslint-disable-next-line no-control-regex
    expect(out).not.toMatch(/[\u001b\u0007\r\u202e]/);
    expect(out).toContain('n1?[2J?]8;;http://x?');
  });

  it('keeps long rule ids, names and messages whole when not written to a terminal', () => {
    const rule = 'practice/a-rule-id-longer-than-any-column-limit';
    const message = `m${'x'.repeat(300)}`;
    const report = reportOf({ findings: [finding('kube-system/aws-node', 'n1', { rule, message })] });

    const out = renderTable(report);

    expect([out.includes(rule), out.includes(message), out.includes('…')]).toEqual([true, true, false]);
  });

  it('cuts cells to fit a terminal, the message to what the other columns leave', () => {
    const rule = 'practice/a-rule-id-longer-than-any-column-limit';
    const report = reportOf({ findings: [finding('kube-system/aws-node', 'n1', { rule, message: 'x'.repeat(300) })] });

    const lines = renderTable(report, { terminalColumns: 120 }).split('\n');
    const row = lines.find((l) => l.startsWith('critical'))!;

    expect([row.includes(rule), row.includes('practice/a-rule-id-longer-t…'), row.length <= 120]).toEqual([false, true, true]);
  });

  it('names every DaemonSet column and shows the status number only where it disagrees', () => {
    const report = reportOf({
      nodes: [reportNode('n1'), reportNode('n2')],
      coverage: [
        coverageOf('kube-system/aws-node', { n1: 'running', n2: 'missing' }, { reported: { desired: 1, current: 1, ready: 1, upToDate: 1, misscheduled: 0 } }),
      ],
    });

    const lines = renderTable(report).split('\n');
    const head = lines.find((l) => l.startsWith('DAEMONSET'))!;
    const row = lines.find((l) => l.startsWith('kube-system/aws-node'))!;

    expect(head.split(/ {2,}/)).toEqual(['DAEMONSET', 'IN GIT', 'IN CLUSTER', 'ELIGIBLE', 'COVERED', 'READY', 'UP-TO-DATE', 'MISSCHEDULED']);
    expect(row.split(/ {2,}/)).toEqual(['kube-system/aws-node', 'yes', 'yes', '2 (status 1)', '1', '1', '1', '0']);
  });
});
