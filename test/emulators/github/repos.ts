// Repository routes for the GitHub emulator: repo metadata, ref/branch/tag/sha -> commit, git refs,
// and the tarball archive (302 to a codeload-style URL on the same server, then a real gzipped tar
// with GitHub's `owner-repo-<sha7>/` top folder). Also the two GitHub App endpoints an installation
// token needs. `seedRepo` builds repositories with commits, branches and tags for tests.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import {
  findRepo,
  isResponse,
  newRepo,
  notFound,
  type EmuCommit,
  type EmuRepo,
  type EmuRequest,
  type EmuResponse,
  type EmuState,
  type Route,
} from './server.js';

export interface SeedOptions {
  /** Branch to commit on (default: the repo's default branch). */
  branch?: string;
  /** Also point tag `refs/tags/<tag>` at the new commit. */
  tag?: string;
  message?: string;
  /** Create the repository private (only when it does not exist yet). */
  private?: boolean;
  defaultBranch?: string;
  /** Start from the branch head's files and overlay `files` (default false: `files` is the whole tree). */
  overlay?: boolean;
}

/** Creates (or extends) `owner/repo` with a commit holding `files` on a branch; returns the commit sha. */
export function seedRepo(state: EmuState, owner: string, repo: string, files: Record<string, string>, opts: SeedOptions = {}): string {
  const key = `${owner}/${repo}`;
  let r = state.repos.get(key);
  if (!r) {
    r = newRepo(owner, repo, { private: opts.private ?? false, defaultBranch: opts.defaultBranch ?? 'main' });
    state.repos.set(key, r);
  }
  const branch = opts.branch ?? r.defaultBranch;
  const parent = r.refs.get(`refs/heads/${branch}`);
  const tree = new Map<string, string>(opts.overlay && parent ? r.commits.get(parent)!.files : []);
  for (const [path, content] of Object.entries(files)) tree.set(path.replace(/^\/+/, ''), content);
  const message = opts.message ?? `seed ${Object.keys(files).length} files`;
  const sha = createHash('sha1')
    .update(JSON.stringify({ key, parent: parent ?? null, message, files: [...tree.entries()].sort(), n: r.commits.size }))
    .digest('hex');
  const commit: EmuCommit = { sha, parents: parent ? [parent] : [], message, files: tree };
  r.commits.set(sha, commit);
  r.refs.set(`refs/heads/${branch}`, sha);
  if (opts.tag) r.refs.set(`refs/tags/${opts.tag}`, sha);
  return sha;
}

/** Returns the commit a ref names: branch, tag, `heads/x`/`tags/x`/`refs/...`, full sha or a 7+ char prefix. */
export function resolveRef(repo: EmuRepo, ref: string): EmuCommit | undefined {
  const byRef = repo.refs.get(ref) ?? repo.refs.get(`refs/${ref}`) ?? repo.refs.get(`refs/heads/${ref}`) ?? repo.refs.get(`refs/tags/${ref}`);
  if (byRef) return repo.commits.get(byRef);
  if (/^[0-9a-f]{7,40}$/.test(ref)) {
    const matches = [...repo.commits.keys()].filter((s) => s.startsWith(ref));
    if (matches.length === 1) return repo.commits.get(matches[0]!);
  }
  return undefined;
}

/** Returns a gzipped tar of a commit's files under GitHub's `owner-repo-<sha7>/` folder. */
export async function tarballOf(
  repo: EmuRepo,
  commit: EmuCommit,
  extra: { name: string; content: string; type?: 'file' | 'symlink'; linkname?: string }[] = [],
): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    p.on('end', resolve);
    p.on('error', reject);
  });
  const top = `${repo.owner}-${repo.name}-${commit.sha.slice(0, 7)}/`;
  const mtime = new Date('2026-01-01T00:00:00Z');
  p.entry({ name: top, type: 'directory', mtime });
  const dirs = new Set<string>();
  for (const path of [...commit.files.keys()].sort()) {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const d = parts.slice(0, i).join('/');
      if (!dirs.has(d)) {
        dirs.add(d);
        p.entry({ name: `${top}${d}/`, type: 'directory', mtime });
      }
    }
    p.entry({ name: `${top}${path}`, mtime }, commit.files.get(path)!);
  }
  for (const e of extra) {
    if (e.type === 'symlink') p.entry({ name: e.name, type: 'symlink', linkname: e.linkname ?? '', mtime });
    else p.entry({ name: e.name, mtime }, e.content);
  }
  p.finalize();
  await done;
  return gzipSync(Buffer.concat(chunks));
}

function repoJson(req: EmuRequest, r: EmuRepo): Record<string, unknown> {
  return {
    id: hashNumber(`${r.owner}/${r.name}`),
    name: r.name,
    full_name: `${r.owner}/${r.name}`,
    private: r.private,
    owner: { login: r.owner, type: 'Organization' },
    default_branch: r.defaultBranch,
    url: `${req.baseUrl}/repos/${r.owner}/${r.name}`,
    archive_url: `${req.baseUrl}/repos/${r.owner}/${r.name}/{archive_format}{/ref}`,
  };
}

function commitJson(req: EmuRequest, r: EmuRepo, c: EmuCommit): Record<string, unknown> {
  return {
    sha: c.sha,
    url: `${req.baseUrl}/repos/${r.owner}/${r.name}/commits/${c.sha}`,
    commit: { message: c.message, tree: { sha: treeSha(c) }, author: { name: 'emulator', date: '2026-01-01T00:00:00Z' } },
    parents: c.parents.map((sha) => ({ sha, url: `${req.baseUrl}/repos/${r.owner}/${r.name}/commits/${sha}` })),
    files: [],
  };
}

function refJson(req: EmuRequest, r: EmuRepo, ref: string, sha: string): Record<string, unknown> {
  return {
    ref,
    url: `${req.baseUrl}/repos/${r.owner}/${r.name}/git/${ref}`,
    object: { sha, type: 'commit', url: `${req.baseUrl}/repos/${r.owner}/${r.name}/git/commits/${sha}` },
  };
}

function treeSha(c: EmuCommit): string {
  return createHash('sha1')
    .update(JSON.stringify([...c.files.entries()].sort()))
    .digest('hex');
}

function hashNumber(s: string): number {
  return parseInt(createHash('sha1').update(s).digest('hex').slice(0, 8), 16);
}

function withRepo(handle: (req: EmuRequest, r: EmuRepo, state: EmuState) => EmuResponse | Promise<EmuResponse>) {
  return (req: EmuRequest, state: EmuState): EmuResponse | Promise<EmuResponse> => {
    const r = findRepo(req, state);
    return isResponse(r) ? r : handle(req, r, state);
  };
}

/** Options for the repository routes. */
export interface ReposRouteOptions {
  /** Answer the tarball request with a 302 to a codeload-style URL, as GitHub does (default true). */
  redirectTarball?: boolean;
}

/** Returns the repository route module. */
export function createReposRoutes(opts: ReposRouteOptions = {}): Route[] {
  const redirect = opts.redirectTarball ?? true;
  const tarball = async (req: EmuRequest, r: EmuRepo): Promise<EmuResponse> => {
    const c = resolveRef(r, req.params.ref!);
    if (!c) return notFound();
    if (redirect) {
      return { status: 302, headers: { location: `${req.baseUrl}/_codeload/${r.owner}/${r.name}/legacy.tar.gz/${c.sha}` } };
    }
    return {
      status: 200,
      raw: await tarballOf(r, c),
      headers: { 'content-type': 'application/x-gzip', 'content-disposition': `attachment; filename=${r.owner}-${r.name}-${c.sha.slice(0, 7)}.tar.gz` },
    };
  };
  return [
    { method: 'GET', pattern: '/repos/:owner/:repo', handle: withRepo((req, r) => ({ status: 200, body: repoJson(req, r) })) },
    {
      method: 'GET',
      pattern: '/repos/:owner/:repo/commits/*ref',
      handle: withRepo((req, r) => {
        const c = resolveRef(r, req.params.ref!);
        // GitHub answers an unknown ref here with 422, not 404.
        if (!c)
          return {
            status: 422,
            body: { message: `No commit found for SHA: ${req.params.ref}`, documentation_url: 'https://docs.github.com/rest/commits/commits#get-a-commit' },
          };
        // `Accept: application/vnd.github.sha` answers with the bare sha as text.
        if (/application\/vnd\.github(\.v3)?\.sha/.test(String(req.headers.accept ?? ''))) {
          return { status: 200, raw: Buffer.from(c.sha), headers: { 'content-type': 'application/vnd.github.sha; charset=utf-8' } };
        }
        return { status: 200, body: commitJson(req, r, c) };
      }),
    },
    {
      method: 'GET',
      pattern: '/repos/:owner/:repo/git/ref/*ref',
      handle: withRepo((req, r) => {
        const ref = `refs/${req.params.ref}`;
        const sha = r.refs.get(ref);
        return sha ? { status: 200, body: refJson(req, r, ref, sha) } : notFound();
      }),
    },
    {
      method: 'GET',
      pattern: '/repos/:owner/:repo/git/refs',
      handle: withRepo((req, r) => ({
        status: 200,
        body: [...r.refs.entries()].sort().map(([ref, sha]) => refJson(req, r, ref, sha)),
      })),
    },
    {
      // The old single-ref form: exact match returns an object, a prefix returns a list.
      method: 'GET',
      pattern: '/repos/:owner/:repo/git/refs/*ref',
      handle: withRepo((req, r) => {
        const ref = `refs/${req.params.ref}`;
        const sha = r.refs.get(ref);
        if (sha) return { status: 200, body: refJson(req, r, ref, sha) };
        const list = [...r.refs.entries()].filter(([k]) => k.startsWith(`${ref}/`)).sort();
        return list.length ? { status: 200, body: list.map(([k, s]) => refJson(req, r, k, s)) } : notFound();
      }),
    },
    {
      method: 'GET',
      pattern: '/repos/:owner/:repo/git/matching-refs/*ref',
      handle: withRepo((req, r) => ({
        status: 200,
        body: [...r.refs.entries()]
          .filter(([k]) => k.startsWith(`refs/${req.params.ref}`))
          .sort()
          .map(([k, s]) => refJson(req, r, k, s)),
      })),
    },
    { method: 'GET', pattern: '/repos/:owner/:repo/tarball/*ref', handle: withRepo(tarball) },
    {
      method: 'GET',
      pattern: '/repos/:owner/:repo/tarball',
      handle: withRepo((req, r) => tarball({ ...req, params: { ...req.params, ref: r.defaultBranch } }, r)),
    },
    {
      // codeload serves the archive itself; GitHub signs the URL, so no Authorization is needed.
      method: 'GET',
      pattern: '/_codeload/:owner/:repo/legacy.tar.gz/:sha',
      handle: async (req, state) => {
        const r = state.repos.get(`${req.params.owner}/${req.params.repo}`);
        const c = r?.commits.get(req.params.sha!);
        if (!r || !c) return notFound();
        return { status: 200, raw: await tarballOf(r, c), headers: { 'content-type': 'application/x-gzip' } };
      },
    },
    {
      method: 'GET',
      pattern: '/repos/:owner/:repo/installation',
      handle: (req, state) => {
        const r = state.repos.get(`${req.params.owner}/${req.params.repo}`);
        if (!r) return notFound();
        if (!/^bearer\s+ey/i.test(req.headers.authorization ?? '')) return { status: 401, body: { message: 'A JSON web token could not be decoded' } };
        return { status: 200, body: { id: hashNumber(`installation:${r.owner}`), account: { login: r.owner }, app_id: 1 } };
      },
    },
    {
      method: 'POST',
      pattern: '/app/installations/:id/access_tokens',
      handle: (req, state) => {
        if (!/^bearer\s+ey/i.test(req.headers.authorization ?? '')) return { status: 401, body: { message: 'A JSON web token could not be decoded' } };
        const token = `ghs_emulator${req.params.id}`;
        if (state.tokens.size > 0) state.tokens.add(token);
        return { status: 201, body: { token, expires_at: '2099-01-01T00:00:00Z', permissions: { contents: 'read' }, repository_selection: 'all' } };
      },
    },
  ];
}

/** The repository routes with GitHub's default tarball redirect. */
export const reposRoutes: Route[] = createReposRoutes();
