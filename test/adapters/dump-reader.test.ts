import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readDump } from '../../functions/adapters/dump-reader.js';
import { InputError } from '../../functions/core/errors.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/core/dump/', import.meta.url));

describe('readDump()', () => {
  it('reads a folder of real typed lists recursively, hashing each file', async () => {
    const s = await readDump([join(FIXTURES, 'sbctl')]);

    expect(s.nodes.map((n) => n.metadata.name)).toEqual(['troubleshoot-demo-001', 'troubleshoot-demo-002', 'troubleshoot-demo-003']);
    expect(s.pods).toHaveLength(15);
    expect(s.source.files!.map((f) => f.path.slice(FIXTURES.length))).toEqual(['sbctl/nodes.json', 'sbctl/pods/kube-system.json']);
    const raw = await readFile(join(FIXTURES, 'sbctl', 'nodes.json'));
    expect(s.source.files![0]!.sha256).toEqual(createHash('sha256').update(raw).digest('hex'));
    expect(s.cluster).toEqual('unknown');
    const listing = s.source.files!.map((f) => `${f.sha256}  ${f.path}\n`).join('');
    expect(s.source.sha256).toEqual(createHash('sha256').update(listing).digest('hex'));
  });

  it('reads lists whose items carry no kind, single objects and YAML', async () => {
    const s = await readDump([join(FIXTURES, 'openshift', 'nodes.json'), join(FIXTURES, 'honeycomb'), join(FIXTURES, 'node.yaml'), join(FIXTURES, 'kubeiql')], { cluster: 'mixed' });

    expect(s.nodes).toHaveLength(6 + 2 + 1);
    expect(s.pods).toHaveLength(11 + 1);
    expect(s.daemonSets.map((d) => d.metadata.name)).toEqual(['calico-node']);
    expect(s.cluster).toEqual('mixed');
  });

  it('reads gzip files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dump-'));
    const file = join(dir, 'nodes.json.gz');
    await writeFile(file, gzipSync(await readFile(join(FIXTURES, 'sbctl', 'nodes.json'))));

    const s = await readDump([file]);

    expect(s.nodes).toHaveLength(3);
    expect(s.source.sha256).toEqual(s.source.files![0]!.sha256);
  });

  it.each([
    ['UTF-8 with a byte order mark', (t: string) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(t)])],
    ['UTF-16LE (Windows PowerShell redirection)', (t: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(t, 'utf16le')])],
    ['UTF-16BE', (t: string) => Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(t, 'utf16le').swap16()])],
  ])('reads a dump saved as %s', async (_n, encode) => {
    const dir = await mkdtemp(join(tmpdir(), 'dump-'));
    const file = join(dir, 'nodes.json');
    await writeFile(file, encode(await readFile(join(FIXTURES, 'sbctl', 'nodes.json'), 'utf8')));

    const s = await readDump([file]);

    expect(s.nodes).toHaveLength(3);
  });

  it('refuses a gzip file that decompresses beyond the cap', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dump-'));
    const file = join(dir, 'bomb.json.gz');
    await writeFile(file, gzipSync(Buffer.alloc(4 * 1024 * 1024, 32)));

    await expect(readDump([file], { maxBytes: 1024 * 1024 })).rejects.toThrow(/bomb\.json\.gz: decompresses to more than 1048576 bytes/);
  });

  it.each([
    ['a missing path', async () => '/nonexistent/dump.json', /\/nonexistent\/dump\.json: no such file or directory/],
    ['an empty file', async (d: string) => { await writeFile(join(d, 'e.json'), ''); return join(d, 'e.json'); }, /e\.json: the file is empty/],
    ['a folder without dump files', async (d: string) => { await mkdir(join(d, 'empty')); return join(d, 'empty'); }, /holds no \.json/],
    ['a truncated gzip file', async (d: string) => { await writeFile(join(d, 't.json.gz'), gzipSync(await readFile(join(FIXTURES, 'sbctl', 'nodes.json'))).subarray(0, 200)); return join(d, 't.json.gz'); }, /t\.json\.gz: invalid gzip data: unexpected end of file/],
    ['a 0-byte .gz file', async (d: string) => { await writeFile(join(d, 'z.json.gz'), ''); return join(d, 'z.json.gz'); }, /z\.json\.gz: the file is empty/],
    ['a folder with one good and one broken file', async (d: string) => {
      await writeFile(join(d, 'a.json'), await readFile(join(FIXTURES, 'sbctl', 'nodes.json')));
      await writeFile(join(d, 'b.json'), '{"kind": "List", "items": [\n');
      return d;
    }, /b\.json: line 2: invalid JSON/],
    ['a dump without nodes', async (d: string) => { await writeFile(join(d, 'p.json'), '{"kind":"PodList","items":[]}'); return join(d, 'p.json'); }, /no Node objects in .*p\.json: a dump without nodes cannot be audited/],
  ])('throws InputError for %s', async (_n, make, message) => {
    const dir = await mkdtemp(join(tmpdir(), 'dump-'));
    const path = await make(dir);

    await expect(readDump([path])).rejects.toThrow(InputError);
    await expect(readDump([path])).rejects.toThrow(message);
  });
});
