import { describe, expect, it } from 'vitest';
import { audit } from '../../functions/core/audit.js';
import type { DesiredState } from '../../functions/core/types.js';
import { AT, daemonSet, defaultPolicy, desiredOf, node, pod, snapshotOf } from '../support/builders.js';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;
const id = (digest: string): string => `docker.io/fluent/fluentd@${digest}`;

describe('computeImages() through audit()', () => {
  it("puts each container's Git image beside the live template's and what the pods run, with digests and pod counts", () => {
    const git = daemonSet('logging/fluentd', { image: 'fluent/fluentd:v1.17', initContainers: [{ name: 'init', image: 'busybox:1.36' }] });
    const live = daemonSet('logging/fluentd', { image: 'fluent/fluentd:v1.16', initContainers: [{ name: 'init', image: 'busybox:1.36' }] });
    const nodes = ['n1', 'n2', 'n3', 'n4'].map((n) => node(n));
    const pods = [
      pod(live, 'n1', { imageIDs: { fluentd: id(D1) } }),
      pod(live, 'n2', { imageIDs: { fluentd: id(D2) } }),
      pod(live, 'n3', { imageIDs: { fluentd: id(D2) } }),
      pod(live, 'n4', { images: { fluentd: 'fluent/fluentd:v1.17' } }),
    ];

    const report = audit(snapshotOf({ nodes, daemonSets: [live], pods }), desiredOf([git]), defaultPolicy(), AT);

    expect(report.coverage[0]!.images).toEqual([
      { container: 'init', init: true, git: 'busybox:1.36', live: 'busybox:1.36', running: [{ image: 'busybox:1.36', digest: null, pods: 4 }] },
      {
        container: 'fluentd',
        git: 'fluent/fluentd:v1.17',
        live: 'fluent/fluentd:v1.16',
        running: [
          { image: 'fluent/fluentd:v1.16', digest: D2, pods: 2 },
          { image: 'fluent/fluentd:v1.16', digest: D1, pods: 1 },
          { image: 'fluent/fluentd:v1.17', digest: null, pods: 1 },
        ],
      },
    ]);
  });

  it("lists containers only the cluster has after Git's, and none of Git's images without Git", () => {
    const git = daemonSet('kube-system/agent', { containers: [{ name: 'agent', image: 'agent:1' }] });
    const live = daemonSet('kube-system/agent', {
      containers: [
        { name: 'agent', image: 'agent:1' },
        { name: 'debug', image: 'netshoot:latest' },
      ],
    });
    const noGit: DesiredState = { ...desiredOf([]), source: { kind: 'none', location: '' } };
    const snapshot = snapshotOf({ nodes: [node('n1')], daemonSets: [live], pods: [pod(live, 'n1')] });

    const withGit = audit(snapshot, desiredOf([git]), defaultPolicy(), AT).coverage[0]!.images;
    const liveOnly = audit(snapshot, noGit, defaultPolicy(), AT).coverage[0]!.images;

    expect(withGit?.map((c) => [c.container, c.git, c.live, c.running.length])).toEqual([
      ['agent', 'agent:1', 'agent:1', 1],
      ['debug', null, 'netshoot:latest', 1],
    ]);
    expect(liveOnly?.map((c) => [c.container, c.git])).toEqual([
      ['agent', null],
      ['debug', null],
    ]);
  });

  it('gives a DaemonSet that is only in Git its Git images and nothing running', () => {
    const git = daemonSet('kube-system/agent', { image: 'agent:2' });

    const report = audit(snapshotOf({ nodes: [node('n1')] }), desiredOf([git]), defaultPolicy(), AT);

    expect(report.coverage[0]!.images).toEqual([{ container: 'agent', git: 'agent:2', live: null, running: [] }]);
  });
});
