// Reads a GitOps folder from disk: every *.yaml, *.yml and *.json below it (skipping .git and
// node_modules), in a deterministic order, parsed by the pure core (functions/core/manifests.ts).
// A pull request writes this folder, so its files are read as hostile (safe-read.ts): only regular
// files, links that stay in the folder, and capped bytes; anything else exits 2 naming the file.
import { join } from 'node:path';
import { InputError } from '../core/errors.js';
import { desiredStateFromFiles, parseManifestFile, type ManifestFileResult } from '../core/manifests.js';
import type { DesiredState, Gap } from '../core/types.js';
import { listTree, ReadBudget, readRegularFile } from './safe-read.js';
import { decodeText } from './text.js';

const SKIP_DIRS = new Set(['.git', 'node_modules']);
const MANIFEST = /\.(ya?ml|json)$/i;
/** Largest manifest file read (the largest real CRD bundles are a few MiB). */
export const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;
/** Largest sum of manifest files read from one folder. */
export const MAX_MANIFEST_TOTAL_BYTES = 1024 * 1024 * 1024;

/** Returns the manifest files under `dir` as sorted, `/`-separated paths relative to `dir`; throws InputError if `dir` is unreadable. */
export async function listManifestFiles(dir: string): Promise<string[]> {
  return listTree(dir, { what: 'manifests folder', accept: (name) => MANIFEST.test(name), skipDirs: SKIP_DIRS });
}

/** Returns a fresh byte budget for one manifests folder or repository. */
export function manifestBudget(): ReadBudget {
  return new ReadBudget(MAX_MANIFEST_BYTES, MAX_MANIFEST_TOTAL_BYTES);
}

/**
 * Returns the text of `file` (relative to `root`), read as hostile (safe-read.ts): InputError naming it
 * when it is no regular file, leaves `root` or passes the budget; a plain Error when it cannot be read.
 */
export async function readManifestText(root: string, file: string, budget: ReadBudget): Promise<string> {
  return decodeText(await readRegularFile(join(root, file), { what: 'manifest', root, budget }));
}

export interface ReadManifestOptions {
  /** Byte caps; default MAX_MANIFEST_BYTES per file and MAX_MANIFEST_TOTAL_BYTES in all. */
  budget?: ReadBudget;
}

/**
 * Returns the parsed files under `dir` (paths relative to it) plus a gap for each file that could not be
 * read; throws InputError for a file that must not be read at all (not a regular file, a link out of
 * `dir`, too large).
 */
export async function readManifestFiles(dir: string, files?: string[], o: ReadManifestOptions = {}): Promise<{ results: ManifestFileResult[]; gaps: Gap[] }> {
  const budget = o.budget ?? manifestBudget();
  const results: ManifestFileResult[] = [];
  const gaps: Gap[] = [];
  for (const f of files ?? (await listManifestFiles(dir))) {
    let text: string;
    try {
      text = await readManifestText(dir, f, budget);
    } catch (err) {
      if (err instanceof InputError) throw err;
      gaps.push({ source: `file:${f}`, message: `failed to read manifest ${f}: ${(err as Error).message}` });
      continue;
    }
    results.push(parseManifestFile(f, text));
  }
  return { results, gaps };
}

/** Returns the desired state of a manifests folder on disk; throws InputError when the folder cannot be read. */
export async function readManifestFolder(dir: string): Promise<DesiredState> {
  const { results, gaps } = await readManifestFiles(dir);
  return desiredStateFromFiles({ kind: 'folder', location: dir }, results, gaps);
}
