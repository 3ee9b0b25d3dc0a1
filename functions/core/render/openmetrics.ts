// The report as OpenMetrics text (for the node-exporter textfile collector and the Pushgateway): per
// DaemonSet the eligible, covered, ready and up-to-date node counts, the required coverage ratio, and
// findings by rule and severity; per cluster the same totals the Lambdas publish to CloudWatch
// (functions/handlers/shared/observability.ts, namespace DriftAuditor), under the same names in
// snake_case: FindingsCritical -> drift_auditor_findings_critical, NodesAudited -> drift_auditor_nodes_audited.
import { SEVERITIES, type Report } from '../types.js';

/** CloudWatch metric name (audit Lambda) -> OpenMetrics family name, for the cluster totals. */
export const CLOUDWATCH_NAMES: Readonly<Record<string, string>> = {
  FindingsCritical: 'drift_auditor_findings_critical',
  FindingsWarning: 'drift_auditor_findings_warning',
  FindingsInfo: 'drift_auditor_findings_info',
  FindingsWaived: 'drift_auditor_findings_waived',
  AuditIncomplete: 'drift_auditor_audit_incomplete',
  NodesAudited: 'drift_auditor_nodes_audited',
  DaemonSetsAudited: 'drift_auditor_daemon_sets_audited',
};

/** Returns a label value escaped as OpenMetrics requires: backslash, double quote and line feed. */
export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

type Labels = Record<string, string>;

class Families {
  private readonly out: string[] = [];

  family(name: string, help: string, samples: [Labels, number][]): void {
    this.out.push(`# TYPE ${name} gauge`, `# HELP ${name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`);
    for (const [labels, value] of samples) {
      const l = Object.entries(labels)
        .map(([k, v]) => `${k}="${escapeLabelValue(v)}"`)
        .join(',');
      this.out.push(`${name}${l ? `{${l}}` : ''} ${Number.isFinite(value) ? String(value) : 'NaN'}`);
    }
  }

  text(): string {
    return `${this.out.join('\n')}\n# EOF\n`;
  }
}

/** Returns the report as OpenMetrics text, ending in `# EOF`. */
export function renderOpenMetrics(report: Report): string {
  const f = new Families();
  const cluster = report.cluster;
  const ds = (c: { namespace: string; name: string }): Labels => ({ cluster, namespace: c.namespace, daemonset: c.name });
  const totals: Record<string, number> = {
    FindingsCritical: report.summary.bySeverity.critical ?? 0,
    FindingsWarning: report.summary.bySeverity.warning ?? 0,
    FindingsInfo: report.summary.bySeverity.info ?? 0,
    FindingsWaived: report.summary.waived,
    AuditIncomplete: report.complete ? 0 : 1,
    NodesAudited: report.summary.nodes,
    DaemonSetsAudited: report.summary.daemonSets,
  };
  for (const [cw, name] of Object.entries(CLOUDWATCH_NAMES))
    f.family(name, `Cluster total, as CloudWatch ${'DriftAuditor'}/${cw}.`, [[{ cluster }, totals[cw]!]]);
  f.family('drift_auditor_report_timestamp_seconds', 'When the audit ran (report generatedAt), Unix seconds.', [
    [{ cluster }, Date.parse(report.generatedAt) / 1000],
  ]);
  const per = (name: string, help: string, pick: (c: Report['coverage'][number]) => number) =>
    f.family(
      name,
      help,
      report.coverage.map((c) => [ds(c), pick(c)]),
    );
  per(
    'drift_auditor_daemonset_eligible_nodes',
    'Nodes where the DaemonSet should run, recomputed from its Git spec (desiredNumberScheduled).',
    (c) => c.eligible,
  );
  per('drift_auditor_daemonset_covered_nodes', 'Eligible nodes with a daemon pod (currentNumberScheduled).', (c) => c.covered);
  per('drift_auditor_daemonset_ready_nodes', 'Eligible nodes whose daemon pod is Ready (numberReady).', (c) => c.ready);
  per('drift_auditor_daemonset_up_to_date_nodes', 'Eligible nodes whose daemon pod is of the current revision (updatedNumberScheduled).', (c) => c.upToDate);
  per('drift_auditor_daemonset_misscheduled_nodes', 'Nodes with a daemon pod that should not run one (numberMisscheduled).', (c) => c.misscheduled);
  f.family(
    'drift_auditor_required_coverage_ratio',
    'Share of the nodes a requiredCoverage entry selects that run a Ready daemon pod (1 when it selects none).',
    (report.requiredCoverage ?? []).map((r) => {
      const [namespace, name] = r.daemonSet.split('/') as [string, string];
      return [{ cluster, requirement: r.requirement, namespace, daemonset: name }, r.nodes.length ? r.covered.length / r.nodes.length : 1];
    }),
  );
  const counts = new Map<string, { labels: Labels; n: number }>();
  for (const x of report.findings) {
    const key = [x.namespace, x.daemonSet, x.rule, x.severity].join('\u0000');
    const e = counts.get(key) ?? { labels: { cluster, namespace: x.namespace, daemonset: x.daemonSet, rule: x.rule, severity: x.severity }, n: 0 };
    e.n++;
    counts.set(key, e);
  }
  const sorted = [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, e]) => [e.labels, e.n] as [Labels, number]);
  f.family('drift_auditor_findings', `Active findings by DaemonSet, rule and severity (${SEVERITIES.join(', ')}); waived ones are not counted.`, sorted);
  return f.text();
}
