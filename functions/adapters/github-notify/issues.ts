// Issue sync, the thin I/O half of core/github-issues/plan.ts: list the repository's `drift` issues (all
// states, paginated; pull requests dropped), plan, then make sure the labels exist and run each
// action under the write budget. A run whose plan is all `none` makes no write call at all.
//
// Creating is not idempotent, so no POST is ever retried blindly (octokit's retry plugin would resend
// it after a 502 that GitHub had in fact carried out): before each create the issue is looked for
// again by its marker, and after a failed create too, so a create GitHub did carry out counts as
// done. Comments carry a marker of their own (plan.ts) and get the same treatment. After creating,
// the run lists again and heals duplicates a concurrent run made (closing the newer issue, deleting
// the second comment), and says so: `duplicates` is not empty, and the run exits 1.
import type { Octokit } from 'octokit';
import { describeGitHubError } from '../github-client.js';
import {
  commentMarkerOf,
  duplicateClose,
  formatPlan,
  planIssues,
  writesOf,
  type ExistingIssue,
  type IssueAction,
  type IssuePlan,
  type PlanOptions,
} from '../../core/github-issues/plan.js';
import { parseIssueMarker } from '../../core/github-issues/marker.js';
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
  /** Duplicate issues and comments found and healed (a concurrent run, or a write GitHub did twice). */
  duplicates: string[];
  /** Faults survived: a write that failed although GitHub carried it out, found again by its marker. */
  recovered: string[];
}

/** Per-request options for non-idempotent POSTs: never resent by the retry plugin. */
const NO_RETRY = { request: { retries: 0 } };

/** Returns the repository's drift issues (open and closed, pull requests excluded). */
export async function listDriftIssues(octokit: Octokit, repo: RepoRef): Promise<ExistingIssue[]> {
  try {
    const items = await octokit.paginate(octokit.rest.issues.listForRepo, { ...repo, state: 'all', labels: 'drift', per_page: 100 });
    return items
      .filter((i) => !i.pull_request)
      .map((i) => ({
        number: i.number,
        state: i.state === 'closed' ? ('closed' as const) : ('open' as const),
        body: i.body ?? '',
        labels: i.labels.map((l) => (typeof l === 'string' ? l : (l.name ?? ''))).filter(Boolean),
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

interface Run {
  octokit: Octokit;
  repo: RepoRef;
  cluster: string;
  log?: (line: string) => void;
  recovered: string[];
  /** Issues this run commented on (checked for doubled comments at the end). */
  commented: Set<number>;
}

/** Returns the lowest-numbered open issue of the cluster's DaemonSet, found by marker, or undefined. */
async function findOpenIssue(run: Run, daemonSet: string): Promise<ExistingIssue | undefined> {
  const all = await listDriftIssues(run.octokit, run.repo);
  return all
    .filter((i) => i.state === 'open')
    .filter((i) => {
      const m = parseIssueMarker(i.body);
      return m?.cluster === run.cluster && m.daemonSet === daemonSet;
    })
    .sort((a, b) => a.number - b.number)[0];
}

async function createIssue(run: Run, a: Extract<IssueAction, { kind: 'create' }>): Promise<number> {
  const found = await findOpenIssue(run, a.daemonSet);
  if (found) {
    run.log?.(`create ${a.daemonSet}: #${found.number} appeared meanwhile (another run): not created again`);
    return found.number;
  }
  try {
    const { data } = await run.octokit.rest.issues.create({ ...run.repo, title: a.title, body: a.body, labels: a.labels, ...NO_RETRY });
    return data.number;
  } catch (err) {
    const after = await findOpenIssue(run, a.daemonSet).catch(() => undefined);
    if (!after) throw err;
    const why = describeGitHubError(err, `create the issue for ${a.daemonSet}`).message;
    run.recovered.push(`create ${a.daemonSet}: ${why}, yet GitHub created #${after.number}`);
    run.log?.(`${why}; GitHub did create #${after.number}: not created again`);
    return after.number;
  }
}

interface IssueComment {
  id: number;
  body?: string | null;
}

async function listComments(run: Run, issue: number): Promise<IssueComment[]> {
  try {
    return await run.octokit.paginate(run.octokit.rest.issues.listComments, { ...run.repo, issue_number: issue, per_page: 100 });
  } catch (err) {
    throw describeGitHubError(err, `list the comments of #${issue}`);
  }
}

/** Posts a marked comment unless the issue already has it (a run of the same report, or a POST GitHub did carry out). */
async function postComment(run: Run, issue: number, body: string): Promise<void> {
  const marker = commentMarkerOf(body);
  run.commented.add(issue);
  if (marker && (await listComments(run, issue)).some((c) => c.body?.includes(marker))) {
    run.log?.(`comment on #${issue}: already there (another run of this report): not posted again`);
    return;
  }
  try {
    await run.octokit.rest.issues.createComment({ ...run.repo, issue_number: issue, body, ...NO_RETRY });
  } catch (err) {
    const there = marker ? (await listComments(run, issue).catch(() => [])).some((c) => c.body?.includes(marker)) : false;
    if (!there) throw err;
    const why = describeGitHubError(err, `comment on #${issue}`).message;
    run.recovered.push(`comment on #${issue}: ${why}, yet GitHub posted it`);
    run.log?.(`${why}; GitHub did post it: not posted again`);
  }
}

async function execute(run: Run, a: IssueAction): Promise<number | undefined> {
  const { octokit, repo } = run;
  switch (a.kind) {
    case 'create':
      return createIssue(run, a);
    case 'edit':
      await octokit.rest.issues.update({ ...repo, issue_number: a.issue, title: a.title, body: a.body, labels: a.labels });
      if (a.comment) await postComment(run, a.issue, a.comment);
      return a.issue;
    case 'reopen':
      await octokit.rest.issues.update({
        ...repo,
        issue_number: a.issue,
        state: 'open',
        state_reason: 'reopened',
        title: a.title,
        body: a.body,
        labels: a.labels,
      });
      await postComment(run, a.issue, a.comment);
      return a.issue;
    case 'close':
      await postComment(run, a.issue, a.comment);
      await octokit.rest.issues.update({ ...repo, issue_number: a.issue, state: 'closed', state_reason: a.reason === 'duplicate' ? 'duplicate' : 'completed' });
      return a.issue;
    case 'none':
      return a.issue ?? undefined;
  }
}

/**
 * After a run that created or commented: lists again and heals what a concurrent run doubled (a second
 * open issue per DaemonSet is closed as a duplicate of the oldest; a second copy of a marked comment is
 * deleted). Returns what it found, one line each.
 */
async function healDuplicates(run: Run, generatedAt: string, budget: WriteBudget): Promise<string[]> {
  const found: string[] = [];
  const open = new Map<string, ExistingIssue[]>();
  for (const i of await listDriftIssues(run.octokit, run.repo)) {
    const m = parseIssueMarker(i.body);
    if (i.state !== 'open' || m?.cluster !== run.cluster) continue;
    open.set(m.daemonSet, [...(open.get(m.daemonSet) ?? []), i]);
  }
  for (const [ds, issues] of open) {
    const [keep, ...dups] = issues.sort((a, b) => a.number - b.number);
    for (const dup of dups) {
      found.push(`issue #${dup.number} for ${ds} duplicates #${keep!.number}`);
      if (!budget.take(2)) continue;
      await execute(run, duplicateClose(ds, dup.number, keep!.number, generatedAt));
    }
  }
  for (const issue of run.commented) {
    const seen = new Set<string>();
    for (const c of await listComments(run, issue)) {
      const marker = commentMarkerOf(c.body);
      if (!marker) continue;
      if (!seen.has(marker)) {
        seen.add(marker);
        continue;
      }
      found.push(`comment ${c.id} on #${issue} repeats an earlier one`);
      if (!budget.take(1)) continue;
      try {
        await run.octokit.rest.issues.deleteComment({ ...run.repo, comment_id: c.id });
      } catch (err) {
        if ((err as { status?: number }).status !== 404) throw describeGitHubError(err, `delete the repeated comment ${c.id} on #${issue}`);
      }
    }
  }
  return found;
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
  const run: Run = { octokit, repo, cluster: report.cluster, log: opts.log, recovered: [], commented: new Set() };
  const duplicates = plan.actions
    .filter((a) => a.kind === 'close' && a.reason === 'duplicate')
    .map((a) => `issue #${a.kind === 'close' ? a.issue : '?'} for ${a.daemonSet} duplicates #${a.kind === 'close' ? a.duplicateOf : '?'}`);
  const outcomes: ActionOutcome[] = [];
  let capped = false;
  for (const action of plan.actions) {
    if (action.kind === 'none') {
      outcomes.push({ action, status: 'done', issue: action.issue ?? undefined });
      continue;
    }
    if (opts.dryRun) {
      outcomes.push({ action, status: 'dry-run' });
      continue;
    }
    if (capped || !budget.take(writesOf(action))) {
      capped = true;
      outcomes.push({ action, status: 'skipped-cap' });
      continue;
    }
    try {
      outcomes.push({ action, status: 'done', issue: await execute(run, action) });
    } catch (err) {
      const e = describeGitHubError(err, `${action.kind} the issue for ${action.daemonSet}`);
      opts.log?.(e.message);
      outcomes.push({ action, status: 'failed', error: e.message });
    }
  }
  const created = outcomes.some((o) => o.action.kind === 'create' && o.status === 'done');
  if (!opts.dryRun && (created || run.commented.size > 0)) {
    const healed = await healDuplicates(run, report.generatedAt, budget);
    for (const line of healed) opts.log?.(`duplicate healed: ${line}`);
    duplicates.push(...healed);
  }
  return { plan, outcomes, labelsCreated, duplicates, recovered: run.recovered };
}
