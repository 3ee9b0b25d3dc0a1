// Lambda `audit`: the staged snapshot + the GitOps manifests at one commit + the policy -> the pipeline
// (functions/pipeline/) -> a run in the S3 store (report.json/.md/.html, findings.csv, the snapshot copy). An
// incomplete audit is stored first (it is evidence of what could not be read) and THEN fails the step, so the
// alarm fires and notify never treats it as clean.
import { join } from 'node:path';
import { describeGaps } from '../core/findings.js';
import { SEVERITIES, type Report } from '../core/types.js';
import { readDesired, readPolicy, readSnapshot } from '../pipeline/inputs.js';
import { runAudit } from '../pipeline/run.js';
import { openRunStore, storeRun } from '../pipeline/store.js';
import type { AuditOutput, SnapshotOutput } from './shared/contract.js';
import { auditorVersion, bundleRoot, requireEnv, rulesDir } from './shared/env.js';
import { AuditIncompleteError } from './shared/errors.js';
import { instrument, logger, metrics, MetricUnit } from './shared/observability.js';
import { githubEnv, helmCredentialsEnv } from './shared/secrets.js';

/** Audits the staged snapshot and stores the run; returns the input plus `report` (keys and counts). */
export const handler = instrument('Audit', async (event: SnapshotOutput): Promise<AuditOutput> => {
  const bucket = requireEnv('DRIFT_AUDITOR_BUCKET');
  const c = event.cluster;
  // The staging bucket is the run store's bucket; the store adapter is the one S3 reader.
  const store = openRunStore(`s3://${bucket}`, { env: process.env });
  const staging = event.snapshot.bucket === bucket ? store : openRunStore(`s3://${event.snapshot.bucket}`, { env: process.env });
  // The staged snapshot was redacted by the live read: it is the evidence as it is.
  const staged = await staging.getObject(event.snapshot.key);
  const snapshot = await readSnapshot({
    kind: 'staged',
    location: `s3://${event.snapshot.bucket}/${event.snapshot.key}`,
    bytes: staged,
    sha256: event.snapshot.sha256,
    cluster: c.name,
  });
  // Chart repository credentials (when configured) reach only the renderers' chart source, through the environment it reads.
  const env = await helmCredentialsEnv(await githubEnv());
  const desired = await readDesired(c.liveOnly ? { kind: 'none' } : { kind: 'manifests', spec: c.manifests ?? '' }, {
    env,
    snapshot,
    cluster: {
      ...(c.server ? { server: c.server } : {}),
      ...(c.labels ? { labels: c.labels } : {}),
      ...(c.argocdCluster ? { argocdCluster: c.argocdCluster } : {}),
    },
  });
  // rules/ (and its default-policy.yaml) sit next to index.mjs in the bundle, not where the adapters' defaults look.
  const { policy, policySource } = await readPolicy({ rulesDir: rulesDir(), file: c.policy ? join(bundleRoot(), c.policy) : undefined, name: c.policy });

  // Audit time = the snapshot's own time, so a retry of this step (same staged snapshot) is the same run.
  const at = snapshot.source.finishedAt ? new Date(snapshot.source.finishedAt) : new Date();
  const run = runAudit({ snapshot, desired, policy, policySource, at, auditorVersion: auditorVersion() }, { bytes: staged });
  const { report } = run;
  // Opt-in Security Hub: the previous run is read before this one is stored (findings gone since become RESOLVED).
  const securityHub = process.env.DRIFT_AUDITOR_SECURITY_HUB === 'true' ? await previousReport(store, report) : undefined;
  const stored = await storeRun(store, run);
  const keys = keysByName(stored.keys);
  if (securityHub !== undefined) await importToSecurityHub(report, securityHub);

  publishReportMetrics(report);
  logger.info('report stored', {
    storeRunId: stored.runId,
    complete: report.complete,
    findings: report.summary.findings,
    ...report.summary.bySeverity,
    commit: desired.source.commit,
    gaps: report.gaps.length,
    warnings: report.warnings?.length ?? 0,
  });
  if (!report.complete) {
    throw new AuditIncompleteError(
      `failed to audit cluster ${c.name} completely: ${describeGaps(report.gaps)}; the incomplete report is stored at ${keys['report.json'] ?? stored.runId}`,
    );
  }
  return {
    ...event,
    report: {
      runId: stored.runId,
      keys,
      complete: report.complete,
      findings: report.summary.findings,
      bySeverity: report.summary.bySeverity,
      ...(desired.source.commit ? { commit: desired.source.commit } : {}),
    },
  };
});

/** Returns the run's own files (report.json, …, snapshot.json.gz, manifest.json) by name: what notify and failures need. */
function keysByName(keys: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(keys).filter(([, k]) => k.includes('/runs/')));
}

function publishReportMetrics(report: Report): void {
  for (const s of SEVERITIES) metrics.addMetric(`Findings${s[0]!.toUpperCase()}${s.slice(1)}`, MetricUnit.Count, report.summary.bySeverity[s] ?? 0);
  metrics.addMetric('FindingsWaived', MetricUnit.Count, report.summary.waived);
  metrics.addMetric('AuditIncomplete', MetricUnit.Count, report.complete ? 0 : 1);
  metrics.addMetric('NodesAudited', MetricUnit.Count, report.summary.nodes);
  metrics.addMetric('DaemonSetsAudited', MetricUnit.Count, report.summary.daemonSets);
}

/** Returns the newest stored run of the cluster older than `report`, or null. */
async function previousReport(store: ReturnType<typeof openRunStore>, report: Report): Promise<Report | null> {
  const prior = (await store.listRuns(report.cluster, { limit: 5 })).find((r) => r.generatedAt < report.generatedAt);
  return prior ? (await store.getRun(report.cluster, prior.runId)).report : null;
}

/** Imports the report's findings into Security Hub (BatchImportFindings); refused findings are logged and counted, not fatal. */
async function importToSecurityHub(report: Report, previous: Report | null): Promise<void> {
  const { asffOptionsFromEnv, HttpSecurityHub, importFindings } = await import('../adapters/security-hub.js');
  const { renderAsff } = await import('../core/render/asff.js');
  const target = asffOptionsFromEnv(process.env);
  const { AWS_ACCESS_KEY_ID: accessKeyId = '', AWS_SECRET_ACCESS_KEY: secretAccessKey = '', AWS_SESSION_TOKEN: sessionToken } = process.env;
  const client = new HttpSecurityHub({
    region: target.region,
    endpoint: process.env.AWS_ENDPOINT_URL_SECURITYHUB || undefined,
    credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) },
  });
  const summary = await importFindings(client, renderAsff(report, { ...target, previous }));
  metrics.addMetric('SecurityHubImported', MetricUnit.Count, summary.imported);
  metrics.addMetric('SecurityHubFailedFindings', MetricUnit.Count, summary.failed.length);
  if (summary.failed.length) logger.warn('Security Hub refused findings', { failed: summary.failed.slice(0, 20) });
  else logger.info('findings imported into Security Hub', { imported: summary.imported, calls: summary.calls });
}
