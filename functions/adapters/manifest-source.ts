// One entry point for the desired state: `--manifests github:OWNER/REPO[@REF][:PATH]` reads GitHub at
// one commit (github-source.ts); anything else is a local folder, whose commit (and whether the work
// tree is dirty) is recorded when it lies in a git work tree. Kustomize folders are rendered in both.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { desiredStateFromFiles, type ManifestFileResult } from '../core/manifests.js';
import type { DesiredSource, DesiredState, Gap } from '../core/types.js';
import { parseGitHubSpec, readGitHubManifests, type ReadGitHubOptions } from './github-source.js';
import { isKustomizationFile, planKustomize, renderKustomizations, type KustomizeOptions } from './kustomize.js';
import { listManifestFiles, readManifestFiles } from './manifest-folder.js';

export interface ReadManifestsOptions extends ReadGitHubOptions, KustomizeOptions {
  env?: NodeJS.ProcessEnv;
}

/** Returns the desired state named by `spec` (a folder or `github:OWNER/REPO[@REF][:PATH]`). */
export async function readManifests(spec: string, opts: ReadManifestsOptions = {}): Promise<DesiredState> {
  if (spec.startsWith('github:')) return readGitHubManifests(parseGitHubSpec(spec), opts);
  return readLocalManifests(spec, opts);
}

/** Returns the desired state of a local folder, kustomizations rendered, with its git commit when known. */
export async function readLocalManifests(dir: string, opts: KustomizeOptions = {}): Promise<DesiredState> {
  const files = await listManifestFiles(dir);
  const kustomizations = await Promise.all(files.filter(isKustomizationFile).map(async (path) => ({
    path,
    text: await readFile(join(dir, path), 'utf8').catch(() => ''),
  })));
  const plan = planKustomize(kustomizations);
  const raw = files.filter((f) => !isKustomizationFile(f) && !plan.covered(f));
  const entries: { path: string; result: ManifestFileResult }[] = [];
  const gaps: Gap[] = [];
  for (const path of raw) {
    // One file at a time, so each result keeps its path (an unreadable file is a gap, not a result).
    const r = await readManifestFiles(dir, [path]);
    gaps.push(...r.gaps);
    if (r.results[0]) entries.push({ path, result: r.results[0] });
  }
  const rendered = await renderKustomizations(plan.roots, { ...opts, root: dir });
  plan.roots.forEach((path, i) => entries.push({ path, result: rendered[i]! }));
  const ordered = entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const source: DesiredSource = { kind: 'folder', location: dir, ...(await readGitInfo(dir)) };
  return desiredStateFromFiles(source, ordered.map((e) => e.result), gaps);
}

function git(dir: string, args: string[]): Promise<string | null> {
  return new Promise((resolve) => {
    execFile('git', ['-C', dir, ...args], { timeout: 10_000 }, (err, stdout) => resolve(err ? null : stdout.trim()));
  });
}

/** Returns the commit, branch and dirty flag of the git work tree holding `dir`, or {} when there is none. */
export async function readGitInfo(dir: string): Promise<Pick<DesiredSource, 'commit' | 'ref' | 'dirty'>> {
  const commit = await git(dir, ['rev-parse', 'HEAD']);
  if (!commit || !/^[0-9a-f]{40,64}$/.test(commit)) return {};
  const ref = await git(dir, ['rev-parse', '--abbrev-ref', 'HEAD']);
  const status = await git(dir, ['status', '--porcelain', '--', '.']);
  return { commit, ...(ref && ref !== 'HEAD' ? { ref } : {}), ...(status !== null ? { dirty: status.length > 0 } : {}) };
}
