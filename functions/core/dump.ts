// Cluster dumps: the text of `kubectl get nodes,daemonsets,pods,controllerrevisions -A -o json`
// (a v1 List, typed lists such as NodeList, sonobuoy's JSON arrays, or single objects; JSON or YAML)
// turned into a Snapshot, with a gap for each kind the dump lacks where the audit needs it (fail closed).
// Pure: the adapter reads, decompresses and hashes files, and may stream a List's items into collectDumpItem.
import { LineCounter, parseAllDocuments } from 'yaml';
import { InputError } from './errors.js';
import type { K8sControllerRevision, K8sDaemonSet, K8sNode, K8sPod } from './k8s-types.js';
import { KUBECTL_YAML, MAX_ALIAS_COUNT, yamlErrorText } from './kubectl-yaml.js';
import { formatPath, objectShapeProblem, valueProblem } from './object-shape.js';
import { jsonErrorLine } from './text-position.js';
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

/** The kinds the audit reads from a dump. */
export type DumpKind = 'Node' | 'Pod' | 'DaemonSet' | 'ControllerRevision';

/**
 * Turns a raw object of a kind the audit reads into what the snapshot keeps (the adapter's projection:
 * pods compacted, secrets hashed), or undefined to drop it (a pod no DaemonSet owns). Default: kept as is.
 */
export type DumpProjector = (kind: DumpKind, raw: Record<string, unknown>) => object | undefined;

/** The objects of the four kinds the audit reads, from one or more dump files. */
export interface DumpContents {
  nodes: K8sNode[];
  daemonSets: K8sDaemonSet[];
  pods: K8sPod[];
  controllerRevisions: K8sControllerRevision[];
  header: DumpHeader;
  /** Namespaces with at least one listed Pod of any owner (before projection drops the non-daemon ones). */
  podNamespaces: Set<string>;
  project?: DumpProjector;
}

/** Returns an empty DumpContents to collect into; `project` shapes each kept object (see DumpProjector). */
export function emptyDumpContents(project?: DumpProjector): DumpContents {
  return { nodes: [], daemonSets: [], pods: [], controllerRevisions: [], header: { gaps: [] }, podNamespaces: new Set(), ...(project ? { project } : {}) };
}

/** Parses one dump file's text (JSON when it starts with `{` or `[`, else YAML) into `into`; throws InputError naming the file. */
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
  const docs = parseAllDocuments(text, { lineCounter: lc, prettyErrors: false, ...KUBECTL_YAML });
  const list = Array.isArray(docs) ? docs : [];
  let seen = 0;
  for (const doc of list) {
    if (doc.errors.length) {
      const e = doc.errors[0]!;
      throw new InputError(`failed to read dump ${file}: line ${lc.linePos(e.pos[0]).line}: invalid YAML: ${yamlErrorText(e.message)}`);
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
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

const LIST_ITEM_KIND: Record<string, DumpKind> = { NodeList: 'Node', PodList: 'Pod', DaemonSetList: 'DaemonSet', ControllerRevisionList: 'ControllerRevision' };
const FILE_KIND: Record<string, DumpKind> = { nodes: 'Node', pods: 'Pod', daemonsets: 'DaemonSet', controllerrevisions: 'ControllerRevision' };

/**
 * Returns the kind a file's name says its items are, for items without a kind: sonobuoy writes
 * `resources/cluster/Nodes.json`, `resources/ns/x/core_v1_pods.json`, `…/apps_v1_daemonsets.json`.
 */
export function kindFromFileName(file: string): DumpKind | undefined {
  const m = /(?:^|[/\\_])([A-Za-z]+)\.(?:json|ya?ml)(?:\.gz)?$/i.exec(file);
  return m ? FILE_KIND[m[1]!.toLowerCase()] : undefined;
}

/** Returns the item kind a List's own kind implies (`NodeList` → Node), if any. */
export function listItemKind(listKind: unknown): DumpKind | undefined {
  return typeof listKind === 'string' ? LIST_ITEM_KIND[listKind] : undefined;
}

/** Returns whether a parsed top-level value is a List (an `items` array and no kind, or a kind ending in List). */
export function isListValue(value: Record<string, unknown>): boolean {
  return Array.isArray(value.items) && (value.kind === undefined || (typeof value.kind === 'string' && value.kind.endsWith('List')));
}

/** Adds the objects of one parsed dump document (a List, typed list, JSON array of objects or single object) to `into`. */
export function collectDumpValue(file: string, value: unknown, into: DumpContents): void {
  if (Array.isArray(value)) {
    // sonobuoy's resources/ files: a JSON array of one kind's objects, without kind or apiVersion.
    const bad = (value as unknown[]).find((item) => !isObject(item));
    if (bad !== undefined) {
      throw new InputError(
        `failed to read dump ${file}: not a Kubernetes List or object (found an array of ${bad === null ? 'null' : Array.isArray(bad) ? 'arrays' : typeof bad}); expected the output of kubectl get … -o json`,
      );
    }
    const hint = kindFromFileName(file);
    for (const item of value as unknown[]) collectDumpItem(file, item, hint, into);
    return;
  }
  if (!isObject(value)) {
    throw new InputError(`failed to read dump ${file}: not a Kubernetes List or object (found ${typeof value}); expected the output of kubectl get … -o json`);
  }
  const kind = typeof value.kind === 'string' ? value.kind : undefined;
  if (isListValue(value)) {
    readDumpHeader(file, value, into.header);
    const hint = listItemKind(kind) ?? kindFromFileName(file);
    for (const item of value.items as unknown[]) collectDumpItem(file, item, hint, into);
    return;
  }
  if (kind === undefined || !isObject(value.metadata)) {
    throw new InputError(`failed to read dump ${file}: not a Kubernetes List or object (no kind and no items); expected the output of kubectl get … -o json`);
  }
  addObject(file, kind, value, into);
}

/** Returns the kind of a List item or array element: its own, else the one its list or file implies, else the one its shape shows. */
export function dumpItemKind(item: Record<string, unknown>, kindHint: string | undefined): string | undefined {
  return typeof item.kind === 'string' ? item.kind : (kindHint ?? inferKind(item));
}

/** Adds one item of a List or array (kind as dumpItemKind finds it). */
export function collectDumpItem(file: string, item: unknown, kindHint: string | undefined, into: DumpContents): void {
  if (!isObject(item)) return;
  addObject(file, dumpItemKind(item, kindHint), item, into);
}

/** Kubernetes' `deprecated.daemonset.template.generation` annotation (k8s.io/api/apps/v1 DeprecatedTemplateGeneration). */
export const TEMPLATE_GENERATION_ANNOTATION = 'deprecated.daemonset.template.generation';

/**
 * Reads an extensions/v1beta1 (or apps/v1beta2) DaemonSet as the API server's conversion to apps/v1 does:
 * `spec.templateGeneration` becomes the `deprecated.daemonset.template.generation` annotation
 * (kubernetes/kubernetes@v1.15.0 pkg/apis/apps/v1/conversion.go:Convert_apps_DaemonSet_To_v1_DaemonSet),
 * which pods carry as their `pod-template-generation` label; and a missing selector defaults to the
 * template's labels (pkg/apis/extensions/v1beta1/defaults.go:SetDefaults_DaemonSet).
 */
function convertOldDaemonSet(item: Record<string, unknown>): void {
  const spec = item.spec as Record<string, unknown>;
  if (typeof spec.templateGeneration === 'number') {
    const meta = item.metadata as Record<string, unknown>;
    item.metadata = {
      ...meta,
      annotations: { ...(meta.annotations as Record<string, string> | undefined), [TEMPLATE_GENERATION_ANNOTATION]: String(spec.templateGeneration) },
    };
  }
  if (spec.selector == null && item.apiVersion !== 'apps/v1') {
    const labels = isObject(spec.template) && isObject(spec.template.metadata) ? spec.template.metadata.labels : undefined;
    if (isObject(labels) && Object.keys(labels).length) item.spec = { ...spec, selector: { matchLabels: labels } };
  }
}

function objectName(item: Record<string, unknown>): string {
  const meta = isObject(item.metadata) ? item.metadata : {};
  return `${typeof meta.namespace === 'string' ? `${meta.namespace}/` : ''}${typeof meta.name === 'string' ? meta.name : '(no name)'}`;
}

function addObject(file: string, kind: string | undefined, item: Record<string, unknown>, into: DumpContents): void {
  if (kind !== 'Node' && kind !== 'Pod' && kind !== 'DaemonSet' && kind !== 'ControllerRevision') return;
  // A kind the audit reads must have the shape it reads (a Node without a name is not silently dropped).
  const fail = (path: (string | number)[], message: string): InputError =>
    new InputError(`failed to read dump ${file}: ${kind} ${objectName(item)}: ${formatPath(path)} ${message}`);
  const problem = objectShapeProblem(kind, item);
  if (problem) throw fail(problem.path, problem.message);
  const meta = item.metadata as Record<string, unknown>;
  if (kind === 'Pod') into.podNamespaces.add(typeof meta.namespace === 'string' ? meta.namespace : 'default');
  if (kind === 'DaemonSet') {
    convertOldDaemonSet(item);
    const spec = item.spec as Record<string, unknown>;
    // Any served version (old clusters list extensions/v1beta1) as long as it has what the audit reads.
    if (!isObject(spec.selector) || !isObject(spec.template)) return;
  }
  let kept: object | undefined;
  try {
    kept = into.project ? into.project(kind, item) : item;
  } catch (err) {
    // The projection serialises parts of the object (to share equal values): a value nested thousands of levels overflows there.
    if (err instanceof RangeError) throw fail([], 'is nested too deeply to read');
    throw err;
  }
  if (!kept) return;
  // What is kept is read by the audit and written to reports: nothing in it may nest without bound.
  const deep = valueProblem(kept);
  if (deep) throw fail(deep.path, deep.message);
  switch (kind) {
    case 'Node':
      into.nodes.push(kept as K8sNode);
      break;
    case 'Pod':
      into.pods.push(kept as K8sPod);
      break;
    case 'DaemonSet':
      into.daemonSets.push(kept as K8sDaemonSet);
      break;
    case 'ControllerRevision':
      into.controllerRevisions.push(kept as K8sControllerRevision);
      break;
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

/** Reads the snapshot header from a List's annotations into `header`; throws InputError when it names another cluster or is malformed. */
export function readDumpHeader(file: string, list: Record<string, unknown>, header: DumpHeader): void {
  const ann = isObject(list.metadata) && isObject(list.metadata.annotations) ? (list.metadata.annotations as Record<string, unknown>) : undefined;
  if (!ann) return;
  const str = (k: string): string | undefined => (typeof ann[k] === 'string' && ann[k] !== '' ? (ann[k] as string) : undefined);
  const cluster = str(DUMP_ANNOTATIONS.cluster);
  if (cluster && header.cluster && cluster !== header.cluster) {
    throw new InputError(
      `failed to read dump ${file}: it is a snapshot of cluster '${cluster}', but an earlier file is of cluster '${header.cluster}'; audit one cluster at a time`,
    );
  }
  header.cluster ??= cluster;
  header.serverVersion ??= str(DUMP_ANNOTATIONS.serverVersion);
  header.startedAt ??= str(DUMP_ANNOTATIONS.startedAt);
  header.finishedAt ??= str(DUMP_ANNOTATIONS.finishedAt);
  header.auditorVersion ??= str(DUMP_ANNOTATIONS.auditorVersion);
  const ns = str(DUMP_ANNOTATIONS.namespaces);
  if (ns)
    header.namespaces = [
      ...new Set([
        ...(header.namespaces ?? []),
        ...ns
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      ]),
    ].sort();
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

/**
 * Returns the Snapshot of collected dump contents; throws InputError when there is no Node (a dump without
 * nodes cannot be audited). A kind the dump lacks where the audit needs it becomes a gap (see dumpGaps).
 */
export function snapshotFromDump(contents: DumpContents, files: { path: string; sha256: string }[], cluster?: string): Snapshot {
  if (!contents.nodes.length) {
    throw new InputError(
      `failed to read dump: no Node objects in ${files.map((f) => f.path).join(', ') || 'the input'}: a dump without nodes cannot be audited`,
    );
  }
  const h = contents.header;
  const nodes = dedupe(contents.nodes);
  const daemonSets = dedupe(contents.daemonSets);
  const pods = dedupe(contents.pods);
  const controllerRevisions = dedupe(contents.controllerRevisions);
  const { gaps, notes } = dumpGaps(daemonSets, pods, controllerRevisions, contents.podNamespaces);
  const source: SnapshotSource = {
    kind: 'dump',
    files,
    ...(h.serverVersion ? { serverVersion: h.serverVersion } : {}),
    ...(h.startedAt ? { startedAt: h.startedAt } : {}),
    ...(h.finishedAt ? { finishedAt: h.finishedAt } : {}),
    ...(h.auditorVersion ? { auditorVersion: h.auditorVersion } : {}),
    ...(h.namespaces ? { namespaces: h.namespaces } : {}),
    ...(notes.length ? { notes } : {}),
  };
  return { cluster: cluster ?? h.cluster ?? 'unknown', nodes, daemonSets, pods, controllerRevisions, source, gaps: [...h.gaps, ...gaps] };
}

/**
 * Returns the gaps of a dump that lacks a kind the audit needs, and notes on what it judged differently.
 * A kubectl List of several kinds carries no per-kind marker, so "no Pod was listed" and "zero pods" are
 * told apart by the DaemonSets' own status, written by the controller that saw the pods:
 * - a namespace where a DaemonSet reports scheduled pods (status.currentNumberScheduled > 0) but the dump
 *   holds no Pod of any owner: the pods were not dumped, and coverage there cannot be judged (gap `dump:pods`);
 * - a namespace whose pods name a DaemonSet as controller but holds no DaemonSet: the DaemonSets were not
 *   dumped, and those pods cannot be judged (gap `dump:daemonsets`);
 * - no ControllerRevision at all: not a gap, but whether a pod is up to date is then judged by its
 *   pod-template-generation label or its images alone (a note in the report's inputs).
 */
export function dumpGaps(
  daemonSets: K8sDaemonSet[],
  pods: K8sPod[],
  revisions: K8sControllerRevision[],
  podNamespaces: ReadonlySet<string>,
): { gaps: Gap[]; notes: string[] } {
  const gaps: Gap[] = [];
  const notes: string[] = [];
  const nsOf = (o: { metadata: { namespace?: string } }): string => o.metadata.namespace ?? 'default';
  const scheduled = new Map<string, number>();
  for (const ds of daemonSets) {
    const n = ds.status?.currentNumberScheduled ?? 0;
    if (n > 0 && !podNamespaces.has(nsOf(ds))) scheduled.set(nsOf(ds), (scheduled.get(nsOf(ds)) ?? 0) + n);
  }
  const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
  if (scheduled.size && !podNamespaces.size) {
    const total = [...scheduled.values()].reduce((a, b) => a + b, 0);
    gaps.push({
      source: 'dump:pods',
      message: `the dump has no Pod list, while its DaemonSets report ${plural(total, 'scheduled pod')}: coverage cannot be judged (dump pods too: kubectl get nodes,daemonsets,pods,controllerrevisions -A -o json)`,
    });
  } else {
    for (const [ns, n] of [...scheduled].sort(([a], [b]) => (a < b ? -1 : 1))) {
      gaps.push({
        source: `dump:pods/${ns}`,
        message: `the dump has no Pod in namespace ${ns}, while its DaemonSets report ${plural(n, 'scheduled pod')}: coverage there cannot be judged`,
      });
    }
  }
  const dsNamespaces = new Set(daemonSets.map(nsOf));
  const orphans = new Map<string, number>();
  for (const p of pods) {
    const ns = nsOf(p);
    if (dsNamespaces.has(ns) || !p.metadata.ownerReferences?.some((r) => r.controller === true && r.kind === 'DaemonSet')) continue;
    orphans.set(ns, (orphans.get(ns) ?? 0) + 1);
  }
  if (orphans.size && !daemonSets.length) {
    const total = [...orphans.values()].reduce((a, b) => a + b, 0);
    gaps.push({
      source: 'dump:daemonsets',
      message: `the dump has no DaemonSet list, while ${plural(total, 'pod names', 'pods name')} a DaemonSet as controller: their DaemonSets cannot be audited`,
    });
  } else {
    for (const [ns, n] of [...orphans].sort(([a], [b]) => (a < b ? -1 : 1))) {
      gaps.push({
        source: `dump:daemonsets/${ns}`,
        message: `the dump has no DaemonSet in namespace ${ns}, while ${plural(n, 'pod there names', 'pods there name')} a DaemonSet as controller: those DaemonSets cannot be audited`,
      });
    }
  }
  if (daemonSets.length && !revisions.length) {
    notes.push(
      'the dump has no ControllerRevision: whether a pod is up to date is judged by its pod-template-generation label where the DaemonSet records a template generation, else by its container images alone',
    );
  }
  return { gaps, notes };
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

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
