// The terminal view (`--format table`): plain text in fixed-width columns, DaemonSets then findings
// worst first. Control characters from the cluster are replaced, so a node name cannot move the
// cursor or recolour the terminal (ANSI escape injection). Cells are cut only for a terminal: piped
// output (grep, a file, CI logs) keeps every rule id, name and message whole.
import type { DaemonSetCoverage, Report } from '../types.js';
import { daemonSetKey, LIVE_ONLY, rulesOf, severityCounts, sortFindings, statusHeadline } from './common.js';

const LIMITS = { rule: 28, daemonSet: 48, node: 48, message: 100 };

export interface TableOptions {
  /** The terminal's width in columns when stdout is a terminal; cells are then cut to fit. Absent: nothing is cut. */
  terminalColumns?: number;
}

/** Returns the report as plain-text tables: whole cells, or cut to fit when `terminalColumns` is given. */
export function renderTable(report: Report, opts: TableOptions = {}): string {
  const term = opts.terminalColumns;
  const cut = term === undefined ? (s: string): string => plain(s) : cutTo;
  const lines = [
    `cluster ${plain(report.cluster)}  ${report.generatedAt}  auditor ${plain(report.auditorVersion)}`,
    `${statusHeadline(report)}  (${severityCounts(report.summary.bySeverity)}; ${report.summary.waived} waived)`,
  ];
  for (const g of report.gaps) lines.push(`  GAP ${plain(g.source)}: ${plain(g.message)}`);
  if (report.inputs.desired.kind === 'none') lines.push(`  Git: ${LIVE_ONLY}`);
  for (const w of report.warnings ?? []) lines.push(`  WARNING ${plain(w.message)}`);
  lines.push('');
  lines.push(
    ...columns(
      ['DAEMONSET', 'IN GIT', 'IN CLUSTER', 'ELIGIBLE', 'COVERED', 'READY', 'UP-TO-DATE', 'MISSCHEDULED'],
      report.coverage.map((c) => [
        cut(daemonSetKey(c), LIMITS.daemonSet),
        c.inGit ? 'yes' : 'no',
        c.inCluster ? 'yes' : 'no',
        ...COUNTS.map(([computed, reported]) => count(c, computed, reported)),
      ]),
      [false, false, false, true, true, true, true, true],
    ),
  );
  if (report.coverage.length) {
    lines.push('Counts are recomputed by the audit (eligible = DESIRED, covered = CURRENT in kubectl get ds);');
    lines.push('"(status N)" marks where the DaemonSet\'s own status says otherwise.');
  }
  lines.push('');
  if (report.findings.length === 0) {
    lines.push(report.complete ? 'No findings.' : 'No findings in what could be read (INCOMPLETE audit).');
  } else {
    const sorted = sortFindings(report.findings);
    const rows = sorted.map((f) => [f.severity, cut(f.rule, LIMITS.rule), cut(daemonSetKey(f), LIMITS.daemonSet), cut(f.node ?? '-', LIMITS.node)]);
    // On a terminal the message takes what the other columns leave of the width (at least 40).
    const used = rows.reduce(
      (w, r) => r.map((c, i) => Math.max(w[i] ?? 0, c.length)),
      ['SEVERITY', 'RULE', 'DAEMONSET', 'NODE'].map((h) => h.length),
    );
    const room = term === undefined ? 0 : Math.max(40, Math.min(LIMITS.message, term - used.reduce((a, b) => a + b + 2, 0)));
    lines.push(
      ...columns(
        ['SEVERITY', 'RULE', 'DAEMONSET', 'NODE', 'MESSAGE'],
        sorted.map((f, i) => [...rows[i]!, cut(f.message, room)]),
      ),
    );
    // What each rule means and where its remediation is written: the rule file.
    const rules = rulesOf(report);
    if (rules.length) {
      lines.push('');
      lines.push(
        ...columns(
          ['RULE', 'WHAT IT MEANS', 'WHAT TO DO'],
          rules.map((r) => [plain(r.id), cut(r.title, 80), `see ${r.docs}`]),
        ),
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Lays out rows in columns as wide as their widest cell; a last left-aligned column is not padded. */
export function columns(head: string[], rows: string[][], right: boolean[] = []): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string =>
    r
      .map((c, i) => (right[i] ? c.padStart(widths[i]!) : i === r.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map(line)];
}

/** Replaces control characters (C0, DEL, C1, bidi overrides) so cluster strings cannot drive or disguise the terminal. */
function plain(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '?');
}

/** The recomputed counts and the DaemonSet status field each is compared with. */
const COUNTS: ['eligible' | 'covered' | 'ready' | 'upToDate' | 'misscheduled', keyof NonNullable<DaemonSetCoverage['reported']>][] = [
  ['eligible', 'desired'],
  ['covered', 'current'],
  ['ready', 'ready'],
  ['upToDate', 'upToDate'],
  ['misscheduled', 'misscheduled'],
];

/** Returns the recomputed count, with the DaemonSet status's own number when it differs. */
function count(c: DaemonSetCoverage, computed: (typeof COUNTS)[number][0], reported: (typeof COUNTS)[number][1]): string {
  const r = c.reported?.[reported];
  return r === undefined || r === c[computed] ? String(c[computed]) : `${c[computed]} (status ${r})`;
}

export function cutTo(s: string, max: number): string {
  const p = plain(s);
  return p.length > max ? `${p.slice(0, max - 1)}…` : p;
}
