// Test repositories on disk: files from a map plus fixture charts, optionally a git work tree with an
// origin remote (so Applications and GitRepositories can name "this repository").
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DesiredState } from '../../../functions/core/types.js';

export const CHARTS = fileURLToPath(new URL('../../fixtures/charts/', import.meta.url));

/** Writes `files` (path -> text) and the named fixture charts (chart -> target folder) into a new temp folder. */
export function makeRepo(files: Record<string, string>, charts: Record<string, string> = {}, opts: { origin?: string } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'render-repo-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  for (const [chart, target] of Object.entries(charts)) cpSync(join(CHARTS, chart), join(dir, target), { recursive: true });
  if (opts.origin) {
    const git = (...args: string[]) => execFileSync('git', ['-C', dir, ...args], { stdio: 'pipe' });
    git('init', '-q', '-b', 'main');
    git('remote', 'add', 'origin', opts.origin);
    git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'add', '.');
    git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-q', '-m', 'init');
  }
  return dir;
}

/** Returns `name: image` of every desired DaemonSet's first container. */
export function images(desired: DesiredState): Record<string, string> {
  return Object.fromEntries(
    desired.daemonSets.map((d) => [`${d.manifest.metadata.namespace}/${d.manifest.metadata.name}`, d.manifest.spec.template.spec.containers[0]!.image ?? '']),
  );
}
