// The text drift-auditor writes to GitHub issues: title, body and the comments for changed,
// resolved, returned and duplicate drift. Every string from the cluster goes through escapeMarkdown,
// so it cannot mention, link or inject HTML.
// Body = our frame (hidden marker, why the issue exists, footer, hidden key list) around the
// per-DaemonSet report from render/markdown.ts (renderMarkdown with `daemonSet`), which gets the
// characters the frame leaves under GitHub's 65,536 limit. The body is rewritten only when the
// fingerprint changes, so its report times and links are those of the last change.
import { escapeMarkdown } from '../render/escape.js';
import { renderMarkdown } from '../render/markdown.js';
import type { Finding, Report, Severity } from '../types.js';
import { SEVERITIES } from '../types.js';
import { formatIssueMarker, formatKeysBlock } from './marker.js';
import type { NotifySubject } from './subjects.js';
import { parseFindingKey } from './subjects.js';

/** GitHub rejects issue and comment bodies longer than this. */
export const GITHUB_BODY_LIMIT = 65_536;

export interface BodyOptions {
  minSeverity: Severity;
  /** Link to the full report (S3 presigned URL or a path); shown only when it is a plain URL or path. */
  reportUrl?: string;
  /** Cap on the body (default 60,000, below GitHub's 65,536). */
  maxChars?: number;
  /** Cap on items listed in a comment's appeared/resolved lists (default 50). */
  maxListed?: number;
}

const esc = escapeMarkdown;

/** Returns text for a title: mentions and issue references are broken with a zero-width joiner. */
export function plainTitle(s: string): string {
  return s.replace(/[\r\n]+/g, ' ').replace(/@/g, '@\u200d').replace(/#/g, '#\u200d').slice(0, 240);
}

/** Returns the issue title for a subject. */
export function issueTitle(cluster: string, daemonSet: string): string {
  return plainTitle(`Drift: DaemonSet ${daemonSet} on cluster ${cluster}`);
}

/** Returns the labels of a subject's issue: `drift`, `severity:<s>`, `cluster:<c>` (GitHub caps names at 50), plus `extra`. */
export function issueLabels(cluster: string, severity: Severity, extra: readonly string[] = []): string[] {
  return [...new Set(['drift', `severity:${severity}`, `cluster:${cluster}`.slice(0, 50), ...extra])];
}

/** Returns true for labels drift-auditor manages (others, added by people, are kept). */
export function isManagedLabel(name: string): boolean {
  return name === 'drift' || name.startsWith('severity:') || name.startsWith('cluster:');
}

/** Returns a Markdown link to an http(s) report URL, the escaped text of any other location, or ''. */
export function reportLink(url: string | undefined, text = 'Full report'): string {
  if (!url) return '';
  if (/^https?:\/\/[^\s<>]+$/.test(url)) return `[${text}](<${url}>)`;
  return `${text}: ${esc(url)}`;
}

function countsLine(findings: readonly Finding[]): string {
  return SEVERITIES.map((s) => [s, findings.filter((f) => f.severity === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${s} ${n}`)
    .join(' · ');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Returns a one-line, escaped description of a stored finding key. */
export function describeKey(key: string): string {
  const k = parseFindingKey(key);
  if (!k) return esc(key);
  const parts = [`**${esc(k.rule)}**`];
  if (k.node) parts.push(`node ${esc(k.node)}`);
  if (k.container) parts.push(`container ${esc(k.container)}`);
  if (k.path) parts.push(`at ${esc(k.path)}`);
  const hasValue = (v: unknown) => v !== null && v !== undefined && v !== '';
  if (hasValue(k.expected) || hasValue(k.actual)) parts.push(`expected ${hasValue(k.expected) ? esc(k.expected) : '—'}, actual ${hasValue(k.actual) ? esc(k.actual) : '—'}`);
  return parts.join(' · ');
}

function bulletList(keys: readonly string[], max: number): string {
  const lines = keys.slice(0, max).map((k) => `- ${describeKey(k)}`);
  if (keys.length > max) lines.push(`- …and ${keys.length - max} more`);
  return lines.join('\n');
}

/** Returns the issue body for a subject: marker, why, the DaemonSet's Markdown report, footer, hidden keys. */
export function issueBody(subject: NotifySubject, report: Report, opts: BodyOptions): string {
  const maxChars = Math.min(opts.maxChars ?? 60_000, GITHUB_BODY_LIMIT);
  const head = [
    formatIssueMarker(subject),
    `**${plural(subject.findings.length, 'finding')}** at or above ${opts.minSeverity} (${countsLine(subject.findings)}) for DaemonSet ${esc(subject.daemonSet)} in cluster ${esc(subject.cluster)}.`,
    '',
  ].join('\n');
  // renderMarkdown links only http(s) reports; a path or s3:// location is still worth naming.
  const location = opts.reportUrl && !/^https?:\/\//.test(opts.reportUrl) ? `${reportLink(opts.reportUrl)}\n\n` : '';
  const tail = `\n\n${location}<sub>drift-auditor keeps this issue in place: it edits it when the findings change, closes it when a complete audit finds the drift gone and reopens it if the drift returns. Keep the hidden marker comments.</sub>\n\n`;
  const keysBlock = formatKeysBlock(subject.keys, Math.floor(maxChars / 3));
  const budget = maxChars - head.length - tail.length - keysBlock.length;
  const section = renderMarkdown(report, { daemonSet: subject.daemonSet, reportUrl: opts.reportUrl, maxChars: budget });
  return `${head}\n${section}${tail}${keysBlock}`;
}

export interface KeyDiff {
  appeared: string[];
  resolved: string[];
  /** False when the previous key list was truncated or missing: only counts can be compared. */
  exact: boolean;
  previousCount: number;
}

/** Returns the comment for an issue whose findings changed. */
export function changedComment(subject: NotifySubject, report: Report, diff: KeyDiff, opts: BodyOptions): string {
  const max = opts.maxListed ?? 50;
  const lines = [`The drift changed in the audit of ${esc(report.generatedAt)}: now ${plural(subject.findings.length, 'finding')} at or above ${opts.minSeverity}.`];
  if (!diff.exact) {
    lines.push('', `The previous list (${plural(diff.previousCount, 'finding')}) was too long to compare item by item; the issue body shows the current findings.`);
  }
  if (diff.appeared.length > 0) lines.push('', `**Appeared (${diff.appeared.length})**`, bulletList(diff.appeared, max));
  if (diff.resolved.length > 0) {
    lines.push('', report.complete ? `**Resolved (${diff.resolved.length})**` : `**Not seen in this incomplete audit (${diff.resolved.length})**: they may still exist`, bulletList(diff.resolved, max));
  }
  const link = reportLink(opts.reportUrl);
  if (link) lines.push('', link);
  return lines.join('\n');
}

/** Returns the comment that closes an issue whose drift is gone. */
export function resolvedComment(cluster: string, daemonSet: string, report: Report, resolved: readonly string[], opts: BodyOptions): string {
  const lines = [`No findings at or above ${opts.minSeverity} remain for DaemonSet ${esc(daemonSet)} in cluster ${esc(cluster)}: the complete audit of ${esc(report.generatedAt)} found the drift gone. Closing.`];
  if (resolved.length > 0) lines.push('', `**Resolved (${resolved.length})**`, bulletList(resolved, opts.maxListed ?? 50));
  const link = reportLink(opts.reportUrl);
  if (link) lines.push('', link);
  return lines.join('\n');
}

/** Returns the comment that reopens an issue whose drift returned. */
export function returnedComment(subject: NotifySubject, report: Report, opts: BodyOptions): string {
  const lines = [`The drift returned in the audit of ${esc(report.generatedAt)}: ${plural(subject.findings.length, 'finding')} at or above ${opts.minSeverity}. Reopening.`, '', bulletList(subject.keys, opts.maxListed ?? 50)];
  const link = reportLink(opts.reportUrl);
  if (link) lines.push('', link);
  return lines.join('\n');
}

/** Returns the comment that closes a duplicate issue, pointing at the one kept. */
export function duplicateComment(keep: number): string {
  return `Closing as a duplicate of #${keep}: drift-auditor keeps one issue per DaemonSet and cluster (two runs at the same time created this one).`;
}
