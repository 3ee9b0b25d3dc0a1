// coverage/required-missing: the policy requires a DaemonSet on nodes matching a selector (and taints), and the
// DaemonSet's own spec excludes some of them (NodeShouldRunDaemonPod's shouldRun = false, computed once per
// pair in audit()), or the DaemonSet exists nowhere. The silent gap: desiredNumberScheduled just leaves them out.
import type { K8sNode } from '../../k8s-types.js';
import { compileLabelSelector } from '../../scheduling/label-selector.js';
import type { Finding, RequiredCoverage } from '../../types.js';
import type { Check } from '../context.js';
import { describeExclusion, findingFor, runningPods } from '../helpers.js';

/** Returns whether a node carries every taint the requirement names (key, and value/effect when given). */
export function hasRequiredTaints(node: K8sNode, taints: RequiredCoverage['taints']): boolean {
  if (!taints?.length) return true;
  const have = node.spec?.taints ?? [];
  return taints.every((t) => have.some((h) => h.key === t.key && (t.effect === undefined || h.effect === t.effect)
    && (t.value === undefined || h.value === t.value)));
}

export const requiredCoverage: Check = {
  name: 'coverage/required-missing',
  rules: ['coverage/required-missing'],
  run(ctx) {
    const out: Finding[] = [];
    const seen = new Set<string>();
    const pairs = new Map(ctx.daemonSets.map((p) => [p.key, p]));
    const inScope = (ns: string) => ctx.policy.namespaces.length === 0 || ctx.policy.namespaces.includes(ns);
    for (const req of ctx.policy.requiredCoverage) {
      const label = req.name ? `'${req.name}'` : `for nodes matching ${JSON.stringify(req.nodeSelector)}`;
      const selector = compileLabelSelector(req.nodeSelector);
      const nodes: number[] = [];
      ctx.nodes.forEach((n, i) => { if (selector.matches(n.metadata.labels) && hasRequiredTaints(n, req.taints)) nodes.push(i); });
      for (const key of req.daemonSets) {
        const [namespace, name] = key.split('/') as [string, string];
        if (!inScope(namespace)) continue;
        const pair = pairs.get(key);
        if (!pair) {
          if (seen.has(key)) continue;
          seen.add(key);
          out.push(findingFor(ctx, 'coverage/required-missing', { namespace, name }, null,
            `the policy requirement ${label} needs ${key} on ${nodes.length} node${nodes.length === 1 ? '' : 's'}, but it is neither in the cluster nor in Git`,
            { expected: 'the DaemonSet', actual: null }));
          continue;
        }
        for (const i of nodes) {
          const d = pair.decisions[i]!;
          const node = ctx.nodes[i]!.metadata.name;
          // A pod the controller keeps (untolerated NoSchedule) still covers the node: that is coverage/kept.
          const pods = pair.podsByNode.get(node);
          if (d.shouldRun || (pods && runningPods(pods).length)) continue;
          const id = `${key}|${node}`;
          if (seen.has(id)) continue;
          seen.add(id);
          out.push(findingFor(ctx, 'coverage/required-missing', pair, node,
            `the policy requirement ${label} needs ${key} on node ${node}, but the DaemonSet's own spec excludes it: ${describeExclusion(d.reason)}`,
            { expected: 'the DaemonSet should run on this node', actual: d.reason, ...(pair.desired ? { file: pair.desired.file, line: pair.desired.line } : {}) }));
        }
      }
    }
    return out;
  },
};
