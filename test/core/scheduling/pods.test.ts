import { describe, expect, it } from 'vitest';
import type { K8sPod, OwnerReference } from '../../../functions/core/k8s-types.js';
import { controllerOf, isDaemonPodOf, isPodAvailable, isPodReady, isPodTerminal, podOrder, targetNodeName } from '../../../functions/core/scheduling/index.js';
import { daemonSet, pod } from './helpers.js';

const dsRef: OwnerReference = { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'x', uid: 'ds-uid', controller: true, blockOwnerDeletion: true };
const affinityFor = (...values: string[]) => ({
  nodeAffinity: {
    requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values }] }] },
  },
});

describe('targetNodeName()', () => {
  // mirrors pkg/controller/daemon/util/daemonset_util_test.go:TestGetTargetNodeName
  it.each<[string, K8sPod, string | null]>([
    ['spec.nodeName wins', pod('p', { spec: { nodeName: 'n1', affinity: affinityFor('n2') } }), 'n1'],
    ['unscheduled pod: the matchFields metadata.name In value', pod('p', { spec: { affinity: affinityFor('n2') } }), 'n2'],
    ['matchFields with two values', pod('p', { spec: { affinity: affinityFor('n2', 'n3') } }), null],
    ['no nodeName, no affinity', pod('p'), null],
    [
      'only matchExpressions',
      pod('p', {
        spec: {
          affinity: {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['n'] }] }],
              },
            },
          },
        },
      }),
      null,
    ],
    [
      'NotIn matchFields is ignored',
      pod('p', {
        spec: {
          affinity: {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['n'] }] }],
              },
            },
          },
        },
      }),
      null,
    ],
  ])('%s', (_name, p, expected) => {
    expect(targetNodeName(p)).toEqual(expected);
  });
});

describe('controllerOf()', () => {
  it('returns the controller owner reference, not other owners', () => {
    const other: OwnerReference = { apiVersion: 'v1', kind: 'Node', name: 'n', uid: 'n-uid' };

    expect([
      controllerOf(pod('p', { meta: { ownerReferences: [other, dsRef] } })),
      controllerOf(pod('p', { meta: { ownerReferences: [other] } })),
      controllerOf(pod('p')),
    ]).toEqual([dsRef, null, null]);
  });
});

describe('isDaemonPodOf()', () => {
  // mirrors pkg/controller/controller_ref_manager_test.go:TestClaimPods
  const owned = (o: Partial<K8sPod['metadata']> = {}) => pod('p', { meta: { labels: { app: 'x' }, ownerReferences: [dsRef], ...o } });

  it.each<[string, K8sPod, boolean]>([
    ['controller ref with the DS uid and matching labels', owned(), true],
    ['labels no longer match the selector (released)', owned({ labels: { app: 'y' } }), false],
    ['another DaemonSet uid', owned({ ownerReferences: [{ ...dsRef, uid: 'other' }] }), false],
    ['a non-controller owner reference', owned({ ownerReferences: [{ ...dsRef, controller: false }] }), false],
    ['a ReplicaSet with the same uid', owned({ ownerReferences: [{ ...dsRef, kind: 'ReplicaSet' }] }), false],
    ['an orphan with matching labels', owned({ ownerReferences: [] }), false],
    ['another namespace', owned({ namespace: 'default' }), false],
  ])('%s → %s', (_name, p, expected) => {
    expect(isDaemonPodOf(p, daemonSet())).toEqual(expected);
  });

  it('owns nothing when the selector is empty (the controller refuses to sync it)', () => {
    expect(isDaemonPodOf(owned(), daemonSet({}, { selector: {} }))).toEqual(false);
  });

  it('owns nothing when the DaemonSet has no uid (a manifest from Git)', () => {
    const ds = daemonSet();
    delete ds.metadata.uid;

    expect(isDaemonPodOf(owned(), ds)).toEqual(false);
  });
});

describe('isPodReady() and isPodAvailable()', () => {
  const at = new Date('2026-06-01T12:00:00Z');
  const readySince = (t: string | undefined, status = 'True') =>
    pod('p', { status: { phase: 'Running', conditions: [{ type: 'Ready', status, ...(t ? { lastTransitionTime: t } : {}) }] } });

  it.each<[string, K8sPod, boolean]>([
    ['Ready=True', readySince('2026-06-01T11:00:00Z'), true],
    ['Ready=False', readySince('2026-06-01T11:00:00Z', 'False'), false],
    ['no conditions', pod('p', { status: { phase: 'Pending' } }), false],
    ['no status', pod('p'), false],
  ])('isPodReady: %s → %s', (_name, p, expected) => {
    expect(isPodReady(p)).toEqual(expected);
  });

  // mirrors pkg/api/v1/pod/util_test.go:TestIsPodAvailable
  it.each<[string, K8sPod, number, boolean]>([
    ['minReadySeconds 0 and ready', readySince(undefined), 0, true],
    ['not ready', readySince('2026-06-01T11:00:00Z', 'False'), 0, false],
    ['ready long enough', readySince('2026-06-01T11:59:00Z'), 30, true],
    ['ready exactly minReadySeconds ago (<=)', readySince('2026-06-01T11:59:30Z'), 30, true],
    ['ready too recently', readySince('2026-06-01T11:59:31Z'), 30, false],
    ['no lastTransitionTime with minReadySeconds', readySince(undefined), 30, false],
  ])('isPodAvailable: %s → %s', (_name, p, minReadySeconds, expected) => {
    expect(isPodAvailable(p, minReadySeconds, at)).toEqual(expected);
  });
});

describe('isPodTerminal()', () => {
  it.each([
    ['Succeeded', true],
    ['Failed', true],
    ['Running', false],
    ['Pending', false],
    ['Unknown', false],
  ])('%s → %s', (phase, expected) => {
    expect(isPodTerminal(pod('p', { status: { phase } }))).toEqual(expected);
  });
});

describe('podOrder()', () => {
  // mirrors daemon_controller.go:podByCreationTimestampAndPhase (daemon_controller_test.go:TestDaemonPodsSortedByCreationTimestampAndPhase)
  it('sorts pods with a node name first, then oldest, then by name', () => {
    const pods = [
      pod('e-unbound-old', { meta: { creationTimestamp: '2026-01-01T00:00:00Z' } }),
      pod('d-new', { meta: { creationTimestamp: '2026-03-01T00:00:00Z' }, spec: { nodeName: 'n' } }),
      pod('c-old', { meta: { creationTimestamp: '2026-02-01T00:00:00Z' }, spec: { nodeName: 'n' } }),
      pod('b-same', { meta: { creationTimestamp: '2026-03-01T00:00:00Z' }, spec: { nodeName: 'n' } }),
      pod('a-unbound-new', { meta: { creationTimestamp: '2026-04-01T00:00:00Z' } }),
    ];

    const names = [...pods].sort(podOrder).map((p) => p.metadata.name);

    expect(names).toEqual(['c-old', 'b-same', 'd-new', 'e-unbound-old', 'a-unbound-new']);
  });

  it('puts a pod without creationTimestamp first (Go zero time)', () => {
    const pods = [pod('b', { meta: { creationTimestamp: '2026-01-01T00:00:00Z' } }), pod('a-none')];

    expect([...pods].sort(podOrder).map((p) => p.metadata.name)).toEqual(['a-none', 'b']);
  });
});
