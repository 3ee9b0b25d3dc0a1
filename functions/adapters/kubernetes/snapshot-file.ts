// The snapshot file: a `v1 List` (what `kubectl get -o json` prints, so jq and the dump reader open it
// unchanged; gzipped, or as YAML, on request) whose header annotations say where and when it was read.
// Written to a temp file and renamed, so a failed run never leaves a snapshot file behind.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { constants, createGzip, gzipSync } from 'node:zlib';
import YAML from 'yaml';
import { DUMP_ANNOTATIONS } from '../../core/dump.js';
import { InputError } from '../../core/errors.js';
import type { Snapshot } from '../../core/types.js';
import { sharedJson } from './projection.js';

/** Annotation names of the List header: the dump reader's (core/dump.ts) plus counts and resourceVersions. */
export const SNAPSHOT_ANNOTATIONS = {
  ...DUMP_ANNOTATIONS,
  /** JSON object: nodes, daemonSets, pods, controllerRevisions. */
  counts: 'drift-auditor.io/counts',
  /** JSON object: list resourceVersion per `resource` or `resource/namespace`. */
  resourceVersions: 'drift-auditor.io/resource-versions',
} as const;

// Level 4 keeps the file small (≈ 10× smaller than the JSON) at a fraction of level 6's CPU.
const GZIP_LEVEL = 4;
const CHUNK_CHARS = 1 << 20;

/** Returns the List header annotations for a snapshot. */
export function snapshotAnnotations(s: Snapshot): Record<string, string> {
  const a: Record<string, string> = { [SNAPSHOT_ANNOTATIONS.cluster]: s.cluster };
  const src = s.source;
  if (src.serverVersion) a[SNAPSHOT_ANNOTATIONS.serverVersion] = src.serverVersion;
  if (src.startedAt) a[SNAPSHOT_ANNOTATIONS.startedAt] = src.startedAt;
  if (src.finishedAt) a[SNAPSHOT_ANNOTATIONS.finishedAt] = src.finishedAt;
  if (src.auditorVersion) a[SNAPSHOT_ANNOTATIONS.auditorVersion] = src.auditorVersion;
  // Absent when every namespace was read.
  if (src.namespaces?.length) a[SNAPSHOT_ANNOTATIONS.namespaces] = src.namespaces.join(',');
  a[SNAPSHOT_ANNOTATIONS.gaps] = JSON.stringify(s.gaps);
  a[SNAPSHOT_ANNOTATIONS.counts] = JSON.stringify({
    nodes: s.nodes.length,
    daemonSets: s.daemonSets.length,
    pods: s.pods.length,
    controllerRevisions: s.controllerRevisions.length,
  });
  if (src.resourceVersions) a[SNAPSHOT_ANNOTATIONS.resourceVersions] = JSON.stringify(src.resourceVersions);
  return a;
}

/** Yields the List's items in file order (nodes, DaemonSets, revisions, pods) with their apiVersion and kind. */
function* snapshotItems(s: Snapshot): Generator<[item: Record<string, unknown>, apiVersion: string, kind: string]> {
  const groups: [unknown[], string, string][] = [
    [s.nodes, 'v1', 'Node'],
    [s.daemonSets, 'apps/v1', 'DaemonSet'],
    [s.controllerRevisions, 'apps/v1', 'ControllerRevision'],
    [s.pods, 'v1', 'Pod'],
  ];
  for (const [items, apiVersion, kind] of groups) for (const item of items) yield [item as Record<string, unknown>, apiVersion, kind];
}

/** Yields the snapshot as `v1 List` JSON in ~1 MB string chunks (never one giant string). */
export function* snapshotJsonChunks(s: Snapshot): Generator<string> {
  let chunk = `{"apiVersion":"v1","kind":"List","metadata":{"annotations":${JSON.stringify(snapshotAnnotations(s))}},"items":[`;
  let first = true;
  for (const [item, apiVersion, kind] of snapshotItems(s)) {
    chunk += (first ? '' : ',') + `{"apiVersion":"${apiVersion}","kind":"${kind}"${fieldsJson(item, 2, true)}}`;
    first = false;
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  yield `${chunk}]}`;
}

// Characters a terminal acts on or draws misleadingly (C1 controls, bidi overrides) that YAML and JSON
// both leave raw in a string; see yamlText.
const RAW_RISKY = /[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** Returns `value` as YAML (no line folding); a string holding a control or bidi character is double-quoted. */
function yamlText(value: unknown): string {
  // No anchors: pods share interned objects (projection.ts), which must read as plain copies.
  const doc = new YAML.Document(value, { aliasDuplicateObjects: false });
  // The yaml library double-quotes (and escapes) C0 controls itself but leaves C1 and bidi characters raw, in
  // plain scalars too; double-quoted, they may be written as \uXXXX (the CLI does so on stdout) without
  // changing the value.
  YAML.visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && RAW_RISKY.test(node.value)) node.type = 'QUOTE_DOUBLE';
    },
  });
  return doc.toString({ lineWidth: 0 });
}

/** Yields the snapshot as the same `v1 List` in YAML, one item at a time (never one giant string). */
export function* snapshotYamlChunks(s: Snapshot): Generator<string> {
  yield yamlText({ apiVersion: 'v1', kind: 'List', metadata: { annotations: snapshotAnnotations(s) } });
  let first = true;
  for (const [item, apiVersion, kind] of snapshotItems(s)) {
    yield (first ? 'items:\n' : '') + yamlText([{ apiVersion, kind, ...item }]);
    first = false;
  }
  if (first) yield 'items: []\n';
}

/**
 * Returns `,"key":value…` for an object's fields (apiVersion/kind skipped at the top), the same text
 * JSON.stringify gives, but reusing the cached JSON of values shared between pods (see Interner).
 */
function fieldsJson(o: Record<string, unknown>, depth: number, top = false): string {
  let out = '';
  for (const key in o) {
    if (top && (key === 'apiVersion' || key === 'kind')) continue;
    const v = o[key];
    if (v === undefined || typeof v === 'function') continue;
    out += `,${JSON.stringify(key)}:${valueJson(v, depth - 1)}`;
  }
  return out;
}

function valueJson(v: unknown, depth: number): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  const shared = sharedJson(v);
  if (shared !== undefined) return shared;
  if (depth <= 0 || Array.isArray(v) || typeof (v as { toJSON?: unknown }).toJSON === 'function') return JSON.stringify(v);
  return `{${fieldsJson(v as Record<string, unknown>, depth).slice(1)}}`;
}

/** Returns the gzipped snapshot file content (for the S3 store and the Lambda). */
export function serializeSnapshot(s: Snapshot): Buffer {
  return gzipSync(Buffer.from([...snapshotJsonChunks(s)].join('')), { level: GZIP_LEVEL });
}

/** Writes the snapshot to `path` atomically, gzipped unless `gzip` is false, JSON unless `format` is yaml; returns its sha256 and size. */
export async function writeSnapshotFile(
  s: Snapshot,
  path: string,
  opts: { gzip?: boolean; format?: 'json' | 'yaml' } = {},
): Promise<{ path: string; sha256: string; bytes: number }> {
  const tmp = `${path}.tmp-${process.pid}-${Date.now().toString(36)}`;
  const hash = createHash('sha256');
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  try {
    const json = Readable.from(opts.format === 'yaml' ? snapshotYamlChunks(s) : snapshotJsonChunks(s));
    if (opts.gzip === false) await pipeline(json, tap, createWriteStream(tmp, { mode: 0o600 }));
    else await pipeline(json, createGzip({ level: GZIP_LEVEL, flush: constants.Z_NO_FLUSH }), tap, createWriteStream(tmp, { mode: 0o600 }));
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw new InputError(`failed to write snapshot ${path}: ${(err as Error).message}`, { cause: err });
  }
  return { path, sha256: hash.digest('hex'), bytes };
}

/** Throws InputError unless `path`'s folder exists, so a long cluster read does not end in an unwritable file. */
export async function checkSnapshotTarget(path: string): Promise<void> {
  const folder = dirname(path);
  const info = await stat(folder).catch(() => null);
  if (!info?.isDirectory()) throw new InputError(`failed to write snapshot ${path}: folder ${folder} does not exist`);
}
