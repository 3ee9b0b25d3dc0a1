// coverage/kept: a daemon pod on a node where shouldRun is false but shouldContinueRunning is true: an
// untolerated NoSchedule taint blocks new pods, the controller keeps the existing one
// (kubernetes/kubernetes:pkg/controller/daemon/daemon_controller.go:NodeShouldRunDaemonPod). Informational.
import type { Finding } from '../../types.js';
import type { Check } from '../context.js';
import { findingFor, forEachNodeWithPods, formatTaint, runningPods } from '../helpers.js';

const LIFECYCLE_TAINTS = new Set(['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']);

export const coverageKept: Check = {
  name: 'coverage/kept',
  rules: ['coverage/kept'],
  run(ctx) {
    const out: Finding[] = [];
    for (const pair of ctx.daemonSets) {
      forEachNodeWithPods(ctx, pair, (node, i, pods) => {
        const d = pair.decisions[i]!;
        if (d.shouldRun || !d.shouldContinueRunning) return;
        // Kept means a pod the controller leaves running: not one being deleted, not a Failed/Succeeded one it removes.
        const kept = runningPods(pods)[0];
        if (!kept) return;
        const blocker = d.reason?.kind === 'taint' ? `taint ${formatTaint(d.reason)}` : 'the node';
        const lifecycle = d.reason?.kind === 'taint' && LIFECYCLE_TAINTS.has(d.reason.key) ? ' (set by the node lifecycle controller while the node is not ready)' : '';
        out.push(findingFor(ctx, 'coverage/kept', pair, node.metadata.name,
          `pod ${kept.metadata.name} on node ${node.metadata.name} is kept by the controller, but no new pod would be created there: ${blocker} is not tolerated${lifecycle}`,
          { expected: 'pod kept, not recreated', actual: kept.metadata.name }));
      });
    }
    return out;
  },
};
