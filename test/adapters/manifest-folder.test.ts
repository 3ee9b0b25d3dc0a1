import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { listManifestFiles, readManifestFolder } from '../../functions/adapters/manifest-folder.js';
import { InputError } from '../../functions/core/errors.js';

const GITOPS = fileURLToPath(new URL('../fixtures/core/gitops/', import.meta.url));

describe('readManifestFolder()', () => {
  it('reads the DaemonSets of real upstream manifests', async () => {
    const d = await readManifestFolder(GITOPS);

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
    expect(d.source).toEqual({ kind: 'folder', location: GITOPS });
  });

  it('reads manifests saved with a byte order mark or as UTF-16', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gitops-'));
    const ds = { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'a', namespace: 'x' }, spec: { selector: { matchLabels: { app: 'a' } }, template: { metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'a', image: 'r/a:1' }] } } } };
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
