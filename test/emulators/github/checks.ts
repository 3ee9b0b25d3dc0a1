// Check-run and pull-request comment routes for the GitHub emulator: create and update check runs
// (422 past 50 annotations per request, as GitHub), list a run's annotations, and edit an issue or
// PR comment by id. `seedPullRequest` opens a PR as GitHub stores it (an issue that is a pull
// request, so its comments use the issue comment routes); `checkRunsOf` is what a test asserts on.
import type { EmuIssue, EmuRepo, EmuRequest, EmuResponse, EmuState, Route } from './server.js';
import { notFound, paginate } from './server.js';
import { emuNow, nextNumber, withRepo } from './issues.js';

export interface EmuAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: 'notice' | 'warning' | 'failure';
  message: string;
  title?: string;
}

export interface EmuCheckRun {
  id: number;
  name: string;
  head_sha: string;
  status: string;
  conclusion: string | null;
  output: { title: string | null; summary: string | null; text: string | null };
  annotations: EmuAnnotation[];
  details_url?: string;
}

const RUNS = new WeakMap<EmuState, Map<string, EmuCheckRun[]>>();

/** Returns the check runs of `owner/repo`, in creation order (a live list the routes append to). */
export function checkRunsOf(state: EmuState, key: string): EmuCheckRun[] {
  let byRepo = RUNS.get(state);
  if (!byRepo) RUNS.set(state, (byRepo = new Map()));
  let runs = byRepo.get(key);
  if (!runs) byRepo.set(key, (runs = []));
  return runs;
}

/** Opens pull request `number` (next free number by default) as an issue that is a pull request; returns its number. */
export function seedPullRequest(state: EmuState, repo: EmuRepo, title = 'Change the manifests'): number {
  const now = emuNow(state);
  const issue: EmuIssue = {
    number: nextNumber(state, repo),
    title,
    body: '',
    state: 'open',
    labels: [],
    comments: [],
    created_at: now,
    updated_at: now,
    pull_request: true,
  };
  repo.issues.push(issue);
  return issue.number;
}

function invalid(message: string): EmuResponse {
  return {
    status: 422,
    body: {
      message: 'Validation Failed',
      errors: [{ resource: 'CheckRun', code: 'custom', message }],
      documentation_url: 'https://docs.github.com/rest/checks/runs',
    },
  };
}

/** Returns the annotations of an `output`, or a 422 like GitHub's for more than 50 or a missing field. */
function readAnnotations(output: unknown): EmuAnnotation[] | EmuResponse {
  const list = (output as { annotations?: unknown } | undefined)?.annotations;
  if (list === undefined) return [];
  if (!Array.isArray(list)) return invalid('output.annotations must be an array');
  if (list.length > 50) return invalid('Only 50 annotations are allowed per request');
  for (const a of list as Partial<EmuAnnotation>[]) {
    if (
      typeof a.path !== 'string' ||
      !Number.isInteger(a.start_line) ||
      !Number.isInteger(a.end_line) ||
      typeof a.message !== 'string' ||
      !['notice', 'warning', 'failure'].includes(String(a.annotation_level))
    ) {
      return invalid('annotations need path, start_line, end_line, annotation_level (notice, warning, failure) and message');
    }
  }
  return list as EmuAnnotation[];
}

function runJson(req: EmuRequest, repo: EmuRepo, run: EmuCheckRun): Record<string, unknown> {
  return {
    id: run.id,
    name: run.name,
    head_sha: run.head_sha,
    status: run.status,
    conclusion: run.conclusion,
    url: `${req.baseUrl}/repos/${repo.owner}/${repo.name}/check-runs/${run.id}`,
    html_url: `https://github.com/${repo.owner}/${repo.name}/runs/${run.id}`,
    details_url: run.details_url ?? null,
    output: { ...run.output, annotations_count: run.annotations.length },
  };
}

function findRun(state: EmuState, repo: EmuRepo, id: string | undefined): EmuCheckRun | undefined {
  return checkRunsOf(state, `${repo.owner}/${repo.name}`).find((r) => r.id === Number(id));
}

function applyOutput(run: EmuCheckRun, output: unknown, annotations: EmuAnnotation[]): void {
  const o = (output ?? {}) as { title?: string; summary?: string; text?: string };
  if (o.title !== undefined) run.output.title = o.title;
  if (o.summary !== undefined) run.output.summary = o.summary;
  if (o.text !== undefined) run.output.text = o.text;
  // As on GitHub, annotations sent in an update are added to the earlier ones.
  run.annotations.push(...annotations);
}

/** The check-run routes and the comment edit route. */
export const checkRoutes: Route[] = [
  {
    method: 'POST',
    pattern: '/repos/:owner/:repo/check-runs',
    handle: withRepo((req, state, repo) => {
      const b = (req.body ?? {}) as { name?: string; head_sha?: string; status?: string; conclusion?: string; output?: unknown; details_url?: string };
      if (!b.name) return invalid('name is missing');
      if (!b.head_sha || !/^[0-9a-f]{40}$/.test(b.head_sha)) return invalid('head_sha must be a commit sha');
      if (repo.commits.size > 0 && !repo.commits.has(b.head_sha)) return invalid(`No commit found for SHA: ${b.head_sha}`);
      if (b.status === 'completed' && !b.conclusion) return invalid('conclusion is required when status is completed');
      const annotations = readAnnotations(b.output);
      if (!Array.isArray(annotations)) return annotations;
      const run: EmuCheckRun = {
        id: state.nextId++,
        name: b.name,
        head_sha: b.head_sha,
        status: b.status ?? 'queued',
        conclusion: b.conclusion ?? null,
        output: { title: null, summary: null, text: null },
        annotations: [],
        ...(b.details_url ? { details_url: b.details_url } : {}),
      };
      applyOutput(run, b.output, annotations);
      checkRunsOf(state, `${repo.owner}/${repo.name}`).push(run);
      return { status: 201, body: runJson(req, repo, run) };
    }),
  },
  {
    method: 'PATCH',
    pattern: '/repos/:owner/:repo/check-runs/:id',
    handle: withRepo((req, state, repo) => {
      const run = findRun(state, repo, req.params.id);
      if (!run) return notFound();
      const b = (req.body ?? {}) as { status?: string; conclusion?: string; output?: unknown };
      const annotations = readAnnotations(b.output);
      if (!Array.isArray(annotations)) return annotations;
      if (b.status !== undefined) run.status = b.status;
      if (b.conclusion !== undefined) run.conclusion = b.conclusion;
      applyOutput(run, b.output, annotations);
      return { status: 200, body: runJson(req, repo, run) };
    }),
  },
  {
    method: 'GET',
    pattern: '/repos/:owner/:repo/check-runs/:id',
    handle: withRepo((req, state, repo) => {
      const run = findRun(state, repo, req.params.id);
      return run ? { status: 200, body: runJson(req, repo, run) } : notFound();
    }),
  },
  {
    method: 'GET',
    pattern: '/repos/:owner/:repo/check-runs/:id/annotations',
    handle: withRepo((req, state, repo) => {
      const run = findRun(state, repo, req.params.id);
      return run ? paginate(req, run.annotations) : notFound();
    }),
  },
  {
    method: 'PATCH',
    pattern: '/repos/:owner/:repo/issues/comments/:id',
    handle: withRepo((req, state, repo) => {
      const b = (req.body ?? {}) as { body?: string };
      if (!b.body) return { status: 422, body: { message: 'Validation Failed', errors: [{ resource: 'IssueComment', field: 'body', code: 'missing_field' }] } };
      for (const issue of repo.issues) {
        const c = issue.comments.find((x) => x.id === Number(req.params.id));
        if (!c) continue;
        c.body = b.body;
        issue.updated_at = emuNow(state);
        return {
          status: 200,
          body: { id: c.id, body: c.body, created_at: c.created_at, updated_at: issue.updated_at, user: { login: 'drift-auditor[bot]', type: 'Bot' } },
        };
      }
      return notFound();
    }),
  },
];
