// Lambda `notify`: reads the stored report and brings GitHub in line with it (one living issue per
// drifting DaemonSet; no write when nothing changed). It refuses an incomplete report: silence about
// an incomplete audit must never read as "no drift".
import { GitHubError } from '../core/errors.js';
import type { Report } from '../core/types.js';
import { notifyGitHub } from '../pipeline/notify.js';
import { openRunStore, readStoredReport } from '../pipeline/store.js';
import type { AuditOutput, NotifyOutput } from './shared/contract.js';
import { requireEnv } from './shared/env.js';
import { AuditIncompleteError } from './shared/errors.js';
import { instrument, logger, metrics, MetricUnit } from './shared/observability.js';
import { githubEnv } from './shared/secrets.js';

/** Syncs GitHub with the run's report; returns the input plus `notify` (summary, writes). */
export const handler = instrument('Notify', async (event: AuditOutput): Promise<NotifyOutput> => {
  const bucket = requireEnv('DRIFT_AUDITOR_BUCKET');
  const repo = requireEnv('DRIFT_AUDITOR_ISSUES_REPO');
  const key = event.report.keys['report.json'];
  if (!key) throw new AuditIncompleteError(`failed to notify for cluster ${event.cluster.name}: the run has no report.json`);
  const store = openRunStore(`s3://${bucket}`, { env: process.env });
  // parseReport's checks: a report that says complete but records gaps is refused here too.
  const report = await readStoredReport(store, key);
  if (!report.complete) {
    throw new AuditIncompleteError(
      `failed to notify for cluster ${event.cluster.name}: report ${key} is incomplete, and an incomplete report is never sent as clean`,
    );
  }
  const env = await githubEnv();
  const htmlKey = event.report.keys['report.html'];
  // The object's location, never a presigned URL (it would put the role's session token in GitHub).
  const reportUrl = htmlKey ? store.describe(htmlKey) : undefined;
  const result = await notifyGitHub(report, {
    repo,
    minSeverity: (process.env.DRIFT_AUDITOR_MIN_SEVERITY ?? 'warning') as Report['findings'][number]['severity'],
    reportUrl,
    pulls: process.env.DRIFT_AUDITOR_PULL_REQUESTS !== 'false',
    // GitHub's write pacing (1 write/s); 'off' only for GitHub Enterprise without secondary limits, or tests.
    throttle: process.env.DRIFT_AUDITOR_GITHUB_THROTTLE !== 'off',
    env,
    // Two executions at once (schedule + a manual start) notify one repository in turn, not together.
    lock: store,
    log: (line: string) => logger.info('notify action', { action: line }),
  });
  metrics.addMetric('GitHubWrites', MetricUnit.Count, result.writes);
  if (!result.complete) {
    // Retried by the state machine: the adapter is idempotent, so the next attempt finishes the job.
    throw new GitHubError(`failed to bring GitHub in line with the report for cluster ${event.cluster.name}: ${result.notDone.join('; ')}`);
  }
  logger.info('github in line with report', { summary: result.summary, writes: result.writes });
  return { ...event, notify: { summary: result.summary, writes: result.writes } };
});
