import { describe, expect, it } from 'vitest';
import { block, elideCommonPrefix, expectedVersusActual as segmented, segmentsText } from '../../../functions/core/render/expected-actual.js';
import type { Finding } from '../../../functions/core/types.js';

/** The change as plain text: each line's and full value's segments joined. */
function expectedVersusActual(f: Pick<Finding, 'expected' | 'actual'>) {
  const change = segmented(f);
  if (!change) return change;
  const { full, ...rest } = change;
  return {
    ...rest,
    lines: change.lines.map(segmentsText),
    ...(full ? { full: { expected: segmentsText(full.expected), actual: segmentsText(full.actual) } } : {}),
  };
}

const DIGEST_A = `sha256:${'92014e86df88'}${'4'.repeat(52)}`;
const DIGEST_B = `sha256:${'716552f09d77'}${'2'.repeat(52)}`;

describe('expectedVersusActual()', () => {
  it('returns null for a finding with neither value', () => {
    expect(expectedVersusActual({})).toBeNull();
  });

  it.each([
    [3, 1, 'expected 3 → actual 1'],
    ['Ready', 'CrashLoopBackOff', 'expected Ready → actual CrashLoopBackOff'],
    ['absent', 'present', 'expected absent → actual present'],
    [1, null, 'expected 1 → actual (none)'],
    [undefined, true, 'expected (none) → actual true'],
  ])('shows the short values %j and %j inline, with nothing to unfold', (expected, actual, line) => {
    expect(expectedVersusActual({ expected, actual })).toEqual({ lines: [line], more: 0 });
  });

  it('elides the common repository of two images and keeps the full references', () => {
    const change = expectedVersusActual({ expected: 'nvcr.io/nvidia/k8s-device-plugin:v0.20.0', actual: 'nvcr.io/nvidia/k8s-device-plugin:v0.17.1' });

    expect(change).toEqual({
      lines: ['expected …:v0.20.0 → actual …:v0.17.1'],
      more: 0,
      full: { expected: 'nvcr.io/nvidia/k8s-device-plugin:v0.20.0', actual: 'nvcr.io/nvidia/k8s-device-plugin:v0.17.1' },
    });
  });

  it('lists only the keys that differ between two objects, by their path', () => {
    const expected = { limits: { memory: '128Mi', cpu: '100m' }, requests: { memory: '64Mi' } };
    const actual = { limits: { memory: '256Mi', cpu: '100m' }, requests: { memory: '64Mi', cpu: '10m' } };

    const change = expectedVersusActual({ expected, actual });

    expect(change?.lines).toEqual(['limits.memory: 128Mi → 256Mi', 'requests.cpu: (none) → 10m']);
    expect(change?.full).toEqual({
      expected: 'limits:\n  memory: 128Mi\n  cpu: 100m\nrequests:\n  memory: 64Mi',
      actual: 'limits:\n  memory: 256Mi\n  cpu: 100m\nrequests:\n  memory: 64Mi\n  cpu: 10m',
    });
  });

  it('compares an object with an absent value key by key', () => {
    expect(expectedVersusActual({ expected: { memory: 'a limit' }, actual: null })?.lines).toEqual(['memory: a limit → (none)']);
  });

  it('shows list items only Git has with − and items only the cluster has with +, ignoring order', () => {
    const expected = [
      { key: 'CriticalAddonsOnly', operator: 'Exists' },
      { operator: 'Exists', effect: 'NoSchedule' },
    ];
    const actual = [
      { operator: 'Exists', effect: 'NoSchedule' },
      { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
    ];

    const change = expectedVersusActual({ expected, actual });

    expect(change?.lines).toEqual(['− {key: CriticalAddonsOnly, operator: Exists}', '+ {key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}']);
    expect(change?.full?.actual).toEqual('- operator: Exists\n  effect: NoSchedule\n- key: nvidia.com/gpu\n  operator: Exists\n  effect: NoSchedule');
  });

  it('says when two lists hold the same items in another order', () => {
    expect(expectedVersusActual({ expected: ['--a', '--b'], actual: ['--b', '--a'] })?.lines).toEqual(['the same items in another order']);
  });

  it('shows at most three changes and counts the rest', () => {
    const expected = Object.fromEntries(['a', 'b', 'c', 'd', 'e'].map((k) => [k, '1']));
    const actual = Object.fromEntries(['a', 'b', 'c', 'd', 'e'].map((k) => [k, '2']));

    const change = expectedVersusActual({ expected, actual });

    expect(change?.lines).toEqual(['a: 1 → 2', 'b: 1 → 2', 'c: 1 → 2']);
    expect(change?.more).toEqual(2);
    expect(change?.full?.expected.split('\n')).toHaveLength(5);
  });

  it('shows a value and an object of another kind whole on one line, digests shortened', () => {
    const change = expectedVersusActual({
      expected: DIGEST_A,
      actual: [
        { digest: DIGEST_A, nodes: 7 },
        { digest: DIGEST_B, nodes: 5 },
      ],
    });

    expect(change?.lines).toEqual([
      'expected sha256:92014e86df88… → actual [{digest: sha256:92014e86df88…, nodes: 7}, {digest: sha256:716552f09d77…, nodes: 5}]',
    ]);
    expect(change?.full?.expected).toEqual(DIGEST_A);
    expect(change?.full?.actual).toContain(`- digest: ${DIGEST_B}\n  nodes: 5`);
  });

  it('cuts a long line and keeps the full value to unfold', () => {
    const long = 'x'.repeat(500);

    const change = expectedVersusActual({ expected: long, actual: 'y' });

    expect(change?.lines[0]!.length).toBeLessThan(120);
    expect(change?.lines[0]).toMatch(/^expected x+… → actual y$/);
    expect(change?.full?.expected).toEqual(long);
  });

  it('keeps field names and values in their own segments, apart from its own syntax', () => {
    const change = segmented({ expected: [{ key: 'nvidia.com/gpu', operator: 'Exists' }], actual: null });

    expect(change?.lines).toEqual([['− {', 'key', ': ', 'nvidia.com/gpu', ', ', 'operator', ': ', 'Exists', '}']]);
    expect(change?.full?.expected).toEqual(['- ', 'key', ': ', 'nvidia.com/gpu', '\n  ', 'operator', ': ', 'Exists']);
    expect(segmented({ expected: 1, actual: null })?.lines).toEqual([['expected ', '1', ' → actual (none)']]);
  });

  it('never writes JSON for structured values', () => {
    const change = expectedVersusActual({ expected: { rule: 'resource/unmanaged', owner: 'sre-oncall' }, actual: { unhiddenFindings: 1 } });

    expect(change?.lines).toEqual(['expected {rule: resource/unmanaged, owner: sre-oncall} → actual {unhiddenFindings: 1}']);
    expect(JSON.stringify(change)).not.toContain('\\"');
  });
});

describe('elideCommonPrefix()', () => {
  it.each([
    ['docker.io/fluent/fluentd:v1.16', 'docker.io/fluent/fluentd:v1.17', ['…:v1.16', '…:v1.17']],
    ['registry.k8s.io/a/b@sha256:1', 'registry.k8s.io/a/c@sha256:1', ['…/b@sha256:1', '…/c@sha256:1']],
    ['nginx:1.27', 'nginx:1.28', ['nginx:1.27', 'nginx:1.28']],
    ['same/long/repository:tag', 'same/long/repository:tag', ['same/long/repository:tag', 'same/long/repository:tag']],
  ])('turns %s and %s into %j', (a, b, out) => {
    expect(elideCommonPrefix(a, b)).toEqual(out);
  });
});

describe('block()', () => {
  it('writes nested values as indented lines, empty ones as {} and []', () => {
    expect(segmentsText(block({ a: { b: [1, { c: 'd' }] }, e: {}, f: [] }).parts)).toEqual('a:\n  b:\n    - 1\n    - c: d\ne: {}\nf: []');
  });
});
