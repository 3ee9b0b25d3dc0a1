// HTML report benchmark: size of report.html for the benchmark cluster (5,000 nodes x 12 DaemonSets,
// thousands of findings) and the time headless Chromium takes from navigation to the coverage
// matrix being drawn (the page records performance.now() when its first draw ends).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { renderHtml } from '../functions/core/render/html.js';
import type { Report } from '../functions/core/types.js';
import { launchChromium } from '../test/browser/chromium.js';
import { largeReport } from '../test/support/report-builder.js';

export interface BenchHtmlRow {
  nodes: number;
  daemonSets: number;
  findings: number;
  htmlBytes: number;
  renderMs: number;
  /** Navigation start to matrix drawn, as the page measures it. */
  drawnMs: number;
  /** goto() to matrix drawn, as the driver sees it. */
  wallMs: number;
}

/** Prints HTML size and Chromium load-to-matrix time for `report` (or the generated cluster per size). */
export async function benchHtml(arg: Report | { sizes?: number[]; repeat?: number; print?: (l: string) => void } = {}): Promise<BenchHtmlRow[]> {
  const opts = 'schemaVersion' in arg ? {} : arg;
  const reports = 'schemaVersion' in arg ? [arg] : (opts.sizes ?? [5000]).map((nodes) => largeReport({ nodes }));
  const print = ('print' in opts && opts.print) || ((l: string) => console.log(l));
  const repeat = ('repeat' in opts && opts.repeat) || 3;
  const dir = await mkdtemp(join(tmpdir(), 'drift-bench-html-'));
  const chromium = await launchChromium();
  const rows: BenchHtmlRow[] = [];
  print(`html benchmark: headless Chromium, file://, fastest of ${repeat}; goals < 5 MB and < 2 s`);
  print(
    `${'nodes'.padStart(6)} ${'DS'.padStart(3)} ${'findings'.padStart(8)} | ${'HTML MB'.padStart(8)} ${'render ms'.padStart(9)} | ${'drawn ms'.padStart(8)} ${'wall ms'.padStart(8)}`,
  );
  try {
    for (const report of reports) {
      let t = performance.now();
      const html = renderHtml(report);
      const renderMs = performance.now() - t;
      const file = join(dir, `report-${report.nodes.length}.html`);
      await writeFile(file, html);
      let best = { drawnMs: Infinity, wallMs: Infinity };
      for (let i = 0; i < repeat; i++) {
        const page = await chromium.context.newPage();
        t = performance.now();
        await page.goto(pathToFileURL(file).href);
        await page.waitForFunction(() => (window as unknown as { __matrixDrawn?: boolean }).__matrixDrawn === true, undefined, { polling: 10 });
        const wallMs = performance.now() - t;
        const drawnMs = await page.evaluate(() => (window as unknown as { __matrixDrawnMs: number }).__matrixDrawnMs);
        if (drawnMs < best.drawnMs) best = { drawnMs, wallMs };
        await page.close();
      }
      const row: BenchHtmlRow = {
        nodes: report.nodes.length,
        daemonSets: report.coverage.length,
        findings: report.findings.length,
        htmlBytes: Buffer.byteLength(html),
        renderMs,
        ...best,
      };
      rows.push(row);
      print(
        `${String(row.nodes).padStart(6)} ${String(row.daemonSets).padStart(3)} ${String(row.findings).padStart(8)} | ${(row.htmlBytes / 1048576).toFixed(2).padStart(8)} ${row.renderMs.toFixed(0).padStart(9)} | ${row.drawnMs.toFixed(0).padStart(8)} ${row.wallMs.toFixed(0).padStart(8)}`,
      );
    }
  } finally {
    await chromium.close();
    await rm(dir, { recursive: true, force: true });
  }
  return rows;
}
