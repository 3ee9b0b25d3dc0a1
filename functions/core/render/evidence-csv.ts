// The evidence pack as CSV files for auditors' spreadsheets (RFC 4180, formula-neutralised like
// findings.csv): coverage.csv, runs.csv, gaps.csv, findings.csv and exceptions.csv.
import type { EvidencePack } from '../evidence/index.js';
import { csvField } from './csv.js';

function table(head: string[], rows: (string | number | null | boolean)[][]): string {
  return (
    [head, ...rows.map((r) => r.map((c) => (c === null ? '' : typeof c === 'number' ? String(Math.round(c * 1e6) / 1e6) : String(c))))]
      .map((r) => r.map(csvField).join(','))
      .join('\r\n') + '\r\n'
  );
}

/** Returns the pack's CSV files by name. */
export function renderEvidenceCsv(p: EvidencePack): Record<string, string> {
  return {
    'coverage.csv': table(
      ['requirement', 'daemonSet', 'requiredNodeHours', 'coveredNodeHours', 'percent', 'gapNodeHours', 'nodesSeen'],
      p.coverage.map((c) => [c.requirement, c.daemonSet, c.requiredNodeHours, c.coveredNodeHours, c.percent, c.gapNodeHours, c.nodesSeen]),
    ),
    'runs.csv': table(
      [
        'runId',
        'generatedAt',
        'status',
        'verified',
        'problems',
        'manifestSha256',
        'reportSha256',
        'snapshotSha256',
        'findings',
        'critical',
        'warning',
        'info',
        'waived',
      ],
      p.runs.map((r) => [
        r.runId,
        r.generatedAt,
        r.status,
        r.verified,
        r.problems.join('; '),
        r.manifestSha256,
        r.reportSha256,
        r.snapshotSha256,
        r.findings,
        r.bySeverity?.critical ?? null,
        r.bySeverity?.warning ?? null,
        r.bySeverity?.info ?? null,
        r.waived,
      ]),
    ),
    'gaps.csv': table(
      ['from', 'to', 'hours', 'reason', 'runId'],
      p.gaps.map((g) => [g.from, g.to, g.hours, g.reason, g.runId ?? null]),
    ),
    'findings.csv': table(
      ['rule', 'severity', 'namespace', 'daemonSet', 'node', 'container', 'path', 'openedAt', 'closedAt', 'openHours', 'openedBeforePeriod', 'message'],
      p.findings.map((f) => [
        f.rule,
        f.severity,
        f.namespace,
        f.daemonSet,
        f.node,
        f.container ?? null,
        f.path ?? null,
        f.openedAt,
        f.closedAt,
        f.openHours,
        f.openedBeforePeriod,
        f.message,
      ]),
    ),
    'exceptions.csv': table(
      ['owner', 'reason', 'expires', 'expired', 'rules', 'daemonSets', 'appliedInRuns', 'expiredInRuns'],
      p.exceptions.map((e) => [
        e.owner,
        e.reason,
        e.expires,
        e.expired,
        e.rules.join(' '),
        e.daemonSets.join(' '),
        e.appliedInRuns.length,
        e.expiredInRuns.length,
      ]),
    ),
  };
}
