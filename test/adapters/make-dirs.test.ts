import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeDirs } from '../../functions/adapters/make-dirs.js';

const base = () => mkdtempSync(join(tmpdir(), 'make-dirs-'));

describe('makeDirs()', () => {
  it('creates a folder and its missing parents, and accepts one that exists', async () => {
    const dir = join(base(), 'a', 'b', 'c');

    await makeDirs(dir);
    await makeDirs(dir);

    expect(statSync(dir).isDirectory()).toBe(true);
  });

  it('fails with ENOTDIR when a file is in the way', async () => {
    const root = base();
    writeFileSync(join(root, 'file'), 'x');

    await expect(makeDirs(join(root, 'file', 'sub'))).rejects.toMatchObject({ code: 'ENOTDIR' });
    expect(existsSync(join(root, 'file', 'sub'))).toBe(false);
  });

  it('fails at once under /proc, where recursive mkdir never returns', async () => {
    await expect(makeDirs('/proc/drift-auditor-test/a/b')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
