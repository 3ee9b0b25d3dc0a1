// Where a parse error is in a file's text: 1-based lines from character offsets and from JSON.parse
// errors (which give a position, or not). Pure: dumps and manifests both report errors by line.
import { LineCounter, parseDocument } from 'yaml';

/** Returns the 1-based line of character offset `pos` in `text`. */
export function lineAtOffset(text: string, pos: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < pos; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** Returns the 1-based line a JSON.parse SyntaxError points at, when its message gives a position. */
export function jsonErrorLine(text: string, err: unknown): number | undefined {
  const m = /position (\d+)/.exec(err instanceof Error ? err.message : '');
  if (m) return lineAtOffset(text, Number(m[1]));
  // V8 omits the position for "Unexpected token" errors: let the YAML parser (a JSON superset) find it,
  // on the error path only and only for files small enough to re-parse.
  if (text.length > 32 * 1024 * 1024) return undefined;
  const lc = new LineCounter();
  const e = parseDocument(text, { lineCounter: lc, prettyErrors: false }).errors[0];
  return e ? lc.linePos(e.pos[0]).line : undefined;
}
