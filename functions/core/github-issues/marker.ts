// The hidden markers that make GitHub itself the state: every issue and PR body starts with
// `<!-- drift-auditor:v1 ... -->` naming its subject, and an issue body ends with the finding keys
// it showed, so the next run can say what appeared and what resolved without any other store.
// Values are percent-encoded, so nothing from the cluster can close the comment or fake a field.

export interface IssueMarker {
  cluster: string;
  daemonSet: string;
  fingerprint: string;
}

export interface PullMarker {
  cluster: string;
  daemonSet: string;
  /** sha256 of the sorted `container=image` targets: a closed PR for the same targets is respected. */
  images: string;
}

const ISSUE_RE = /<!-- drift-auditor:v1 cluster=(\S+) daemonset=(\S+) fingerprint=([0-9a-f]{64}) -->/;
const PULL_RE = /<!-- drift-auditor:v1 pr cluster=(\S+) daemonset=(\S+) images=([0-9a-f]{64}) -->/;
const KEYS_RE = /<!-- drift-auditor:keys count=(\d+)( truncated)?\n([\s\S]*?)\n?-->/;

const enc = (s: string): string => encodeURIComponent(s);
function dec(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

/** Returns the marker line for an issue. */
export function formatIssueMarker(m: IssueMarker): string {
  return `<!-- drift-auditor:v1 cluster=${enc(m.cluster)} daemonset=${enc(m.daemonSet)} fingerprint=${m.fingerprint} -->`;
}

/** Returns cluster, DaemonSet and the third captured field of a marker regex match, or null. */
function matchMarker(re: RegExp, body: string | null | undefined): { cluster: string; daemonSet: string; value: string } | null {
  const m = re.exec(body ?? '');
  const cluster = m ? dec(m[1]!) : null;
  const daemonSet = m ? dec(m[2]!) : null;
  return m && cluster !== null && daemonSet !== null ? { cluster, daemonSet, value: m[3]! } : null;
}

/** Returns the issue marker in `body`, or null when there is none (not one of ours). */
export function parseIssueMarker(body: string | null | undefined): IssueMarker | null {
  const m = matchMarker(ISSUE_RE, body);
  return m && { cluster: m.cluster, daemonSet: m.daemonSet, fingerprint: m.value };
}

/** Returns the marker line for a pull request. */
export function formatPullMarker(m: PullMarker): string {
  return `<!-- drift-auditor:v1 pr cluster=${enc(m.cluster)} daemonset=${enc(m.daemonSet)} images=${m.images} -->`;
}

/** Returns the PR marker in `body`, or null. */
export function parsePullMarker(body: string | null | undefined): PullMarker | null {
  const m = matchMarker(PULL_RE, body);
  return m && { cluster: m.cluster, daemonSet: m.daemonSet, images: m.value };
}

/**
 * Returns the hidden block listing `keys` (one per line), keeping at most `maxChars` of them;
 * `truncated` then tells the next run that the list is partial.
 */
export function formatKeysBlock(keys: readonly string[], maxChars: number): string {
  const kept: string[] = [];
  let size = 0;
  for (const k of keys) {
    if (size + k.length + 1 > maxChars) break;
    kept.push(k);
    size += k.length + 1;
  }
  const truncated = kept.length < keys.length ? ' truncated' : '';
  return `<!-- drift-auditor:keys count=${keys.length}${truncated}\n${kept.join('\n')}\n-->`;
}

/** Returns the keys stored in a body (`complete` false when the block was truncated or is missing). */
export function parseKeysBlock(body: string | null | undefined): { keys: string[]; count: number; complete: boolean } {
  const m = KEYS_RE.exec((body ?? '').replace(/\r\n/g, '\n'));
  if (!m) return { keys: [], count: 0, complete: false };
  const keys = m[3]!.split('\n').filter((l) => l.startsWith('['));
  return { keys, count: Number(m[1]), complete: !m[2] };
}
