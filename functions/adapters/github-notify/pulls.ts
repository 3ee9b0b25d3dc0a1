// Pull requests where Git follows the cluster, through the git data API: read the manifest at the
// base (or the PR branch), edit only its image lines (core/github-issues/manifest-edit.ts), then blob ->
// tree -> commit -> ref (create, or move an existing branch) -> PR (create, or update the open one).
// A merged or closed PR for the same target images is respected; an unchanged branch costs no write.
import type { Octokit } from 'octokit';
import { GitHubError, InputError } from '../../core/errors.js';
import { editDaemonSetImages } from '../../core/github-issues/manifest-edit.js';
import { decidePull, pullBody, pullTitle, selectPullSubjects, type ExistingPull, type PullSubject } from '../../core/github-issues/pull.js';
import type { Report } from '../../core/types.js';
import { describeGitHubError } from '../github-client.js';
import type { WriteBudget } from './budget.js';
import type { RepoRef } from './issues.js';

export interface ManifestsRepo extends RepoRef {
  /** Branch the PRs target (the report's `inputs.desired.ref`). */
  ref: string;
  /** Folder the manifests were read from, tried as a prefix when a finding's file is not at the root. */
  path?: string;
}

export interface PullOutcome {
  daemonSet: string;
  branch: string;
  status: 'created' | 'updated' | 'unchanged' | 'respected' | 'skipped' | 'skipped-cap' | 'failed' | 'dry-run';
  number?: number;
  detail?: string;
}

export interface PullSyncOptions {
  reportUrl?: string;
  dryRun?: boolean;
  log?: (line: string) => void;
}

/** Worst-case writes for one PR: blob, tree, commit, ref, PR. */
const PR_WRITES = 5;

/** Parses `OWNER/REPO@REF` (REF may contain slashes). */
export function parseManifestsRepo(s: string): ManifestsRepo {
  const m = /^([\w.-]+)\/([\w.-]+)@(.+)$/.exec(s);
  if (!m) throw new InputError(`failed to read --manifests-repo: expected OWNER/REPO@REF, got ${JSON.stringify(s)}`);
  return { owner: m[1]!, repo: m[2]!, ref: m[3]! };
}

/** Returns the manifests repository named by the report's desired-state source, or null when it was not GitHub. */
export function manifestsRepoOf(report: Report): ManifestsRepo | null {
  const d = report.inputs.desired;
  if (d.kind !== 'github' || !d.ref) return null;
  const [owner, repo] = d.location.split('/');
  return owner && repo ? { owner, repo, ref: d.ref, path: d.path } : null;
}

async function readFileAt(
  octokit: Octokit,
  repo: RepoRef,
  commitSha: string,
  candidates: string[],
): Promise<{ path: string; mode: string; content: string; tree: string } | null> {
  const { data: commit } = await octokit.rest.git.getCommit({ ...repo, commit_sha: commitSha });
  const { data: tree } = await octokit.rest.git.getTree({ ...repo, tree_sha: commit.tree.sha, recursive: '1' });
  for (const path of candidates) {
    const entry = tree.tree.find((e) => e.path === path && e.type === 'blob');
    if (!entry?.sha) continue;
    const { data: blob } = await octokit.rest.git.getBlob({ ...repo, file_sha: entry.sha });
    const content = Buffer.from(blob.content, blob.encoding === 'base64' ? 'base64' : 'utf8').toString('utf8');
    return { path, mode: entry.mode ?? '100644', content, tree: commit.tree.sha };
  }
  return null;
}

async function getRefSha(octokit: Octokit, repo: RepoRef, branch: string): Promise<string | null> {
  try {
    const { data } = await octokit.rest.git.getRef({ ...repo, ref: `heads/${branch}` });
    return data.object.sha;
  } catch (err) {
    if ((err as { status?: number }).status === 404) return null;
    throw err;
  }
}

async function syncOne(
  octokit: Octokit,
  repo: ManifestsRepo,
  subject: PullSubject,
  report: Report,
  budget: WriteBudget,
  opts: PullSyncOptions,
): Promise<PullOutcome> {
  const out = (status: PullOutcome['status'], extra: Partial<PullOutcome> = {}): PullOutcome => ({
    daemonSet: subject.daemonSet,
    branch: subject.branch,
    status,
    ...extra,
  });
  const { data: listed } = await octokit.rest.pulls.list({ ...repo, head: `${repo.owner}:${subject.branch}`, state: 'all', per_page: 100 });
  const pulls: ExistingPull[] = listed.map((p) => ({
    number: p.number,
    state: p.state === 'open' ? 'open' : 'closed',
    merged: Boolean(p.merged_at),
    body: p.body ?? '',
    html_url: p.html_url,
  }));
  const decision = decidePull(subject, pulls);
  if (decision.kind === 'none') return out('respected', { number: decision.number, detail: decision.reason });

  const baseSha = await getRefSha(octokit, repo, repo.ref);
  if (!baseSha) throw new GitHubError(`failed to open a PR for ${subject.daemonSet}: base branch ${repo.ref} not found in ${repo.owner}/${repo.repo}`);
  // An open PR gets a new commit on its branch; a new PR starts from the base (a stale branch left by a
  // closed PR answers createRef with 422 and is then moved, with force, onto the new commit).
  const branchSha = decision.kind === 'update' ? await getRefSha(octokit, repo, subject.branch) : null;
  const startSha = branchSha ?? baseSha;
  const candidates = [subject.file, ...(repo.path ? [`${repo.path.replace(/^\/+|\/+$/g, '')}/${subject.file}`] : [])];
  const file = await readFileAt(octokit, repo, startSha, candidates);
  if (!file) return out('skipped', { detail: `${subject.file} not found at ${decision.kind === 'update' ? subject.branch : repo.ref}` });
  const edit = editDaemonSetImages(
    file.content,
    file.path,
    { namespace: subject.namespace, name: subject.name },
    subject.images.map((i) => ({ container: i.container, image: i.to })),
  );
  if (edit.changed.length === 0) {
    return out('unchanged', {
      number: decision.kind === 'update' ? decision.number : undefined,
      detail: decision.kind === 'update' ? 'the PR branch already has the cluster images' : `Git (${repo.ref}) already has the cluster images`,
    });
  }
  if (opts.dryRun)
    return out('dry-run', {
      number: decision.kind === 'update' ? decision.number : undefined,
      detail: `would ${decision.kind === 'update' ? 'update' : 'open'} a PR changing ${edit.changed.map((c) => `${c.container} line ${c.line}`).join(', ')} in ${file.path}`,
    });
  if (!budget.take(PR_WRITES)) return out('skipped-cap');

  const { data: blob } = await octokit.rest.git.createBlob({ ...repo, content: edit.text, encoding: 'utf-8' });
  const { data: tree } = await octokit.rest.git.createTree({
    ...repo,
    base_tree: file.tree,
    tree: [{ path: file.path, mode: file.mode as '100644', type: 'blob', sha: blob.sha }],
  });
  const message = `Follow the cluster: ${subject.daemonSet} image${edit.changed.length > 1 ? 's' : ''} on ${subject.cluster}\n\n${edit.changed.map((c) => `${c.container}: ${c.from} -> ${c.to}`).join('\n')}\n\nWaiver: ${subject.waiver.reason} (owner ${subject.waiver.owner}).`;
  const { data: commit } = await octokit.rest.git.createCommit({ ...repo, message, tree: tree.sha, parents: [startSha] });
  if (branchSha === null) {
    try {
      await octokit.rest.git.createRef({ ...repo, ref: `refs/heads/${subject.branch}`, sha: commit.sha });
    } catch (err) {
      if ((err as { status?: number }).status !== 422 || !/already exists/i.test(String((err as Error).message))) throw err;
      budget.used += 1;
      await octokit.rest.git.updateRef({ ...repo, ref: `heads/${subject.branch}`, sha: commit.sha, force: true });
    }
  } else {
    await octokit.rest.git.updateRef({ ...repo, ref: `heads/${subject.branch}`, sha: commit.sha });
  }
  const body = pullBody(subject, report, { reportUrl: opts.reportUrl, commit: report.inputs.desired.commit });
  if (decision.kind === 'update') {
    await octokit.rest.pulls.update({ ...repo, pull_number: decision.number, title: pullTitle(subject), body });
    return out('updated', { number: decision.number });
  }
  const { data: pr } = await octokit.rest.pulls.create({ ...repo, title: pullTitle(subject), head: subject.branch, base: repo.ref, body });
  return out('created', { number: pr.number });
}

/** Opens or updates one PR per DaemonSet whose drift Git should follow; returns one outcome each. */
export async function syncPulls(
  octokit: Octokit,
  repo: ManifestsRepo | null,
  report: Report,
  budget: WriteBudget,
  opts: PullSyncOptions = {},
): Promise<PullOutcome[]> {
  const { subjects, skipped } = selectPullSubjects(report);
  const outcomes: PullOutcome[] = skipped.map((s) => ({ daemonSet: s.daemonSet, branch: '', status: 'skipped', detail: s.reason }));
  for (const subject of subjects) {
    if (!repo) {
      outcomes.push({
        daemonSet: subject.daemonSet,
        branch: subject.branch,
        status: 'skipped',
        detail: 'no manifests repository: pass --manifests-repo OWNER/REPO@REF',
      });
      continue;
    }
    try {
      outcomes.push(await syncOne(octokit, repo, subject, report, budget, opts));
    } catch (err) {
      const e = err instanceof InputError || err instanceof GitHubError ? err : describeGitHubError(err, `open or update the PR for ${subject.daemonSet}`);
      opts.log?.(e.message);
      outcomes.push({ daemonSet: subject.daemonSet, branch: subject.branch, status: 'failed', detail: e.message });
    }
  }
  for (const o of outcomes) opts.log?.(`pr ${o.status} ${o.daemonSet}${o.number ? ` #${o.number}` : ''}${o.detail ? `: ${o.detail}` : ''}`);
  return outcomes;
}
