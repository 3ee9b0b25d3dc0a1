// Small shared vocabulary for checks: building a finding with the rule's default severity, saying
// why a node is excluded, comparing pods with the current revision, naming containers' images.
import { parseImageRef } from '../image-ref.js';
import type { Container, K8sDaemonSet, K8sNode, K8sPod } from '../k8s-types.js';
import type { ExclusionReason } from '../scheduling/decision.js';
import { isPodTerminal } from '../scheduling/pods.js';
import type { RuleId } from '../rules.js';
import type { Finding, ManifestProblem } from '../types.js';
import type { AuditContext, DaemonSetPair } from './context.js';

/** Returns a finding of `rule` for a DaemonSet (and node), with the rule's default severity. */
export function findingFor(
  ctx: AuditContext,
  rule: RuleId,
  pair: Pick<DaemonSetPair, 'namespace' | 'name'> | null,
  node: string | null,
  message: string,
  extra: Partial<Omit<Finding, 'rule' | 'severity' | 'namespace' | 'daemonSet' | 'node' | 'message'>> = {},
): Finding {
  return {
    rule,
    severity: ctx.rule(rule)?.severity ?? 'warning',
    namespace: pair?.namespace ?? '',
    daemonSet: pair?.name ?? '',
    node,
    message,
    ...extra,
  };
}

/** Returns `key=value:Effect` (or `key:Effect`) for a taint. */
export function formatTaint(t: { key: string; value?: string; effect: string }): string {
  return `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`;
}

/** Returns a sentence fragment saying why a node is not (or no longer) eligible. */
export function describeExclusion(reason: ExclusionReason | null): string {
  if (!reason) return 'the node is eligible';
  switch (reason.kind) {
    case 'node-name':
      return `the template's spec.nodeName is ${reason.expected}`;
    case 'node-selector':
      return `nodeSelector wants ${reason.key}=${reason.expected}, the node has ${reason.actual === null ? `no ${reason.key} label` : `${reason.key}=${reason.actual}`}`;
    case 'node-affinity':
      return `required node affinity does not match: ${reason.detail}`;
    case 'taint':
      return `the node has taint ${formatTaint(reason)}, which the DaemonSet does not tolerate`;
  }
}

/**
 * Returns whether a pod is of the DaemonSet's current revision
 * (kubernetes/kubernetes:pkg/controller/daemon/util/daemonset_util.go:IsPodUpdated): its controller-revision-hash
 * equals the current hash, or the DS's deprecated.daemonset.template.generation equals its pod-template-generation.
 * With no ControllerRevision in the input, falls back to comparing container images with the live template.
 */
export function isPodUpdated(pod: K8sPod, pair: Pick<DaemonSetPair, 'live' | 'currentRevisionHash'>): boolean {
  const labels = pod.metadata.labels ?? {};
  if (pair.currentRevisionHash !== null && labels['controller-revision-hash'] === pair.currentRevisionHash) return true;
  const generation = pair.live?.metadata.annotations?.['deprecated.daemonset.template.generation'];
  if (generation !== undefined && labels['pod-template-generation'] === generation) return true;
  if (pair.currentRevisionHash === null && pair.live) return imagesMatch(pod.spec, pair.live.spec.template.spec);
  return false;
}

function imagesMatch(a: { containers: Container[]; initContainers?: Container[] }, b: { containers: Container[]; initContainers?: Container[] }): boolean {
  const want = containerImages(b);
  for (const [name, image] of containerImages(a)) if (want.get(name) !== image) return false;
  return true;
}

/** Returns container name -> image for containers and init containers of a pod spec. */
export function containerImages(spec: { containers?: Container[]; initContainers?: Container[] } | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of spec?.initContainers ?? []) out.set(c.name, c.image ?? '');
  for (const c of spec?.containers ?? []) out.set(c.name, c.image ?? '');
  return out;
}

/** Returns whether a container name belongs to the init containers of a spec (for JSON paths). */
export function containerPath(spec: { initContainers?: Container[] } | undefined, name: string, field = 'image'): string {
  const init = spec?.initContainers?.some((c) => c.name === name);
  return `spec.template.spec.${init ? 'initContainers' : 'containers'}[name=${name}].${field}`;
}

/** Returns the image reference normalised for display (the input when it does not parse). */
export function normalizedImage(ref: string): string {
  return parseImageRef(ref)?.normalized ?? ref;
}

/**
 * Returns the pods the controller still manages on a node: not being deleted and not terminal
 * (daemonPodsRunning in kubernetes/kubernetes:pkg/controller/daemon/daemon_controller.go:podsShouldBeOnNode).
 * Returns `pods` itself when all qualify (no allocation on the common path).
 */
export function runningPods(pods: K8sPod[]): K8sPod[] {
  let all = true;
  for (const p of pods)
    if (!isRunningPod(p)) {
      all = false;
      break;
    }
  return all ? pods : pods.filter(isRunningPod);
}

function isRunningPod(p: K8sPod): boolean {
  return !p.metadata.deletionTimestamp && !isPodTerminal(p);
}

/** Returns whether the node's Ready condition is True. */
export function isNodeReady(node: K8sNode): boolean {
  return node.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
}

/** Returns `namespace/name` of a DaemonSet. */
export function keyOf(ds: K8sDaemonSet): string {
  return `${ds.metadata.namespace ?? 'default'}/${ds.metadata.name}`;
}

/** Calls `fn` for every node (in context order) that has live pods of the pair, with the node's index. */
export function forEachNodeWithPods(ctx: AuditContext, pair: DaemonSetPair, fn: (node: K8sNode, i: number, pods: K8sPod[]) => void): void {
  if (!pair.podsByNode.size) return;
  const at = podsAt(ctx, pair);
  for (let i = 0; i < at.length; i++) {
    const pods = at[i];
    if (pods && pods.length) fn(ctx.nodes[i]!, i, pods);
  }
}

/** Returns the pair's pods per node index (aligned with ctx.nodes), computing and keeping it when audit() did not. */
export function podsAt(ctx: AuditContext, pair: DaemonSetPair): (K8sPod[] | undefined)[] {
  pair.podsAt ??= ctx.nodes.map((n) => pair.podsByNode.get(n.metadata.name));
  return pair.podsAt;
}

/** Returns `fn` memoised on its (string) argument; for per-run caches of image parsing, where a fleet repeats a few values. */
export function memoize<V>(fn: (s: string) => V): (s: string) => V {
  const cache = new Map<string, V>();
  return (s) => {
    let v = cache.get(s);
    if (v === undefined && !cache.has(s)) cache.set(s, (v = fn(s)));
    return v as V;
  };
}

/** Returns the findings of one manifest rule from the problems found while reading Git; a problem inside a named DaemonSet is that DaemonSet's (its issue, its waivers). */
export function manifestFindings(ctx: AuditContext, rule: ManifestProblem['rule']): Finding[] {
  return ctx.desired.problems
    .filter((p) => p.rule === rule)
    .map((p) => {
      const slash = p.daemonSet?.indexOf('/') ?? -1;
      const owner = p.daemonSet && slash > 0 ? { namespace: p.daemonSet.slice(0, slash), name: p.daemonSet.slice(slash + 1) } : null;
      return findingFor(ctx, rule, owner, null, `${p.file}${p.line !== undefined ? `:${p.line}` : ''}: ${p.message}`, {
        file: p.file,
        ...(p.line !== undefined ? { line: p.line } : {}),
      });
    });
}
