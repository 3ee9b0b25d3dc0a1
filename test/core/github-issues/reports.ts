// Builders for notify tests: findings and reports with only the fields a test cares about spelled out.
import type { DaemonSetCoverage, Finding, Report, Severity } from '../../../functions/core/types.js';

/** Returns a finding for `namespace/name` (warning, no node unless told). */
export function finding(daemonSet: string, rule: string, o: Partial<Finding> = {}): Finding {
  const [namespace, name] = daemonSet.split('/') as [string, string];
  return { rule, severity: 'warning' as Severity, namespace, daemonSet: name, node: null, message: `${rule} on ${daemonSet}`, ...o };
}

/** Returns a coverage row for `namespace/name`. */
export function coverage(daemonSet: string, o: Partial<DaemonSetCoverage> = {}): DaemonSetCoverage {
  const [namespace, name] = daemonSet.split('/') as [string, string];
  return { namespace, name, inGit: true, inCluster: true, eligible: 3, covered: 3, upToDate: 3, ready: 3, misscheduled: 0, reported: null, nodes: {}, ...o };
}

export interface ReportOptions {
  cluster?: string;
  complete?: boolean;
  generatedAt?: string;
  /** DaemonSets in the coverage table besides those with findings. */
  audited?: string[];
  waived?: Finding[];
  desired?: Report['inputs']['desired'];
}

/** Returns a schemaVersion 1 report with the given findings; every DaemonSet named is in `coverage`. */
export function report(findings: Finding[], o: ReportOptions = {}): Report {
  const waived = o.waived ?? [];
  const names = new Set([...findings, ...waived].filter((f) => f.daemonSet).map((f) => `${f.namespace}/${f.daemonSet}`));
  for (const a of o.audited ?? []) names.add(a);
  const complete = o.complete ?? true;
  const bySeverity: Record<Severity, number> = { critical: 0, warning: 0, info: 0 };
  for (const f of findings) bySeverity[f.severity] += 1;
  return {
    schemaVersion: 1,
    cluster: o.cluster ?? 'prod-eu',
    generatedAt: o.generatedAt ?? '2026-06-01T12:00:00Z',
    auditorVersion: '0.1.0',
    inputs: { snapshot: { kind: 'dump' }, desired: o.desired ?? { kind: 'folder', location: 'gitops' } },
    complete,
    gaps: complete ? [] : [{ source: 'kubernetes:list pods', message: 'forbidden' }],
    summary: { nodes: 3, daemonSets: names.size, findings: findings.length, bySeverity, waived: waived.length },
    nodes: [],
    coverage: [...names].sort().map((n) => coverage(n)),
    findings,
    waived,
  };
}
