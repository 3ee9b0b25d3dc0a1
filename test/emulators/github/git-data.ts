// Git data routes for the GitHub emulator: refs (get, create with 422 on an existing branch, update
// with a fast-forward check), blobs, trees (recursive, base_tree) and commits. Blob and tree SHAs
// are content hashes (git's `blob <len>\0` form for blobs), so equal content gives equal SHAs.
import { createHash } from 'node:crypto';
import type { EmuCommit, EmuRepo, EmuRequest, EmuResponse, Route } from './server.js';
import { notFound } from './server.js';
import { withRepo } from './issues.js';

/** Returns git's blob SHA-1 for `content`. */
export function blobSha(content: string): string {
  const buf = Buffer.from(content, 'utf8');
  return createHash('sha1').update(`blob ${buf.length}\0`).update(buf).digest('hex');
}

/**
 * Registers `files` as a tree (and its blobs) and returns the tree SHA. The SHA is computed as
 * repos.ts does for the commits it serves, so either module may answer `git/commits/:sha` first.
 */
export function putTree(repo: EmuRepo, files: Map<string, string>): string {
  for (const content of files.values()) repo.blobs.set(blobSha(content), content);
  const sha = createHash('sha1')
    .update(JSON.stringify([...files.entries()].sort()))
    .digest('hex');
  if (!repo.trees.has(sha)) repo.trees.set(sha, new Map(files));
  return sha;
}

/** Returns the files of a tree SHA, also for trees of commits that were seeded but never shown here. */
function treeFiles(repo: EmuRepo, sha: string): Map<string, string> | undefined {
  if (!repo.trees.has(sha)) for (const c of repo.commits.values()) putTree(repo, c.files);
  return repo.trees.get(sha);
}

/** Adds a commit with the given full tree and returns it (SHA from tree, parents and message). */
export function putCommit(repo: EmuRepo, files: Map<string, string>, parents: string[], message: string): EmuCommit {
  const tree = putTree(repo, files);
  const sha = createHash('sha1')
    .update(`commit\0${tree}\0${parents.join(',')}\0${message}\0${repo.commits.size}`)
    .digest('hex');
  const commit: EmuCommit = { sha, parents, message, files: new Map(files) };
  repo.commits.set(sha, commit);
  return commit;
}

function unprocessable(message: string): EmuResponse {
  return { status: 422, body: { message, documentation_url: 'https://docs.github.com/rest/git' } };
}

function refJson(req: EmuRequest, repo: EmuRepo, ref: string, sha: string): Record<string, unknown> {
  return {
    ref,
    node_id: `REF_${ref}`,
    url: `${req.baseUrl}/repos/${repo.owner}/${repo.name}/git/${ref}`,
    object: { type: 'commit', sha, url: `${req.baseUrl}/repos/${repo.owner}/${repo.name}/git/commits/${sha}` },
  };
}

function commitJson(req: EmuRequest, repo: EmuRepo, c: EmuCommit): Record<string, unknown> {
  const tree = putTree(repo, c.files);
  const url = (kind: string, sha: string) => `${req.baseUrl}/repos/${repo.owner}/${repo.name}/git/${kind}/${sha}`;
  return {
    sha: c.sha,
    node_id: `C_${c.sha}`,
    url: url('commits', c.sha),
    html_url: `https://github.com/${repo.owner}/${repo.name}/commit/${c.sha}`,
    message: c.message,
    author: { name: 'drift-auditor', email: 'drift-auditor@users.noreply.github.com', date: '2026-01-01T00:00:00Z' },
    committer: { name: 'drift-auditor', email: 'drift-auditor@users.noreply.github.com', date: '2026-01-01T00:00:00Z' },
    tree: { sha: tree, url: url('trees', tree) },
    parents: c.parents.map((p) => ({ sha: p, url: url('commits', p) })),
    verification: { verified: false, reason: 'unsigned', signature: null, payload: null },
  };
}

function isAncestor(repo: EmuRepo, ancestor: string, sha: string): boolean {
  const seen = new Set<string>();
  const stack = [sha];
  while (stack.length > 0) {
    const s = stack.pop()!;
    if (s === ancestor) return true;
    if (seen.has(s)) continue;
    seen.add(s);
    stack.push(...(repo.commits.get(s)?.parents ?? []));
  }
  return false;
}

/** The git data routes: refs, blobs, trees and commits. */
export const gitDataRoutes: Route[] = [
  {
    method: 'GET',
    pattern: '/repos/:owner/:repo/git/ref/*ref',
    handle: withRepo((req, _state, repo) => {
      const ref = `refs/${req.params.ref}`;
      const sha = repo.refs.get(ref);
      return sha ? { status: 200, body: refJson(req, repo, ref, sha) } : notFound();
    }),
  },
  {
    method: 'POST',
    pattern: '/repos/:owner/:repo/git/refs',
    handle: withRepo((req, _state, repo) => {
      const b = (req.body ?? {}) as { ref?: string; sha?: string };
      if (!b.ref || !b.ref.startsWith('refs/') || b.ref.split('/').length < 3)
        return unprocessable("Reference name must start with 'refs/' and have at least two slashes.");
      if (!b.sha || !repo.commits.has(b.sha)) return unprocessable('Object does not exist');
      if (repo.refs.has(b.ref)) return unprocessable('Reference already exists');
      repo.refs.set(b.ref, b.sha);
      return { status: 201, body: refJson(req, repo, b.ref, b.sha) };
    }),
  },
  {
    method: 'PATCH',
    pattern: '/repos/:owner/:repo/git/refs/*ref',
    handle: withRepo((req, _state, repo) => {
      const ref = `refs/${req.params.ref}`;
      const old = repo.refs.get(ref);
      if (!old) return unprocessable('Reference does not exist');
      const b = (req.body ?? {}) as { sha?: string; force?: boolean };
      if (!b.sha || !repo.commits.has(b.sha)) return unprocessable('Object does not exist');
      if (!b.force && !isAncestor(repo, old, b.sha)) return unprocessable('Update is not a fast forward');
      repo.refs.set(ref, b.sha);
      return { status: 200, body: refJson(req, repo, ref, b.sha) };
    }),
  },
  {
    method: 'GET',
    pattern: '/repos/:owner/:repo/git/commits/:sha',
    handle: withRepo((req, _state, repo) => {
      const c = repo.commits.get(req.params.sha!);
      return c ? { status: 200, body: commitJson(req, repo, c) } : notFound();
    }),
  },
  {
    method: 'POST',
    pattern: '/repos/:owner/:repo/git/commits',
    handle: withRepo((req, _state, repo) => {
      const b = (req.body ?? {}) as { message?: string; tree?: string; parents?: string[] };
      if (!b.message) return unprocessable('Invalid request.\n\n"message" wasn\'t supplied.');
      const files = b.tree ? treeFiles(repo, b.tree) : undefined;
      if (!files) return unprocessable('Tree SHA does not exist');
      const parents = b.parents ?? [];
      if (parents.some((p) => !repo.commits.has(p))) return unprocessable('Parent SHA does not exist or is not a commit object');
      return { status: 201, body: commitJson(req, repo, putCommit(repo, files, parents, b.message)) };
    }),
  },
  {
    method: 'POST',
    pattern: '/repos/:owner/:repo/git/blobs',
    handle: withRepo((req, _state, repo) => {
      const b = (req.body ?? {}) as { content?: string; encoding?: string };
      if (typeof b.content !== 'string') return unprocessable('Invalid request.\n\n"content" wasn\'t supplied.');
      const content = b.encoding === 'base64' ? Buffer.from(b.content, 'base64').toString('utf8') : b.content;
      const sha = blobSha(content);
      repo.blobs.set(sha, content);
      return { status: 201, body: { sha, url: `${req.baseUrl}/repos/${repo.owner}/${repo.name}/git/blobs/${sha}` } };
    }),
  },
  {
    method: 'GET',
    pattern: '/repos/:owner/:repo/git/blobs/:sha',
    handle: withRepo((req, _state, repo) => {
      const content = repo.blobs.get(req.params.sha!);
      if (content === undefined) return notFound();
      const buf = Buffer.from(content, 'utf8');
      return {
        status: 200,
        body: {
          sha: req.params.sha,
          node_id: `B_${req.params.sha}`,
          size: buf.length,
          encoding: 'base64',
          content: buf.toString('base64').replace(/(.{60})/g, '$1\n'),
        },
      };
    }),
  },
  {
    method: 'GET',
    pattern: '/repos/:owner/:repo/git/trees/:sha',
    handle: withRepo((req, _state, repo) => {
      const commit = repo.commits.get(req.params.sha!);
      const files = commit ? commit.files : treeFiles(repo, req.params.sha!);
      if (!files) return notFound();
      const recursive = req.query.has('recursive');
      const entries: Record<string, unknown>[] = [];
      const dirs = new Set<string>();
      for (const path of [...files.keys()].sort()) {
        const parts = path.split('/');
        for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
        if (!recursive && parts.length > 1) continue;
        const content = files.get(path)!;
        entries.push({ path, mode: '100644', type: 'blob', sha: blobSha(content), size: Buffer.byteLength(content) });
      }
      for (const d of [...dirs].sort()) {
        if (!recursive && d.includes('/')) continue;
        const sub = new Map([...files].filter(([p]) => p.startsWith(`${d}/`)).map(([p, c]) => [p.slice(d.length + 1), c]));
        entries.push({ path: d, mode: '040000', type: 'tree', sha: putTree(repo, sub) });
      }
      return {
        status: 200,
        body: { sha: req.params.sha, url: `${req.baseUrl}/repos/${repo.owner}/${repo.name}/git/trees/${req.params.sha}`, tree: entries, truncated: false },
      };
    }),
  },
  {
    method: 'POST',
    pattern: '/repos/:owner/:repo/git/trees',
    handle: withRepo((req, _state, repo) => {
      const b = (req.body ?? {}) as { base_tree?: string; tree?: { path: string; mode?: string; type?: string; sha?: string | null; content?: string }[] };
      if (!Array.isArray(b.tree)) return unprocessable('Invalid tree info');
      const base = b.base_tree ? treeFiles(repo, b.base_tree) : new Map<string, string>();
      if (!base) return unprocessable('base_tree is not a valid tree oid');
      const files = new Map(base);
      for (const e of b.tree) {
        if (e.sha === null) {
          files.delete(e.path);
          continue;
        }
        const content = e.content ?? (e.sha ? repo.blobs.get(e.sha) : undefined);
        if (content === undefined) return unprocessable(`tree.sha ${e.sha} is not a valid blob`);
        files.set(e.path, content);
      }
      const sha = putTree(repo, files);
      return {
        status: 201,
        body: {
          sha,
          url: `${req.baseUrl}/repos/${repo.owner}/${repo.name}/git/trees/${sha}`,
          tree: [...files.keys()].map((path) => ({ path, mode: '100644', type: 'blob', sha: blobSha(files.get(path)!) })),
          truncated: false,
        },
      };
    }),
  },
];
