// What each run records for evidence over time: per requiredCoverage entry and DaemonSet, the nodes the
// policy requires it on and the nodes where it covered them at that moment. Pure, from audit()'s context.
import type { AuditContext } from '../checks/context.js';
import { hasRequiredTaints } from '../checks/coverage/required-missing.js';
import { compileLabelSelector } from '../scheduling/label-selector.js';
import type { DaemonSetCoverage, RequiredCoverage, RequiredCoverageResult } from '../types.js';

/** Returns a requirement's display name: its `name`, else its selector and taints as JSON. */
export function requirementName(req: RequiredCoverage): string {
  return req.name ?? JSON.stringify({ nodeSelector: req.nodeSelector, ...(req.taints ? { taints: req.taints } : {}) });
}

/**
 * Returns, per requirement and DaemonSet, the required nodes and the covered ones. A node is covered
 * when a Ready daemon pod of the DaemonSet runs there as an eligible node's pod (`running`) or one the
 * controller keeps (`kept`); an unready, missing or misscheduled pod does not cover it.
 */
export function computeRequiredCoverage(ctx: AuditContext, coverage: DaemonSetCoverage[]): RequiredCoverageResult[] {
  const byKey = new Map(coverage.map((c) => [`${c.namespace}/${c.name}`, c]));
  const out: RequiredCoverageResult[] = [];
  for (const req of ctx.policy.requiredCoverage) {
    const selector = compileLabelSelector(req.nodeSelector);
    const nodes = ctx.nodes.filter((n) => selector.matches(n.metadata.labels) && hasRequiredTaints(n, req.taints)).map((n) => n.metadata.name);
    for (const daemonSet of req.daemonSets) {
      const states = byKey.get(daemonSet)?.nodes ?? {};
      out.push({ requirement: requirementName(req), daemonSet, nodes, covered: nodes.filter((n) => states[n] === 'running' || states[n] === 'kept') });
    }
  }
  return out;
}
