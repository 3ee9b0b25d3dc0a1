// Should this DaemonSet run a pod on this node? The controller's two booleans, computed from the DS
// template once per DaemonSet and then per node in a tight loop
// (kubernetes/kubernetes@v1.34.0:pkg/controller/daemon/daemon_controller.go:NodeShouldRunDaemonPod, predicates, NewPod).
import { InputError } from '../errors.js';
import type { K8sDaemonSet, K8sNode, Taint, Toleration } from '../k8s-types.js';
import type { EligibilityDecision, ExclusionReason } from './decision.js';
import { compileNodeAffinity } from './node-affinity.js';
import { daemonPodTolerations, isTaintTolerated, type SchedulingGates } from './tolerations.js';

/** The decision for a node where the daemon pod should run; shared, never mutate. */
export const ELIGIBLE: EligibilityDecision = Object.freeze({ shouldRun: true, shouldContinueRunning: true, reason: null });

/** Evaluates one DaemonSet against nodes; build with compileEligibility. */
export type EligibilityEvaluator = (node: K8sNode) => EligibilityDecision;

function taintReason(taint: Taint): ExclusionReason {
  return taint.value ? { kind: 'taint', key: taint.key, value: taint.value, effect: taint.effect } : { kind: 'taint', key: taint.key, effect: taint.effect };
}

/**
 * Returns a function deciding NodeShouldRunDaemonPod for `ds` on any node. The template (nodeName,
 * nodeSelector, required affinity, tolerations after AddOrUpdateDaemonPodTolerations) is parsed here
 * once; per node it only walks the node's labels and taints and allocates only for exclusions.
 * Throws InputError when the DaemonSet has no `spec.template.spec`.
 */
export function compileEligibility(ds: K8sDaemonSet, gates?: SchedulingGates): EligibilityEvaluator {
  const spec = ds.spec?.template?.spec;
  if (!spec || typeof spec !== 'object') {
    const name = `${ds.metadata?.namespace ?? ''}/${ds.metadata?.name ?? '?'}`;
    throw new InputError(`failed to compile eligibility for DaemonSet ${name}: spec.template.spec is missing`);
  }
  const templateNodeName = spec.nodeName ?? '';
  const affinity = compileNodeAffinity(spec);
  const tolerations: readonly Toleration[] = daemonPodTolerations(spec);
  // No per-taint memo: a key would cost a string allocation per taint, while the check itself is a
  // handful of string comparisons against ~8 tolerations.
  const isTolerated = (taint: Taint): boolean => isTaintTolerated(taint, tolerations, gates);
  const nameReason: EligibilityDecision = Object.freeze({
    shouldRun: false,
    shouldContinueRunning: false,
    reason: Object.freeze({ kind: 'node-name', expected: templateNodeName }),
  });

  return (node: K8sNode): EligibilityDecision => {
    // daemon_controller.go: NewPod overwrites nodeName, so the template's own nodeName is checked first.
    if (templateNodeName !== '' && templateNodeName !== node.metadata.name) return nameReason;
    const mismatch = affinity.mismatch(node);
    if (mismatch) return { shouldRun: false, shouldContinueRunning: false, reason: mismatch };
    const taints = node.spec?.taints;
    if (!taints || taints.length === 0) return ELIGIBLE;
    let firstNoSchedule: Taint | null = null;
    for (const taint of taints) {
      if (taint.effect === 'NoExecute') {
        // An untolerated NoExecute taint also evicts: report it in preference to a NoSchedule one.
        if (!isTolerated(taint)) return { shouldRun: false, shouldContinueRunning: false, reason: taintReason(taint) };
      } else if (taint.effect === 'NoSchedule' && firstNoSchedule === null && !isTolerated(taint)) {
        firstNoSchedule = taint;
      }
    }
    if (firstNoSchedule) return { shouldRun: false, shouldContinueRunning: true, reason: taintReason(firstNoSchedule) };
    return ELIGIBLE;
  };
}

/** Returns NodeShouldRunDaemonPod(node, ds) (daemon_controller.go); prefer compileEligibility for many nodes. */
export function nodeShouldRunDaemonPod(node: K8sNode, ds: K8sDaemonSet, gates?: SchedulingGates): EligibilityDecision {
  return compileEligibility(ds, gates)(node);
}
