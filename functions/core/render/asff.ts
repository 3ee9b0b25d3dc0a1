// The report as AWS Security Finding Format (ASFF 2018-10-08) findings for Security Hub's
// BatchImportFindings. Ids are stable per (cluster, DaemonSet, rule, node) (plus the path or container
// when one DaemonSet-level rule fires more than once), so a rerun updates the same findings instead of
// adding new ones. A finding of the previous run that is gone is sent once more as RESOLVED (Compliance
// PASSED, RecordState ARCHIVED) — but only when this audit is complete: an incomplete audit never
// resolves anything. Waived findings are sent SUPPRESSED with the waiver as a note.
import { sha256Hex } from '../github-issues/sha256.js';
import type { Finding, Report, Severity } from '../types.js';

export const ASFF_SCHEMA_VERSION = '2018-10-08';

/** Where the findings go: the account and Region of the Security Hub that imports them. */
export interface AsffOptions {
  awsAccountId: string;
  region: string;
  /** Default: the account's own custom-integration product, `arn:aws:securityhub:<region>:<account>:product/<account>/default`. */
  productArn?: string;
  /** The EKS cluster's ARN: adds an AwsEksCluster resource beside the DaemonSet's `Other` resource. */
  eksClusterArn?: string;
  /** The previous run's report of the same cluster: its findings that are gone become RESOLVED. */
  previous?: Report | null;
}

/** One ASFF finding (the fields drift-auditor sets). */
export interface AsffFinding {
  SchemaVersion: string;
  Id: string;
  ProductArn: string;
  GeneratorId: string;
  AwsAccountId: string;
  Region: string;
  Types: string[];
  CreatedAt: string;
  UpdatedAt: string;
  FirstObservedAt?: string;
  LastObservedAt?: string;
  Severity: { Label: 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW' | 'INFORMATIONAL'; Original: string };
  Title: string;
  Description: string;
  ProductName: string;
  CompanyName: string;
  Compliance: { Status: 'PASSED' | 'WARNING' | 'FAILED' | 'NOT_AVAILABLE' };
  Workflow: { Status: 'NEW' | 'NOTIFIED' | 'RESOLVED' | 'SUPPRESSED' };
  RecordState: 'ACTIVE' | 'ARCHIVED';
  Resources: { Type: string; Id: string; Partition?: string; Region?: string; Details?: Record<string, unknown> }[];
  ProductFields: Record<string, string>;
  Note?: { Text: string; UpdatedBy: string; UpdatedAt: string };
}

const SEVERITY: Record<Severity, AsffFinding['Severity']['Label']> = { critical: 'CRITICAL', warning: 'MEDIUM', info: 'INFORMATIONAL' };
const MAX_ID = 512;

function cut(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 3)}...` : s;
}

/** Returns the stable Id of a finding: cluster, DaemonSet, rule, node (and path or container for DaemonSet-level findings). */
export function asffId(cluster: string, f: Finding): string {
  const detail = f.node === null ? (f.path ?? f.container ?? '') : '';
  const id = ['drift-auditor', cluster, `${f.namespace || '-'}/${f.daemonSet || '-'}`, f.rule, f.node ?? '-', ...(detail ? [detail] : [])].join('/');
  // Ids are at most 512 characters: a long one keeps its readable head and a hash of the whole.
  return id.length <= MAX_ID ? id : `${id.slice(0, MAX_ID - 65)}#${sha256Hex(id)}`;
}

/** Returns the report's findings (active, waived, and resolved since `previous`) as ASFF. */
export function renderAsff(report: Report, o: AsffOptions): AsffFinding[] {
  const productArn = o.productArn ?? `arn:aws:securityhub:${o.region}:${o.awsAccountId}:product/${o.awsAccountId}/default`;
  const now = report.generatedAt;
  const seenBefore = new Set((o.previous?.findings ?? []).map((f) => asffId(report.cluster, f)));
  const partition = /^arn:([^:]+):/.exec(o.eksClusterArn ?? '')?.[1] ?? 'aws';

  const one = (f: Finding, state: 'active' | 'waived' | 'resolved'): AsffFinding => {
    const id = asffId(report.cluster, f);
    const created = state !== 'resolved' && seenBefore.has(id) && o.previous ? o.previous.generatedAt : now;
    const other: Record<string, string> = {
      cluster: report.cluster,
      namespace: f.namespace,
      daemonSet: f.daemonSet,
      rule: f.rule,
      ...(f.node ? { node: f.node } : {}),
      ...(f.container ? { container: f.container } : {}),
      ...(f.path ? { path: cut(f.path, 1024) } : {}),
      ...(f.changedBy ? { changedBy: `${f.changedBy.manager} (${f.changedBy.operation})${f.changedBy.time ? ` ${f.changedBy.time}` : ''}` } : {}),
    };
    const resources: AsffFinding['Resources'] = [
      {
        Type: 'Other',
        Id: cut(`k8s://${report.cluster}/namespaces/${f.namespace || '-'}/daemonsets/${f.daemonSet || '-'}${f.node ? `/nodes/${f.node}` : ''}`, 512),
        Partition: partition,
        Region: o.region,
        Details: { Other: other },
      },
    ];
    if (o.eksClusterArn)
      resources.push({
        Type: 'AwsEksCluster',
        Id: o.eksClusterArn,
        Partition: partition,
        Region: o.region,
        Details: { AwsEksCluster: { Name: report.cluster } },
      });
    return {
      SchemaVersion: ASFF_SCHEMA_VERSION,
      Id: id,
      ProductArn: productArn,
      GeneratorId: `drift-auditor/${f.rule}`,
      AwsAccountId: o.awsAccountId,
      Region: o.region,
      // namespace/category/classifier: the rule id's own slash would add a fourth part.
      Types: [`Software and Configuration Checks/Kubernetes DaemonSet/${f.rule.replace(/\//g, ' ')}`],
      CreatedAt: created,
      UpdatedAt: now,
      FirstObservedAt: created,
      LastObservedAt: now,
      Severity: { Label: SEVERITY[f.severity], Original: f.severity },
      Title: cut(`${f.rule}: ${f.namespace ? `${f.namespace}/${f.daemonSet}` : 'audit'}${f.node ? ` on ${f.node}` : ''}`, 256),
      Description: cut(state === 'resolved' ? `Resolved: no longer found by the audit of ${now}. Was: ${f.message}` : f.message, 1024),
      ProductName: 'drift-auditor',
      CompanyName: 'drift-auditor',
      Compliance: { Status: state === 'resolved' ? 'PASSED' : f.severity === 'info' ? 'WARNING' : 'FAILED' },
      Workflow: { Status: state === 'resolved' ? 'RESOLVED' : state === 'waived' ? 'SUPPRESSED' : 'NEW' },
      RecordState: state === 'resolved' ? 'ARCHIVED' : 'ACTIVE',
      Resources: resources,
      ProductFields: { 'drift-auditor/cluster': report.cluster, 'drift-auditor/rule': f.rule, 'drift-auditor/complete': String(report.complete) },
      ...(state === 'waived' && f.waiver
        ? {
            Note: {
              Text: cut(`Waived by ${f.waiver.owner} until ${f.waiver.expires}: ${f.waiver.reason}`, 512),
              UpdatedBy: cut(f.waiver.owner, 512),
              UpdatedAt: now,
            },
          }
        : {}),
    };
  };

  const out = [...report.findings.map((f) => one(f, 'active')), ...report.waived.map((f) => one(f, 'waived'))];
  if (o.previous && report.complete) {
    const now = new Set(out.map((x) => x.Id));
    const gone = new Map<string, Finding>();
    for (const f of [...o.previous.findings, ...o.previous.waived]) {
      const id = asffId(report.cluster, f);
      if (!now.has(id) && !gone.has(id)) gone.set(id, f);
    }
    out.push(...[...gone.values()].map((f) => one(f, 'resolved')));
  }
  // Two findings with one Id in one batch would overwrite each other: keep the first (reports sort worst first).
  const seen = new Set<string>();
  return out.filter((x) => (seen.has(x.Id) ? false : (seen.add(x.Id), true)));
}
