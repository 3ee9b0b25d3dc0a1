import { describe, expect, it } from 'vitest';
import type { LabelSelector } from '../../../functions/core/k8s-types.js';
import { compileLabelSelector, matchesLabelSelector } from '../../../functions/core/scheduling/index.js';

describe('matchesLabelSelector()', () => {
  // mirrors apimachinery pkg/apis/meta/v1/helpers_test.go:TestLabelSelectorAsSelector and pkg/labels/selector_test.go:TestRequirementMatches
  it.each<[string, LabelSelector | null | undefined, Record<string, string> | undefined, boolean]>([
    ['null selects nothing', null, { app: 'x' }, false],
    ['undefined selects nothing', undefined, { app: 'x' }, false],
    ['{} selects everything', {}, { app: 'x' }, true],
    ['{} selects unlabelled objects', {}, undefined, true],
    ['empty matchLabels and matchExpressions select everything', { matchLabels: {}, matchExpressions: [] }, {}, true],
    ['matchLabels equal', { matchLabels: { app: 'x' } }, { app: 'x', other: 'y' }, true],
    ['matchLabels different', { matchLabels: { app: 'x' } }, { app: 'y' }, false],
    ['matchLabels absent key', { matchLabels: { app: 'x' } }, {}, false],
    ['matchLabels empty value needs the key', { matchLabels: { flag: '' } }, { flag: '' }, true],
    [
      'matchLabels AND matchExpressions',
      { matchLabels: { app: 'x' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a'] }] },
      { app: 'x', tier: 'b' },
      false,
    ],
    ['In', { matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }] }, { tier: 'b' }, true],
    ['NotIn absent', { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['a'] }] }, {}, true],
    ['NotIn listed', { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['a'] }] }, { tier: 'a' }, false],
    ['Exists', { matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, { tier: '' }, true],
    ['DoesNotExist', { matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }, { tier: '' }, false],
    ['Gt is not a label selector operator: invalid, selects nothing', { matchExpressions: [{ key: 'n', operator: 'Gt', values: ['1'] }] }, { n: '5' }, false],
    ['In without values is invalid', { matchExpressions: [{ key: 'tier', operator: 'In', values: [] }] }, { tier: 'a' }, false],
    ['Exists with values is invalid', { matchExpressions: [{ key: 'tier', operator: 'Exists', values: ['a'] }] }, { tier: 'a' }, false],
    ['invalid matchLabels key is invalid', { matchLabels: { 'bad key': 'x' } }, { 'bad key': 'x' }, false],
    ['invalid matchLabels value is invalid', { matchLabels: { app: 'bad value' } }, { app: 'bad value' }, false],
  ])('%s', (_name, selector, labels, expected) => {
    expect(matchesLabelSelector(selector, labels)).toEqual(expected);
  });
});

describe('compileLabelSelector()', () => {
  it('says why an invalid selector selects nothing', () => {
    const compiled = compileLabelSelector({ matchExpressions: [{ key: 'n', operator: 'Gt', values: ['1'] }] });

    expect([compiled.empty, compiled.error]).toEqual([false, 'matchExpressions[0]: "Gt" is not a valid label selector operator']);
  });

  it('flags the empty selector', () => {
    expect([compileLabelSelector({}).empty, compileLabelSelector({ matchLabels: { a: 'b' } }).empty, compileLabelSelector(null).empty]).toEqual([
      true,
      false,
      false,
    ]);
  });

  it('returns the same compiled selector for the same object', () => {
    const selector: LabelSelector = { matchLabels: { app: 'x' } };

    expect(compileLabelSelector(selector)).toBe(compileLabelSelector(selector));
  });
});
