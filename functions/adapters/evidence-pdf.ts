// The evidence pack's PDF: the self-contained HTML page printed by headless Chromium (playwright-core
// driving the Chromium of @sparticuz/chromium, or CHROMIUM_PATH), offline, A4 landscape.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DriftAuditorError } from '../core/errors.js';

/** A PDF could not be printed. */
export class ChromiumError extends DriftAuditorError {}

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Returns the Chromium to drive: CHROMIUM_PATH, else the one bundled in @sparticuz/chromium. */
async function chromiumPath(env: NodeJS.ProcessEnv): Promise<string> {
  if (env.CHROMIUM_PATH) {
    if (!existsSync(env.CHROMIUM_PATH)) throw new ChromiumError(`failed to print the PDF: CHROMIUM_PATH=${env.CHROMIUM_PATH} does not exist`);
    return env.CHROMIUM_PATH;
  }
  const { default: bundled } = await import('@sparticuz/chromium');
  return bundled.executablePath();
}

/** Returns the HTML printed to an A4 PDF by headless Chromium (no network: the page is self-contained). */
export async function printPdf(html: string, env: NodeJS.ProcessEnv = process.env): Promise<Buffer> {
  const { chromium } = await import('playwright-core');
  const profile = await mkdtemp(join(tmpdir(), 'drift-auditor-pdf-'));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: await chromiumPath(env),
      args: CHROMIUM_ARGS,
      headless: true,
      offline: true,
    });
    try {
      const page = await context.newPage();
      await page.setContent(html, { waitUntil: 'load' });
      return await page.pdf({ format: 'A4', landscape: true, printBackground: true, margin: { top: '12mm', bottom: '12mm', left: '10mm', right: '10mm' } });
    } finally {
      await context.close();
    }
  } catch (err) {
    if (err instanceof ChromiumError) throw err;
    throw new ChromiumError(`failed to print the PDF with headless Chromium: ${(err as Error).message.split('\n')[0]}`, { cause: err });
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}
