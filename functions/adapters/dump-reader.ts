// Reads cluster dumps from disk: files or folders (recursive, sorted) of JSON or YAML, gzip too,
// hashed (sha256 per file) and handed to the pure parser in functions/core/dump.ts.
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { InputError } from '../core/errors.js';
import { emptyDumpContents, parseDumpText, snapshotFromDump } from '../core/dump.js';
import type { Snapshot } from '../core/types.js';
import { decodeText } from './text.js';

const gunzipAsync = promisify(gunzip);
const DUMP_FILE = /\.(json|ya?ml)(\.gz)?$/i;
/** Largest decompressed dump file accepted (also about the largest string V8 holds). */
export const MAX_DUMP_BYTES = 512 * 1024 * 1024;

export interface ReadDumpOptions {
  /** Cluster name; default: the dump's drift-auditor.io/cluster annotation, else 'unknown'. */
  cluster?: string;
  /** Decompressed size cap per file (guards against decompression bombs). */
  maxBytes?: number;
}

/** Returns the dump files a path names: the file itself, or every *.json/*.yaml/*.yml(.gz) below a folder, sorted. */
export async function listDumpFiles(path: string): Promise<string[]> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    throw new InputError(`failed to read dump ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`, { cause: err });
  }
  if (!info.isDirectory()) return [path];
  const files: string[] = [];
  const walk = async (d: string): Promise<void> => {
    const entries = await readdir(d, { withFileTypes: true }).catch((err: Error) => {
      throw new InputError(`failed to read dump folder ${d}: ${err.message}`, { cause: err });
    });
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (DUMP_FILE.test(e.name)) files.push(p);
    }
  };
  await walk(path);
  if (!files.length) throw new InputError(`failed to read dump ${path}: the folder holds no .json, .yaml or .yml file`);
  return files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Returns the Snapshot held by the dump files and folders in `paths`; throws InputError naming the file on bad input. */
export async function readDump(paths: string[], opts: ReadDumpOptions = {}): Promise<Snapshot> {
  if (!paths.length) throw new InputError('failed to read dump: no path given');
  const maxBytes = opts.maxBytes ?? MAX_DUMP_BYTES;
  const contents = emptyDumpContents();
  const hashes: { path: string; sha256: string }[] = [];
  for (const p of paths) {
    for (const file of await listDumpFiles(p)) {
      const raw = await readFile(file).catch((err: Error) => {
        throw new InputError(`failed to read dump ${file}: ${err.message}`, { cause: err });
      });
      hashes.push({ path: file, sha256: createHash('sha256').update(raw).digest('hex') });
      const bytes = await decompress(file, raw, maxBytes);
      parseDumpText(file, decodeText(bytes), contents);
    }
  }
  const snapshot = snapshotFromDump(contents, hashes, opts.cluster);
  snapshot.source.sha256 = combinedSha256(hashes);
  return snapshot;
}

/**
 * Returns one sha256 for the whole input: the file's own for a single file, else the sha256 of the
 * `sha256sum`-style listing (`<sha256>  <path>` per line, in read order), so `sha256sum FILES | sha256sum` reproduces it.
 */
export function combinedSha256(files: { path: string; sha256: string }[]): string {
  if (files.length === 1) return files[0]!.sha256;
  return createHash('sha256').update(files.map((f) => `${f.sha256}  ${f.path}\n`).join('')).digest('hex');
}

async function decompress(file: string, raw: Buffer, maxBytes: number): Promise<Buffer> {
  const gz = raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b;
  if (!gz) {
    if (raw.length > maxBytes) throw new InputError(`failed to read dump ${file}: larger than ${maxBytes} bytes`);
    return raw;
  }
  try {
    return await gunzipAsync(raw, { maxOutputLength: maxBytes });
  } catch (err) {
    const tooBig = (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError;
    throw new InputError(`failed to read dump ${file}: ${tooBig ? `decompresses to more than ${maxBytes} bytes` : `invalid gzip data: ${(err as Error).message}`}`, { cause: err });
  }
}
