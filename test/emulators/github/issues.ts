// Issue, comment and label routes for the GitHub emulator, in the response shapes octokit reads.
// As on GitHub, the issues list also returns pull requests (with a `pull_request` key), issue and
// PR numbers share one counter per repository, and the list sorts by creation, newest first.
import type { EmuIssue, EmuPull, EmuRepo, EmuRequest, EmuResponse, EmuState, Route } from './server.js';
import { findRepo, isResponse, notFound, paginate } from './server.js';

const EPOCH = Date.UTC(2026, 0, 1);

/** Returns the next issue/PR number of a repository (shared by issues and PRs, as on GitHub). */
export function nextNumber(state: EmuState, repo: EmuRepo): number {
  const key = `${repo.owner}/${repo.name}`;
  const n = state.nextNumber.get(key) ?? 1;
  state.nextNumber.set(key, n + 1);
  return n;
}

/** Returns a deterministic timestamp that grows with every call (creation order = time order). */
export function emuNow(state: EmuState): string {
  const id = state.nextId;
  state.nextId += 1;
  return new Date(EPOCH + id * 1000).toISOString();
}

/** Returns an issue as GitHub's REST API shows it. */
export function issueJson(req: EmuRequest, repo: EmuRepo, issue: EmuIssue): Record<string, unknown> {
  const html = `https://github.com/${repo.owner}/${repo.name}/${issue.pull_request ? 'pull' : 'issues'}/${issue.number}`;
  return {
    id: issue.number * 1000,
    node_id: `I_${issue.number}`,
    url: `${req.baseUrl}/repos/${repo.owner}/${repo.name}/issues/${issue.number}`,
    html_url: html,
    number: issue.number,
    title: issue.title,
    body: issue.body,
    state: issue.state,
    state_reason: issue.state === 'closed' ? 'completed' : null,
    labels: issue.labels.map((name, i) => ({ id: i + 1, name, color: 'ededed', default: false })),
    user: { login: 'drift-auditor[bot]', type: 'Bot' },
    comments: issue.comments.length,
    created_at: issue.created_at,
    updated_at: issue.updated_at,
    closed_at: issue.state === 'closed' ? issue.updated_at : null,
    ...(issue.pull_request ? { pull_request: { url: `${req.baseUrl}/repos/${repo.owner}/${repo.name}/pulls/${issue.number}`, html_url: html } } : {}),
  };
}

function pullAsIssue(pull: EmuPull): EmuIssue {
  return {
    number: pull.number,
    title: pull.title,
    body: pull.body,
    state: pull.state,
    labels: [],
    comments: [],
    created_at: '2026-01-01T00:00:00.000Z',
    updated_at: '2026-01-01T00:00:00.000Z',
    pull_request: true,
  };
}

/** Wraps a handler so it runs with the `:owner/:repo` repository (or answers 404). */
export function withRepo(handle: (req: EmuRequest, state: EmuState, repo: EmuRepo) => EmuResponse): Route['handle'] {
  return (req, state) => {
    const repo = findRepo(req, state);
    return isResponse(repo) ? repo : handle(req, state, repo);
  };
}

function findIssue(repo: EmuRepo, number: string | undefined): EmuIssue | undefined {
  return repo.issues.find((i) => i.number === Number(number));
}

function invalid(message: string, field: string, code = 'invalid'): EmuResponse {
  return {
    status: 422,
    body: { message: 'Validation Failed', errors: [{ resource: 'Issue', field, code, message }], documentation_url: 'https://docs.github.com/rest' },
  };
}

/** The issue routes: list (state, labels filters, Link pagination), create, get, update, comments. */
export const issueRoutes: Route[] = [
  {
    method: 'GET',
    pattern: '/repos/:owner/:repo/issues',
    handle: withRepo((req, _state, repo) => {
      const state = req.query.get('state') ?? 'open';
      const labels = (req.query.get('labels') ?? '')
        .split(',')
        .map((l) => l.trim())
        .filter(Boolean);
      const direction = req.query.get('direction') ?? 'desc';
      const all = [...repo.issues, ...repo.pulls.map(pullAsIssue)]
        .filter((i) => state === 'all' || i.state === state)
        .filter((i) => labels.every((l) => i.labels.includes(l)))
        .sort((a, b) => (direction === 'asc' ? a.number - b.number : b.number - a.number));
      const page = paginate(req, all);
      return { ...page, body: (page.body as EmuIssue[]).map((i) => issueJson(req, repo, i)) };
    }),
  },
  {
    method: 'POST',
    pattern: '/repos/:owner/:repo/issues',
    handle: withRepo((req, state, repo) => {
      const b = (req.body ?? {}) as { title?: string; body?: string; labels?: (string | { name: string })[] };
      if (!b.title) return invalid('title is missing', 'title', 'missing_field');
      const labels = (b.labels ?? []).map((l) => (typeof l === 'string' ? l : l.name));
      for (const l of labels) repo.labels.add(l); // GitHub creates unknown labels for writers
      const now = emuNow(state);
      const issue: EmuIssue = {
        number: nextNumber(state, repo),
        title: b.title,
        body: b.body ?? '',
        state: 'open',
        labels,
        comments: [],
        created_at: now,
        updated_at: now,
      };
      repo.issues.push(issue);
      return { status: 201, body: issueJson(req, repo, issue) };
    }),
  },
  {
    method: 'GET',
    pattern: '/repos/:owner/:repo/issues/:number',
    handle: withRepo((req, _state, repo) => {
      const issue = findIssue(repo, req.params.number);
      return issue ? { status: 200, body: issueJson(req, repo, issue) } : notFound();
    }),
  },
  {
    method: 'PATCH',
    pattern: '/repos/:owner/:repo/issues/:number',
    handle: withRepo((req, state, repo) => {
      const issue = findIssue(repo, req.params.number);
      if (!issue) return notFound();
      const b = (req.body ?? {}) as { title?: string; body?: string; state?: string; labels?: (string | { name: string })[] };
      if (b.state !== undefined && b.state !== 'open' && b.state !== 'closed') return invalid(`state is not one of open, closed`, 'state');
      if (b.title !== undefined) issue.title = b.title;
      if (b.body !== undefined) issue.body = b.body;
      if (b.state !== undefined) issue.state = b.state as EmuIssue['state'];
      if (b.labels !== undefined) {
        issue.labels = b.labels.map((l) => (typeof l === 'string' ? l : l.name));
        for (const l of issue.labels) repo.labels.add(l);
      }
      issue.updated_at = emuNow(state);
      return { status: 200, body: issueJson(req, repo, issue) };
    }),
  },
  {
    method: 'GET',
    pattern: '/repos/:owner/:repo/issues/:number/comments',
    handle: withRepo((req, _state, repo) => {
      const issue = findIssue(repo, req.params.number);
      if (!issue) return notFound();
      const page = paginate(req, issue.comments);
      return { ...page, body: (page.body as EmuIssue['comments']).map((c) => commentJson(req, repo, issue, c)) };
    }),
  },
  {
    method: 'POST',
    pattern: '/repos/:owner/:repo/issues/:number/comments',
    handle: withRepo((req, state, repo) => {
      const issue = findIssue(repo, req.params.number);
      if (!issue) return notFound();
      const b = (req.body ?? {}) as { body?: string };
      if (!b.body) return invalid('body is missing', 'body', 'missing_field');
      const created = emuNow(state);
      const comment = { id: state.nextId++, body: b.body, created_at: created };
      issue.comments.push(comment);
      issue.updated_at = created;
      return { status: 201, body: commentJson(req, repo, issue, comment) };
    }),
  },
];

/** Deleting a comment (how a run heals a comment posted twice). */
export const commentDeleteRoute: Route = {
  method: 'DELETE',
  pattern: '/repos/:owner/:repo/issues/comments/:id',
  handle: withRepo((req, _state, repo) => {
    for (const issue of repo.issues) {
      const i = issue.comments.findIndex((c) => c.id === Number(req.params.id));
      if (i !== -1) {
        issue.comments.splice(i, 1);
        return { status: 204 };
      }
    }
    return notFound();
  }),
};
issueRoutes.push(commentDeleteRoute);

function commentJson(req: EmuRequest, repo: EmuRepo, issue: EmuIssue, c: EmuIssue['comments'][number]): Record<string, unknown> {
  return {
    id: c.id,
    body: c.body,
    created_at: c.created_at,
    updated_at: c.created_at,
    user: { login: 'drift-auditor[bot]', type: 'Bot' },
    html_url: `https://github.com/${repo.owner}/${repo.name}/issues/${issue.number}#issuecomment-${c.id}`,
    issue_url: `${req.baseUrl}/repos/${repo.owner}/${repo.name}/issues/${issue.number}`,
  };
}

/** The label routes: list (paginated) and create (422 `already_exists` for a taken name). */
export const labelRoutes: Route[] = [
  {
    method: 'GET',
    pattern: '/repos/:owner/:repo/labels',
    handle: withRepo((req, _state, repo) => {
      const names = [...repo.labels].sort();
      const page = paginate(req, names);
      return { ...page, body: (page.body as string[]).map((name, i) => ({ id: i + 1, name, color: 'ededed', description: null, default: false })) };
    }),
  },
  {
    method: 'POST',
    pattern: '/repos/:owner/:repo/labels',
    handle: withRepo((req, _state, repo) => {
      const b = (req.body ?? {}) as { name?: string; color?: string; description?: string };
      if (!b.name) return invalid('name is missing', 'name', 'missing_field');
      const taken = [...repo.labels].some((l) => l.toLowerCase() === b.name!.toLowerCase());
      if (taken) return { status: 422, body: { message: 'Validation Failed', errors: [{ resource: 'Label', code: 'already_exists', field: 'name' }] } };
      repo.labels.add(b.name);
      return { status: 201, body: { id: repo.labels.size, name: b.name, color: b.color ?? 'ededed', description: b.description ?? null, default: false } };
    }),
  },
];
