// A finding's expected (Git, the policy) and actual (the cluster) values as people read them in a
// report cell: short values inline (`expected 3 → actual 1`, `…:v0.20.0 → …:v0.17.1`), structured
// values as the keys or items that differ, and the full values as indented text when the lines
// shorten or leave anything out. Never JSON. Values are already redacted by the core; renderers escape.
//
// Text is returned as segments: even indexes are this module's own syntax (`expected `, `: `, ` → `),
// odd indexes one field name or value from the report. Renderers escape each segment alone, so the
// escapers' secret heuristics judge a value by itself and do not read our `key: ` (a toleration's key
// field) as a secret assignment.
import type { Finding } from '../types.js';

/** Text as alternating segments: even indexes our syntax, odd indexes one name or value from the report. */
export type Segments = string[];

/** What a report cell shows for a finding's expected and actual values. */
export interface ValueChange {
  /** One-line changes, at most MAX_LINES: `expected 3 → actual 1`, `limits.memory: 128Mi → 256Mi`, `− {key: a}` (Git only), `+ {key: b}` (live only). */
  lines: Segments[];
  /** Changes left out of `lines`. */
  more: number;
  /** Both values in full, as indented lines, when the lines shorten, elide or leave anything out. */
  full?: { expected: Segments; actual: Segments };
}

/** Changes shown in a cell; the rest are counted in `more` and readable in `full`. */
export const MAX_LINES = 3;
/** Characters of one value (or one list item) in a line before it is cut with `…`. */
const MAX_SIDE = 80;
/** Characters of one line before it is cut with `…`. */
const MAX_LINE = 2 * MAX_SIDE + 20;
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

/** Collects text as segments: `syntax()` for our own words, `value()` for the report's, merged so indexes alternate. */
class Text {
  readonly parts: Segments = [''];
  syntax(s: string): this {
    if (this.parts.length % 2 === 1) this.parts[this.parts.length - 1] += s;
    else this.parts.push(s);
    return this;
  }
  value(s: string): this {
    if (this.parts.length % 2 === 0) this.parts[this.parts.length - 1] += s;
    else this.parts.push(s);
    return this;
  }
  append(other: Segments): this {
    other.forEach((s, i) => (i % 2 === 0 ? this.syntax(s) : this.value(s)));
    return this;
  }
  get length(): number {
    return this.parts.reduce((n, s) => n + s.length, 0);
  }
}

/** Returns segments as one string (what a plain-text rendering shows). */
export function segmentsText(s: Segments): string {
  return s.join('');
}

/** Returns the finding's expected and actual values as a cell shows them, or null when it has neither. */
export function expectedVersusActual(f: Pick<Finding, 'expected' | 'actual'>): ValueChange | null {
  const { expected, actual } = f;
  if (absent(expected) && absent(actual)) return null;
  let lines: Text[];
  let shortened = true;
  if (!structured(expected) && !structured(actual)) {
    const [a, b] = elideCommonPrefix(scalar(expected), scalar(actual));
    shortened = a !== scalar(expected) || b !== scalar(actual);
    lines = [new Text().syntax('expected ').append(scalarText(a, expected)).syntax(' → actual ').append(scalarText(b, actual))];
  } else if ((isObj(expected) || absent(expected)) && (isObj(actual) || absent(actual)) && sharesKeys(expected, actual)) {
    lines = keyChanges(expected ?? {}, actual ?? {});
  } else if ((Array.isArray(expected) || absent(expected)) && (Array.isArray(actual) || absent(actual))) {
    lines = itemChanges(expected ?? [], actual ?? []);
  } else {
    lines = [new Text().syntax('expected ').append(inline(expected).parts).syntax(' → actual ').append(inline(actual).parts)];
  }
  const cut = lines.map((l) => cutSegments(l.parts, MAX_LINE));
  if (cut.some((l, i) => l !== lines[i]!.parts)) shortened = true;
  const shown = cut.slice(0, MAX_LINES);
  return {
    lines: shown,
    more: cut.length - shown.length,
    ...(shortened || cut.length > shown.length ? { full: { expected: block(expected).parts, actual: block(actual).parts } } : {}),
  };
}

/** `(none)` is our word for an absent value; anything else is the report's. */
function scalarText(shown: string, v: unknown): Segments {
  return absent(v) ? [shown] : ['', shown];
}

/** Two objects are compared key by key when they share a key, or one side is absent; otherwise shown whole. */
function sharesKeys(a: unknown, b: unknown): boolean {
  if (!isObj(a) || !isObj(b)) return true;
  return Object.keys(a).some((k) => k in b);
}

/** Returns `path: a → b` for every leaf that differs, Git's key order first. */
function keyChanges(a: Obj, b: Obj): Text[] {
  const fa = flatten(a),
    fb = flatten(b);
  const out: Text[] = [];
  for (const k of new Set([...fa.keys(), ...fb.keys()])) {
    const x = fa.get(k),
      y = fb.get(k);
    if (segmentsText(x?.parts ?? [NONE]) === segmentsText(y?.parts ?? [NONE])) continue;
    const side = (t: Text | undefined): Segments => (t ? cutSegments(t.parts, MAX_SIDE) : [NONE]);
    const path = new Text();
    k.split('\u0000').forEach((part, i) => (i ? path.syntax('.') : path).value(part));
    out.push(path.syntax(': ').append(side(x)).syntax(' → ').append(side(y)));
  }
  return out.length ? out : [new Text().syntax('equal values, written differently')];
}

/** Returns leaf path (keys joined by NUL) -> inline text; arrays are leaves (their items have no stable key). */
function flatten(o: Obj, prefix = '', out = new Map<string, Text>()): Map<string, Text> {
  for (const [k, v] of Object.entries(o)) {
    const path = prefix ? `${prefix}\u0000${k}` : k;
    if (isObj(v) && Object.keys(v).length) flatten(v, path, out);
    else out.set(path, inline(v));
  }
  return out;
}

/** Returns `− item` for items only Git has and `+ item` for items only the cluster has (as multisets). */
function itemChanges(a: unknown[], b: unknown[]): Text[] {
  const items = (list: unknown[]): [string, Text][] =>
    list.map((x) => {
      const t = inline(x);
      return [segmentsText(t.parts), t];
    });
  const left = new Map<string, Text[]>();
  for (const [k, t] of items(b)) left.set(k, [...(left.get(k) ?? []), t]);
  const removed: Text[] = [];
  for (const [k, t] of items(a)) {
    const same = left.get(k);
    if (same?.length) same.pop();
    else removed.push(t);
  }
  const added = [...left.values()].flat();
  const line =
    (sign: string) =>
    (t: Text): Text =>
      new Text().syntax(sign).append(cutSegments(t.parts, 2 * MAX_SIDE));
  const out = [...removed.map(line('− ')), ...added.map(line('+ '))];
  return out.length ? out : [new Text().syntax('the same items in another order')];
}

/** Returns a scalar as text: `(none)` for absent values. */
function scalar(v: unknown): string {
  return absent(v) ? NONE : String(v);
}

/** Returns a value on one line: `{key: v, key: v}`, `[a, b]`, scalars as they are; long digests shortened. */
export function inline(v: unknown, out = new Text()): Text {
  if (Array.isArray(v)) {
    out.syntax('[');
    v.forEach((x, i) => inline(x, i ? out.syntax(', ') : out));
    return out.syntax(']');
  }
  if (isObj(v)) {
    out.syntax('{');
    Object.entries(v).forEach(([k, x], i) => inline(x, (i ? out.syntax(', ') : out).value(k).syntax(': ')));
    return out.syntax('}');
  }
  return absent(v) ? out.syntax(NONE) : out.value(shortDigests(String(v)));
}

/** Returns a value as indented lines (YAML-like, unquoted), in full: what a cell's "full values" shows. */
export function block(v: unknown, indent = '', out = new Text(), first = true): Text {
  const lead = first ? '' : `\n${indent}`;
  if (Array.isArray(v) || isObj(v)) {
    if (isEmpty(v)) return out.syntax(`${lead}${Array.isArray(v) ? '[]' : '{}'}`);
    if (Array.isArray(v)) {
      v.forEach((x, i) => {
        out.syntax(i || !first ? `\n${indent}- ` : '- ');
        if (structured(x) && !isEmpty(x)) blockEntries(x, `${indent}  `, out, true);
        else block(x, indent, out, true);
      });
      return out;
    }
    blockEntries(v, indent, out, first);
    return out;
  }
  out.syntax(lead);
  return absent(v) ? out.syntax(NONE) : out.value(String(v));
}

/** Writes an object's entries (or a list nested in a list item) as `key: value` lines at `indent`. */
function blockEntries(v: unknown, indent: string, out: Text, first: boolean): void {
  if (Array.isArray(v)) {
    block(v, indent, out, first);
    return;
  }
  Object.entries(v as Obj).forEach(([k, x], i) => {
    out
      .syntax(i || !first ? `\n${indent}` : '')
      .value(k)
      .syntax(':');
    if (structured(x) && !isEmpty(x)) block(x, `${indent}  `, out, false);
    else block(x, indent, out.syntax(' '), true);
  });
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

/** Returns the segments cut to `max` characters in all, ending in `…` (the same array when it fits). */
function cutSegments(parts: Segments, max: number): Segments {
  if (segmentsText(parts).length <= max) return parts;
  const out = new Text();
  let left = max - 1;
  for (let i = 0; i < parts.length && left > 0; i++) {
    const s = parts[i]!.slice(0, left);
    left -= s.length;
    if (i % 2 === 0) out.syntax(s);
    else out.value(s);
  }
  return out.syntax('…').parts;
}
