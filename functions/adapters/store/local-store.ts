// The default store: a local folder with the same layout as S3. Objects are written to a temporary
// file and hard-linked into place, which fails if the name exists: an atomic create-only write.
import { randomBytes } from 'node:crypto';
import { link, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { makeDirs } from '../make-dirs.js';
import { StoreError } from '../../core/errors.js';
import { BaseReportStore, checkKey, ObjectExistsError, sha256Hex, type StoredObject } from './report-store.js';

/** A compare-and-swap mutex file older than this was left by a process that died. */
const SWAP_STALE_MS = 30_000;

/** A report store in a local folder. */
export class LocalStore extends BaseReportStore {
  readonly dir: string;

  constructor(dir: string) {
    super();
    this.dir = resolve(dir);
  }

  describe(key: string): string {
    return join(this.dir, key);
  }

  protected async createObject(key: string, body: Buffer, _contentType: string, sha256: string): Promise<'created' | 'unchanged'> {
    const path = this.path(key);
    const tmp = await this.writeTemp(path, body);
    try {
      await link(tmp, path);
      return 'created';
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw wrap('write', path, err);
      const existing = await readFile(path).catch((e: unknown) => {
        throw wrap('read', path, e);
      });
      if (sha256Hex(existing) === sha256) return 'unchanged';
      throw new ObjectExistsError(`failed to write ${path}: it already exists with different content`);
    } finally {
      await unlink(tmp).catch(() => undefined);
    }
  }

  protected async readObject(key: string): Promise<StoredObject | null> {
    const path = this.path(key);
    try {
      return { body: await readFile(path) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw wrap('read', path, err);
    }
  }

  protected async listKeys(prefix: string): Promise<string[]> {
    const root = this.path(prefix.replace(/\/$/, ''));
    try {
      const entries = await readdir(root, { recursive: true, withFileTypes: true });
      return entries.filter((e) => e.isFile() && !e.name.startsWith('.')).map((e) => relative(this.dir, join(e.parentPath, e.name)).split(sep).join('/'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw wrap('list', root, err);
    }
  }

  protected async listChildren(prefix: string): Promise<string[]> {
    const root = this.path(prefix.replace(/\/$/, ''));
    try {
      return (await readdir(root, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw wrap('list', root, err);
    }
  }

  protected async swapObject(key: string, body: Buffer, _contentType: string, _sha256: string, expected: string | null): Promise<boolean> {
    const path = this.path(key);
    const tmp = await this.writeTemp(path, body);
    // Compare-and-swap between processes: `<name>.swap`, created only if absent (a hard link), is the
    // mutex; a swapper that died leaves it, so one older than SWAP_STALE_MS is cleared.
    const mutex = join(dirname(path), `.${basename(path)}.swap`);
    try {
      try {
        await link(tmp, mutex);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const age =
          Date.now() -
          (await stat(mutex).then(
            (st) => st.mtimeMs,
            () => Date.now(),
          ));
        if (age > SWAP_STALE_MS) await unlink(mutex).catch(() => undefined);
        return false;
      }
      try {
        const current = await this.readObject(key);
        if ((current ? sha256Hex(current.body) : null) !== expected) return false;
        await rename(tmp, path);
        return true;
      } finally {
        await unlink(mutex).catch(() => undefined);
      }
    } catch (err) {
      throw wrap('write', path, err);
    } finally {
      await unlink(tmp).catch(() => undefined);
    }
  }

  private path(key: string): string {
    return join(this.dir, ...checkKey(key).split('/'));
  }

  private async writeTemp(path: string, body: Buffer): Promise<string> {
    const tmp = join(dirname(path), `.${randomBytes(6).toString('hex')}.tmp`);
    try {
      await makeDirs(dirname(path));
      await writeFile(tmp, body, { flag: 'wx' });
    } catch (err) {
      throw wrap('write', path, err);
    }
    return tmp;
  }
}

function wrap(verb: string, path: string, err: unknown): StoreError {
  return new StoreError(`failed to ${verb} ${path}: ${(err as Error).message}`, { cause: err });
}
