// Issue sync, the thin I/O half of core/github-issues/plan.ts: list the repository's `drift` issues (all
// states, paginated; pull requests dropped), plan, then make sure the labels exist and run each
// action under the write budget. A run whose plan is all `none` makes no write call at all.
import type { Octokit } from 'octokit';
import { describeGitHubError } from '../github-client.js';
import { formatPlan, planIssues, writesOf, type ExistingIssue, type IssueAction, type IssuePlan, type PlanOptions } from '../../core/github-issues/plan.js';
import type { Report } from '../../core/types.js';
import type { WriteBudget } from './budget.js';

export interface RepoRef {
  owner: string;
  repo: string;
}

export interface IssueSyncOptions extends PlanOptions {
  dryRun?: boolean;
  log?: (line: string) => void;
}

export interface ActionOutcome {
  action: IssueAction;
  status: 'done' | 'failed' | 'skipped-cap' | 'dry-run';
  /** Issue number (for creates, the new one). */
  issue?: number;
  error?: string;
}

export interface IssueSyncResult {
  plan: IssuePlan;
  outcomes: ActionOutcome[];
  /** Labels created (or that would be, in a dry run). */
  labelsCreated: string[];
}

/** Returns the repository's drift issues (open and closed, pull requests excluded). */
export async function listDriftIssues(octokit: Octokit, repo: RepoRef): Promise<ExistingIssue[]> {
  try {
    const items = await octokit.paginate(octokit.rest.issues.listForRepo, { ...repo, state: 'all', labels: 'drift', per_page: 100 });
    return items
      .filter((i) => !i.pull_request)
      .map((i) => ({
        number: i.number,
        state: i.state === 'closed' ? 'closed' as const : 'open' as const,
        body: i.body ?? '',
        labels: i.labels.map((l) => (typeof l === 'string' ? l : l.name ?? '')).filter(Boolean),
        title: i.title,
        html_url: i.html_url,
      }));
  } catch (err) {
    throw describeGitHubError(err, `list drift issues in ${repo.owner}/${repo.repo}`);
  }
}

async function ensureLabels(octokit: Octokit, repo: RepoRef, wanted: readonly string[], budget: WriteBudget, dryRun: boolean): Promise<string[]> {
  if (wanted.length === 0) return [];
  let have: Set<string>;
  try {
    const labels = await octokit.paginate(octokit.rest.issues.listLabelsForRepo, { ...repo, per_page: 100 });
    have = new Set(labels.map((l) => l.name.toLowerCase()));
  } catch (err) {
    throw describeGitHubError(err, `list labels in ${repo.owner}/${repo.repo}`);
  }
  const missing = wanted.filter((l) => !have.has(l.toLowerCase()));
  if (dryRun) return missing;
  const created: string[] = [];
  for (const name of missing) {
    // Issues may still be created without the label (GitHub creates it then), so a full budget only skips.
    if (!budget.take(1)) break;
    try {
      await octokit.rest.issues.createLabel({ ...repo, name, color: labelColor(name), description: 'Managed by drift-auditor' });
      created.push(name);
    } catch (err) {
      if ((err as { status?: number }).status !== 422) throw describeGitHubError(err, `create label ${name} in ${repo.owner}/${repo.repo}`);
    }
  }
  return created;
}

function labelColor(name: string): string {
  if (name === 'severity:critical') return 'b60205';
  if (name === 'severity:warning') return 'fbca04';
  if (name.startsWith('severity:')) return 'c5def5';
  if (name.startsWith('cluster:')) return '0e8a16';
  return 'd93f0b';
}

async function execute(octokit: Octokit, repo: RepoRef, a: IssueAction): Promise<number | undefined> {
  switch (a.kind) {
    case 'create': {
      const { data } = await octokit.rest.issues.create({ ...repo, title: a.title, body: a.body, labels: a.labels });
      return data.number;
    }
    case 'edit':
      await octokit.rest.issues.update({ ...repo, issue_number: a.issue, title: a.title, body: a.body, labels: a.labels });
      if (a.comment) await octokit.rest.issues.createComment({ ...repo, issue_number: a.issue, body: a.comment });
      return a.issue;
    case 'reopen':
      await octokit.rest.issues.update({ ...repo, issue_number: a.issue, state: 'open', state_reason: 'reopened', title: a.title, body: a.body, labels: a.labels });
      await octokit.rest.issues.createComment({ ...repo, issue_number: a.issue, body: a.comment });
      return a.issue;
    case 'close':
      await octokit.rest.issues.createComment({ ...repo, issue_number: a.issue, body: a.comment });
      await octokit.rest.issues.update({ ...repo, issue_number: a.issue, state: 'closed', state_reason: a.reason === 'duplicate' ? 'duplicate' : 'completed' });
      return a.issue;
    case 'none':
      return a.issue ?? undefined;
  }
}

/**
 * Brings the repository's drift issues for `report.cluster` in line with the report and returns
 * what was done. Stops at the write budget; failed actions are recorded and the rest still run.
 */
export async function syncIssues(octokit: Octokit, repo: RepoRef, report: Report, budget: WriteBudget, opts: IssueSyncOptions): Promise<IssueSyncResult> {
  const existing = await listDriftIssues(octokit, repo);
  const plan = planIssues(report, existing, opts);
  opts.log?.(formatPlan(plan));
  const writing = plan.actions.filter((a) => a.kind !== 'none');
  const labelsCreated = writing.length > 0 ? await ensureLabels(octokit, repo, plan.labels, budget, Boolean(opts.dryRun)) : [];
  const outcomes: ActionOutcome[] = [];
  let capped = false;
  for (const action of plan.actions) {
    if (action.kind === 'none') { outcomes.push({ action, status: 'done', issue: action.issue ?? undefined }); continue; }
    if (opts.dryRun) { outcomes.push({ action, status: 'dry-run' }); continue; }
    if (capped || !budget.take(writesOf(action))) {
      capped = true;
      outcomes.push({ action, status: 'skipped-cap' });
      continue;
    }
    try {
      outcomes.push({ action, status: 'done', issue: await execute(octokit, repo, action) });
    } catch (err) {
      const e = describeGitHubError(err, `${action.kind} the issue for ${action.daemonSet}`);
      opts.log?.(e.message);
      outcomes.push({ action, status: 'failed', error: e.message });
    }
  }
  return { plan, outcomes, labelsCreated };
}
