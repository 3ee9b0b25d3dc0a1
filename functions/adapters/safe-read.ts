// Reads input files that other people wrote (a GitOps pull request, a dump someone sent) without
// trusting them: only regular files are read, a symlink inside a folder must stay inside it, and bytes
// are capped per file and per run. A FIFO, socket or device (or a link to one) is refused before it is
// opened for reading, so nothing here can block forever or fill memory from /dev/zero.
import { constants, type Dirent, type Stats } from 'node:fs';
import { open, readdir, realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { InputError } from '../core/errors.js';

/** Byte caps for one input (a dump or a manifests folder); `used` counts what has been read so far. */
export class ReadBudget {
  used = 0;
  constructor(
    /** Largest file accepted, in bytes. */
    readonly maxFileBytes: number,
    /** Largest sum over all files of the input, in bytes. */
    readonly maxTotalBytes: number,
  ) {}

  /** Counts `bytes` more against the total; throws InputError naming `what` when the total cap is passed. */
  take(what: string, bytes: number): void {
    this.used += bytes;
    if (this.used > this.maxTotalBytes) {
      throw new InputError(`failed to read ${what}: the files read so far exceed the ${formatBytes(this.maxTotalBytes)} limit for one input`);
    }
  }
}

/** Returns a byte count as people read limits: `256 MiB`, `4 GiB`, `1000 bytes`. */
export function formatBytes(n: number): string {
  if (n >= 1024 ** 3 && n % 1024 ** 3 === 0) return `${n / 1024 ** 3} GiB`;
  if (n >= 1024 ** 2 && n % 1024 ** 2 === 0) return `${n / 1024 ** 2} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}

export interface SafeReadOptions {
  /** What the file is, for messages: `dump`, `manifest`. */
  what: string;
  /** The folder the file was found in: its real path must stay inside the folder's. Absent for a path the user named. */
  root?: string;
  budget: ReadBudget;
}

/** Returns a file type's name for a message (`a named pipe (FIFO)`), from stat. */
function describeType(s: Stats): string {
  if (s.isDirectory()) return 'a directory';
  if (s.isFIFO()) return 'a named pipe (FIFO)';
  if (s.isSocket()) return 'a socket';
  if (s.isCharacterDevice()) return 'a character device';
  if (s.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

const errno = (err: unknown): string => (err as NodeJS.ErrnoException).code ?? (err as Error).message;
const describeErrno = (err: unknown): string => {
  switch (errno(err)) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    case 'EACCES':
      return 'permission denied';
    default:
      return (err as Error).message;
  }
};

/** Returns whether `path` (a real path) is `root` (a real path) or below it. */
function isInside(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/**
 * Returns the bytes of a regular file; throws InputError naming the file when it is not one (FIFO, socket,
 * device, directory), when a symlink leads out of `root`, or when it is larger than the budget allows.
 * Plain I/O errors (permission denied, vanished) are rethrown as they are, for the caller to judge.
 */
export async function readRegularFile(path: string, o: SafeReadOptions): Promise<Buffer> {
  const fail = (why: string): InputError => new InputError(`failed to read ${o.what} ${path}: ${why}`);
  // Plain I/O errors stay plain Errors (the caller decides: a gap, or exit 2), with a readable message.
  const ioError = (err: unknown): Error => new Error(describeErrno(err), { cause: err });
  let target = path;
  if (o.root !== undefined) {
    let root: string;
    try {
      [target, root] = await Promise.all([realpath(path), realpath(o.root)]);
    } catch (err) {
      throw ioError(err);
    }
    if (!isInside(target, root)) throw fail(`it is a symbolic link to ${target}, outside ${o.root}; links may only point inside the folder`);
  }
  // stat before open: opening a device can have effects of its own, and opening a FIFO blocks.
  let info: Stats;
  try {
    info = await stat(target);
  } catch (err) {
    throw ioError(err);
  }
  if (!info.isFile()) throw fail(`${describeType(info)}, not a regular file`);
  if (info.size > o.budget.maxFileBytes) throw fail(`the file is larger than the ${formatBytes(o.budget.maxFileBytes)} limit (${formatBytes(info.size)})`);
  // O_NONBLOCK: if the file was swapped for a FIFO since the stat, open returns at once and fstat refuses it.
  const handle = await open(target, constants.O_RDONLY | constants.O_NONBLOCK | (constants.O_NOCTTY ?? 0)).catch((err: unknown) => {
    throw ioError(err);
  });
  try {
    const opened = await handle.stat();
    if (!opened.isFile()) throw fail(`${describeType(opened)}, not a regular file`);
    // Read to the end, whatever stat said (files in /proc report size 0), never past the cap. The buffer
    // is sized by stat; a small probe read tells "ends here" from "grew", so a file is never copied twice.
    const cap = o.budget.maxFileBytes;
    let buf = Buffer.allocUnsafe(Math.min(Math.max(opened.size, 1), cap));
    let n = 0;
    const probe = Buffer.allocUnsafe(64 * 1024);
    for (;;) {
      if (n === buf.length) {
        const { bytesRead } = await handle.read(probe, 0, probe.length, null);
        if (bytesRead === 0) break;
        if (n + bytesRead > cap) throw fail(`the file is larger than the ${formatBytes(cap)} limit`);
        const bigger = Buffer.allocUnsafe(Math.min(Math.max(buf.length * 2, n + bytesRead), cap));
        buf.copy(bigger, 0, 0, n);
        probe.copy(bigger, n, 0, bytesRead);
        buf = bigger;
        n += bytesRead;
        continue;
      }
      // At most 1 GiB per call: Node's read takes a 32-bit length, and aborts the process on a larger one.
      const { bytesRead } = await handle.read(buf, n, Math.min(buf.length - n, 1024 ** 3), null);
      if (bytesRead === 0) break;
      n += bytesRead;
    }
    o.budget.take(`${o.what} ${path}`, n);
    return n === buf.length ? buf : buf.subarray(0, n);
  } finally {
    await handle.close();
  }
}

export interface ListTreeOptions {
  /** What the folder holds, for messages: `dump folder`, `manifests folder`. */
  what: string;
  /** File names to list. */
  accept: (name: string) => boolean;
  /** Folder names never entered (`.git`). */
  skipDirs?: ReadonlySet<string>;
}

/**
 * Returns the files below `dir` whose names `accept` takes, as sorted `/`-separated paths relative to
 * `dir`. Symlinked folders are entered only when their real path stays inside `dir`, and each real
 * folder once (no loops). Entries that are not regular files are listed too, so that reading them
 * fails with their name rather than being silently skipped.
 */
export async function listTree(dir: string, o: ListTreeOptions): Promise<string[]> {
  const fail = (d: string, err: unknown): InputError => new InputError(`failed to read ${o.what} ${d}: ${describeErrno(err)}`, { cause: err });
  let root: string;
  try {
    root = await realpath(dir);
    if (!(await stat(root)).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
  } catch (err) {
    throw new InputError(`failed to read ${o.what} ${dir}: ${errno(err) === 'ENOTDIR' ? 'not a directory' : describeErrno(err)}`, { cause: err });
  }
  const files: string[] = [];
  const seen = new Set<string>([root]);
  const walk = async (d: string): Promise<void> => {
    const real = await realpath(d).catch((err: unknown) => {
      throw fail(d, err);
    });
    if (d !== dir && seen.has(real)) return; // reached again through a link
    seen.add(real);
    let entries: Dirent[];
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch (err) {
      throw fail(d, err);
    }
    // In name order, so that which path of a folder reached twice is kept does not depend on the file system.
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const p = join(d, e.name);
      let isDir = e.isDirectory();
      if (e.isSymbolicLink()) {
        // A link to a folder inside the tree is walked once; a link out of it is left for the reader to refuse by name.
        const real = await realpath(p).catch(() => undefined);
        const s = real !== undefined && isInside(real, root) ? await stat(real).catch(() => undefined) : undefined;
        if (s?.isDirectory()) isDir = true;
      }
      if (isDir) {
        if (!o.skipDirs?.has(e.name)) await walk(p);
      } else if (o.accept(e.name)) {
        files.push(relative(dir, p).split(sep).join('/'));
      }
    }
  };
  await walk(dir);
  return files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
