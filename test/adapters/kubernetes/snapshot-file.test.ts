import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCluster, serializeSnapshot, writeSnapshotFile } from '../../../functions/adapters/kubernetes/index.js';
import { sha256Hex } from '../../../functions/adapters/kubernetes/projection.js';
import type { Snapshot } from '../../../functions/core/types.js';
import { kubeconfigFor, startK8sApi, type K8sApi } from '../../emulators/k8s-api/server.js';
import { exampleCluster, PLANTED } from './example-cluster.js';

let api: K8sApi;
let snapshot: Snapshot;
const dir = mkdtempSync(join(tmpdir(), 'snapshot-file-'));

beforeAll(async () => {
  api = await startK8sApi({ ...exampleCluster(), token: 'secret-token' });
  snapshot = await readCluster({ kubeconfig: kubeconfigFor(api), cluster: 'prod-eu', namespaces: ['kube-system', 'monitoring', 'projectcontour'] });
});
afterAll(() => api.close());

describe('writeSnapshotFile()', () => {
  it('writes a gzipped v1 List with kind/apiVersion on every item and the header annotations', async () => {
    const path = join(dir, 'list.json.gz');

    const written = await writeSnapshotFile(snapshot, path);

    const bytes = readFileSync(path);
    const list = JSON.parse(gunzipSync(bytes).toString('utf8'));
    expect({ apiVersion: list.apiVersion, kind: list.kind }).toEqual({ apiVersion: 'v1', kind: 'List' });
    expect(list.metadata.annotations).toEqual({
      'drift-auditor.io/cluster': 'prod-eu',
      'drift-auditor.io/server-version': 'v1.33.2',
      'drift-auditor.io/started-at': snapshot.source.startedAt,
      'drift-auditor.io/finished-at': snapshot.source.finishedAt,
      'drift-auditor.io/auditor-version': '0.1.0',
      'drift-auditor.io/namespaces': 'kube-system,monitoring,projectcontour',
      'drift-auditor.io/gaps': '[]',
      'drift-auditor.io/counts': '{"nodes":4,"daemonSets":5,"pods":13,"controllerRevisions":4}',
      'drift-auditor.io/resource-versions': JSON.stringify(snapshot.source.resourceVersions),
    });
    const kinds = list.items.map((i: { apiVersion: string; kind: string }) => `${i.apiVersion} ${i.kind}`);
    expect(kinds).toEqual([
      ...Array(4).fill('v1 Node'),
      ...Array(5).fill('apps/v1 DaemonSet'),
      ...Array(4).fill('apps/v1 ControllerRevision'),
      ...Array(13).fill('v1 Pod'),
    ]);
    expect(written).toEqual({ path, sha256: sha256Hex(bytes as unknown as string), bytes: bytes.length });
  });

  it('writes every object of the snapshot, as JSON.stringify would', async () => {
    const path = join(dir, 'objects.json.gz');

    await writeSnapshotFile(snapshot, path);

    const text = gunzipSync(readFileSync(path)).toString('utf8');
    const items = [...snapshot.nodes, ...snapshot.daemonSets, ...snapshot.controllerRevisions, ...snapshot.pods];
    expect(text).toEqual(
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        metadata: { annotations: JSON.parse(text).metadata.annotations },
        items: items.map((i) => ({ apiVersion: i.apiVersion, kind: i.kind, ...i })),
      }),
    );
  });

  it('leaves no env value, token, last-applied annotation or pod managedFields in the file; DaemonSets keep their managedFields', async () => {
    const path = join(dir, 'redacted.json.gz');

    await writeSnapshotFile(snapshot, path);

    const text = gunzipSync(readFileSync(path)).toString('utf8');
    const { managedFields: manager, ...secrets } = PLANTED;
    for (const planted of Object.values(secrets)) expect(text.includes(planted), planted).toBe(false);
    expect(text.includes('last-applied-configuration')).toBe(false);
    const items = (JSON.parse(text) as { items: { kind: string; metadata: { name: string; managedFields?: unknown } }[] }).items;
    expect(items.filter((i) => i.metadata.managedFields).map((i) => `${i.kind} ${i.metadata.name}`)).toEqual(['DaemonSet agent']);
    expect(items.find((i) => i.metadata.managedFields)!.metadata.managedFields).toEqual([
      { manager, operation: 'Update', apiVersion: 'apps/v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': {} } },
    ]);
    expect(text.includes('"value":')).toBe(false);
    // A secret-looking flag keeps its name and a hash of its value, like env values.
    expect(text).toContain(`"--api-token=sha256:${sha256Hex(PLANTED.argToken)}","--v=2"`);
  });

  it('keeps a sha256 of each env value so that a change stays detectable', () => {
    const agentPod = snapshot.pods.find((p) => p.metadata.namespace === 'monitoring')!;
    const agentDs = snapshot.daemonSets.find((d) => d.metadata.name === 'agent')!;

    const env = agentPod.spec.containers[0]!.env;

    expect(env).toEqual([
      { name: 'PLAIN', valueSha256: sha256Hex(PLANTED.envValue) },
      { name: 'API_TOKEN', valueSha256: sha256Hex(PLANTED.token) },
      { name: 'FROM_SECRET', valueFrom: { secretKeyRef: { name: 'agent', key: 'password' } } },
    ]);
    expect(agentDs.spec.template.spec.containers[0]!.env![0]).toEqual({ name: 'TEMPLATE_ONLY', valueSha256: sha256Hex(PLANTED.templateEnvValue) });
  });

  it('leaves no file behind when writing fails', async () => {
    const failing = { ...snapshot, nodes: [{ metadata: { name: 'x' }, big: 1n }] } as unknown as Snapshot;
    const path = join(dir, 'failed', 'x.json.gz');
    const path2 = join(dir, 'failed.json.gz');

    await expect(writeSnapshotFile(snapshot, path)).rejects.toThrow(/ENOENT/);
    await expect(writeSnapshotFile(failing, path2)).rejects.toThrow(/BigInt/);

    expect(existsSync(path2)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.startsWith('failed'))).toEqual([]);
  });
});

describe('serializeSnapshot()', () => {
  it('returns the same gzipped List the file holds', async () => {
    const path = join(dir, 'same.json.gz');
    await writeSnapshotFile(snapshot, path);

    const buf = serializeSnapshot(snapshot);

    expect(gunzipSync(buf).toString('utf8')).toEqual(gunzipSync(readFileSync(path)).toString('utf8'));
  });
});
