import { describe, expect, it } from 'vitest';
import { imageDrift } from '../../../../functions/core/checks/image/drift.js';
import { daemonSet, desiredOf, node, snapshotOf } from '../../../support/builders.js';
import { runCheck } from '../support.js';

const D = 'sha256:' + 'a'.repeat(64);

describe('imageDrift', () => {
  it.each([
    ['a short Docker Hub name and its normalised form', 'nginx:1.27', 'docker.io/library/nginx:1.27'],
    ['an implied latest tag', 'nginx', 'nginx:latest'],
    ['the same digest with and without a tag', `nginx:1.27@${D}`, `docker.io/library/nginx@${D}`],
  ])('treats %s as equal', (_n, git, live) => {
    const findings = runCheck(
      imageDrift,
      snapshotOf({ nodes: [node('n1')], daemonSets: [daemonSet('kube-system/agent', { image: live })] }),
      desiredOf([daemonSet('kube-system/agent', { image: git })]),
    );

    expect(findings).toEqual([]);
  });

  it('reports a changed image per container with file and path', () => {
    const git = daemonSet('kube-system/agent', { image: 'nginx:1.27' });
    const live = daemonSet('kube-system/agent', { image: 'nginx:1.28' });

    const findings = runCheck(imageDrift, snapshotOf({ nodes: [node('n1')], daemonSets: [live] }), desiredOf([git]));

    expect(findings).toEqual([
      {
        rule: 'image/drift',
        severity: 'warning',
        namespace: 'kube-system',
        daemonSet: 'agent',
        node: null,
        container: 'agent',
        message: 'container agent: the live DaemonSet runs nginx:1.28, Git wants nginx:1.27',
        expected: 'nginx:1.27',
        actual: 'nginx:1.28',
        path: 'spec.template.spec.containers[name=agent].image',
        file: 'gitops/kube-system/agent.yaml',
        line: 1,
      },
    ]);
  });

  it('reports init containers and containers present on one side only', () => {
    const git = daemonSet('kube-system/agent', {
      containers: [
        { name: 'main', image: 'a:1' },
        { name: 'sidecar', image: 'b:1' },
      ],
      initContainers: [{ name: 'init', image: 'i:1' }],
    });
    const live = daemonSet('kube-system/agent', {
      containers: [
        { name: 'main', image: 'a:1' },
        { name: 'debug', image: 'busybox:1' },
      ],
      initContainers: [{ name: 'init', image: 'i:2' }],
    });

    const findings = runCheck(imageDrift, snapshotOf({ nodes: [node('n1')], daemonSets: [live] }), desiredOf([git]));

    expect(findings.map((f) => [f.container, f.path, f.message])).toEqual([
      ['init', 'spec.template.spec.initContainers[name=init].image', 'container init: the live DaemonSet runs i:2, Git wants i:1'],
      ['sidecar', 'spec.template.spec.containers[name=sidecar].image', 'container sidecar is in Git (image b:1) but not in the live DaemonSet'],
      ['debug', 'spec.template.spec.containers[name=debug].image', 'container debug (image busybox:1) runs in the live DaemonSet but is not in Git'],
    ]);
  });
});
