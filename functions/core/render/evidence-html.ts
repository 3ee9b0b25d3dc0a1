// The evidence pack as one self-contained HTML page (no scripts, inline CSS, a CSP that forbids
// everything else), laid out to print: the PDF is this page printed by headless Chromium.
// Every string from the cluster, Git or the store is escaped.
import type { EvidencePack } from '../evidence/index.js';
import { escapeHtml as h } from './escape.js';

const CSS = `body{font:13px/1.45 system-ui,sans-serif;margin:24px;color:#111}h1{font-size:20px}h2{font-size:16px;margin-top:28px;border-bottom:1px solid #ccc}
table{border-collapse:collapse;width:100%;margin:8px 0}th,td{border:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top}th{background:#f3f3f3}
td.n{text-align:right;font-variant-numeric:tabular-nums}.bad{color:#b00020;font-weight:600}.ok{color:#176c2f}code{font-size:11px;word-break:break-all}
.muted{color:#666}@media print{body{margin:0}h2{break-after:avoid}tr{break-inside:avoid}}`;

function num(n: number | null, digits = 2): string {
  return n === null ? '–' : n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function rows(cells: string[][]): string {
  return cells.map((r) => `<tr>${r.join('')}</tr>`).join('\n');
}

/** Returns the pack as a self-contained HTML document. */
export function renderEvidenceHtml(p: EvidencePack): string {
  const td = (s: unknown) => `<td>${h(s)}</td>`;
  const tn = (n: number | null, d = 2) => `<td class="n">${num(n, d)}</td>`;
  const coverage = p.coverage.length
    ? `<table><tr><th>Requirement</th><th>DaemonSet</th><th>Required node-hours</th><th>Covered node-hours</th><th>Coverage</th><th>In evidence gaps</th><th>Nodes seen</th></tr>
${rows(
  p.coverage.map((c) => [
    td(c.requirement),
    td(c.daemonSet),
    tn(c.requiredNodeHours),
    tn(c.coveredNodeHours),
    `<td class="n ${c.percent !== null && c.percent < 100 ? 'bad' : 'ok'}">${c.percent === null ? '–' : `${num(c.percent, 3)} %`}</td>`,
    tn(c.gapNodeHours),
    tn(c.nodesSeen, 0),
  ]),
)}</table>`
    : '<p class="bad">The policy of these runs requires no coverage (requiredCoverage is empty), so no node-hours are counted.</p>';
  const runs = `<table><tr><th>Run</th><th>Time</th><th>Status</th><th>Verify</th><th>Findings</th><th>Hashes (sha256)</th></tr>
${rows(
  p.runs.map((r) => [
    td(r.runId),
    td(r.generatedAt),
    `<td class="${r.status === 'ok' ? 'ok' : 'bad'}">${h(r.status)}</td>`,
    `<td class="${r.verified ? 'ok' : 'bad'}">${r.verified ? 'ok' : `FAILED: ${h(r.problems.join('; '))}`}</td>`,
    td(r.findings === null ? '–' : `${r.findings} (${r.bySeverity?.critical ?? 0} critical, ${r.waived ?? 0} waived)`),
    `<td><code>manifest ${h(r.manifestSha256 ?? '–')}<br>report ${h(r.reportSha256 ?? '–')}<br>snapshot ${h(r.snapshotSha256 ?? '–')}</code></td>`,
  ]),
)}</table>`;
  const gaps = p.gaps.length
    ? `<table><tr><th>From</th><th>To</th><th>Hours</th><th>Why</th></tr>${rows(p.gaps.map((g) => [td(g.from), td(g.to), tn(g.hours), td(`${g.reason}${g.runId ? ` (${g.runId})` : ''}`)]))}</table>`
    : '<p class="ok">None: a usable run held the whole period.</p>';
  const findings = p.findings.length
    ? `<table><tr><th>Rule</th><th>Severity</th><th>DaemonSet</th><th>Node</th><th>Opened</th><th>Closed</th><th>Open hours</th><th>Message</th></tr>
${rows(
  p.findings.map((f) => [
    td(f.rule),
    td(f.severity),
    td(`${f.namespace}/${f.daemonSet}`),
    td(f.node ?? '–'),
    td(`${f.openedAt}${f.openedBeforePeriod ? ' (before the period)' : ''}`),
    td(f.closedAt ?? 'still open'),
    tn(f.openHours),
    td(f.message),
  ]),
)}</table>`
    : '<p>No findings in the usable runs of the period.</p>';
  const exceptions = p.exceptions.length
    ? `<table><tr><th>Owner</th><th>Reason</th><th>Expires</th><th>Rules</th><th>DaemonSets</th><th>Applied in runs</th><th>Expired in runs</th></tr>
${rows(
  p.exceptions.map((e) => [
    td(e.owner),
    td(e.reason),
    `<td class="${e.expired ? 'bad' : ''}">${h(e.expires)}${e.expired ? ' (expired)' : ''}</td>`,
    td(e.rules.join(', ')),
    td(e.daemonSets.join(', ')),
    tn(e.appliedInRuns.length, 0),
    tn(e.expiredInRuns.length, 0),
  ]),
)}</table>`
    : '<p>No waivers applied or expired in the period.</p>';
  const s = p.summary;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Evidence pack: ${h(p.cluster)}, ${h(p.period.from.slice(0, 10))} to ${h(p.period.to.slice(0, 10))}</title>
<style>${CSS}</style></head><body>
<h1>DaemonSet coverage evidence: cluster ${h(p.cluster)}</h1>
<p>Period ${h(p.period.from)} to ${h(p.period.to)} (${num(p.period.hours)} h). Made ${h(p.generatedAt)}${p.auditorVersion ? ` by drift-auditor ${h(p.auditorVersion)}` : ''}.</p>
<p>${s.runs} runs in the period, ${s.usableRuns} usable, <span class="${s.failedRuns ? 'bad' : ''}">${s.failedRuns} not usable</span>;
evidence held for ${num(s.evidencePercent, 3)} % of the period (<span class="${s.evidenceGapHours ? 'bad' : ''}">${num(s.evidenceGapHours)} h in gaps</span>).</p>
<p class="muted">${h(p.intervalRule.text)}</p>
<h2>Required coverage</h2>
${coverage}
<h2>Gaps in evidence</h2>
${gaps}
<h2>Runs</h2>
${runs}
<h2>Findings opened and closed</h2>
${findings}
<h2>Exception register (waivers)</h2>
${exceptions}
</body></html>
`;
}
