import { describe, expect, it } from 'vitest';
import { formatPullMarker } from '../../../functions/core/github-issues/marker.js';
import { decidePull, pullBranch, selectPullSubjects, type ExistingPull } from '../../../functions/core/github-issues/pull.js';
import type { Finding } from '../../../functions/core/types.js';
import { finding, report } from './reports.js';

const waiver = { reason: 'hot-fix', owner: 'platform', expires: '2026-12-31', gitFollowsCluster: true };
const drift = (ds: string, o: Partial<Finding> = {}) =>
  finding(ds, 'image/drift', { container: 'app', expected: 'r/app:1', actual: 'r/app:2', file: 'ds.yaml', waiver, ...o });

describe('pullBranch()', () => {
  it.each([
    ['prod-eu', 'kube-system', 'node-exporter', 'drift-auditor/prod-eu/kube-system-node-exporter'],
    ['Prod EU..1', 'ns', 'a.b', 'drift-auditor/prod-eu.1/ns-a.b'],
  ])('names the branch for %s %s/%s', (cluster, ns, name, want) => {
    expect(pullBranch(cluster, ns, name)).toEqual(want);
  });
});

describe('selectPullSubjects()', () => {
  it('takes only image/drift waived with gitFollowsCluster, one subject per DaemonSet', () => {
    const r = report([], {
      waived: [
        drift('a/x'),
        drift('a/x', { container: 'init', expected: 'r/init:1', actual: 'r/init:3' }),
        drift('b/y', { waiver: { ...waiver, gitFollowsCluster: false } }),
        finding('c/z', 'coverage/missing', { waiver }),
        drift('d/w', { file: undefined }),
      ],
    });

    const { subjects, skipped } = selectPullSubjects(r);

    expect(subjects.map((s) => [s.daemonSet, s.file, s.images, s.nodes])).toEqual([
      [
        'a/x',
        'ds.yaml',
        [
          { container: 'app', from: 'r/app:1', to: 'r/app:2' },
          { container: 'init', from: 'r/init:1', to: 'r/init:3' },
        ],
        { covered: 3, eligible: 3 },
      ],
    ]);
    expect(skipped).toEqual([{ daemonSet: 'd/w', reason: 'the findings name no manifest file' }]);
  });
});

describe('decidePull()', () => {
  const subject = selectPullSubjects(report([], { waived: [drift('a/x')] })).subjects[0]!;
  const pr = (number: number, state: 'open' | 'closed', merged: boolean, images = subject.imagesHash): ExistingPull => ({
    number,
    state,
    merged,
    body: formatPullMarker({ cluster: subject.cluster, daemonSet: subject.daemonSet, images }),
  });

  it.each([
    ['no PR', [], { kind: 'create' }],
    ['an open PR', [pr(3, 'open', false, 'f'.repeat(64))], { kind: 'update', number: 3 }],
    ['a merged PR for these images', [pr(3, 'closed', true)], { kind: 'none', number: 3, reason: 'merged for these images' }],
    ['a closed PR for these images', [pr(3, 'closed', false)], { kind: 'none', number: 3, reason: 'closed for these images: respected' }],
    ['a closed PR for other images', [pr(3, 'closed', false, 'f'.repeat(64))], { kind: 'create' }],
    ['a PR without our marker', [{ number: 4, state: 'open' as const, merged: false, body: 'by hand' }], { kind: 'create' }],
  ])('decides for %s', (_name, pulls, want) => {
    expect(decidePull(subject, pulls)).toEqual(want);
  });
});
