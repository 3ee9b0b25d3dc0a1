import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listManifestFiles, readManifestFolder } from '../../functions/adapters/manifest-folder.js';
import { readManifests } from '../../functions/adapters/manifest-source.js';
import { InputError } from '../../functions/core/errors.js';
import { capture, upstreamGitopsFolder } from '../support/captures.js';

describe('readManifestFolder()', () => {
  it('reads the DaemonSets of real upstream manifests', async () => {
    const gitops = await upstreamGitopsFolder();

    const d = await readManifestFolder(gitops);

    expect(d.daemonSets.map((x) => `${x.manifest.metadata.namespace}/${x.manifest.metadata.name}@${x.file}:${x.line}`)).toEqual([
      'kube-system/aws-node@aws/aws-k8s-cni.yaml:161',
      'kube-flannel/kube-flannel-ds@kube-flannel/kube-flannel.yml:100',
      'monitoring/node-exporter@monitoring/nodeExporter-daemonset.yaml:1',
      'default/gpu-feature-discovery@nvidia/gpu-feature-discovery-daemonset.yaml:1',
      'kube-system/nvidia-device-plugin-daemonset@nvidia/nvidia-device-plugin.yml:15',
    ]);
    expect(d.problems).toEqual([]);
    expect(d.gaps).toEqual([]);
    expect(d.managedNamespaces).toEqual(['default', 'kube-flannel', 'kube-system', 'monitoring']);
    expect(d.source).toEqual({ kind: 'folder', location: gitops });
  });

  it('reads manifests saved with a byte order mark or as UTF-16', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gitops-'));
    const ds = {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'a', namespace: 'x' },
      spec: {
        selector: { matchLabels: { app: 'a' } },
        template: { metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'a', image: 'r/a:1' }] } },
      },
    };
    const text = (name: string): string => JSON.stringify({ ...ds, metadata: { ...ds.metadata, name } });
    await writeFile(join(dir, 'bom.json'), `\ufeff${text('bom')}`);
    await writeFile(join(dir, 'utf16.json'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text('utf16'), 'utf16le')]));

    const desired = await readManifestFolder(dir);

    expect([desired.daemonSets.map((d) => d.manifest.metadata.name), desired.problems]).toEqual([['bom', 'utf16'], []]);
  });

  it('throws InputError for a folder that does not exist', async () => {
    await expect(readManifestFolder('/nonexistent/gitops')).rejects.toThrow(InputError);
  });
});

describe('listManifestFiles()', () => {
  it('lists manifests recursively in order, skipping .git and node_modules', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gitops-'));
    for (const d of ['.git', 'node_modules/x', 'b', 'a']) await mkdir(join(dir, d), { recursive: true });
    for (const f of ['.git/config.yaml', 'node_modules/x/p.json', 'b/z.yml', 'a/y.json', 'a/README.md', 'root.yaml']) await writeFile(join(dir, f), '');

    expect(await listManifestFiles(dir)).toEqual(['a/y.json', 'b/z.yml', 'root.yaml']);
  });
});

describe('readManifestFolder() on hostile files', () => {
  const DS = capture('kube-prometheus/nodeExporter-daemonset.yaml');
  async function gitopsWith(plant: (dir: string) => Promise<void>): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'gitops-hostile-'));
    await writeFile(join(dir, 'ds.yaml'), await readFile(DS));
    await plant(dir);
    return dir;
  }

  it.each([
    [
      'a symlink to /dev/zero',
      (d: string) => symlink('/dev/zero', join(d, 'zero.yaml')),
      /manifest .*zero\.yaml: it is a symbolic link to \/dev\/zero, outside/,
    ],
    [
      'a symlink to /proc/self/environ',
      (d: string) => symlink('/proc/self/environ', join(d, 'env.yaml')),
      /manifest .*env\.yaml: it is a symbolic link to \/proc\/\d+\/environ, outside/,
    ],
    [
      'a named pipe',
      async (d: string) => {
        execFileSync('mkfifo', [join(d, 'pipe.yaml')]);
      },
      /manifest .*pipe\.yaml: a named pipe \(FIFO\), not a regular file/,
    ],
    [
      'a symlink to a named pipe',
      async (d: string) => {
        execFileSync('mkfifo', [join(d, 'pipe')]);
        await symlink(join(d, 'pipe'), join(d, 'link.yml'));
      },
      /manifest .*link\.yml: a named pipe \(FIFO\), not a regular file/,
    ],
  ])('refuses %s, naming the file', async (_n, plant, message) => {
    const dir = await gitopsWith(plant);

    await expect(readManifestFolder(dir)).rejects.toThrow(InputError);
    await expect(readManifestFolder(dir)).rejects.toThrow(message);
  });

  it.each([
    [
      'a symlink to /dev/zero',
      (d: string) => symlink('/dev/zero', join(d, 'zero.yaml')),
      /manifest .*\/zero\.yaml: it is a symbolic link to \/dev\/zero, outside/,
    ],
    [
      'a symlink to a named pipe',
      async (d: string) => {
        execFileSync('mkfifo', [join(d, 'pipe')]);
        await symlink(join(d, 'pipe'), join(d, 'link.yaml'));
      },
      /manifest .*\/link\.yaml: a named pipe \(FIFO\), not a regular file/,
    ],
  ])('refuses %s on the --manifests path the CLI takes (readManifests), naming the file', async (_n, plant, message) => {
    const dir = await gitopsWith(plant);

    await expect(readManifests(dir)).rejects.toThrow(InputError);
    await expect(readManifests(dir)).rejects.toThrow(message);
  });

  it('does not enter a symlinked folder that leads out of the tree', async () => {
    const dir = await gitopsWith((d) => symlink('/proc/self', join(d, 'proc')));

    const d = await readManifestFolder(dir);

    expect([d.daemonSets.map((x) => x.file), d.problems, d.gaps]).toEqual([['ds.yaml'], [], []]);
  });

  it('reads a symlink that stays inside the folder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gitops-links-'));
    await mkdir(join(dir, 'base'));
    await writeFile(join(dir, 'base', 'ds.yaml'), await readFile(DS));
    await symlink(join(dir, 'base'), join(dir, 'overlay'));

    const d = await readManifestFolder(dir);

    // The folder reached twice through a link is read once.
    expect(d.daemonSets.map((x) => x.file)).toEqual(['base/ds.yaml']);
  });

  it('refuses a manifest larger than the per-file cap, saying the limit', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gitops-big-'));
    await writeFile(join(dir, 'big.yaml'), Buffer.alloc(64 * 1024 * 1024 + 1, 0x20));

    await expect(readManifestFolder(dir)).rejects.toThrow(/manifest .*big\.yaml: the file is larger than the 64 MiB limit/);
  });
});
