// Writes a PNG screenshot of a report.html, opened from file:// in headless Chromium (Debian
// `chromium`, driven by playwright-core). Usage: npx tsx scripts/screenshot-report.ts report.html [out.png]
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { launchChromium } from '../test/browser/chromium.js';

/** Opens `htmlPath` in headless Chromium and writes a PNG of the page's top `maxHeight` pixels to `pngPath`. */
export async function screenshotReport(htmlPath: string, pngPath: string, maxHeight = 2000): Promise<void> {
  const chromium = await launchChromium();
  try {
    const page = await chromium.context.newPage();
    await page.goto(pathToFileURL(resolve(htmlPath)).href);
    await page.waitForFunction(() => (window as unknown as { __matrixDrawn?: boolean }).__matrixDrawn === true);
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    await page.screenshot({ path: pngPath, fullPage: true, clip: { x: 0, y: 0, width: 1280, height: Math.min(height, maxHeight) } });
  } finally {
    await chromium.close();
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
