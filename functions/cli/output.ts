// Files the user asked the CLI to write (--out, --output): a path that cannot be written is bad input
// (exit 2, one line naming the path), found before the work where possible, never an "unexpected error".
import { mkdir, writeFile } from 'node:fs/promises';
import { InputError } from '../core/errors.js';

function reason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'the folder does not exist';
  if (code === 'EEXIST' || code === 'ENOTDIR') return 'a file is in the way (not a folder)';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return (err as Error).message;
}

/** Creates the folder `dir` (and its parents) if needed; throws InputError naming it when it cannot be. */
export async function ensureOutputDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw new InputError(`failed to create output folder ${dir}: ${reason(err)}`, { cause: err });
  }
}

/** Writes `body` to `path`; throws InputError naming the path when it cannot be written. */
export async function writeOutputFile(path: string, body: string | Buffer): Promise<void> {
  try {
    await writeFile(path, body);
  } catch (err) {
    throw new InputError(`failed to write ${path}: ${reason(err)}`, { cause: err });
  }
}
