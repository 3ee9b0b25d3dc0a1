// Kubernetes-exact DaemonSet placement: pure functions that reproduce what the DaemonSet controller
// decides (kubernetes/kubernetes@v1.34.0:pkg/controller/daemon). Every rule cites its upstream file; the
// reference is docs/k8s-daemonset-semantics.md. Compile once per DaemonSet, evaluate per node.
export type { EligibilityDecision, ExclusionReason } from './decision.js';
export { compileEligibility, ELIGIBLE, type EligibilityEvaluator, nodeShouldRunDaemonPod } from './eligibility.js';
export {
  DAEMON_DEFAULT_TOLERATIONS,
  daemonPodTolerations,
  EVICTING_EFFECTS,
  findUntoleratedTaint,
  HOST_NETWORK_TOLERATION,
  isTaintTolerated,
  SCHEDULING_EFFECTS,
  type SchedulingGates,
  toleratesTaint,
} from './tolerations.js';
export {
  type AffinityMismatch,
  compileNodeAffinity,
  compileNodeSelector,
  type CompiledNodeAffinity,
  type CompiledNodeSelector,
  matchesNodeSelector,
  matchesNodeSelectorTerms,
  matchesRequiredNodeAffinity,
  nodeSelectorMismatch,
} from './node-affinity.js';
export { compileLabelSelector, type CompiledLabelSelector, matchesLabelSelector } from './label-selector.js';
export { labelKeyError, labelValueError, type Labels, parseGoInt64 } from './labels.js';
export { controllerOf, isDaemonPodOf, isPodAvailable, isPodReady, isPodTerminal, podOrder, targetNodeName } from './pods.js';
export {
  effectiveUpdateStrategy,
  type EffectiveUpdateStrategy,
  maxUnavailableCount,
  resolveIntOrPercent,
  rollingUpdateLimits,
  type RollingUpdateLimits,
  surgeCount,
} from './rollout.js';
export { daemonSetSpecProblems, rollingUpdateProblems, type SpecProblem } from './validation.js';
