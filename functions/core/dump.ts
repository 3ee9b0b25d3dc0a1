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
  const docs = parseAllDocuments(text, { lineCounter: lc, prettyErrors: false });
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
      addObject(typeof item.kind === 'string' ? item.kind : itemKind ?? inferKind(item), item, into);
    }
    return;
  }
  if (kind === undefined || !isObject(value.metadata)) {
    throw new InputError(`failed to read dump ${file}: not a Kubernetes List or object (no kind and no items); expected the output of kubectl get … -o json`);
  }
  addObject(kind, value, into);
}

function addObject(kind: string | undefined, item: Record<string, unknown>, into: DumpContents): void {
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
  header.cluster ??= str(DUMP_ANNOTATIONS.cluster);
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

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
