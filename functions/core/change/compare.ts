// compareChange(snapshot, base, head, policy, at) -> ChangeReport: for every DaemonSet in the base or
// the head of a change, on every node of the snapshot, the DaemonSet controller's placement
// (scheduling/compileEligibility, NodeShouldRunDaemonPod) for the base template and for the head
// template; the nodes that flip are the change's effect. Pure: no I/O, no clock.
import { compareFindings, nodeFacts } from '../audit.js';
import { incompleteFinding } from '../findings.js';
import { describeExclusion, containerImages, formatTaint } from '../checks/helpers.js';
import { hasRequiredTaints } from '../checks/coverage/required-missing.js';
import type { K8sDaemonSet, K8sNode } from '../k8s-types.js';
import { applyPolicy } from '../policy/apply.js';
import type { EligibilityDecision, ExclusionReason } from '../scheduling/index.js';
import { compileEligibility, compileLabelSelector, maxUnavailableCount, rollingUpdateLimits, effectiveUpdateStrategy } from '../scheduling/index.js';
import type { DesiredDaemonSet, DesiredState, Finding, Gap, Policy, RuleDefinition, Severity, Snapshot } from '../types.js';
import type { ChangeKind, ChangeReport, DaemonSetChange, ManifestRef, NodeGroup } from './types.js';

export const CHANGE_RULES = {
  lost: 'change/coverage-lost',
  requiredLost: 'change/required-coverage-lost',
  gained: 'change/coverage-gained',
  image: 'change/image',
  rolloutRisk: 'change/rollout-risk',
  stale: 'change/snapshot-stale',
} as const;

/** Defaults of the rules' parameters, used when neither the rule file nor the policy sets them. */
export const CHANGE_DEFAULTS = {
  /** change/snapshot-stale: the snapshot may be this old (26 h: a daily snapshot plus slack). */
  maxAgeSeconds: 26 * 3600,
  /** change/rollout-risk: the head may take down at most this share of its nodes at once. */
  maxUnavailablePercent: 25,
};

export interface CompareOptions {
  auditorVersion?: string;
  policySource?: { file?: string; sha256?: string };
}

interface Side {
  manifest: K8sDaemonSet;
  ref: ManifestRef;
}

/** Returns what the head of a change does to each DaemonSet's placement on the snapshot's nodes, compared with the base. */
export function compareChange(
  snapshot: Snapshot,
  base: DesiredState,
  head: DesiredState,
  policy: Policy,
  at: Date,
  options: CompareOptions = {},
): ChangeReport {
  const nodes = [...snapshot.nodes].sort((a, b) => compareStrings(a.metadata.name, b.metadata.name));
  const facts = nodes.map(nodeFacts);
  const rules = new Map<string, RuleDefinition>();
  for (const r of policy.rules) if (r.enabled !== false) rules.set(r.id, r);
  const inScope = (ns: string): boolean => policy.namespaces.length === 0 || policy.namespaces.includes(ns);
  const baseByKey = indexDesired(base, inScope);
  const headByKey = indexDesired(head, inScope);
  const keys = [...new Set([...baseByKey.keys(), ...headByKey.keys()])].sort(compareStrings);
  const required = requiredNodes(policy, nodes);

  const raw: Finding[] = [];
  const emit = (rule: string, f: Omit<Finding, 'rule' | 'severity'>): void => {
    const r = rules.get(rule);
    if (r) raw.push({ rule, severity: r.severity, ...f });
  };
  const changes: DaemonSetChange[] = [];
  for (const key of keys) {
    const b = baseByKey.get(key) ?? null;
    const h = headByKey.get(key) ?? null;
    changes.push(compareDaemonSet(key, b, h, nodes, facts, required.get(key), rules, emit));
  }

  const changed = changes.filter((c) => c.change !== 'unchanged').length;
  const takenAt = snapshotTime(snapshot, nodes);
  const age = takenAt === null ? null : Math.max(0, Math.round((at.getTime() - takenAt.getTime()) / 1000));
  // A stale snapshot only matters when something changes: an unchanged head gives no change/* finding.
  if (changed > 0) {
    const maxAge = numberParameter(rules.get(CHANGE_RULES.stale), 'maxAgeSeconds', CHANGE_DEFAULTS.maxAgeSeconds);
    if (age === null) {
      emit(CHANGE_RULES.stale, {
        namespace: '',
        daemonSet: '',
        node: null,
        message: 'the snapshot records no time (no drift-auditor time annotations, no node heartbeat), so the nodes it describes may be out of date',
        expected: `a snapshot at most ${formatDuration(maxAge)} old`,
        actual: null,
      });
    } else if (age > maxAge) {
      emit(CHANGE_RULES.stale, {
        namespace: '',
        daemonSet: '',
        node: null,
        message: `the snapshot was taken ${formatDuration(age)} before this check (${takenAt!.toISOString()}); nodes added or relabelled since are not in this verdict`,
        expected: `a snapshot at most ${formatDuration(maxAge)} old`,
        actual: `${formatDuration(age)} old`,
      });
    }
  }

  const gaps = [...snapshot.gaps, ...sideGaps('base', base), ...sideGaps('head', head)];
  const { findings, waived } = applyPolicy(raw, policy, at);
  if (gaps.length) {
    findings.push(
      incompleteFinding(gaps, policy, {
        what: 'the check could not read or render everything',
        consequence: 'it cannot say what the change does',
        expected: 'both sides rendered and a complete snapshot',
      }),
    );
  }
  findings.sort(compareFindings);
  waived.sort(compareFindings);
  const bySeverity: Record<Severity, number> = { critical: 0, warning: 0, info: 0 };
  for (const f of findings) bySeverity[f.severity]++;
  return {
    schemaVersion: 1,
    kind: 'pr-check',
    cluster: snapshot.cluster,
    generatedAt: at.toISOString(),
    auditorVersion: options.auditorVersion ?? 'unknown',
    inputs: { snapshot: snapshot.source, base: base.source, head: head.source, ...(options.policySource ? { policy: options.policySource } : {}) },
    complete: gaps.length === 0,
    gaps,
    snapshotTakenAt: takenAt?.toISOString() ?? null,
    snapshotAgeSeconds: age,
    summary: {
      nodes: nodes.length,
      daemonSets: changes.length,
      changed,
      lost: changes.reduce((n, c) => n + c.lost, 0),
      gained: changes.reduce((n, c) => n + c.gained, 0),
      findings: findings.length,
      bySeverity,
      waived: waived.length,
    },
    daemonSets: changes,
    findings,
    waived,
  };
}

type Emit = (rule: string, f: Omit<Finding, 'rule' | 'severity'>) => void;

function compareDaemonSet(
  key: string,
  b: Side | null,
  h: Side | null,
  nodes: K8sNode[],
  facts: ReturnType<typeof nodeFacts>[],
  required: { needed: boolean[]; names: string[] } | undefined,
  rules: Map<string, RuleDefinition>,
  emit: Emit,
): DaemonSetChange {
  const spec = (h ?? b)!.manifest;
  const namespace = spec.metadata.namespace ?? 'default';
  const name = spec.metadata.name;
  const kind: ChangeKind = !b ? 'added' : !h ? 'removed' : canonical(b.manifest) === canonical(h.manifest) ? 'unchanged' : 'modified';
  const before = b ? decisionsOf(b.manifest, nodes) : null;
  // The head's placement is recomputed only when a field that decides it changed.
  const after = h ? (before && b && !placementDiffers(b.manifest, h.manifest) ? before : decisionsOf(h.manifest, nodes)) : null;
  const at: ManifestRef | null = h?.ref ?? b?.ref ?? null;
  const where = at ? { file: at.file, line: at.line } : {};

  let nodesBefore = 0,
    nodesAfter = 0;
  const lost = new Groups();
  const gained = new Groups();
  for (let i = 0; i < nodes.length; i++) {
    const was = before?.[i]!.shouldRun ?? false;
    const is = after?.[i]!.shouldRun ?? false;
    if (was) nodesBefore++;
    if (is) nodesAfter++;
    if (was === is) continue;
    const node = nodes[i]!.metadata.name;
    if (was) {
      const reason = after ? after[i]!.reason : null;
      const why = reason ? describeExclusion(reason) : 'the DaemonSet is removed in the head';
      lost.add(facts[i]!, groupReason(reason, 'removed'), node);
      const isRequired = required?.needed[i] ?? false;
      const kept = after?.[i]!.shouldContinueRunning ? '; a running pod is kept until the rollout replaces it, but none is created again' : '';
      emit(isRequired ? CHANGE_RULES.requiredLost : CHANGE_RULES.lost, {
        namespace,
        daemonSet: name,
        node,
        message: `${key} would no longer run on node ${node}: in the head, ${why}${kept}${isRequired ? ` (the policy requires it there: ${required!.names[i]})` : ''}`,
        expected: 'the daemon pod runs here, as in the base',
        actual: reason ?? 'DaemonSet removed',
        ...where,
      });
    } else {
      const reason = before ? before[i]!.reason : null;
      gained.add(facts[i]!, groupReason(reason, 'added'), node);
      emit(CHANGE_RULES.gained, {
        namespace,
        daemonSet: name,
        node,
        message: `${key} would start running on node ${node}${reason ? ` (in the base, ${describeExclusion(reason)})` : ' (the DaemonSet is new in the head)'}`,
        expected: 'no daemon pod here, as in the base',
        actual: 'the head places a daemon pod here',
        ...where,
      });
    }
  }

  const images = b && h ? imageChanges(b.manifest, h.manifest) : [];
  if (images.length > 0) {
    const list = images.map((c) => `${c.container} ${c.before ?? '(none)'} → ${c.after ?? '(removed)'}`).join(', ');
    emit(CHANGE_RULES.image, {
      namespace,
      daemonSet: name,
      node: null,
      message: `${images.length} image${images.length === 1 ? '' : 's'} would roll on ${nodesAfter} node${nodesAfter === 1 ? '' : 's'}: ${list}`,
      expected: Object.fromEntries(images.map((c) => [c.container, c.before])),
      actual: Object.fromEntries(images.map((c) => [c.container, c.after])),
      ...where,
    });
  }

  // A rollout happens when the head's template differs (or the strategy itself changes); an added DaemonSet only creates pods.
  if (
    b &&
    h &&
    (canonical(b.manifest.spec.template) !== canonical(h.manifest.spec.template) ||
      canonical(b.manifest.spec.updateStrategy ?? null) !== canonical(h.manifest.spec.updateStrategy ?? null))
  ) {
    const risk = rolloutRisk(h.manifest, nodesAfter, rules.get(CHANGE_RULES.rolloutRisk));
    if (risk) emit(CHANGE_RULES.rolloutRisk, { namespace, daemonSet: name, node: null, ...risk, ...where });
  }

  return {
    namespace,
    name,
    change: kind,
    base: b?.ref ?? null,
    head: h?.ref ?? null,
    nodesBefore,
    nodesAfter,
    lost: lost.total,
    gained: gained.total,
    lostBy: lost.list(),
    gainedBy: gained.list(),
    images,
  };
}

function decisionsOf(ds: K8sDaemonSet, nodes: K8sNode[]): EligibilityDecision[] {
  return nodes.map(compileEligibility(ds));
}

/**
 * Returns the rollout-risk finding's text when the head's strategy lets more than the allowed share of
 * its nodes go without the agent at once (update.go:updatedDesiredNodeCounts), or its values are invalid.
 */
function rolloutRisk(ds: K8sDaemonSet, nodes: number, rule: RuleDefinition | undefined): Pick<Finding, 'message' | 'expected' | 'actual'> | null {
  const strategy = effectiveUpdateStrategy(ds);
  if (strategy.type !== 'RollingUpdate') return null;
  const limits = rollingUpdateLimits(ds, nodes);
  if ('error' in limits) {
    return { message: `the head's rolling update cannot run: ${limits.error}`, expected: 'a valid maxUnavailable / maxSurge', actual: strategy };
  }
  const percent = numberParameter(rule, 'maxUnavailablePercent', CHANGE_DEFAULTS.maxUnavailablePercent);
  const allowed = Math.max(1, Math.ceil((nodes * percent) / 100));
  const down = maxUnavailableCount(ds, nodes) ?? 0;
  if (down <= allowed) return null;
  return {
    message: `the head rolls with maxUnavailable ${String(strategy.maxUnavailable)}: up to ${down} of ${nodes} nodes may be without the daemon pod at once (more than ${percent}%, ${allowed} nodes)`,
    expected: `maxUnavailable at most ${allowed} (${percent}% of ${nodes} nodes), or maxSurge instead`,
    actual: { maxUnavailable: strategy.maxUnavailable, maxSurge: strategy.maxSurge, nodes, unavailableAtOnce: down },
  };
}

function imageChanges(a: K8sDaemonSet, b: K8sDaemonSet): DaemonSetChange['images'] {
  const before = containerImages(a.spec.template?.spec);
  const after = containerImages(b.spec.template?.spec);
  const out: DaemonSetChange['images'] = [];
  for (const name of [...new Set([...before.keys(), ...after.keys()])].sort(compareStrings)) {
    const x = before.get(name) ?? null;
    const y = after.get(name) ?? null;
    if (x !== y) out.push({ container: name, before: x, after: y });
  }
  return out;
}

/** Per DaemonSet key: which nodes (by index) a policy requiredCoverage entry requires it on, and the entry's name. */
function requiredNodes(policy: Policy, nodes: K8sNode[]): Map<string, { needed: boolean[]; names: string[] }> {
  const out = new Map<string, { needed: boolean[]; names: string[] }>();
  for (const req of policy.requiredCoverage) {
    const selector = compileLabelSelector(req.nodeSelector);
    const label = req.name ?? `nodes matching ${JSON.stringify(req.nodeSelector)}`;
    for (const key of req.daemonSets) {
      let e = out.get(key);
      if (!e) out.set(key, (e = { needed: nodes.map(() => false), names: nodes.map(() => '') }));
      nodes.forEach((n, i) => {
        if (!e!.needed[i] && selector.matches(n.metadata.labels) && hasRequiredTaints(n, req.taints)) {
          e!.needed[i] = true;
          e!.names[i] = label;
        }
      });
    }
  }
  return out;
}

/** Counts nodes by pool × zone × taints × reason, so thousands of nodes read as one line per group. */
class Groups {
  total = 0;
  private readonly byKey = new Map<string, NodeGroup & { all: string[] }>();

  add(facts: ReturnType<typeof nodeFacts>, reason: string, node: string): void {
    this.total++;
    const key = JSON.stringify([facts.nodeGroup ?? null, facts.zone ?? null, facts.taints, reason]);
    let g = this.byKey.get(key);
    if (!g)
      this.byKey.set(key, (g = { pool: facts.nodeGroup ?? null, zone: facts.zone ?? null, taints: facts.taints, reason, nodes: 0, examples: [], all: [] }));
    g.nodes++;
    if (g.all.length < 5) g.all.push(node);
  }

  list(): NodeGroup[] {
    return [...this.byKey.values()]
      .map(({ all, ...g }) => ({ ...g, examples: all.sort(compareStrings) }))
      .sort(
        (a, b) =>
          b.nodes - a.nodes || compareStrings(JSON.stringify([a.pool, a.zone, a.taints, a.reason]), JSON.stringify([b.pool, b.zone, b.taints, b.reason])),
      );
  }
}

/** A reason that is the same for every node of a group (describeExclusion can quote a node's own label value). */
function groupReason(reason: ExclusionReason | null, missing: 'removed' | 'added'): string {
  if (!reason) return missing === 'removed' ? 'DaemonSet removed' : 'DaemonSet added';
  switch (reason.kind) {
    case 'taint':
      return `taint ${formatTaint(reason)} not tolerated`;
    case 'node-selector':
      return `nodeSelector ${reason.key}=${reason.expected} not matched`;
    case 'node-affinity':
      return 'required node affinity not matched';
    case 'node-name':
      return `spec.nodeName is ${reason.expected}`;
  }
}

function indexDesired(desired: DesiredState, inScope: (ns: string) => boolean): Map<string, Side> {
  const out = new Map<string, Side>();
  for (const d of desired.daemonSets as DesiredDaemonSet[]) {
    const ns = d.manifest.metadata.namespace ?? 'default';
    if (!inScope(ns)) continue;
    out.set(`${ns}/${d.manifest.metadata.name}`, { manifest: d.manifest, ref: { file: d.file, line: d.line } });
  }
  return out;
}

/**
 * Returns one side's gaps: its read gaps, and every manifest problem. A file that does not parse or
 * render may hold a DaemonSet, so the check cannot say what the change does: incomplete, never a pass.
 */
function sideGaps(side: 'base' | 'head', desired: DesiredState): Gap[] {
  const gaps: Gap[] = desired.gaps.map((g) => ({ source: `${side}:${g.source}`, message: g.message }));
  const seen = new Set(gaps.map((g) => `${g.source}\n${g.message}`));
  for (const p of desired.problems) {
    const g = { source: `${side}:${p.file}${p.line ? `:${p.line}` : ''}`, message: `${p.rule}: ${p.message}` };
    // An unrendered kustomization is already a gap of the desired state.
    if (p.rule === 'manifest/unrendered' && desired.gaps.some((x) => x.source === `git:${p.file}`)) continue;
    if (!seen.has(`${g.source}\n${g.message}`)) gaps.push(g);
  }
  return gaps;
}

/**
 * Returns when the snapshot was taken: its recorded finish (or start) time, else the newest node
 * heartbeat in it (kubelets renew their Ready condition's heartbeat at least every 5 minutes), else null.
 */
export function snapshotTime(snapshot: Snapshot, nodes: K8sNode[] = snapshot.nodes): Date | null {
  const recorded = snapshot.source.finishedAt ?? snapshot.source.startedAt;
  if (recorded && !Number.isNaN(Date.parse(recorded))) return new Date(recorded);
  let newest = Number.NEGATIVE_INFINITY;
  for (const n of nodes) {
    for (const c of n.status?.conditions ?? []) {
      const t = Date.parse((c as { lastHeartbeatTime?: string }).lastHeartbeatTime ?? '');
      if (t > newest) newest = t;
    }
  }
  return Number.isFinite(newest) ? new Date(newest) : null;
}

/** Returns whether the template fields that decide placement differ (nodeName, nodeSelector, required affinity, tolerations, hostNetwork). */
function placementDiffers(a: K8sDaemonSet, b: K8sDaemonSet): boolean {
  const pick = (ds: K8sDaemonSet): string => {
    const s = ds.spec.template?.spec;
    return canonical([
      s?.nodeName ?? '',
      s?.nodeSelector ?? null,
      s?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? null,
      s?.tolerations ?? [],
      s?.hostNetwork ?? false,
    ]);
  };
  return pick(a) !== pick(b);
}

/** Returns JSON with object keys sorted, so two renderings of one object compare equal. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([x], [y]) => compareStrings(x, y)));
  });
}

function numberParameter(rule: RuleDefinition | undefined, name: string, fallback: number): number {
  const v = rule?.parameters?.[name];
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : fallback;
}

/** Returns `3 h 20 min`, `2 d 4 h`, `45 s`. */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
