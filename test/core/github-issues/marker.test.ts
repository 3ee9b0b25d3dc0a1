import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  formatIssueMarker,
  formatKeysBlock,
  formatPullMarker,
  parseIssueMarker,
  parseKeysBlock,
  parsePullMarker,
} from '../../../functions/core/github-issues/marker.js';
import { sha256Hex } from '../../../functions/core/github-issues/sha256.js';
import { findingKey, fingerprintOf, parseFindingKey, selectSubjects, wasAudited } from '../../../functions/core/github-issues/subjects.js';
import { finding, report } from './reports.js';

describe('sha256Hex()', () => {
  it.each(['', 'abc', 'x'.repeat(55), 'x'.repeat(56), 'x'.repeat(64), 'é @org #1 ✓'.repeat(40)])('matches node:crypto for %#', (s) => {
    const want = createHash('sha256').update(s, 'utf8').digest('hex');

    expect(sha256Hex(s)).toEqual(want);
  });
});

describe('parseIssueMarker()', () => {
  it('reads back what formatIssueMarker wrote, even for a cluster name with spaces and -->', () => {
    const m = { cluster: 'prod eu -->x', daemonSet: 'kube-system/node-exporter', fingerprint: sha256Hex('k') };

    const body = `${formatIssueMarker(m)}\n### text`;

    expect([parseIssueMarker(body), body.split('-->').length]).toEqual([m, 2]);
  });

  it('returns null for a body without a marker', () => {
    expect(parseIssueMarker('### Drift: kube-system/x\n<!-- something else -->')).toEqual(null);
  });
});

describe('parsePullMarker()', () => {
  it('reads back what formatPullMarker wrote and does not read an issue marker', () => {
    const m = { cluster: 'prod', daemonSet: 'gpu/plugin', images: sha256Hex('i') };

    expect([
      parsePullMarker(formatPullMarker(m)),
      parsePullMarker(formatIssueMarker({ cluster: 'prod', daemonSet: 'gpu/plugin', fingerprint: m.images })),
    ]).toEqual([m, null]);
  });
});

describe('parseKeysBlock()', () => {
  it('reads all keys back when they fit', () => {
    const keys = ['["a",null,null,null,null,null]', '["b","n1",null,null,null,null]'];

    expect(parseKeysBlock(`body\n${formatKeysBlock(keys, 1000)}`)).toEqual({ keys, count: 2, complete: true });
  });

  it('says the list is partial when it was cut at maxChars', () => {
    const keys = Array.from({ length: 10 }, (_, i) => `["r","node-${i}",null,null,null,null]`);

    const parsed = parseKeysBlock(formatKeysBlock(keys, 100));

    expect([parsed.keys.length, parsed.count, parsed.complete]).toEqual([2, 10, false]);
  });
});

describe('findingKey()', () => {
  it('ignores the message and keeps short expected/actual values', () => {
    const a = finding('ns/ds', 'image/drift', { container: 'c', expected: 'a:1', actual: 'a:2', message: 'one' });
    const b = { ...a, message: 'two', actual: 'a:2' };
    const c = { ...a, actual: 'a:3' };

    expect([findingKey(a) === findingKey(b), findingKey(a) === findingKey(c)]).toEqual([true, false]);
  });

  it('cannot close an HTML comment and parses back', () => {
    const f = finding('ns/ds', 'coverage/missing', { node: 'n-->x<b>&', actual: { ready: 1 } });

    const key = findingKey(f);

    expect([/[<>&]/.test(key), parseFindingKey(key)]).toEqual([
      false,
      { rule: 'coverage/missing', node: 'n-->x<b>&', container: null, path: null, expected: null, actual: null },
    ]);
  });
});

describe('selectSubjects()', () => {
  it('groups findings at or above the threshold by DaemonSet, worst severity first', () => {
    const r = report([
      finding('b/y', 'coverage/missing', { node: 'n1', severity: 'critical' }),
      finding('a/x', 'image/drift', { container: 'c' }),
      finding('b/y', 'coverage/unready', { node: 'n2' }),
      finding('c/z', 'practice/latest', { severity: 'info' }),
      finding('/', 'audit/incomplete', { daemonSet: '', namespace: '', severity: 'critical' }),
    ]);

    const subjects = selectSubjects(r, 'warning');

    expect(subjects.map((s) => [s.daemonSet, s.severity, s.findings.map((f) => f.rule), s.fingerprint === fingerprintOf(s.keys)])).toEqual([
      ['a/x', 'warning', ['image/drift'], true],
      ['b/y', 'critical', ['coverage/missing', 'coverage/unready'], true],
    ]);
  });
});

describe('wasAudited()', () => {
  it.each([
    ['a DaemonSet in the coverage table of a complete report', report([], { audited: ['a/x'] }), 'a/x', true],
    ['a DaemonSet gone from a complete all-namespace audit', report([]), 'a/x', true],
    ['anything in an incomplete report', report([], { audited: ['a/x'], complete: false }), 'a/x', false],
    [
      'a namespace outside the audited ones',
      { ...report([]), inputs: { snapshot: { kind: 'live' as const, namespaces: ['b'] }, desired: { kind: 'folder' as const, location: 'g' } } },
      'a/x',
      false,
    ],
  ])('answers for %s', (_name, r, ds, want) => {
    expect(wasAudited(r, ds)).toEqual(want);
  });
});
