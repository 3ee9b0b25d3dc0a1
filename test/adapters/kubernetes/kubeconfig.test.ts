import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadKubeConfig } from '../../../functions/adapters/kubernetes/index.js';
import { kubeconfigFor } from '../../emulators/k8s-api/server.js';

describe('loadKubeConfig()', () => {
  it('uses the in-cluster service account when KUBERNETES_SERVICE_HOST is set and no kubeconfig is given', () => {
    const kc = loadKubeConfig({ env: { KUBERNETES_SERVICE_HOST: '10.100.0.1', KUBERNETES_SERVICE_PORT: '443' } });

    expect(kc.getCurrentCluster()).toMatchObject({ server: 'https://10.100.0.1:443', caFile: '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt' });
    expect(kc.getCurrentUser()?.authProvider?.config?.tokenFile).toEqual('/var/run/secrets/kubernetes.io/serviceaccount/token');
  });

  it('prefers --kubeconfig over KUBECONFIG and the in-cluster account', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kc-'));
    const file = kubeconfigFor({ url: 'http://127.0.0.1:1234', token: 't' }, { dir, context: 'flag' });
    const other = kubeconfigFor({ url: 'http://127.0.0.1:5678', token: 't' }, { dir, context: 'env' });

    const kc = loadKubeConfig({ kubeconfig: file, env: { KUBECONFIG: other, KUBERNETES_SERVICE_HOST: '10.100.0.1' } });

    expect([kc.getCurrentContext(), kc.getCurrentCluster()?.server]).toEqual(['flag', 'http://127.0.0.1:1234']);
    expect(process.env.KUBERNETES_SERVICE_HOST === '10.100.0.1').toBe(false);
  });

  it('reads ~/.kube/config when nothing else is set, and names what is missing when it does not exist', () => {
    const home = mkdtempSync(join(tmpdir(), 'home-'));
    mkdirSync(join(home, '.kube'));

    expect(() => loadKubeConfig({ env: { HOME: home } })).toThrow(/KUBECONFIG is not set, .*\.kube\/config does not exist.*--kubeconfig/);

    copyFileSync(kubeconfigFor({ url: 'http://127.0.0.1:1234', token: 't' }, { dir: home, context: 'home' }), join(home, '.kube', 'config'));
    expect(loadKubeConfig({ env: { HOME: home } }).getCurrentContext()).toBe('home');
  });

  it('names the file when KUBECONFIG points at nothing', () => {
    expect(() => loadKubeConfig({ env: { KUBECONFIG: '/nonexistent/kubeconfig' } })).toThrow(/\/nonexistent\/kubeconfig/);
  });
});
