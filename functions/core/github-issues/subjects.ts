// What an issue is about: one subject per (cluster, DaemonSet) with findings at or above a severity.
// A finding's key is its identity across runs (rule, node, container, path and the short expected/
// actual values or their hash, or the reason code, never the message, which may carry counters or ages); the subject's fingerprint is
// the SHA-256 of its sorted keys, so "the drift changed" means "the set of keys changed".
import type { Finding, Report, Severity } from '../types.js';
import { SEVERITIES } from '../types.js';
import { sha256Hex } from './sha256.js';

export interface NotifySubject {
  cluster: string;
  /** `namespace/name`. */
  daemonSet: string;
  /** Findings at or above the threshold, worst first. */
  findings: Finding[];
  /** Sorted, unique finding keys. */
  keys: string[];
  /** sha256 (hex) of the sorted keys joined by newlines. */
  fingerprint: string;
  /** The worst severity among the findings. */
  severity: Severity;
}

const rank = (s: Severity): number => SEVERITIES.indexOf(s);

/** A value GitHub may show as it is: an image reference, quantity, enum value, name, number or hash token. */
const PLAIN_FACT = /^[\w.:/@+-]{1,128}$/;

/**
 * Returns a value as a fact GitHub may carry: numbers, booleans and short plain tokens as they are,
 * any other string (free text, which may come from the cluster) as `sha256:<prefix>`, objects as null
 * (they may carry counters that would churn a key).
 */
export function factValue(v: unknown): string | number | boolean | null {
  if (typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v !== 'string') return null;
  return PLAIN_FACT.test(v) ? v : `sha256:${sha256Hex(v).slice(0, 16)}`;
}

/**
 * Returns the finding's stable key: a JSON array `[rule, node, container, path, expected, actual]`.
 * Inside its strings, `<>&@#()[]` are written as `\u00XX` escapes: the key is stored in an HTML
 * comment of the issue body, where it must not close the comment, mention, or look like a link.
 */
export function findingKey(f: Finding): string {
  // A reason code stands for the free-text actual value it summarises (coverage/unready), so the key stays stable.
  const values = [f.rule, f.node ?? null, f.container ?? null, f.path ?? null, factValue(f.expected), f.reason ?? factValue(f.actual)];
  const enc = (v: unknown): string => JSON.stringify(v).replace(/[<>&@#()[\]]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `[${values.map(enc).join(',')}]`;
}

/** Returns the fields of a key made by `findingKey`, or null for anything else. */
export function parseFindingKey(
  key: string,
): { rule: string; node: string | null; container: string | null; path: string | null; expected: unknown; actual: unknown } | null {
  try {
    const a = JSON.parse(key) as unknown;
    if (!Array.isArray(a) || a.length !== 6 || typeof a[0] !== 'string') return null;
    const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
    return { rule: a[0], node: str(a[1]), container: str(a[2]), path: str(a[3]), expected: a[4], actual: a[5] };
  } catch {
    return null;
  }
}

/** Returns the fingerprint of a set of keys: sha256 of the sorted unique keys joined by newlines. */
export function fingerprintOf(keys: readonly string[]): string {
  return sha256Hex([...new Set(keys)].sort().join('\n'));
}

/** Returns true when `s` is at least as severe as `min`. */
export function atLeast(s: Severity, min: Severity): boolean {
  return rank(s) <= rank(min);
}

/** Returns one subject per DaemonSet with findings at or above `minSeverity`, sorted by DaemonSet. */
export function selectSubjects(report: Report, minSeverity: Severity): NotifySubject[] {
  const groups = new Map<string, Finding[]>();
  for (const f of report.findings) {
    if (!atLeast(f.severity, minSeverity)) continue;
    // Report-wide findings (audit/incomplete has no DaemonSet) are not about one DaemonSet.
    if (!f.daemonSet) continue;
    const ds = `${f.namespace}/${f.daemonSet}`;
    const list = groups.get(ds);
    if (list) list.push(f);
    else groups.set(ds, [f]);
  }
  return [...groups.keys()].sort().map((ds) => {
    const keyed = groups.get(ds)!.map((f) => ({ f, key: findingKey(f) }));
    keyed.sort((a, b) => rank(a.f.severity) - rank(b.f.severity) || cmp(a.key, b.key));
    const findings = keyed.map((x) => x.f);
    const keys = [...new Set(keyed.map((x) => x.key))].sort();
    const severity = findings.reduce<Severity>((w, f) => (rank(f.severity) < rank(w) ? f.severity : w), 'info');
    return { cluster: report.cluster, daemonSet: ds, findings, keys, fingerprint: fingerprintOf(keys), severity };
  });
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Returns true when the report can vouch that `daemonSet` has no drift it does not list: the report
 * is complete and the DaemonSet was in scope (in the coverage table, or its namespace was read).
 */
export function wasAudited(report: Report, daemonSet: string): boolean {
  if (!report.complete || report.gaps.length > 0) return false;
  if (report.coverage.some((c) => `${c.namespace}/${c.name}` === daemonSet)) return true;
  const namespaces = report.inputs.snapshot.namespaces;
  const ns = daemonSet.slice(0, daemonSet.indexOf('/'));
  return !namespaces || namespaces.length === 0 || namespaces.includes(ns);
}
