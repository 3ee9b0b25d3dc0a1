// The terminal view (`--format table`): plain text in fixed-width columns, DaemonSets then findings
// worst first. Control characters from the cluster are replaced, so a node name cannot move the
// cursor or recolour the terminal (ANSI escape injection).
import type { Report } from '../types.js';
import { daemonSetKey, severityCounts, sortFindings, statusHeadline } from './common.js';

const LIMITS = { rule: 24, daemonSet: 48, node: 48, message: 100 };

/** Returns the report as fixed-width plain-text tables for a terminal. */
export function renderTable(report: Report): string {
  const lines = [
    `cluster ${plain(report.cluster)}  ${report.generatedAt}  auditor ${plain(report.auditorVersion)}`,
    `${statusHeadline(report)}  (${severityCounts(report.summary.bySeverity)}; ${report.summary.waived} waived)`,
  ];
  for (const g of report.gaps) lines.push(`  GAP ${plain(g.source)}: ${plain(g.message)}`);
  lines.push('');
  lines.push(...columns(
    ['DAEMONSET', 'GIT', 'CLUSTER', 'ELIGIBLE', 'COVERED', 'READY', 'UP-TO-DATE', 'MISSCHEDULED', 'REPORTED D/C/R/U/M'],
    report.coverage.map((c) => [
      cut(daemonSetKey(c), LIMITS.daemonSet), c.inGit ? 'yes' : 'no', c.inCluster ? 'yes' : 'no',
      String(c.eligible), String(c.covered), String(c.ready), String(c.upToDate), String(c.misscheduled),
      c.reported ? [c.reported.desired, c.reported.current, c.reported.ready, c.reported.upToDate, c.reported.misscheduled].join('/') : '-',
    ]),
    [false, false, false, true, true, true, true, true, false],
  ));
  lines.push('');
  if (report.findings.length === 0) {
    lines.push(report.complete ? 'No findings.' : 'No findings in what could be read (INCOMPLETE audit).');
  } else {
    lines.push(...columns(
      ['SEVERITY', 'RULE', 'DAEMONSET', 'NODE', 'MESSAGE'],
      sortFindings(report.findings).map((f) => [
        f.severity, cut(f.rule, LIMITS.rule), cut(daemonSetKey(f), LIMITS.daemonSet), cut(f.node ?? '-', LIMITS.node), cut(f.message, LIMITS.message),
      ]),
    ));
  }
  return `${lines.join('\n')}\n`;
}

/** Lays out rows in columns as wide as their widest cell; the last column is not padded. */
function columns(head: string[], rows: string[][], right: boolean[] = []): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string => r.map((c, i) => (i === r.length - 1 ? c : right[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(head), ...rows.map(line)];
}

/** Replaces control characters (C0, DEL, C1, bidi overrides) so cluster strings cannot drive or disguise the terminal. */
function plain(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '?');
}

function cut(s: string, max: number): string {
  const p = plain(s);
  return p.length > max ? `${p.slice(0, max - 1)}…` : p;
}
