// The one place of redaction. Secrets never leave the cluster: what looks like one by its structure is
// replaced by a hash token (`sha256:<hex>`) before it is stored, compared, rendered or sent to GitHub.
// The snapshot projection (live reads and dumps) hashes with all 64 hex digits; spec/drift, findings and
// renderers show a 16-digit prefix. A token is never hashed again, so every step may run twice (a stored
// snapshot audited again, Git and live compared) and equal secrets still give equal tokens.
// What counts as a secret, and why, is documented in docs/snapshot.md ("Redaction").

/** Makes the token that replaces a secret value. */
export type Token = (secret: string) => string;

/** Hex digits of a hash that findings, reports and GitHub show (`sha256:<prefix>`): enough to compare. */
export const HASH_PREFIX = 16;

/** A value that is already a hash token, full or prefix. */
const HASHED = /^sha256:[0-9a-f]{16,64}$/;

/**
 * Returns a token function: `sha256:` + the first `digits` hex digits of `hash(value)`. A value that is
 * already a token is kept (or shortened to `digits`), so redaction is idempotent across full and short tokens.
 */
export function hashToken(hash: (text: string) => string, digits = 64): Token {
  return (v) => {
    if (HASHED.test(v)) return v.length > 7 + digits ? v.slice(0, 7 + digits) : v;
    return `sha256:${hash(v).slice(0, digits)}`;
  };
}

/** Returns true for a hash token made by `hashToken`. */
export function isHashToken(v: unknown): v is string {
  return typeof v === 'string' && HASHED.test(v);
}

// ---------------------------------------------------------------------------------------------------
// Names

/** Words that make a name secret wherever they appear (`DB_PASSWORD`, `--api-token`, `X-Api-Key`). */
const SECRET_WORDS = new Set([
  'password',
  'passwd',
  'passphrase',
  'pwd',
  'secret',
  'secrets',
  'token',
  'tokens',
  'apikey',
  'credential',
  'credentials',
  'creds',
  'cookie',
  'privatekey',
  'accesskey',
  'secretkey',
  'authorization',
]);
/** Word pairs that make a name secret (`api-key`, `access_key`, `sessionId`). */
const SECRET_PAIRS = new Set([
  'api key',
  'access key',
  'private key',
  'secret key',
  'client secret',
  'session id',
  'auth key',
  'master key',
  'signing key',
  'encryption key',
  'license key',
]);
/** Words that make a name secret only as its last word (`--auth`, `REDIS_PASS`, `SSH_KEY`, but not `--auth-mode`). */
const SECRET_LAST = new Set(['pass', 'pw', 'auth', 'key']);
/** Last words that name a reference, not a secret (`--password-file`, `TOKEN_PATH`, `secret-name`). */
const REFERENCE_LAST = new Set([
  'file',
  'files',
  'path',
  'dir',
  'name',
  'ref',
  'env',
  'url',
  'uri',
  'ttl',
  'length',
  'size',
  'type',
  'mode',
  'policy',
  'header',
  'prefix',
]);

/** Splits `--db-password`, `DB_PASSWORD`, `dbPassword`, `X-Api-Key` into lower-case words. */
function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** Returns true when a flag, variable, header or field name says its value is a secret. */
export function isSecretName(name: string): boolean {
  const w = words(name);
  if (w.length === 0) return false;
  const last = w[w.length - 1]!;
  if (REFERENCE_LAST.has(last)) return false;
  if (SECRET_LAST.has(last)) return true;
  for (let i = 0; i < w.length; i++) {
    if (SECRET_WORDS.has(w[i]!)) return true;
    if (i > 0 && SECRET_PAIRS.has(`${w[i - 1]} ${w[i]}`)) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------------
// Values

/** Values never hashed: empty, a variable reference (`$(DB_PASSWORD)`, `${TOKEN}`), an absolute path, a token. */
const REFERENCE_VALUE = /^(?:|\$\(?\{?[A-Za-z_][A-Za-z0-9_]*\}?\)?|\/[\w.@-]+(?:\/[\w.@-]+)+\/?)$/;

function secret(value: string, token: Token): string {
  return REFERENCE_VALUE.test(value) ? value : token(value);
}

/** A shell word: double-quoted, single-quoted or bare; its text without the quotes is what is hashed. */
function unquote(word: string): string {
  if (word.length >= 2 && ((word.startsWith('"') && word.endsWith('"')) || (word.startsWith("'") && word.endsWith("'")))) return word.slice(1, -1);
  return word;
}

/** `-p` is a short flag for a password (mysql, mysqladmin, sshpass): its value is hashed unless it looks like a port. */
const PORT_LIKE = /^(?:\d+(?::\d+)*(?:\/(?:tcp|udp|sctp))?|[\d.]+:\d+(?::\d+)?)$/i;

/** Returns true when `flag` (with its dashes) takes a secret value; `value` decides for `-p` and `-u`. */
function isSecretFlag(flag: string, value: string): boolean {
  const name = flag.replace(/^-+/, '');
  if (flag === '-p') return !PORT_LIKE.test(value);
  // curl -u / --user user:password
  if (flag === '-u' || flag === '--user' || flag === '--proxy-user') return value.includes(':');
  if (!flag.startsWith('--') && name.length === 1) return false;
  return isSecretName(name);
}

// ---------------------------------------------------------------------------------------------------
// Free text: shell strings, messages, header lines, URLs

const WORD = String.raw`"(?:[^"\\]|\\.)*"|'[^']*'|[^\s;&|"'\`)]+`;
/** `scheme://userinfo@host`: the whole userinfo (user and password) is hashed. */
const URL_USERINFO = /\b([a-zA-Z][a-zA-Z0-9+.-]*:\/\/)([^\s/?#"'<>`]+)@/g;
/** Header lines whose whole value is a credential. */
const CREDENTIAL_HEADER = /\b((?:proxy-)?authorization|cookie|set-cookie)(\s*:\s*)([^\r\n"'`]*[^\s"'`])/gi;
/** `Bearer <token>` anywhere (8+ characters, so English prose is left alone). */
const BEARER = /\b([Bb]earer\s+)([^\s"',;`]{8,})/g;
/** `--flag=value`, `--flag value`, `-p value` inside a string. */
const FLAG = new RegExp(String.raw`(?<=^|[\s"'(=])(--?[A-Za-z][\w.-]*)(?:(=)|(\s+))(${WORD})`, 'g');
/** `-pVALUE` (mysql's attached form): 6+ characters, not a number. */
const ATTACHED_P = /(^|[\s"'(])-p([^\s\-;&|"'`)][^\s;&|"'`)]{5,})/g;
/** `NAME=value`, `export NAME=value`, `?name=value` and `&name=value` (query strings). */
const ASSIGNMENT = new RegExp(String.raw`(?<=^|[\s;&|(\`"'{?=])((?:export|local|readonly|declare)\s+)?([A-Za-z_][\w.-]*)=(${WORD})`, 'g');
/** `name: value` and `"name": "value"` for secret names (YAML, JSON, headers such as `X-Api-Key: …`). */
const FIELD = /(?<=^|[\s{,;"'])([A-Za-z_][\w.-]*)(["']?\s*:\s*)("[^"]*"|'[^']*'|[^\s,;"'}`]+)/g;

/**
 * Replaces the matches of `re` for which `fn` returns a replacement. A match left alone is scanned again
 * from `resume(m)` characters after its start (its value may itself be a flag or a name: `--x --token y`).
 */
function scan(s: string, re: RegExp, fn: (m: RegExpExecArray) => string | null, resume: (m: RegExpExecArray) => number): string {
  let out = '';
  let last = 0;
  re.lastIndex = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    const rep = fn(m);
    if (rep === null) {
      re.lastIndex = m.index + Math.max(1, resume(m));
      continue;
    }
    out += s.slice(last, m.index) + rep;
    last = m.index + m[0].length;
    re.lastIndex = last;
  }
  return last === 0 ? s : out + s.slice(last);
}

/**
 * Returns `text` with secrets replaced by tokens: URL userinfo, credential headers and bearer tokens,
 * values of secret-looking flags (`--password=x`, `--token x`, `-p x`), `NAME=value` and
 * `export NAME=value` for secret-looking names, and `name: value` fields with secret names.
 */
export function redactText(text: string, token: Token): string {
  if (text.length < 4) return text;
  let s = text;
  if (s.includes('://')) s = s.replace(URL_USERINFO, (_m, scheme: string, userinfo: string) => `${scheme}${token(userinfo)}@`);
  s = s.replace(CREDENTIAL_HEADER, (_m, name: string, sep: string, value: string) => `${name}${sep}${secret(value, token)}`);
  s = s.replace(BEARER, (_m, lead: string, value: string) => `${lead}${secret(value, token)}`);
  if (s.includes('-')) {
    s = scan(
      s,
      FLAG,
      (m) => {
        const [, flag, eq, space, word] = m as unknown as [string, string, string | undefined, string | undefined, string];
        if (space !== undefined && word.startsWith('-')) return null;
        const value = unquote(word);
        return isSecretFlag(flag, value) ? `${flag}${eq ?? space}${secret(value, token)}` : null;
      },
      (m) => m[1]!.length + (m[2] ?? m[3] ?? '').length,
    );
    s = s.replace(ATTACHED_P, (m, lead: string, value: string) => (/^\d+$/.test(value) || isHashToken(value) ? m : `${lead}-p${secret(value, token)}`));
  }
  if (s.includes('=')) {
    s = scan(
      s,
      ASSIGNMENT,
      (m) => {
        const [, keyword, name, word] = m as unknown as [string, string | undefined, string, string];
        return isSecretName(name) ? `${keyword ?? ''}${name}=${secret(unquote(word), token)}` : null;
      },
      (m) => (m[1]?.length ?? 0) + m[2]!.length + 1,
    );
  }
  if (s.includes(':')) {
    s = scan(
      s,
      FIELD,
      (m) => {
        const [, name, sep, word] = m as unknown as [string, string, string, string];
        return isSecretName(name) ? `${name}${sep}${secret(unquote(word), token)}` : null;
      },
      (m) => m[1]!.length + m[2]!.length,
    );
  }
  return s;
}

/**
 * Returns a command line (`command`/`args`) with secrets replaced by tokens: each item as `redactText`,
 * plus the item after a secret flag given alone (`--token`, `x`; `-p`, `x`) and after `-H`/`--header`.
 */
export function redactArgs(args: readonly unknown[], token: Token): unknown[] {
  const out = [...args];
  for (let i = 0; i < out.length; i++) {
    const a = out[i];
    if (typeof a !== 'string') continue;
    const next = out[i + 1];
    if (typeof next === 'string' && /^--?[A-Za-z][\w.-]*$/.test(a)) {
      if ((a === '-H' || a === '--header') && /:/.test(next)) {
        out[i + 1] = redactHeaderLine(next, token);
        i++;
        continue;
      }
      if (!next.startsWith('-') && isSecretFlag(a, next)) {
        out[i + 1] = secret(next, token);
        i++;
        continue;
      }
    }
    const attached = /^-p([^\s-].{5,})$/s.exec(a);
    if (attached && !/^\d+$/.test(attached[1]!)) out[i] = `-p${secret(attached[1]!, token)}`;
    else out[i] = redactText(a, token);
  }
  return out;
}

/** Returns `Name: value` with the value hashed (any header given on a command line with -H may be a credential). */
function redactHeaderLine(line: string, token: Token): string {
  const colon = line.indexOf(':');
  const value = line.slice(colon + 1).trim();
  return value ? `${line.slice(0, colon)}: ${secret(value, token)}` : line;
}

/**
 * Returns where the registry credentials of an image reference (or a status imageID) lie, or null: after any
 * `scheme://` (`docker-pullable://`), up to the last `@` that does not start the digest. The last one, since a
 * password may hold `@` or `/` itself (`u:p@ss@registry/app` must not leave `ss` in the clear).
 */
function imageCredentials(image: string): { start: number; end: number } | null {
  const start = /^[a-z][a-z0-9+.-]*:\/\//i.exec(image)?.[0].length ?? 0;
  const digest = /@sha(?:256|384|512):[0-9a-f]*$/i.exec(image);
  const end = (digest ? image.slice(0, digest.index) : image).lastIndexOf('@');
  return end > start ? { start, end } : null;
}

/** Returns an image reference with registry credentials (`user:password@registry/…`) replaced by a token. */
export function redactImage(image: string, token: Token): string {
  const creds = imageCredentials(image);
  if (!creds) return redactText(image, token);
  return `${image.slice(0, creds.start)}${token(image.slice(creds.start, creds.end))}${image.slice(creds.end)}`;
}

// ---------------------------------------------------------------------------------------------------
// Objects

type Raw = Record<string, unknown>;

function isPlain(v: unknown): v is Raw {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Returns `v` with every string inside (deeply, in plain objects and arrays) passed through `redactText`. */
export function redactValue<T>(v: T, token: Token): T {
  if (typeof v === 'string') return redactText(v, token) as T;
  if (Array.isArray(v)) return v.map((x) => redactValue(x, token)) as T;
  if (isPlain(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, redactValue(x, token)])) as T;
  return v;
}

/** Env vars with `value` replaced by `valueSha256` (the token's hex); `valueFrom` (a reference, no data) is kept. */
export function redactEnv(env: unknown, token: Token): unknown {
  if (!Array.isArray(env)) return env;
  return env.map((e) => {
    if (!isPlain(e)) return e;
    const { value, ...rest } = e;
    if (value === undefined || value === null) return rest;
    const t = token(typeof value === 'string' ? value : JSON.stringify(value));
    return { ...rest, valueSha256: t.startsWith('sha256:') ? t.slice('sha256:'.length) : t };
  });
}

/** Probe or lifecycle handler: exec commands as command lines, every HTTP header value, the URL path's query. */
function redactHandler(h: unknown, token: Token, hashExec: boolean): unknown {
  if (!isPlain(h)) return h;
  const out: Raw = {};
  for (const [k, v] of Object.entries(h)) {
    if (k === 'exec' && isPlain(v) && Array.isArray(v.command)) {
      // Lifecycle hooks run arbitrary shell: no check reads them, so every word is hashed.
      out.exec = { ...v, command: hashExec ? v.command.map((c) => (typeof c === 'string' ? token(c) : c)) : redactArgs(v.command, token) };
    } else if (k === 'httpGet' && isPlain(v)) {
      const g: Raw = redactValue(v, token);
      if (Array.isArray(v.httpHeaders)) {
        g.httpHeaders = v.httpHeaders.map((x) => (isPlain(x) && typeof x.value === 'string' ? { ...x, value: secret(x.value, token) } : x));
      }
      out.httpGet = g;
    } else out[k] = redactValue(v, token);
  }
  return out;
}

const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'];

/** Returns a container with every secret replaced by a token: env values, command lines, image credentials, probes, lifecycle hooks. */
export function redactContainer(c: unknown, token: Token): unknown {
  if (!isPlain(c)) return c;
  const out: Raw = {};
  for (const [k, v] of Object.entries(c)) {
    if (k === 'env') out.env = redactEnv(v, token);
    else if ((k === 'command' || k === 'args') && Array.isArray(v)) out[k] = redactArgs(v, token);
    else if (k === 'image' && typeof v === 'string') out.image = redactImage(v, token);
    else if (PROBES.includes(k)) out[k] = redactHandler(v, token, false);
    else if (k === 'lifecycle' && isPlain(v)) out.lifecycle = Object.fromEntries(Object.entries(v).map(([hook, h]) => [hook, redactHandler(h, token, true)]));
    else out[k] = redactValue(v, token);
  }
  return out;
}

const CONTAINER_LISTS = ['containers', 'initContainers', 'ephemeralContainers'];

/** Returns a pod spec with every container redacted and every other string passed through `redactText`. */
export function redactPodSpec<T>(spec: T, token: Token): T {
  if (!isPlain(spec)) return spec;
  const out: Raw = {};
  for (const [k, v] of Object.entries(spec)) {
    out[k] = CONTAINER_LISTS.includes(k) && Array.isArray(v) ? v.map((c) => redactContainer(c, token)) : redactValue(v, token);
  }
  return out as T;
}

/** The annotation `kubectl apply` leaves: a full copy of the manifest, env values included. Always dropped. */
export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
/** Annotations a check reads, kept verbatim (see functions/core/checks/helpers.ts isPodUpdated). */
export const READ_ANNOTATIONS: readonly string[] = ['deprecated.daemonset.template.generation'];
/** Annotations that record an action, not state, and that no check reads: dropped. */
const DROPPED_ANNOTATIONS: readonly string[] = [LAST_APPLIED, 'kubectl.kubernetes.io/restartedAt'];

/**
 * Returns a DaemonSet's (or pod template's) annotations: those a check reads verbatim, the last-applied
 * copy and action stamps dropped, every other value as a token (spec/drift still sees a change).
 */
export function redactAnnotations(a: unknown, token: Token): Record<string, string> | undefined {
  if (!isPlain(a)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(a)) {
    if (DROPPED_ANNOTATIONS.includes(k)) continue;
    const text = typeof v === 'string' ? v : (JSON.stringify(v) ?? '');
    out[k] = READ_ANNOTATIONS.includes(k) ? text : token(text);
  }
  return Object.keys(out).length ? out : undefined;
}

/** Returns a pod template with its annotations and spec redacted; labels stay (selectors need them). */
export function redactPodTemplate<T>(t: T, token: Token): T {
  if (!isPlain(t)) return t;
  const out: Raw = { ...t };
  if (isPlain(t.metadata)) {
    const { annotations, ...meta } = t.metadata;
    const kept = redactAnnotations(annotations, token);
    out.metadata = kept ? { ...meta, annotations: kept } : meta;
  }
  if (t.spec !== undefined) out.spec = redactPodSpec(t.spec, token);
  return out as T;
}

/** Returns a DaemonSet (Git or live) with its annotations and pod template redacted; the rest unchanged. */
export function redactDaemonSet<T>(ds: T, token: Token): T {
  if (!isPlain(ds)) return ds;
  const out: Raw = { ...ds };
  if (isPlain(ds.metadata) && ds.metadata.annotations !== undefined) {
    const { annotations, ...meta } = ds.metadata;
    const kept = redactAnnotations(annotations, token);
    out.metadata = kept ? { ...meta, annotations: kept } : meta;
  }
  if (isPlain(ds.spec) && ds.spec.template !== undefined) out.spec = { ...ds.spec, template: redactPodTemplate(ds.spec.template, token) };
  return out as T;
}

// ---------------------------------------------------------------------------------------------------
// Audit inputs and findings

/** True for an image reference that carries registry credentials (`user:password@registry/…`). */
function hasImageCredentials(image: unknown): boolean {
  return typeof image === 'string' && imageCredentials(image) !== null;
}

function redactPodImages<P>(pod: P, token: Token): P {
  if (!isPlain(pod) || !isPlain(pod.spec) || !isPlain(pod.status ?? {})) return pod;
  const spec = pod.spec;
  const status = (pod.status ?? {}) as Raw;
  const lists = [...CONTAINER_LISTS.map((k) => spec[k]), status.containerStatuses, status.initContainerStatuses];
  const dirty = lists.some((l) => Array.isArray(l) && l.some((c) => isPlain(c) && (hasImageCredentials(c.image) || hasImageCredentials(c.imageID))));
  if (!dirty) return pod;
  const fix = (l: unknown) =>
    Array.isArray(l)
      ? l.map((c) => {
          if (!isPlain(c)) return c;
          const out: Raw = { ...c };
          if (typeof c.image === 'string') out.image = redactImage(c.image, token);
          if (typeof c.imageID === 'string') out.imageID = redactImage(c.imageID, token);
          return out;
        })
      : l;
  const outSpec: Raw = { ...spec };
  for (const k of CONTAINER_LISTS) if (spec[k] !== undefined) outSpec[k] = fix(spec[k]);
  const outStatus: Raw = { ...status };
  for (const k of ['containerStatuses', 'initContainerStatuses']) if (status[k] !== undefined) outStatus[k] = fix(status[k]);
  return { ...pod, spec: outSpec, ...(pod.status ? { status: outStatus } : {}) } as P;
}

/**
 * Returns the audit's inputs with both sides redacted alike (full tokens): Git's and the cluster's
 * DaemonSets, and image credentials in pods. A projected snapshot is unchanged by it; a manifest's
 * secrets then compare with the snapshot's tokens, and findings built from either carry tokens only.
 */
export function redactAuditInputs<S extends { daemonSets: unknown[]; pods: unknown[] }, D extends { daemonSets: { manifest: unknown }[] }>(
  snapshot: S,
  desired: D,
  token: Token,
): { snapshot: S; desired: D } {
  return {
    snapshot: { ...snapshot, daemonSets: snapshot.daemonSets.map((d) => redactDaemonSet(d, token)), pods: snapshot.pods.map((p) => redactPodImages(p, token)) },
    desired: { ...desired, daemonSets: desired.daemonSets.map((d) => ({ ...d, manifest: redactDaemonSet(d.manifest, token) })) },
  };
}

/** Returns a finding (or any object with message/expected/actual) with every string in those fields redacted. */
export function redactFinding<F extends { message: string; expected?: unknown; actual?: unknown }>(f: F, token: Token): F {
  const out = { ...f, message: redactText(f.message, token) };
  if (f.expected !== undefined) out.expected = redactValue(f.expected, token);
  if (f.actual !== undefined) out.actual = redactValue(f.actual, token);
  return out;
}
