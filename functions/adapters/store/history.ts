// The trend the HTML report draws: findings by severity of a cluster's earlier runs, from the store's
// per-run index objects (one small object per run, so reading them never races a writer).
// Only runs generated BEFORE the report count: a run's artifacts depend on its own inputs and the runs
// before it, never on itself or on later runs, so a retry renders the same bytes.
import type { Report, Severity } from '../../core/types.js';
import type { ReportStore } from './report-store.js';

export interface HistoryPoint {
  generatedAt: string;
  bySeverity: Record<Severity, number>;
}

/** Returns up to `limit` runs of the report's cluster generated before it, oldest first, followed by the report itself. */
export async function readHistory(store: ReportStore, report: Report, limit = 30): Promise<HistoryPoint[]> {
  const earlier = await store.listRuns(report.cluster, { limit, before: report.generatedAt });
  return [
    ...earlier.reverse().map((r) => ({ generatedAt: r.generatedAt, bySeverity: r.bySeverity })),
    { generatedAt: report.generatedAt, bySeverity: report.summary.bySeverity },
  ];
}
