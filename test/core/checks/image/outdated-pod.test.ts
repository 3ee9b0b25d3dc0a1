import { describe, expect, it } from 'vitest';
import { imageOutdatedPod } from '../../../../functions/core/checks/image/outdated-pod.js';
import { daemonSet, desiredOf, node, pod, snapshotOf } from '../../../support/builders.js';
import { runCheck } from '../support.js';

describe('imageOutdatedPod', () => {
  it('says an old revision under OnDelete waits for the pod to be deleted', () => {
    const ds = daemonSet('kube-system/agent', { image: 'nginx:1.28', updateStrategy: { type: 'OnDelete' } });

    const findings = runCheck(
      imageOutdatedPod,
      snapshotOf({ nodes: [node('n1')], daemonSets: [ds], pods: [pod(ds, 'n1', { images: { agent: 'nginx:1.27' } })] }),
      desiredOf([ds]),
    );

    expect(findings).toEqual([
      {
        rule: 'image/outdated-pod',
        severity: 'warning',
        namespace: 'kube-system',
        daemonSet: 'agent',
        node: 'n1',
        container: 'agent',
        message:
          'pod agent-n1 on node n1 runs nginx:1.27 for container agent; Git wants nginx:1.28: an old revision under the OnDelete update strategy, which never replaces pods: delete the pod to update it',
        expected: 'nginx:1.28',
        actual: 'nginx:1.27',
      },
    ]);
  });

  it('points at the rollout under RollingUpdate', () => {
    const ds = daemonSet('kube-system/agent', { image: 'nginx:1.28' });

    const [f] = runCheck(
      imageOutdatedPod,
      snapshotOf({ nodes: [node('n1')], daemonSets: [ds], pods: [pod(ds, 'n1', { images: { agent: 'nginx:1.27' } })] }),
      desiredOf([ds]),
    );

    expect(f!.message).toEqual(
      'pod agent-n1 on node n1 runs nginx:1.27 for container agent; Git wants nginx:1.28: the RollingUpdate rollout has not replaced this pod yet (check kubectl rollout status ds -n kube-system agent)',
    );
  });

  it('points at image/drift when the live DaemonSet differs from Git', () => {
    const git = daemonSet('kube-system/agent', { image: 'nginx:1.28' });
    const live = daemonSet('kube-system/agent', { image: 'nginx:1.27' });

    const [f] = runCheck(imageOutdatedPod, snapshotOf({ nodes: [node('n1')], daemonSets: [live], pods: [pod(live, 'n1')] }), desiredOf([git]));

    expect(f!.message).toMatch(/and the live DaemonSet itself differs from Git \(see image\/drift\)$/);
  });

  it('compares normalised references', () => {
    const ds = daemonSet('kube-system/agent', { image: 'nginx:1.28' });

    expect(
      runCheck(
        imageOutdatedPod,
        snapshotOf({ nodes: [node('n1')], daemonSets: [ds], pods: [pod(ds, 'n1', { images: { agent: 'docker.io/library/nginx:1.28' } })] }),
        desiredOf([ds]),
      ),
    ).toEqual([]);
  });
});
