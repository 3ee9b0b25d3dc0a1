import { describe, expect, it } from 'vitest';
import type { K8sDaemonSet } from '../../../functions/core/k8s-types.js';
import {
  effectiveUpdateStrategy,
  maxUnavailableCount,
  resolveIntOrPercent,
  rollingUpdateLimits,
  surgeCount,
} from '../../../functions/core/scheduling/index.js';
import { daemonSet } from './helpers.js';

const withStrategy = (updateStrategy: K8sDaemonSet['spec']['updateStrategy']) => daemonSet({}, updateStrategy ? { updateStrategy } : {});

describe('resolveIntOrPercent()', () => {
  // mirrors apimachinery pkg/util/intstr/intstr_test.go:TestGetScaledValueFromIntOrPercent
  it.each<[number | string | undefined, number, boolean, number | null]>([
    [3, 100, true, 3],
    ['10%', 5, true, 1],
    ['10%', 5, false, 0],
    ['25%', 10, true, 3],
    ['25%', 10, false, 2],
    ['100%', 7, true, 7],
    ['0%', 7, true, 0],
    ['10%', 0, true, 0],
    ['10', 5, true, null],
    ['ten%', 5, true, null],
    ['1.5%', 5, true, null],
    [1.5, 5, true, null],
    [undefined, 5, true, null],
  ])('%j of %d (roundUp %s) → %j', (value, total, roundUp, expected) => {
    expect(resolveIntOrPercent(value, total, roundUp)).toEqual(expected);
  });
});

describe('rollingUpdateLimits()', () => {
  // mirrors pkg/apis/apps/v1/defaults_test.go:TestSetDefaultDaemonSetSpec and pkg/controller/daemon/update_test.go (updatedDesiredNodeCounts)
  it.each<[string, K8sDaemonSet['spec']['updateStrategy'], number, { maxSurge: number; maxUnavailable: number } | { error: string }]>([
    ['no strategy: defaults maxUnavailable 1, maxSurge 0', undefined, 10, { maxSurge: 0, maxUnavailable: 1 }],
    ['RollingUpdate without rollingUpdate', { type: 'RollingUpdate' }, 10, { maxSurge: 0, maxUnavailable: 1 }],
    ['percent maxUnavailable rounds up', { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '10%' } }, 15, { maxSurge: 0, maxUnavailable: 2 }],
    ['surge with maxUnavailable 0', { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '20%' } }, 12, { maxSurge: 3, maxUnavailable: 0 }],
    [
      'both zero falls back to maxUnavailable 1',
      { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } },
      5,
      { maxSurge: 0, maxUnavailable: 1 },
    ],
    [
      'both zero with nothing desired stays zero',
      { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } },
      0,
      { maxSurge: 0, maxUnavailable: 0 },
    ],
    ['OnDelete has no limits', { type: 'OnDelete' }, 10, { maxSurge: 0, maxUnavailable: 0 }],
    [
      'invalid maxUnavailable',
      { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '1' } },
      10,
      { error: 'invalid maxUnavailable "1": must be an integer or a percentage' },
    ],
    ['invalid maxSurge', { rollingUpdate: { maxUnavailable: 0, maxSurge: 'x%' } }, 10, { error: 'invalid maxSurge "x%": must be an integer or a percentage' }],
  ])('%s', (_name, strategy, desired, expected) => {
    expect(rollingUpdateLimits(withStrategy(strategy), desired)).toEqual(expected);
  });

  it('gives surgeCount and maxUnavailableCount from the same limits, null when invalid', () => {
    const surge = withStrategy({ rollingUpdate: { maxUnavailable: 0, maxSurge: 2 } });
    const invalid = withStrategy({ rollingUpdate: { maxUnavailable: 'all' } });

    expect([surgeCount(surge, 10), maxUnavailableCount(surge, 10), surgeCount(invalid, 10), maxUnavailableCount(invalid, 10)]).toEqual([2, 0, null, null]);
  });
});

describe('effectiveUpdateStrategy()', () => {
  it('fills in the server defaults', () => {
    expect([effectiveUpdateStrategy(withStrategy(undefined)), effectiveUpdateStrategy(withStrategy({ type: 'OnDelete' }))]).toEqual([
      { type: 'RollingUpdate', maxUnavailable: 1, maxSurge: 0 },
      { type: 'OnDelete', maxUnavailable: null, maxSurge: null },
    ]);
  });
});
