import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadKubeConfig } from '../../../functions/adapters/kubernetes/index.js';
import { KubernetesError } from '../../../functions/core/errors.js';
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

  it.each([
    ['an empty file', '', 'not a kubeconfig (empty, or no clusters, contexts and users)'],
    ['a Helm template', 'clusters:\n  - {{ .Values.cluster | toYaml | nindent 4 }}\n', expect.stringMatching(/^[^\n]+$/)],
  ])('says in one line why %s is not a kubeconfig', (_case, text, why) => {
    const file = join(mkdtempSync(join(tmpdir(), 'kc-')), 'config');
    writeFileSync(file, text);

    const err: unknown = (() => {
      try {
        return loadKubeConfig({ kubeconfig: file });
      } catch (e) {
        return e;
      }
    })();

    expect(err).toBeInstanceOf(KubernetesError);
    expect((err as Error).message).toEqual(expect.stringMatching(new RegExp(`^failed to load kubeconfig from ${file}: [^\n]+$`)));
    expect((err as Error).message.slice(`failed to load kubeconfig from ${file}: `.length)).toEqual(why);
  });
});
