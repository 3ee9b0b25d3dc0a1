import { describe, expect, it } from 'vitest';
import { imageDigestSplit } from '../../../../functions/core/checks/image/digest-split.js';
import { daemonSet, desiredOf, node, pod, snapshotOf } from '../../../support/builders.js';
import { runCheck } from '../support.js';

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;
const ds = daemonSet('kube-system/agent', { image: 'registry.example.com/agent:stable' });
const nodes = [node('n1'), node('n2'), node('n3')];
const on = (n: string, imageID: string) => pod(ds, n, { imageIDs: { agent: imageID } });

describe('imageDigestSplit', () => {
  it('lists the digests of one tag across nodes, most common first', () => {
    const pods = [
      on('n1', `registry.example.com/agent@${B}`),
      on('n2', `registry.example.com/agent@${A}`),
      on('n3', `docker-pullable://registry.example.com/agent@${A}`),
    ];

    const findings = runCheck(imageDigestSplit, snapshotOf({ nodes, daemonSets: [ds], pods }), desiredOf([ds]));

    expect(findings).toEqual([
      {
        rule: 'image/digest-split',
        severity: 'warning',
        namespace: 'kube-system',
        daemonSet: 'agent',
        node: null,
        container: 'agent',
        message: `container agent: image registry.example.com/agent:stable runs as 2 different digests across nodes: ${A} on 2 nodes, ${B} on 1 node`,
        expected: A,
        actual: [
          { digest: A, nodes: 2 },
          { digest: B, nodes: 1 },
        ],
      },
    ]);
  });

  it.each([
    ['one digest everywhere', [A, A, A].map((d) => `registry.example.com/agent@${d}`)],
    ['local image IDs, which are not registry digests', [`docker://${A}`, `docker://${B}`, `sha256:${'c'.repeat(64)}`]],
  ])('stays silent with %s', (_n, ids) => {
    const pods = ids.map((id, i) => on(`n${i + 1}`, id));

    expect(runCheck(imageDigestSplit, snapshotOf({ nodes, daemonSets: [ds], pods }), desiredOf([ds]))).toEqual([]);
  });
});
