// Lambda `audit`: the staged snapshot + the GitOps manifests at one commit + the policy -> the pure core
// -> a run in the S3 store (report.json/.md/.html, findings.csv, the snapshot copy). An incomplete audit
// is stored first (it is evidence of what could not be read) and THEN fails the step, so the alarm fires
// and notify never treats it as clean.
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { audit } from '../core/audit.js';
import { emptyDumpContents, parseDumpText, snapshotFromDump } from '../core/dump.js';
import { InputError } from '../core/errors.js';
import { renderCsv } from '../core/render/csv.js';
import { renderHtml } from '../core/render/html.js';
import { renderMarkdown } from '../core/render/markdown.js';
import { SEVERITIES, type Report, type Snapshot } from '../core/types.js';
import { readManifests } from '../adapters/manifest-source.js';
import { capabilitiesOf } from '../adapters/render/index.js';
import { loadPolicy } from '../adapters/policy-loader.js';
import { loadRules } from '../adapters/rules-loader.js';
import { openStore, readHistory, type HistoryPoint } from '../adapters/store/index.js';
import type { AuditOutput, SnapshotOutput } from './shared/contract.js';
import { auditorVersion, bundleRoot, requireEnv, rulesDir } from './shared/env.js';
import { AuditIncompleteError } from './shared/errors.js';
import { instrument, logger, metrics, MetricUnit } from './shared/observability.js';
import { getObject, sha256Hex } from './shared/s3.js';
import { githubEnv } from './shared/secrets.js';

/** Largest decompressed snapshot accepted (a 150,000-pod cluster is far below). */
const MAX_SNAPSHOT_BYTES = 512 * 1024 * 1024;

/** Audits the staged snapshot and stores the run; returns the input plus `report` (keys and counts). */
export const handler = instrument('Audit', async (event: SnapshotOutput): Promise<AuditOutput> => {
  const bucket = requireEnv('DRIFT_AUDITOR_BUCKET');
  const c = event.cluster;
  const version = auditorVersion();

  const gz = await getObject({ bucket: event.snapshot.bucket, key: event.snapshot.key, sha256: event.snapshot.sha256 });
  const snapshot = parseSnapshot(gz, `s3://${event.snapshot.bucket}/${event.snapshot.key}`, event.snapshot.sha256, c.name);
  const env = await githubEnv();
  const desired = await readManifests(c.manifests, { env, cluster: { name: c.name }, capabilities: capabilitiesOf(snapshot) });
  // rules/ (and its default-policy.yaml) sit next to index.mjs in the bundle, not where the adapters' defaults look.
  const rules = rulesDir();
  const catalog = await loadRules(rules);
  const policyFile = c.policy ? join(bundleRoot(), c.policy) : undefined;
  const policy = await loadPolicy(policyFile, catalog, { rulesDir: rules });

  // Audit time = the snapshot's own time, so a retry of this step (same staged snapshot) is the same run.
  const at = snapshot.source.kind === 'live' && snapshot.source.finishedAt ? new Date(snapshot.source.finishedAt) : new Date();
  const report = audit(snapshot, desired, policy, at, {
    auditorVersion: version,
    policySource: c.policy ? { file: c.policy } : undefined,
    hash: sha256Hex,
  });
  const store = await openStore(`s3://${bucket}`, { env: process.env });
  const history = await readHistory(store, report);
  // Opt-in Security Hub: the previous run is read before this one is stored (findings gone since become RESOLVED).
  const securityHub = process.env.DRIFT_AUDITOR_SECURITY_HUB === 'true' ? await previousReport(store, report) : undefined;
  const stored = await store.putRun({ report, artifacts: renderArtifacts(report, history), snapshot: gz });
  const keys = keysByName(stored.keys);
  if (securityHub !== undefined) await importToSecurityHub(report, securityHub);

  publishReportMetrics(report, snapshot);
  logger.info('report stored', {
    storeRunId: stored.runId,
    complete: report.complete,
    findings: report.summary.findings,
    ...report.summary.bySeverity,
    commit: desired.source.commit,
    gaps: report.gaps.length,
  });
  if (!report.complete) {
    const what = report.gaps.map((g) => `${g.source}: ${g.message}`).join('; ');
    throw new AuditIncompleteError(`failed to audit cluster ${c.name} completely: ${what}; the incomplete report is stored at ${keys['report.json'] ?? stored.runId}`);
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

/** Returns the snapshot held by a gzipped snapshot file (the dump parser reads it unchanged). */
function parseSnapshot(gz: Buffer, where: string, sha256: string, cluster: string): Snapshot {
  let text: string;
  try {
    text = gunzipSync(gz, { maxOutputLength: MAX_SNAPSHOT_BYTES }).toString('utf8');
  } catch (err) {
    throw new InputError(`failed to read snapshot ${where}: ${(err as Error).message}`, { cause: err });
  }
  const snapshot = snapshotFromDump(parseDumpText(where, text, emptyDumpContents()), [{ path: where, sha256 }], cluster);
  // It was read live by the snapshot function; the file is the hand-off, named by its sha256.
  return { ...snapshot, source: { ...snapshot.source, kind: 'live', sha256 } };
}

/** Returns a run's rendered artifacts (the store writes report.json itself). */
function renderArtifacts(report: Report, history: HistoryPoint[]): Record<string, { body: string; contentType: string }> {
  return {
    'report.md': { body: renderMarkdown(report), contentType: 'text/markdown; charset=utf-8' },
    'report.html': { body: renderHtml(report, { history }), contentType: 'text/html; charset=utf-8' },
    'findings.csv': { body: renderCsv(report), contentType: 'text/csv; charset=utf-8' },
  };
}

/** Returns the run's own files (report.json, …, snapshot.json.gz, manifest.json) by name: what notify and failures need. */
function keysByName(keys: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(keys).filter(([, k]) => k.includes('/runs/')));
}

function publishReportMetrics(report: Report, snapshot: Snapshot): void {
  for (const s of SEVERITIES) metrics.addMetric(`Findings${s[0]!.toUpperCase()}${s.slice(1)}`, MetricUnit.Count, report.summary.bySeverity[s] ?? 0);
  metrics.addMetric('FindingsWaived', MetricUnit.Count, report.summary.waived);
  metrics.addMetric('AuditIncomplete', MetricUnit.Count, report.complete ? 0 : 1);
  metrics.addMetric('NodesAudited', MetricUnit.Count, snapshot.nodes.length);
  metrics.addMetric('DaemonSetsAudited', MetricUnit.Count, report.summary.daemonSets);
}

/** Returns the newest stored run of the cluster older than `report`, or null. */
async function previousReport(store: Awaited<ReturnType<typeof openStore>>, report: Report): Promise<Report | null> {
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
