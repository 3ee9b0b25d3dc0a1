// Proves the emulator speaks the real protocol (the real kubectl reads it over TLS with a token), and that
// a snapshot file and a kubectl dump of the same cluster give the same audit.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDump } from '../../../functions/adapters/dump-reader.js';
import { findTool } from '../../../functions/adapters/tools.js';
import { readCluster, writeSnapshotFile } from '../../../functions/adapters/kubernetes/index.js';
import { audit } from '../../../functions/core/audit.js';
import type { K8sDaemonSet } from '../../../functions/core/k8s-types.js';
import type { Snapshot } from '../../../functions/core/types.js';
import { AT, defaultPolicy, desiredOf } from '../../support/builders.js';
import { kubeconfigFor, startK8sApi, type K8sApi } from '../../emulators/k8s-api/server.js';
import { exampleCluster } from './example-cluster.js';

const dir = mkdtempSync(join(tmpdir(), 'kubectl-'));
let api: K8sApi;
let kubectlDump: string;

beforeAll(async () => {
  // The real kubectl that npm ci brings (the bundled Lambda layer), or DRIFT_AUDITOR_KUBECTL: never skipped.
  const KUBECTL = await findTool('kubectl');
  api = await startK8sApi({ ...exampleCluster(), tls: true, token: 'kubectl-token' });
  const { stdout } = await promisify(execFile)(
    KUBECTL,
    [
      '--kubeconfig',
      kubeconfigFor(api, { dir }),
      '--cache-dir',
      mkdtempSync(join(dir, 'cache-')),
      'get',
      'nodes,daemonsets,pods,controllerrevisions',
      '-A',
      '-o',
      'json',
      '--chunk-size=3',
    ],
    { maxBuffer: 64 << 20, env: { PATH: process.env.PATH, HOME: dir } },
  );
  kubectlDump = join(dir, 'kubectl-dump.json');
  writeFileSync(kubectlDump, stdout);
});
afterAll(() => api?.close());

const names = (s: Snapshot): Record<string, string[]> => ({
  nodes: s.nodes.map((n) => n.metadata.name).sort(),
  daemonSets: s.daemonSets.map((d) => `${d.metadata.namespace}/${d.metadata.name}`).sort(),
  daemonPods: s.pods
    .filter((p) => p.metadata.ownerReferences?.some((o) => o.controller && o.kind === 'DaemonSet'))
    .map((p) => `${p.metadata.namespace}/${p.metadata.name}`)
    .sort(),
  daemonRevisions: s.controllerRevisions
    .filter((r) => r.metadata.ownerReferences?.some((o) => o.controller && o.kind === 'DaemonSet'))
    .map((r) => `${r.metadata.namespace}/${r.metadata.name}`)
    .sort(),
});

describe('kubectl against the k8s-api emulator', () => {
  it('pages through every list over TLS with the bearer token', () => {
    const lists = api.requests.filter((r) => /\/(nodes|pods|daemonsets|controllerrevisions)$/.test(r.path));

    expect(lists.filter((r) => r.query.continue).length).toBeGreaterThan(4);
    expect(lists.every((r) => r.status === 200 && r.authorization === 'Bearer kubectl-token')).toBe(true);
    expect(api.requests.map((r) => r.path)).toEqual(expect.arrayContaining(['/api', '/apis', '/api/v1', '/apis/apps/v1']));
  });
});

describe('readCluster()', () => {
  it('gives the same objects and the same audit (in memory and from its file) as a kubectl dump of the same cluster', async () => {
    const snapshotFile = join(dir, 'snapshot.json.gz');
    const live = await readCluster({ kubeconfig: kubeconfigFor(api, { dir }), cluster: 'example' });
    await writeSnapshotFile(live, snapshotFile);
    const git = exampleCluster().daemonSets.map((d): K8sDaemonSet => structuredClone(d));
    git[0]!.spec.template.spec.containers[0]!.image = 'k8s.gcr.io/kube-proxy:v1.24.0';
    git[1]!.spec.template.spec.tolerations = [];
    const desired = desiredOf(git);

    const fromSnapshot = await readDump([snapshotFile], { cluster: 'example' });
    const fromKubectl = await readDump([kubectlDump], { cluster: 'example' });
    const a = audit(fromSnapshot, desired, defaultPolicy(), AT);
    const b = audit(fromKubectl, desired, defaultPolicy(), AT);
    const c = audit(live, desired, defaultPolicy(), AT);

    expect(names(fromSnapshot)).toEqual(names(fromKubectl));
    expect(names(fromSnapshot).daemonPods.length).toEqual(13);
    expect(a.findings.length).toBeGreaterThan(0);
    expect(a.findings).toEqual(b.findings);
    expect(c.findings).toEqual(b.findings);
    expect(a.coverage).toEqual(b.coverage);
    expect(c.coverage).toEqual(b.coverage);
    expect(a.nodes).toEqual(b.nodes);
    expect({ complete: a.complete, summary: a.summary }).toEqual({ complete: b.complete, summary: b.summary });
  });
});
