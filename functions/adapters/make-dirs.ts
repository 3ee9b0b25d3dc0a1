// `mkdir -p` that fails instead of hanging. Node's `mkdir(dir, { recursive: true })` never returns for a
// path under procfs or sysfs (`/proc/x`: an existing parent answers ENOENT, and Node retries forever),
// so a mistyped --out or --store would hang the CLI. This walks up to the nearest existing folder and
// creates each missing level once; the first failure is thrown with its errno code.
import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/** Creates `dir` and its missing parents; throws the first errno error (ENOENT, ENOTDIR, EACCES, …). */
export async function makeDirs(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let d = resolve(dir); ; d = dirname(d)) {
    try {
      if ((await stat(d)).isDirectory()) break;
      throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${d}'`), { code: 'ENOTDIR', path: d });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      missing.push(d);
      if (dirname(d) === d) break;
    }
  }
  for (const d of missing.reverse()) {
    // EEXIST: another writer made it between our stat and mkdir; a file in the way fails on the next level or write.
    await mkdir(d).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
  }
}
