// Notify planning, pure: given a report and the drift issues already on GitHub (found by their hidden
// marker), compute what to do per (cluster, DaemonSet): create, edit (+ one comment), reopen
// (+ comment), close (+ comment), or nothing. The adapter only executes the plan; `--dry-run` prints it.
// Rules: nothing changed -> no action at all; an incomplete report never closes an issue nor reports a
// finding resolved (it only adds); duplicates from racing runs are healed (oldest open one kept).
// Every comment ends with a hidden marker naming its kind and the report's time, so a second run of
// the same report (at once, or after a failed POST that GitHub did carry out) finds it and posts none.
import type { Report, Severity } from '../types.js';
import {
  changedComment,
  duplicateComment,
  issueBody,
  issueLabels,
  issueTitle,
  isManagedLabel,
  resolvedComment,
  returnedComment,
  type BodyOptions,
  type KeyDiff,
} from './body.js';
import { parseIssueMarker, parseKeysBlock } from './marker.js';
import { fingerprintOf, selectSubjects, wasAudited, type NotifySubject } from './subjects.js';

/** An issue as listed from GitHub (pull requests already filtered out). */
export interface ExistingIssue {
  number: number;
  state: 'open' | 'closed';
  body: string;
  labels: string[];
  title?: string;
  html_url?: string;
}

export type IssueAction =
  | { kind: 'create'; daemonSet: string; title: string; body: string; labels: string[] }
  /** PATCH title/body/labels, then the comment (none when only the labels or wording changed). */
  | {
      kind: 'edit';
      daemonSet: string;
      issue: number;
      title: string;
      body: string;
      labels: string[];
      comment: string | null;
      appeared: number;
      resolved: number;
    }
  /** PATCH state open + title/body/labels, then the comment. */
  | { kind: 'reopen'; daemonSet: string; issue: number; title: string; body: string; labels: string[]; comment: string }
  /** The comment, then PATCH state closed. */
  | { kind: 'close'; daemonSet: string; issue: number; reason: 'resolved' | 'duplicate'; duplicateOf?: number; comment: string }
  | { kind: 'none'; daemonSet: string; issue: number | null; reason: string };

export interface IssuePlan {
  cluster: string;
  actions: IssueAction[];
  /** Every label a create/edit/reopen sets (the adapter makes sure they exist first). */
  labels: string[];
}

export interface PlanOptions extends BodyOptions {
  minSeverity: Severity;
  /** Labels added to every issue besides `drift`, `severity:*`, `cluster:*` (`--label`). */
  extraLabels?: string[];
}

/** Returns how many GitHub write calls an action costs. */
export function writesOf(a: IssueAction): number {
  switch (a.kind) {
    case 'create':
      return 1;
    case 'edit':
      return a.comment ? 2 : 1;
    case 'reopen':
      return 2;
    case 'close':
      return 2;
    case 'none':
      return 0;
  }
}

interface Tracked {
  issue: ExistingIssue;
  fingerprint: string;
}

const ORDER: Record<IssueAction['kind'], number> = { create: 0, reopen: 1, edit: 2, close: 3, none: 4 };

/** Returns the actions that bring GitHub's drift issues for `report.cluster` in line with the report. */
export function planIssues(report: Report, existing: readonly ExistingIssue[], opts: PlanOptions): IssuePlan {
  const subjects = new Map(selectSubjects(report, opts.minSeverity).map((s) => [s.daemonSet, s]));
  const tracked = new Map<string, Tracked[]>();
  for (const issue of existing) {
    const m = parseIssueMarker(issue.body);
    if (!m || m.cluster !== report.cluster) continue; // other clusters' issues are theirs
    const list = tracked.get(m.daemonSet) ?? [];
    list.push({ issue, fingerprint: m.fingerprint });
    tracked.set(m.daemonSet, list);
  }

  const slices = sliceByDaemonSet(report);
  const actions: IssueAction[] = [];
  const all = [...new Set([...subjects.keys(), ...tracked.keys()])].sort();
  for (const ds of all) {
    const issues = (tracked.get(ds) ?? []).sort((a, b) => a.issue.number - b.issue.number);
    const open = issues.filter((t) => t.issue.state === 'open');
    const keep = open[0] ?? issues.filter((t) => t.issue.state === 'closed').at(-1);
    for (const dup of open.slice(1)) {
      actions.push(duplicateClose(ds, dup.issue.number, keep!.issue.number, report.generatedAt));
    }
    actions.push(
      markComment(planSubject(slices.get(ds) ?? { ...report, findings: [], waived: [], coverage: [] }, ds, subjects.get(ds), keep, opts), report.generatedAt),
    );
  }
  actions.sort((a, b) => ORDER[a.kind] - ORDER[b.kind] || (a.daemonSet < b.daemonSet ? -1 : a.daemonSet > b.daemonSet ? 1 : 0));
  // A closed issue whose DaemonSet is still clean needs no line in the plan.
  const visible = actions.filter((a) => a.kind !== 'none' || a.issue !== null);
  const labels = [...new Set(visible.flatMap((a) => ('labels' in a ? a.labels : [])))].sort();
  return { cluster: report.cluster, actions: visible, labels };
}

/** Returns the action closing issue `dup` as a duplicate of `keep` (its comment marked). */
export function duplicateClose(daemonSet: string, dup: number, keep: number, generatedAt: string): IssueAction {
  return {
    kind: 'close',
    daemonSet,
    issue: dup,
    reason: 'duplicate',
    duplicateOf: keep,
    comment: `${duplicateComment(keep)}\n\n${formatCommentMarker(`duplicate-of-${keep}`, generatedAt)}`,
  };
}

const COMMENT_RE = /<!-- drift-auditor:comment kind=([a-z0-9-]+) run=(\S+) -->/;

/** Returns the hidden line that ends a comment: its kind and the time of the report that made it. */
export function formatCommentMarker(kind: string, generatedAt: string): string {
  return `<!-- drift-auditor:comment kind=${kind} run=${encodeURIComponent(generatedAt)} -->`;
}

/** Returns the comment marker line in `body`, or null (a comment people wrote). */
export function commentMarkerOf(body: string | null | undefined): string | null {
  return COMMENT_RE.exec(body ?? '')?.[0] ?? null;
}

function markComment(a: IssueAction, generatedAt: string): IssueAction {
  if (a.kind === 'none' || a.kind === 'create' || !a.comment) return a;
  const kind = a.kind === 'edit' ? 'changed' : a.kind === 'reopen' ? 'returned' : 'resolved';
  return { ...a, comment: `${a.comment}\n\n${formatCommentMarker(kind, generatedAt)}` };
}

/**
 * Returns, per DaemonSet, the report restricted to its findings, waived findings and coverage row:
 * bodies are rendered from the slice, so a run over many DaemonSets stays linear in the report size.
 */
function sliceByDaemonSet(report: Report): Map<string, Report> {
  const out = new Map<string, Report>();
  const get = (ds: string): Report => {
    let r = out.get(ds);
    if (!r) out.set(ds, (r = { ...report, findings: [], waived: [], coverage: [] }));
    return r;
  };
  for (const f of report.findings) get(`${f.namespace}/${f.daemonSet}`).findings.push(f);
  for (const f of report.waived) get(`${f.namespace}/${f.daemonSet}`).waived.push(f);
  for (const c of report.coverage) get(`${c.namespace}/${c.name}`).coverage.push(c);
  return out;
}

function planSubject(report: Report, ds: string, current: NotifySubject | undefined, keep: Tracked | undefined, opts: PlanOptions): IssueAction {
  const title = issueTitle(report.cluster, ds);
  if (!current) {
    if (!keep || keep.issue.state === 'closed') return { kind: 'none', daemonSet: ds, issue: null, reason: '' };
    if (!wasAudited(report, ds)) {
      return {
        kind: 'none',
        daemonSet: ds,
        issue: keep.issue.number,
        reason: report.complete ? 'not in the audited scope: left open' : 'incomplete audit: cannot confirm the drift is gone, left open',
      };
    }
    const previous = parseKeysBlock(keep.issue.body);
    return {
      kind: 'close',
      daemonSet: ds,
      issue: keep.issue.number,
      reason: 'resolved',
      comment: resolvedComment(report.cluster, ds, report, previous.keys, opts),
    };
  }

  if (!keep) {
    return {
      kind: 'create',
      daemonSet: ds,
      title,
      body: issueBody(current, report, opts),
      labels: issueLabels(report.cluster, current.severity, opts.extraLabels),
    };
  }
  const previous = parseKeysBlock(keep.issue.body);
  let subject = current;
  if (!report.complete && previous.complete) {
    // An incomplete audit only adds: what it did not see may still be there.
    const keys = [...new Set([...previous.keys, ...current.keys])].sort();
    subject = { ...current, keys, fingerprint: fingerprintOf(keys) };
  }
  const labels = mergeLabels(keep.issue.labels, issueLabels(report.cluster, subject.severity, opts.extraLabels));
  if (keep.issue.state === 'closed') {
    return {
      kind: 'reopen',
      daemonSet: ds,
      issue: keep.issue.number,
      title,
      body: issueBody(subject, report, opts),
      labels,
      comment: returnedComment(current, report, opts),
    };
  }
  const labelsChanged = !sameSet(labels, keep.issue.labels);
  if (subject.fingerprint === keep.fingerprint) {
    if (labelsChanged)
      return {
        kind: 'edit',
        daemonSet: ds,
        issue: keep.issue.number,
        title,
        body: issueBody(subject, report, opts),
        labels,
        comment: null,
        appeared: 0,
        resolved: 0,
      };
    return { kind: 'none', daemonSet: ds, issue: keep.issue.number, reason: 'unchanged' };
  }
  const diff = diffKeys(previous, subject.keys);
  return {
    kind: 'edit',
    daemonSet: ds,
    issue: keep.issue.number,
    title,
    body: issueBody(subject, report, opts),
    labels,
    comment: changedComment(subject, report, diff, opts),
    appeared: diff.appeared.length,
    resolved: diff.resolved.length,
  };
}

function diffKeys(previous: ReturnType<typeof parseKeysBlock>, now: readonly string[]): KeyDiff {
  const before = new Set(previous.keys);
  const after = new Set(now);
  if (!previous.complete) {
    return { appeared: [], resolved: [], exact: false, previousCount: previous.count };
  }
  return { appeared: now.filter((k) => !before.has(k)), resolved: previous.keys.filter((k) => !after.has(k)), exact: true, previousCount: previous.count };
}

/** Keeps labels people added; replaces the ones drift-auditor manages. */
function mergeLabels(existing: readonly string[], managed: readonly string[]): string[] {
  return [...new Set([...existing.filter((l) => !isManagedLabel(l)), ...managed])].sort();
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const sa = new Set(a);
  const sb = new Set(b);
  return sa.size === sb.size && [...sa].every((x) => sb.has(x));
}

/** Returns the plan as plain lines for `--dry-run` and logs. */
export function formatPlan(plan: IssuePlan): string {
  const lines = plan.actions.map((a) => {
    const where = a.kind === 'create' ? 'new issue' : `#${a.issue}`;
    switch (a.kind) {
      case 'create':
        return `create  ${a.daemonSet}: ${where} [${a.labels.join(', ')}]`;
      case 'edit':
        return `edit    ${a.daemonSet}: ${where}${a.comment ? ` (+comment: ${a.appeared} appeared, ${a.resolved} resolved)` : ' (labels/wording only)'}`;
      case 'reopen':
        return `reopen  ${a.daemonSet}: ${where} (+comment)`;
      case 'close':
        return `close   ${a.daemonSet}: ${where} (+comment)${a.reason === 'duplicate' ? ` duplicate of #${a.duplicateOf}` : ' drift resolved'}`;
      case 'none':
        return `none    ${a.daemonSet}: ${a.issue === null ? '-' : `#${a.issue}`} ${a.reason}`;
    }
  });
  return [
    `cluster ${plan.cluster}: ${plan.actions.filter((a) => a.kind !== 'none').length} action(s), ${plan.actions.reduce((n, a) => n + writesOf(a), 0)} write(s)`,
    ...lines.map((l) => `  ${l}`),
  ].join('\n');
}

/**
 * Returns the plan with every issue's title, labels and body and every comment in full (`notify
 * --plan-only`): what GitHub would receive, for review before a first run or without network.
 */
export function formatPlanDetail(plan: IssuePlan): string {
  const out = [formatPlan(plan)];
  for (const a of plan.actions) {
    if (a.kind === 'none') continue;
    const where = a.kind === 'create' ? 'new issue' : `#${a.issue}`;
    out.push('', `=== ${a.kind} ${a.daemonSet} (${where})`);
    if ('title' in a) out.push(`title: ${a.title}`, `labels: ${a.labels.join(', ')}`, '', a.body);
    if ('comment' in a && a.comment) out.push('', `--- comment on ${where}`, '', a.comment);
  }
  return `${out.join('\n')}\n`;
}
