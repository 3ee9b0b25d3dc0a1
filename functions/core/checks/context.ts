// What every check sees: the inputs, plus facts computed once per audit (eligibility per node and
// DaemonSet, owned pods grouped by node). Checks are pure functions of this context.
import type { K8sDaemonSet, K8sNode, K8sPod } from '../k8s-types.js';
import type { EligibilityDecision } from '../scheduling/decision.js';
import type { z } from 'zod';
import type { RuleId } from '../rules.js';
import type { DesiredDaemonSet, DesiredState, Finding, Policy, RuleDefinition, Snapshot } from '../types.js';

/** One DaemonSet, paired Git <-> cluster by namespace/name. */
export interface DaemonSetPair {
  /** `namespace/name` */
  key: string;
  namespace: string;
  name: string;
  desired: DesiredDaemonSet | null;
  live: K8sDaemonSet | null;
  /** The spec eligibility is computed from: Git's when present, else the live one. */
  spec: K8sDaemonSet;
  /** Eligibility per node, aligned with `AuditContext.nodes`. */
  decisions: EligibilityDecision[];
  /** Pods the live DaemonSet owns (controller uid + selector), not terminal-and-deleted, by target node. */
  podsByNode: Map<string, K8sPod[]>;
  /** `controller-revision-hash` of the current ControllerRevision, when known. */
  currentRevisionHash: string | null;
  /** Owned pods per node, aligned with `AuditContext.nodes` (same lists as `podsByNode`); set by audit() so checks avoid per-node map lookups. */
  podsAt?: (K8sPod[] | undefined)[];
  /** Eligibility per node from the live spec; present only when Git and cluster both have the DaemonSet and their placement fields differ. */
  liveDecisions?: EligibilityDecision[];
}

export interface AuditContext {
  snapshot: Snapshot;
  desired: DesiredState;
  policy: Policy;
  at: Date;
  /** Nodes sorted by name. */
  nodes: K8sNode[];
  /** DaemonSets in scope, sorted by key. */
  daemonSets: DaemonSetPair[];
  /** Rule catalog lookup (enabled rules only). */
  rule(id: string): RuleDefinition | undefined;
  /** sha256 (hex) from the caller (AuditOptions.hash), to compare Git env values with redacted live ones. */
  hash?: (text: string) => string;
}

/**
 * A check is the code a rule file names (`check: coverage/missing`), kube-linter style: it lives in
 * checks/<name>.ts, emits findings of the rules listed in `rules` only (typed: a misspelt id does not
 * compile), and declares its parameters as a strict zod schema whose defaults are the only defaults.
 */
export interface Check {
  /** What rule files put in `check:`; equal to the file path under checks/ without extension. */
  name: string;
  /** The rule ids whose findings it returns. */
  rules: readonly RuleId[];
  /** Parameter schema (strict; every field defaulted, so parsing `{}` gives the defaults); absent: no parameters. */
  parameters?: z.ZodTypeAny;
  run(ctx: AuditContext): Finding[];
}

/** Returns a check's parameters for one of its rules: the rule's (validated when rules and policy load), with the schema's defaults for the rest. */
export function parametersOf<S extends z.ZodTypeAny>(ctx: Pick<AuditContext, 'rule'>, rule: RuleId, schema: S): z.output<S> {
  const given = schema.safeParse(ctx.rule(rule)?.parameters ?? {});
  // A hand-built Policy may carry anything; loaders reject bad parameters, so here the defaults stand in.
  return given.success ? given.data : schema.parse({});
}
