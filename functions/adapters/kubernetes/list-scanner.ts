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

/** Thrown when the body is not a JSON object; the caller names the request. */
export class ListSyntaxError extends Error {}

/**
 * Calls `onItem` with each element of the top-level `items` array, parsed, and returns the other top-level
 * fields (parsed) with the number of items. The body must be one JSON object (a Kubernetes List).
 * `headOnly` stops at `items`: the fields before it (the API server sends `metadata` first) come back cheaply.
 */
export function scanList(body: Buffer, onItem: (item: Record<string, unknown>) => void, o: { headOnly?: boolean } = {}): { fields: Record<string, unknown>; items: number; hasItems: boolean } {
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
          const end = skipValue(body, i);
          onItem(parse(body, i, end) as Record<string, unknown>);
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

function parse(body: Buffer, start: number, end: number): unknown {
  try {
    return JSON.parse(body.toString('utf8', start, end));
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
  for (let d = body[j]; d !== undefined && d !== COMMA && d !== CLOSE_BRACE && d !== CLOSE_BRACKET && d !== 0x20 && d !== 0x0a && d !== 0x0d && d !== 0x09; d = body[++j]);
  if (j === i) throw new ListSyntaxError(`expected a value at byte ${i}`);
  return j;
}
