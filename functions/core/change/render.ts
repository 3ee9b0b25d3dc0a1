// The views of a pull-request check: the PR comment (Markdown, found again by a hidden marker), the
// terminal table, and the exit code. Every string from the cluster or the manifests is escaped
// (render/escape.ts), so a node name cannot mention people, link issues or inject markup.
import { daemonSetKey, severityCounts } from '../render/common.js';
import { escapeMarkdown, markdownCode } from '../render/escape.js';
import { columns, cutTo, type TableOptions } from '../render/table.js';
import { SEVERITIES, type Finding, type Severity } from '../types.js';
import { describeGroup } from './annotations.js';
import { formatDuration } from './compare.js';
import type { ChangeReport, DaemonSetChange } from './types.js';

/** The hidden first line of the PR comment; a rerun for the same cluster finds and edits it. */
export function changeCommentMarker(cluster: string): string {
  return `<!-- drift-auditor:pr-check cluster=${encodeURIComponent(cluster)} -->`;
}

/** Findings listed in the comment; the JSON (and the check run's annotations) carry all of them. */
const COMMENT_FINDINGS = 50;
const GROUP_LINES = 10;

/** Returns the exit code for `--fail-on` (1: a finding at or above it, or an incomplete check) and the reason for stderr. */
export function changeExitCode(report: ChangeReport, failOn: Severity | 'none'): { code: 0 | 1; reason: string | null } {
  if (!report.complete) {
    return {
      code: 1,
      reason: `the check is INCOMPLETE, so it cannot say what the change does: ${report.gaps.map((g) => `${g.source}: ${g.message}`).join('; ')}`,
    };
  }
  if (failOn === 'none') return { code: 0, reason: null };
  const worst = SEVERITIES.indexOf(failOn);
  const failing = report.findings.filter((f) => SEVERITIES.indexOf(f.severity) <= worst).length;
  return failing > 0 ? { code: 1, reason: `${failing} finding(s) at or above ${failOn}` } : { code: 0, reason: null };
}

/** Returns the one-line verdict: what the change does, or that it changes no placement. */
function headline(report: ChangeReport): string {
  if (!report.complete) return 'INCOMPLETE: the check could not read or render everything, so it cannot pass';
  const { changed, lost, gained } = report.summary;
  if (changed === 0) return 'No DaemonSet changes: no node loses or gains a daemon pod';
  if (lost === 0 && gained === 0) return `${changed} DaemonSet${changed === 1 ? '' : 's'} changed; no node loses or gains a daemon pod`;
  return `${changed} DaemonSet${changed === 1 ? '' : 's'} changed: ${lost} node placement${lost === 1 ? '' : 's'} lost, ${gained} gained`;
}

function snapshotLine(report: ChangeReport): string {
  const when =
    report.snapshotTakenAt === null
      ? 'at an unknown time'
      : `at ${report.snapshotTakenAt} (${formatDuration(report.snapshotAgeSeconds ?? 0)} before the check)`;
  return `${report.summary.nodes} nodes, snapshot taken ${when}`;
}

/** Returns the PR comment: marker, verdict, per-DaemonSet table, node groups, and the first findings. */
export function renderChangeMarkdown(report: ChangeReport, opts: { detailsUrl?: string } = {}): string {
  const out: string[] = [changeCommentMarker(report.cluster), `### drift-auditor: what this change does on cluster ${markdownCode(report.cluster)}`, ''];
  out.push(`**${escapeMarkdown(headline(report))}** (${severityCounts(report.summary.bySeverity)}; ${report.summary.waived} waived)`, '');
  for (const g of report.gaps) out.push(`> :warning: ${escapeMarkdown(g.source)}: ${escapeMarkdown(g.message)}`);
  if (report.gaps.length) out.push('');
  out.push(escapeMarkdown(snapshotLine(report)), '');
  const changed = report.daemonSets.filter((d) => d.change !== 'unchanged');
  if (changed.length) {
    out.push('| DaemonSet | change | nodes before | nodes after | lost | gained |', '|---|---|--:|--:|--:|--:|');
    for (const d of changed) out.push(`| ${markdownCode(daemonSetKey(d))} | ${d.change} | ${d.nodesBefore} | ${d.nodesAfter} | ${d.lost} | ${d.gained} |`);
    out.push('');
    const unchanged = report.daemonSets.length - changed.length;
    if (unchanged) out.push(`${unchanged} other DaemonSet${unchanged === 1 ? '' : 's'} unchanged.`, '');
    for (const d of changed) out.push(...groupSection(d));
  }
  if (report.findings.length) {
    out.push('| severity | rule | DaemonSet | node | message |', '|---|---|---|---|---|');
    for (const f of report.findings.slice(0, COMMENT_FINDINGS)) out.push(findingRow(f));
    if (report.findings.length > COMMENT_FINDINGS)
      out.push('', `… and ${report.findings.length - COMMENT_FINDINGS} more findings in the JSON output (\`-o json\`).`);
    out.push('');
  }
  if (opts.detailsUrl) out.push(`[Check run](${encodeURI(opts.detailsUrl)})`, '');
  out.push(
    `<sub>drift-auditor ${escapeMarkdown(report.auditorVersion)} · ${report.generatedAt} · base ${markdownCode(sourceName(report.inputs.base))} · head ${markdownCode(sourceName(report.inputs.head))}</sub>`,
  );
  return `${out.join('\n')}\n`;
}

function groupSection(d: DaemonSetChange): string[] {
  const out: string[] = [];
  for (const [what, groups] of [
    ['loses', d.lostBy],
    ['gains', d.gainedBy],
  ] as const) {
    if (!groups.length) continue;
    out.push(`${markdownCode(daemonSetKey(d))} ${what}:`);
    for (const g of groups.slice(0, GROUP_LINES)) out.push(`- ${escapeMarkdown(describeGroup(g))}`);
    if (groups.length > GROUP_LINES) out.push(`- … and ${groups.length - GROUP_LINES} more groups`);
    out.push('');
  }
  return out;
}

function findingRow(f: Finding): string {
  const ds = f.daemonSet ? markdownCode(daemonSetKey(f)) : '';
  return `| ${f.severity} | ${markdownCode(f.rule)} | ${ds} | ${f.node ? markdownCode(f.node) : ''} | ${escapeMarkdown(f.message)} |`;
}

function sourceName(s: ChangeReport['inputs']['base']): string {
  const commit = s.commit ? `@${s.commit.slice(0, 12)}` : s.ref ? `@${s.ref}` : '';
  return `${s.location}${commit}${s.path ? `:${s.path}` : ''}`;
}

const LIMITS = { daemonSet: 48, node: 48, rule: 30, message: 110 };

/** Returns the check as plain-text columns (control characters replaced), cells cut only to fit a terminal. */
export function renderChangeTable(report: ChangeReport, opts: TableOptions = {}): string {
  const cut = (s: string, max: number): string => cutTo(s, opts.terminalColumns === undefined ? Number.POSITIVE_INFINITY : max);
  const lines = [
    `cluster ${cut(report.cluster, 80)}  ${report.generatedAt}  ${cut(snapshotLine(report), 120)}`,
    `${headline(report)}  (${severityCounts(report.summary.bySeverity)}; ${report.summary.waived} waived)`,
  ];
  for (const g of report.gaps) lines.push(`  GAP ${cut(g.source, 120)}: ${cut(g.message, 200)}`);
  lines.push('');
  const changed = report.daemonSets.filter((d) => d.change !== 'unchanged');
  if (changed.length) {
    lines.push(
      ...columns(
        ['DAEMONSET', 'CHANGE', 'BEFORE', 'AFTER', 'LOST', 'GAINED'],
        changed.map((d) => [cut(daemonSetKey(d), LIMITS.daemonSet), d.change, String(d.nodesBefore), String(d.nodesAfter), String(d.lost), String(d.gained)]),
        [false, false, true, true, true, true],
      ),
    );
    for (const d of changed) {
      for (const [what, groups] of [
        ['loses', d.lostBy],
        ['gains', d.gainedBy],
      ] as const) {
        for (const g of groups.slice(0, GROUP_LINES)) lines.push(`  ${cut(daemonSetKey(d), LIMITS.daemonSet)} ${what} ${cut(describeGroup(g), 200)}`);
      }
    }
    lines.push('');
  }
  if (report.findings.length) {
    lines.push(
      ...columns(
        ['SEVERITY', 'RULE', 'DAEMONSET', 'NODE', 'MESSAGE'],
        report.findings.map((f) => [
          f.severity,
          cut(f.rule, LIMITS.rule),
          cut(f.daemonSet ? daemonSetKey(f) : '-', LIMITS.daemonSet),
          cut(f.node ?? '-', LIMITS.node),
          cut(f.message, LIMITS.message),
        ]),
      ),
    );
  } else {
    lines.push(report.complete ? 'No findings.' : 'No findings in what could be read (INCOMPLETE check).');
  }
  return `${lines.join('\n')}\n`;
}
