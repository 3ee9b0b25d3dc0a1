// The emulator against the real typed client (@kubernetes/client-node): selectors, pagination and errors.
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { daemonSet, node, pod } from '../../support/builders.js';
import { kubeconfigFor, startK8sApi, type K8sApi } from './server.js';

const agent = daemonSet('monitoring/agent', { selector: { app: 'agent', tier: 'node' } });
const proxy = daemonSet('kube-system/proxy');
let api: K8sApi;
let core: k8s.CoreV1Api;
let apps: k8s.AppsV1Api;

beforeAll(async () => {
  api = await startK8sApi({
    nodes: ['n1', 'n2', 'n3'].map((n) => node(n)),
    daemonSets: [agent, proxy],
    pods: [...['n1', 'n2', 'n3'].map((n) => pod(agent, n)), ...['n1', 'n2'].map((n) => pod(proxy, n))],
    token: 't0ken',
  });
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfigFor(api));
  core = kc.makeApiClient(k8s.CoreV1Api);
  apps = kc.makeApiClient(k8s.AppsV1Api);
});
afterAll(() => api.close());

const names = (l: { items: { metadata?: { name?: string } }[] }): string[] => l.items.map((i) => i.metadata!.name!);

describe('startK8sApi()', () => {
  it.each([
    ['app=agent', ['agent-n1', 'agent-n2', 'agent-n3']],
    ['app==agent,tier=node', ['agent-n1', 'agent-n2', 'agent-n3']],
    ['app in (proxy, other)', ['proxy-n1', 'proxy-n2']],
    ['app notin (proxy)', ['agent-n1', 'agent-n2', 'agent-n3']],
    ['tier', ['agent-n1', 'agent-n2', 'agent-n3']],
    ['!tier', ['proxy-n1', 'proxy-n2']],
    ['app!=agent', ['proxy-n1', 'proxy-n2']],
  ])('filters pods by labelSelector %s', async (labelSelector, expected) => {
    const list = await core.listPodForAllNamespaces({ labelSelector });

    expect(names(list).sort()).toEqual(expected);
  });

  it('filters pods by fieldSelector spec.nodeName and serves namespaced lists', async () => {
    const onNode = await core.listPodForAllNamespaces({ fieldSelector: 'spec.nodeName=n2' });
    const inNamespace = await core.listNamespacedPod({ namespace: 'kube-system' });
    const daemonSets = await apps.listNamespacedDaemonSet({ namespace: 'monitoring' });

    expect(names(onNode).sort()).toEqual(['agent-n2', 'proxy-n2']);
    expect(names(inNamespace)).toEqual(['proxy-n1', 'proxy-n2']);
    expect(names(daemonSets)).toEqual(['agent']);
  });

  it('pages with limit/continue, remainingItemCount and one resourceVersion per list', async () => {
    const first = await core.listNode({ limit: 2 });
    const second = await core.listNode({ limit: 2, _continue: first.metadata!._continue });

    expect([names(first), names(second)]).toEqual([['n1', 'n2'], ['n3']]);
    expect([first.metadata!.remainingItemCount, second.metadata!.remainingItemCount, second.metadata!._continue]).toEqual([1, undefined, undefined]);
    expect(second.metadata!.resourceVersion).toEqual(first.metadata!.resourceVersion);
  });

  it('serves items without kind and apiVersion, like the API server', async () => {
    const res = await fetch(`${api.url}/apis/apps/v1/daemonsets`, { headers: { Authorization: 'Bearer t0ken' } });
    const body = (await res.json()) as { kind: string; apiVersion: string; items: Record<string, unknown>[] };

    expect([body.kind, body.apiVersion, body.items.length]).toEqual(['DaemonSetList', 'apps/v1', 2]);
    expect(body.items.map((i) => [i.kind, i.apiVersion])).toEqual([
      [undefined, undefined],
      [undefined, undefined],
    ]);
  });

  it.each([
    ['an unsupported field selector', { fieldSelector: 'status.phase=Running' }, 400, 'field label not supported: status.phase'],
    ['a forged continue token', { _continue: 'bm9wZQ' }, 400, 'continue key is not valid'],
  ])('answers %s with a Status error', async (_name, params, code, message) => {
    const err = await core.listPodForAllNamespaces(params).catch((e: unknown) => e as k8s.ApiException<string>);

    expect(err).toBeInstanceOf(k8s.ApiException);
    expect((err as k8s.ApiException<string>).code).toEqual(code);
    expect(JSON.parse((err as k8s.ApiException<string>).body)).toMatchObject({ kind: 'Status', status: 'Failure', code });
    expect(JSON.parse((err as k8s.ApiException<string>).body).message).toContain(message);
  });

  it('rejects a request without the token with 401 and unknown paths with 404', async () => {
    const anonymous = await fetch(`${api.url}/api/v1/nodes`);
    const unknown = await fetch(`${api.url}/api/v1/secrets`, { headers: { Authorization: 'Bearer t0ken' } });

    expect([anonymous.status, unknown.status]).toEqual([401, 404]);
  });

  it('serves discovery and /version', async () => {
    const get = async (p: string): Promise<Record<string, unknown>> =>
      (await fetch(`${api.url}${p}`, { headers: { Authorization: 'Bearer t0ken' } })).json() as Promise<Record<string, unknown>>;

    const [apiVersions, groups, v1, appsV1, version] = await Promise.all(['/api', '/apis', '/api/v1', '/apis/apps/v1', '/version'].map(get));

    expect(apiVersions).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    expect(groups).toMatchObject({ kind: 'APIGroupList', groups: [{ name: 'apps' }] });
    expect((v1!.resources as { name: string }[]).map((r) => r.name)).toEqual(['nodes', 'pods']);
    expect((appsV1!.resources as { name: string }[]).map((r) => r.name)).toEqual(['daemonsets', 'controllerrevisions']);
    expect(version).toMatchObject({ gitVersion: 'v1.33.2', major: '1', minor: '33' });
  });
});
