// Reads a GitOps folder from disk: every *.yaml, *.yml and *.json below it (skipping .git and
// node_modules), in a deterministic order, parsed by the pure core (functions/core/manifests.ts).
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { InputError } from '../core/errors.js';
import { desiredStateFromFiles, parseManifestFile, type ManifestFileResult } from '../core/manifests.js';
import type { DesiredState, Gap } from '../core/types.js';
import { decodeText } from './text.js';

const SKIP_DIRS = new Set(['.git', 'node_modules']);
const MANIFEST = /\.(ya?ml|json)$/i;

/** Returns the manifest files under `dir` as sorted, `/`-separated paths relative to `dir`; throws InputError if `dir` is unreadable. */
export async function listManifestFiles(dir: string): Promise<string[]> {
  try {
    if (!(await stat(dir)).isDirectory()) throw new Error('not a directory');
  } catch (err) {
    throw new InputError(`failed to read manifests folder ${dir}: ${(err as Error).message}`, { cause: err });
  }
  const files: string[] = [];
  const walk = async (d: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch (err) {
      throw new InputError(`failed to read manifests folder ${d}: ${(err as Error).message}`, { cause: err });
    }
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name)) await walk(p);
      } else if ((e.isFile() || e.isSymbolicLink()) && MANIFEST.test(e.name)) {
        files.push(relative(dir, p).split(sep).join('/'));
      }
    }
  };
  await walk(dir);
  return files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Returns the parsed files under `dir` (paths relative to it) plus a gap for each file that could not be read. */
export async function readManifestFiles(dir: string, files?: string[]): Promise<{ results: ManifestFileResult[]; gaps: Gap[] }> {
  const results: ManifestFileResult[] = [];
  const gaps: Gap[] = [];
  for (const f of files ?? (await listManifestFiles(dir))) {
    let text: string;
    try {
      text = decodeText(await readFile(join(dir, f)));
    } catch (err) {
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
