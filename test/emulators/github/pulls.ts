// Pull request routes for the GitHub emulator: list (state, head `owner:branch`, base filters),
// create (422 when the head branch is missing or already has an open PR), get and update.
// `mergePull(...)` lets a test merge one as a human would.
import type { EmuPull, EmuRepo, EmuRequest, EmuResponse, Route } from './server.js';
import { notFound, paginate } from './server.js';
import { nextNumber, withRepo } from './issues.js';

function pullJson(req: EmuRequest, repo: EmuRepo, p: EmuPull): Record<string, unknown> {
  const label = (ref: string) => `${repo.owner}:${ref}`;
  return {
    id: p.number * 1000,
    node_id: `PR_${p.number}`,
    number: p.number,
    url: `${req.baseUrl}/repos/${repo.owner}/${repo.name}/pulls/${p.number}`,
    html_url: `https://github.com/${repo.owner}/${repo.name}/pull/${p.number}`,
    title: p.title,
    body: p.body,
    state: p.state,
    merged: p.merged,
    merged_at: p.merged ? '2026-01-02T00:00:00Z' : null,
    draft: false,
    user: { login: 'drift-auditor[bot]', type: 'Bot' },
    head: { ref: p.head, label: label(p.head), sha: repo.refs.get(`refs/heads/${p.head}`) ?? null, repo: { full_name: `${repo.owner}/${repo.name}` } },
    base: { ref: p.base, label: label(p.base), sha: repo.refs.get(`refs/heads/${p.base}`) ?? null, repo: { full_name: `${repo.owner}/${repo.name}` } },
  };
}

function invalid(message: string): EmuResponse {
  return {
    status: 422,
    body: {
      message: 'Validation Failed',
      errors: [{ resource: 'PullRequest', code: 'custom', message }],
      documentation_url: 'https://docs.github.com/rest/pulls',
    },
  };
}

/** Marks a PR merged and closed (what a human merging it does). */
export function mergePull(repo: EmuRepo, number: number): void {
  const p = repo.pulls.find((x) => x.number === number);
  if (!p) throw new Error(`no PR #${number}`);
  p.state = 'closed';
  p.merged = true;
}

/** The pull request routes. */
export const pullRoutes: Route[] = [
  {
    method: 'GET',
    pattern: '/repos/:owner/:repo/pulls',
    handle: withRepo((req, _state, repo) => {
      const state = req.query.get('state') ?? 'open';
      const head = req.query.get('head');
      const base = req.query.get('base');
      const items = repo.pulls
        .filter((p) => state === 'all' || p.state === state)
        .filter((p) => !head || `${repo.owner}:${p.head}` === head)
        .filter((p) => !base || p.base === base)
        .sort((a, b) => b.number - a.number);
      const page = paginate(req, items);
      return { ...page, body: (page.body as EmuPull[]).map((p) => pullJson(req, repo, p)) };
    }),
  },
  {
    method: 'POST',
    pattern: '/repos/:owner/:repo/pulls',
    handle: withRepo((req, state, repo) => {
      const b = (req.body ?? {}) as { title?: string; body?: string; head?: string; base?: string };
      const head = (b.head ?? '').replace(/^[^:]+:/, '');
      if (!b.title || !head || !b.base) return invalid('title, head and base are required');
      if (!repo.refs.has(`refs/heads/${head}`)) return invalid(`head ${head} does not exist`);
      if (!repo.refs.has(`refs/heads/${b.base}`)) return invalid(`base ${b.base} does not exist`);
      if (repo.pulls.some((p) => p.head === head && p.state === 'open')) return invalid(`A pull request already exists for ${repo.owner}:${head}.`);
      const pull: EmuPull = { number: nextNumber(state, repo), title: b.title, body: b.body ?? '', state: 'open', merged: false, head, base: b.base };
      repo.pulls.push(pull);
      return { status: 201, body: pullJson(req, repo, pull) };
    }),
  },
  {
    method: 'GET',
    pattern: '/repos/:owner/:repo/pulls/:number',
    handle: withRepo((req, _state, repo) => {
      const p = repo.pulls.find((x) => x.number === Number(req.params.number));
      return p ? { status: 200, body: pullJson(req, repo, p) } : notFound();
    }),
  },
  {
    method: 'PATCH',
    pattern: '/repos/:owner/:repo/pulls/:number',
    handle: withRepo((req, _state, repo) => {
      const p = repo.pulls.find((x) => x.number === Number(req.params.number));
      if (!p) return notFound();
      const b = (req.body ?? {}) as { title?: string; body?: string; state?: string; base?: string };
      if (p.merged && b.state === 'open') return invalid('cannot reopen a merged pull request');
      if (b.title !== undefined) p.title = b.title;
      if (b.body !== undefined) p.body = b.body;
      if (b.base !== undefined) p.base = b.base;
      if (b.state === 'open' || b.state === 'closed') p.state = b.state;
      return { status: 200, body: pullJson(req, repo, p) };
    }),
  },
];
