// Daemon pods as the controller sees them: which node a pod belongs to, whether the DS owns it, its
// readiness and the order the controller ranks pods on one node
// (kubernetes/kubernetes@v1.34.0:pkg/controller/daemon/util/daemonset_util.go:GetTargetNodeName,
// pkg/controller/controller_ref_manager.go:ClaimObject, pkg/api/v1/pod/util.go:IsPodReady, IsPodAvailable,
// pkg/controller/daemon/daemon_controller.go:podByCreationTimestampAndPhase).
import type { K8sDaemonSet, K8sPod, OwnerReference } from '../k8s-types.js';
import { compileLabelSelector } from './label-selector.js';

/** Returns the node a pod targets: spec.nodeName, else the single `metadata.name In` matchFields value, else null (GetTargetNodeName). */
export function targetNodeName(pod: K8sPod): string | null {
  if (pod.spec.nodeName) return pod.spec.nodeName;
  const terms = pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (!terms) return null;
  for (const term of terms) {
    for (const expr of term?.matchFields ?? []) {
      if (expr.key === 'metadata.name' && expr.operator === 'In') {
        // The first such requirement decides, and it must carry exactly one value.
        return expr.values?.length === 1 ? expr.values[0]! : null;
      }
    }
  }
  return null;
}

/** Returns the pod's `controller: true` owner reference, or null (metav1.GetControllerOf). */
export function controllerOf(pod: K8sPod): OwnerReference | null {
  for (const ref of pod.metadata.ownerReferences ?? []) if (ref.controller === true) return ref;
  return null;
}

/**
 * Returns whether `ds` owns `pod`: its controller reference is the DaemonSet's UID and its labels still match
 * `spec.selector` (controller_ref_manager.go:ClaimObject). A DS with an empty selector owns nothing: the
 * controller refuses to sync it (daemon_controller.go:syncDaemonSet, "selecting all pods").
 */
export function isDaemonPodOf(pod: K8sPod, ds: K8sDaemonSet): boolean {
  const ref = controllerOf(pod);
  if (!ref || ref.kind !== 'DaemonSet' || !ds.metadata.uid || ref.uid !== ds.metadata.uid) return false;
  if (pod.metadata.namespace !== undefined && ds.metadata.namespace !== undefined && pod.metadata.namespace !== ds.metadata.namespace) return false;
  const selector = compileLabelSelector(ds.spec.selector);
  return !selector.empty && selector.matches(pod.metadata.labels);
}

function readyCondition(pod: K8sPod) {
  const conditions = pod.status?.conditions;
  if (!conditions) return undefined;
  for (const c of conditions) if (c.type === 'Ready') return c;
  return undefined;
}

/** Returns whether the pod's Ready condition is True (pod/util.go:IsPodReady). */
export function isPodReady(pod: K8sPod): boolean {
  return readyCondition(pod)?.status === 'True';
}

/**
 * Returns whether the pod is available at `at`: Ready, and minReadySeconds is 0 or the Ready condition's
 * lastTransitionTime + minReadySeconds <= at (pod/util.go:IsPodAvailable; older releases used a strict <).
 */
export function isPodAvailable(pod: K8sPod, minReadySeconds: number, at: Date): boolean {
  const c = readyCondition(pod);
  if (c?.status !== 'True') return false;
  if (!minReadySeconds) return true;
  if (!c.lastTransitionTime) return false;
  const since = Date.parse(c.lastTransitionTime);
  return Number.isFinite(since) && since + minReadySeconds * 1000 <= at.getTime();
}

/** Returns whether the pod has finished: phase Succeeded or Failed. */
export function isPodTerminal(pod: K8sPod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

function creationMillis(pod: K8sPod): number {
  // A missing timestamp is Go's zero time, earlier than any real one.
  const t = pod.metadata.creationTimestamp ? Date.parse(pod.metadata.creationTimestamp) : NaN;
  return Number.isFinite(t) ? t : -Infinity;
}

/**
 * Compares pods as podByCreationTimestampAndPhase (daemon_controller.go): pods with spec.nodeName first,
 * then older creationTimestamp, then name. Sort with it; the first pod is the one the controller keeps and counts.
 */
export function podOrder(a: K8sPod, b: K8sPod): number {
  const aBound = Boolean(a.spec.nodeName);
  const bBound = Boolean(b.spec.nodeName);
  if (aBound !== bBound) return aBound ? -1 : 1;
  const ta = creationMillis(a);
  const tb = creationMillis(b);
  if (ta !== tb) return ta < tb ? -1 : 1;
  return a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;
}
