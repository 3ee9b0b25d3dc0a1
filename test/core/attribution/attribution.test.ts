import { describe, expect, it } from 'vitest';
import { changedByOf, DEFAULT_HAND_MANAGERS, handOwnerOf, ownersOf, parseFindingPath } from '../../../functions/core/attribution/index.js';

// managedFields as the API server writes them (structured-merge-diff FieldsV1): `f:` fields, `k:` list
// items by merge key, `.` for the item itself, `{}` for a leaf.
const MANAGED = [
  {
    manager: 'argocd-controller',
    operation: 'Apply',
    apiVersion: 'apps/v1',
    time: '2026-11-01T08:00:00Z',
    fieldsType: 'FieldsV1',
    fieldsV1: {
      'f:spec': {
        'f:template': {
          'f:spec': {
            'f:containers': {
              'k:{"name":"agent"}': {
                '.': {},
                'f:image': {},
                'f:name': {},
                'f:ports': { 'k:{"containerPort":53,"protocol":"UDP"}': { '.': {}, 'f:containerPort': {} } },
              },
            },
            'f:tolerations': {},
          },
        },
      },
    },
  },
  {
    manager: 'kubectl-edit',
    operation: 'Update',
    apiVersion: 'apps/v1',
    time: '2026-11-20T09:14:03Z',
    fieldsType: 'FieldsV1',
    fieldsV1: {
      'f:spec': {
        'f:template': {
          'f:metadata': { 'f:labels': { 'f:debug': {} } },
          'f:spec': { 'f:containers': { 'k:{"name":"agent"}': { 'f:resources': { 'f:limits': { '.': {}, 'f:memory': {} } } } } },
        },
      },
    },
  },
  {
    manager: 'kube-controller-manager',
    operation: 'Update',
    subresource: 'status',
    time: '2026-11-20T10:00:00Z',
    fieldsV1: { 'f:status': { 'f:numberReady': {} } },
  },
];

describe('parseFindingPath()', () => {
  it.each<[string, unknown]>([
    [
      'spec.template.spec.containers[name=agent].resources.limits.memory',
      [
        { field: 'spec' },
        { field: 'template' },
        { field: 'spec' },
        { field: 'containers' },
        { item: { name: 'agent' } },
        { field: 'resources' },
        { field: 'limits' },
        { field: 'memory' },
      ],
    ],
    ['metadata.labels["app.kubernetes.io/name"]', [{ field: 'metadata' }, { field: 'labels' }, { field: 'app.kubernetes.io/name' }]],
    ['metadata.annotations["a\\"b"]', [{ field: 'metadata' }, { field: 'annotations' }, { field: 'a"b' }]],
    ['ports[containerPort=53,protocol=UDP]', [{ field: 'ports' }, { item: { containerPort: '53', protocol: 'UDP' } }]],
    ['env[name=A#2].value', [{ field: 'env' }, { item: { name: 'A' } }, { field: 'value' }]],
  ])('reads %s', (path, steps) => {
    expect(parseFindingPath(path)).toEqual(steps);
  });

  it.each(['spec[broken', 'spec.[x]', 'labels["unterminated'])('returns null for %s', (path) => {
    expect(parseFindingPath(path)).toEqual(null);
  });
});

describe('changedByOf()', () => {
  it.each<[string, string | undefined]>([
    ['spec.template.spec.containers[name=agent].resources.limits.memory', 'kubectl-edit'],
    ['spec.template.metadata.labels.debug', 'kubectl-edit'],
    ['spec.template.spec.containers[name=agent].image', 'argocd-controller'],
    // A port's protocol: the path names UDP explicitly; TCP is left out of paths and defaulted.
    ['spec.template.spec.containers[name=agent].ports[containerPort=53,protocol=UDP]', 'argocd-controller'],
    ['spec.template.spec.containers[name=agent].ports[containerPort=53]', undefined],
    // An atomic field owned whole: anything under it belongs to its owner.
    ['spec.template.spec.tolerations', 'argocd-controller'],
    // `.` owns the item's existence, not its other fields.
    ['spec.template.spec.containers[name=agent].args', undefined],
    ['spec.template.spec.containers[name=other].image', undefined],
    ['status.numberReady', undefined],
  ])('names the manager of %s', (path, manager) => {
    expect(changedByOf(MANAGED, path)?.manager).toEqual(manager);
  });

  it('returns manager, operation and time', () => {
    expect(changedByOf(MANAGED, 'spec.template.metadata.labels.debug')).toEqual({ manager: 'kubectl-edit', operation: 'Update', time: '2026-11-20T09:14:03Z' });
  });

  it('gives nothing for objects without (or with malformed) managedFields', () => {
    expect([changedByOf(undefined, 'spec'), changedByOf('x', 'spec'), changedByOf([{ manager: 7 }, null, { manager: 'm', fieldsV1: [] }], 'spec')]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('lists shared owners newest first', () => {
    const shared = [
      { manager: 'helm', operation: 'Update', time: '2026-01-01T00:00:00Z', fieldsV1: { 'f:metadata': { 'f:labels': { 'f:team': {} } } } },
      { manager: 'flux', operation: 'Apply', time: '2026-02-01T00:00:00Z', fieldsV1: { 'f:metadata': { 'f:labels': { 'f:team': {} } } } },
    ];

    expect(ownersOf(shared, 'metadata.labels.team').map((o) => o.manager)).toEqual(['flux', 'helm']);
  });
});

describe('handOwnerOf()', () => {
  it('names a hand tool that owns the field, and nothing for a controller-owned one', () => {
    expect(handOwnerOf(MANAGED, 'spec.template.metadata.labels.debug', DEFAULT_HAND_MANAGERS)?.manager).toEqual('kubectl-edit');
    expect(handOwnerOf(MANAGED, 'spec.template.spec.tolerations', DEFAULT_HAND_MANAGERS)).toEqual(undefined);
  });

  it('takes globs from the policy list', () => {
    expect(handOwnerOf(MANAGED, 'spec.template.metadata.labels.debug', ['kubectl-*'])?.manager).toEqual('kubectl-edit');
    expect(handOwnerOf(MANAGED, 'spec.template.metadata.labels.debug', ['k9s'])).toEqual(undefined);
  });
});
