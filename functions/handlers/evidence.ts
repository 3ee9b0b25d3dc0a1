// Lambda `evidence`, started monthly by EventBridge Scheduler: for every cluster in the bucket, the
// evidence pack of the previous calendar month (core/evidence: required vs covered node-hours, runs
// with verify results, gaps, findings opened/closed, exception register) as JSON, HTML and CSV, stored
// next to the runs under clusters/<cluster>/evidence/<YYYY-MM>/<generatedAt>/, so a rerun adds a pack
// and never overwrites one. The PDF is printed by the CLI (`reports evidence`), where Chromium is.
import { buildEvidenceFromStore, renderEvidenceFiles } from '../adapters/evidence-pack.js';
import { putHandoffObject as putObject } from '../pipeline/handoff.js';
import { openRunStore as openStore } from '../pipeline/store.js';
import { periodOf, previousMonth } from '../core/evidence/index.js';
import { InputError } from '../core/errors.js';
import { auditorVersion, requireEnv } from './shared/env.js';
import { instrument, logger, metrics, MetricUnit } from './shared/observability.js';

export interface EvidenceInput {
  /** `all` (every cluster in the bucket) or one cluster name. */
  cluster: string;
  runId: string;
  /** `YYYY-MM` or `YYYY-Qn`; default the month before now. */
  period?: string;
}

export interface EvidenceOutput {
  period: string;
  packs: { cluster: string; prefix: string; percentages: (number | null)[]; evidenceGapHours: number }[];
}

const CONTENT_TYPES: Record<string, string> = { json: 'application/json', html: 'text/html; charset=utf-8', csv: 'text/csv; charset=utf-8' };

/** Builds and stores the period's evidence pack of each cluster; returns where they are. */
export const handler = instrument('Evidence', async (event: EvidenceInput): Promise<EvidenceOutput> => {
  const bucket = requireEnv('DRIFT_AUDITOR_BUCKET');
  const now = new Date();
  const period = event.period ?? previousMonth(now);
  const range = periodOf(period);
  if (!range) throw new InputError(`failed to build the evidence pack: period '${period}' is not YYYY-MM or YYYY-Qn`);
  const store = openStore(`s3://${bucket}`, { env: process.env });
  const clusters = !event.cluster || event.cluster === 'all' ? await store.listClusters() : [event.cluster];
  const packs: EvidenceOutput['packs'] = [];
  for (const cluster of clusters) {
    const pack = await buildEvidenceFromStore(store, {
      cluster,
      from: range[0],
      to: range[1],
      generatedAt: now.toISOString(),
      auditorVersion: auditorVersion(),
    });
    const prefix = `clusters/${cluster}/evidence/${period}/${now.toISOString().replace(/[:.]/g, '-')}/`;
    for (const [name, body] of Object.entries(renderEvidenceFiles(pack))) {
      await putObject({
        bucket,
        key: prefix + name,
        body,
        contentType: CONTENT_TYPES[name.slice(name.lastIndexOf('.') + 1)] ?? 'application/octet-stream',
        createOnly: true,
      });
    }
    packs.push({ cluster, prefix, percentages: pack.coverage.map((c) => c.percent), evidenceGapHours: pack.summary.evidenceGapHours });
    metrics.addMetric('EvidenceGapHours', MetricUnit.Count, pack.summary.evidenceGapHours);
    logger.info('evidence pack stored', { evidenceCluster: cluster, prefix, runs: pack.summary.runs, gapHours: pack.summary.evidenceGapHours });
  }
  return { period, packs };
});
