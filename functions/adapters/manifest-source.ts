// One entry point for the desired state: `--manifests github:OWNER/REPO[@REF][:PATH]` reads GitHub at
// one commit (github-source.ts); anything else is a local folder, whose commit (and whether the work
// tree is dirty) is recorded when it lies in a git work tree. Both are rendered the same way
// (render/): kustomizations, charts, Argo CD Applications and Flux objects, as the controllers would.
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { relative, resolve, sep } from 'node:path';
import { InputError } from '../core/errors.js';
import type { DesiredSource, DesiredState } from '../core/types.js';
import { parseGitHubSpec, readGitHubManifests, type ReadGitHubOptions } from './github-source.js';
import { renderDesiredState, RepoTree, type RenderOptions } from './render/index.js';

export interface ReadManifestsOptions extends ReadGitHubOptions, RenderOptions {
  env?: NodeJS.ProcessEnv;
  /** This repository's URL, for a folder whose git origin remote is absent or differs (default: DRIFT_AUDITOR_REPO_URL, else the git origin remote). */
  repoURL?: string;
}

/** Returns the desired state named by `spec` (a folder or `github:OWNER/REPO[@REF][:PATH]`). */
export async function readManifests(spec: string, opts: ReadManifestsOptions = {}): Promise<DesiredState> {
  if (spec.startsWith('github:')) return readGitHubManifests(parseGitHubSpec(spec), opts);
  return readLocalManifests(spec, opts);
}

/** Returns the desired state of a local folder, rendered, with its git commit when known. */
export async function readLocalManifests(dir: string, opts: ReadManifestsOptions = {}): Promise<DesiredState> {
  try {
    if (!(await stat(dir)).isDirectory()) throw new Error('not a directory');
  } catch (err) {
    throw new InputError(`failed to read manifests folder ${dir}: ${(err as Error).message}`, { cause: err });
  }
  const info = await readGitInfo(dir);
  const top = info.commit ? await git(dir, ['rev-parse', '--show-toplevel']) : null;
  const root = top ?? dir;
  const entry = top ? relative(top, resolve(dir)).split(sep).join('/') : '';
  const origin = top ? await git(dir, ['remote', 'get-url', 'origin']) : null;
  const env = opts.env ?? process.env;
  const url = opts.repoURL ?? env.DRIFT_AUDITOR_REPO_URL ?? origin;
  const tree = new RepoTree({ root, ...(url ? { url } : {}), ...(info.commit ? { commit: info.commit } : {}) });
  const source: DesiredSource = { kind: 'folder', location: dir, ...info };
  try {
    return await renderDesiredState(source, tree, entry.startsWith('..') ? '' : entry, opts);
  } finally {
    await tree.dispose();
  }
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
