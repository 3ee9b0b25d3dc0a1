// The repository as the renderers see it: a folder on disk (the local work tree, or a GitHub archive
// unpacked into a temp folder), the files in it, its URL (to tell "this repository" from others) and
// its commit. Renders that must edit files (helmCharts inflation, Argo CD kustomize overrides) get a
// writable copy, made once and only when needed: the user's own folder is never written.
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix, relative, sep } from 'node:path';
import { manifestBudget, readManifestText } from '../manifest-folder.js';

const SKIP_DIRS = new Set(['.git', 'node_modules']);

export interface RepoTreeInit {
  root: string;
  /** The repository's URL (git origin, https://github.com/OWNER/REPO), when known. */
  url?: string;
  commit?: string;
  /** Repository-relative files that must not be read (too large, links), with why. */
  excluded?: Map<string, string>;
  /** True when `root` is already a private temp folder that may be edited in place. */
  owned?: boolean;
}

/** Returns a repository-relative path without `.`/leading/trailing slashes, or null when it escapes the root. */
export function normaliseRepoPath(p: string): string | null {
  if (p.includes('\0')) return null;
  // posix.normalize('/..') is '/', so reject any '..' segment in the input itself.
  if (p.replace(/\\/g, '/').split('/').includes('..')) return null;
  const n = posix.normalize(`/${p.replace(/\\/g, '/')}`);
  return n.replace(/^\/+|\/+$/g, '');
}

/** Returns a repository URL in the form two URLs are compared in: no trailing `/` or `.git`, no scheme case. */
export function normaliseGitURL(u: string): string {
  let s = u
    .trim()
    .replace(/\/+$/, '')
    .replace(/\.git$/, '')
    .replace(/\/+$/, '');
  const ssh = /^(?:ssh:\/\/)?git@([^:/]+)[:/](.+)$/.exec(s);
  if (ssh) s = `https://${ssh[1]}/${ssh[2]}`;
  return s.replace(/^[a-z]+:\/\//i, (m) => m.toLowerCase()).replace(/^(https?:\/\/)([^/]+)/, (_m, p: string, h: string) => p + h.toLowerCase());
}

/** A repository on disk. */
export class RepoTree {
  readonly root: string;
  readonly url?: string;
  readonly commit?: string;
  readonly excluded: Map<string, string>;
  /** True when `root` is a private temp folder (a GitHub archive), removed by dispose(). */
  readonly owned: boolean;
  private all?: Promise<string[]>;
  private copy?: Promise<string>;
  private temps: string[] = [];
  private readonly budget = manifestBudget();

  constructor(init: RepoTreeInit) {
    this.root = init.root;
    this.url = init.url ? normaliseGitURL(init.url) : undefined;
    this.commit = init.commit;
    this.excluded = init.excluded ?? new Map();
    this.owned = init.owned ?? false;
  }

  /** True when `url` names this repository. */
  isThisRepo(url: string | undefined): boolean {
    return !!url && !!this.url && normaliseGitURL(url) === this.url;
  }

  /** Returns every repository-relative file (sorted, `/`-separated), .git and node_modules left out. */
  files(): Promise<string[]> {
    this.all ??= (async () => {
      const out: string[] = [];
      const walk = async (d: string): Promise<void> => {
        for (const e of await readdir(d, { withFileTypes: true })) {
          const p = join(d, e.name);
          if (e.isDirectory()) {
            if (!SKIP_DIRS.has(e.name)) await walk(p);
          } else if (e.isFile() || e.isSymbolicLink()) out.push(relative(this.root, p).split(sep).join('/'));
        }
      };
      await walk(this.root);
      return out.filter((f) => !this.excluded.has(f)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    })();
    return this.all;
  }

  /** Returns the files under `dir` ('' = all; a file path names that file). */
  async list(dir: string): Promise<string[]> {
    const all = await this.files();
    if (!dir) return all;
    return all.filter((f) => f === dir || f.startsWith(`${dir}/`));
  }

  /** Returns a file's text (BOM and UTF-16 decoded); InputError for a FIFO, device, link out of the tree or oversized file (manifest-folder.ts). */
  async read(path: string): Promise<string> {
    return readManifestText(this.root, path, this.budget);
  }

  /** Returns the root of a writable copy of the tree (the tree itself when it is a private temp folder). */
  writable(): Promise<string> {
    if (this.owned) return Promise.resolve(this.root);
    this.copy ??= (async () => {
      const dir = await this.tempDir('drift-auditor-tree-');
      await cp(this.root, dir, {
        recursive: true,
        filter: (src) =>
          !relative(this.root, src)
            .split(sep)
            .some((s) => SKIP_DIRS.has(s)),
      });
      return dir;
    })();
    return this.copy;
  }

  /** Returns a new temp folder removed by dispose(). */
  async tempDir(prefix: string): Promise<string> {
    const d = await mkdtemp(join(tmpdir(), prefix));
    this.temps.push(d);
    return d;
  }

  /** Removes the temp folders made for this tree. */
  async dispose(): Promise<void> {
    await Promise.all(this.temps.map((t) => rm(t, { recursive: true, force: true })));
    if (this.owned) await rm(this.root, { recursive: true, force: true });
  }
}
