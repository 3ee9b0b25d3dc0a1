// coverage/duplicate: more than one live daemon pod on one node. Without surge the controller keeps
// only the oldest (kubernetes/kubernetes:pkg/controller/daemon/daemon_controller.go:podsShouldBeOnNode);
// with maxSurge > 0 one old plus one new pod is a rollout in progress (pkg/controller/daemon/update.go:rollingUpdate).
import { surgeCount } from '../../scheduling/index.js';
import type { Finding } from '../../types.js';
import type { Check } from '../context.js';
import { findingFor, forEachNodeWithPods, isPodUpdated, runningPods } from '../helpers.js';

export const coverageDuplicate: Check = {
  name: 'coverage/duplicate',
  rules: ['coverage/duplicate'],
  run(ctx) {
    const out: Finding[] = [];
    for (const pair of ctx.daemonSets) {
      if (!pair.live) continue;
      // util/daemonset_util.go:AllowsSurge is SurgeCount(ds, 1) != 0: any non-zero maxSurge, whatever the node count.
      let surge: number | null | undefined;
      forEachNodeWithPods(ctx, pair, (node, _i, all) => {
        if (all.length < 2) return;
        // Pods being deleted and Failed/Succeeded ones do not compete for the node (podsShouldBeOnNode's daemonPodsRunning).
        const pods = runningPods(all);
        if (pods.length < 2) return;
        if (pods.length === 2) {
          surge ??= surgeCount(pair.live!, 1) ?? 0;
          const updated = pods.filter((p) => isPodUpdated(p, pair)).length;
          if (surge > 0 && updated === 1) return;
        }
        const list = pods.map((p) => `${p.metadata.name} (revision ${p.metadata.labels?.['controller-revision-hash'] ?? 'unknown'})`).join(', ');
        out.push(findingFor(ctx, 'coverage/duplicate', pair, node.metadata.name,
          `${pods.length} live pods of ${pair.name} on node ${node.metadata.name}: ${list}`,
          { expected: 1, actual: pods.length }));
      });
    }
    return out;
  },
};
