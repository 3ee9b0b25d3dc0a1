// coverage/misscheduled: a daemon pod on a node where shouldContinueRunning is false (selector,
// affinity, nodeName, untolerated NoExecute), so the controller deletes it
// (kubernetes/kubernetes:pkg/controller/daemon/daemon_controller.go:podsShouldBeOnNode).
import type { Finding } from '../../types.js';
import type { Check } from '../context.js';
import { describeExclusion, findingFor, forEachNodeWithPods } from '../helpers.js';

export const coverageMisscheduled: Check = {
  name: 'coverage/misscheduled',
  rules: ['coverage/misscheduled'],
  run(ctx) {
    const out: Finding[] = [];
    for (const pair of ctx.daemonSets) {
      forEachNodeWithPods(ctx, pair, (node, i, pods) => {
        const decision = pair.decisions[i]!;
        if (decision.shouldContinueRunning) return;
        const live = pair.liveDecisions?.[i];
        const why = live?.shouldContinueRunning ? '; the live DaemonSet still allows this node, the spec in Git does not' : '';
        // The controller deletes only pods not already being deleted (podsShouldBeOnNode, !shouldContinueRunning).
        for (const p of pods) {
          if (p.metadata.deletionTimestamp) continue;
          out.push(findingFor(ctx, 'coverage/misscheduled', pair, node.metadata.name,
            `pod ${p.metadata.name} runs on node ${node.metadata.name}, where the DaemonSet may not run: ${describeExclusion(decision.reason)}${why}`,
            { expected: 'no pod', actual: p.metadata.name }));
        }
      });
    }
    return out;
  },
};
