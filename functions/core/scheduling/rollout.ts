// Rolling-update limits with the server's defaults applied, as the controller computes them
// (kubernetes/kubernetes@v1.34.0:pkg/apis/apps/v1/defaults.go:SetDefaults_DaemonSet,
// pkg/controller/daemon/util/daemonset_util.go:SurgeCount, UnavailableCount,
// pkg/controller/daemon/update.go:updatedDesiredNodeCounts; kubernetes/apimachinery@v0.34.0:pkg/util/intstr/intstr.go:GetScaledValueFromIntOrPercent).
import type { K8sDaemonSet } from '../k8s-types.js';

/** The effective update strategy after SetDefaults_DaemonSet: type RollingUpdate, maxUnavailable 1, maxSurge 0. */
export interface EffectiveUpdateStrategy {
  type: 'RollingUpdate' | 'OnDelete' | string;
  maxUnavailable: number | string | null;
  maxSurge: number | string | null;
}

/** Returns the DaemonSet's update strategy with the API server's defaults filled in (defaults.go:SetDefaults_DaemonSet). */
export function effectiveUpdateStrategy(ds: K8sDaemonSet): EffectiveUpdateStrategy {
  const strategy = ds.spec.updateStrategy;
  const type = strategy?.type || 'RollingUpdate';
  if (type !== 'RollingUpdate') return { type, maxUnavailable: null, maxSurge: null };
  return { type, maxUnavailable: strategy?.rollingUpdate?.maxUnavailable ?? 1, maxSurge: strategy?.rollingUpdate?.maxSurge ?? 0 };
}

/**
 * Returns an int-or-percent scaled against `total` (percentages rounded up when `roundUp`, else down), or null
 * when the value is invalid: a string that is not `<int>%`, a non-integer number, or absent
 * (intstr.go:GetScaledValueFromIntOrPercent; the controller then fails the rollout).
 */
export function resolveIntOrPercent(value: number | string | null | undefined, total: number, roundUp: boolean): number | null {
  if (typeof value === 'number') return Number.isInteger(value) ? value : null;
  if (typeof value !== 'string' || !value.endsWith('%')) return null;
  const digits = value.slice(0, -1);
  // strconv.Atoi: optional sign, decimal digits only.
  if (!/^[+-]?[0-9]+$/.test(digits)) return null;
  const scaled = (Number(digits) * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}

/** The controller's per-rollout limits, or why they cannot be computed. */
export type RollingUpdateLimits = { maxSurge: number; maxUnavailable: number } | { error: string };

/**
 * Returns maxSurge and maxUnavailable for `desired` scheduled nodes as rollingUpdate uses them
 * (update.go:updatedDesiredNodeCounts): defaults applied, percentages rounded up, and when both
 * come to 0 with desired > 0, maxUnavailable falls back to 1. OnDelete gives 0 and 0.
 */
export function rollingUpdateLimits(ds: K8sDaemonSet, desired: number): RollingUpdateLimits {
  const s = effectiveUpdateStrategy(ds);
  if (s.type !== 'RollingUpdate') return { maxSurge: 0, maxUnavailable: 0 };
  const maxUnavailable = resolveIntOrPercent(s.maxUnavailable, desired, true);
  if (maxUnavailable === null) return { error: `invalid maxUnavailable ${JSON.stringify(s.maxUnavailable)}: must be an integer or a percentage` };
  const maxSurge = resolveIntOrPercent(s.maxSurge, desired, true);
  if (maxSurge === null) return { error: `invalid maxSurge ${JSON.stringify(s.maxSurge)}: must be an integer or a percentage` };
  if (desired > 0 && maxUnavailable === 0 && maxSurge === 0) return { maxSurge: 0, maxUnavailable: 1 };
  return { maxSurge, maxUnavailable };
}

/** Returns how many nodes may run a surge pod at once (SurgeCount, defaulted), or null when the DS's value is invalid. */
export function surgeCount(ds: K8sDaemonSet, desired: number): number | null {
  const limits = rollingUpdateLimits(ds, desired);
  return 'error' in limits ? null : limits.maxSurge;
}

/** Returns how many scheduled nodes may be unavailable during a rollout (UnavailableCount, defaulted, with the fallback to 1), or null when invalid. */
export function maxUnavailableCount(ds: K8sDaemonSet, desired: number): number | null {
  const limits = rollingUpdateLimits(ds, desired);
  return 'error' in limits ? null : limits.maxUnavailable;
}
