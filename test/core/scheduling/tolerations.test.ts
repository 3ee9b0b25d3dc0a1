import { describe, expect, it } from 'vitest';
import type { Taint, Toleration } from '../../../functions/core/k8s-types.js';
import {
  daemonPodTolerations,
  DAEMON_DEFAULT_TOLERATIONS,
  findUntoleratedTaint,
  HOST_NETWORK_TOLERATION,
  toleratesTaint,
} from '../../../functions/core/scheduling/index.js';
import { taint } from './helpers.js';

const GATE_ON = { taintTolerationComparisonOperators: true };

describe('toleratesTaint()', () => {
  // mirrors kubernetes/api core/v1/toleration_test.go:TestTolerationToleratesTaint
  it.each<[string, Toleration, Taint, boolean]>([
    ['same key and effect, Exists, taint without value', { key: 'foo', operator: 'Exists', effect: 'NoSchedule' }, taint('foo:NoSchedule'), true],
    ['same key and effect, Exists, taint with a value', { key: 'foo', operator: 'Exists', effect: 'NoSchedule' }, taint('foo=bar:NoSchedule'), true],
    ['empty key with Exists matches every key', { operator: 'Exists', effect: 'NoSchedule' }, taint('foo=bar:NoSchedule'), true],
    [
      'empty key and empty effect with Exists tolerates everything',
      { operator: 'Exists' },
      taint('node.kubernetes.io/out-of-service=nodeshutdown:NoExecute'),
      true,
    ],
    ['Equal with the same value', { key: 'foo', operator: 'Equal', value: 'bar', effect: 'NoSchedule' }, taint('foo=bar:NoSchedule'), true],
    ['Equal with a different value', { key: 'foo', operator: 'Equal', value: 'value1', effect: 'NoSchedule' }, taint('foo=value2:NoSchedule'), false],
    ['same key and value, different effect', { key: 'foo', operator: 'Equal', value: 'bar', effect: 'NoSchedule' }, taint('foo=bar:NoExecute'), false],
    [
      'omitted operator means Equal: needs the value',
      { key: 'node-role.kubernetes.io/master', effect: 'NoSchedule', value: 'x' },
      taint('node-role.kubernetes.io/master:NoSchedule'),
      false,
    ],
    [
      'Equal with empty value matches only an empty taint value',
      { key: 'node-role.kubernetes.io/master', effect: 'NoSchedule' },
      taint('node-role.kubernetes.io/master:NoSchedule'),
      true,
    ],
    ['Equal with empty value does not match a non-empty taint value', { key: 'dedicated', effect: 'NoSchedule' }, taint('dedicated=gpu:NoSchedule'), false],
    ['empty effect matches every effect', { key: 'foo', operator: 'Exists' }, taint('foo:NoExecute'), true],
    ['other key', { key: 'foo', operator: 'Exists' }, taint('bar:NoSchedule'), false],
    ['unknown operator never matches', { key: 'foo', operator: 'In', value: 'bar' }, taint('foo=bar:NoSchedule'), false],
    ['empty key with Equal (rejected by API validation) still matches by value', { operator: 'Equal', value: 'bar' }, taint('foo=bar:NoSchedule'), true],
  ])('%s → %s', (_name, toleration, t, expected) => {
    const tolerated = toleratesTaint(toleration, t);

    expect(tolerated).toEqual(expected);
  });

  // mirrors toleration_test.go:TestTolerationToleratesTaint (Gt/Lt cases) and TestCompareNumericValues
  it.each<[string, string, string, boolean]>([
    ['Gt', '750', '950', true],
    ['Gt', '950', '800', false],
    ['Gt', '950', '950', false],
    ['Lt', '950', '800', true],
    ['Lt', '800', '950', false],
    ['Lt', '100', '100', false],
    ['Gt', '-100', '-50', true],
    ['Gt', '-100', '-200', false],
    ['Lt', '0', '-1', true],
    ['Gt', '9223372036854775806', '9223372036854775807', true],
    ['Gt', '9223372036854775806', '100', false],
    ['Gt', '0', '9223372036854775807', true],
    ['Lt', '0', '-9223372036854775808', true],
    ['Gt', '0100', '200', false],
    ['Gt', '+100', '200', false],
    ['Gt', '100.5', '200', false],
    ['Gt', '-', '100', false],
    ['Gt', '', '100', false],
    ['Gt', '100', '0200', false],
    ['Lt', '100', '+200', false],
    ['Lt', '100', ' 200 ', false],
    ['Gt', '100', 'xyz', false],
    ['Gt', '0', '9223372036854775808', false],
    ['Gt', '-1', '-0', false],
  ])('with the gate on, %s threshold %j tolerates taint value %j: %s', (operator, threshold, value, expected) => {
    const toleration: Toleration = { key: 'node.kubernetes.io/sla', operator, value: threshold, effect: 'NoSchedule' };

    const tolerated = toleratesTaint(toleration, { key: 'node.kubernetes.io/sla', value, effect: 'NoSchedule' }, GATE_ON);

    expect(tolerated).toEqual(expected);
  });

  it.each(['Gt', 'Lt'])('never tolerates with %s while the gate is off (the default)', (operator) => {
    const toleration: Toleration = { key: 'sla', operator, value: operator === 'Gt' ? '1' : '1000', effect: 'NoSchedule' };
    const t: Taint = { key: 'sla', value: '500', effect: 'NoSchedule' };

    expect([toleratesTaint(toleration, t), toleratesTaint(toleration, t, {}), toleratesTaint(toleration, t, GATE_ON)]).toEqual([false, false, true]);
  });
});

describe('findUntoleratedTaint()', () => {
  // mirrors component-helpers scheduling/corev1/helpers_test.go:TestFindMatchingUntoleratedTaint
  it('returns the first taint with a filtered effect that nothing tolerates', () => {
    const taints = [taint('a:PreferNoSchedule'), taint('b:NoSchedule'), taint('c:NoExecute')];

    const found = findUntoleratedTaint(taints, [{ key: 'b', operator: 'Exists' }], ['NoSchedule', 'NoExecute']);

    expect(found).toEqual(taint('c:NoExecute'));
  });

  it('ignores taints whose effect is not filtered', () => {
    const found = findUntoleratedTaint([taint('a:PreferNoSchedule'), taint('b:NoSchedule')], [], ['NoExecute']);

    expect(found).toEqual(null);
  });

  it('returns null for absent taints', () => {
    expect([findUntoleratedTaint(undefined, [], ['NoSchedule']), findUntoleratedTaint(null, null, ['NoSchedule'])]).toEqual([null, null]);
  });

  it('needs every taint tolerated, each by any toleration', () => {
    const tolerations: Toleration[] = [
      { key: 'a', operator: 'Exists' },
      { key: 'b', value: 'v', effect: 'NoSchedule' },
    ];

    const found = findUntoleratedTaint([taint('a:NoExecute'), taint('b=v:NoSchedule'), taint('b=w:NoSchedule')], tolerations, ['NoSchedule', 'NoExecute']);

    expect(found).toEqual(taint('b=w:NoSchedule'));
  });
});

describe('daemonPodTolerations()', () => {
  // mirrors daemonset_util.go:AddOrUpdateDaemonPodTolerations via pkg/apis/core/v1/helper/helpers.go:AddOrUpdateTolerationInPodSpec
  it('appends the six default tolerations to a template without tolerations', () => {
    const tolerations = daemonPodTolerations({});

    expect(tolerations).toEqual([
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
      { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
    ]);
  });

  it('adds network-unavailable only with hostNetwork', () => {
    const withHost = daemonPodTolerations({ hostNetwork: true });
    const without = daemonPodTolerations({ hostNetwork: false });

    expect([withHost.at(-1), withHost.length, without.length]).toEqual([HOST_NETWORK_TOLERATION, 7, 6]);
  });

  it('replaces a user toleration on not-ready with the same key, effect, operator and value, dropping its tolerationSeconds', () => {
    const user: Toleration[] = [
      { key: 'custom', operator: 'Exists' },
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 },
    ];

    const tolerations = daemonPodTolerations({ tolerations: user });

    expect(tolerations.slice(0, 3)).toEqual([
      { key: 'custom', operator: 'Exists' },
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
    ]);
    expect(tolerations).toHaveLength(7);
  });

  it('keeps a user toleration that differs in operator and appends the default beside it', () => {
    const user: Toleration[] = [{ key: 'node.kubernetes.io/unreachable', operator: 'Equal', effect: 'NoExecute', tolerationSeconds: 10 }];

    const tolerations = daemonPodTolerations({ tolerations: user });

    expect(tolerations.filter((t) => t.key === 'node.kubernetes.io/unreachable')).toEqual([
      user[0],
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
    ]);
  });

  it('leaves an identical user toleration alone without duplicating it', () => {
    const user: Toleration[] = [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }];

    const tolerations = daemonPodTolerations({ tolerations: user });

    expect(tolerations.filter((t) => t.key === 'node.kubernetes.io/unschedulable')).toHaveLength(1);
    expect(tolerations[0]).toEqual(user[0]);
  });

  it('replaces every matching user toleration, so duplicates stay duplicated', () => {
    const user: Toleration[] = [
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 6 },
    ];

    const tolerations = daemonPodTolerations({ tolerations: user });

    expect(tolerations.filter((t) => t.key === 'node.kubernetes.io/unreachable')).toEqual([
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
    ]);
  });

  it('changes nothing for a default when the first matching user toleration is identical (AddOrUpdateTolerationInPodSpec returns early)', () => {
    const user: Toleration[] = [
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 },
    ];

    const tolerations = daemonPodTolerations({ tolerations: user });

    expect(tolerations.slice(0, 2)).toEqual(user);
  });

  it('does not modify the template', () => {
    const user: Toleration[] = [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 }];

    daemonPodTolerations({ tolerations: user, hostNetwork: true });

    expect(user).toEqual([{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 30 }]);
    expect(DAEMON_DEFAULT_TOLERATIONS).toHaveLength(6);
  });
});
