// The GitOps fixture repositories as file maps (with the loopback Helm repository's URL filled in), for
// writing to a folder or seeding the GitHub emulator.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findTool } from '../../../functions/adapters/tools.js';
import { reposRoutes } from '../../emulators/github/repos.js';
import { startGitHubEmulator, type GitHubEmulator } from '../../emulators/github/server.js';
import { startHelmRepo, type HelmRepoEmulator, type HelmRepoOptions } from '../../emulators/helm-repo/server.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));

/** The charts each fixture repository holds under charts/: kept once, in test/fixtures/charts/. */
const REPO_CHARTS: Record<string, string[]> = { 'gitops-argocd': ['node-agent'], 'gitops-flux': ['lookup-agent'] };

/**
 * Returns the files of test/fixtures/<name> (SOURCES.md left out) plus its charts from test/fixtures/charts/ under
 * charts/, with `HELM_REPO_URL` replaced.
 */
export function fixtureFiles(name: string, helmRepoURL = 'http://127.0.0.1:9'): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (root: string, under: string, d = root) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(root, under, p);
      else if (e !== 'SOURCES.md') out[join(under, relative(root, p))] = readFileSync(p, 'utf8').replaceAll('HELM_REPO_URL', helmRepoURL);
    }
  };
  walk(join(FIXTURES, name), '');
  for (const chart of REPO_CHARTS[name] ?? []) walk(join(FIXTURES, 'charts', chart), join('charts', chart));
  return out;
}

/** The loopback servers a GitOps render test needs, and a chart cache folder; `made` folders are removed on close. */
export interface RenderTestEnv {
  helmRepo: HelmRepoEmulator;
  github: GitHubEmulator;
  cacheDir: string;
  made: string[];
  close(): Promise<void>;
}

/** Starts a Helm repository serving `charts` and the GitHub emulator. */
export async function startRenderTestEnv(charts: HelmRepoOptions['charts']): Promise<RenderTestEnv> {
  const helmRepo = await startHelmRepo({ helm: await findTool('helm'), charts });
  const github = await startGitHubEmulator(reposRoutes);
  const cacheDir = mkdtempSync(join(tmpdir(), 'render-cache-'));
  const made = [cacheDir];
  return {
    helmRepo,
    github,
    cacheDir,
    made,
    close: async () => {
      await helmRepo.close();
      await github.close();
      for (const d of made) rmSync(d, { recursive: true, force: true });
    },
  };
}
