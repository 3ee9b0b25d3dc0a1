// What every renderer shares: the order findings are shown in (worst first), the wording of the
// report's status (an incomplete audit never reads as clean), and the colours of pod states.
import type { Finding, PodState, Report, Severity } from '../types.js';
import { SEVERITIES } from '../types.js';
import { compareFindings } from '../findings.js';

/** Returns the findings in the report's order (core/findings.ts: worst first, then by DaemonSet), without mutating the input. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(compareFindings);
}

export type ReportStatus = 'incomplete' | 'drift' | 'clean';

/** Returns the report's status: `incomplete` wins over everything, `clean` only for a complete report without findings. */
export function reportStatus(report: Report): ReportStatus {
  if (!report.complete) return 'incomplete';
  return report.findings.length > 0 ? 'drift' : 'clean';
}

/** Returns a one-line, plain-text headline for the report (no cluster strings: callers add the cluster escaped). */
export function statusHeadline(report: Report): string {
  const n = report.findings.length;
  const findings = `${n} finding${n === 1 ? '' : 's'}`;
  switch (reportStatus(report)) {
    case 'incomplete':
      return `INCOMPLETE audit: ${report.gaps.length} input${report.gaps.length === 1 ? '' : 's'} could not be read; ${findings} in what was read (this is not a clean result)`;
    case 'drift':
      return `Drift found: ${findings}`;
    case 'clean':
      // Nothing audited is not the same promise as nothing wrong: say which it is.
      return report.summary.daemonSets === 0
        ? 'No drift found, but no DaemonSet was in scope: check the manifests source, the policy namespaces and the snapshot'
        : 'No drift found';
  }
}

/** Returns `critical 3 · warning 5 · info 0`. */
export function severityCounts(bySeverity: Record<Severity, number>): string {
  return SEVERITIES.map((s) => `${s} ${bySeverity[s] ?? 0}`).join(' · ');
}

/** A matrix cell's state: a pod state, or `required-missing` (the policy requires the DaemonSet on the node, its own spec excludes it). */
export type CellState = PodState | 'required-missing';

/** Cell states in legend order, with the colour and label the HTML matrix uses. */
export const POD_STATES: readonly { state: CellState; color: string; label: string }[] = [
  { state: 'running', color: '#2da44e', label: 'running (Ready)' },
  { state: 'unready', color: '#d4a72c', label: 'pod not Ready' },
  { state: 'missing', color: '#cf222e', label: 'missing (should run, no pod)' },
  { state: 'required-missing', color: '#6e0a1e', label: "required by policy, excluded by the DaemonSet's own spec" },
  { state: 'misscheduled', color: '#8250df', label: 'misscheduled (pod where it should not run)' },
  { state: 'kept', color: '#0969da', label: 'kept (not eligible now, pod allowed to stay)' },
  { state: 'not-eligible', color: '#e6e9ec', label: 'not eligible (no pod expected)' },
];

/** Returns `namespace/name` of a coverage entry or finding. */
export function daemonSetKey(x: { namespace: string; name?: string; daemonSet?: string }): string {
  return `${x.namespace}/${x.name ?? x.daemonSet ?? ''}`;
}

/** Returns the snapshot's sha256 as the report names it (or of its single input file), or null. */
export function snapshotSha256(report: Report): string | null {
  const s = report.inputs.snapshot;
  if (s.sha256) return s.sha256;
  return s.files?.length === 1 ? s.files[0]!.sha256 : null;
}

/** Returns `value` as short display text: strings as they are, other values as JSON. */
export function displayValue(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Returns the finding's message with its container and file appended (expected/actual have their own cell: expected-actual.ts). */
export function findingText(f: Finding): string {
  const extra = [f.container ? `container ${f.container}` : '', f.file ? `${f.file}${f.line ? `:${f.line}` : ''}` : ''].filter(Boolean).join('; ');
  return extra ? `${f.message} (${extra})` : f.message;
}

/** Returns the report's `rules` entries for the rules of `findings` (all of them when omitted); empty for reports written before the section existed. */
export function rulesOf(report: Report, findings: readonly Finding[] = report.findings): NonNullable<Report['rules']> {
  const ids = new Set(findings.map((f) => f.rule));
  return (report.rules ?? []).filter((r) => ids.has(r.id));
}

/** How every rendering states a live-only audit (`inputs.desired.kind: none`). */
export const LIVE_ONLY =
  "none: audited live-only, against the live DaemonSets' own specs (no Git comparison, no resource/*, image/drift or spec/drift findings)";

/** Returns the report's inputs as label/value rows (values unescaped: renderers escape them). */
export function inputRows(report: Report): [string, string][] {
  const { snapshot, desired, policy } = report.inputs;
  const rows: [string, string][] = [
    ['Cluster', report.cluster],
    ['Generated at', report.generatedAt],
    ['Auditor version', report.auditorVersion],
    ['Snapshot', `${snapshot.kind}${snapshot.serverVersion ? `, Kubernetes ${snapshot.serverVersion}` : ''}`],
    ['Snapshot sha256', snapshotSha256(report) ?? 'not recorded'],
    ...(desired.kind === 'none'
      ? [['Git', LIVE_ONLY] as [string, string]]
      : ([
          ['Git', `${desired.kind} ${[desired.location, desired.path].filter(Boolean).join(' path ')}${desired.ref ? ` at ref ${desired.ref}` : ''}`],
          ['Git commit', desired.commit ?? 'not recorded'],
        ] as [string, string][])),
  ];
  if (policy) rows.push(['Policy', `${policy.file ?? 'inline'}${policy.sha256 ? ` sha256 ${policy.sha256}` : ''}`]);
  for (const w of report.warnings ?? []) rows.push(['Warning', w.message]);
  return rows;
}
