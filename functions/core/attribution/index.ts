// Who changed it: the API server records, per field, the manager that last set it
// (`metadata.managedFields[].fieldsV1`, structured-merge-diff's field sets). This folder maps a finding's
// JSON path onto those sets and says which manager owns the field, with the operation and the time.
// Pure: managedFields arrive with the live object (snapshots keep them on DaemonSets only).
import { matchesGlob } from '../policy/glob.js';

/** Who last set a field: the field manager, `Update` or `Apply`, and when (RFC 3339, from managedFields). */
export interface ChangedBy {
  manager: string;
  operation: string;
  time?: string;
}

/**
 * Managers that are people's hands rather than controllers: kubectl's imperative verbs, and desktop
 * clients (Lens and OpenLens send `node-fetch`'s user agent, k9s its own name). kubectl-rollout is not
 * here: a rollout restart's restartedAt annotation is a restart, not drift.
 */
export const DEFAULT_HAND_MANAGERS: readonly string[] = [
  'kubectl-edit',
  'kubectl-patch',
  'kubectl-label',
  'kubectl-annotate',
  'kubectl-set',
  'kubectl-replace',
  'kubectl-client-side-apply',
  'kubectl',
  'k9s',
  'lens',
  'Lens',
  'OpenLens',
  'node-fetch',
];

/** One step of a finding's path: a field, or a list item named by its merge key(s). */
export type PathStep = { field: string } | { item: Record<string, string> };

interface ManagedEntry {
  manager: string;
  operation: string;
  time?: string;
  fields: Record<string, unknown>;
}

/**
 * Returns the steps of a path as findings write it (`spec.template.spec.containers[name=app].resources.limits.memory`,
 * `metadata.labels["app.kubernetes.io/name"]`, `ports[containerPort=53,protocol=UDP]`), or null when it does not parse.
 */
export function parseFindingPath(path: string): PathStep[] | null {
  const out: PathStep[] = [];
  let i = 0;
  while (i < path.length) {
    const ch = path[i];
    if (ch === '.') {
      i++;
      continue;
    }
    if (ch === '[') {
      if (path[i + 1] === '"') {
        // A quoted key: JSON-style escapes for `\` and `"` (spec-drift/diff.ts:fieldPath).
        let j = i + 2;
        let key = '';
        while (j < path.length && path[j] !== '"') {
          if (path[j] === '\\' && j + 1 < path.length) j++;
          key += path[j];
          j++;
        }
        if (path[j + 1] !== ']') return null;
        out.push({ field: key });
        i = j + 2;
        continue;
      }
      const end = path.indexOf(']', i);
      if (end === -1) return null;
      // `#2` marks a repeated key (diff.ts:keyed); the API server keeps only one, so it is the same field.
      const body = path.slice(i + 1, end).replace(/#\d+$/, '');
      const item: Record<string, string> = {};
      for (const part of body.split(',')) {
        const eq = part.indexOf('=');
        if (eq <= 0) return null;
        item[part.slice(0, eq)] = part.slice(eq + 1);
      }
      out.push({ item });
      i = end + 1;
      continue;
    }
    const m = /^[A-Za-z_$][\w$-]*/.exec(path.slice(i));
    if (!m) return null;
    out.push({ field: m[0] });
    i += m[0].length;
  }
  return out;
}

/** Returns the well-formed managedFields entries of an object's metadata (anything else is ignored, never trusted). */
function entriesOf(managedFields: unknown): ManagedEntry[] {
  if (!Array.isArray(managedFields)) return [];
  const out: ManagedEntry[] = [];
  for (const e of managedFields as Record<string, unknown>[]) {
    if (!e || typeof e !== 'object' || typeof e.manager !== 'string' || !isObj(e.fieldsV1)) continue;
    // The status subresource's entries own status fields only, which findings never name.
    if (e.subresource === 'status') continue;
    out.push({
      manager: e.manager,
      operation: typeof e.operation === 'string' ? e.operation : 'Update',
      ...(typeof e.time === 'string' ? { time: e.time } : {}),
      fields: e.fieldsV1,
    });
  }
  return out;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Returns whether a `k:{...}` key names the item: every merge key in the field set equals the path's
 * (a port's protocol defaults to TCP, which finding paths leave out).
 */
function keyMatches(fieldSetKey: string, item: Record<string, string>): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fieldSetKey.slice(2));
  } catch {
    return false;
  }
  if (!isObj(parsed)) return false;
  const want = { ...item };
  if (want.containerPort !== undefined && want.protocol === undefined) want.protocol = 'TCP';
  const keys = Object.keys(parsed);
  return keys.length > 0 && keys.every((k) => want[k] !== undefined && String(parsed[k]) === want[k]) && Object.keys(want).every((k) => k in parsed);
}

/**
 * Returns whether a manager's field set owns the path: it holds the path's node (or something under it),
 * or an atomic ancestor of it (a leaf `{}` before the path ends, e.g. `f:tolerations` or `f:args`).
 */
function owns(fields: Record<string, unknown>, steps: PathStep[]): boolean {
  let node: Record<string, unknown> = fields;
  for (const step of steps) {
    // `{}` is a leaf: an atomic field owned whole. (`{".": {}}` owns only the item's existence.)
    if (Object.keys(node).length === 0) return node !== fields;
    let next: unknown;
    if ('field' in step) next = node[`f:${step.field}`];
    else next = Object.entries(node).find(([k]) => k.startsWith('k:') && keyMatches(k, step.item))?.[1];
    if (!isObj(next)) return false;
    node = next;
  }
  return true;
}

/** Returns the managers that own the field at `path` in an object's managedFields, newest first. */
export function ownersOf(managedFields: unknown, path: string): ChangedBy[] {
  const steps = parseFindingPath(path);
  if (!steps || steps.length === 0) return [];
  return entriesOf(managedFields)
    .filter((e) => owns(e.fields, steps))
    .sort((a, b) => (b.time ?? '').localeCompare(a.time ?? ''))
    .map(({ manager, operation, time }) => ({ manager, operation, ...(time ? { time } : {}) }));
}

/** Returns who last changed the field at `path` (the newest owning manager), or undefined when managedFields do not say. */
export function changedByOf(managedFields: unknown, path: string): ChangedBy | undefined {
  return ownersOf(managedFields, path)[0];
}

/** Returns whether a manager name is one of the hand tools (`handManagers` may hold `*` globs). */
export function isHandManager(manager: string, handManagers: readonly string[]): boolean {
  return handManagers.some((p) => matchesGlob(p, manager));
}

/**
 * Returns the hand tool that owns the field at `path`, if one does: a field only the cluster has is drift
 * when a person put it there. A field a controller or a webhook (attributed to its request's manager) owns
 * too is shared, and the newest owner decides.
 */
export function handOwnerOf(managedFields: unknown, path: string, handManagers: readonly string[]): ChangedBy | undefined {
  const newest = ownersOf(managedFields, path)[0];
  return newest && isHandManager(newest.manager, handManagers) ? newest : undefined;
}
