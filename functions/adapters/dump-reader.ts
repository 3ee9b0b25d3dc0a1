// Reads cluster dumps from disk: files or folders (recursive, sorted) of JSON or YAML, gzip too, each
// hashed (sha256 per file). A JSON List is streamed: its `items` are cut out of the bytes one by one
// (kubernetes/list-scanner.ts, as the live reader does), parsed, checked and projected to the compact
// form (kubernetes/projection.ts), so no file is ever one string and files past V8's 512 MiB string limit
// read. YAML, UTF-16, JSON arrays and single objects fall back to a full parse (functions/core/dump.ts).
import { constants as bufferConstants } from 'node:buffer';
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import {
  collectDumpItem,
  collectDumpValue,
  dumpItemKind,
  emptyDumpContents,
  isListValue,
  kindFromFileName,
  listItemKind,
  parseDumpText,
  readDumpHeader,
  snapshotFromDump,
  type DumpContents,
  type DumpProjector,
} from '../core/dump.js';
import { InputError } from '../core/errors.js';
import type { Snapshot } from '../core/types.js';
import { ListSyntaxError, scanList } from './kubernetes/list-scanner.js';
import { Interner, projectControllerRevision, projectDaemonSet, projectNode, projectPod } from './kubernetes/projection.js';
import { formatBytes, listTree, ReadBudget, readRegularFile } from './safe-read.js';
import { sha256Hex } from './sha256.js';
import { decodeText } from './text.js';

const gunzipAsync = promisify(gunzip);
const DUMP_FILE = /\.(json|ya?ml)(\.gz)?$/i;
/**
 * Largest dump file accepted, decompressed: 2 GiB, because Node 20's Buffer.indexOf (which the list
 * scanner uses) returns wrong offsets past 2^31 bytes. Larger dumps: one file per kind or namespace.
 */
export const MAX_DUMP_BYTES = Math.min(2 * 1024 ** 3, bufferConstants.MAX_LENGTH);
/** Largest sum of dump files (decompressed) one audit reads. */
export const MAX_DUMP_TOTAL_BYTES = 16 * 1024 ** 3;
/** Largest text V8 holds in one string: YAML and UTF-16 dumps, which are parsed whole, must fit. */
const MAX_TEXT_CHARS = bufferConstants.MAX_STRING_LENGTH;
/**
 * Cut out of each item before it is parsed: 20-50% of a real pod's JSON, never kept for pods, nodes or
 * revisions. DaemonSets keep theirs (core/attribution says who changed a drifted field): they are read
 * in a second pass over the file that parses nothing else (see collectJsonObject).
 */
const DROP_KEYS = ['managedFields'];
/** Text every DaemonSet object as the API server writes it holds (a required status field), and no pod does. */
const DAEMONSET_STATUS_FIELD = 'desiredNumberScheduled';

export interface ReadDumpOptions {
  /** Cluster name; default: the dump's drift-auditor.io/cluster annotation, else 'unknown'. */
  cluster?: string;
  /** Size cap per file, decompressed (guards against decompression bombs); default MAX_DUMP_BYTES. */
  maxBytes?: number;
  /** Size cap over all files, decompressed; default MAX_DUMP_TOTAL_BYTES. */
  maxTotalBytes?: number;
}

/** A dump held in memory (an S3 object, an upload): `name` is what errors and the report call it. */
export interface DumpBytes {
  name: string;
  bytes: Buffer;
}

/** What readDump reads: a file or folder path, or a dump already in memory. */
export type DumpSource = string | DumpBytes;

/** A dump file to read: the path people see, and the folder it was found in (its links must stay inside). */
interface DumpFile {
  path: string;
  root?: string;
}

async function listDump(path: string): Promise<DumpFile[]> {
  let isDir: boolean;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch (err) {
    throw new InputError(
      `failed to read dump ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`,
      { cause: err },
    );
  }
  // A path the user named is read as named (a link they give is theirs); files found in a folder must stay in it.
  if (!isDir) return [{ path }];
  const files = await listTree(path, { what: 'dump folder', accept: (name) => DUMP_FILE.test(name) });
  if (!files.length) throw new InputError(`failed to read dump ${path}: the folder holds no .json, .yaml or .yml file`);
  return files.map((f) => ({ path: join(path, f), root: path }));
}

/** Returns the dump files a path names: the file itself, or every *.json/*.yaml/*.yml(.gz) below a folder, sorted. */
export async function listDumpFiles(path: string): Promise<string[]> {
  return (await listDump(path)).map((f) => f.path);
}

/**
 * Returns a projector that keeps what a live read keeps (kubernetes/projection.ts): compact pods of
 * DaemonSets only with equal values shared, redacted DaemonSets and revisions. Projecting is idempotent,
 * so a snapshot file written from a live read reads back unchanged.
 */
export function dumpProjector(): DumpProjector {
  const interner = new Interner();
  return (kind, raw) => {
    switch (kind) {
      case 'Node':
        return projectNode(raw, interner);
      case 'Pod':
        return projectPod(raw, interner);
      case 'DaemonSet':
        return projectDaemonSet(raw);
      case 'ControllerRevision':
        return projectControllerRevision(raw);
    }
  };
}

/**
 * Returns the Snapshot held by the dump files and folders (and in-memory dumps) in `paths`, in that order;
 * throws InputError naming the file on bad input.
 */
export async function readDump(paths: DumpSource[], opts: ReadDumpOptions = {}): Promise<Snapshot> {
  if (!paths.length) throw new InputError('failed to read dump: no path given');
  const budget = new ReadBudget(Math.min(opts.maxBytes ?? MAX_DUMP_BYTES, MAX_DUMP_BYTES), opts.maxTotalBytes ?? MAX_DUMP_TOTAL_BYTES);
  const contents = emptyDumpContents(dumpProjector());
  const hashes: { path: string; sha256: string }[] = [];
  for (const p of paths) {
    if (typeof p !== 'string') {
      // Checked against the same caps as a file, before anything is decompressed.
      if (p.bytes.length > budget.maxFileBytes)
        throw new InputError(`failed to read dump ${p.name}: the file is larger than the ${formatBytes(budget.maxFileBytes)} limit`);
      budget.take(`dump ${p.name}`, p.bytes.length);
      hashes.push({ path: p.name, sha256: sha256Of(p.bytes) });
      await collectDumpBytes(p.name, p.bytes, contents, budget);
      continue;
    }
    for (const file of await listDump(p)) {
      const raw = await readRegularFile(file.path, { what: 'dump', root: file.root, budget }).catch((err: unknown) => {
        if (err instanceof InputError) throw err;
        throw new InputError(`failed to read dump ${file.path}: ${(err as Error).message}`, { cause: err });
      });
      hashes.push({ path: file.path, sha256: sha256Of(raw) });
      await collectDumpBytes(file.path, raw, contents, budget);
    }
  }
  const snapshot = snapshotFromDump(contents, hashes, opts.cluster);
  snapshot.source.sha256 = combinedSha256(hashes);
  return snapshot;
}

/** Returns the Snapshot of one dump held in memory (an S3 object, an upload), read exactly as readDump reads a file. */
export function readDumpBytes(name: string, bytes: Buffer, opts: ReadDumpOptions = {}): Promise<Snapshot> {
  return readDump([{ name, bytes }], opts);
}

/** Returns the hex sha256 of bytes of any size (the hash takes at most 2 GiB per update). */
function sha256Of(bytes: Buffer): string {
  const h = createHash('sha256');
  for (let i = 0; i < bytes.length; i += 1024 ** 3) h.update(bytes.subarray(i, Math.min(bytes.length, i + 1024 ** 3)));
  return h.digest('hex');
}

/**
 * Returns one sha256 for the whole input: the file's own for a single file, else the sha256 of the
 * `sha256sum`-style listing (`<sha256>  <path>` per line, in read order), so `sha256sum FILES | sha256sum` reproduces it.
 */
export function combinedSha256(files: { path: string; sha256: string }[]): string {
  if (files.length === 1) return files[0]!.sha256;
  return sha256Hex(files.map((f) => `${f.sha256}  ${f.path}\n`).join(''));
}

/** Adds one dump file's objects to `into`: a JSON object streamed item by item, anything else parsed whole. */
async function collectDumpBytes(file: string, raw: Buffer, into: DumpContents, budget: ReadBudget): Promise<void> {
  const bytes = await decompress(file, raw, budget);
  const utf16 = bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff));
  let start = !utf16 && bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (start < bytes.length && (bytes[start] === 0x20 || bytes[start] === 0x0a || bytes[start] === 0x0d || bytes[start] === 0x09)) start++;
  if (!utf16 && bytes[start] === 0x7b /* { */) {
    collectJsonObject(file, bytes.subarray(start), into);
    return;
  }
  // YAML, UTF-16 and JSON arrays (sonobuoy's resources/ files): one string, parsed whole.
  const chars = utf16 ? (bytes.length - 2) / 2 : bytes.length - start;
  if (chars > MAX_TEXT_CHARS) {
    throw new InputError(
      `failed to read dump ${file}: ${formatBytes(bytes.length)} is too large to read as ${utf16 ? 'UTF-16' : 'YAML or a JSON array'} (at most ${formatBytes(1024 ** 2 * 512)} of text); save it as UTF-8 JSON (kubectl get … -o json), which is streamed`,
    );
  }
  parseDumpText(file, decodeText(bytes), into);
}

/**
 * Adds the objects of one JSON object: a List's items streamed one by one, or a single object. The List's
 * own kind may come before its items (the API server) or after them (kubectl sorts the keys), so the head
 * is read first to learn an item kind that the items themselves may omit (`NodeList` items).
 */
function collectJsonObject(file: string, body: Buffer, into: DumpContents): void {
  try {
    const head = scanList(body, () => undefined, { headOnly: true });
    if (!head.hasItems || !isListValue({ ...head.fields, items: [] })) {
      // A single object (or an object whose `items` is not a list): small, parsed whole.
      collectDumpValue(file, JSON.parse(body.toString('utf8')), into);
      return;
    }
    const hint = listItemKind(head.fields.kind) ?? kindFromFileName(file);
    // Pass 1: every item but the DaemonSets, managedFields cut out unparsed.
    let daemonSets = 0;
    const { fields } = scanList(
      body,
      (item) => {
        if (isServedDaemonSet(item, hint)) daemonSets++;
        else collectDumpItem(file, item, hint, into);
      },
      { dropKeys: DROP_KEYS },
    );
    if (!isListValue({ ...fields, items: [] })) {
      throw new InputError(
        `failed to read dump ${file}: an object of kind ${String(fields.kind)} with an items list; expected a List (the output of kubectl get … -o json)`,
      );
    }
    readDumpHeader(file, fields, into.header);
    // Pass 2, only when there are DaemonSets: them whole, every other item skipped unparsed.
    if (daemonSets) {
      scanList(
        body,
        (item) => {
          if (isServedDaemonSet(item, hint)) collectDumpItem(file, item, hint, into);
        },
        { onlyContaining: DAEMONSET_STATUS_FIELD },
      );
    }
  } catch (err) {
    if (!(err instanceof ListSyntaxError) && !(err instanceof SyntaxError)) throw err;
    throw syntaxError(file, body, err);
  }
}

/** Returns whether a List item is a DaemonSet with the status the API server writes (read in the second pass). */
function isServedDaemonSet(item: Record<string, unknown>, hint: string | undefined): boolean {
  const status = item.status;
  return dumpItemKind(item, hint) === 'DaemonSet' && typeof status === 'object' && status !== null && DAEMONSET_STATUS_FIELD in status;
}

/** Returns the InputError for a JSON file the scanner refused: with its line, from a full parse when the file is small enough. */
function syntaxError(file: string, body: Buffer, err: Error): InputError {
  if (body.length <= 32 * 1024 * 1024) {
    try {
      parseDumpText(file, body.toString('utf8'));
    } catch (full) {
      if (full instanceof InputError) return full;
    }
  }
  return new InputError(`failed to read dump ${file}: invalid JSON: ${err.message}`, { cause: err });
}

async function decompress(file: string, raw: Buffer, budget: ReadBudget): Promise<Buffer> {
  const gz = raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b;
  if (!gz) return raw;
  const max = budget.maxFileBytes;
  let out: Buffer;
  try {
    out = await gunzipAsync(raw, { maxOutputLength: max });
  } catch (err) {
    const tooBig = (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError;
    throw new InputError(
      `failed to read dump ${file}: ${tooBig ? `decompresses to more than the ${formatBytes(max)} limit` : `invalid gzip data: ${(err as Error).message}`}`,
      { cause: err },
    );
  }
  budget.take(`dump ${file}`, out.length);
  return out;
}
