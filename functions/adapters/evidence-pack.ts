// Evidence packs from the report store: reads and verifies every run of a cluster around a period
// (the store's own listRuns/getRun/verifyRun), hands them to the pure core (core/evidence) and renders
// JSON, CSV and HTML (the PDF is evidence-pdf.ts, kept apart so Lambda bundles need no Chromium).
// Nothing here judges coverage.
import { buildEvidence, type EvidenceOptions, type EvidencePack, type EvidenceRunInput } from '../core/evidence/index.js';
import { renderEvidenceCsv } from '../core/render/evidence-csv.js';
import { renderEvidenceHtml } from '../core/render/evidence-html.js';
import type { ReportStore } from './store/index.js';

/** Runs listed per store read: enough for years of daily runs of one cluster. */
const MAX_RUNS = 100_000;

/**
 * Returns every run of the cluster from the last one before `from` up to `to`, each read and verified.
 * A run whose objects cannot be read or verified is kept as such (it is a gap in evidence, not an error).
 */
export async function readEvidenceRuns(store: ReportStore, cluster: string, from: Date, to: Date): Promise<EvidenceRunInput[]> {
  const all = await store.listRuns(cluster, { limit: MAX_RUNS });
  const fromIso = from.toISOString();
  const toIso = to.toISOString();
  // Newest first: keep the period, plus the newest run before it (its state carries into the period).
  const inPeriod = all.filter((r) => r.generatedAt >= fromIso && r.generatedAt < toIso);
  const before = all.find((r) => r.generatedAt < fromIso);
  const wanted = [...(before ? [before] : []), ...inPeriod];
  const out: EvidenceRunInput[] = [];
  for (const r of wanted) {
    const problems: string[] = [];
    let verified = false;
    try {
      const v = await store.verifyRun(cluster, r.runId);
      verified = v.ok;
      for (const o of v.objects) if (o.status !== 'ok') problems.push(`${o.name} ${o.status}${o.detail ? `: ${o.detail}` : ''}`);
    } catch (err) {
      problems.push(`verify failed: ${(err as Error).message}`);
    }
    let stored: Awaited<ReturnType<ReportStore['getRun']>> | null = null;
    try {
      stored = await store.getRun(cluster, r.runId);
    } catch (err) {
      problems.push(`read failed: ${(err as Error).message}`);
    }
    out.push({
      runId: r.runId,
      generatedAt: r.generatedAt,
      manifestSha256: r.manifestSha256,
      ...(stored ? { reportSha256: stored.manifest.reportSha256 } : {}),
      ...(stored?.manifest.snapshotSha256 ? { snapshotSha256: stored.manifest.snapshotSha256 } : {}),
      verified,
      problems,
      report: stored?.report ?? null,
    });
  }
  return out;
}

/** Returns the evidence pack for a cluster and period from the store. */
export async function buildEvidenceFromStore(store: ReportStore, o: EvidenceOptions): Promise<EvidencePack> {
  return buildEvidence(await readEvidenceRuns(store, o.cluster, o.from, o.to), o);
}

/** Returns the files of a pack by name: evidence.json, evidence.html, the CSVs (not the PDF). */
export function renderEvidenceFiles(pack: EvidencePack): Record<string, string> {
  return {
    'evidence.json': `${JSON.stringify(pack, null, 2)}\n`,
    'evidence.html': renderEvidenceHtml(pack),
    ...renderEvidenceCsv(pack),
  };
}
