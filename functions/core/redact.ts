// Secret-looking values in command lines. Env values are redacted by name (every value); flags are
// judged by their name: `--db-password=…`, `--token …`. Shared by the snapshot projection (which keeps
// a full sha256) and spec/drift (which shows a prefix), so both sides of a comparison hash alike.

/** A command-line flag whose value is a secret by its name (`--db-password=…`, `-token …`). */
const SECRET_FLAG = /^(--?[\w.-]*(?:password|passwd|secret|token|api[-_]?key|credential|private[-_]?key)[\w.-]*)(=(.*))?$/i;

/**
 * Replaces the values of secret-looking flags in `command`/`args` (`--password=x`, or `--token` followed
 * by its value) by what `token` makes of them, like env values: they would otherwise reach snapshots,
 * reports and GitHub.
 */
export function redactSecretArgs(args: unknown[], token: (text: string) => string): unknown[] {
  const out = [...args];
  for (let i = 0; i < out.length; i++) {
    const a = out[i];
    if (typeof a !== 'string') continue;
    const m = SECRET_FLAG.exec(a);
    if (!m) continue;
    if (m[2] !== undefined) out[i] = `${m[1]}=${token(m[3] ?? '')}`;
    else if (typeof out[i + 1] === 'string' && !(out[i + 1] as string).startsWith('-')) {
      out[i + 1] = token(out[i + 1] as string);
      i++;
    }
  }
  return out;
}
