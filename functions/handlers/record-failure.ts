// Lambda `record-failure`, the target of every Task's Catch: writes a failed-run record to
// clusters/<cluster>/failures/<ts>-<run>.json (never touching latest.json, so the last good report
// stays the latest) and publishes the RunFailed metric the per-cluster alarm watches.
import { failureKey, type FailureInput, type FailureOutput } from './shared/contract.js';
import { auditorVersion, requireEnv } from './shared/env.js';
import { instrument, logger, metrics, MetricUnit } from './shared/observability.js';
import { putHandoffObject } from '../pipeline/handoff.js';

/** Stores the failed-run record and returns where it is. */
export const handler = instrument('RecordFailure', async (event: FailureInput): Promise<FailureOutput> => {
  const bucket = requireEnv('DRIFT_AUDITOR_BUCKET');
  const at = new Date();
  const cause = parseCause(event.error?.Cause);
  const record = {
    schemaVersion: 1,
    cluster: event.cluster.name,
    runId: event.runId,
    startedAt: event.startedAt,
    failedAt: at.toISOString(),
    auditorVersion: auditorVersion(),
    // Which step failed: the last one whose output is present tells how far the run got.
    failedStep: event.report ? 'notify' : event.snapshot ? 'audit' : 'snapshot',
    error: { name: event.error?.Error ?? 'Unknown', message: cause.errorMessage ?? cause.raw },
    snapshot: event.snapshot ? { key: event.snapshot.key, sha256: event.snapshot.sha256 } : null,
    report: event.report ? { runId: event.report.runId, keys: event.report.keys } : null,
  };
  const key = failureKey(event.cluster.name, event.runId, at);
  await putHandoffObject({ bucket, key, body: `${JSON.stringify(record, null, 2)}\n`, contentType: 'application/json', createOnly: true });
  metrics.addMetric('RunFailed', MetricUnit.Count, 1);
  logger.warn('failed run recorded', { key, failedStep: record.failedStep, errorName: record.error.name, errorMessage: record.error.message });
  return { cluster: event.cluster.name, runId: event.runId, status: 'failed', failureKey: key, error: record.error.name };
});

/** Step Functions passes the Lambda error as a JSON string {errorType, errorMessage, trace}; keep the message only. */
function parseCause(cause: string | undefined): { errorMessage?: string; raw: string } {
  if (!cause) return { raw: '' };
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    return { errorMessage: typeof parsed.errorMessage === 'string' ? parsed.errorMessage : undefined, raw: cause.slice(0, 4000) };
  } catch {
    return { raw: cause.slice(0, 4000) };
  }
}
