import { describe, expect, it } from 'vitest';
import type { NodeSelectorRequirement, NodeSelectorTerm, PodSpec } from '../../../functions/core/k8s-types.js';
import { labelKeyError, labelValueError } from '../../../functions/core/scheduling/labels.js';
import {
  compileNodeAffinity,
  compileNodeSelector,
  matchesNodeSelector,
  matchesRequiredNodeAffinity,
  nodeSelectorMismatch,
} from '../../../functions/core/scheduling/index.js';
import { node } from './helpers.js';

function required(...terms: (NodeSelectorTerm | null)[]): Pick<PodSpec, 'affinity'> {
  return { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms as NodeSelectorTerm[] } } } };
}
const expr = (key: string, operator: string, values?: string[]): NodeSelectorRequirement => (values ? { key, operator, values } : { key, operator });
const term = (...matchExpressions: NodeSelectorRequirement[]): NodeSelectorTerm => ({ matchExpressions });

describe('matchesNodeSelector()', () => {
  // mirrors pkg/scheduler/framework/plugins/nodeaffinity/node_affinity_test.go:TestNodeAffinity (nodeSelector cases)
  it.each<[string, Record<string, string> | null | undefined, Record<string, string>, boolean]>([
    ['absent nodeSelector imposes nothing', undefined, {}, true],
    ['empty nodeSelector imposes nothing', {}, { a: 'b' }, true],
    ['equal value', { 'kubernetes.io/os': 'linux' }, { 'kubernetes.io/os': 'linux' }, true],
    ['different value', { 'kubernetes.io/os': 'linux' }, { 'kubernetes.io/os': 'windows' }, false],
    ['missing key', { 'kubernetes.io/os': 'linux' }, {}, false],
    [
      'empty-string value needs the label present with an empty value',
      { 'node-role.kubernetes.io/master': '' },
      { 'node-role.kubernetes.io/master': '' },
      true,
    ],
    ['empty-string value does not match an absent label', { 'node-role.kubernetes.io/master': '' }, {}, false],
    ['empty-string value does not match a non-empty value', { 'node-role.kubernetes.io/master': '' }, { 'node-role.kubernetes.io/master': 'true' }, false],
    ['all entries must hold', { a: '1', b: '2' }, { a: '1', b: '3' }, false],
    ['a key named like an Object.prototype property', { constructor: 'x' }, {}, false],
  ])('%s', (_name, selector, labels, expected) => {
    expect(matchesNodeSelector(selector, labels)).toEqual(expected);
  });

  it('names the failing key, the wanted value and the node value', () => {
    const mismatch = nodeSelectorMismatch({ a: '1', 'kubernetes.io/os': 'windows' }, { a: '1', 'kubernetes.io/os': 'linux' });

    expect(mismatch).toEqual({ kind: 'node-selector', key: 'kubernetes.io/os', expected: 'windows', actual: 'linux' });
  });
});

describe('compileNodeSelector()', () => {
  const labelled = node('host_1', { label_1: 'label_1_val' });

  // mirrors component-helpers scheduling/corev1/nodeaffinity/nodeaffinity_test.go:TestNodeSelectorMatch
  it.each<[string, NodeSelectorTerm[], boolean]>([
    [
      'field and label selector both match',
      [{ matchExpressions: [expr('label_1', 'In', ['label_1_val'])], matchFields: [expr('metadata.name', 'In', ['host_1'])] }],
      true,
    ],
    [
      'field matches but labels do not',
      [{ matchExpressions: [expr('label_1', 'In', ['other'])], matchFields: [expr('metadata.name', 'In', ['host_1'])] }],
      false,
    ],
    ['second term matches (OR over terms)', [term(expr('label_1', 'In', ['nope'])), { matchFields: [expr('metadata.name', 'In', ['host_1'])] }], true],
    ['matchFields NotIn the node name', [{ matchFields: [expr('metadata.name', 'NotIn', ['host_1'])] }], false],
    ['matchFields NotIn another name', [{ matchFields: [expr('metadata.name', 'NotIn', ['host_2'])] }], true],
    ['matchFields with two values is a parse error', [{ matchFields: [expr('metadata.name', 'In', ['host_1', 'host_2'])] }], false],
    ['matchFields with Exists is a parse error', [{ matchFields: [expr('metadata.name', 'Exists')] }], false],
    ['malformed term skipped while another term matches', [term(expr('invalid key', 'In', ['label_value'])), term(expr('label_1', 'Exists'))], true],
    ['a malformed expression spoils its whole term', [term(expr('label_1', 'Exists'), expr('x', 'Gt', ['1', '2']))], false],
    ['AND within a term', [term(expr('label_1', 'Exists'), expr('zone', 'Exists'))], false],
    ['empty term is skipped, matches nothing', [{}], false],
    ['empty term skipped while another matches', [{}, term(expr('label_1', 'Exists'))], true],
    ['null term skipped', [null as unknown as NodeSelectorTerm, term(expr('label_1', 'Exists'))], true],
    ['term with empty expression lists is skipped', [{ matchExpressions: [], matchFields: [] }], false],
    ['empty term list matches nothing', [], false],
  ])('%s', (_name, terms, expected) => {
    const selector = compileNodeSelector({ nodeSelectorTerms: terms });

    expect(selector.matches(labelled)).toEqual(expected);
  });

  it('treats null nodeSelectorTerms as matching nothing', () => {
    expect(compileNodeSelector({ nodeSelectorTerms: null }).matches(labelled)).toEqual(false);
  });

  it('ignores matchFields for a node without a name (extractNodeFields)', () => {
    const selector = compileNodeSelector({ nodeSelectorTerms: [{ matchFields: [expr('metadata.name', 'In', ['host_1'])] }] });

    expect(selector.matches(node('', {}))).toEqual(true);
  });

  // mirrors apimachinery pkg/labels/selector_test.go:TestRequirementConstructor and TestRequirementMatches
  it.each<[string, NodeSelectorRequirement, Record<string, string>, boolean]>([
    ['In present', expr('k', 'In', ['a', 'b']), { k: 'b' }, true],
    ['In absent', expr('k', 'In', ['a']), {}, false],
    ['In with no values is a parse error', expr('k', 'In', []), { k: 'a' }, false],
    ['NotIn absent key', expr('k', 'NotIn', ['a']), {}, true],
    ['NotIn other value', expr('k', 'NotIn', ['a']), { k: 'b' }, true],
    ['NotIn listed value', expr('k', 'NotIn', ['a']), { k: 'a' }, false],
    ['NotIn with no values is a parse error', expr('k', 'NotIn', []), {}, false],
    ['Exists', expr('k', 'Exists'), { k: '' }, true],
    ['Exists absent', expr('k', 'Exists'), {}, false],
    ['Exists with values is a parse error', expr('k', 'Exists', ['a']), { k: 'a' }, false],
    ['DoesNotExist absent', expr('k', 'DoesNotExist'), {}, true],
    ['DoesNotExist present', expr('k', 'DoesNotExist'), { k: 'a' }, false],
    ['DoesNotExist with values is a parse error', expr('k', 'DoesNotExist', ['a']), {}, false],
    ['Gt', expr('gen', 'Gt', ['4']), { gen: '5' }, true],
    ['Gt is strict', expr('gen', 'Gt', ['5']), { gen: '5' }, false],
    ['Lt', expr('gen', 'Lt', ['5']), { gen: '4' }, true],
    ['Lt is strict', expr('gen', 'Lt', ['5']), { gen: '5' }, false],
    ['Gt with leading zeros on the node label (ParseInt accepts them)', expr('cpu-gen', 'Gt', ['0204']), { 'cpu-gen': '0206' }, true],
    ['Gt with a leading-zero threshold', expr('cpu-gen', 'Gt', ['0204']), { 'cpu-gen': '204' }, false],
    ['Gt with a negative node label value', expr('t', 'Gt', ['0']), { t: '-3' }, false],
    ['Gt with threshold "-1" never matches: not a valid label value', expr('t', 'Gt', ['-1']), { t: '5' }, false],
    ['Lt with threshold "-1" never matches either', expr('t', 'Lt', ['-1']), { t: '-5' }, false],
    ['Gt with a non-integer node label', expr('t', 'Gt', ['1']), { t: 'big' }, false],
    ['Gt with an absent label', expr('t', 'Gt', ['1']), {}, false],
    ['Gt with a non-integer threshold is a parse error', expr('t', 'Gt', ['1.5']), { t: '2' }, false],
    ['Gt with two values is a parse error', expr('t', 'Gt', ['1', '2']), { t: '5' }, false],
    ['Gt with no values is a parse error', expr('t', 'Gt', []), { t: '5' }, false],
    ['Gt beyond int64 on the node never matches', expr('t', 'Gt', ['1']), { t: '9223372036854775808' }, false],
    ['Gt at int64 max', expr('t', 'Gt', ['9223372036854775806']), { t: '9223372036854775807' }, true],
    ['unknown operator is a parse error', expr('k', 'Equals', ['a']), { k: 'a' }, false],
    ['invalid label key is a parse error', expr('Bad Key', 'Exists'), { 'Bad Key': 'x' }, false],
    ['invalid label value in In is a parse error', expr('k', 'In', ['a b']), { k: 'a b' }, false],
    ['value longer than 63 characters is a parse error', expr('k', 'In', ['a'.repeat(64)]), { k: 'a'.repeat(64) }, false],
    [
      'key with a DNS prefix',
      expr('feature.node.kubernetes.io/pci-10de.present', 'In', ['true']),
      { 'feature.node.kubernetes.io/pci-10de.present': 'true' },
      true,
    ],
  ])('%s', (_name, requirement, labels, expected) => {
    const selector = compileNodeSelector({ nodeSelectorTerms: [term(requirement)] });

    expect(selector.matches(node('n', labels))).toEqual(expected);
  });

  it('reports which term and expression failed', () => {
    const selector = compileNodeSelector({
      nodeSelectorTerms: [term(expr('kubernetes.io/os', 'In', ['windows'])), term(expr('t', 'Gt', ['-1']))],
    });

    const detail = selector.mismatch(node('n', { 'kubernetes.io/os': 'linux' }));

    expect(detail).toContain('term 0: kubernetes.io/os In [windows] fails: node has kubernetes.io/os="linux"');
    expect(detail).toContain('term 1: never matches, invalid: matchExpressions[0] (t Gt [-1])');
    expect(selector.termErrors.map((e) => e.term)).toEqual([1]);
  });

  it.each<[string, NodeSelectorTerm[], string]>([
    ['no terms', [], 'required node affinity has no nodeSelectorTerms, so it matches no node'],
    ['only empty terms', [{}], 'required node affinity has only empty nodeSelectorTerms, so it matches no node'],
  ])('explains %s', (_name, terms, expected) => {
    expect(compileNodeSelector({ nodeSelectorTerms: terms }).mismatch(node('n'))).toEqual(expected);
  });

  it('returns null detail for a matching node', () => {
    expect(compileNodeSelector({ nodeSelectorTerms: [term(expr('a', 'Exists'))] }).mismatch(node('n', { a: '' }))).toEqual(null);
  });
});

describe('compileNodeAffinity()', () => {
  // mirrors pkg/scheduler/framework/plugins/nodeaffinity/node_affinity_test.go:TestNodeAffinity
  it('requires nodeSelector in addition to required affinity', () => {
    const spec: Pick<PodSpec, 'nodeSelector' | 'affinity'> = { nodeSelector: { 'kubernetes.io/os': 'linux' }, ...required(term(expr('zone', 'In', ['a']))) };

    const results = [node('1', { 'kubernetes.io/os': 'linux', zone: 'a' }), node('2', { zone: 'a' }), node('3', { 'kubernetes.io/os': 'linux' })].map((n) =>
      matchesRequiredNodeAffinity(spec, n),
    );

    expect(results).toEqual([true, false, false]);
  });

  it('imposes nothing without affinity, or with nodeAffinity lacking required terms', () => {
    const specs: Pick<PodSpec, 'nodeSelector' | 'affinity'>[] = [
      {},
      { affinity: {} },
      { affinity: { nodeAffinity: {} } },
      { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [] } } },
    ];

    expect(specs.map((s) => matchesRequiredNodeAffinity(s, node('n')))).toEqual([true, true, true, true]);
  });

  it('matches nothing when required affinity is present with an empty term list', () => {
    const spec = { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: {} } } };

    expect(matchesRequiredNodeAffinity(spec, node('n'))).toEqual(false);
  });

  it('reports the nodeSelector before affinity', () => {
    const compiled = compileNodeAffinity({ nodeSelector: { os: 'windows' }, ...required(term(expr('zone', 'Exists'))) });

    expect(compiled.mismatch(node('n', {}))).toEqual({ kind: 'node-selector', key: 'os', expected: 'windows', actual: null });
  });

  it('reports affinity failures as node-affinity with a detail', () => {
    const compiled = compileNodeAffinity(required(term(expr('zone', 'Exists'))));

    expect(compiled.mismatch(node('n', {}))).toEqual({
      kind: 'node-affinity',
      detail: 'no required nodeSelectorTerm matches: term 0: zone Exists fails: node has no label zone',
    });
  });
});

describe('labelKeyError() and labelValueError()', () => {
  // mirrors apimachinery pkg/util/validation/validation_test.go:TestIsQualifiedName and TestIsValidLabelValue
  it.each<[string, boolean]>([
    ['simple', true],
    ['kubernetes.io/os', true],
    ['a.b-c_d', true],
    ['1-num.2-num/3-num', true],
    ['x'.repeat(63), true],
    [`${'a'.repeat(253)}/b`, true],
    ['x'.repeat(64), false],
    [`${'a'.repeat(254)}/b`, false],
    ['', false],
    ['/name', false],
    ['prefix/', false],
    ['a/b/c', false],
    ['Upper.Prefix/name', false],
    ['name with space', false],
    ['-startdash', false],
    ['enddot.', false],
  ])('key %j valid: %s', (key, valid) => {
    expect(labelKeyError(key) === null).toEqual(valid);
  });

  it.each<[string, boolean]>([
    ['', true],
    ['linux', true],
    ['A-b_c.9', true],
    ['0206', true],
    ['v'.repeat(63), true],
    ['v'.repeat(64), false],
    ['-1', false],
    ['trailing-', false],
    ['has space', false],
    ['a/b', false],
  ])('value %j valid: %s', (value, valid) => {
    expect(labelValueError(value) === null).toEqual(valid);
  });
});
