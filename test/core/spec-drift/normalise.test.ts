import { describe, expect, it } from 'vitest';
import type { Container, K8sDaemonSet, PodSpec } from '../../../functions/core/k8s-types.js';
import { defaultPullPolicy, diffDaemonSets, normaliseDaemonSet, quantityNanos } from '../../../functions/core/spec-drift/index.js';
import { daemonSet } from '../../support/builders.js';

const base = (): K8sDaemonSet => daemonSet('agent', { asManifest: true, containers: [{ name: 'agent', image: 'r/agent:1.0' }] });

function withLive(podSpec: Partial<PodSpec> = {}, container: Partial<Container> = {}, ds: Partial<K8sDaemonSet['spec']> = {}): K8sDaemonSet {
  const live = daemonSet('agent', { containers: [{ name: 'agent', image: 'r/agent:1.0', ...container }] });
  Object.assign(live.spec.template.spec, podSpec);
  Object.assign(live.spec, ds);
  return live;
}

describe('normaliseDaemonSet()', () => {
  it.each<[string, K8sDaemonSet]>([
    [
      'DaemonSet defaults',
      withLive(
        {},
        {},
        { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } }, revisionHistoryLimit: 10, minReadySeconds: 0 },
      ),
    ],
    [
      'pod spec defaults',
      withLive({
        restartPolicy: 'Always',
        dnsPolicy: 'ClusterFirst',
        schedulerName: 'default-scheduler',
        terminationGracePeriodSeconds: 30,
        securityContext: {},
        enableServiceLinks: true,
        serviceAccount: 'default',
        serviceAccountName: 'default',
      }),
    ],
    [
      'container defaults',
      withLive({}, { imagePullPolicy: 'IfNotPresent', terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', resources: {} }),
    ],
  ])('applies the API server defaults: %s', (_case, live) => {
    expect(diffDaemonSets(base(), live)).toEqual([]);
  });

  it('defaults probes, ports, fieldRefs and volumes on both sides', () => {
    const git = daemonSet('agent', {
      asManifest: true,
      hostNetwork: true,
      containers: [
        {
          name: 'agent',
          image: 'r/agent:1.0',
          ports: [{ containerPort: 9100, name: 'metrics' }],
          env: [{ name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
          livenessProbe: { httpGet: { port: 9100 } },
          volumeMounts: [{ name: 'cfg', mountPath: '/etc/agent' }],
        },
      ],
    });
    git.spec.template.spec.volumes = [{ name: 'cfg', configMap: { name: 'agent' } }, { name: 'logs', hostPath: { path: '/var/log' } }, { name: 'tmp' }];
    const live = structuredClone(git);
    Object.assign(live.spec.template.spec.containers[0]!, {
      ports: [{ containerPort: 9100, name: 'metrics', protocol: 'TCP', hostPort: 9100 }],
      env: [{ name: 'NODE', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'spec.nodeName' } } }],
      livenessProbe: { httpGet: { port: 9100, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 },
      volumeMounts: [{ name: 'cfg', mountPath: '/etc/agent', readOnly: false }],
    });
    live.spec.template.spec.volumes = [
      { name: 'cfg', configMap: { name: 'agent', defaultMode: 420 } },
      { name: 'logs', hostPath: { path: '/var/log', type: '' } },
      { name: 'tmp', emptyDir: {} },
    ];

    expect(diffDaemonSets(git, live)).toEqual([]);
  });

  it('defaults downward API references and projected service account tokens', () => {
    const git = daemonSet('agent', {
      asManifest: true,
      containers: [{ name: 'agent', image: 'r/agent:1.0', env: [{ name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory' } } }] }],
    });
    git.spec.template.spec.volumes = [
      { name: 'info', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
      { name: 'token', projected: { sources: [{ serviceAccountToken: { path: 'token' } }] } },
    ];
    const live = structuredClone(git);
    live.spec.template.spec.containers[0]!.env = [{ name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '0' } } }];
    live.spec.template.spec.volumes = [
      { name: 'info', downwardAPI: { defaultMode: 420, items: [{ path: 'labels', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.labels' } }] } },
      { name: 'token', projected: { defaultMode: 420, sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 3600 } }] } },
    ];

    expect(diffDaemonSets(git, live)).toEqual([]);
  });

  it('keeps a changed default as drift', () => {
    const live = withLive({ dnsPolicy: 'Default' }, { imagePullPolicy: 'Always' });

    expect(diffDaemonSets(base(), live).map((d) => [d.path, d.expected, d.actual])).toEqual([
      ['spec.template.spec.containers[name=agent].imagePullPolicy', 'IfNotPresent', 'Always'],
      ['spec.template.spec.dnsPolicy', 'ClusterFirst', 'Default'],
    ]);
  });

  it('defaults the update strategy by apiVersion and the selector from template labels (extensions/v1beta1)', () => {
    const git = base();
    git.apiVersion = 'extensions/v1beta1';
    delete (git.spec as Partial<K8sDaemonSet['spec']>).selector;

    const n = normaliseDaemonSet(git) as { spec: { updateStrategy: unknown; selector: unknown } };

    expect([n.spec.updateStrategy, n.spec.selector]).toEqual([{ type: 'OnDelete' }, { matchLabels: { app: 'agent' } }]);
  });

  it('drops server-owned metadata, status and the restartedAt template annotation', () => {
    const live = withLive();
    live.metadata.annotations = { 'kubectl.kubernetes.io/last-applied-configuration': '{}', 'deprecated.daemonset.template.generation': '2', team: 'a' };
    live.metadata.managedFields = [{ manager: 'kubectl' }];
    live.spec.template.metadata!.annotations = { 'kubectl.kubernetes.io/restartedAt': '2026-05-01T00:00:00Z' };
    live.status = { numberReady: 1 };

    const n = normaliseDaemonSet(live);

    expect(Object.keys(n)).toEqual(['metadata', 'spec']);
    expect(n.metadata).toEqual({ annotations: { team: 'a' } });
    expect((n.spec as { template: { metadata: unknown } }).template.metadata).toEqual({ labels: { app: 'agent' } });
  });
});

describe('defaultPullPolicy()', () => {
  it.each([
    ['nginx', 'Always'],
    ['nginx:latest', 'Always'],
    ['registry:5000/nginx', 'Always'],
    ['nginx:1.27', 'IfNotPresent'],
    [`nginx@sha256:${'a'.repeat(64)}`, 'IfNotPresent'],
    [`nginx:latest@sha256:${'a'.repeat(64)}`, 'Always'],
  ])('gives %s %s', (image, policy) => {
    expect(defaultPullPolicy(image)).toEqual(policy);
  });
});

describe('quantityNanos()', () => {
  it.each<[string | number, string | number]>([
    ['0.1', '100m'],
    ['1Gi', '1024Mi'],
    ['1000m', '1'],
    [1, '1'],
    ['1e3', '1k'],
    ['1E3', '1k'],
    ['1.5Gi', '1536Mi'],
    ['500000u', '0.5'],
    ['.5', '500m'],
    ['0.0000000001', '1n'],
  ])('values %s the same as %s', (a, b) => {
    expect(quantityNanos(a)).toEqual(quantityNanos(b));
  });

  it.each(['1.5.5', 'ten', '1KB', '', '1e1000'])('rejects %s', (q) => {
    expect(quantityNanos(q)).toEqual(null);
  });

  it('tells different values apart', () => {
    expect(quantityNanos('1G') === quantityNanos('1Gi')).toEqual(false);
  });
});
