// Files the user asked the CLI to write (--out, --output): a path that cannot be written is bad input
// (exit 2, one line naming the path), found before the work where possible, never an "unexpected error".
import { writeFile } from 'node:fs/promises';
import { makeDirs } from '../adapters/make-dirs.js';
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
    await makeDirs(dir);
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

/**
 * Returns text fit for a terminal: control characters (C0 but tab and line ends, DEL, C1) and bidi
 * overrides become '?', so strings from a cluster or a store cannot drive or disguise the terminal
 * (a container's own termination message ends up in reports). JSON output needs none of this.
 */
export function terminalSafe(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\r(?!\n)|[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '?');
}

/**
 * Returns JSON or YAML text (the snapshot writer's) with DEL, C1 controls and bidi characters written as
 * \uXXXX escapes: the same data, harmless to a terminal. Both writers leave these characters only inside
 * double-quoted strings (JSON.stringify's, or YAML scalars forced to double quotes), where the escape is valid.
 */
export function jsonOrYamlForTerminal(text: string): string {
  return text.replace(/[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
