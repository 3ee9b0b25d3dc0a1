// GitHub notifications from a report: one living issue per drifting (cluster, DaemonSet), found by
// the hidden marker in its body, and a PR where a waiver says Git should follow the cluster.
// GitHub itself is the state; a run where nothing changed makes no write call.
//
// Stable API (the CLI, `audit --notify-repo` and the notify Lambda call these):
//   notify(report: Report, opts: NotifyOptions): Promise<NotifyResult>
//     -> { summary, writes, complete, issues: IssueSyncResult, pulls: PullOutcome[] }
//     `complete` is false when the write cap stopped the run or an action failed (exit non-zero).
//   syncIssues(octokit, { owner, repo }, report, budget: WriteBudget, opts): Promise<IssueSyncResult>
//   syncPulls(octokit, manifestsRepo | null, report, budget: WriteBudget, opts): Promise<PullOutcome[]>
//   readReport(pathOrS3Url, env): Promise<Report>
// Octokit comes from ../github-client.ts createOctokit (token or App, GITHUB_API_URL, throttling on:
// writes at most one per second, as GitHub asks for content creation), unless `opts.octokit` is given.
// GitHub's secondary limits (80 content-creating requests a minute, 500 an hour): the write throttle
// keeps a run under 60 a minute, and the write cap (default 50) keeps one run far under 500 an hour;
// a 403/429 secondary-limit answer is retried once after its retry-after.
import type { Octokit } from 'octokit';
import { UsageError } from '../../core/errors.js';
import type { Report, Severity } from '../../core/types.js';
import { createOctokit } from '../github-client.js';
import type { HeldLock, LockOptions, ReportStore } from '../store/report-store.js';
import { loadRules } from '../rules-loader.js';
import { WriteBudget } from './budget.js';
import { checkReachable } from './reach.js';
import { formatPlanDetail, planIssues } from '../../core/github-issues/plan.js';
import { syncIssues, type ActionOutcome, type IssueSyncResult, type RepoRef } from './issues.js';
import { manifestsRepoOf, parseManifestsRepo, syncPulls, type ManifestsRepo, type PullOutcome } from './pulls.js';

export { WriteBudget } from './budget.js';
export { listDriftIssues, syncIssues, type ActionOutcome, type IssueSyncResult, type RepoRef } from './issues.js';
export { manifestsRepoOf, parseManifestsRepo, syncPulls, type ManifestsRepo, type PullOutcome } from './pulls.js';
export { parseReport, readReport, readReportText } from '../report-source.js';

export interface NotifyOptions {
  /** `OWNER/REPO` that holds the issues. */
  repo: string;
  /** Findings below this severity open no issue (default `warning`). */
  minSeverity?: Severity;
  /** Labels added to every issue besides `drift`, `severity:*`, `cluster:*`. */
  labels?: string[];
  /** Cap on write calls per run (default 50). */
  maxWrites?: number;
  /** Plan and print, write nothing. */
  dryRun?: boolean;
  /** Link to the full report in issue and PR bodies. */
  reportUrl?: string;
  /** `OWNER/REPO@REF` for PRs; default: the report's desired source when it was GitHub. */
  manifestsRepo?: string;
  /** Open PRs for drift that Git should follow (default true). */
  pulls?: boolean;
  env?: NodeJS.ProcessEnv;
  /** A ready client (tests, or a caller that already has one). */
  octokit?: Octokit;
  /** Throttling plugin on (default true); tests turn it off. */
  throttle?: boolean;
  /**
   * Serialises runs for one repository and cluster: a lock object in the evidence store
   * (locks/notify/<owner>/<repo>/<cluster>.json, created only if absent, expiring), held for the run.
   */
  lock?: Pick<ReportStore, 'acquireLock'>;
  /** Lock timing (tests); default: wait up to 10 minutes, expire after 15. */
  lockOptions?: LockOptions;
  log?: (line: string) => void;
}

export interface NotifyResult {
  summary: string;
  /** Write calls made (or booked). */
  writes: number;
  /** False when the write cap stopped the run or an action failed. */
  complete: boolean;
  issues: IssueSyncResult;
  pulls: PullOutcome[];
  /** Human-readable list of what was not done. */
  notDone: string[];
  /** Duplicate issues and comments found (and healed): the run then exits 1. */
  duplicates: string[];
  /** Failed writes that GitHub had carried out, found again by marker (not repeated). */
  recovered: string[];
}

/** Parses `OWNER/REPO`. */
export function parseRepo(s: string): RepoRef {
  const m = /^([\w.-]+)\/([\w.-]+)$/.exec(s);
  if (!m) throw new UsageError(`failed to read --repo: expected OWNER/REPO, got ${JSON.stringify(s)}`);
  return { owner: m[1]!, repo: m[2]! };
}

function count(outcomes: readonly ActionOutcome[], kind: string, status = 'done'): number {
  return outcomes.filter((o) => o.action.kind === kind && o.status === status).length;
}

/**
 * Returns what a first run would send for the report, with no network: the plan against a repository
 * with no drift issue yet, every issue's title, labels and body in full (`notify --plan-only`).
 */
export function planOffline(report: Report, opts: Pick<NotifyOptions, 'minSeverity' | 'labels' | 'reportUrl'>): string {
  return formatPlanDetail(planIssues(report, [], { minSeverity: opts.minSeverity ?? 'warning', extraLabels: opts.labels, reportUrl: opts.reportUrl }));
}

/** Syncs the report's issues (and PRs) to GitHub and returns what was done, planned or left undone. */
export async function notify(report: Report, opts: NotifyOptions): Promise<NotifyResult> {
  const repo = parseRepo(opts.repo);
  const env = opts.env ?? process.env;
  const manifests: ManifestsRepo | null = opts.manifestsRepo ? parseManifestsRepo(opts.manifestsRepo) : manifestsRepoOf(report);
  const octokit =
    opts.octokit ??
    (await createOctokit({
      env,
      repository: repo,
      throttle: opts.throttle ?? true,
      onRateLimit: (i) =>
        opts.log?.(`github ${i.kind} rate limit on ${i.method} ${i.url}: retry after ${i.retryAfterSeconds}s (${i.willRetry ? 'retrying' : 'giving up'})`),
    }));
  const budget = new WriteBudget(opts.maxWrites ?? 50);
  const minSeverity = opts.minSeverity ?? 'warning';

  await checkReachable(octokit);
  const lock = opts.lock && !opts.dryRun ? await takeLock(opts.lock, repo, report.cluster, opts) : undefined;
  try {
    return await syncAll(report, opts, { repo, manifests, octokit, budget, minSeverity, env });
  } finally {
    await lock?.release().catch((err: unknown) => opts.log?.(`could not release ${lock.key}: ${(err as Error).message} (it expires by itself)`));
  }
}

async function takeLock(store: Pick<ReportStore, 'acquireLock'>, repo: RepoRef, cluster: string, opts: NotifyOptions): Promise<HeldLock> {
  const safe = (s: string): string => s.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^[._-]/, 'x');
  const lock = await store.acquireLock(`notify/${safe(repo.owner)}/${safe(repo.repo)}/${safe(cluster)}`, {
    ttlSeconds: 900,
    waitSeconds: 600,
    ...opts.lockOptions,
  });
  if (lock.waitedMs >= 1000)
    opts.log?.(`waited ${Math.round(lock.waitedMs / 1000)} s for another notify run of ${repo.owner}/${repo.repo} and cluster ${cluster}`);
  if (lock.tookOver) opts.log?.(`took over ${lock.key}: its holder did not release it before it expired`);
  return lock;
}

interface Context {
  repo: RepoRef;
  manifests: ManifestsRepo | null;
  octokit: Octokit;
  budget: WriteBudget;
  minSeverity: Severity;
  env: NodeJS.ProcessEnv;
}

async function syncAll(report: Report, opts: NotifyOptions, { repo, manifests, octokit, budget, minSeverity, env }: Context): Promise<NotifyResult> {
  // Issue bodies show each rule's title and remediation from our rule files (none when they cannot be read).
  const rules = await loadRules(env.DRIFT_AUDITOR_RULES_DIR).catch(() => undefined);
  const issues = await syncIssues(octokit, repo, report, budget, {
    minSeverity,
    extraLabels: opts.labels,
    reportUrl: opts.reportUrl,
    dryRun: opts.dryRun,
    log: opts.log,
    rules,
  });
  let pulls: PullOutcome[] = [];
  if (opts.pulls ?? true) {
    const pullOctokit =
      opts.octokit || !manifests || (manifests.owner === repo.owner && manifests.repo === repo.repo)
        ? octokit
        : await createOctokit({ env, repository: manifests, throttle: opts.throttle ?? true });
    pulls = await syncPulls(pullOctokit, manifests, report, budget, { reportUrl: opts.reportUrl, dryRun: opts.dryRun, log: opts.log });
  }

  const o = issues.outcomes;
  const notDone = [
    ...o
      .filter((x) => x.status === 'skipped-cap')
      .map(
        (x) => `${x.action.kind} ${x.action.daemonSet}${'issue' in x.action && x.action.issue ? ` #${x.action.issue}` : ''}: write cap (${budget.max}) reached`,
      ),
    ...o.filter((x) => x.status === 'failed').map((x) => `${x.action.kind} ${x.action.daemonSet}: ${x.error}`),
    ...pulls.filter((p) => p.status === 'skipped-cap').map((p) => `pr ${p.daemonSet}: write cap (${budget.max}) reached`),
    ...pulls.filter((p) => p.status === 'failed').map((p) => `pr ${p.daemonSet}: ${p.detail}`),
  ];
  const verb = opts.dryRun ? 'planned' : 'done';
  const st = opts.dryRun ? 'dry-run' : 'done';
  const parts = [
    `${count(o, 'create', st)} created`,
    `${count(o, 'edit', st)} edited`,
    `${count(o, 'reopen', st)} reopened`,
    `${o.filter((x) => x.action.kind === 'close' && x.status === st).length} closed`,
    `${count(o, 'none')} unchanged`,
  ];
  const prParts =
    pulls.length > 0
      ? `; PRs: ${['created', 'updated', 'unchanged', 'respected', 'dry-run', 'skipped']
          .map((s) => [s, pulls.filter((p) => p.status === s).length] as const)
          .filter(([, n]) => n > 0)
          .map(([s, n]) => `${n} ${s}`)
          .join(', ')}`
      : '';
  const dups = issues.duplicates;
  const summary =
    `issues in ${opts.repo} for cluster ${report.cluster} (${verb}): ${parts.join(', ')}${prParts}; ${budget.used} write(s)${notDone.length > 0 ? `; NOT DONE: ${notDone.length}` : ''}` +
    (dups.length > 0 ? `; DUPLICATES found and healed: ${dups.length} (${dups.join('; ')})` : '');
  return {
    summary,
    writes: budget.used,
    complete: notDone.length === 0 && dups.length === 0,
    issues,
    pulls,
    notDone,
    duplicates: dups,
    recovered: issues.recovered,
  };
}
