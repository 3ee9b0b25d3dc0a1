// rollout/stuck: a live rollout that has not finished within thresholds.rolloutStuckSeconds. "Finished" follows
// `kubectl rollout status` (kubectl/pkg/polymorphichelpers/rollout_status.go:DaemonSetStatusViewer):
// observedGeneration caught up and no scheduled pod left on an old revision (not under OnDelete); unavailable pods are
// named while a rollout is under way, not reported on their own (coverage/unready covers those).
import type { K8sControllerRevision, K8sDaemonSet, K8sPod } from '../../k8s-types.js';
import { effectiveUpdateStrategy } from '../../scheduling/rollout.js';
import type { Finding } from '../../types.js';
import type { AuditContext, Check, DaemonSetPair } from '../context.js';
import { findingFor, isPodUpdated } from '../helpers.js';

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
  return ownedRevisions(ctx, ds).newest;
}

function ownedRevisions(ctx: Pick<AuditContext, 'snapshot'>, ds: K8sDaemonSet): { newest: K8sControllerRevision | null; others: K8sControllerRevision[] } {
  const uid = ds.metadata.uid;
  const owned = uid ? ctx.snapshot.controllerRevisions.filter((r) => r.metadata.ownerReferences?.some((o) => o.controller === true && o.uid === uid)) : [];
  let newest: K8sControllerRevision | null = null;
  for (const r of owned) if (!newest || r.revision > newest.revision) newest = r;
  return { newest, others: owned.filter((r) => r !== newest) };
}

function createdAt(o: { metadata: { creationTimestamp?: string } }): number {
  return o.metadata.creationTimestamp ? Date.parse(o.metadata.creationTimestamp) : NaN;
}

/**
 * Returns when the rollout to the current revision started (ms, NaN when unknown) and how that was found.
 * Normally the current ControllerRevision's creation. A rollback reuses the revision whose data matches
 * the template and only raises its `.revision` (kubernetes/kubernetes:pkg/controller/daemon/update.go:constructHistory),
 * so when an older-numbered revision was created later, the rollback came after that one: the start is then
 * taken from the first pod of the current revision created since (an upper bound, so the age is a lower bound).
 */
export function rolloutStart(
  ctx: Pick<AuditContext, 'snapshot'>,
  pair: Pick<DaemonSetPair, 'live' | 'currentRevisionHash' | 'podsByNode'>,
): { at: number; lowerBound: boolean; what: string } {
  const { newest: rev, others } = pair.live ? ownedRevisions(ctx, pair.live) : { newest: null, others: [] };
  if (!rev) return { at: NaN, lowerBound: false, what: 'no ControllerRevision in the snapshot' };
  const created = createdAt(rev);
  if (Number.isNaN(created)) return { at: NaN, lowerBound: false, what: `revision ${rev.revision} has no creationTimestamp` };
  let later: K8sControllerRevision | null = null;
  for (const r of others) if (createdAt(r) > created && (!later || createdAt(r) > createdAt(later))) later = r;
  if (!later) return { at: created, lowerBound: false, what: `since revision ${rev.revision} at ${rev.metadata.creationTimestamp}` };
  const after = createdAt(later);
  let first: K8sPod | null = null;
  for (const pods of pair.podsByNode.values()) {
    for (const p of pods) {
      const t = createdAt(p);
      if (t > after && (!first || t < createdAt(first)) && isPodUpdated(p, pair)) first = p;
    }
  }
  if (!first) {
    return {
      at: NaN,
      lowerBound: false,
      what: `revision ${rev.revision} was reused by a rollback after revision ${later.revision} of ${later.metadata.creationTimestamp}, and no pod of it was created since`,
    };
  }
  return {
    at: createdAt(first),
    lowerBound: true,
    what: `revision ${rev.revision} was reused by a rollback; its first new pod ${first.metadata.name} was created at ${first.metadata.creationTimestamp}`,
  };
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
  name: 'rollout/stuck',
  rules: ['rollout/stuck'],
  run(ctx) {
    const out: Finding[] = [];
    const limit = ctx.policy.thresholds.rolloutStuckSeconds;
    for (const pair of ctx.daemonSets) {
      const live = pair.live;
      if (!live?.status) continue;
      const gaps = rolloutGaps(live);
      if (!gaps.length) continue;
      const start = rolloutStart(ctx, pair);
      let since = `its start is unknown (${start.what})`;
      if (!Number.isNaN(start.at)) {
        const age = (ctx.at.getTime() - start.at) / 1000;
        if (age < limit) continue;
        since = start.lowerBound
          ? `running for at least ${formatDuration(age)} (${start.what}), over the ${formatDuration(limit)} threshold`
          : `running for ${formatDuration(age)} ${start.what}, over the ${formatDuration(limit)} threshold`;
      }
      const st = live.status;
      out.push(
        findingFor(ctx, 'rollout/stuck', pair, null, `rollout not finished, ${since}: ${gaps.join('; ')}`, {
          expected: { observedGeneration: live.metadata.generation ?? null, updatedNumberScheduled: st.desiredNumberScheduled ?? 0, numberUnavailable: 0 },
          actual: {
            observedGeneration: st.observedGeneration ?? null,
            updatedNumberScheduled: st.updatedNumberScheduled ?? 0,
            numberUnavailable: st.numberUnavailable ?? 0,
          },
          path: 'status',
        }),
      );
    }
    return out;
  },
};
