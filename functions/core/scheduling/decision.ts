// The answer to "should this DaemonSet run a pod on this node?", as the DaemonSet controller computes it
// (kubernetes/kubernetes@v1.34.0:pkg/controller/daemon/daemon_controller.go:NodeShouldRunDaemonPod).

/** Why a node is not (or no longer) eligible; null when it is. */
export type ExclusionReason =
  | { kind: 'node-name'; expected: string }
  | { kind: 'node-selector'; key: string; expected: string; actual: string | null }
  | { kind: 'node-affinity'; detail: string }
  | { kind: 'taint'; key: string; value?: string; effect: string };

/** The controller's two booleans, plus the reason when the first is false. */
export interface EligibilityDecision {
  /** A new daemon pod should be created here (counts in desiredNumberScheduled). */
  shouldRun: boolean;
  /** An existing daemon pod may stay (false only for selector/affinity/name mismatch or an untolerated NoExecute taint). */
  shouldContinueRunning: boolean;
  reason: ExclusionReason | null;
}
