import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import { mkdir, mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readDump, readDumpBytes } from '../../functions/adapters/dump-reader.js';
import { InputError } from '../../functions/core/errors.js';
import { daemonSet, node, pod, revision } from '../support/builders.js';
import { CAPTURES as FIXTURES } from '../support/captures.js';

describe('readDump()', () => {
  it('reads a folder of real typed lists recursively, hashing each file', async () => {
    const s = await readDump([join(FIXTURES, 'sbctl')]);

    expect(s.nodes.map((n) => n.metadata.name)).toEqual(['troubleshoot-demo-001', 'troubleshoot-demo-002', 'troubleshoot-demo-003']);
    // 21 pods listed (15 in kube-system, 6 in projectcontour), of which the 9 that DaemonSets control (6 and the
    // 3 envoy pods) are kept, in the live reader's compact form.
    expect(s.pods).toHaveLength(6 + 3);
    expect(s.pods.every((p) => p.metadata.ownerReferences?.some((r) => r.kind === 'DaemonSet'))).toBe(true);
    expect(s.source.files!.map((f) => f.path.slice(FIXTURES.length))).toEqual([
      'sbctl/nodes.json',
      'sbctl/pods/kube-system.json',
      'sbctl/pods/projectcontour.json',
    ]);
    const raw = await readFile(join(FIXTURES, 'sbctl', 'nodes.json'));
    expect(s.source.files![0]!.sha256).toEqual(createHash('sha256').update(raw).digest('hex'));
    expect(s.cluster).toEqual('unknown');
    const listing = s.source.files!.map((f) => `${f.sha256}  ${f.path}\n`).join('');
    expect(s.source.sha256).toEqual(createHash('sha256').update(listing).digest('hex'));
  });

  it('reads lists whose items carry no kind, single objects and YAML', async () => {
    const s = await readDump(
      [
        join(FIXTURES, 'insights-operator', 'nodes.json'),
        join(FIXTURES, 'honeycomb-kubernetes-agent'),
        join(FIXTURES, 'apimachinery', 'node.yaml'),
        join(FIXTURES, 'kubeiql'),
      ],
      { cluster: 'mixed' },
    );

    expect(s.nodes).toHaveLength(6 + 2 + 1);
    // The DaemonSet pods: 5 of honeycomb's 11 and kubeiql's one.
    expect(s.pods).toHaveLength(5 + 1);
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

    await expect(readDump([file], { maxBytes: 1024 * 1024 })).rejects.toThrow(/bomb\.json\.gz: decompresses to more than the 1 MiB limit/);
  });

  it.each([
    ['a missing path', async () => '/nonexistent/dump.json', /\/nonexistent\/dump\.json: no such file or directory/],
    [
      'an empty file',
      async (d: string) => {
        await writeFile(join(d, 'e.json'), '');
        return join(d, 'e.json');
      },
      /e\.json: the file is empty/,
    ],
    [
      'a folder without dump files',
      async (d: string) => {
        await mkdir(join(d, 'empty'));
        return join(d, 'empty');
      },
      /holds no \.json/,
    ],
    [
      'a truncated gzip file',
      async (d: string) => {
        await writeFile(join(d, 't.json.gz'), gzipSync(await readFile(join(FIXTURES, 'sbctl', 'nodes.json'))).subarray(0, 200));
        return join(d, 't.json.gz');
      },
      /t\.json\.gz: invalid gzip data: unexpected end of file/,
    ],
    [
      'a 0-byte .gz file',
      async (d: string) => {
        await writeFile(join(d, 'z.json.gz'), '');
        return join(d, 'z.json.gz');
      },
      /z\.json\.gz: the file is empty/,
    ],
    [
      'a folder with one good and one broken file',
      async (d: string) => {
        await writeFile(join(d, 'a.json'), await readFile(join(FIXTURES, 'sbctl', 'nodes.json')));
        await writeFile(join(d, 'b.json'), '{"kind": "List", "items": [\n');
        return d;
      },
      /b\.json: line 2: invalid JSON/,
    ],
    [
      'a dump without nodes',
      async (d: string) => {
        await writeFile(join(d, 'p.json'), '{"kind":"PodList","items":[]}');
        return join(d, 'p.json');
      },
      /no Node objects in .*p\.json: a dump without nodes cannot be audited/,
    ],
  ])('throws InputError for %s', async (_n, make, message) => {
    const dir = await mkdtemp(join(tmpdir(), 'dump-'));
    const path = await make(dir);

    await expect(readDump([path])).rejects.toThrow(InputError);
    await expect(readDump([path])).rejects.toThrow(message);
  });
});

describe('readDump() on hostile files', () => {
  const NODES = join(FIXTURES, 'sbctl', 'nodes.json');
  /** A dump folder holding a good nodes file and `bad.json`, made by `plant`. */
  async function folderWith(plant: (path: string) => Promise<void>): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'dump-hostile-'));
    await writeFile(join(dir, 'a.json'), await readFile(NODES));
    await plant(join(dir, 'bad.json'));
    return dir;
  }

  it.each([
    ['a symlink to /dev/zero', (p: string) => symlink('/dev/zero', p), /bad\.json: it is a symbolic link to \/dev\/zero, outside /],
    [
      'a named pipe',
      async (p: string) => {
        execFileSync('mkfifo', [p]);
      },
      /bad\.json: a named pipe \(FIFO\), not a regular file/,
    ],
    [
      'a symlink to a named pipe inside the folder',
      async (p: string) => {
        execFileSync('mkfifo', [`${p}.fifo`]);
        await symlink(`${p}.fifo`, p);
      },
      /bad\.json: a named pipe \(FIFO\), not a regular file/,
    ],
    ['a symlink to /proc/self/environ', (p: string) => symlink('/proc/self/environ', p), /bad\.json: it is a symbolic link to \/proc\/\d+\/environ, outside/],
    [
      'a symlink out of the folder to a real dump',
      (p: string) => symlink(NODES, p),
      /bad\.json: it is a symbolic link to .*nodes\.json, outside .*; links may only point inside the folder/,
    ],
    // The server stays open (unref'd) for the test: closing it removes the socket file.
    [
      'a socket',
      (p: string) =>
        new Promise<void>((resolve) => {
          createServer().listen(p, resolve).unref();
        }),
      /bad\.json: a socket, not a regular file/,
    ],
  ])('refuses %s in a dump folder, naming it', async (_n, plant, message) => {
    const dir = await folderWith(plant);

    await expect(readDump([dir])).rejects.toThrow(InputError);
    await expect(readDump([dir])).rejects.toThrow(message);
  });

  it.each([
    ['/dev/zero', /dump \/dev\/zero: a character device, not a regular file/],
    ['/dev/null', /dump \/dev\/null: a character device, not a regular file/],
  ])('refuses %s named on the command line', async (path, message) => {
    await expect(readDump([path])).rejects.toThrow(message);
  });

  it('refuses a named pipe named on the command line without blocking on it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dump-fifo-'));
    execFileSync('mkfifo', [join(dir, 'cluster.json')]);

    await expect(readDump([join(dir, 'cluster.json')])).rejects.toThrow(/cluster\.json: a named pipe \(FIFO\), not a regular file/);
  });

  it('follows a symlink that stays inside the folder, and one given on the command line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dump-links-'));
    await mkdir(join(dir, 'real'));
    await writeFile(join(dir, 'real', 'nodes.data'), await readFile(NODES));
    await symlink(join(dir, 'real', 'nodes.data'), join(dir, 'nodes.json'));
    const elsewhere = await mkdtemp(join(tmpdir(), 'dump-given-'));
    await symlink(NODES, join(elsewhere, 'given.json'));

    const inside = await readDump([dir]);
    const given = await readDump([join(elsewhere, 'given.json')]);

    expect([inside.nodes.length, given.nodes.length]).toEqual([3, 3]);
  });

  it('refuses a file larger than the per-file cap and files larger than the total cap, saying which limit', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dump-big-'));
    for (const f of ['a.json', 'b.json']) await writeFile(join(dir, f), await readFile(NODES));
    const size = (await readFile(NODES)).length;

    await expect(readDump([dir], { maxBytes: 1024 })).rejects.toThrow(/a\.json: the file is larger than the 1 KiB limit/);
    await expect(readDump([dir], { maxTotalBytes: size + 10 })).rejects.toThrow(/b\.json: the files read so far exceed the \d+ bytes limit for one input/);
  });
});

describe('readDump() streaming', () => {
  const ds = daemonSet('kube-system/agent');
  const web = pod(ds, 'n1', { name: 'web-1', owner: { kind: 'ReplicaSet', name: 'web', uid: 'uid-rs' } });
  const objects = [node('n1'), ds, revision(ds, 1), pod(ds, 'n1'), web];

  async function dumpFile(text: string | Buffer, name = 'dump.json'): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'dump-stream-'));
    await writeFile(join(dir, name), text);
    return join(dir, name);
  }

  it('reads a kubectl List whose kind and metadata come after its items, projecting pods as the live reader does', async () => {
    const text = JSON.stringify({ apiVersion: 'v1', items: objects, kind: 'List', metadata: { resourceVersion: '' } }, null, 4);

    const s = await readDump([await dumpFile(text)]);

    expect([s.nodes.length, s.daemonSets.length, s.controllerRevisions.length, s.pods.map((p) => p.metadata.name)]).toEqual([1, 1, 1, ['agent-n1']]);
    expect(s.gaps).toEqual([]);
  });

  it("takes the item kind from a typed list whose kind comes first (the API server's order)", async () => {
    const { kind: _k, ...bare } = node('n2');

    const s = await readDump([await dumpFile(`{"kind":"NodeList","apiVersion":"v1","metadata":{},"items":[${JSON.stringify(bare)}]}`)]);

    expect(s.nodes.map((n) => n.metadata.name)).toEqual(['n2']);
  });

  it("keeps a DaemonSet's managedFields (who changed a field) and drops its last-applied annotation, as the live reader does", async () => {
    const managedFields = [{ manager: 'kubectl-edit', operation: 'Update', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': {} } }];
    const dsStatus = { desiredNumberScheduled: 1, currentNumberScheduled: 1, numberReady: 1, numberMisscheduled: 0 };
    const big = {
      ...ds,
      metadata: { ...ds.metadata, managedFields, annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"x":1}' } },
      status: dsStatus,
    };
    const withFields = { ...pod(ds, 'n1'), metadata: { ...pod(ds, 'n1').metadata, managedFields } };

    const s = await readDump([await dumpFile(JSON.stringify({ kind: 'List', items: [node('n1'), withFields, big] }))]);

    expect(s.daemonSets.map((d) => [d.metadata.managedFields, d.metadata.annotations])).toEqual([[managedFields, undefined]]);
    expect(s.pods.map((p) => p.metadata.managedFields)).toEqual([undefined]);
  });

  it("reads the same objects from bytes in memory (a Lambda's S3 object) as from the file", async () => {
    const text = JSON.stringify({ kind: 'List', items: objects });
    const file = await dumpFile(text);

    const fromFile = await readDump([file]);
    const fromBytes = await readDumpBytes(file, Buffer.from(text));

    expect(fromBytes).toEqual(fromFile);
  });

  it('names the line of a syntax error in a streamed List', async () => {
    const text = `{"kind": "List", "items": [\n${JSON.stringify(node('n1'))},\n{"kind": "Node",, }\n]}`;

    await expect(readDump([await dumpFile(text)])).rejects.toThrow(/dump\.json: line 3: invalid JSON/);
  });

  it('refuses data after the List, as JSON.parse would', async () => {
    await expect(readDump([await dumpFile(`${JSON.stringify({ kind: 'List', items: [node('n1')] })} {}`)])).rejects.toThrow(/dump\.json: .*invalid JSON/);
  });

  it('refuses an object nested 20,000 levels deep inside a pod, naming it (no stack overflow)', async () => {
    const deep = JSON.stringify({ kind: 'List', items: [node('n1'), { ...pod(ds, 'n1'), spec: { ...pod(ds, 'n1').spec, tolerations: 'DEEP' } }] }).replace(
      '"DEEP"',
      `[${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}]`,
    );

    await expect(readDump([await dumpFile(deep)])).rejects.toThrow(
      /^failed to read dump .*dump\.json: Pod kube-system\/agent-n1: (spec\.tolerations\[0\]\.a.* is nested more than 100 levels deep|\(object\) is nested too deeply to read)$/,
    );
  });
});
