// Cluster dumps: the text of `kubectl get nodes,daemonsets,pods,controllerrevisions -A -o json`
// (a v1 List, typed lists such as NodeList, or single objects; JSON or YAML) turned into a Snapshot.
// Pure: the adapter reads, decompresses and hashes files and hands their text here.
import { LineCounter, parseAllDocuments, parseDocument } from 'yaml';
import { InputError } from './errors.js';
import type { K8sControllerRevision, K8sDaemonSet, K8sNode, K8sPod } from './k8s-types.js';
import type { Gap, Snapshot, SnapshotSource } from './types.js';

/** Annotations on a dump List that carry the snapshot header (written by the live snapshot writer). */
export const DUMP_ANNOTATIONS = {
  cluster: 'drift-auditor.io/cluster',
  serverVersion: 'drift-auditor.io/server-version',
  startedAt: 'drift-auditor.io/started-at',
  finishedAt: 'drift-auditor.io/finished-at',
  auditorVersion: 'drift-auditor.io/auditor-version',
  namespaces: 'drift-auditor.io/namespaces',
  gaps: 'drift-auditor.io/gaps',
} as const;

/** The snapshot header a dump's List annotations carry. */
export interface DumpHeader {
  cluster?: string;
  serverVersion?: string;
  startedAt?: string;
  finishedAt?: string;
  auditorVersion?: string;
  namespaces?: string[];
  gaps: Gap[];
}

/** The objects of the four kinds the audit reads, from one or more dump files. */
export interface DumpContents {
  nodes: K8sNode[];
  daemonSets: K8sDaemonSet[];
  pods: K8sPod[];
  controllerRevisions: K8sControllerRevision[];
  header: DumpHeader;
}

/** Returns an empty DumpContents to collect into. */
export function emptyDumpContents(): DumpContents {
  return { nodes: [], daemonSets: [], pods: [], controllerRevisions: [], header: { gaps: [] } };
}

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

/** Parses one dump file's text (JSON when it starts with `{`, else YAML) into `into`; throws InputError naming the file. */
export function parseDumpText(file: string, text: string, into: DumpContents = emptyDumpContents()): DumpContents {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a byte order mark (Windows editors): JSON.parse rejects it
  const start = text.search(/\S/);
  if (start === -1) throw new InputError(`failed to read dump ${file}: the file is empty`);
  if (text[start] === '{' || text[start] === '[') {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      const line = jsonErrorLine(text, err);
      throw new InputError(`failed to read dump ${file}: ${line ? `line ${line}: ` : ''}invalid JSON: ${(err as Error).message}`, { cause: err });
    }
    collectDumpValue(file, value, into);
    return into;
  }
  const lc = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lc, prettyErrors: false, merge: true });
  const list = Array.isArray(docs) ? docs : [];
  let seen = 0;
  for (const doc of list) {
    if (doc.errors.length) {
      const e = doc.errors[0]!;
      throw new InputError(`failed to read dump ${file}: line ${lc.linePos(e.pos[0]).line}: invalid YAML: ${e.message.split('\n')[0]}`, { cause: e });
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      throw new InputError(`failed to read dump ${file}: line ${lc.linePos(doc.range[0]).line}: ${(err as Error).message}`, { cause: err });
    }
    if (value === null || value === undefined) continue;
    seen++;
    collectDumpValue(file, value, into);
  }
  if (!seen) throw new InputError(`failed to read dump ${file}: the file holds no document`);
  return into;
}

const LIST_ITEM_KIND: Record<string, string> = { NodeList: 'Node', PodList: 'Pod', DaemonSetList: 'DaemonSet', ControllerRevisionList: 'ControllerRevision' };

/** Adds the objects of one parsed dump document (a List, typed list or single object) to `into`. */
export function collectDumpValue(file: string, value: unknown, into: DumpContents): void {
  if (!isObject(value)) {
    throw new InputError(`failed to read dump ${file}: not a Kubernetes List or object (found ${Array.isArray(value) ? 'an array' : typeof value}); expected the output of kubectl get … -o json`);
  }
  const kind = typeof value.kind === 'string' ? value.kind : undefined;
  if (Array.isArray(value.items) && (kind === undefined || kind.endsWith('List'))) {
    readHeader(file, value, into.header);
    const itemKind = kind ? LIST_ITEM_KIND[kind] : undefined;
    for (const item of value.items as unknown[]) {
      if (!isObject(item)) continue;
      addObject(file, typeof item.kind === 'string' ? item.kind : itemKind ?? inferKind(item), item, into);
    }
    return;
  }
  if (kind === undefined || !isObject(value.metadata)) {
    throw new InputError(`failed to read dump ${file}: not a Kubernetes List or object (no kind and no items); expected the output of kubectl get … -o json`);
  }
  addObject(file, kind, value, into);
}

function addObject(file: string, kind: string | undefined, item: Record<string, unknown>, into: DumpContents): void {
  // A kind the audit reads must have the shape it reads (a Node without a name is not silently dropped).
  const problem = kind ? objectShapeProblem(kind, item) : undefined;
  if (problem) {
    const meta = isObject(item.metadata) ? item.metadata : {};
    const name = `${typeof meta.namespace === 'string' ? `${meta.namespace}/` : ''}${typeof meta.name === 'string' ? meta.name : '(no name)'}`;
    throw new InputError(`failed to read dump ${file}: ${kind} ${name}: ${formatPath(problem.path)} ${problem.message}`);
  }
  if (!isObject(item.metadata) || typeof item.metadata.name !== 'string') return;
  switch (kind) {
    case 'Node': into.nodes.push(item as unknown as K8sNode); break;
    case 'Pod': into.pods.push(item as unknown as K8sPod); break;
    case 'DaemonSet':
      // Any served version (old clusters list extensions/v1beta1) as long as it has what the audit reads.
      if (isObject(item.spec) && isObject(item.spec.selector) && isObject(item.spec.template)) into.daemonSets.push(item as unknown as K8sDaemonSet);
      break;
    case 'ControllerRevision': into.controllerRevisions.push(item as unknown as K8sControllerRevision); break;
    default: break;
  }
}

/** Guesses the kind of a list item that has none (a `kubectl get` List never omits it; kubelet and test data do). */
function inferKind(item: Record<string, unknown>): string | undefined {
  const spec = isObject(item.spec) ? item.spec : undefined;
  const status = isObject(item.status) ? item.status : undefined;
  if (typeof item.revision === 'number') return 'ControllerRevision';
  if (spec && Array.isArray(spec.containers)) return 'Pod';
  if (spec && isObject(spec.template) && isObject(spec.selector)) {
    return status && 'desiredNumberScheduled' in status ? 'DaemonSet' : undefined;
  }
  if (status && isObject(status.nodeInfo)) return 'Node';
  return undefined;
}

function readHeader(file: string, list: Record<string, unknown>, header: DumpHeader): void {
  const ann = isObject(list.metadata) && isObject(list.metadata.annotations) ? (list.metadata.annotations as Record<string, unknown>) : undefined;
  if (!ann) return;
  const str = (k: string): string | undefined => (typeof ann[k] === 'string' && ann[k] !== '' ? (ann[k] as string) : undefined);
  const cluster = str(DUMP_ANNOTATIONS.cluster);
  if (cluster && header.cluster && cluster !== header.cluster) {
    throw new InputError(`failed to read dump ${file}: it is a snapshot of cluster '${cluster}', but an earlier file is of cluster '${header.cluster}'; audit one cluster at a time`);
  }
  header.cluster ??= cluster;
  header.serverVersion ??= str(DUMP_ANNOTATIONS.serverVersion);
  header.startedAt ??= str(DUMP_ANNOTATIONS.startedAt);
  header.finishedAt ??= str(DUMP_ANNOTATIONS.finishedAt);
  header.auditorVersion ??= str(DUMP_ANNOTATIONS.auditorVersion);
  const ns = str(DUMP_ANNOTATIONS.namespaces);
  if (ns) header.namespaces = [...new Set([...(header.namespaces ?? []), ...ns.split(',').map((s) => s.trim()).filter(Boolean)])].sort();
  const gaps = str(DUMP_ANNOTATIONS.gaps);
  if (gaps) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(gaps);
    } catch (err) {
      throw new InputError(`failed to read dump ${file}: annotation ${DUMP_ANNOTATIONS.gaps} is not JSON: ${(err as Error).message}`, { cause: err });
    }
    if (!Array.isArray(parsed) || !parsed.every((g) => isObject(g) && typeof g.source === 'string' && typeof g.message === 'string')) {
      throw new InputError(`failed to read dump ${file}: annotation ${DUMP_ANNOTATIONS.gaps} must be a JSON array of {source, message}`);
    }
    for (const g of parsed as Gap[]) header.gaps.push({ source: g.source, message: g.message });
  }
}

/** Returns the Snapshot of collected dump contents; throws InputError when there is no Node (a dump without nodes cannot be audited). */
export function snapshotFromDump(contents: DumpContents, files: { path: string; sha256: string }[], cluster?: string): Snapshot {
  if (!contents.nodes.length) {
    throw new InputError(`failed to read dump: no Node objects in ${files.map((f) => f.path).join(', ') || 'the input'}: a dump without nodes cannot be audited`);
  }
  const h = contents.header;
  const source: SnapshotSource = {
    kind: 'dump',
    files,
    ...(h.serverVersion ? { serverVersion: h.serverVersion } : {}),
    ...(h.startedAt ? { startedAt: h.startedAt } : {}),
    ...(h.finishedAt ? { finishedAt: h.finishedAt } : {}),
    ...(h.auditorVersion ? { auditorVersion: h.auditorVersion } : {}),
    ...(h.namespaces ? { namespaces: h.namespaces } : {}),
  };
  return {
    cluster: cluster ?? h.cluster ?? 'unknown',
    nodes: dedupe(contents.nodes),
    daemonSets: dedupe(contents.daemonSets),
    pods: dedupe(contents.pods),
    controllerRevisions: dedupe(contents.controllerRevisions),
    source,
    gaps: h.gaps,
  };
}

/** Drops repeated objects (the same object in two dump files), keeping the first; no copies otherwise. */
function dedupe<T extends { metadata: { name: string; namespace?: string; uid?: string } }>(objects: T[]): T[] {
  const seen = new Set<string>();
  const out: T[] = [];
  for (const o of objects) {
    const key = o.metadata.uid ?? `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(o);
  }
  return out.length === objects.length ? objects : out;
}

// The shapes of the fields the audit reads, so that a hand-edited or foreign dump (or a Git manifest)
// fails with the field named instead of breaking the audit. Fields not named here pass through unread.
// Absent and null optional fields are fine; wrong types are not (the API server rejects them too).
type Path = (string | number)[];
/** What is wrong with an object: the field's path and why (`must be a list, not string "all"`). */
export interface ShapeProblem {
  path: Path;
  message: string;
}
/** Checks a value; on failure returns the problem with the path below the value (callers prepend theirs, so success allocates nothing). */
type ShapeCheck = (v: unknown) => ShapeProblem | undefined;

function typeName(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)?.slice(0, 40)}`;
}
const must = (want: string, v: unknown): ShapeProblem => ({ path: [], message: `must be ${want}, not ${typeName(v)}` });
const under = (seg: string | number, e: ShapeProblem): ShapeProblem => {
  e.path.unshift(seg);
  return e;
};
const str: ShapeCheck = (v) => (typeof v === 'string' ? undefined : must('a string', v));
const num: ShapeCheck = (v) => (typeof v === 'number' ? undefined : must('a number', v));
const bool: ShapeCheck = (v) => (typeof v === 'boolean' ? undefined : must('true or false', v));
const intOrString: ShapeCheck = (v) => (typeof v === 'number' || typeof v === 'string' ? undefined : must('a number or a string', v));
const anyObject: ShapeCheck = (v) => (isObject(v) ? undefined : must('an object', v));
const stringMap: ShapeCheck = (v) => {
  if (!isObject(v)) return must('an object of strings', v);
  for (const k in v) if (typeof v[k] !== 'string') return under(k, must('a string (quote it)', v[k]));
  return undefined;
};
const listOf = (item: ShapeCheck): ShapeCheck => (v) => {
  if (!Array.isArray(v)) return must('a list', v);
  for (let i = 0; i < v.length; i++) {
    const e = item(v[i]);
    if (e) return under(i, e);
  }
  return undefined;
};
const shape = (fields: Record<string, ShapeCheck>, required: string[] = []): ShapeCheck => {
  const keys = Object.keys(fields);
  const checks = keys.map((k) => fields[k]!);
  return (v) => {
    if (!isObject(v)) return must('an object', v);
    for (let i = 0; i < required.length; i++) if (v[required[i]!] == null) return { path: [required[i]!], message: 'is missing' };
    for (let i = 0; i < keys.length; i++) {
      const x = v[keys[i]!];
      if (x == null) continue;
      const e = checks[i]!(x);
      if (e) return under(keys[i]!, e);
    }
    return undefined;
  };
};

/** Returns a field path as people write it: `spec.template.spec.tolerations[0]`, `metadata.labels["app.kubernetes.io/name"]`. */
export function formatPath(path: Path): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out || '(object)';
}

const metadata = shape({
  name: str, namespace: str, uid: str, creationTimestamp: str, deletionTimestamp: str, labels: stringMap, annotations: stringMap,
  ownerReferences: listOf(shape({ apiVersion: str, kind: str, name: str, uid: str, controller: bool }, ['kind', 'name'])),
}, ['name']);
const requirement = shape({ key: str, operator: str, values: listOf(str) }, ['key', 'operator']);
const container = shape({
  name: str, image: str, imagePullPolicy: str, env: listOf(shape({ name: str }, ['name'])), resources: shape({ limits: anyObject, requests: anyObject }),
}, ['name']);
const podSpec = shape({
  nodeName: str, nodeSelector: stringMap, hostNetwork: bool, priorityClassName: str, containers: listOf(container), initContainers: listOf(container),
  affinity: shape({ nodeAffinity: shape({ requiredDuringSchedulingIgnoredDuringExecution: shape({ nodeSelectorTerms: listOf(shape({ matchExpressions: listOf(requirement), matchFields: listOf(requirement) })) }) }) }),
  tolerations: listOf(shape({ key: str, operator: str, value: str, effect: str, tolerationSeconds: num })),
}, ['containers']);
const condition = shape({ type: str, status: str, reason: str, message: str, lastTransitionTime: str }, ['type', 'status']);
const daemonSetStatus = Object.fromEntries(['currentNumberScheduled', 'desiredNumberScheduled', 'numberMisscheduled', 'numberReady', 'numberAvailable', 'numberUnavailable', 'updatedNumberScheduled', 'observedGeneration'].map((k) => [k, num]));

// Pods are most of a dump, so of them only what the audit reads is checked, to the depth where a wrong
// type would break it (ownership, labels, target node, container names and images, status lists),
// keeping the check to a few percent of JSON.parse.
const podMetadata = shape({
  metadata: shape({
    name: str, namespace: str, uid: str, labels: stringMap,
    ownerReferences: listOf(shape({ kind: str, name: str, uid: str, controller: bool }, ['kind', 'name'])),
  }, ['name']),
}, ['metadata']);
const podContainer = shape({ name: str, image: str }, ['name']);
// Image references and digests are parsed as strings (image-ref.ts); the rest of a status is only read or printed.
const containerStatus = shape({ name: str, image: str, imageID: str }, ['name']);
const podAffinity = shape({ nodeAffinity: shape({ requiredDuringSchedulingIgnoredDuringExecution: shape({ nodeSelectorTerms: listOf(shape({ matchFields: listOf(requirement) })) }) }) });
const daemonPodSpec = shape({ nodeName: str, containers: listOf(podContainer), initContainers: listOf(podContainer) }, ['containers']);
/** The target node comes from the affinity only while spec.nodeName is unset (scheduling/pods.ts:targetNodeName). */
const unboundAffinity: ShapeCheck = (v) => {
  if (!isObject(v) || v.nodeName != null || v.affinity == null) return undefined;
  const e = podAffinity(v.affinity);
  return e && under('affinity', e);
};
const pod = shape({
  spec: (v) => daemonPodSpec(v) ?? unboundAffinity(v),
  status: shape({ phase: str, conditions: listOf(anyObject), containerStatuses: listOf(containerStatus), initContainerStatuses: listOf(containerStatus) }),
}, ['spec']);
const isDaemonPod = (v: unknown): boolean => {
  const refs = (v as { metadata: { ownerReferences?: { kind?: unknown; controller?: unknown }[] } }).metadata.ownerReferences;
  return Array.isArray(refs) && refs.some((r) => r.controller === true && r.kind === 'DaemonSet');
};

const daemonSetOf = (required: string[]): ShapeCheck => shape({
  metadata,
  spec: shape({
    selector: shape({ matchLabels: stringMap, matchExpressions: listOf(requirement) }),
    template: shape({ metadata: shape({ labels: stringMap, annotations: stringMap }), spec: podSpec }, ['spec']),
    updateStrategy: shape({ type: str, rollingUpdate: shape({ maxUnavailable: intOrString, maxSurge: intOrString }) }),
    minReadySeconds: num,
  }, required),
  status: shape(daemonSetStatus),
}, ['metadata', 'spec']);

const SHAPES: Record<string, ShapeCheck> = {
  Node: shape({
    metadata,
    spec: shape({ unschedulable: bool, taints: listOf(shape({ key: str, value: str, effect: str }, ['key', 'effect'])) }),
    status: shape({ conditions: listOf(condition), nodeInfo: shape({ architecture: str, operatingSystem: str, kubeletVersion: str }) }),
  }, ['metadata']),
  // Only daemon pods (controller reference to a DaemonSet) are read beyond metadata; other pods are skipped by the audit.
  Pod: (v) => podMetadata(v) ?? (isDaemonPod(v) ? pod(v) : undefined),
  // apps/v1 requires the selector; extensions/v1beta1 defaulted it from the template labels.
  DaemonSet: (v) => (isObject(v) && typeof v.apiVersion === 'string' && v.apiVersion !== 'apps/v1' ? daemonSetOf(['template']) : daemonSetOf(['selector', 'template']))(v),
  ControllerRevision: shape({ metadata, revision: num }, ['metadata', 'revision']),
};

/**
 * Returns why a Node, Pod, DaemonSet or ControllerRevision cannot be audited: the first field of a
 * wrong type or missing (format it as `${formatPath(path)} ${message}`: `spec.template.spec.tolerations
 * must be a list, not string "all"`), or undefined when its shape is fine. Only the fields the audit reads are checked.
 */
export function objectShapeProblem(kind: string, value: unknown): ShapeProblem | undefined {
  const check = SHAPES[kind];
  return check ? check(value) : undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
