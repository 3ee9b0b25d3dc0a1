// image/outdated-pod: a pod's container image differs from Git's for that container. Under OnDelete the
// controller never replaces pods to update them (kubernetes/kubernetes:pkg/controller/daemon/update.go),
// so an old revision is expected until someone deletes the pod; under RollingUpdate it is a rollout
// not done (or the live DaemonSet itself differs from Git).
import { sameImage } from '../image-ref.js';
import { effectiveUpdateStrategy } from '../scheduling/index.js';
import type { Finding } from '../types.js';
import type { Check } from './context.js';
import { containerImages, findingFor, forEachNodeWithPods } from './helpers.js';

export const imageOutdatedPod: Check = {
  rules: ['image/outdated-pod'],
  run(ctx) {
    const out: Finding[] = [];
    for (const pair of ctx.daemonSets) {
      if (!pair.desired || !pair.live) continue;
      const git = containerImages(pair.desired.manifest.spec.template.spec);
      const live = containerImages(pair.live.spec.template.spec);
      const onDelete = effectiveUpdateStrategy(pair.live).type === 'OnDelete';
      forEachNodeWithPods(ctx, pair, (node, i, pods) => {
        // Pods the controller is about to delete are coverage/misscheduled, not outdated.
        if (!pair.decisions[i]!.shouldContinueRunning) return;
        for (const p of pods) {
          for (const [name, have] of containerImages(p.spec)) {
            const want = git.get(name);
            if (want === undefined || sameImage(have, want)) continue;
            const liveImage = live.get(name);
            const liveMatchesGit = liveImage !== undefined && sameImage(liveImage, want);
            const where = `pod ${p.metadata.name} on node ${node.metadata.name} runs ${have} for container ${name}; Git wants ${want}`;
            let message: string;
            if (!liveMatchesGit) message = `${where}, and the live DaemonSet itself differs from Git (see image/drift)`;
            else if (onDelete) message = `${where}: an old revision under the OnDelete update strategy, which never replaces pods: delete the pod to update it`;
            else message = `${where}: the RollingUpdate rollout has not replaced this pod yet (check kubectl rollout status ds -n ${pair.namespace} ${pair.name})`;
            out.push(findingFor(ctx, 'image/outdated-pod', pair, node.metadata.name, message, { container: name, expected: want, actual: have }));
          }
        }
      });
    }
    return out;
  },
};
