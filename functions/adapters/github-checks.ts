// Publishes a pull-request check on GitHub: a check run on the head commit (checks:write) with its
// annotations sent 50 per request (the API's limit), and one PR comment, found again by its hidden
// marker and edited on a rerun instead of adding another. The pull request comes from the Actions
// environment: GITHUB_REPOSITORY and the pull_request event at GITHUB_EVENT_PATH.
import { readFile } from 'node:fs/promises';
import type { CheckAnnotation } from '../core/change/annotations.js';
import { InputError } from '../core/errors.js';
import { createOctokit, describeGitHubError, type GitHubClientOptions, type Octokit } from './github-client.js';

/** The pull request a check is for. */
export interface PullRequestContext {
  owner: string;
  repo: string;
  number: number;
  headSha: string;
  baseSha?: string;
}

/** GitHub takes at most 50 annotations per create or update request. */
export const ANNOTATIONS_PER_REQUEST = 50;
/** The checks API rejects an output summary or text longer than this. */
const MAX_OUTPUT = 65_535;

/**
 * Returns the pull request of a `pull_request` (or `pull_request_target`) Actions event: repository
 * from GITHUB_REPOSITORY, number and head sha from the event payload at GITHUB_EVENT_PATH.
 */
export async function readPullRequestContext(env: NodeJS.ProcessEnv): Promise<PullRequestContext> {
  const repository = env.GITHUB_REPOSITORY ?? '';
  const m = /^([\w.-]+)\/([\w.-]+)$/.exec(repository);
  if (!m) throw new InputError(`failed to read the pull request: GITHUB_REPOSITORY must be OWNER/REPO, got '${repository}'`);
  const path = env.GITHUB_EVENT_PATH;
  if (!path) throw new InputError('failed to read the pull request: GITHUB_EVENT_PATH is not set (run in a pull_request workflow)');
  let event: { pull_request?: { number?: unknown; head?: { sha?: unknown }; base?: { sha?: unknown } } };
  try {
    event = JSON.parse(await readFile(path, 'utf8')) as typeof event;
  } catch (err) {
    throw new InputError(`failed to read the pull request event ${path}: ${(err as Error).message}`, { cause: err });
  }
  const pr = event?.pull_request;
  const number = pr?.number;
  const headSha = pr?.head?.sha;
  if (typeof number !== 'number' || !Number.isInteger(number) || number <= 0)
    throw new InputError(`failed to read the pull request event ${path}: pull_request.number is missing (not a pull_request event?)`);
  if (typeof headSha !== 'string' || !/^[0-9a-f]{40,64}$/.test(headSha))
    throw new InputError(`failed to read the pull request event ${path}: pull_request.head.sha is missing or not a commit sha`);
  const baseSha = typeof pr?.base?.sha === 'string' && /^[0-9a-f]{40,64}$/.test(pr.base.sha) ? pr.base.sha : undefined;
  return { owner: m[1]!, repo: m[2]!, number, headSha, ...(baseSha ? { baseSha } : {}) };
}

export interface CheckRunInput {
  name: string;
  conclusion: 'success' | 'failure' | 'neutral';
  title: string;
  summary: string;
  annotations: CheckAnnotation[];
  detailsUrl?: string;
}

/** Creates a completed check run on the head commit, then adds the annotations past the first 50 in batches of 50; returns its id, URL and request count. */
export async function createCheckRun(octokit: Octokit, pr: PullRequestContext, input: CheckRunInput): Promise<{ id: number; url: string; requests: number }> {
  const batches: CheckAnnotation[][] = [];
  for (let i = 0; i < input.annotations.length; i += ANNOTATIONS_PER_REQUEST) batches.push(input.annotations.slice(i, i + ANNOTATIONS_PER_REQUEST));
  const output = (annotations: CheckAnnotation[] | undefined) => ({
    title: input.title.slice(0, 1000),
    summary: clip(input.summary),
    ...(annotations?.length ? { annotations } : {}),
  });
  let id: number;
  let url: string;
  try {
    const { data } = await octokit.rest.checks.create({
      owner: pr.owner,
      repo: pr.repo,
      name: input.name,
      head_sha: pr.headSha,
      status: 'completed',
      conclusion: input.conclusion,
      completed_at: new Date().toISOString(),
      ...(input.detailsUrl ? { details_url: input.detailsUrl } : {}),
      output: output(batches[0]),
    });
    id = data.id;
    url = data.html_url ?? '';
  } catch (err) {
    throw describeGitHubError(err, `create check run '${input.name}' on ${pr.owner}/${pr.repo}@${pr.headSha.slice(0, 12)} (needs checks: write)`);
  }
  for (const batch of batches.slice(1)) {
    try {
      // Annotations sent in an update are appended to the run's earlier ones.
      await octokit.rest.checks.update({ owner: pr.owner, repo: pr.repo, check_run_id: id, output: output(batch) });
    } catch (err) {
      throw describeGitHubError(err, `add annotations to check run ${id} on ${pr.owner}/${pr.repo}`);
    }
  }
  return { id, url, requests: Math.max(1, batches.length) };
}

/**
 * Makes the pull request carry exactly one comment starting with `marker`, with `body`: creates it,
 * edits it when its text differs, or does nothing. Returns what it did.
 */
export async function ensurePullRequestComment(octokit: Octokit, pr: PullRequestContext, marker: string, body: string): Promise<'created' | 'updated' | null> {
  const where = `${pr.owner}/${pr.repo}#${pr.number}`;
  let existing: { id: number; body?: string | null } | undefined;
  try {
    const comments = await octokit.paginate(octokit.rest.issues.listComments, { owner: pr.owner, repo: pr.repo, issue_number: pr.number, per_page: 100 });
    existing = comments.find((c) => (c.body ?? '').startsWith(marker));
  } catch (err) {
    throw describeGitHubError(err, `list the comments of ${where}`);
  }
  const text = clip(body);
  try {
    if (!existing) {
      await octokit.rest.issues.createComment({ owner: pr.owner, repo: pr.repo, issue_number: pr.number, body: text });
      return 'created';
    }
    if (existing.body === text) return null;
    await octokit.rest.issues.updateComment({ owner: pr.owner, repo: pr.repo, comment_id: existing.id, body: text });
    return 'updated';
  } catch (err) {
    throw describeGitHubError(err, `${existing ? 'update' : 'create'} the drift-auditor comment on ${where} (needs pull-requests: write)`);
  }
}

export interface PublishOptions extends Pick<GitHubClientOptions, 'throttle' | 'retries'> {
  env: NodeJS.ProcessEnv;
  check: CheckRunInput;
  comment: { marker: string; body: string };
}

/** Publishes the check run and the PR comment for the pull request of the Actions event. */
export async function publishPullRequestCheck(
  opts: PublishOptions,
): Promise<{ pr: PullRequestContext; checkRun: { id: number; url: string; requests: number }; comment: 'created' | 'updated' | null }> {
  const pr = await readPullRequestContext(opts.env);
  const octokit = await createOctokit({
    env: opts.env,
    repository: { owner: pr.owner, repo: pr.repo },
    ...(opts.throttle !== undefined ? { throttle: opts.throttle } : {}),
    ...(opts.retries !== undefined ? { retries: opts.retries } : {}),
  });
  const checkRun = await createCheckRun(octokit, pr, opts.check);
  const comment = await ensurePullRequestComment(octokit, pr, opts.comment.marker, opts.comment.body);
  return { pr, checkRun, comment };
}

function clip(s: string): string {
  if (s.length <= MAX_OUTPUT) return s;
  const note = "\n\n… cut to fit GitHub's 65,535-character limit; the JSON output has everything.\n";
  return s.slice(0, MAX_OUTPUT - note.length) + note;
}
