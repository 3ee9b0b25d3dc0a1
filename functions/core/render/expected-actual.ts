// A finding's expected (Git, the policy) and actual (the cluster) values as people read them in a
// report cell: short values inline (`expected 3 → actual 1`, `…:v0.20.0 → …:v0.17.1`), structured
// values as the keys or items that differ, and the full values as indented text when the lines
// shorten or leave anything out. Never JSON. Values are already redacted by the core; renderers escape.
import type { Finding } from '../types.js';

/** What a report cell shows for a finding's expected and actual values. */
export interface ValueChange {
  /** One-line changes, at most MAX_LINES: `expected 3 → actual 1`, `limits.memory: 128Mi → 256Mi`, `− {key: a}` (Git only), `+ {key: b}` (live only). */
  lines: string[];
  /** Changes left out of `lines`. */
  more: number;
  /** Both values in full, as indented text, when the lines shorten, elide or leave anything out. */
  full?: { expected: string; actual: string };
}

/** Changes shown in a cell; the rest are counted in `more` and readable in `full`. */
export const MAX_LINES = 3;
/** Characters of one side of a change (or one item) before it is cut with `…`. */
const MAX_SIDE = 80;
/** A common prefix shorter than this is shown, not elided. */
const MIN_ELIDED = 12;
const NONE = '(none)';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function absent(v: unknown): v is null | undefined {
  return v === undefined || v === null;
}

function structured(v: unknown): boolean {
  return typeof v === 'object' && v !== null;
}

/** Returns the finding's expected and actual values as a cell shows them, or null when it has neither. */
export function expectedVersusActual(f: Pick<Finding, 'expected' | 'actual'>): ValueChange | null {
  const { expected, actual } = f;
  if (absent(expected) && absent(actual)) return null;
  let lines: string[];
  let shortened = false;
  if (!structured(expected) && !structured(actual)) {
    const [a, b] = elideCommonPrefix(scalar(expected), scalar(actual));
    shortened = a !== scalar(expected) || b !== scalar(actual);
    lines = [`expected ${a} → actual ${b}`];
  } else if ((isObj(expected) || absent(expected)) && (isObj(actual) || absent(actual)) && sharesKeys(expected, actual)) {
    lines = keyChanges(expected ?? {}, actual ?? {});
    shortened = true;
  } else if ((Array.isArray(expected) || absent(expected)) && (Array.isArray(actual) || absent(actual))) {
    lines = itemChanges(expected ?? [], actual ?? []);
    shortened = true;
  } else {
    lines = [`expected ${inline(expected)} → actual ${inline(actual)}`];
    shortened = true;
  }
  const cut = lines.map((l) => shorten(l, 2 * MAX_SIDE + 20));
  if (cut.some((l, i) => l !== lines[i])) shortened = true;
  const shown = cut.slice(0, MAX_LINES);
  return {
    lines: shown,
    more: cut.length - shown.length,
    ...(shortened || cut.length > shown.length ? { full: { expected: block(expected), actual: block(actual) } } : {}),
  };
}

/** Two objects are compared key by key when they share a key, or one side is absent; otherwise shown whole. */
function sharesKeys(a: unknown, b: unknown): boolean {
  if (!isObj(a) || !isObj(b)) return true;
  return Object.keys(a).some((k) => k in b);
}

/** Returns `path: a → b` for every leaf that differs, Git's key order first. */
function keyChanges(a: Obj, b: Obj): string[] {
  const fa = flatten(a), fb = flatten(b);
  const out: string[] = [];
  for (const k of new Set([...fa.keys(), ...fb.keys()])) {
    const x = fa.get(k) ?? NONE, y = fb.get(k) ?? NONE;
    if (x !== y) out.push(`${k}: ${shorten(x, MAX_SIDE)} → ${shorten(y, MAX_SIDE)}`);
  }
  return out.length ? out : ['equal values, written differently'];
}

/** Returns leaf path -> inline text; arrays are leaves (their items have no stable key). */
function flatten(o: Obj, prefix = '', out = new Map<string, string>()): Map<string, string> {
  for (const [k, v] of Object.entries(o)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (isObj(v) && Object.keys(v).length) flatten(v, path, out);
    else out.set(path, inline(v));
  }
  return out;
}

/** Returns `− item` for items only Git has and `+ item` for items only the cluster has (as multisets). */
function itemChanges(a: unknown[], b: unknown[]): string[] {
  const left = new Map<string, number>();
  for (const x of b.map(inline)) left.set(x, (left.get(x) ?? 0) + 1);
  const removed: string[] = [];
  for (const x of a.map(inline)) {
    const n = left.get(x) ?? 0;
    if (n > 0) left.set(x, n - 1);
    else removed.push(x);
  }
  const added = [...left].flatMap(([x, n]) => Array<string>(n).fill(x));
  const out = [...removed.map((x) => `− ${shorten(x, 2 * MAX_SIDE)}`), ...added.map((x) => `+ ${shorten(x, 2 * MAX_SIDE)}`)];
  return out.length ? out : ['the same items in another order'];
}

/** Returns a scalar as text: `(none)` for absent values. */
function scalar(v: unknown): string {
  return absent(v) ? NONE : String(v);
}

/** Returns a value on one line: `{key: v, key: v}`, `[a, b]`, scalars as they are; long digests shortened. */
export function inline(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(inline).join(', ')}]`;
  if (isObj(v)) return `{${Object.entries(v).map(([k, x]) => `${k}: ${inline(x)}`).join(', ')}}`;
  return shortDigests(scalar(v));
}

/** Returns a value as indented lines (YAML-like, unquoted), in full: what a cell's "full values" shows. */
export function block(v: unknown, indent = ''): string {
  if (Array.isArray(v)) {
    if (v.length === 0) return `${indent}[]`;
    return v.map((x) => (structured(x) && !isEmpty(x) ? `${indent}- ${block(x, `${indent}  `).trimStart()}` : `${indent}- ${block(x)}`)).join('\n');
  }
  if (isObj(v)) {
    if (isEmpty(v)) return `${indent}{}`;
    return Object.entries(v).map(([k, x]) => (structured(x) && !isEmpty(x) ? `${indent}${k}:\n${block(x, `${indent}  `)}` : `${indent}${k}: ${block(x)}`)).join('\n');
  }
  return `${indent}${scalar(v)}`;
}

function isEmpty(v: unknown): boolean {
  return Array.isArray(v) ? v.length === 0 : isObj(v) && Object.keys(v).length === 0;
}

/** `sha256:` and longer digests as their first 12 hex digits and `…` (the full value stays in `full`). */
function shortDigests(s: string): string {
  return s.replace(/\b(sha(?:256|384|512):[0-9a-f]{12})[0-9a-f]{20,}\b/g, '$1…');
}

/**
 * Returns both strings with a long common prefix (cut at a `/`, `:` or `@` boundary) replaced by `…`:
 * `nvcr.io/nvidia/k8s-device-plugin:v0.20.0` and `…:v0.17.1` read as `…:v0.20.0` and `…:v0.17.1`.
 */
export function elideCommonPrefix(a: string, b: string): [string, string] {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  let cut = -1;
  for (let i = Math.min(n, a.length - 1, b.length - 1); i >= 0; i--) {
    if (a[i] === '/' || a[i] === ':' || a[i] === '@') {
      cut = i;
      break;
    }
  }
  const short = (s: string): string => shorten(shortDigests(s), MAX_SIDE);
  if (cut < MIN_ELIDED || a === b) return [short(a), short(b)];
  return [short(`…${a.slice(cut)}`), short(`…${b.slice(cut)}`)];
}

function shorten(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
