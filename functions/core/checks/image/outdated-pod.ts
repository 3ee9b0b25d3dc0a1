// image/outdated-pod: a pod's container image differs from Git's for that container. Under OnDelete the
// controller never replaces pods to update them (kubernetes/kubernetes:pkg/controller/daemon/update.go),
// so an old revision is expected until someone deletes the pod; under RollingUpdate it is a rollout
// not done (or the live DaemonSet itself differs from Git).
import { sameImage } from '../../image-ref.js';
import type { Container, K8sNode, K8sPod } from '../../k8s-types.js';
import { effectiveUpdateStrategy } from '../../scheduling/index.js';
import type { Finding } from '../../types.js';
import type { Check } from '../context.js';
import { containerImages, findingFor, forEachNodeWithPods, memoize } from '../helpers.js';

export const imageOutdatedPod: Check = {
  name: 'image/outdated-pod',
  rules: ['image/outdated-pod'],
  run(ctx) {
    const out: Finding[] = [];
    // A fleet runs a handful of distinct images: compare each (pod image, Git image) pair once.
    const same = memoize((key) => sameImage(...(key.split('\u0000') as [string, string])));
    for (const pair of ctx.daemonSets) {
      if (!pair.desired || !pair.live) continue;
      const git = containerImages(pair.desired.manifest.spec.template.spec);
      const live = containerImages(pair.live.spec.template.spec);
      const onDelete = effectiveUpdateStrategy(pair.live).type === 'OnDelete';
      // Defined once per DaemonSet (not per pod): the hot loop below allocates nothing for up-to-date pods.
      const check = (p: K8sPod, node: K8sNode, c: Container): void => {
        const have = c.image ?? '';
        const want = git.get(c.name);
        if (want === undefined || have === want || same(`${have}\u0000${want}`)) return;
        const liveImage = live.get(c.name);
        const liveMatchesGit = liveImage !== undefined && sameImage(liveImage, want);
        const where = `pod ${p.metadata.name} on node ${node.metadata.name} runs ${have} for container ${c.name}; Git wants ${want}`;
        let message: string;
        if (!liveMatchesGit) message = `${where}, and the live DaemonSet itself differs from Git (see image/drift)`;
        else if (onDelete) message = `${where}: an old revision under the OnDelete update strategy, which never replaces pods: delete the pod to update it`;
        else message = `${where}: the RollingUpdate rollout has not replaced this pod yet (check kubectl rollout status ds -n ${pair.namespace} ${pair.name})`;
        out.push(findingFor(ctx, 'image/outdated-pod', pair, node.metadata.name, message, { container: c.name, expected: want, actual: have }));
      };
      forEachNodeWithPods(ctx, pair, (node, i, pods) => {
        // Pods the controller is about to delete are coverage/misscheduled, not outdated.
        if (!pair.decisions[i]!.shouldContinueRunning) return;
        for (const p of pods) {
          // A pod being deleted is on its way out (a rollout's replace step), not one left behind.
          if (p.metadata.deletionTimestamp) continue;
          if (p.spec.initContainers) for (const c of p.spec.initContainers) check(p, node, c);
          for (const c of p.spec.containers) check(p, node, c);
        }
      });
    }
    return out;
  },
};
