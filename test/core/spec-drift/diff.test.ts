import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { K8sDaemonSet } from '../../../functions/core/k8s-types.js';
import { diffDaemonSets } from '../../../functions/core/spec-drift/index.js';
import { asManifest, daemonSet } from '../../support/builders.js';
import { CAPTURES as FIXTURES } from '../../support/captures.js';

const load = (name: string): K8sDaemonSet =>
  (name.endsWith('.json') ? JSON.parse(readFileSync(FIXTURES + name, 'utf8')) : parse(readFileSync(FIXTURES + name, 'utf8'))) as K8sDaemonSet;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** A live object's own manifest: what `kubectl get -o yaml` minus server fields, as people commit it. */
function manifestOf(live: K8sDaemonSet): K8sDaemonSet {
  return asManifest(live);
}

describe('diffDaemonSets()', () => {
  it('finds no drift between a live GKE DaemonSet and the manifest it was applied from', () => {
    const live = load('k9s/ds.json');
    const git = JSON.parse(live.metadata.annotations!['kubectl.kubernetes.io/last-applied-configuration']!) as K8sDaemonSet;

    expect(diffDaemonSets(git, live)).toEqual([]);
  });

  it('does not count a rollout restart as drift', () => {
    const git = manifestOf(load('argo-cd/daemonset.yaml'));

    expect(diffDaemonSets(git, load('argo-cd/daemonset-restarted.yaml'))).toEqual([]);
  });

  it('finds no drift between a live object and its own manifest', () => {
    const live = load('kubeiql/daemonset.json');

    expect(diffDaemonSets(manifestOf(live), live)).toEqual([]);
  });

  it.each<[string, (ds: K8sDaemonSet) => void, { path: string; expected: unknown; actual: unknown }]>([
    [
      'a probe threshold',
      (ds) => {
        (ds.spec.template.spec.containers[0]!.livenessProbe as { failureThreshold: number }).failureThreshold = 3;
      },
      { path: 'spec.template.spec.containers[name=calico-node].livenessProbe.failureThreshold', expected: 6, actual: 3 },
    ],
    [
      'an env value',
      (ds) => {
        ds.spec.template.spec.containers[0]!.env![2]!.value = 'k8s';
      },
      {
        path: 'spec.template.spec.containers[name=calico-node].env[name=CLUSTER_TYPE].value',
        expected: `sha256:${sha256('k8s,bgp').slice(0, 16)}`,
        actual: `sha256:${sha256('k8s').slice(0, 16)}`,
      },
    ],
    [
      'a CPU request',
      (ds) => {
        ds.spec.template.spec.containers[0]!.resources!.requests!.cpu = '500m';
      },
      { path: 'spec.template.spec.containers[name=calico-node].resources.requests.cpu', expected: '250m', actual: '500m' },
    ],
    [
      'a dropped toleration',
      (ds) => {
        ds.spec.template.spec.tolerations = [];
      },
      { path: 'spec.template.spec.tolerations', expected: [{ operator: 'Exists' }], actual: undefined },
    ],
    [
      'an added nodeSelector',
      (ds) => {
        ds.spec.template.spec.nodeSelector = { pool: 'a' };
      },
      { path: 'spec.template.spec.nodeSelector', expected: undefined, actual: { pool: 'a' } },
    ],
    [
      'the rolling-update limit',
      (ds) => {
        ds.spec.updateStrategy!.rollingUpdate!.maxUnavailable = 1;
      },
      { path: 'spec.updateStrategy.rollingUpdate.maxUnavailable', expected: 5, actual: 1 },
    ],
    [
      'an added volume mount',
      (ds) => {
        (ds.spec.template.spec.containers[1]!.volumeMounts as unknown[]).push({ name: 'x', mountPath: '/x' });
      },
      { path: 'spec.template.spec.containers[name=install-cni].volumeMounts[mountPath=/x]', expected: undefined, actual: { name: 'x', mountPath: '/x' } },
    ],
    [
      'a template label',
      (ds) => {
        ds.spec.template.metadata!.labels!['k8s-app'] = 'other';
      },
      { path: 'spec.template.metadata.labels["k8s-app"]', expected: 'calico-node', actual: 'other' },
    ],
  ])('reports exactly the one changed field: %s', (_case, change, expected) => {
    const live = load('kubeiql/daemonset.json');
    const git = manifestOf(live);
    const changed = structuredClone(live);
    change(changed);

    expect(diffDaemonSets(git, changed)).toEqual([expected]);
  });

  it('reports a field Git sets that the cluster dropped', () => {
    const git = daemonSet('agent', {
      asManifest: true,
      containers: [{ name: 'agent', image: 'r/agent:1', args: ['--verbose'], resources: { limits: { memory: '1Gi' } } }],
    });
    const live = daemonSet('agent', { containers: [{ name: 'agent', image: 'r/agent:1' }] });

    expect(diffDaemonSets(git, live)).toEqual([
      { path: 'spec.template.spec.containers[name=agent].args', expected: ['--verbose'], actual: undefined },
      { path: 'spec.template.spec.containers[name=agent].resources', expected: { limits: { memory: '1Gi' } }, actual: undefined },
    ]);
  });

  it('leaves images and containers on one side only to image/drift', () => {
    const git = daemonSet('agent', {
      asManifest: true,
      containers: [
        { name: 'agent', image: 'r/agent:1' },
        { name: 'sidecar', image: 'r/s:1' },
      ],
    });
    const live = daemonSet('agent', {
      containers: [
        { name: 'agent', image: 'r/agent:2' },
        { name: 'extra', image: 'r/e:1' },
      ],
    });

    expect(diffDaemonSets(git, live)).toEqual([]);
  });

  it.each<[string, string, string | undefined, string, string, number]>([
    ['Git :latest without a policy, live defaulted from its tagged image', 'r/a:latest', undefined, 'r/a:1', 'IfNotPresent', 0],
    ['Git tagged without a policy, live defaulted from :latest', 'r/a:1', undefined, 'r/a', 'Always', 0],
    ['Git tagged without a policy, live set to Always by hand', 'r/a:1', undefined, 'r/a:1', 'Always', 1],
    ['Git sets a policy the live object does not have', 'r/a:1', 'Always', 'r/a:1', 'IfNotPresent', 1],
  ])('judges imagePullPolicy: %s', (_case, gitImage, gitPolicy, liveImage, livePolicy, count) => {
    const git = daemonSet('agent', {
      asManifest: true,
      containers: [{ name: 'agent', image: gitImage, ...(gitPolicy ? { imagePullPolicy: gitPolicy } : {}) }],
    });
    const live = daemonSet('agent', { containers: [{ name: 'agent', image: liveImage, imagePullPolicy: livePolicy }] });

    expect(diffDaemonSets(git, live).map((d) => d.path)).toEqual(Array(count).fill('spec.template.spec.containers[name=agent].imagePullPolicy'));
  });

  it('compares quantities by value', () => {
    const git = daemonSet('agent', {
      asManifest: true,
      containers: [{ name: 'agent', image: 'r/a:1', resources: { limits: { cpu: '0.1', memory: '1Gi' }, requests: { cpu: 1, memory: '1e3' } } }],
    });
    const live = daemonSet('agent', {
      containers: [{ name: 'agent', image: 'r/a:1', resources: { limits: { cpu: '100m', memory: '1024Mi' }, requests: { cpu: '1000m', memory: '1k' } } }],
    });

    expect(diffDaemonSets(git, live)).toEqual([]);
  });

  it('ignores fields only the cluster sets outside placement, privilege and process regions', () => {
    const git = daemonSet('agent', { asManifest: true });
    const live = daemonSet('agent', { annotations: { 'deprecated.daemonset.template.generation': '4', 'argocd.argoproj.io/tracking-id': 'x' } });
    live.metadata.labels = { 'app.kubernetes.io/instance': 'agents' };
    live.spec.template.spec.containers[0]!.resources = { requests: { cpu: '10m' } };

    expect(diffDaemonSets(git, live)).toEqual([]);
  });

  it('compares redacted env values with plain ones by sha256, and shows only a prefix of the hash', () => {
    const git = daemonSet('agent', {
      asManifest: true,
      containers: [
        {
          name: 'agent',
          image: 'r/a:1',
          env: [
            { name: 'A', value: 'same' },
            { name: 'B', value: 'old' },
          ],
        },
      ],
    });
    const live = daemonSet('agent', {
      containers: [
        {
          name: 'agent',
          image: 'r/a:1',
          env: [
            { name: 'A', valueSha256: sha256('same') },
            { name: 'B', valueSha256: sha256('new') },
          ],
        },
      ],
    });

    expect(diffDaemonSets(git, live, { hash: sha256 })).toEqual([
      {
        path: 'spec.template.spec.containers[name=agent].env[name=B].value',
        expected: `sha256:${sha256('old').slice(0, 16)}`,
        actual: `sha256:${sha256('new').slice(0, 16)}`,
      },
    ]);
    expect(diffDaemonSets(git, live)).toEqual(diffDaemonSets(git, live, { hash: sha256 }));
  });

  it('shows secret-looking flag values in args only as sha256 prefixes, and still finds them changed', () => {
    const git = daemonSet('agent', {
      asManifest: true,
      containers: [{ name: 'agent', image: 'r/a:1', args: ['--db-password=hunter2', '--token', 'abc', '--verbose'] }],
    });
    const live = daemonSet('agent', { containers: [{ name: 'agent', image: 'r/a:1', args: ['--db-password=hunter3', '--token', 'abc', '--verbose'] }] });

    const diff = diffDaemonSets(git, live, { hash: sha256 });

    expect(diff).toEqual([
      {
        path: 'spec.template.spec.containers[name=agent].args',
        expected: [`--db-password=sha256:${sha256('hunter2').slice(0, 16)}`, '--token', `sha256:${sha256('abc').slice(0, 16)}`, '--verbose'],
        actual: [`--db-password=sha256:${sha256('hunter3').slice(0, 16)}`, '--token', `sha256:${sha256('abc').slice(0, 16)}`, '--verbose'],
      },
    ]);
    expect(JSON.stringify(diff)).not.toMatch(/hunter|"abc"/);
  });

  it('compares a secret flag the snapshot already hashed with the plain one in Git: no drift', () => {
    const git = daemonSet('agent', { asManifest: true, containers: [{ name: 'agent', image: 'r/a:1', args: ['--db-password=hunter2'] }] });
    const live = daemonSet('agent', { containers: [{ name: 'agent', image: 'r/a:1', args: [`--db-password=sha256:${sha256('hunter2')}`] }] });

    expect(diffDaemonSets(git, live, { hash: sha256 })).toEqual([]);
  });

  it('matches tolerations as a set and env by name, not position', () => {
    const git = daemonSet('agent', {
      asManifest: true,
      tolerations: [
        { key: 'a', operator: 'Exists' },
        { key: 'b', operator: 'Exists' },
      ],
      containers: [
        {
          name: 'agent',
          image: 'r/a:1',
          env: [
            { name: 'X', value: '1' },
            { name: 'Y', value: '2' },
          ],
        },
      ],
    });
    const live = daemonSet('agent', {
      tolerations: [
        { key: 'b', operator: 'Exists' },
        { key: 'a', operator: 'Exists' },
      ],
      containers: [
        {
          name: 'agent',
          image: 'r/a:1',
          env: [
            { name: 'Y', value: '2' },
            { name: 'X', value: '1' },
          ],
        },
      ],
    });

    expect(diffDaemonSets(git, live)).toEqual([]);
  });

  it('reports an env var added live, with the path naming it', () => {
    const git = daemonSet('agent', { asManifest: true, containers: [{ name: 'agent', image: 'r/a:1' }] });
    const live = daemonSet('agent', { containers: [{ name: 'agent', image: 'r/a:1', env: [{ name: 'DEBUG', value: 'true' }] }] });

    expect(diffDaemonSets(git, live)).toEqual([
      {
        path: 'spec.template.spec.containers[name=agent].env',
        expected: undefined,
        actual: [{ name: 'DEBUG', value: `sha256:${sha256('true').slice(0, 16)}` }],
      },
    ]);
  });
});
