// coverage/unready: the pod the controller counts on a node (the first in podByCreationTimestampAndPhase
// order) is not Ready (kubernetes/kubernetes:pkg/api/v1/pod/util.go:IsPodReady) beyond the grace period,
// with the most likely reason: node NotReady, a waiting container, an unschedulable Pending pod.
import type { ContainerStatus, K8sNode, K8sPod } from '../../k8s-types.js';
import { isPodReady } from '../../scheduling/index.js';
import type { Finding } from '../../types.js';
import type { Check } from '../context.js';
import { findingFor, forEachNodeWithPods, isNodeReady } from '../helpers.js';

/** Waiting reasons that mean the container cannot start on its own (checked before benign ones such as ContainerCreating). */
const BAD_WAITING = new Set(['CrashLoopBackOff', 'ImagePullBackOff', 'ErrImagePull', 'ErrImageNeverPull', 'InvalidImageName', 'CreateContainerConfigError', 'CreateContainerError', 'RunContainerError', 'PreStartHookError', 'PostStartHookError']);

/** Returns why a pod is not Ready, and the container concerned when there is one. */
export function unreadyReason(pod: K8sPod, node: K8sNode): { reason: string; code: string; container?: string } {
  if (!isNodeReady(node)) {
    const c = node.status?.conditions?.find((x) => x.type === 'Ready');
    return { reason: `node ${node.metadata.name} is NotReady${c?.reason ? ` (${c.reason})` : ''}`, code: 'NodeNotReady' };
  }
  if (pod.metadata.deletionTimestamp) {
    // The controller counts a terminating pod and creates no replacement until it is gone (getNodesToDaemonPods).
    return { reason: `pod is terminating (deletion requested at ${pod.metadata.deletionTimestamp}) and no replacement is created until it is gone`, code: 'Terminating' };
  }
  const status = pod.status ?? {};
  const scheduled = status.conditions?.find((c) => c.type === 'PodScheduled');
  if (status.phase === 'Pending' && scheduled?.status === 'False') {
    return { reason: `pod is Pending: kube-scheduler cannot place it (${[scheduled.reason, scheduled.message].filter(Boolean).join(': ') || 'unschedulable'})`, code: 'Unschedulable' };
  }
  const statuses = [...(status.initContainerStatuses ?? []), ...(status.containerStatuses ?? [])];
  const waiting = statuses.filter((s) => s.state?.waiting?.reason);
  const bad = waiting.find((s) => BAD_WAITING.has(s.state!.waiting!.reason!)) ?? waiting[0];
  if (bad) {
    const w = bad.state!.waiting!;
    const restarts = bad.restartCount ? `, ${bad.restartCount} restart${bad.restartCount === 1 ? '' : 's'}` : '';
    const exit = lastExit(bad);
    // The kubelet's back-off message ("back-off 5m0s restarting failed container=…") says less than the last exit.
    const detail = exit ? `, ${exit}` : w.message ? ` (${w.message})` : '';
    return { reason: `container ${bad.name} is waiting: ${w.reason}${restarts}${detail}`, code: reasonCode(w.reason), container: bad.name };
  }
  if (status.phase === 'Failed' || status.phase === 'Succeeded') return { reason: `pod has ended (phase ${status.phase}${status.reason ? `, ${status.reason}` : ''})`, code: `Pod${status.phase}` };
  const terminated = statuses.find((s) => s.state?.terminated);
  if (terminated) {
    const t = terminated.state!.terminated!;
    return { reason: `container ${terminated.name} terminated: ${t.reason ?? 'unknown reason'}${t.exitCode !== undefined ? ` (exit code ${t.exitCode})` : ''}`, code: reasonCode(t.reason ?? 'Terminated'), container: terminated.name };
  }
  const notReady = (status.containerStatuses ?? []).find((s) => s.ready === false && s.state?.running);
  if (notReady) return { reason: `container ${notReady.name} is running but not ready (readiness probe failing)`, code: 'ReadinessProbeFailing', container: notReady.name };
  return { reason: `pod is ${status.phase ?? 'in an unknown phase'} and not Ready`, code: 'NotReady' };
}

/** A kubelet reason as a code for GitHub and finding keys: CamelCase only (the field is writable by the node). */
function reasonCode(reason: string | undefined): string {
  return reason && /^[A-Za-z][A-Za-z0-9]{0,63}$/.test(reason) ? reason : 'Other';
}

/** Returns "last exit code 1 (Error) at <finishedAt>" from a container's lastState, or null when it has none. */
function lastExit(s: ContainerStatus): string | null {
  const t = (s.lastState as { terminated?: { exitCode?: number; reason?: string; finishedAt?: string } } | undefined)?.terminated;
  if (!t || t.exitCode === undefined) return null;
  return `last exit code ${t.exitCode}${t.reason ? ` (${t.reason})` : ''}${t.finishedAt ? ` at ${t.finishedAt}` : ''}`;
}

/**
 * Returns what the pod's objects say about when it became unready: the Ready condition's
 * lastTransitionTime when the condition is not True, else (no such condition) the pod's start or
 * creation, named as such. No age is inferred beyond these timestamps.
 */
function unreadySince(pod: K8sPod): { at: number; what: 'not Ready since' | 'started at' | null; time: string } {
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
  if (ready?.lastTransitionTime && ready.status !== 'True') return { at: Date.parse(ready.lastTransitionTime), what: 'not Ready since', time: ready.lastTransitionTime };
  const started = pod.status?.startTime ?? pod.metadata.creationTimestamp;
  if (started) return { at: Date.parse(started), what: 'started at', time: started };
  return { at: NaN, what: null, time: '' };
}

/**
 * Returns whether a container is crash-looping: the kubelet backs off restarting it after it has
 * already failed (CrashLoopBackOff with restarts). That is a failure seen, not a pod still starting,
 * so the grace period (meant for start-up: pulling, probes warming up) does not hold it back. The
 * Ready transition cannot date it either: without a readiness probe each restart flips Ready.
 */
function isCrashLooping(pod: K8sPod): boolean {
  return [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]
    .some((s) => s.state?.waiting?.reason === 'CrashLoopBackOff' && (s.restartCount ?? 0) > 0);
}

export const coverageUnready: Check = {
  name: 'coverage/unready',
  rules: ['coverage/unready'],
  run(ctx) {
    const out: Finding[] = [];
    const graceMs = ctx.policy.thresholds.unreadyGraceSeconds * 1000;
    const now = ctx.at.getTime();
    for (const pair of ctx.daemonSets) {
      forEachNodeWithPods(ctx, pair, (node, i, pods) => {
        if (!pair.decisions[i]!.shouldContinueRunning) return;
        const p = pods[0]!;
        if (isPodReady(p)) return;
        const since = unreadySince(p);
        const known = Number.isFinite(since.at);
        if (known && now - since.at < graceMs && !isCrashLooping(p)) return;
        const { reason, code, container } = unreadyReason(p, node);
        const ago = known ? `${formatDuration(now - since.at)} before the audit` : '';
        const state = since.what === 'not Ready since' ? `has not been Ready since ${since.time} (${ago})`
          : since.what === 'started at' ? `is not Ready (started at ${since.time}, ${ago}; no Ready condition time)` : 'is not Ready';
        out.push(findingFor(ctx, 'coverage/unready', pair, node.metadata.name,
          `pod ${p.metadata.name} on node ${node.metadata.name} ${state}: ${reason}`,
          { expected: 'Ready', actual: reason, reason: code, ...(container ? { container } : {}) }));
      });
    }
    return out;
  },
};

function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}
