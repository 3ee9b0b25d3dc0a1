// The evidence store as the pipeline uses it: open it, store a run (artifacts plus the evidence snapshot,
// never overwriting), link its HTML report, and read reports and staged objects back. Every S3 read goes
// through the store adapter; every report read goes through parseReport's checks.
import type { Report } from '../core/types.js';
import { openStore, readHistory, type Artifact, type OpenStoreOptions, type ReportStore } from '../adapters/store/index.js';
import { parseReport } from '../adapters/report-source.js';
import type { AuditRun } from './run.js';
import { renderArtifacts } from './artifacts.js';

export { openStore, type ReportStore };
/** Returns the report at a path or `s3://bucket/key`, checked by parseReport. */
export { readReport } from '../adapters/report-source.js';

export interface StoredRunResult {
  runId: string;
  /** Store-relative key by object name. */
  keys: Record<string, string>;
  /** Where report.html is, for issues: s3://bucket/key or a path, never a presigned URL (it would carry a credential). */
  reportUrl?: string;
  /** Where report.html is, for messages. */
  location: string;
}

/** Opens the store at `spec` (a folder or s3://BUCKET/PREFIX). */
export function openRunStore(spec: string, opts: OpenStoreOptions): ReportStore {
  return openStore(spec, opts);
}

/** Returns the run's artifacts with the HTML drawing the trend of the cluster's earlier runs in the store. */
export async function renderStoredArtifacts(store: ReportStore, report: Report): Promise<ReturnType<typeof renderArtifacts>> {
  return renderArtifacts(report, { history: await readHistory(store, report) });
}

/** Stores the run's artifacts (rendered with the trend unless given) with the evidence; returns the keys and a report link. */
export async function storeRun(store: ReportStore, run: AuditRun, artifacts?: Record<string, Artifact>): Promise<StoredRunResult> {
  const stored = await store.putRun({ report: run.report, artifacts: artifacts ?? (await renderStoredArtifacts(store, run.report)), snapshot: run.evidence });
  const htmlKey = stored.keys['report.html'];
  const reportUrl = htmlKey ? store.describe(htmlKey) : undefined;
  return { runId: stored.runId, keys: stored.keys, location: store.describe(htmlKey ?? ''), ...(reportUrl ? { reportUrl } : {}) };
}

/** Returns the report stored under `key`, checked by parseReport (a report that says complete but lists gaps is refused). */
export async function readStoredReport(store: ReportStore, key: string): Promise<Report> {
  return parseReport((await store.getObject(key)).toString('utf8'), store.describe(key));
}
