// Writes a PNG screenshot of a report.html, opened from file:// in headless Chromium (Debian
// `chromium`, driven by playwright-core). Usage: npx tsx scripts/screenshot-report.ts report.html [out.png]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Opens `htmlPath` in headless Chromium and writes a full-page PNG to `pngPath`. */
export async function screenshotReport(htmlPath: string, pngPath: string): Promise<void> {
  const profile = await mkdtemp(join(tmpdir(), 'drift-auditor-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: ARGS, headless: true, viewport: { width: 1280, height: 900 } });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(pathToFileURL(resolve(htmlPath)).href);
    await page.waitForFunction(() => (window as unknown as { __matrixDrawn?: boolean }).__matrixDrawn === true);
    await page.screenshot({ path: pngPath, fullPage: true });
  } finally {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [html, png = 'docs/report-screenshot.png'] = process.argv.slice(2);
  if (!html) {
    process.stderr.write('usage: tsx scripts/screenshot-report.ts report.html [out.png]\n');
    process.exit(2);
  }
  await screenshotReport(html, png);
  process.stdout.write(`wrote ${png}\n`);
}
