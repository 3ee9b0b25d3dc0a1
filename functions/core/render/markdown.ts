// The Markdown report: what an on-call engineer reads in a GitHub issue. It must fit an issue body
// (65,536 characters), so fixed parts come first and findings (worst first) fill what is left.
// Every string from the cluster or Git goes through escapeMarkdown: no mentions, links or markup.
import type { DaemonSetCoverage, Finding, Report, Severity } from '../types.js';
import { SEVERITIES } from '../types.js';
import { daemonSetKey, findingText, inputRows, reportStatus, rulesOf, severityCounts, sortFindings, statusHeadline } from './common.js';
import { escapeMarkdown, markdownCode } from './escape.js';
import { expectedVersusActual } from './expected-actual.js';
import { type ImageView, imageViews, mismatchText, sameText, shortDigest } from './images.js';

export interface MarkdownOptions {
  /** Maximum length of the output in characters (default 60,000: GitHub's issue body limit is 65,536). */
  maxChars?: number;
  /** Link to the full report (e.g. a presigned URL); only http(s) URLs are used. */
  reportUrl?: string;
  /** `namespace/name`: render only this DaemonSet's section and findings (for one GitHub issue per DaemonSet). */
  daemonSet?: string;
}

/** Default character budget, leaving room under GitHub's 65,536-character body limit. */
export const MARKDOWN_BUDGET = 60_000;
const MAX_CELL = 300;
const MAX_GAPS = 20;
const ICON: Record<Severity, string> = { critical: '🔴', warning: '🟠', info: '🔵' };

/** Returns the report as GitHub-flavoured Markdown of at most `maxChars` characters. */
export function renderMarkdown(report: Report, opts: MarkdownOptions = {}): string {
  const budget = opts.maxChars ?? MARKDOWN_BUDGET;
  const url = safeUrl(opts.reportUrl);
  const only = opts.daemonSet;
  const coverage = only ? report.coverage.filter((c) => daemonSetKey(c) === only) : report.coverage;
  const findings = sortFindings(only ? report.findings.filter((f) => daemonSetKey(f) === only) : report.findings);
  const waived = only ? report.waived.filter((f) => daemonSetKey(f) === only).length : report.waived.length;

  const head = [...header(report, only, url, findings, waived), ...gapsSection(report), ...whatToDoSection(report, findings), ...inputsSection(report)];
  const byDaemonSet = new Map<string, Finding[]>();
  for (const f of findings) {
    const k = daemonSetKey(f);
    const list = byDaemonSet.get(k);
    if (list) list.push(f);
    else byDaemonSet.set(k, [f]);
  }
  const sections = coverage.map((c) => daemonSetSection(c, byDaemonSet.get(daemonSetKey(c)) ?? []));
  if (only && coverage.length === 0) sections.push([`_DaemonSet ${escapeMarkdown(only)} is not in this report's coverage._`, '']);
  const findingRows = findings.map(findingRow);

  const out = new Budget(budget);
  for (const line of head) out.add(line);
  if (sections.length) out.add(only ? '' : '## DaemonSets', '');
  let shownSections = 0;
  for (const s of sections) {
    if (!out.fits(s, 400)) break;
    for (const line of s) out.add(line);
    shownSections++;
  }
  if (shownSections < sections.length) out.add(`… and ${sections.length - shownSections} more DaemonSets (see full report)`, '');

  out.add('## Findings (worst first)', '');
  if (findingRows.length === 0) {
    out.add(reportStatus(report) === 'incomplete' ? '_None in the inputs that could be read; the audit is INCOMPLETE._' : '_None._');
  } else {
    out.add('| Severity | Rule | DaemonSet | Node | Message | Expected → actual |', '|---|---|---|---|---|---|');
    const more = (n: number): string => `… and ${n} more findings (see full report${url ? `: ${link('open', url)}` : ''})`;
    const reserve = more(findingRows.length).length + 2;
    let shown = 0;
    for (const row of findingRows) {
      if (!out.fits([row], reserve)) break;
      out.add(row);
      shown++;
    }
    if (shown < findingRows.length) out.add('', more(findingRows.length - shown));
  }
  return out.text();
}

/** Collects lines while keeping the text under a character budget. */
class Budget {
  private readonly lines: string[] = [];
  private size = 0;
  constructor(private readonly max: number) {}
  fits(lines: string[], reserve = 0): boolean {
    return this.size + lines.reduce((n, l) => n + l.length + 1, 0) + reserve <= this.max;
  }
  add(...lines: string[]): void {
    for (const l of lines) {
      if (this.size + l.length + 1 > this.max) return;
      this.lines.push(l);
      this.size += l.length + 1;
    }
  }
  text(): string {
    return this.lines.join('\n');
  }
}

function header(report: Report, only: string | undefined, url: string | null, findings: Finding[], waived: number): string[] {
  const status = reportStatus(report);
  const subject = only ? `DaemonSet ${escapeMarkdown(only)} in cluster ${escapeMarkdown(report.cluster)}` : `cluster ${escapeMarkdown(report.cluster)}`;
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, findings.filter((f) => f.severity === s).length])) as Record<Severity, number>;
  const lines = [`# drift-auditor: ${subject}`, ''];
  if (status === 'incomplete') {
    lines.push('> [!CAUTION]', `> **${statusHeadline(report)}.** Drift may be missing from this report.`, '');
  }
  const clean = report.summary.daemonSets === 0 ? '⚠️ **COMPLETE, but no DaemonSet was in scope**' : '✅ **COMPLETE, no drift found**';
  const mark = status === 'incomplete' ? '⚠️ **INCOMPLETE**' : status === 'drift' ? '❌ **DRIFT**' : clean;
  const scope = only ? '' : ` · ${report.summary.nodes} nodes · ${report.summary.daemonSets} DaemonSets`;
  lines.push(`${mark} · ${findings.length} findings (${severityCounts(bySeverity)}) · ${waived} waived${scope}`, '');
  if (url) lines.push(`Full report: ${link('report.html', url)}`, '');
  return lines;
}

function gapsSection(report: Report): string[] {
  if (report.gaps.length === 0) return [];
  const lines = ['## What could not be read', ''];
  for (const g of report.gaps.slice(0, MAX_GAPS)) lines.push(`- ${cell(g.source)}: ${cell(g.message)}`);
  if (report.gaps.length > MAX_GAPS) lines.push(`- … and ${report.gaps.length - MAX_GAPS} more (see full report)`);
  lines.push('');
  return lines;
}

/** One "what to do" line per rule with findings: its title, its remediation and its file (rules/<id>.yaml in the auditor's repository). */
function whatToDoSection(report: Report, findings: Finding[]): string[] {
  const rules = rulesOf(report, findings);
  if (rules.length === 0) return [];
  return [
    '## What to do',
    '',
    ...rules.map((r) => `- ${ICON[r.severity]} ${markdownCode(r.id)} ${cell(r.title)}: ${escapeMarkdown(r.remediation)} (rule file ${markdownCode(r.docs)})`),
    '',
  ];
}

function inputsSection(report: Report): string[] {
  return ['## Inputs', '', '| | |', '|---|---|', ...inputRows(report).map(([k, v]) => `| ${k} | ${TOKEN.test(v) ? markdownCode(v) : cell(v)} |`), ''];
}

function daemonSetSection(c: DaemonSetCoverage, mine: Finding[]): string[] {
  const key = daemonSetKey(c);
  const counts = SEVERITIES.map((s) => [s, mine.filter((f) => f.severity === s).length] as const).filter(([, n]) => n > 0);
  const where = [c.inGit ? 'in Git' : 'NOT in Git', c.inCluster ? 'in cluster' : 'NOT in cluster'].join(', ');
  const r = c.reported;
  return [
    `### ${cell(key)}`,
    '',
    `${where} · ${counts.length ? counts.map(([s, n]) => `${ICON[s]} ${n} ${s}`).join(' · ') : 'no findings'}`,
    '',
    '| | Eligible (desired) | Covered (current) | Ready | Up-to-date | Misscheduled |',
    '|---|---|---|---|---|---|',
    `| Audit (recomputed) | ${c.eligible} | ${c.covered} | ${c.ready} | ${c.upToDate} | ${c.misscheduled} |`,
    r
      ? `| DaemonSet status | ${mark(r.desired, c.eligible)} | ${mark(r.current, c.covered)} | ${mark(r.ready, c.ready)} | ${mark(r.upToDate, c.upToDate)} | ${mark(r.misscheduled, c.misscheduled)} |`
      : '| DaemonSet status | – | – | – | – | – |',
    '',
    ...imagesTable(imageViews(c)),
  ];
}

/** Git's image beside what the pods run, per container; ❌ marks a running image or live template that differs. */
function imagesTable(views: ImageView[]): string[] {
  if (views.length === 0) return [];
  const row = (v: ImageView): string => {
    const running = v.running.map(
      (r) =>
        `${r.pods} × ${r.same ? sameText(v) : imageCode(r.image)}${r.digest ? ` ${imageCode(shortDigest(r.digest))}` : ''}${r.mismatch ? ` ❌ ${mismatchText(v, r.mismatch)}` : ''}`,
    );
    const live = v.live === null ? '–' : v.liveDiffers ? `${imageCode(v.live)} ❌ differs from Git` : v.git === null ? imageCode(v.live) : 'same as Git';
    return `| ${cell(v.container)}${v.init ? ' (init)' : ''} | ${v.git === null ? '–' : imageCode(v.git)} | ${live} | ${running.length ? running.join(' · ') : 'no pods'} |`;
  };
  return ['| Container | Git | Live template | Pods run |', '|---|---|---|---|', ...views.map(row), ''];
}

/** Bold when the DaemonSet's own status disagrees with the recomputed number. */
function mark(reported: number, computed: number): string {
  return reported === computed ? String(reported) : `**${reported}**`;
}

function findingRow(f: Finding): string {
  const message = findingText(f);
  return `| ${ICON[f.severity]} ${f.severity} | ${cell(f.rule)} | ${cell(daemonSetKey(f))} | ${f.node === null ? '–' : cell(f.node)} | ${cell(message)} | ${changeCell(f)} |`;
}

/** The change lines of a finding's expected and actual values, `; `-separated (the full values are in report.json); each segment escaped alone. */
function changeCell(f: Finding): string {
  const change = expectedVersusActual(f);
  if (!change) return '–';
  return `${change.lines.map((l) => l.map(escapeMarkdown).join('')).join('; ')}${change.more ? ` (… ${change.more} more)` : ''}`;
}

/** An image reference as inline code; anything that is not one is escaped as text. */
function imageCode(s: string): string {
  return IMAGE.test(s) ? markdownCode(s) : cell(s);
}

const IMAGE = /^[\w.:/+…-]{1,300}(?:@[a-z0-9]+:[0-9a-f]+…?)?$/;

/** Escapes a cluster string for a table cell, shortened to MAX_CELL characters. */
// Times, versions, hashes and commits read best as code; only such plain tokens are shown that way.
const TOKEN = /^[\w.:+-]{1,100}$/;

function cell(s: unknown): string {
  const text = String(s ?? '');
  return escapeMarkdown(text.length > MAX_CELL ? `${text.slice(0, MAX_CELL - 1)}…` : text);
}

function safeUrl(url: string | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : null;
  } catch {
    return null;
  }
}

/** A link whose URL (ours, not the cluster's) sits in angle brackets so parentheses cannot end it. */
function link(text: string, url: string): string {
  return `[${text}](<${url.replace(/[<>\s]/g, encodeURIComponent)}>)`;
}
