// Escaping for every string that comes from the cluster or Git before it lands in HTML, Markdown or
// GitHub. Node names, labels and messages are attacker-influenced: they must not inject markup,
// mention people (@user, @org/team), link issues (#123, GH-1) or smuggle links (](javascript:…)).
// Each function also redacts (core/redact.ts: a last line of defence for a report made elsewhere) and
// shows bidi overrides and raw control characters as `<U+XXXX>`, so text cannot reorder itself or hide.
import { sha256Hex } from '../github-issues/sha256.js';
import { HASH_PREFIX, hashToken, redactText } from '../redact.js';

const SHOWN = hashToken(sha256Hex, HASH_PREFIX);

/** Bidi embeddings, overrides and isolates, marks, and raw C0/C1 control characters (tab, LF and CR apart). */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const INVISIBLE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

/** Returns `s` with bidi controls and raw control characters replaced by visible `<U+XXXX>` text. */
export function visibleControls(s: string): string {
  return s.replace(INVISIBLE, (c) => `<U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}>`);
}

/** Returns `s` as text fit for people: secrets redacted, bidi and control characters visible. */
export function plainText(s: unknown): string {
  return visibleControls(redactText(String(s ?? ''), SHOWN));
}

const HTML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/** Returns `s` safe for HTML text and attribute values. */
export function escapeHtml(s: unknown): string {
  return plainText(s).replace(/[&<>"'`]/g, (c) => HTML[c]!);
}

/**
 * Returns `s` safe for GitHub-flavoured Markdown (also inside table cells): markup characters are
 * backslash-escaped, `@` and `#` get a zero-width joiner so they never mention or link, newlines fold.
 */
export function escapeMarkdown(s: unknown): string {
  return plainText(
    String(s ?? '')
      .replace(/\r?\n|\r/g, ' ')
      .replace(/\t/g, ' '),
  )
    .replace(/[\\`*_{}[\]()<>#+\-.!|~=:"]/g, (c) => `\\${c}`)
    .replace(/@/g, '@\u200d')
    .replace(/#/g, '#\u200d')
    .replace(/&/g, '&amp;');
}

/** Returns `s` as inline Markdown code that cannot break out of its backticks or mention anyone. */
export function markdownCode(s: unknown): string {
  const text = plainText(
    String(s ?? '')
      .replace(/\r?\n|\r/g, ' ')
      .replace(/\t/g, ' '),
  );
  const longest = Math.max(0, ...Array.from(text.matchAll(/`+/g), (m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

const SCRIPT_JSON: Record<string, string> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029' };

/**
 * Returns `value` as JSON safe inside `<script type="application/json">`: `<`, `>`, `&` and
 * U+2028/U+2029 become `\uXXXX` escapes, so `</script>` or `<!--` in a node name cannot break out.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(forPeople(value)).replace(/[<>&\u2028\u2029]/g, (c) => SCRIPT_JSON[c]!);
}

/** Returns `v` with every string and object key passed through plainText (the data the HTML report draws). */
function forPeople(v: unknown): unknown {
  if (typeof v === 'string') return plainText(v);
  if (Array.isArray(v)) return v.map(forPeople);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [plainText(k), forPeople(x)]));
  return v;
}
