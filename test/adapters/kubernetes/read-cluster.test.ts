import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readCluster } from '../../../functions/adapters/kubernetes/index.js';
import { KubernetesError } from '../../../functions/core/errors.js';
import { kubeconfigFor, startK8sApi, type K8sApi, type K8sApiOptions, type K8sFault } from '../../emulators/k8s-api/server.js';
import { exampleCluster } from './example-cluster.js';

const FAST_RETRY = { baseDelayMs: 5, maxDelayMs: 50 };
let api: K8sApi | undefined;

afterEach(async () => {
  await api?.close();
  api = undefined;
});

async function start(o: Partial<K8sApiOptions> = {}): Promise<K8sApi> {
  api = await startK8sApi({ ...exampleCluster(), token: 'secret-token', ...o });
  return api;
}

function podListRequests(a: K8sApi): string[] {
  return a.requests.filter((r) => r.path === '/api/v1/pods').map((r) => `${r.status} ${r.query.continue ? 'continue' : 'first'}`);
}

describe('readCluster()', () => {
  it('reads nodes, DaemonSets, DaemonSet-owned pods and their revisions across pages', async () => {
    const a = await start();

    const s = await readCluster({ kubeconfig: kubeconfigFor(a), pageSize: 2, retry: FAST_RETRY });

    expect({ nodes: s.nodes.length, daemonSets: s.daemonSets.length, pods: s.pods.length, controllerRevisions: s.controllerRevisions.length }).toEqual({
      nodes: 4,
      daemonSets: 5,
      pods: 13,
      controllerRevisions: 4,
    });
    expect(s.pods.every((p) => p.metadata.ownerReferences?.some((o) => o.kind === 'DaemonSet' && o.controller))).toBe(true);
    expect(s.pods.map((p) => p.kind)).toEqual(Array(13).fill('Pod'));
    expect(s.source).toMatchObject({ kind: 'live', serverVersion: 'v1.33.2', resourceVersions: { nodes: expect.any(String), pods: expect.any(String) } });
    expect(s.cluster).toEqual('emulator');
    expect(s.gaps).toEqual([]);
    expect(podListRequests(a)).toEqual(['200 first', ...Array(12).fill('200 continue')]);
  });

  it('drops status.images and managedFields from nodes', async () => {
    const a = await start();

    const s = await readCluster({ kubeconfig: kubeconfigFor(a), retry: FAST_RETRY });

    const n = s.nodes.find((x) => x.metadata.name === 'troubleshoot-demo-001')!;
    expect(n.status?.images).toEqual(undefined);
    expect(n.metadata.managedFields).toEqual(undefined);
    expect(n.status?.nodeInfo?.kubeletVersion).toEqual('v1.23.5');
  });

  it.each<[string, K8sFault]>([
    ['429 with Retry-After', { kind: '429', resource: 'pods', page: 1, retryAfter: 0 }],
    ['500', { kind: '500', resource: 'pods', page: 2, times: 2 }],
    ['a dropped connection', { kind: 'drop', resource: 'pods', page: 1 }],
    ['a page slower than the request timeout', { kind: 'slow', resource: 'pods', page: 1, delayMs: 1500 }],
    ['a slow page within the timeout', { kind: 'slow', resource: 'pods', page: 1, delayMs: 100 }],
    ['500 on nodes', { kind: '500', resource: 'nodes', page: 0 }],
    ['a dropped connection on daemonsets', { kind: 'drop', resource: 'daemonsets', page: 0 }],
  ])('retries after %s and returns the complete snapshot', async (_name, fault) => {
    const a = await start({ faults: [fault] });

    const s = await readCluster({ kubeconfig: kubeconfigFor(a), pageSize: 2, requestTimeoutMs: 800, retry: FAST_RETRY });

    expect({ nodes: s.nodes.length, daemonSets: s.daemonSets.length, pods: s.pods.length, controllerRevisions: s.controllerRevisions.length }).toEqual({
      nodes: 4,
      daemonSets: 5,
      pods: 13,
      controllerRevisions: 4,
    });
    expect(new Set(s.pods.map((p) => p.metadata.uid)).size).toEqual(13);
    expect(a.faults).toEqual([]);
  });

  it('waits as long as the server says in Retry-After', async () => {
    const a = await start({ faults: [{ kind: '429', resource: 'pods', page: 0, retryAfter: 1 }] });
    const t0 = Date.now();

    await readCluster({ kubeconfig: kubeconfigFor(a), retry: { baseDelayMs: 5 } });

    expect(Date.now() - t0).toBeGreaterThanOrEqual(990);
    expect(podListRequests(a)).toEqual(['429 first', '200 first']);
  });

  it('restarts a list from scratch when its continue token expired (410)', async () => {
    const a = await start({ faults: [{ kind: '410', resource: 'pods', page: 3 }] });

    const s = await readCluster({ kubeconfig: kubeconfigFor(a), pageSize: 2, retry: FAST_RETRY });

    expect(s.pods.length).toEqual(13);
    expect(new Set(s.pods.map((p) => p.metadata.uid)).size).toEqual(13);
    expect(podListRequests(a).slice(0, 5)).toEqual(['200 first', '200 continue', '200 continue', '410 continue', '200 first']);
  });

  it.each<[string, K8sFault, RegExp]>([
    [
      '403 on pods',
      { kind: '403', resource: 'pods' },
      /^failed to list pods in all namespaces: forbidden \(403\): the auditor needs get\/list on pods; see deploy\/rbac\.yaml$/,
    ],
    [
      '403 on nodes',
      { kind: '403', resource: 'nodes' },
      /^failed to list nodes: forbidden \(403\): the auditor needs get\/list on nodes; see deploy\/rbac\.yaml$/,
    ],
    ['401', { kind: '401', resource: 'daemonsets' }, /^failed to list daemonsets in all namespaces: unauthorized \(401\)/],
  ])('fails with a KubernetesError on %s', async (_name, fault, message) => {
    const a = await start({ faults: [fault] });

    const read = readCluster({ kubeconfig: kubeconfigFor(a), pageSize: 2, retry: { ...FAST_RETRY, retries: 3 } });

    await expect(read).rejects.toThrow(KubernetesError);
    await expect(read).rejects.toThrow(message);
  });

  it.each<[string, K8sFault, RegExp]>([
    [
      '410 on every continue',
      { kind: '410', resource: 'pods', times: 100 },
      /^failed to list pods in all namespaces: the list's continue token expired \(410\) 4 times/,
    ],
    [
      '500 on every try',
      { kind: '500', resource: 'controllerrevisions', times: 100 },
      /^failed to list controllerrevisions in all namespaces: 500 Internal error occurred: etcdserver: request timed out, after 4 attempts$/,
    ],
    [
      'dropped connections on every try',
      { kind: 'drop', resource: 'pods', page: 1, times: 100 },
      /^failed to list pods in all namespaces: (ECONNRESET|socket hang up).*, after 4 attempts$/,
    ],
    ['500 on nodes every try', { kind: '500', resource: 'nodes', times: 100 }, /^failed to list nodes: 500/],
  ])('records a gap and returns the rest on %s (nodes: fails)', async (_name, fault, message) => {
    const a = await start({ faults: [fault] });

    const read = readCluster({ kubeconfig: kubeconfigFor(a), pageSize: 2, retry: { ...FAST_RETRY, retries: 3 } });

    if (fault.resource === 'nodes') {
      await expect(read).rejects.toThrow(message);
      return;
    }
    const s = await read;
    expect(s.gaps.map((g) => g.source)).toEqual([`kubernetes:list ${fault.resource}`]);
    expect(s.gaps[0]!.message).toMatch(message);
    expect(s.nodes.length).toBeGreaterThan(0);
  });

  it('names the namespace a 403 is about when --namespace is set', async () => {
    const a = await start({ faults: [{ kind: '403', resource: 'daemonsets', namespace: 'projectcontour' }] });

    const read = readCluster({ kubeconfig: kubeconfigFor(a), namespaces: ['projectcontour'], retry: FAST_RETRY });

    await expect(read).rejects.toThrow(
      'failed to list daemonsets in namespace projectcontour: forbidden (403): the auditor needs get/list on daemonsets (apps); see deploy/rbac.yaml',
    );
  });

  it('fails on a wrong token', async () => {
    const a = await start();

    const read = readCluster({ kubeconfig: kubeconfigFor(a, { token: 'wrong' }), retry: FAST_RETRY });

    await expect(read).rejects.toThrow('failed to get the server version (/version): unauthorized (401)');
  });

  it('lists DaemonSets, pods and revisions per namespace and nodes cluster-wide', async () => {
    const a = await start();

    const s = await readCluster({ kubeconfig: kubeconfigFor(a), namespaces: ['projectcontour', 'kube-system'], retry: FAST_RETRY });

    expect(s.daemonSets.map((d) => `${d.metadata.namespace}/${d.metadata.name}`).sort()).toEqual([
      'kube-system/calico-node',
      'kube-system/kube-proxy',
      'kube-system/weave-net',
      'projectcontour/envoy',
    ]);
    expect(s.nodes.length).toEqual(4);
    expect(s.source.namespaces).toEqual(['kube-system', 'projectcontour']);
    expect([...new Set(a.requests.filter((r) => r.status === 200 && r.path !== '/version').map((r) => r.path))].sort()).toEqual([
      '/api/v1/namespaces/kube-system/pods',
      '/api/v1/namespaces/projectcontour/pods',
      '/api/v1/nodes',
      '/apis/apps/v1/namespaces/kube-system/controllerrevisions',
      '/apis/apps/v1/namespaces/kube-system/daemonsets',
      '/apis/apps/v1/namespaces/projectcontour/controllerrevisions',
      '/apis/apps/v1/namespaces/projectcontour/daemonsets',
    ]);
  });

  it.each<[string, Partial<K8sApiOptions>, (string | undefined)[]]>([
    ['gzipped responses', { gzip: true }, ['gzip', 'gzip', 'gzip']],
    ['lists whose metadata follows the items', { metadataLast: true }, [undefined, undefined, undefined]],
  ])('reads %s', async (_name, options, encodings) => {
    const pods = Array.from({ length: 700 }, (_, i) => ({
      ...exampleCluster().pods.at(-1)!,
      metadata: { ...exampleCluster().pods.at(-1)!.metadata, name: `agent-${i}`, uid: `uid-${i}` },
    }));
    const a = await start({ ...options, pods });

    const s = await readCluster({ kubeconfig: kubeconfigFor(a), pageSize: 300, retry: FAST_RETRY });

    expect(s.pods.map((p) => p.metadata.name)).toEqual(pods.map((p) => p.metadata.name).sort());
    expect(podListRequests(a)).toEqual(['200 first', '200 continue', '200 continue']);
    expect(a.requests.filter((r) => r.path === '/api/v1/pods').map((r) => r.contentEncoding)).toEqual(encodings);
  });

  it('reads over TLS with the CA and token from the kubeconfig', async () => {
    const a = await start({ tls: true });

    const s = await readCluster({ kubeconfig: kubeconfigFor(a), retry: FAST_RETRY });

    expect(a.url.startsWith('https://')).toBe(true);
    expect(s.pods.length).toEqual(13);
    expect(a.requests.every((r) => r.authorization === 'Bearer secret-token')).toBe(true);
  });

  it('uses the --context given and KUBECONFIG when no --kubeconfig is given', async () => {
    const a = await start();
    const dir = mkdtempSync(join(tmpdir(), 'kc-'));
    const good = kubeconfigFor(a, { dir, context: 'good' });
    const bad = kubeconfigFor({ url: 'http://127.0.0.1:1', token: 'x' }, { dir, context: 'bad' });

    const s = await readCluster({ context: 'good', env: { KUBECONFIG: `${bad}:${good}` }, retry: FAST_RETRY });

    expect(s.cluster).toEqual('good');
    expect(s.nodes.length).toEqual(4);
  });

  it('fails naming the context when --context is unknown', async () => {
    const a = await start();

    const read = readCluster({ kubeconfig: kubeconfigFor(a), context: 'nope' });

    await expect(read).rejects.toThrow(/failed to load kubeconfig from .*: context "nope" not found \(contexts: emulator\)/);
  });

  it('fails naming the file when the kubeconfig is unreadable', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'kc-')), 'broken');
    writeFileSync(file, 'clusters: [');

    const read = readCluster({ kubeconfig: file });

    await expect(read).rejects.toThrow(`failed to load kubeconfig from ${file}`);
  });

  it('says that a plain http:// server needs insecure-skip-tls-verify, instead of "cannot reach"', async () => {
    const a = await start();
    const file = kubeconfigFor(a);
    const config = JSON.parse(readFileSync(file, 'utf8')) as { clusters: { cluster: Record<string, unknown> }[] };
    delete config.clusters[0]!.cluster['insecure-skip-tls-verify'];
    writeFileSync(file, JSON.stringify(config));

    const read = readCluster({ kubeconfig: file, retry: FAST_RETRY });

    await expect(read).rejects.toThrow(
      /^failed to get the server version \(\/version\): the kubeconfig server is plain http:\/\/, which is refused unless the cluster sets insecure-skip-tls-verify: true/,
    );
    expect(a.requests).toEqual([]);
  });
});
