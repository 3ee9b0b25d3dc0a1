// The desired state from a GitHub repository: `github:OWNER/REPO[@REF][:PATH]`. The ref is resolved
// to a commit SHA first, then the repository is read in ONE tarball download at that SHA (never one
// request per file) and extracted in memory. Only YAML/JSON files under PATH are kept, with size
// caps and a path-traversal guard. Every failure is a GitHubError (exit 2), never an empty state.
// The archive is unpacked into a private temp folder and rendered there like a local folder (render/).
import { posix } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { extract } from 'tar-stream';
import { GitHubError, UsageError } from '../core/errors.js';
import type { DesiredState } from '../core/types.js';
import { createOctokit, describeGitHubError, type GitHubClientOptions, type Octokit } from './github-client.js';
import { isKustomizationFile } from './kustomize.js';
import { normaliseRepoPath, renderDesiredState, RepoTree, type RenderOptions } from './render/index.js';
import { decodeText } from './text.js';

/** A parsed `github:OWNER/REPO[@REF][:PATH]` spec. */
export interface GitHubSpec {
  owner: string;
  repo: string;
  /** Branch, tag or commit; absent means the default branch. */
  ref?: string;
  /** Folder inside the repository (no leading or trailing slash); absent means the whole repository. */
  path?: string;
}

const NAME = /^[A-Za-z0-9_.-]+$/;

/** Returns the parts of a `github:OWNER/REPO[@REF][:PATH]` spec; throws UsageError when malformed. */
export function parseGitHubSpec(spec: string): GitHubSpec {
  const body = spec.replace(/^github:/, '');
  const m = /^([^/@:]+)\/([^/@:]+)(?:@([^:]+))?(?::(.*))?$/.exec(body);
  if (!m || !NAME.test(m[1]!) || !NAME.test(m[2]!)) {
    throw new UsageError(`failed to parse --manifests '${spec}': expected github:OWNER/REPO[@REF][:PATH]`);
  }
  const out: GitHubSpec = { owner: m[1]!, repo: m[2]!.replace(/\.git$/, '') };
  if (m[3] !== undefined) {
    if (m[3] === '' || /[\s~^?*[\\]|\.\.|^-/.test(m[3])) throw new UsageError(`failed to parse --manifests '${spec}': bad ref '${m[3]}'`);
    out.ref = m[3];
  }
  if (m[4] !== undefined) {
    const path = normaliseRepoPath(m[4]);
    if (path === null) throw new UsageError(`failed to parse --manifests '${spec}': bad path '${m[4]}' (must stay inside the repository)`);
    if (path !== '') out.path = path;
  }
  return out;
}

export { normaliseRepoPath };

export interface ReadGitHubOptions extends RenderOptions {
  env?: NodeJS.ProcessEnv;
  /** A ready client (tests, or a caller that already has one); else built with createOctokit. */
  octokit?: Octokit;
  /** Passed to createOctokit when no client is given. */
  client?: Omit<GitHubClientOptions, 'env' | 'repository'>;
  /** Largest file kept, in bytes (default 5 MiB); larger manifests become manifest/invalid problems. */
  maxFileBytes?: number;
  /** Largest total of kept files and of the unpacked archive, in bytes (default 512 MiB). */
  maxTotalBytes?: number;
}

/** A file kept from the archive. */
export interface ArchiveFile {
  /** Repository-relative path. */
  path: string;
  text: string;
}

const MANIFEST_EXT = /\.(ya?ml|json)$/i;

/** Reads the desired state from GitHub at one commit; throws GitHubError when it cannot be read completely. */
export async function readGitHubManifests(spec: GitHubSpec, opts: ReadGitHubOptions = {}): Promise<DesiredState> {
  const { owner, repo } = spec;
  const octokit = opts.octokit ?? (await createOctokit({ ...opts.client, env: opts.env, repository: { owner, repo } }));
  const ref = spec.ref ?? (await readDefaultBranch(octokit, owner, repo));
  const commit = await readCommitSha(octokit, owner, repo, ref);
  const archive = await readTarball(octokit, owner, repo, commit);
  const maxTotal = opts.maxTotalBytes ?? 512 * 1024 * 1024;
  const { files, skipped } = await extractManifestFiles(archive, {
    prefix: spec.path,
    maxFileBytes: opts.maxFileBytes ?? 5 * 1024 * 1024,
    maxTotalBytes: maxTotal,
  }).catch((err: unknown) => {
    throw new GitHubError(`failed to extract the archive of ${owner}/${repo}@${commit.slice(0, 12)}: ${(err as Error).message}`, { cause: err });
  });
  if (spec.path && files.length === 0 && !skipped.some((s) => s.reason !== 'too-large')) {
    const anyUnder = await archiveHasPath(archive, spec.path, maxTotal);
    if (!anyUnder) throw new GitHubError(`failed to read ${owner}/${repo}@${ref}:${spec.path}: no such folder at commit ${commit.slice(0, 12)}`);
  }
  const source = { kind: 'github' as const, location: `${owner}/${repo}`, ref, commit, ...(spec.path ? { path: spec.path } : {}) };
  // The whole tree, so kustomize bases outside PATH, charts and Applications' paths can be rendered.
  const { mkdtemp } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const root = await mkdtemp(posix.join(tmpdir(), 'drift-auditor-github-'));
  const server = (opts.env ?? process.env).GITHUB_SERVER_URL ?? 'https://github.com';
  const tree = new RepoTree({
    root,
    owned: true,
    url: `${server}/${owner}/${repo}`,
    commit,
    excluded: new Map(skipped.filter((s) => s.reason === 'too-large').map((s) => [s.path, s.reason])),
  });
  try {
    await writeArchiveTo(archive, root, maxTotal).catch((err: unknown) => {
      throw new GitHubError(`failed to extract the archive of ${owner}/${repo}@${commit.slice(0, 12)}: ${(err as Error).message}`, { cause: err });
    });
    return await renderDesiredState(source, tree, spec.path ?? '', {
      ...opts,
      skipped: skipped
        .filter((s) => s.reason !== 'unsafe-path')
        .map((s) => ({
          path: s.path,
          message:
            s.reason === 'too-large'
              ? `file exceeds the ${opts.maxFileBytes ?? 5 * 1024 * 1024}-byte limit and was not read`
              : 'symbolic link in the repository: not followed, not read',
        })),
    });
  } finally {
    await tree.dispose();
  }
}

async function readDefaultBranch(octokit: Octokit, owner: string, repo: string): Promise<string> {
  try {
    const { data } = await octokit.rest.repos.get({ owner, repo });
    return data.default_branch;
  } catch (err) {
    throw describeGitHubError(err, `read repository ${owner}/${repo}`);
  }
}

/** Returns the commit SHA a ref names (branch, tag or SHA), asking only for the SHA. */
async function readCommitSha(octokit: Octokit, owner: string, repo: string, ref: string): Promise<string> {
  try {
    const res = await octokit.request('GET /repos/{owner}/{repo}/commits/{ref}', {
      owner,
      repo,
      ref,
      headers: { accept: 'application/vnd.github.sha' },
    });
    const data: unknown = res.data;
    const sha = typeof data === 'string' ? data.trim() : (data as { sha?: string }).sha;
    if (!sha || !/^[0-9a-f]{40}$/.test(sha)) throw new GitHubError(`failed to resolve ref ${owner}/${repo}@${ref}: unexpected answer`);
    return sha;
  } catch (err) {
    const status = (err as { status?: number }).status;
    // GitHub answers an unknown ref with 422 ("No commit found for SHA"); 404 means the repository.
    if (status === 422) throw new GitHubError(`failed to resolve ref ${owner}/${repo}@${ref}: no branch, tag or commit named '${ref}'`, { cause: err });
    throw describeGitHubError(err, `resolve ref ${owner}/${repo}@${ref}`);
  }
}

async function readTarball(octokit: Octokit, owner: string, repo: string, sha: string): Promise<Buffer> {
  try {
    const res = await octokit.rest.repos.downloadTarballArchive({ owner, repo, ref: sha });
    const data: unknown = res.data;
    if (data instanceof ArrayBuffer) return Buffer.from(data);
    if (Buffer.isBuffer(data)) return data;
    if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    throw new GitHubError(`failed to download the archive of ${owner}/${repo}@${sha.slice(0, 12)}: unexpected ${typeof data} body`);
  } catch (err) {
    throw describeGitHubError(err, `download the archive of ${owner}/${repo}@${sha.slice(0, 12)}`);
  }
}

export interface ExtractOptions {
  /** Keep only files under this repository folder. */
  prefix?: string;
  maxFileBytes: number;
  maxTotalBytes: number;
  /** Which files to keep (default: YAML/JSON). */
  keep?: (path: string) => boolean;
}

export interface ExtractResult {
  files: ArchiveFile[];
  /** Files left out: too large, or unsafe (path traversal, links). */
  skipped: { path: string; reason: 'too-large' | 'unsafe-path' | 'link' }[];
}

/** Returns the repository path of an archive entry (top `owner-repo-sha/` folder stripped), or null when unsafe. */
export function repoPathOfEntry(name: string): string | null {
  const slash = name.indexOf('/');
  if (slash < 0) return null;
  return normaliseRepoPath(name.slice(slash + 1));
}

/** Iterates over a gzipped GitHub tarball's entries (GitHub's top folder stripped), guarded against bombs. */
async function walkArchive(
  gz: Buffer,
  maxTotalBytes: number,
  visit: (e: { path: string | null; type: string; size: number; read: () => Promise<Buffer> }) => Promise<void>,
): Promise<void> {
  // maxOutputLength turns a decompression bomb into an error instead of exhausting memory.
  const tar = gunzipSync(gz, { maxOutputLength: Math.min(maxTotalBytes * 2, 0x7fffffff) });
  const ex = extract();
  const done = new Promise<void>((resolve, reject) => {
    ex.on('entry', (header, stream, next) => {
      let consumed = false;
      const read = (): Promise<Buffer> => {
        consumed = true;
        return new Promise((res, rej) => {
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => res(Buffer.concat(chunks)));
          stream.on('error', rej);
        });
      };
      visit({ path: header.type === 'pax-global-header' ? null : repoPathOfEntry(header.name), type: header.type ?? 'file', size: header.size ?? 0, read })
        .then(
          () => {
            if (!consumed) stream.resume();
          },
          (err: unknown) => {
            stream.resume();
            reject(err as Error);
          },
        )
        .finally(() => next());
    });
    ex.on('finish', resolve);
    ex.on('error', reject);
  });
  ex.end(tar);
  await done;
}

/** Returns the manifest files under `prefix` in a gzipped GitHub tarball, with what was left out. */
export async function extractManifestFiles(gz: Buffer, opts: ExtractOptions): Promise<ExtractResult> {
  const keep = opts.keep ?? ((p: string) => MANIFEST_EXT.test(p) || isKustomizationFile(p));
  const prefix = opts.prefix ? `${opts.prefix}/` : '';
  const files: ArchiveFile[] = [];
  const skipped: ExtractResult['skipped'] = [];
  let total = 0;
  await walkArchive(gz, opts.maxTotalBytes, async (e) => {
    if (e.type === 'directory' || e.type === 'pax-global-header' || e.type === 'pax-header') return;
    if (e.path === null) {
      skipped.push({ path: '(entry outside the repository)', reason: 'unsafe-path' });
      return;
    }
    // PATH may name a folder or a single file.
    if (prefix && !e.path.startsWith(prefix) && e.path !== opts.prefix) return;
    if (!keep(e.path)) return;
    if (e.type !== 'file' && e.type !== 'contiguous-file') {
      skipped.push({ path: e.path, reason: 'link' });
      return;
    }
    if (e.size > opts.maxFileBytes) {
      skipped.push({ path: e.path, reason: 'too-large' });
      return;
    }
    total += e.size;
    if (total > opts.maxTotalBytes) throw new Error(`manifests exceed ${opts.maxTotalBytes} bytes in total`);
    files.push({ path: e.path, text: decodeText(await e.read()) });
  });
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, skipped };
}

async function archiveHasPath(gz: Buffer, path: string, maxTotalBytes: number): Promise<boolean> {
  let found = false;
  await walkArchive(gz, maxTotalBytes, async (e) => {
    if (e.path !== null && (e.path === path || e.path.startsWith(`${path}/`))) found = true;
  });
  return found;
}

/** Writes every regular file of a gzipped GitHub tarball under `dir` (links and unsafe paths skipped). */
export async function writeArchiveTo(gz: Buffer, dir: string, maxTotalBytes: number): Promise<void> {
  const { mkdir, writeFile } = await import('node:fs/promises');
  let total = 0;
  await walkArchive(gz, maxTotalBytes, async (e) => {
    if (e.path === null || e.path === '' || (e.type !== 'file' && e.type !== 'contiguous-file')) return;
    total += e.size;
    if (total > maxTotalBytes) throw new Error(`archive exceeds ${maxTotalBytes} bytes unpacked`);
    const target = posix.join(dir, e.path);
    await mkdir(posix.dirname(target), { recursive: true });
    await writeFile(target, await e.read());
  });
}
