// The text drift-auditor writes to GitHub issues: title, body and the comments for changed,
// resolved, returned and duplicate drift. An issue carries structured facts only: rule, severity,
// node, container, reason code, field path, Git file and line, counts, short values (image refs,
// quantities, enum values) or their sha256 prefix, and the rule's title and remediation from our own
// rule files. Free text from the cluster (status, waiting and termination messages, finding messages)
// never reaches GitHub: it stays in the private reports. Every string still goes through escapeMarkdown
// (no mention, link or markup; secrets redacted; bidi and control characters visible).
// The body is rewritten only when the fingerprint changes, so its report times and links are those
// of the last change.
import { escapeMarkdown, markdownCode, plainText } from '../render/escape.js';
import type { Finding, Report, RuleDefinition, Severity } from '../types.js';
import { SEVERITIES } from '../types.js';
import { formatIssueMarker, formatKeysBlock } from './marker.js';
import type { NotifySubject } from './subjects.js';
import { factValue, parseFindingKey } from './subjects.js';

/** GitHub rejects issue and comment bodies longer than this. */
export const GITHUB_BODY_LIMIT = 65_536;

export interface BodyOptions {
  minSeverity: Severity;
  /** Where the full report is (`s3://bucket/key`, a console URL or a path): never a URL that carries a credential. */
  reportUrl?: string;
  /** The rule catalog: each rule's title and remediation are shown once per rule. */
  rules?: readonly RuleDefinition[];
  /** Cap on the body (default 60,000, below GitHub's 65,536). */
  maxChars?: number;
  /** Cap on items listed in a comment's appeared/resolved lists (default 50). */
  maxListed?: number;
}

const esc = escapeMarkdown;

/** Returns text for a title: mentions and issue references are broken with a zero-width joiner. */
export function plainTitle(s: string): string {
  return plainText(s.replace(/[\r\n\t]+/g, ' '))
    .replace(/@/g, '@\u200d')
    .replace(/#/g, '#\u200d')
    .slice(0, 240);
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
  const safe = safeLocation(url);
  if (!safe) return '';
  if (/^https?:\/\/[^\s<>]+$/.test(safe)) return `[${text}](<${safe}>)`;
  return `${text}: ${markdownCode(safe)}`;
}

/** Query parameters that make a URL a credential (SigV4 presigning, SAS tokens, OAuth). */
const CREDENTIAL_PARAMS = /^(x-amz-(security-token|credential|signature)|awsaccesskeyid|signature|sig|token|access_token|x-goog-(credential|signature))$/i;

/** Returns the location without userinfo, or null when it is a URL whose query carries a credential. */
export function safeLocation(url: string | undefined): string | null {
  if (!url) return null;
  if (!/^https?:\/\//i.test(url)) return url;
  try {
    const u = new URL(url);
    if ([...u.searchParams.keys()].some((k) => CREDENTIAL_PARAMS.test(k))) return null;
    u.username = '';
    u.password = '';
    return u.href;
  } catch {
    return null;
  }
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
  if (hasValue(k.expected) || hasValue(k.actual))
    parts.push(`expected ${hasValue(k.expected) ? esc(k.expected) : '—'}, actual ${hasValue(k.actual) ? esc(k.actual) : '—'}`);
  return parts.join(' · ');
}

function bulletList(keys: readonly string[], max: number): string {
  const lines = keys.slice(0, max).map((k) => `- ${describeKey(k)}`);
  if (keys.length > max) lines.push(`- …and ${keys.length - max} more`);
  return lines.join('\n');
}

const SEVERITY_ICON: Record<Severity, string> = { critical: '🔴', warning: '🟠', info: '🔵' };

/** Returns a value as an issue may show it: a short plain token, or `sha256:<prefix>` of anything else (escaped). */
function shownValue(v: unknown): string {
  const f = factValue(v);
  return f === null ? '—' : esc(String(f));
}

/** Returns one table row of structured facts about a finding; cluster strings are escaped, never code spans (a `|` would split the row). */
function findingRow(f: Finding): string {
  const what = f.reason ? `reason ${esc(f.reason)}` : f.path ? esc(f.path) : '';
  const where = f.file ? `${esc(f.file)}${f.line ? `:${f.line}` : ''}` : '';
  const values = f.expected !== undefined || f.actual !== undefined ? `${shownValue(f.expected)} → ${f.reason ? esc(f.reason) : shownValue(f.actual)}` : '';
  const by = f.changedBy ? ` (changed by ${esc(f.changedBy.manager)})` : '';
  return `| ${SEVERITY_ICON[f.severity]} ${f.severity} | ${esc(f.rule)} | ${f.node === null ? '–' : esc(f.node)} | ${f.container ? esc(f.container) : '–'} | ${[what, where].filter(Boolean).join(' · ') || '–'} | ${values || '–'}${by} |`;
}

/** Returns the "how to fix" lines of the subject's rules, from our rule files. */
function ruleNotes(findings: readonly Finding[], rules: readonly RuleDefinition[] | undefined): string[] {
  const ids = [...new Set(findings.map((f) => f.rule))].sort();
  const lines: string[] = [];
  for (const id of ids) {
    const r = rules?.find((x) => x.id === id);
    lines.push(
      `- **${escapeMarkdown(id)}**${r ? `: ${escapeMarkdown(r.title)}. ${escapeMarkdown(r.remediation.trim().split(/\n\s*\n/)[0] ?? '')}` : ''} (rule file ${markdownCode(`rules/${id}.yaml`)})`,
    );
  }
  return lines;
}

/** Returns the issue body for a subject: marker, counts, a table of structured facts, the rules' fixes, footer, hidden keys. */
export function issueBody(subject: NotifySubject, report: Report, opts: BodyOptions): string {
  const maxChars = Math.min(opts.maxChars ?? 60_000, GITHUB_BODY_LIMIT);
  const link = reportLink(opts.reportUrl);
  const status = report.complete ? 'complete' : `INCOMPLETE (${plural(report.gaps.length, 'input')} could not be read: findings are a lower bound)`;
  const head = [
    formatIssueMarker(subject),
    `**${plural(subject.findings.length, 'finding')}** at or above ${opts.minSeverity} (${countsLine(subject.findings)}) for DaemonSet ${esc(subject.daemonSet)} in cluster ${esc(subject.cluster)}.`,
    '',
    `Audit of ${markdownCode(report.generatedAt)}, ${status}. Git commit ${report.inputs.desired.commit ? markdownCode(report.inputs.desired.commit) : 'not recorded'}, snapshot sha256 ${report.inputs.snapshot.sha256 ? markdownCode(report.inputs.snapshot.sha256) : 'not recorded'}.${link ? ` ${link}.` : ''}`,
    '',
    '| Severity | Rule | Node | Container | Reason / field · Git file | Git → cluster |',
    '|---|---|---|---|---|---|',
  ].join('\n');
  const notes = ['', '**How to fix**', '', ...ruleNotes(subject.findings, opts.rules)].join('\n');
  const tail = `\n\n<sub>Messages from the cluster are in the private report, not here. drift-auditor keeps this issue in place: it edits it when the findings change, closes it when a complete audit finds the drift gone and reopens it if the drift returns. Keep the hidden marker comments.</sub>\n\n`;
  const keysBlock = formatKeysBlock(subject.keys, Math.floor(maxChars / 3));
  let budget = maxChars - head.length - notes.length - tail.length - keysBlock.length - 80;
  const rows: string[] = [];
  for (const f of subject.findings) {
    const row = findingRow(f);
    if (row.length + 1 > budget) break;
    rows.push(row);
    budget -= row.length + 1;
  }
  const more = rows.length < subject.findings.length ? `\n\n… and ${subject.findings.length - rows.length} more findings (see full report)` : '';
  return `${head}\n${rows.join('\n')}${more}\n${notes}${tail}${keysBlock}`;
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
  const lines = [
    `The drift changed in the audit of ${esc(report.generatedAt)}: now ${plural(subject.findings.length, 'finding')} at or above ${opts.minSeverity}.`,
  ];
  if (!diff.exact) {
    lines.push(
      '',
      `The previous list (${plural(diff.previousCount, 'finding')}) was too long to compare item by item; the issue body shows the current findings.`,
    );
  }
  if (diff.appeared.length > 0) lines.push('', `**Appeared (${diff.appeared.length})**`, bulletList(diff.appeared, max));
  if (diff.resolved.length > 0) {
    lines.push(
      '',
      report.complete ? `**Resolved (${diff.resolved.length})**` : `**Not seen in this incomplete audit (${diff.resolved.length})**: they may still exist`,
      bulletList(diff.resolved, max),
    );
  }
  const link = reportLink(opts.reportUrl);
  if (link) lines.push('', link);
  return lines.join('\n');
}

/** Returns the comment that closes an issue whose drift is gone. */
export function resolvedComment(cluster: string, daemonSet: string, report: Report, resolved: readonly string[], opts: BodyOptions): string {
  const lines = [
    `No findings at or above ${opts.minSeverity} remain for DaemonSet ${esc(daemonSet)} in cluster ${esc(cluster)}: the complete audit of ${esc(report.generatedAt)} found the drift gone. Closing.`,
  ];
  if (resolved.length > 0) lines.push('', `**Resolved (${resolved.length})**`, bulletList(resolved, opts.maxListed ?? 50));
  const link = reportLink(opts.reportUrl);
  if (link) lines.push('', link);
  return lines.join('\n');
}

/** Returns the comment that reopens an issue whose drift returned. */
export function returnedComment(subject: NotifySubject, report: Report, opts: BodyOptions): string {
  const lines = [
    `The drift returned in the audit of ${esc(report.generatedAt)}: ${plural(subject.findings.length, 'finding')} at or above ${opts.minSeverity}. Reopening.`,
    '',
    bulletList(subject.keys, opts.maxListed ?? 50),
  ];
  const link = reportLink(opts.reportUrl);
  if (link) lines.push('', link);
  return lines.join('\n');
}

/** Returns the comment that closes a duplicate issue, pointing at the one kept. */
export function duplicateComment(keep: number): string {
  return `Closing as a duplicate of #${keep}: drift-auditor keeps one issue per DaemonSet and cluster (two runs at the same time created this one).`;
}
