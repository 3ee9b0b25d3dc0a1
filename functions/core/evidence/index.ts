// Evidence over a period, from stored runs: did the control operate the whole time? Pure: the adapter
// reads and verifies the runs; this folder turns them into required and covered node-hours, the runs
// and gaps, findings opened and closed, and the exception register.
//
// The interval rule: a run's state holds from its own generatedAt until the next run, but never longer
// than maxGapHours. A run that is incomplete, unreadable or fails `reports verify` holds nothing: its
// interval is a gap in evidence, as is any time no run holds. In a gap the required nodes of the last
// usable run stay required and none count as covered, so missing evidence lowers the percentage and is
// never coverage. A node counts from the first run that saw it (a pool added mid-period counts from the
// first run after it came up).
import type { Finding, Report, Severity } from '../types.js';

export { computeRequiredCoverage, requirementName } from './required.js';

/** One stored run as the adapter read it. */
export interface EvidenceRunInput {
  runId: string;
  generatedAt: string;
  manifestSha256?: string;
  reportSha256?: string;
  snapshotSha256?: string;
  /** `reports verify` passed: every object matches its sha256. */
  verified: boolean;
  /** What verify (or reading) found wrong, one line each. */
  problems: string[];
  /** The stored report, or null when it could not be read. */
  report: Report | null;
}

export interface EvidenceOptions {
  cluster: string;
  from: Date;
  to: Date;
  /** Longest time one run's state may stand for (default 25 h, for daily runs). */
  maxGapHours?: number;
  /** When the pack was made (the caller's clock). */
  generatedAt: string;
  auditorVersion?: string;
}

export type RunStatus = 'ok' | 'incomplete' | 'verify-failed' | 'unreadable';

export interface EvidenceRun {
  runId: string;
  generatedAt: string;
  status: RunStatus;
  verified: boolean;
  problems: string[];
  manifestSha256: string | null;
  reportSha256: string | null;
  snapshotSha256: string | null;
  findings: number | null;
  bySeverity: Record<Severity, number> | null;
  waived: number | null;
}

export interface CoverageRow {
  requirement: string;
  daemonSet: string;
  requiredNodeHours: number;
  coveredNodeHours: number;
  /** covered / required × 100, or null when nothing was required. */
  percent: number | null;
  /** Required node-hours that fell in evidence gaps (counted as required, never as covered). */
  gapNodeHours: number;
  /** Distinct nodes the requirement selected in any usable run of the period. */
  nodesSeen: number;
}

export interface EvidenceGap {
  from: string;
  to: string;
  hours: number;
  reason: string;
  runId?: string;
}

/** A finding (as a run reported it) with how long it stayed open. */
export interface FindingSpan extends Pick<Finding, 'rule' | 'severity' | 'namespace' | 'daemonSet' | 'node' | 'container' | 'path' | 'message'> {
  openedAt: string;
  /** The first usable run without it; null while still open at the end of the period. */
  closedAt: string | null;
  openHours: number;
  /** Opened before the period began (seen in the run that carried into it). */
  openedBeforePeriod: boolean;
}

export interface ExceptionEntry {
  owner: string;
  reason: string;
  expires: string;
  /** Expired on or before the end of the period. */
  expired: boolean;
  rules: string[];
  daemonSets: string[];
  /** Runs in the period where the waiver hid findings. */
  appliedInRuns: string[];
  /** Runs in the period where it had expired and no longer hid findings (policy/waiver-expired). */
  expiredInRuns: string[];
}

export interface EvidencePack {
  schemaVersion: 1;
  kind: 'EvidencePack';
  cluster: string;
  period: { from: string; to: string; hours: number };
  generatedAt: string;
  auditorVersion?: string;
  intervalRule: { maxGapHours: number; text: string };
  summary: {
    runs: number;
    usableRuns: number;
    failedRuns: number;
    evidenceGapHours: number;
    /** Share of the period held by a usable run, in percent. */
    evidencePercent: number;
  };
  coverage: CoverageRow[];
  runs: EvidenceRun[];
  gaps: EvidenceGap[];
  findings: FindingSpan[];
  exceptions: ExceptionEntry[];
}

export const DEFAULT_MAX_GAP_HOURS = 25;
const HOUR = 3_600_000;

/** The interval rule in words, as the pack states it. */
export function intervalRuleText(maxGapHours: number): string {
  return (
    `Each run's state holds from its own time until the next run, for at most ${maxGapHours} h. ` +
    'An incomplete, unreadable or unverifiable run, a failed run and any time no run holds are gaps in evidence: ' +
    'the nodes last required stay required there and count as not covered. A node counts from the first run that saw it.'
  );
}

function statusOf(r: EvidenceRunInput): RunStatus {
  if (!r.report) return 'unreadable';
  if (!r.verified) return 'verify-failed';
  return r.report.complete ? 'ok' : 'incomplete';
}

function hoursBetween(a: number, b: number): number {
  return (b - a) / HOUR;
}

/** Returns the evidence pack for the period from the cluster's runs (any order; runs outside the period are used only to carry state in). */
export function buildEvidence(inputs: EvidenceRunInput[], o: EvidenceOptions): EvidencePack {
  const maxGapHours = o.maxGapHours ?? DEFAULT_MAX_GAP_HOURS;
  const from = o.from.getTime();
  const to = o.to.getTime();
  const maxGap = maxGapHours * HOUR;
  const sorted = inputs
    .map((r) => ({ r, t: Date.parse(r.generatedAt), status: statusOf(r) }))
    .filter((x) => !Number.isNaN(x.t) && x.t < to)
    .sort((a, b) => a.t - b.t || a.r.runId.localeCompare(b.r.runId));
  // The last run before the period carries its state in; earlier ones matter no more.
  const firstIn = sorted.findIndex((x) => x.t >= from);
  const start = firstIn === -1 ? Math.max(0, sorted.length - 1) : Math.max(0, firstIn - 1);
  const runs = sorted.slice(start);
  const inPeriod = runs.filter((x) => x.t >= from);

  const rows = new Map<string, CoverageRow & { seen: Set<string> }>();
  const row = (requirement: string, daemonSet: string) => {
    const k = `${requirement}\u0000${daemonSet}`;
    let v = rows.get(k);
    if (!v)
      rows.set(k, (v = { requirement, daemonSet, requiredNodeHours: 0, coveredNodeHours: 0, percent: null, gapNodeHours: 0, nodesSeen: 0, seen: new Set() }));
    return v;
  };
  const gaps: EvidenceGap[] = [];
  let lastUsable: Report | null = null;
  const addGap = (a: number, b: number, reason: string, runId?: string): void => {
    const s = Math.max(a, from);
    const e = Math.min(b, to);
    if (e <= s) return;
    const hours = hoursBetween(s, e);
    const prev = gaps[gaps.length - 1];
    if (prev && prev.to === new Date(s).toISOString() && prev.reason === reason && prev.runId === runId) {
      prev.to = new Date(e).toISOString();
      prev.hours += hours;
    } else {
      gaps.push({ from: new Date(s).toISOString(), to: new Date(e).toISOString(), hours, reason, ...(runId ? { runId } : {}) });
    }
    for (const rc of lastUsable?.requiredCoverage ?? []) {
      const v = row(rc.requirement, rc.daemonSet);
      v.requiredNodeHours += rc.nodes.length * hours;
      v.gapNodeHours += rc.nodes.length * hours;
    }
  };

  if (runs.length === 0 || runs[0]!.t > from) addGap(from, runs[0]?.t ?? to, 'no run');
  runs.forEach((x, i) => {
    const next = runs[i + 1]?.t ?? to;
    const held = Math.min(next, x.t + maxGap);
    if (x.status === 'ok') {
      lastUsable = x.r.report;
      const s = Math.max(x.t, from);
      const e = Math.min(held, to);
      if (e > s) {
        const hours = hoursBetween(s, e);
        for (const rc of x.r.report!.requiredCoverage ?? []) {
          const v = row(rc.requirement, rc.daemonSet);
          v.requiredNodeHours += rc.nodes.length * hours;
          v.coveredNodeHours += rc.covered.length * hours;
          for (const n of rc.nodes) v.seen.add(n);
        }
      }
    } else {
      addGap(x.t, held, `run ${x.status}`, x.r.runId);
    }
    if (held < next) addGap(held, next, `no run within ${maxGapHours} h`);
  });

  const coverage = [...rows.values()]
    .map(({ seen, ...v }) => ({ ...v, nodesSeen: seen.size, percent: v.requiredNodeHours > 0 ? (v.coveredNodeHours / v.requiredNodeHours) * 100 : null }))
    .sort((a, b) => a.requirement.localeCompare(b.requirement) || a.daemonSet.localeCompare(b.daemonSet));
  const periodHours = hoursBetween(from, to);
  const gapHours = gaps.reduce((s, g) => s + g.hours, 0);

  return {
    schemaVersion: 1,
    kind: 'EvidencePack',
    cluster: o.cluster,
    period: { from: o.from.toISOString(), to: o.to.toISOString(), hours: periodHours },
    generatedAt: o.generatedAt,
    ...(o.auditorVersion ? { auditorVersion: o.auditorVersion } : {}),
    intervalRule: { maxGapHours, text: intervalRuleText(maxGapHours) },
    summary: {
      runs: inPeriod.length,
      usableRuns: inPeriod.filter((x) => x.status === 'ok').length,
      failedRuns: inPeriod.filter((x) => x.status !== 'ok').length,
      evidenceGapHours: gapHours,
      evidencePercent: periodHours > 0 ? ((periodHours - gapHours) / periodHours) * 100 : 0,
    },
    coverage,
    runs: inPeriod.map(({ r, status }) => ({
      runId: r.runId,
      generatedAt: r.generatedAt,
      status,
      verified: r.verified,
      problems: r.problems,
      manifestSha256: r.manifestSha256 ?? null,
      reportSha256: r.reportSha256 ?? null,
      snapshotSha256: r.snapshotSha256 ?? r.report?.inputs.snapshot.sha256 ?? null,
      findings: r.report?.summary.findings ?? null,
      bySeverity: r.report?.summary.bySeverity ?? null,
      waived: r.report?.summary.waived ?? null,
    })),
    gaps,
    findings: findingSpans(
      runs.filter((x) => x.status === 'ok').map((x) => ({ t: x.t, report: x.r.report! })),
      from,
      to,
    ),
    exceptions: exceptionRegister(
      inPeriod.filter((x) => x.r.report).map((x) => ({ runId: x.r.runId, report: x.r.report! })),
      to,
    ),
  };
}

/** Returns the identity of a finding across runs. */
export function findingKey(f: Finding): string {
  return [f.rule, f.namespace, f.daemonSet, f.node ?? '', f.container ?? '', f.path ?? ''].join('\u0000');
}

/** Findings opened and closed over usable runs: opened at the first run that has it, closed at the first usable run that does not. */
function findingSpans(runs: { t: number; report: Report }[], from: number, to: number): FindingSpan[] {
  const open = new Map<string, { f: Finding; opened: number }>();
  const out: FindingSpan[] = [];
  const close = (key: string, at: number | null): void => {
    const o = open.get(key)!;
    open.delete(key);
    const end = at ?? to;
    if (end <= from && at !== null) return;
    const { f } = o;
    out.push({
      rule: f.rule,
      severity: f.severity,
      namespace: f.namespace,
      daemonSet: f.daemonSet,
      node: f.node,
      ...(f.container ? { container: f.container } : {}),
      ...(f.path ? { path: f.path } : {}),
      message: f.message,
      openedAt: new Date(o.opened).toISOString(),
      closedAt: at === null ? null : new Date(at).toISOString(),
      openHours: hoursBetween(o.opened, end),
      openedBeforePeriod: o.opened < from,
    });
  };
  for (const { t, report } of runs) {
    const now = new Map(report.findings.map((f) => [findingKey(f), f]));
    for (const key of [...open.keys()]) if (!now.has(key)) close(key, t);
    for (const [key, f] of now) if (!open.has(key)) open.set(key, { f, opened: t });
  }
  for (const key of [...open.keys()]) close(key, null);
  return out.sort(
    (a, b) =>
      a.openedAt.localeCompare(b.openedAt) ||
      a.rule.localeCompare(b.rule) ||
      `${a.namespace}/${a.daemonSet}/${a.node ?? ''}`.localeCompare(`${b.namespace}/${b.daemonSet}/${b.node ?? ''}`),
  );
}

/** The waivers in force (or expired) during the period, with the runs where they applied. */
function exceptionRegister(runs: { runId: string; report: Report }[], to: number): ExceptionEntry[] {
  const entries = new Map<string, ExceptionEntry & { rulesSet: Set<string>; dsSet: Set<string> }>();
  const entry = (owner: string, reason: string, expires: string) => {
    const k = `${owner}\u0000${expires}\u0000${reason}`;
    let e = entries.get(k);
    if (!e) {
      const until = Date.parse(expires.length === 10 ? `${expires}T00:00:00Z` : expires);
      entries.set(
        k,
        (e = {
          owner,
          reason,
          expires,
          expired: !Number.isNaN(until) && until <= to,
          rules: [],
          daemonSets: [],
          appliedInRuns: [],
          expiredInRuns: [],
          rulesSet: new Set(),
          dsSet: new Set(),
        }),
      );
    }
    return e;
  };
  for (const { runId, report } of runs) {
    for (const f of report.waived) {
      if (!f.waiver) continue;
      const e = entry(f.waiver.owner, f.waiver.reason, f.waiver.expires);
      e.rulesSet.add(f.rule);
      e.dsSet.add(`${f.namespace}/${f.daemonSet}`);
      if (e.appliedInRuns[e.appliedInRuns.length - 1] !== runId) e.appliedInRuns.push(runId);
    }
    for (const f of report.findings) {
      if (f.rule !== 'policy/waiver-expired') continue;
      const w = f.expected as { rule?: string; daemonSet?: string; owner?: string; expires?: string } | null;
      if (!w?.owner || !w.expires) continue;
      const reason = /\(reason given: (.*)\)$/.exec(f.message)?.[1] ?? '';
      const e = entry(w.owner, reason, w.expires);
      if (w.rule) e.rulesSet.add(w.rule);
      e.dsSet.add(`${f.namespace}/${f.daemonSet}`);
      if (e.expiredInRuns[e.expiredInRuns.length - 1] !== runId) e.expiredInRuns.push(runId);
    }
  }
  return [...entries.values()]
    .map(({ rulesSet, dsSet, ...e }) => ({ ...e, rules: [...rulesSet].sort(), daemonSets: [...dsSet].sort() }))
    .sort((a, b) => a.expires.localeCompare(b.expires) || a.owner.localeCompare(b.owner));
}

/** Returns [from, to) for a quarter `YYYY-Qn` or a month `YYYY-MM`, or null. */
export function periodOf(p: string): [Date, Date] | null {
  const q = /^(\d{4})-Q([1-4])$/.exec(p);
  if (q) {
    const y = Number(q[1]);
    const m = (Number(q[2]) - 1) * 3;
    return [new Date(Date.UTC(y, m, 1)), new Date(Date.UTC(y, m + 3, 1))];
  }
  const mo = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(p);
  if (mo) return [new Date(Date.UTC(Number(mo[1]), Number(mo[2]) - 1, 1)), new Date(Date.UTC(Number(mo[1]), Number(mo[2]), 1))];
  return null;
}

/** Returns the calendar month before `at` as `YYYY-MM` (UTC): the period a monthly pack covers. */
export function previousMonth(at: Date): string {
  const d = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() - 1, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}
