// rollout/stuck: a live rollout that has not finished within thresholds.rolloutStuckSeconds. "Finished" follows
// `kubectl rollout status` (kubectl/pkg/polymorphichelpers/rollout_status.go:DaemonSetStatusViewer):
// observedGeneration caught up and no scheduled pod left on an old revision (not under OnDelete); unavailable pods are
// named while a rollout is under way, not reported on their own (coverage/unready covers those).
import type { K8sControllerRevision, K8sDaemonSet } from '../k8s-types.js';
import { effectiveUpdateStrategy } from '../scheduling/rollout.js';
import type { Finding } from '../types.js';
import type { AuditContext, Check } from './context.js';
import { findingFor } from './helpers.js';

/** Returns "2h 5m" style durations (seconds precision below a minute). */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d) return `${d}d ${h}h`;
  if (h) return `${h}h ${m}m`;
  if (m) return `${m}m`;
  return `${s}s`;
}

/** Returns the newest ControllerRevision the DaemonSet owns (highest `.revision`), or null. */
export function newestRevision(ctx: Pick<AuditContext, 'snapshot'>, ds: K8sDaemonSet): K8sControllerRevision | null {
  const uid = ds.metadata.uid;
  if (!uid) return null;
  let best: K8sControllerRevision | null = null;
  for (const r of ctx.snapshot.controllerRevisions) {
    if (!r.metadata.ownerReferences?.some((o) => o.controller === true && o.uid === uid)) continue;
    if (!best || r.revision > best.revision) best = r;
  }
  return best;
}

/** Returns what keeps the rollout from being complete, from the DaemonSet's status; empty when complete. */
export function rolloutGaps(ds: K8sDaemonSet): string[] {
  const st = ds.status;
  if (!st) return [];
  const gaps: string[] = [];
  const generation = ds.metadata.generation;
  if (generation !== undefined && (st.observedGeneration ?? 0) < generation) {
    gaps.push(`the controller has not yet acted on generation ${generation} (status.observedGeneration ${st.observedGeneration ?? 'unset'})`);
  }
  const desired = st.desiredNumberScheduled ?? 0;
  const scheduled = st.currentNumberScheduled ?? desired;
  const updated = st.updatedNumberScheduled ?? 0;
  // Pods of an old revision still scheduled: the rollout has not replaced them. (Nodes with no pod at all
  // also keep updatedNumberScheduled below desired, but they are coverage/missing, not a rollout.)
  // Under OnDelete, old pods stay until deleted: that is the strategy, not a stuck rollout.
  if (effectiveUpdateStrategy(ds).type !== 'OnDelete' && updated < scheduled) {
    gaps.push(`${updated} of ${desired} pods updated (${scheduled - updated} still run an old revision)`);
  }
  // Unavailable pods matter only while a rollout is under way (they consume maxUnavailable and block it);
  // after it, an unready pod is coverage/unready's finding, not a stuck rollout.
  if (gaps.length && (st.numberUnavailable ?? 0) > 0) gaps.push(`${st.numberUnavailable} of ${desired} pods unavailable`);
  return gaps;
}

export const rolloutStuck: Check = {
  rules: ['rollout/stuck'],
  run(ctx) {
    const out: Finding[] = [];
    const limit = ctx.policy.thresholds.rolloutStuckSeconds;
    for (const pair of ctx.daemonSets) {
      const live = pair.live;
      if (!live?.status) continue;
      const gaps = rolloutGaps(live);
      if (!gaps.length) continue;
      const rev = newestRevision(ctx, live);
      const started = rev?.metadata.creationTimestamp ? Date.parse(rev.metadata.creationTimestamp) : NaN;
      let since = 'its start is unknown (no ControllerRevision in the snapshot)';
      if (!Number.isNaN(started)) {
        const age = (ctx.at.getTime() - started) / 1000;
        if (age < limit) continue;
        since = `running for ${formatDuration(age)} since revision ${rev!.revision} at ${rev!.metadata.creationTimestamp}, over the ${formatDuration(limit)} threshold`;
      }
      const st = live.status;
      out.push(findingFor(ctx, 'rollout/stuck', pair, null, `rollout not finished, ${since}: ${gaps.join('; ')}`, {
        expected: { observedGeneration: live.metadata.generation ?? null, updatedNumberScheduled: st.desiredNumberScheduled ?? 0, numberUnavailable: 0 },
        actual: { observedGeneration: st.observedGeneration ?? null, updatedNumberScheduled: st.updatedNumberScheduled ?? 0, numberUnavailable: st.numberUnavailable ?? 0 },
        path: 'status',
      }));
    }
    return out;
  },
};
