// The pure core: audit(snapshot, desired, policy, at) -> report. No I/O, no clock, no env.
// A reader can follow one run from here: eligibility per (node, DaemonSet), pod ownership,
// the checks of every enabled rule, then policy (severity overrides, waivers), then the report.
// Cost is linear in nodes x DaemonSets + pods: pods are indexed by owner once, eligibility is compiled once per DaemonSet.
import { computeRequiredCoverage } from './evidence/required.js';
import { computeImages } from './daemonset-images.js';
import type { AuditContext, DaemonSetPair } from './checks/context.js';
import { CHECKS } from './checks/index.js';
import { formatTaint, isNodeReady, isPodUpdated } from './checks/helpers.js';
import type { K8sControllerRevision, K8sDaemonSet, K8sNode, K8sPod } from './k8s-types.js';
import { compareFindings, compareStrings, incompleteFinding } from './findings.js';
import { applyPolicy } from './policy/apply.js';
import { reportRules } from './rules.js';
import { HASH_PREFIX, hashToken, redactAuditInputs, redactFinding, redactText } from './redact.js';
import { sha256Hex } from './github-issues/sha256.js';
import { compileEligibility, compileLabelSelector, controllerOf, isPodReady, isPodTerminal, podOrder, targetNodeName } from './scheduling/index.js';
import type {
  DaemonSetCoverage,
  DesiredDaemonSet,
  DesiredState,
  Finding,
  PodState,
  Policy,
  Report,
  RuleDefinition,
  Severity,
  Snapshot,
  Warning,
} from './types.js';

export { compareFindings };

export interface AuditOptions {
  auditorVersion?: string;
  policySource?: { file?: string; sha256?: string };
  /** sha256 (hex) the caller passes (the core has no crypto); spec/drift compares redacted env values with it. */
  hash?: (text: string) => string;
}

/** Rules that compare the cluster with Git: a live-only audit (`desired.source.kind: 'none'`) reports none of them. */
export const GIT_RULES = /^(resource|spec|manifest)\/|^image\/drift$/;

/** The rule every incomplete audit carries (defined with its finding in findings.ts). */
export { INCOMPLETE_RULE } from './findings.js';

/** Returns the audit report for one cluster snapshot against the desired state and policy. */
export function audit(rawSnapshot: Snapshot, rawDesired: DesiredState, policy: Policy, at: Date, options: AuditOptions = {}): Report {
  // Secrets are compared and reported as tokens only, on both sides alike (core/redact.ts).
  const { snapshot, desired } = redactAuditInputs(rawSnapshot, rawDesired, hashToken(options.hash ?? sha256Hex));
  const shown = hashToken(options.hash ?? sha256Hex, HASH_PREFIX);
  const ctx: AuditContext = { ...buildContext(snapshot, desired, policy, at), ...(options.hash ? { hash: options.hash } : {}) };
  const raw: Finding[] = [];
  // A live-only audit (no desired state, stated by the caller) makes no Git comparison at all.
  const compared = (id: string): boolean => desired.source.kind !== 'none' || !GIT_RULES.test(id);
  for (const check of CHECKS) {
    if (!check.rules.some((id) => ctx.rule(id) && compared(id))) continue;
    for (const f of check.run(ctx)) if (ctx.rule(f.rule) && compared(f.rule)) raw.push(redactFinding(f, shown));
  }
  const { findings, waived } = applyPolicy(raw, policy, at);
  const gaps = [...snapshot.gaps, ...desired.gaps].map((g) => ({ ...g, message: redactText(g.message, shown) }));
  if (gaps.length)
    findings.push(
      incompleteFinding(gaps, policy, {
        what: 'the audit could not read everything',
        consequence: 'findings below are a lower bound',
        expected: 'complete inputs',
      }),
    );
  findings.sort(compareFindings);
  waived.sort(compareFindings);

  const coverage = ctx.daemonSets.map((pair) => computeCoverage(ctx, pair));
  const warnings = scopeWarnings(snapshot, desired, policy);
  const bySeverity: Record<Severity, number> = { critical: 0, warning: 0, info: 0 };
  for (const f of findings) bySeverity[f.severity]++;
  return {
    schemaVersion: 1,
    cluster: snapshot.cluster,
    generatedAt: at.toISOString(),
    auditorVersion: options.auditorVersion ?? 'unknown',
    inputs: {
      snapshot: snapshot.source,
      desired: desired.source,
      ...(options.policySource ? { policy: options.policySource } : {}),
    },
    complete: gaps.length === 0,
    gaps,
    ...(warnings.length ? { warnings } : {}),
    summary: { nodes: ctx.nodes.length, daemonSets: ctx.daemonSets.length, findings: findings.length, bySeverity, waived: waived.length },
    nodes: ctx.nodes.map(nodeFacts),
    coverage,
    ...(policy.requiredCoverage.length ? { requiredCoverage: computeRequiredCoverage(ctx, coverage) } : {}),
    findings,
    waived,
    rules: reportRules(findings, policy.rules),
  };
}

/** Returns the facts every check reads: sorted nodes, DaemonSets paired Git <-> cluster with eligibility and owned pods. */
export function buildContext(snapshot: Snapshot, desired: DesiredState, policy: Policy, at: Date): AuditContext {
  const nodes = [...snapshot.nodes].sort((a, b) => compareStrings(a.metadata.name, b.metadata.name));
  const inScope = namespaceScope(snapshot, policy);
  const keyOf = (ds: K8sDaemonSet): string => `${ds.metadata.namespace ?? 'default'}/${ds.metadata.name}`;

  const live = new Map<string, K8sDaemonSet>();
  for (const ds of snapshot.daemonSets) if (!inScope || inScope.has(ds.metadata.namespace ?? 'default')) live.set(keyOf(ds), ds);
  const git = new Map<string, DesiredDaemonSet>();
  for (const d of desired.daemonSets) if (!inScope || inScope.has(d.manifest.metadata.namespace ?? 'default')) git.set(keyOf(d.manifest), d);

  const podsByOwner = indexPodsByController(snapshot.pods);
  const revisionByOwner = indexCurrentRevisions(snapshot.controllerRevisions);
  const keys = [...new Set([...live.keys(), ...git.keys()])].sort(compareStrings);

  const daemonSets: DaemonSetPair[] = keys.map((key) => {
    const l = live.get(key) ?? null;
    const d = git.get(key) ?? null;
    const spec = d?.manifest ?? l!;
    const decisions = nodes.map(compileEligibility(spec));
    const pair: DaemonSetPair = {
      key,
      namespace: spec.metadata.namespace ?? 'default',
      name: spec.metadata.name,
      desired: d,
      live: l,
      spec,
      decisions,
      podsByNode: l ? ownedPodsByNode(l, podsByOwner.get(l.metadata.uid ?? '') ?? []) : new Map(),
      currentRevisionHash: l?.metadata.uid ? (revisionByOwner.get(l.metadata.uid)?.metadata.labels?.['controller-revision-hash'] ?? null) : null,
    };
    pair.podsAt = pair.podsByNode.size ? nodes.map((n) => pair.podsByNode.get(n.metadata.name)) : [];
    if (d && l && placementDiffers(d.manifest, l)) pair.liveDecisions = nodes.map(compileEligibility(l));
    return pair;
  });

  const rules = new Map<string, RuleDefinition>();
  for (const r of policy.rules) if (r.enabled !== false) rules.set(r.id, r);
  return { snapshot, desired, policy, at, nodes, daemonSets, rule: (id) => rules.get(id) };
}

/**
 * Returns the namespaces audited, or null for all: the policy's namespaces, narrowed to those the snapshot
 * read (a live read with --namespace says nothing about the others, so their Git DaemonSets are not "missing"
 * and their waivers do not count).
 */
export function namespaceScope(snapshot: Snapshot, policy: Policy): Set<string> | null {
  const read = snapshot.source.namespaces?.length ? snapshot.source.namespaces : null;
  const wanted = policy.namespaces.length ? policy.namespaces : null;
  if (!read) return wanted ? new Set(wanted) : null;
  return new Set(wanted ? wanted.filter((n) => read.includes(n)) : read);
}

/** Returns warnings about the scope: a policy namespace nothing lives in (most likely a typo, and it would read as "No drift found"), or one the snapshot did not read. */
function scopeWarnings(snapshot: Snapshot, desired: DesiredState, policy: Policy): Warning[] {
  const read = snapshot.source.namespaces?.length ? snapshot.source.namespaces : null;
  const seen = new Set([...snapshot.daemonSets.map((d) => d.metadata.namespace ?? 'default'), ...desired.managedNamespaces]);
  const git = desired.source.kind === 'none' ? '' : ' and is not managed in Git';
  const out: Warning[] = [];
  for (const ns of policy.namespaces) {
    if (read && !read.includes(ns)) {
      out.push({
        source: 'policy:namespaces',
        message: `policy namespace '${ns}' is outside the namespaces the snapshot read (${read.join(', ')}): nothing there is audited`,
      });
    } else if (!seen.has(ns)) {
      out.push({
        source: 'policy:namespaces',
        message: `policy namespace '${ns}' holds no DaemonSet in the cluster${git}: nothing there is audited (a typo?)`,
      });
    }
  }
  return out;
}

/** Indexes pods by the uid of their DaemonSet controller reference, in one pass (static and other-owner pods drop out). */
function indexPodsByController(pods: K8sPod[]): Map<string, K8sPod[]> {
  const out = new Map<string, K8sPod[]>();
  for (const p of pods) {
    const ref = controllerOf(p);
    if (!ref || ref.kind !== 'DaemonSet') continue;
    const list = out.get(ref.uid);
    if (list) list.push(p);
    else out.set(ref.uid, [p]);
  }
  return out;
}

/**
 * Returns, per owner uid, the ControllerRevision with the highest `.revision`: the current one once the
 * controller has synced (kubernetes/kubernetes:pkg/controller/daemon/update.go:constructHistory).
 */
function indexCurrentRevisions(revisions: K8sControllerRevision[]): Map<string, K8sControllerRevision> {
  const out = new Map<string, K8sControllerRevision>();
  for (const r of revisions) {
    const ref = r.metadata.ownerReferences?.find((o) => o.controller === true && o.kind === 'DaemonSet');
    if (!ref) continue;
    const best = out.get(ref.uid);
    if (!best || r.revision > best.revision) out.set(ref.uid, r);
  }
  return out;
}

/**
 * Returns the DaemonSet's pods by target node, each list in the controller's order
 * (kubernetes/kubernetes:pkg/controller/daemon/daemon_controller.go:getNodesToDaemonPods, podByCreationTimestampAndPhase).
 * Ownership is the controller reference (already indexed) plus a selector that still matches
 * (pkg/controller/controller_ref_manager.go:ClaimObject); terminal pods being deleted are left out, as the controller does.
 */
function ownedPodsByNode(ds: K8sDaemonSet, candidates: K8sPod[]): Map<string, K8sPod[]> {
  const out = new Map<string, K8sPod[]>();
  const selector = compileLabelSelector(ds.spec.selector);
  if (selector.empty) return out; // the controller refuses to sync a DaemonSet selecting everything
  const ns = ds.metadata.namespace ?? 'default';
  for (const p of candidates) {
    if ((p.metadata.namespace ?? 'default') !== ns) continue;
    // getNodesToDaemonPods(ds, includeDeletedTerminal=false): only terminal pods being deleted drop out; a terminating
    // Running pod and an undeleted Failed/Succeeded pod still occupy the node (the controller creates no other).
    if (p.metadata.deletionTimestamp && isPodTerminal(p)) continue;
    if (!selector.matches(p.metadata.labels)) continue;
    const node = targetNodeName(p);
    if (node === null) continue;
    const list = out.get(node);
    if (list) list.push(p);
    else out.set(node, [p]);
  }
  for (const list of out.values()) if (list.length > 1) list.sort(podOrder);
  return out;
}

/** Returns whether the fields that decide placement differ between Git's and the live template. */
function placementDiffers(a: K8sDaemonSet, b: K8sDaemonSet): boolean {
  const pick = (ds: K8sDaemonSet): string => {
    const s = ds.spec.template.spec;
    return JSON.stringify([
      s.nodeName ?? '',
      s.nodeSelector ?? null,
      s.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? null,
      s.tolerations ?? [],
      s.hostNetwork ?? false,
    ]);
  };
  return pick(a) !== pick(b);
}

/** Returns the coverage of one DaemonSet: the controller's status counters recomputed from the Git spec, plus per-node states. */
export function computeCoverage(ctx: AuditContext, pair: DaemonSetPair): DaemonSetCoverage {
  let eligible = 0,
    covered = 0,
    upToDate = 0,
    ready = 0,
    misscheduled = 0;
  const nodes: Record<string, PodState> = {};
  for (let i = 0; i < ctx.nodes.length; i++) {
    const name = ctx.nodes[i]!.metadata.name;
    const d = pair.decisions[i]!;
    const first = pair.podsAt?.[i]?.[0];
    if (d.shouldRun) {
      eligible++;
      if (!first) {
        nodes[name] = 'missing';
        continue;
      }
      covered++;
      if (isPodUpdated(first, pair)) upToDate++;
      const isReady = isPodReady(first);
      if (isReady) ready++;
      nodes[name] = isReady ? 'running' : 'unready';
    } else if (first) {
      misscheduled++;
      nodes[name] = d.shouldContinueRunning ? 'kept' : 'misscheduled';
    }
  }
  const s = pair.live?.status;
  return {
    namespace: pair.namespace,
    name: pair.name,
    inGit: pair.desired !== null,
    inCluster: pair.live !== null,
    eligible,
    covered,
    upToDate,
    ready,
    misscheduled,
    reported: pair.live
      ? {
          desired: s?.desiredNumberScheduled ?? 0,
          current: s?.currentNumberScheduled ?? 0,
          ready: s?.numberReady ?? 0,
          upToDate: s?.updatedNumberScheduled ?? 0,
          misscheduled: s?.numberMisscheduled ?? 0,
        }
      : null,
    nodes,
    ...(pair.desired?.provenance ? { provenance: pair.desired.provenance } : {}),
    images: computeImages(pair),
  };
}

const NODE_GROUP_LABELS = [
  'eks.amazonaws.com/nodegroup',
  'cloud.google.com/gke-nodepool',
  'karpenter.sh/nodepool',
  'node.kubernetes.io/instance-group',
  'kops.k8s.io/instancegroup',
];

/** Returns the facts reports group nodes by: zone, node group, arch, readiness, taints. */
export function nodeFacts(n: K8sNode): Report['nodes'][number] {
  const labels = n.metadata.labels ?? {};
  const zone = labels['topology.kubernetes.io/zone'];
  const nodeGroup = NODE_GROUP_LABELS.map((k) => labels[k]).find((v) => v);
  const arch = labels['kubernetes.io/arch'] ?? n.status?.nodeInfo?.architecture;
  return {
    name: n.metadata.name,
    ...(zone ? { zone } : {}),
    ...(nodeGroup ? { nodeGroup } : {}),
    ...(arch ? { arch } : {}),
    ready: isNodeReady(n),
    unschedulable: n.spec?.unschedulable === true,
    taints: (n.spec?.taints ?? []).map(formatTaint),
  };
}
