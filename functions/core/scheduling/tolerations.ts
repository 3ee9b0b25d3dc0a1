// Taint/toleration matching and the tolerations the DaemonSet controller adds to every daemon pod
// (kubernetes/api@v0.34.0:core/v1/toleration.go:(Toleration).ToleratesTaint,
// kubernetes/component-helpers@v0.34.0:scheduling/corev1/helpers.go:FindMatchingUntoleratedTaint,
// kubernetes/kubernetes@v1.34.0:pkg/controller/daemon/util/daemonset_util.go:AddOrUpdateDaemonPodTolerations).
import type { PodSpec, Taint, Toleration } from '../k8s-types.js';
import { parseGoInt64 } from './labels.js';

/** Feature gates that change scheduling semantics; all default off as in Kubernetes. */
export interface SchedulingGates {
  /** Alpha gate `TaintTolerationComparisonOperators` (1.35): toleration operators Lt/Gt. */
  taintTolerationComparisonOperators?: boolean;
}

/** Effects the DaemonSet controller filters on when deciding shouldRun (daemon_controller.go:predicates). */
export const SCHEDULING_EFFECTS: readonly string[] = Object.freeze(['NoSchedule', 'NoExecute']);
/** Effects that make the controller delete a running daemon pod (daemon_controller.go:NodeShouldRunDaemonPod). */
export const EVICTING_EFFECTS: readonly string[] = Object.freeze(['NoExecute']);

/**
 * The tolerations AddOrUpdateDaemonPodTolerations adds, in its order; all `Exists` without
 * tolerationSeconds. The last one is added only when the pod uses the host network.
 */
export const DAEMON_DEFAULT_TOLERATIONS: readonly Readonly<Toleration>[] = Object.freeze(
  [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
  ].map((t) => Object.freeze(t)),
);
/** Added by AddOrUpdateDaemonPodTolerations only when `spec.hostNetwork` is true. */
export const HOST_NETWORK_TOLERATION: Readonly<Toleration> = Object.freeze({
  key: 'node.kubernetes.io/network-unavailable',
  operator: 'Exists',
  effect: 'NoSchedule',
});

/**
 * IsDecimalInteger (kubernetes/apimachinery@v0.34.0:pkg/api/validate/content/decimal_int.go) plus int64 range:
 * "0" or an optional '-' then 1-9 then digits; no '+', no leading zeros, no "-0".
 */
function parseCanonicalInt64(s: string): number | bigint | null {
  if (!/^(0|-?[1-9][0-9]*)$/.test(s)) return null;
  return parseGoInt64(s);
}

/** Returns whether `toleration` tolerates `taint`: effect, then key, then operator (toleration.go:ToleratesTaint). */
export function toleratesTaint(toleration: Toleration, taint: Taint, gates?: SchedulingGates): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  switch (toleration.operator ?? '') {
    case '':
    case 'Equal':
      return (toleration.value ?? '') === (taint.value ?? '');
    case 'Exists':
      return true;
    case 'Lt':
    case 'Gt': {
      if (!gates?.taintTolerationComparisonOperators) return false;
      const threshold = parseCanonicalInt64(toleration.value ?? '');
      const actual = parseCanonicalInt64(taint.value ?? '');
      if (threshold === null || actual === null) return false;
      // Lt: the taint's value is below the toleration's; Gt: above. Both strict.
      return toleration.operator === 'Lt' ? actual < threshold : actual > threshold;
    }
    default:
      return false;
  }
}

/** Returns whether any of `tolerations` tolerates `taint`. */
export function isTaintTolerated(taint: Taint, tolerations: readonly Toleration[] | null | undefined, gates?: SchedulingGates): boolean {
  if (!tolerations) return false;
  for (const t of tolerations) if (toleratesTaint(t, taint, gates)) return true;
  return false;
}

/**
 * Returns the first taint whose effect is in `effects` that no toleration tolerates, or null
 * (helpers.go:FindMatchingUntoleratedTaint).
 */
export function findUntoleratedTaint(
  taints: readonly Taint[] | null | undefined,
  tolerations: readonly Toleration[] | null | undefined,
  effects: readonly string[],
  gates?: SchedulingGates,
): Taint | null {
  if (!taints) return null;
  for (const taint of taints) {
    if (!effects.includes(taint.effect)) continue;
    if (!isTaintTolerated(taint, tolerations, gates)) return taint;
  }
  return null;
}

/** Toleration.MatchToleration: same key, effect, operator and value (no defaulting of the operator). */
function sameToleration(a: Toleration, b: Toleration): boolean {
  return (
    (a.key ?? '') === (b.key ?? '') && (a.effect ?? '') === (b.effect ?? '') && (a.operator ?? '') === (b.operator ?? '') && (a.value ?? '') === (b.value ?? '')
  );
}

/**
 * Returns `tolerations` after AddOrUpdateTolerationInPodSpec (pkg/apis/core/v1/helper/helpers.go) with `add`:
 * every user toleration with the same key/effect/operator/value is replaced in place (so its tolerationSeconds
 * is dropped, kubernetes/kubernetes#92960); when none matched, `add` is appended; an identical one leaves all unchanged.
 */
function addOrUpdateToleration(tolerations: readonly Toleration[], add: Readonly<Toleration>): readonly Toleration[] {
  const next: Toleration[] = [];
  let updated = false;
  for (const t of tolerations) {
    if (sameToleration(add, t)) {
      if (t.tolerationSeconds === undefined || t.tolerationSeconds === null) return tolerations;
      next.push(add);
      updated = true;
      continue;
    }
    next.push(t);
  }
  if (!updated) next.push(add);
  return next;
}

/** Returns the pod's tolerations after AddOrUpdateDaemonPodTolerations (daemonset_util.go), as the controller evaluates them. */
export function daemonPodTolerations(podSpec: Pick<PodSpec, 'tolerations' | 'hostNetwork'>): Toleration[] {
  let tolerations: readonly Toleration[] = podSpec.tolerations ?? [];
  for (const t of DAEMON_DEFAULT_TOLERATIONS) tolerations = addOrUpdateToleration(tolerations, t);
  if (podSpec.hostNetwork === true) tolerations = addOrUpdateToleration(tolerations, HOST_NETWORK_TOLERATION);
  return [...tolerations];
}
