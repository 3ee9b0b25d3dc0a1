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
