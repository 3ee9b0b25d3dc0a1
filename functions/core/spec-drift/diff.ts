// Field-by-field diff of a normalised Git DaemonSet against the normalised live one. Git owns what it
// sets: every field Git sets is compared, and a field Git sets that the live object lacks is drift.
// Fields only the live object has are drift inside the regions that decide placement, privilege and
// the container's process (selector, update strategy, nodeSelector, affinity, tolerations, volumes,
// command, args, env, ports, mounts, probes, securityContext); elsewhere other actors (defaulting,
// admission, autoscalers) may add them. Lists of named items are matched by key, not position.
import type { Container, K8sDaemonSet } from '../k8s-types.js';
import { sha256Hex } from '../github-issues/sha256.js';
import { HASH_PREFIX, hashToken, redactDaemonSet } from '../redact.js';
import { defaultPullPolicy, normaliseDaemonSet, Quantity, type Norm } from './normalise.js';

/** One difference: JSON path, Git's value (expected) and the live value (actual); undefined = absent. */
export interface SpecDifference {
  path: string;
  expected: unknown;
  actual: unknown;
}

export interface DiffOptions {
  /** sha256 (hex) of a string (default: the core's pure sha256); env values are compared and shown only as hashes. */
  hash?: (text: string) => string;
  /**
   * Whether a hand tool (kubectl edit, Lens, ...) owns the live field at a path, per managedFields
   * (functions/core/attribution/). A field only the live object has is drift wherever it sits when it does.
   */
  handOwned?: (path: string) => boolean;
}

/** Hex digits of an env value's sha256 that findings show (`sha256:<prefix>`): enough to compare, never the value. */
export const ENV_HASH_PREFIX = HASH_PREFIX;

type Obj = { [k: string]: Norm };

/** Where fields only the live object has are drift too (abstract paths, `[]` for any list item). */
export const FULL_REGIONS: ReadonlySet<string> = new Set([
  'spec.selector',
  'spec.updateStrategy',
  ...[
    'nodeSelector',
    'affinity',
    'tolerations',
    'nodeName',
    'hostNetwork',
    'hostPID',
    'hostIPC',
    'priorityClassName',
    'runtimeClassName',
    'serviceAccountName',
    'securityContext',
    'volumes',
  ].map((k) => `spec.template.spec.${k}`),
  ...['containers', 'initContainers'].flatMap((list) =>
    ['command', 'args', 'env', 'envFrom', 'ports', 'volumeMounts', 'securityContext', 'livenessProbe', 'readinessProbe', 'startupProbe'].map(
      (k) => `spec.template.spec.${list}[].${k}`,
    ),
  ),
]);

/** Fields image/drift reports (container images, and containers on one side only); spec/drift leaves them out. */
const IMAGE_FIELDS: ReadonlySet<string> = new Set(['spec.template.spec.containers[].image', 'spec.template.spec.initContainers[].image']);
const CONTAINER_LISTS: ReadonlySet<string> = new Set(['spec.template.spec.containers', 'spec.template.spec.initContainers']);

/** Lists merged by key (the API's patchMergeKey / listMapKeys), shown as `field[key=value]`. */
const LIST_KEYS: Record<string, (item: Obj) => string | null> = {
  containers: (i) => str(i.name, 'name'),
  initContainers: (i) => str(i.name, 'name'),
  ephemeralContainers: (i) => str(i.name, 'name'),
  env: (i) => str(i.name, 'name'),
  volumes: (i) => str(i.name, 'name'),
  imagePullSecrets: (i) => str(i.name, 'name'),
  volumeMounts: (i) => str(i.mountPath, 'mountPath'),
  volumeDevices: (i) => str(i.devicePath, 'devicePath'),
  hostAliases: (i) => str(i.ip, 'ip'),
  ports: (i) =>
    i.containerPort === undefined
      ? null
      : `containerPort=${String(i.containerPort)}${i.protocol && i.protocol !== 'TCP' ? `,protocol=${String(i.protocol)}` : ''}`,
};
/** Lists whose order does not matter. */
const SETS: ReadonlySet<string> = new Set(['tolerations']);

function str(v: Norm | undefined, key: string): string | null {
  return typeof v === 'string' ? `${key}=${v}` : null;
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Quantity);
}

function equal(a: Norm | undefined, b: Norm | undefined): boolean {
  if (a instanceof Quantity || b instanceof Quantity) return a instanceof Quantity && b instanceof Quantity && a.equals(b);
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => equal(x, b[i]));
  }
  if (isObj(a) || isObj(b)) {
    if (!isObj(a) || !isObj(b)) return false;
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && equal(a[k], b[k]));
  }
  return a === b;
}

/** Returns a normalised value as plain JSON (quantities as written), for findings. */
export function plain(v: Norm | undefined): unknown {
  if (v instanceof Quantity) return v.raw;
  if (Array.isArray(v)) return v.map(plain);
  if (isObj(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

function canonical(v: Norm): string {
  return JSON.stringify(plain(v), (_k, x: unknown) => (isObj(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x));
}

function fieldPath(base: string, key: string): string {
  const seg = /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `["${key.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"]`;
  return base ? `${base}${seg}` : key;
}

/** Keys items of a keyed list; a repeated key gets `#2`, `#3`, ... (env names may repeat). */
function keyed(items: Norm[], keyOf: (i: Obj) => string | null): Map<string, Obj> | null {
  const out = new Map<string, Obj>();
  const seen = new Map<string, number>();
  for (const item of items) {
    if (!isObj(item)) return null;
    const k = keyOf(item);
    if (k === null) return null;
    const n = (seen.get(k) ?? 0) + 1;
    seen.set(k, n);
    out.set(n === 1 ? k : `${k}#${n}`, item);
  }
  return out;
}

/**
 * Redacts a normalised DaemonSet for comparison and display (core/redact.ts, with `sha256:<prefix>`
 * tokens): env values, secret flags and shell assignments, probe headers, lifecycle commands, image
 * credentials and annotation values. A live object the snapshot already redacted holds full tokens,
 * which become the same prefixes, so both sides hash alike and a changed secret is still drift.
 */
function redactForDiff(ds: Obj, hash: (text: string) => string): Obj {
  const token = hashToken(hash, ENV_HASH_PREFIX);
  const out = redactDaemonSet(ds, token) as Obj;
  const spec = isObj(out.spec) && isObj(out.spec.template) && isObj(out.spec.template.spec) ? out.spec.template.spec : undefined;
  for (const list of ['containers', 'initContainers', 'ephemeralContainers']) {
    const containers = spec?.[list];
    if (!Array.isArray(containers)) continue;
    for (const c of containers) {
      if (!isObj(c) || !Array.isArray(c.env)) continue;
      // Shown as `value: sha256:<prefix>`, the way Git's value reads once hashed.
      c.env = c.env.map((e) => {
        if (!isObj(e)) return token(typeof e === 'string' ? e : JSON.stringify(plain(e)));
        const { valueSha256, ...rest } = e;
        return valueSha256 === undefined ? rest : { ...rest, value: `sha256:${String(valueSha256).slice(0, ENV_HASH_PREFIX)}` };
      });
    }
  }
  return out;
}

class Differ {
  readonly out: SpecDifference[] = [];

  constructor(private readonly handOwned?: (path: string) => boolean) {}

  report(path: string, g: Norm | undefined, l: Norm | undefined): void {
    this.out.push({ path, expected: plain(g), actual: plain(l) });
  }

  walk(g: Norm | undefined, l: Norm | undefined, path: string, abstract: string, full: boolean): void {
    if (IMAGE_FIELDS.has(abstract)) return;
    if (g === undefined && l === undefined) return;
    if (g === undefined) {
      if (full) this.report(path, g, l);
      else if (this.handOwned) this.walkLiveOnly(l!, path, abstract);
      return;
    }
    if (l === undefined) {
      this.report(path, g, l);
      return;
    }
    if (isObj(g) && isObj(l)) {
      const keys = [...Object.keys(g), ...Object.keys(l).filter((k) => !(k in g))];
      for (const k of keys) {
        const childAbstract = abstract ? `${abstract}.${k}` : k;
        this.walk(g[k], l[k], fieldPath(path, k), childAbstract, full || FULL_REGIONS.has(childAbstract));
      }
      return;
    }
    if (Array.isArray(g) && Array.isArray(l)) {
      this.walkList(g, l, path, abstract, full);
      return;
    }
    if (!equal(g, l)) this.report(path, g, l);
  }

  /** Outside the full regions: reports the leaves of a live-only value that a hand tool owns. */
  walkLiveOnly(l: Norm, path: string, abstract: string): void {
    if (IMAGE_FIELDS.has(abstract) || CONTAINER_LISTS.has(abstract)) return;
    if (isObj(l)) {
      for (const [k, x] of Object.entries(l)) this.walkLiveOnly(x, fieldPath(path, k), abstract ? `${abstract}.${k}` : k);
      return;
    }
    const keyOf = Array.isArray(l) ? LIST_KEYS[abstract.slice(abstract.lastIndexOf('.') + 1)] : undefined;
    const items = Array.isArray(l) && keyOf ? keyed(l, keyOf) : null;
    if (items) {
      for (const [k, item] of items) this.walkLiveOnly(item, `${path}[${k}]`, `${abstract}[]`);
      return;
    }
    if (this.handOwned!(path)) this.report(path, undefined, l);
  }

  walkList(g: Norm[], l: Norm[], path: string, abstract: string, full: boolean): void {
    const field = abstract.slice(abstract.lastIndexOf('.') + 1);
    const keyOf = LIST_KEYS[field];
    const gk = keyOf ? keyed(g, keyOf) : null;
    const lk = keyOf ? keyed(l, keyOf) : null;
    if (gk && lk) {
      const containers = CONTAINER_LISTS.has(abstract);
      for (const [k, gi] of gk) {
        const li = lk.get(k);
        const p = `${path}[${k}]`;
        if (!li) {
          if (!containers) this.report(p, gi, undefined);
          continue;
        }
        this.walk(gi, li, p, `${abstract}[]`, full);
      }
      // Git sets this list, so it owns its membership: items only the live object has are drift.
      if (!containers) for (const [k, li] of lk) if (!gk.has(k)) this.report(`${path}[${k}]`, undefined, li);
      return;
    }
    if (SETS.has(field)) {
      const a = g.map(canonical).sort();
      const b = l.map(canonical).sort();
      if (a.length !== b.length || a.some((x, i) => x !== b[i])) this.report(path, g, l);
      return;
    }
    if (!equal(g, l)) this.report(path, g, l);
  }
}

/**
 * Returns the differences between the Git manifest and the live DaemonSet after normalisation
 * (see normalise.ts), one per JSON path, Git first. Container images are image/drift's. Env values
 * appear only as `sha256:<prefix>` (see redactForDiff).
 */
export function diffDaemonSets(git: K8sDaemonSet, live: K8sDaemonSet, opts: DiffOptions = {}): SpecDifference[] {
  const hash = opts.hash ?? sha256Hex;
  const d = new Differ(opts.handOwned);
  d.walk(redactForDiff(normaliseDaemonSet(alignDefaultedPullPolicy(git, live)), hash), redactForDiff(normaliseDaemonSet(live), hash), '', '', false);
  return d.out;
}

/**
 * The server defaults imagePullPolicy once, from the image the container had then, and never again
 * (kubectl apply and server-side apply leave a field Git does not set alone). So when Git sets no
 * policy and the live one is the default for the live image, Git's omission is satisfied by it.
 */
function alignDefaultedPullPolicy(git: K8sDaemonSet, live: K8sDaemonSet): K8sDaemonSet {
  const liveSpec = live.spec?.template?.spec;
  const gitSpec = git.spec?.template?.spec;
  if (!liveSpec || !gitSpec) return git;
  const liveByName = new Map([...(liveSpec.initContainers ?? []), ...(liveSpec.containers ?? [])].map((c) => [c.name, c]));
  const align = (cs: Container[] | undefined) =>
    cs?.map((c) => {
      const l = liveByName.get(c.name);
      if (c.imagePullPolicy || !l?.imagePullPolicy || l.imagePullPolicy !== defaultPullPolicy(l.image)) return c;
      return { ...c, imagePullPolicy: l.imagePullPolicy };
    });
  return {
    ...git,
    spec: {
      ...git.spec,
      template: {
        ...git.spec.template,
        spec: { ...gitSpec, containers: align(gitSpec.containers) ?? [], ...(gitSpec.initContainers ? { initContainers: align(gitSpec.initContainers) } : {}) },
      },
    },
  };
}
