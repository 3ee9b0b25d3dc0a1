// coverage/missing: the node should run a daemon pod (shouldRun, from Git's spec) and none runs there
// (kubernetes/kubernetes:pkg/controller/daemon/daemon_controller.go:podsShouldBeOnNode, "create").
import type { Check } from '../context.js';
import { describeExclusion, findingFor, podsAt } from '../helpers.js';

export const coverageMissing: Check = {
  name: 'coverage/missing',
  rules: ['coverage/missing'],
  run(ctx) {
    const out = [];
    for (const pair of ctx.daemonSets) {
      // A DaemonSet absent from the cluster is one resource/missing finding, not one per node.
      if (!pair.live) continue;
      const pods = podsAt(ctx, pair);
      for (let i = 0; i < ctx.nodes.length; i++) {
        if (!pair.decisions[i]!.shouldRun || pods[i]?.length) continue;
        const node = ctx.nodes[i]!;
        const live = pair.liveDecisions?.[i];
        const why = live && !live.shouldRun ? `; the live DaemonSet's spec excludes it (${describeExclusion(live.reason)}), Git's does not` : '';
        const cordoned = node.spec?.unschedulable ? ' (the node is cordoned, but DaemonSet pods run on cordoned nodes)' : '';
        out.push(findingFor(ctx, 'coverage/missing', pair, node.metadata.name,
          `no ${pair.name} pod on node ${node.metadata.name}, which the DaemonSet should run on${cordoned}${why}`,
          { expected: 'a daemon pod', actual: 'no pod' }));
      }
    }
    return out;
  },
};
