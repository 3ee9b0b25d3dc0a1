import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { formatDuration, rolloutStuck } from '../../../../functions/core/checks/rollout/stuck.js';
import type { K8sDaemonSet } from '../../../../functions/core/k8s-types.js';
import { AT, daemonSet, defaultPolicy, desiredOf, node, pod, revision, snapshotOf } from '../../../support/builders.js';
import { runCheck } from '../support.js';
import { CAPTURES as FIXTURES } from '../../../support/captures.js';

const HOUR_AGO = new Date(AT.getTime() - 3600_000).toISOString();
const MINUTES_AGO = new Date(AT.getTime() - 600_000).toISOString();

function rollingDs(status: K8sDaemonSet['status'], generation = 2): K8sDaemonSet {
  return daemonSet('kube-system/agent', { generation, status });
}

function run(ds: K8sDaemonSet, revisionCreated: string | null) {
  const revisions =
    revisionCreated === null
      ? []
      : [
          { ...revision(ds, 1, 'old'), metadata: { ...revision(ds, 1, 'old').metadata, creationTimestamp: '2026-01-01T00:00:00Z' } },
          { ...revision(ds, 2), metadata: { ...revision(ds, 2).metadata, creationTimestamp: revisionCreated } },
        ];
  return runCheck(rolloutStuck, snapshotOf({ nodes: [node('n1')], daemonSets: [ds], controllerRevisions: revisions }), desiredOf([]), defaultPolicy());
}

describe('rolloutStuck', () => {
  it('reports old-revision pods past the threshold, timed from the newest ControllerRevision', () => {
    const ds = rollingDs({ desiredNumberScheduled: 5, currentNumberScheduled: 5, updatedNumberScheduled: 3, numberUnavailable: 1, observedGeneration: 2 });

    const findings = run(ds, HOUR_AGO);

    expect(findings).toEqual([
      {
        rule: 'rollout/stuck',
        severity: 'warning',
        namespace: 'kube-system',
        daemonSet: 'agent',
        node: null,
        message: `rollout not finished, running for 1h 0m since revision 2 at ${HOUR_AGO}, over the 30m threshold: 3 of 5 pods updated (2 still run an old revision); 1 of 5 pods unavailable`,
        expected: { observedGeneration: 2, updatedNumberScheduled: 5, numberUnavailable: 0 },
        actual: { observedGeneration: 2, updatedNumberScheduled: 3, numberUnavailable: 1 },
        path: 'status',
      },
    ]);
  });

  it('says the start is unknown when the current revision has no creation time, rather than printing undefined', () => {
    const ds = rollingDs({ desiredNumberScheduled: 2, currentNumberScheduled: 2, updatedNumberScheduled: 1, observedGeneration: 2 });
    const revisions = [revision(ds, 1, 'old'), revision(ds, 2)];

    const findings = runCheck(
      rolloutStuck,
      snapshotOf({ nodes: [node('n1')], daemonSets: [ds], controllerRevisions: revisions }),
      desiredOf([]),
      defaultPolicy(),
    );

    expect(findings.map((f) => f.message)).toEqual([
      'rollout not finished, its start is unknown (revision 2 has no creationTimestamp): 1 of 2 pods updated (1 still run an old revision)',
    ]);
  });

  it('reports a controller that has not observed the latest generation', () => {
    const ds = rollingDs({ desiredNumberScheduled: 2, currentNumberScheduled: 2, updatedNumberScheduled: 2, observedGeneration: 1 }, 2);

    expect(run(ds, HOUR_AGO).map((f) => f.message)).toEqual([
      `rollout not finished, running for 1h 0m since revision 2 at ${HOUR_AGO}, over the 30m threshold: the controller has not yet acted on generation 2 (status.observedGeneration 1)`,
    ]);
  });

  it.each<[string, K8sDaemonSet['status'], string | null]>([
    ['a rollout within the threshold', { desiredNumberScheduled: 5, currentNumberScheduled: 5, updatedNumberScheduled: 3, observedGeneration: 2 }, MINUTES_AGO],
    [
      'a finished rollout with an unready pod',
      { desiredNumberScheduled: 5, currentNumberScheduled: 5, updatedNumberScheduled: 5, numberUnavailable: 1, observedGeneration: 2 },
      HOUR_AGO,
    ],
    [
      'a node without a pod (coverage/missing)',
      { desiredNumberScheduled: 5, currentNumberScheduled: 4, updatedNumberScheduled: 4, observedGeneration: 2 },
      HOUR_AGO,
    ],
  ])('does not report %s', (_case, status, created) => {
    expect(run(rollingDs(status), created)).toEqual([]);
  });

  it('does not count old pods under OnDelete (real OnDelete DaemonSet without updatedNumberScheduled)', () => {
    const ds = parse(readFileSync(`${FIXTURES}argo-cd/daemonset-ondelete.yaml`, 'utf8')) as K8sDaemonSet;

    expect(run({ ...ds, metadata: { ...ds.metadata, uid: 'u1', generation: 4 } }, HOUR_AGO)).toEqual([]);
  });

  // kubernetes/kubernetes pkg/controller/daemon/update.go:constructHistory: a rollback (kubectl rollout undo, or a Git
  // revert) reuses the ControllerRevision whose data matches the template and only raises its .revision to max+1, so
  // that revision's creationTimestamp dates from the first time the template was used, not from the rollback.
  describe('after a rollback that reused an old ControllerRevision', () => {
    const ds = rollingDs({ desiredNumberScheduled: 3, currentNumberScheduled: 3, updatedNumberScheduled: 1, observedGeneration: 2 });
    const created = (r: ReturnType<typeof revision>, at: string) => ({ ...r, metadata: { ...r.metadata, creationTimestamp: at } });
    // revision 3 (current hash) was first created as revision 1 months ago; revision 2 (hash 'bad') a day ago.
    const revisions = [created(revision(ds, 3), '2026-01-01T00:00:00Z'), created(revision(ds, 2, 'bad'), '2026-05-31T12:00:00Z')];
    const runWith = (updatedPodCreated: string | null) => {
      const pods = [pod(ds, 'n1', { revisionHash: 'bad' }), pod(ds, 'n2', { revisionHash: 'bad' })];
      if (updatedPodCreated) pods.push(pod(ds, 'n3', { creationTimestamp: updatedPodCreated }));
      return runCheck(
        rolloutStuck,
        snapshotOf({ nodes: [node('n1'), node('n2'), node('n3')], daemonSets: [ds], pods, controllerRevisions: revisions }),
        desiredOf([]),
        defaultPolicy(),
      );
    };

    it("does not time the rollout from the reused revision's creation", () => {
      expect(runWith(MINUTES_AGO)).toEqual([]);
    });

    it('times it from the first pod of the current revision created after the newer revision', () => {
      expect(runWith(HOUR_AGO).map((f) => f.message)).toEqual([
        `rollout not finished, running for at least 1h 0m (revision 3 was reused by a rollback; its first new pod ${'agent-n3'} was created at ${HOUR_AGO}), over the 30m threshold: 1 of 3 pods updated (2 still run an old revision)`,
      ]);
    });

    it('reports without a duration when no pod of the current revision was created since', () => {
      expect(runWith(null).map((f) => f.message)).toEqual([
        'rollout not finished, its start is unknown (revision 3 was reused by a rollback after revision 2 of 2026-05-31T12:00:00Z, and no pod of it was created since): 1 of 3 pods updated (2 still run an old revision)',
      ]);
    });
  });

  it('reports without a duration when no ControllerRevision is known', () => {
    const ds = rollingDs({ desiredNumberScheduled: 2, currentNumberScheduled: 2, updatedNumberScheduled: 0, observedGeneration: 2 });

    expect(run(ds, null).map((f) => f.message)).toEqual([
      'rollout not finished, its start is unknown (no ControllerRevision in the snapshot): 0 of 2 pods updated (2 still run an old revision)',
    ]);
  });
});

describe('formatDuration()', () => {
  it.each([
    [45, '45s'],
    [600, '10m'],
    [3660, '1h 1m'],
    [90000, '1d 1h'],
  ])('formats %s seconds as %s', (s, text) => {
    expect(formatDuration(s)).toEqual(text);
  });
});
