// Splits a list response into its items without parsing the page as a whole: each item is JSON.parse'd on
// its own and dropped once projected, so a 500-pod page never lives in the heap at once and the raw objects
// die young (150k pods: peak RSS near what the kept projection needs, see bench/snapshot.ts).

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

export interface ScanOptions {
  /** Stop at `items`: only the fields before it (the API server sends `metadata` first) come back. */
  headOnly?: boolean;
  /** Object keys cut out of each item before it is parsed (`managedFields`). */
  dropKeys?: string[];
  /**
   * Parse (and pass on) only the items whose JSON contains this string as a JSON string, e.g. `DaemonSet`:
   * a pod whose owner is a DaemonSet has `"kind":"DaemonSet"`, and the other 80% are skipped unparsed.
   * (The API server never escapes ASCII letters, so the text is found byte for byte.)
   */
  onlyContaining?: string;
}

/** Thrown when the body is not a JSON object; the caller names the request. */
export class ListSyntaxError extends Error {}

/**
 * Calls `onItem` with each element of the top-level `items` array, parsed, and returns the other top-level
 * fields (parsed) with the number of items. The body must be one JSON object (a Kubernetes List).
 */
export function scanList(
  body: Buffer,
  onItem: (item: Record<string, unknown>) => void,
  o: ScanOptions = {},
): { fields: Record<string, unknown>; items: number; hasItems: boolean } {
  const drop = o.dropKeys?.length ? new KeyMatcher(o.dropKeys) : undefined;
  const needle = o.onlyContaining ? Buffer.from(JSON.stringify(o.onlyContaining)) : undefined;
  let hit = -1; // next occurrence of the needle at or after the current item (body.length: none left)
  const fields: Record<string, unknown> = {};
  let items = 0;
  let hasItems = false;
  let i = skipWs(body, 0);
  expect(body, i, OPEN_BRACE);
  i = skipWs(body, i + 1);
  if (body[i] === CLOSE_BRACE) return { fields, items, hasItems };
  for (;;) {
    expect(body, i, QUOTE);
    const keyEnd = skipString(body, i);
    const key = JSON.parse(body.toString('utf8', i, keyEnd)) as string;
    i = skipWs(body, keyEnd);
    expect(body, i, COLON);
    i = skipWs(body, i + 1);
    if (key === 'items' && body[i] === OPEN_BRACKET) {
      hasItems = true;
      if (o.headOnly) return { fields, items, hasItems };
      i = skipWs(body, i + 1);
      if (body[i] === CLOSE_BRACKET) {
        i++;
      } else {
        for (;;) {
          const end = drop ? skipItem(body, i, drop) : skipValue(body, i);
          if (needle && hit < i) {
            hit = body.indexOf(needle, i);
            if (hit < 0) hit = body.length;
          }
          if (needle && hit >= end) {
            if (drop) drop.holes.length = 0; // cannot be wanted: never parsed
          } else {
            onItem(parse(body, i, end, drop?.holes) as Record<string, unknown>);
          }
          items++;
          i = skipWs(body, end);
          if (body[i] === COMMA) {
            i = skipWs(body, i + 1);
            continue;
          }
          expect(body, i, CLOSE_BRACKET);
          i++;
          break;
        }
      }
    } else {
      const end = skipValue(body, i);
      fields[key] = parse(body, i, end);
      i = end;
    }
    i = skipWs(body, i);
    if (body[i] === COMMA) {
      i = skipWs(body, i + 1);
      continue;
    }
    expect(body, i, CLOSE_BRACE);
    if (skipWs(body, i + 1) !== body.length) throw new ListSyntaxError(`unexpected data after the JSON object at byte ${i + 1}`);
    return { fields, items, hasItems };
  }
}

function parse(body: Buffer, start: number, end: number, holes?: number[]): unknown {
  let text: string;
  if (!holes?.length) {
    text = body.toString('utf8', start, end);
  } else {
    text = '';
    let from = start;
    for (let h = 0; h < holes.length; h += 2) {
      text += body.toString('utf8', from, holes[h]);
      from = holes[h + 1]!;
    }
    text += body.toString('utf8', from, end);
    holes.length = 0;
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ListSyntaxError(`invalid JSON at byte ${start}: ${(err as Error).message}`);
  }
}

function expect(body: Buffer, i: number, c: number): void {
  if (body[i] !== c) throw new ListSyntaxError(`expected '${String.fromCharCode(c)}' at byte ${i}`);
}

function skipWs(body: Buffer, i: number): number {
  for (let c = body[i]; c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09; c = body[++i]);
  return i;
}

/** Returns the index after the string starting at `i` (a quote); escapes are honoured. */
function skipString(body: Buffer, i: number): number {
  let j = i + 1;
  for (;;) {
    const q = body.indexOf(QUOTE, j);
    if (q < 0) throw new ListSyntaxError(`unterminated string at byte ${i}`);
    let backslashes = 0;
    for (let k = q - 1; body[k] === BACKSLASH; k--) backslashes++;
    if (backslashes % 2 === 0) return q + 1;
    j = q + 1;
  }
}

/** Object keys to cut out of each item before parsing (never needed, often large: managedFields). */
class KeyMatcher {
  readonly keys: Buffer[];
  readonly lengths: Set<number>;
  /** 1 at the first letter of a key: most strings are rejected by one array read. */
  readonly first = new Uint8Array(256);
  /** [from, to) byte ranges to leave out of the current item, flattened. */
  readonly holes: number[] = [];
  constructor(keys: string[]) {
    this.keys = keys.map((k) => Buffer.from(JSON.stringify(k)));
    this.lengths = new Set(this.keys.map((k) => k.length));
    for (const k of this.keys) this.first[k[1]!] = 1;
  }
  matches(body: Buffer, start: number, end: number): boolean {
    return (
      this.first[body[start + 1]!] === 1 &&
      this.lengths.has(end - start) &&
      this.keys.some((k) => k.length === end - start && body.compare(k, 0, k.length, start, end) === 0)
    );
  }
}

/**
 * Returns the index after the object starting at `i`, recording in `drop.holes` each `"key": value` (with
 * its comma) whose key is one to drop, so that the parse never sees it.
 */
function skipItem(body: Buffer, i: number, drop: KeyMatcher): number {
  if (body[i] !== OPEN_BRACE) return skipValue(body, i);
  let depth = 0;
  for (let j = i; j < body.length; j++) {
    const d = body[j];
    if (d === QUOTE) {
      const end = skipString(body, j);
      if (drop.matches(body, j, end)) {
        const colon = skipWs(body, end);
        if (body[colon] === COLON) {
          const valueEnd = skipValue(body, skipWs(body, colon + 1));
          const after = skipWs(body, valueEnd);
          if (body[after] === COMMA) {
            drop.holes.push(j, after + 1);
          } else {
            let before = j - 1;
            while (body[before] === 0x20 || body[before] === 0x0a || body[before] === 0x0d || body[before] === 0x09) before--;
            drop.holes.push(body[before] === COMMA ? before : j, valueEnd);
          }
          j = valueEnd - 1;
          continue;
        }
      }
      j = end - 1;
    } else if (d === OPEN_BRACE || d === OPEN_BRACKET) depth++;
    else if (d === CLOSE_BRACE || d === CLOSE_BRACKET) {
      if (--depth === 0) return j + 1;
    }
  }
  throw new ListSyntaxError(`unterminated value at byte ${i}`);
}

/** Returns the index after the JSON value starting at `i`. */
function skipValue(body: Buffer, i: number): number {
  const c = body[i];
  if (c === QUOTE) return skipString(body, i);
  if (c === OPEN_BRACE || c === OPEN_BRACKET) {
    let depth = 0;
    for (let j = i; j < body.length; j++) {
      const d = body[j];
      if (d === QUOTE) j = skipString(body, j) - 1;
      else if (d === OPEN_BRACE || d === OPEN_BRACKET) depth++;
      else if (d === CLOSE_BRACE || d === CLOSE_BRACKET) {
        if (--depth === 0) return j + 1;
      }
    }
    throw new ListSyntaxError(`unterminated value at byte ${i}`);
  }
  // A number, true, false or null: up to the next delimiter.
  let j = i;
  for (
    let d = body[j];
    d !== undefined && d !== COMMA && d !== CLOSE_BRACE && d !== CLOSE_BRACKET && d !== 0x20 && d !== 0x0a && d !== 0x0d && d !== 0x09;
    d = body[++j]
  );
  if (j === i) throw new ListSyntaxError(`expected a value at byte ${i}`);
  return j;
}
