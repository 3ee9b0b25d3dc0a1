// Escaping for every string that comes from the cluster or Git before it lands in HTML, Markdown or
// GitHub. Node names, labels and messages are attacker-influenced: they must not inject markup,
// mention people (@user, @org/team), link issues (#123, GH-1) or smuggle links (](javascript:…)).

const HTML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/** Returns `s` safe for HTML text and attribute values. */
export function escapeHtml(s: unknown): string {
  return String(s ?? '').replace(/[&<>"'`]/g, (c) => HTML[c]!);
}

/**
 * Returns `s` safe for GitHub-flavoured Markdown (also inside table cells): markup characters are
 * backslash-escaped, `@` and `#` get a zero-width joiner so they never mention or link, newlines fold.
 */
export function escapeMarkdown(s: unknown): string {
  return String(s ?? '')
    .replace(/\r?\n|\r/g, ' ')
    .replace(/[\\`*_{}[\]()<>#+\-.!|~=:"]/g, (c) => `\\${c}`)
    .replace(/@/g, '@\u200d')
    .replace(/#/g, '#\u200d')
    .replace(/&/g, '&amp;');
}

/** Returns `s` as inline Markdown code that cannot break out of its backticks or mention anyone. */
export function markdownCode(s: unknown): string {
  const text = String(s ?? '').replace(/\r?\n|\r/g, ' ');
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
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => SCRIPT_JSON[c]!);
}
