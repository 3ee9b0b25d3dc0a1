// The HTML report: one self-contained file (inline CSS and JS, no external assets, a CSP that
// forbids any network access) that works from file:// and from a presigned S3 URL. The summary,
// DaemonSet table, gaps and trend chart are rendered here, escaped; the node x DaemonSet matrix
// (canvas, 5,000 nodes) and the filterable findings table are drawn by the page's script from a
// compact JSON block that is escaped so `</script>` in a node name cannot break out. The script
// only ever writes cluster strings with textContent or on the canvas, never as markup.
import type { Finding, Report, Severity } from '../types.js';
import { SEVERITIES } from '../types.js';
import { daemonSetKey, findingText, inputRows, POD_STATES, reportStatus, rulesOf, severityCounts, sortFindings, statusHeadline } from './common.js';
import { escapeHtml, jsonForScript } from './escape.js';
import { expectedVersusActual, type Segments, type ValueChange } from './expected-actual.js';
import { type ImageView, imageViews, mismatchText, sameText, shortDigest, shortImage } from './images.js';

export interface HistoryPoint {
  generatedAt: string;
  bySeverity: Record<Severity, number>;
}

export interface HtmlOptions {
  /** Earlier runs (any order) for the trend chart; the current report is added when missing. */
  history?: HistoryPoint[];
}

const SEVERITY_COLOR: Record<Severity, string> = { critical: '#cf222e', warning: '#d4a72c', info: '#0969da' };
const MAX_WAIVED_ROWS = 1000;

/** The data block the page script reads (also what the browser tests inspect). */
export interface HtmlData {
  states: string[];
  colors: string[];
  ds: string[];
  /** [name, zone, nodeGroup, arch, ready (1/0), unschedulable (1/0)] */
  nodes: [string, string, string, string, number, number][];
  /** One digit per node x DaemonSet (index into `states`), row-major by node. */
  cells: string;
  severities: Severity[];
  /** [severity index, rule, namespace, daemonSet, node, message, index into `changes` (-1 when the finding has no expected or actual)] */
  findings: [number, string, string, string, string, string, number][];
  /** Distinct expected-versus-actual cells: findings share one when their values are equal (every coverage/missing, every pod on one old image). */
  changes: HtmlChange[];
  groupBy: 'zone' | 'nodeGroup' | 'arch' | 'none';
}

/**
 * A finding's expected-versus-actual cell: [change lines, changes left out, full expected, full actual] ([] when
 * the lines say it all). Text is in segments (expected-actual.ts), each escaped alone, joined by the script.
 */
export type HtmlChange = [Segments[], number, Segments, Segments];

/** Returns the index of each finding's expected-versus-actual cell in `changes` (-1 for none), adding each distinct cell once. */
function changeIndexer(changes: HtmlChange[]): (f: Finding) => number {
  const seen = new Map<string, number>();
  return (f) => {
    if (f.expected === undefined && f.actual === undefined) return -1;
    const key = JSON.stringify([f.expected ?? null, f.actual ?? null]);
    let i = seen.get(key);
    if (i === undefined) {
      const change = expectedVersusActual(f);
      if (!change) return -1;
      seen.set(key, (i = changes.push([change.lines, change.more, change.full?.expected ?? [], change.full?.actual ?? []]) - 1));
    }
    return i;
  };
}

/** Returns the report as one self-contained HTML page. */
export function renderHtml(report: Report, opts: HtmlOptions = {}): string {
  const data = htmlData(report);
  const title = `drift-auditor: ${report.cluster} ${report.generatedAt}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
${summaryHtml(report)}
${gapsHtml(report)}
${trendHtml(report, opts.history)}
${daemonSetsHtml(report)}
<section id="matrix-section">
<h2>Coverage matrix: node × DaemonSet</h2>
<div class="controls">
<label>Group by <select id="group-by">${(['zone', 'nodeGroup', 'arch', 'none'] as const).map((g) => `<option value="${g}"${g === data.groupBy ? ' selected' : ''}>${g === 'nodeGroup' ? 'node group' : g}</option>`).join('')}</select></label>
<label><input type="checkbox" id="problems-only"> only nodes with a problem</label>
<button type="button" id="expand-all">expand all</button> <button type="button" id="collapse-all">collapse all</button>
</div>
<ul class="legend" id="legend">${POD_STATES.map((s) => `<li data-state="${s.state}"><span class="swatch" style="background:${s.color}"></span>${escapeHtml(s.label)}</li>`).join('')}</ul>
<p class="hint">Each column of small cells is one node, each row one DaemonSet. Hover a cell for details; click it to list that node's findings.</p>
<noscript><p class="warn">The matrix and the findings table need JavaScript. findings.csv holds the same findings.</p></noscript>
<div id="matrix"></div>
<div id="tip" role="tooltip" hidden></div>
</section>
${rulesHtml(report)}
<section id="findings-section">
<h2>Findings (worst first)</h2>
<div class="controls">
<label>Severity <select id="f-severity"><option value="">all</option>${SEVERITIES.map((s) => `<option value="${s}">${s}</option>`).join('')}</select></label>
<label>Rule <select id="f-rule"><option value="">all</option>${unique(report.findings.map((f) => f.rule))
    .map(option)
    .join('')}</select></label>
<label>Namespace <select id="f-namespace"><option value="">all</option>${unique(report.findings.map((f) => f.namespace))
    .map(option)
    .join('')}</select></label>
<label>Node <input type="search" id="f-node" placeholder="node name contains…"></label>
<button type="button" id="f-clear">clear</button>
</div>
<p id="f-count" aria-live="polite"></p>
<table id="findings"><thead><tr><th>Severity</th><th>Rule</th><th>DaemonSet</th><th>Node</th><th>Message</th><th>Expected → actual</th></tr></thead><tbody></tbody></table>
</section>
${waivedHtml(report)}
<footer>drift-auditor ${escapeHtml(report.auditorVersion)} · generated ${escapeHtml(report.generatedAt)}</footer>
<script type="application/json" id="report-data">${jsonForScript(data)}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

/** Returns the compact data block for the page script (linear in nodes x DaemonSets + findings). */
export function htmlData(report: Report): HtmlData {
  const stateIndex = new Map(POD_STATES.map((s, i) => [s.state, i]));
  const notEligible = String(stateIndex.get('not-eligible'));
  const required = String(stateIndex.get('required-missing'));
  // The node is left out by the DaemonSet's own spec (so its coverage says not eligible), but the policy requires it there.
  const requiredMissing = new Set(
    report.findings.filter((f) => f.rule === 'coverage/required-missing' && f.node !== null).map((f) => `${f.node}\u0000${daemonSetKey(f)}`),
  );
  const cells: string[] = [];
  for (const n of report.nodes) {
    for (const c of report.coverage) {
      const s = c.nodes[n.name];
      if (requiredMissing.has(`${n.name}\u0000${daemonSetKey(c)}`) && (s === undefined || s === 'not-eligible')) cells.push(required);
      else cells.push(s === undefined ? notEligible : String(stateIndex.get(s) ?? notEligible));
    }
  }
  const changes: HtmlChange[] = [];
  const changeOf = changeIndexer(changes);
  const groupBy = report.nodes.some((n) => n.zone) ? 'zone' : report.nodes.some((n) => n.nodeGroup) ? 'nodeGroup' : 'none';
  return {
    states: POD_STATES.map((s) => s.state),
    colors: POD_STATES.map((s) => s.color),
    ds: report.coverage.map(daemonSetKey),
    nodes: report.nodes.map((n) => [n.name, n.zone ?? '', n.nodeGroup ?? '', n.arch ?? '', n.ready ? 1 : 0, n.unschedulable ? 1 : 0]),
    cells: cells.join(''),
    severities: [...SEVERITIES],
    findings: sortFindings(report.findings).map((f) => [
      SEVERITIES.indexOf(f.severity),
      f.rule,
      f.namespace,
      f.daemonSet,
      f.node ?? '',
      findingText(f),
      changeOf(f),
    ]),
    changes,
    groupBy,
  };
}

function summaryHtml(report: Report): string {
  const status = reportStatus(report);
  const rows = inputRows(report);
  const counts = SEVERITIES.map(
    (s) => `<span class="count" style="border-color:${SEVERITY_COLOR[s]}"><b>${report.summary.bySeverity[s] ?? 0}</b> ${s}</span>`,
  ).join(' ');
  return `<header>
<h1>drift-auditor report: ${escapeHtml(report.cluster)}</h1>
<p class="status status-${status}" id="status">${status === 'incomplete' ? '⚠ ' : status === 'drift' ? '✖ ' : '✔ '}${escapeHtml(statusHeadline(report))}</p>
<p class="counts">${counts} <span class="count"><b>${report.summary.waived}</b> waived</span> <span class="count"><b>${report.summary.nodes}</b> nodes</span> <span class="count"><b>${report.summary.daemonSets}</b> DaemonSets</span></p>
<dl class="inputs">${rows.map(([k, v]) => `<dt>${k}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>
</header>`;
}

function gapsHtml(report: Report): string {
  if (report.gaps.length === 0) return '';
  return `<section id="gaps" class="warn"><h2>What could not be read (the audit is INCOMPLETE)</h2><ul>${report.gaps.map((g) => `<li><code>${escapeHtml(g.source)}</code>: ${escapeHtml(g.message)}</li>`).join('')}</ul></section>`;
}

function daemonSetsHtml(report: Report): string {
  const findingsBy = new Map<string, number>();
  for (const f of report.findings) findingsBy.set(daemonSetKey(f), (findingsBy.get(daemonSetKey(f)) ?? 0) + 1);
  const num = (reported: number | undefined, computed: number): string =>
    reported === undefined
      ? '–'
      : reported === computed
        ? String(reported)
        : `<b class="differs" title="differs from the recomputed ${computed}">${reported}</b>`;
  const rows = report.coverage
    .map((c) => {
      const r = c.reported;
      return (
        `<tr><td>${escapeHtml(daemonSetKey(c))}</td><td>${c.inGit ? 'yes' : '<b>no</b>'}</td><td>${c.inCluster ? 'yes' : '<b>no</b>'}</td>` +
        `<td>${c.eligible}</td><td>${c.covered}</td><td>${c.ready}</td><td>${c.upToDate}</td><td>${c.misscheduled}</td>` +
        `<td>${num(r?.desired, c.eligible)}</td><td>${num(r?.current, c.covered)}</td><td>${num(r?.ready, c.ready)}</td><td>${num(r?.upToDate, c.upToDate)}</td><td>${num(r?.misscheduled, c.misscheduled)}</td>` +
        `<td>${findingsBy.get(daemonSetKey(c)) ?? 0}</td><td class="imgs">${imageViews(c).map(imagesHtml).join('')}</td></tr>`
      );
    })
    .join('\n');
  return `<section id="daemonsets"><h2>DaemonSets</h2>
<table class="num"><thead><tr><th rowspan="2">DaemonSet</th><th rowspan="2">In Git</th><th rowspan="2">In cluster</th><th colspan="5">Recomputed by the audit</th><th colspan="5">Reported by the DaemonSet status</th><th rowspan="2">Findings</th><th rowspan="2">Images: Git, and what the pods run</th></tr>
<tr><th>eligible</th><th>covered</th><th>ready</th><th>up-to-date</th><th>mis&shy;scheduled</th><th>desired</th><th>current</th><th>ready</th><th>up-to-date</th><th>mis&shy;scheduled</th></tr></thead>
<tbody>
${rows}
</tbody></table></section>`;
}

/** One container's images: Git's, the live template's when it differs, and each image and digest the pods run (✖ where it differs). */
function imagesHtml(v: ImageView): string {
  const image = (label: string, ref: string, bad: boolean): string =>
    `<div${bad ? ' class="bad"' : ''} title="${escapeHtml(ref)}">${label} <code>${escapeHtml(shortImage(ref))}</code>${bad ? ' ✖' : ''}</div>`;
  const head = `<div class="ctr"><b>${escapeHtml(v.container)}</b>${v.init ? ' (init)' : ''}</div>`;
  const git = v.git === null ? '<div class="muted">Git: none</div>' : image('Git', v.git, false);
  const live = v.live !== null && (v.liveDiffers || v.git === null) ? image('live template', v.live, v.liveDiffers) : '';
  const running = v.running
    .map((r) => {
      const ref = r.digest ? `${r.image} (${r.digest})` : r.image;
      const what = r.same ? sameText(v) : `<code>${escapeHtml(shortImage(r.image))}</code>`;
      const digest = r.digest ? ` <code>${escapeHtml(shortDigest(r.digest))}</code>` : '';
      const mark = r.mismatch ? ` <span class="why">✖ ${escapeHtml(mismatchText(v, r.mismatch))}</span>` : ' ✓';
      return `<div class="run${r.mismatch ? ' bad' : ''}" title="${escapeHtml(ref)}">${r.pods} pod${r.pods === 1 ? '' : 's'} ${what}${digest}${mark}</div>`;
    })
    .join('');
  return `<div class="ctr-images">${head}${git}${live}${running || '<div class="muted">no pods</div>'}</div>`;
}

/** What to do, per rule with findings: severity, id, title, remediation and the rule file. */
function rulesHtml(report: Report): string {
  const rules = rulesOf(report);
  if (rules.length === 0) return '';
  const rows = rules
    .map(
      (r) =>
        `<tr data-rule="${escapeHtml(r.id)}"><td class="sev-${r.severity}">${r.severity}</td><td><code>${escapeHtml(r.id)}</code><br>${escapeHtml(r.title)}</td>` +
        `<td>${escapeHtml(r.remediation)}</td><td><code>${escapeHtml(r.docs)}</code></td></tr>`,
    )
    .join('\n');
  return `<section id="rules"><h2>What to do, per rule</h2>
<table><thead><tr><th>Severity</th><th>Rule</th><th>What to do</th><th>Rule file</th></tr></thead><tbody>
${rows}
</tbody></table></section>`;
}

function waivedHtml(report: Report): string {
  if (report.waived.length === 0) return '';
  const rows = sortFindings(report.waived)
    .slice(0, MAX_WAIVED_ROWS)
    .map(
      (f) =>
        `<tr><td>${f.severity}</td><td>${escapeHtml(f.rule)}</td><td>${escapeHtml(daemonSetKey(f))}</td><td>${escapeHtml(f.node ?? '–')}</td><td>${escapeHtml(findingText(f))}</td><td>${changeHtml(expectedVersusActual(f))}</td><td>${escapeHtml(f.waiver?.reason ?? '')} (${escapeHtml(f.waiver?.owner ?? '')}, until ${escapeHtml(f.waiver?.expires ?? '')})</td></tr>`,
    )
    .join('\n');
  const more = report.waived.length > MAX_WAIVED_ROWS ? `<p>… and ${report.waived.length - MAX_WAIVED_ROWS} more (see report.json or findings.csv)</p>` : '';
  return `<section id="waived"><details><summary>Waived findings (${report.waived.length})</summary>
<table><thead><tr><th>Severity</th><th>Rule</th><th>DaemonSet</th><th>Node</th><th>Message</th><th>Expected → actual</th><th>Waiver</th></tr></thead><tbody>
${rows}
</tbody></table>${more}</details></section>`;
}

/** Inline SVG: stacked bars of findings per run by severity, oldest left. */
function trendHtml(report: Report, history: HistoryPoint[] | undefined): string {
  if (!history || history.length === 0) return '';
  const points = [...history];
  if (!points.some((p) => p.generatedAt === report.generatedAt)) points.push({ generatedAt: report.generatedAt, bySeverity: report.summary.bySeverity });
  points.sort((a, b) => (a.generatedAt < b.generatedAt ? -1 : a.generatedAt > b.generatedAt ? 1 : 0));
  const shown = points.slice(-60);
  const total = (p: HistoryPoint): number => SEVERITIES.reduce((n, s) => n + (p.bySeverity[s] ?? 0), 0);
  const max = Math.max(1, ...shown.map(total));
  const W = 720,
    H = 160,
    left = 40,
    bottom = 20,
    top = 10;
  const bw = Math.min(28, (W - left) / shown.length);
  const y = (v: number): number => top + (H - top - bottom) * (1 - v / max);
  const bars = shown
    .map((p, i) => {
      let acc = 0;
      const x = left + i * bw + 1;
      const rects = [...SEVERITIES]
        .reverse()
        .map((s) => {
          const v = p.bySeverity[s] ?? 0;
          if (v === 0) return '';
          const r = `<rect x="${x.toFixed(1)}" y="${y(acc + v).toFixed(1)}" width="${Math.max(1, bw - 2).toFixed(1)}" height="${(y(acc) - y(acc + v)).toFixed(1)}" fill="${SEVERITY_COLOR[s]}"/>`;
          acc += v;
          return r;
        })
        .join('');
      return `<g class="bar"><title>${escapeHtml(p.generatedAt)}: ${escapeHtml(severityCounts(p.bySeverity))}</title>${rects}</g>`;
    })
    .join('');
  const axis =
    `<line x1="${left}" y1="${H - bottom}" x2="${W}" y2="${H - bottom}" stroke="#8c959f"/>` +
    `<text x="${left - 4}" y="${y(max) + 4}" text-anchor="end">${max}</text><text x="${left - 4}" y="${H - bottom}" text-anchor="end">0</text>` +
    `<text x="${left}" y="${H - 4}">${escapeHtml(shown[0]!.generatedAt.slice(0, 10))}</text>` +
    `<text x="${(left + bw * shown.length).toFixed(1)}" y="${H - 4}" text-anchor="end">${escapeHtml(shown[shown.length - 1]!.generatedAt.slice(0, 10))}</text>`;
  const legend = SEVERITIES.map((s) => `<span class="count" style="border-color:${SEVERITY_COLOR[s]}">${s}</span>`).join(' ');
  return `<section id="trend"><h2>Findings per run</h2><p>${legend}</p>
<svg id="trend-chart" xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="findings per run, last ${shown.length} runs">${axis}${bars}</svg></section>`;
}

/** The expected-versus-actual cell as markup (the waived table; the page script builds the same for findings). */
function changeHtml(change: ValueChange | null): string {
  if (!change) return '';
  const text = (s: Segments): string => s.map(escapeHtml).join('');
  const lines = change.lines.map((l) => `<div>${text(l)}</div>`).join('');
  const more = change.more ? `<div class="more">… ${change.more} more</div>` : '';
  const full = change.full
    ? `<details><summary>full values</summary><pre>expected:\n${indent(text(change.full.expected))}\nactual:\n${indent(text(change.full.actual))}</pre></details>`
    : '';
  return `<div class="change">${lines}${more}${full}</div>`;
}

function indent(text: string): string {
  return text.replace(/^/gm, '  ');
}

function unique(values: string[]): string[] {
  return [...new Set(values)].sort();
}

function option(v: string): string {
  return `<option value="${escapeHtml(v)}">${escapeHtml(v)}</option>`;
}

const CSS = `
*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;padding:16px 24px;max-width:1400px;color:#1f2328;background:#fff}
h1{font-size:22px;margin:0 0 8px}h2{font-size:17px;margin:24px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
.status{font-size:16px;font-weight:600;padding:8px 12px;border-radius:6px;margin:8px 0}
.status-incomplete{background:#fff1e5;border:2px solid #bc4c00;color:#762c00}.status-drift{background:#ffebe9;border:1px solid #cf222e}.status-clean{background:#dafbe1;border:1px solid #2da44e}
.count{display:inline-block;border-left:4px solid #8c959f;padding:0 8px;margin:2px 6px 2px 0;background:#f6f8fa}
dl.inputs{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:8px 0}dl.inputs dt{color:#59636e}dl.inputs dd{margin:0;font-family:ui-monospace,monospace;word-break:break-all}
.warn{background:#fff8c5;border:1px solid #d4a72c;padding:4px 12px;border-radius:6px}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{border:1px solid #d0d7de;padding:3px 6px;text-align:left;vertical-align:top}th{background:#f6f8fa}
td{overflow-wrap:anywhere}table.num td:nth-child(n+4){text-align:right}.differs{color:#cf222e}
table.num td.imgs{text-align:left;font-size:12px}.ctr-images{min-width:27em}#daemonsets thead tr+tr th{font-size:11px}#daemonsets td:nth-child(-n+3){overflow-wrap:normal}.ctr-images+.ctr-images{margin-top:4px;border-top:1px dashed #d0d7de;padding-top:2px}.imgs code{font-size:11px}.imgs .run{padding-left:1em}.imgs .bad{color:#cf222e}.imgs .muted{color:#59636e}
#findings{table-layout:fixed}#findings th:nth-child(1){width:6em}#findings th:nth-child(2){width:12em}#findings th:nth-child(3){width:12em}#findings th:nth-child(4){width:14em}#findings th:nth-child(6){width:24em}
.change div{font-family:ui-monospace,monospace;font-size:12px}.change .more{color:#59636e;font-family:inherit}.change summary{color:#0969da;cursor:pointer;font-size:12px}.change pre{margin:2px 0;font-size:11px;white-space:pre-wrap;overflow-wrap:anywhere;max-height:20em;overflow:auto;background:#f6f8fa;padding:4px}
.controls{display:flex;flex-wrap:wrap;gap:8px 16px;align-items:center;margin:6px 0}
.legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:4px 16px;margin:6px 0}.swatch{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:-1px;border:1px solid #0002}
.hint{color:#59636e;margin:4px 0}.group{margin:6px 0}.group-head{font:inherit;background:#f6f8fa;border:1px solid #d0d7de;border-radius:4px;padding:2px 8px;cursor:pointer;width:100%;text-align:left}
.group canvas{display:block;margin-top:4px;cursor:crosshair}
#tip{position:fixed;z-index:10;pointer-events:none;background:#1f2328;color:#fff;padding:4px 8px;border-radius:4px;font-size:12px;white-space:pre;max-width:480px;overflow:hidden}
.sev-critical{color:#cf222e;font-weight:600}.sev-warning{color:#9a6700;font-weight:600}.sev-info{color:#0969da}
#rules th:nth-child(1){width:6em}#rules th:nth-child(2){width:22em}#rules th:nth-child(4){width:18em}
#trend text{font-size:11px;fill:#59636e}footer{margin-top:24px;color:#59636e;font-size:12px}
`;

// The page script. Plain ES2020, no markup from data: textContent and canvas only.
const SCRIPT = `
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var D = data.ds.length, LABEL = 200, BAND_GAP = 10, LIMIT = 1000;
  // Cells shrink as clusters grow: 5,000 nodes x 12 DaemonSets still fit a few screens.
  var big = data.nodes.length > 400, CW = big ? 6 : 12, PX = CW + 1, CH = big ? 9 : 12, PY = CH + 2;
  // Every state that carries a finding: the filter and the group counts agree.
  var PROBLEM_STATES = ['required-missing', 'missing', 'unready', 'misscheduled', 'kept'], PROBLEM = {};
  PROBLEM_STATES.forEach(function (s) { PROBLEM[s] = 1; });
  var state = { groupBy: data.groupBy, problemsOnly: false, collapsed: {} };
  var layouts = [];
  var tip = document.getElementById('tip');
  var matrix = document.getElementById('matrix');
  var GROUP_FIELD = { zone: 1, nodeGroup: 2, arch: 3 };

  function cell(n, d) { return +data.cells.charAt(n * D + d); }
  function hasProblem(n) { for (var d = 0; d < D; d++) { if (PROBLEM[data.states[cell(n, d)]]) return true; } return false; }

  function groups() {
    var f = GROUP_FIELD[state.groupBy], map = {}, names = [];
    for (var n = 0; n < data.nodes.length; n++) {
      if (state.problemsOnly && !hasProblem(n)) continue;
      var key = f ? (data.nodes[n][f] || '(none)') : 'all nodes';
      if (!map[key]) { map[key] = []; names.push(key); }
      map[key].push(n);
    }
    names.sort();
    return names.map(function (k) { return { name: k, nodes: map[k] }; });
  }

  function draw() {
    matrix.textContent = '';
    layouts = [];
    var width = Math.max(LABEL + 20 * PX, matrix.clientWidth || 1000);
    var perBand = Math.max(1, Math.floor((width - LABEL) / PX));
    var bandH = D * PY + BAND_GAP;
    groups().forEach(function (g) {
      var section = document.createElement('div');
      section.className = 'group';
      var head = document.createElement('button');
      head.type = 'button';
      head.className = 'group-head';
      var counts = {};
      g.nodes.forEach(function (n) { for (var d = 0; d < D; d++) { var s = data.states[cell(n, d)]; counts[s] = (counts[s] || 0) + 1; } });
      var problems = PROBLEM_STATES.filter(function (s) { return counts[s]; }).map(function (s) { return counts[s] + ' ' + s; });
      var collapsed = !!state.collapsed[g.name];
      head.setAttribute('aria-expanded', String(!collapsed));
      head.textContent = (collapsed ? '\\u25b6 ' : '\\u25bc ') + g.name + ' \\u2014 ' + g.nodes.length + ' nodes' + (problems.length ? ' \\u00b7 ' + problems.join(' \\u00b7 ') : '');
      head.addEventListener('click', function () { state.collapsed[g.name] = !collapsed; draw(); });
      section.appendChild(head);
      matrix.appendChild(section);
      if (collapsed || g.nodes.length === 0) return;
      var bands = Math.ceil(g.nodes.length / perBand);
      var cssW = LABEL + Math.min(perBand, g.nodes.length) * PX, cssH = bands * bandH;
      var canvas = document.createElement('canvas');
      var dpr = window.devicePixelRatio || 1;
      canvas.width = Math.ceil(cssW * dpr); canvas.height = Math.ceil(cssH * dpr);
      canvas.style.width = cssW + 'px'; canvas.style.height = cssH + 'px';
      canvas.dataset.group = g.name;
      section.appendChild(canvas);
      var ctx = canvas.getContext('2d');
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.font = (big ? 9 : 11) + 'px system-ui, sans-serif';
      ctx.textAlign = 'right';
      ctx.textBaseline = 'middle';
      var labels = data.ds.map(function (name) { return fitLabel(ctx, name, LABEL - 8); });
      for (var b = 0; b < bands; b++) {
        ctx.fillStyle = '#59636e';
        for (var d = 0; d < D; d++) ctx.fillText(labels[d], LABEL - 6, b * bandH + d * PY + CH / 2);
      }
      for (var s = 0; s < data.colors.length; s++) {
        ctx.fillStyle = data.colors[s];
        for (var i = 0; i < g.nodes.length; i++) {
          var n = g.nodes[i], x = LABEL + (i % perBand) * PX, y0 = Math.floor(i / perBand) * bandH;
          for (var dd = 0; dd < D; dd++) { if (cell(n, dd) === s) ctx.fillRect(x, y0 + dd * PY, CW, CH); }
        }
      }
      var layout = { canvas: canvas, nodes: g.nodes, perBand: perBand, bandH: bandH };
      layouts.push(layout);
      canvas.addEventListener('mousemove', function (e) { showTip(layout, e); });
      canvas.addEventListener('mouseleave', function () { tip.hidden = true; });
      canvas.addEventListener('click', function (e) {
        var hit = hitTest(layout, e);
        if (!hit) return;
        document.getElementById('f-node').value = data.nodes[hit.n][0];
        renderFindings();
        document.getElementById('findings-section').scrollIntoView();
      });
    });
    document.dispatchEvent(new CustomEvent('matrix-drawn'));
    if (!window.__matrixDrawn) window.__matrixDrawnMs = performance.now();
    window.__matrixDrawn = true;
  }

  // A DaemonSet label that fits: the full key, else the name without namespace, else the name cut short.
  function fitLabel(ctx, key, max) {
    if (ctx.measureText(key).width <= max) return key;
    var name = key.slice(key.indexOf('/') + 1);
    if (ctx.measureText(name).width <= max) return name;
    var lo = 0, hi = name.length;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (ctx.measureText(name.slice(0, mid) + '\\u2026').width <= max) lo = mid; else hi = mid - 1;
    }
    return name.slice(0, lo) + '\\u2026';
  }

  function hitTest(layout, e) {
    var r = layout.canvas.getBoundingClientRect();
    var x = e.clientX - r.left - LABEL, y = e.clientY - r.top;
    if (x < 0) return null;
    var col = Math.floor(x / PX), band = Math.floor(y / layout.bandH), d = Math.floor((y - band * layout.bandH) / PY);
    if (col >= layout.perBand || d >= D || x - col * PX >= CW || (y - band * layout.bandH) - d * PY >= CH) return null;
    var i = band * layout.perBand + col;
    if (i >= layout.nodes.length) return null;
    return { n: layout.nodes[i], d: d };
  }

  function showTip(layout, e) {
    var hit = hitTest(layout, e);
    if (!hit) { tip.hidden = true; return; }
    var node = data.nodes[hit.n];
    var lines = [node[0], data.ds[hit.d] + ': ' + data.states[cell(hit.n, hit.d)]];
    var facts = [];
    if (node[1]) facts.push('zone ' + node[1]);
    if (node[2]) facts.push('group ' + node[2]);
    if (node[3]) facts.push(node[3]);
    if (!node[4]) facts.push('node NOT Ready');
    if (node[5]) facts.push('cordoned');
    if (facts.length) lines.push(facts.join(' \\u00b7 '));
    tip.textContent = lines.join('\\n');
    tip.hidden = false;
    tip.style.left = Math.min(e.clientX + 12, window.innerWidth - 300) + 'px';
    tip.style.top = (e.clientY + 14) + 'px';
  }

  // Where a node x DaemonSet cell is drawn (CSS pixels, centre of the cell), or null when hidden.
  function locate(nodeName, dsKey) {
    var d = data.ds.indexOf(dsKey);
    if (d < 0) return null;
    for (var l = 0; l < layouts.length; l++) {
      var L = layouts[l];
      var i = -1;
      for (var k = 0; k < L.nodes.length; k++) { if (data.nodes[L.nodes[k]][0] === nodeName) { i = k; break; } }
      if (i < 0) continue;
      return { group: L.canvas.dataset.group, x: LABEL + (i % L.perBand) * PX + CW / 2, y: Math.floor(i / L.perBand) * L.bandH + d * PY + CH / 2 };
    }
    return null;
  }

  var fSeverity = document.getElementById('f-severity'), fRule = document.getElementById('f-rule');
  var fNamespace = document.getElementById('f-namespace'), fNode = document.getElementById('f-node');
  var tbody = document.querySelector('#findings tbody'), fCount = document.getElementById('f-count');

  // The expected-versus-actual cell: change lines, a count of those left out, the full values folded away.
  function changeCell(ch) {
    var td = document.createElement('td');
    if (!ch) return td;
    var box = el('div', '', 'change');
    td.appendChild(box);
    ch[0].forEach(function (line) { box.appendChild(el('div', line.join(''))); });
    if (ch[1]) box.appendChild(el('div', '\\u2026 ' + ch[1] + ' more', 'more'));
    if (ch[2].length || ch[3].length) {
      var details = el('details', '');
      details.appendChild(el('summary', 'full values'));
      details.appendChild(el('pre', 'expected:\\n' + indent(ch[2].join('')) + '\\nactual:\\n' + indent(ch[3].join(''))));
      box.appendChild(details);
    }
    return td;
  }
  function el(tag, text, cls) { var e = document.createElement(tag); if (text) e.textContent = text; if (cls) e.className = cls; return e; }
  function indent(text) { return text.replace(/^/gm, '  '); }

  function renderFindings() {
    var sev = fSeverity.value, rule = fRule.value, ns = fNamespace.value, node = fNode.value.trim().toLowerCase();
    var matched = 0, frag = document.createDocumentFragment();
    for (var i = 0; i < data.findings.length; i++) {
      var f = data.findings[i];
      if (sev && data.severities[f[0]] !== sev) continue;
      if (rule && f[1] !== rule) continue;
      if (ns && f[2] !== ns) continue;
      if (node && f[4].toLowerCase().indexOf(node) < 0) continue;
      matched++;
      if (matched > LIMIT) continue;
      var tr = document.createElement('tr');
      var cells = [data.severities[f[0]], f[1], f[2] + '/' + f[3], f[4] || '\\u2013', f[5]];
      for (var c = 0; c < cells.length; c++) {
        var td = document.createElement('td');
        td.textContent = cells[c];
        if (c === 0) td.className = 'sev-' + cells[c];
        tr.appendChild(td);
      }
      tr.appendChild(changeCell(f[6] >= 0 ? data.changes[f[6]] : null));
      frag.appendChild(tr);
    }
    tbody.textContent = '';
    tbody.appendChild(frag);
    fCount.textContent = matched > LIMIT
      ? 'Showing the first ' + LIMIT + ' of ' + matched + ' matching findings (' + data.findings.length + ' in total); narrow the filter to see more.'
      : matched + ' of ' + data.findings.length + ' findings shown.';
  }

  [fSeverity, fRule, fNamespace].forEach(function (el) { el.addEventListener('change', renderFindings); });
  fNode.addEventListener('input', renderFindings);
  document.getElementById('f-clear').addEventListener('click', function () { fSeverity.value = ''; fRule.value = ''; fNamespace.value = ''; fNode.value = ''; renderFindings(); });
  document.getElementById('group-by').addEventListener('change', function (e) { state.groupBy = e.target.value; state.collapsed = {}; draw(); });
  document.getElementById('problems-only').addEventListener('change', function (e) { state.problemsOnly = e.target.checked; draw(); });
  document.getElementById('expand-all').addEventListener('click', function () { state.collapsed = {}; draw(); });
  document.getElementById('collapse-all').addEventListener('click', function () { groups().forEach(function (g) { state.collapsed[g.name] = true; }); draw(); });
  var resizeTimer = 0, lastWidth = matrix.clientWidth;
  window.addEventListener('resize', function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () { if (matrix.clientWidth !== lastWidth) { lastWidth = matrix.clientWidth; draw(); } }, 150);
  });

  window.driftReport = { data: data, locate: locate, redraw: draw };
  renderFindings();
  draw();
})();
`;
