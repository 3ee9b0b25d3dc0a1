// The files of a run, rendered once for every caller: report.json, report.md, report.html (with the trend of
// earlier runs when a store has them) and findings.csv. A new format is one more entry here.
import { renderCsv } from '../core/render/csv.js';
import { renderHtml } from '../core/render/html.js';
import { renderMarkdown } from '../core/render/markdown.js';
import type { Report } from '../core/types.js';
import type { Artifact, HistoryPoint } from '../adapters/store/index.js';

export const ARTIFACT_NAMES = ['report.json', 'report.md', 'report.html', 'findings.csv'] as const;
export type ArtifactName = (typeof ARTIFACT_NAMES)[number];

/** Returns the JSON text of a report, as every artifact and stdout carry it. */
export function reportJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** Returns the run's rendered files by name. */
export function renderArtifacts(report: Report, opts: { history?: HistoryPoint[] } = {}): Record<ArtifactName, Artifact & { body: string }> {
  return {
    'report.json': { body: reportJson(report), contentType: 'application/json' },
    'report.md': { body: renderMarkdown(report), contentType: 'text/markdown; charset=utf-8' },
    'report.html': { body: renderHtml(report, { history: opts.history }), contentType: 'text/html; charset=utf-8' },
    'findings.csv': { body: renderCsv(report), contentType: 'text/csv; charset=utf-8' },
  };
}
