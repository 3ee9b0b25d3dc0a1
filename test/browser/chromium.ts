// Headless Chromium for the browser tests: the Chromium that ships inside the npm package
// @sparticuz/chromium (unpacked to the temp folder on first use), driven by playwright-core, with a
// fresh profile and no background traffic. CHROMIUM_PATH may point at another build. A browser
// that cannot start is a test failure, never a skip.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Returns the path of the Chromium to drive: CHROMIUM_PATH, else the one bundled in @sparticuz/chromium. */
export async function chromiumPath(): Promise<string> {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`CHROMIUM_PATH=${fromEnv} does not exist`);
    return fromEnv;
  }
  const { default: bundled } = await import('@sparticuz/chromium');
  return bundled.executablePath();
}

/** Launches Chromium with a fresh user-data-dir; `close()` also removes the profile. */
export async function launchChromium(): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  const executablePath = await chromiumPath();
  const profile = await mkdtemp(join(tmpdir(), 'drift-auditor-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    args: CHROMIUM_ARGS,
    headless: true,
    viewport: { width: 1280, height: 900 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
