// Required node affinity plus nodeSelector, as the DaemonSet controller evaluates a daemon pod
// (kubernetes/component-helpers@v0.34.0:scheduling/corev1/nodeaffinity/nodeaffinity.go:GetRequiredNodeAffinity,
// NewLazyErrorNodeSelector, nodeSelectorRequirementsAsSelector, nodeSelectorRequirementsAsFieldSelector,
// (*nodeSelectorTerm).match). Parse errors make only their term never match; other terms still can.
import type { K8sNode, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, PodSpec } from '../k8s-types.js';
import type { ExclusionReason } from './decision.js';
import { describeRequirement, type Labels, labelValue, parseRequirement, type Requirement, requirementMatches } from './labels.js';

/** Why a node fails nodeSelector or required node affinity (a subset of ExclusionReason). */
export type AffinityMismatch = Extract<ExclusionReason, { kind: 'node-selector' | 'node-affinity' }>;

interface FieldRequirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn';
  readonly value: string;
}

interface CompiledTerm {
  /** Position in the original nodeSelectorTerms list, for the report. */
  readonly index: number;
  /** Parse errors; a term with errors never matches (nodeaffinity.go:(*nodeSelectorTerm).match). */
  readonly error: string | null;
  /** null when the term has no matchExpressions (then labels are not checked). */
  readonly labels: readonly Requirement[] | null;
  /** null when the term has no matchFields. */
  readonly fields: readonly FieldRequirement[] | null;
}

/** A required node selector (the nodeSelectorTerms of required node affinity) parsed once. */
export interface CompiledNodeSelector {
  /** Returns null when `node` matches, else a human-readable reason naming the terms and expressions. */
  mismatch(node: K8sNode): string | null;
  /** Returns whether `node` matches. */
  matches(node: K8sNode): boolean;
  /** Parse errors per term, for reporting templates that can never match as written. */
  readonly termErrors: readonly { term: number; error: string }[];
}

function isEmptyTerm(term: NodeSelectorTerm | null | undefined): boolean {
  return !term || ((term.matchExpressions?.length ?? 0) === 0 && (term.matchFields?.length ?? 0) === 0);
}

/** The operators nodeSelectorRequirementsAsSelector maps; anything else is a parse error. */
const NODE_SELECTOR_OPERATORS: ReadonlySet<string> = new Set(['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt']);

function compileLabelRequirements(exprs: readonly NodeSelectorRequirement[], errors: string[]): Requirement[] {
  const out: Requirement[] = [];
  for (const [i, expr] of exprs.entries()) {
    const where = `matchExpressions[${i}] (${describeRequirement(expr.key, expr.operator, expr.values)})`;
    if (!NODE_SELECTOR_OPERATORS.has(expr.operator)) {
      errors.push(`${where}: unsupported operator "${expr.operator}"`);
      continue;
    }
    const [r, error] = parseRequirement(expr.key, expr.operator, expr.values);
    if (error !== null) errors.push(`${where}: ${error}`);
    else out.push(r);
  }
  return out;
}

function compileFieldRequirements(exprs: readonly NodeSelectorRequirement[], errors: string[]): FieldRequirement[] {
  const out: FieldRequirement[] = [];
  for (const [i, expr] of exprs.entries()) {
    const where = `matchFields[${i}] (${describeRequirement(expr.key, expr.operator, expr.values)})`;
    if (expr.operator !== 'In' && expr.operator !== 'NotIn') {
      errors.push(`${where}: unsupported operator "${expr.operator}", only In and NotIn`);
    } else if ((expr.values?.length ?? 0) !== 1) {
      errors.push(`${where}: must have exactly one value`);
    } else {
      out.push({ key: expr.key, operator: expr.operator, value: expr.values![0]! });
    }
  }
  return out;
}

function compileTerm(term: NodeSelectorTerm, index: number): CompiledTerm {
  const errors: string[] = [];
  const exprs = term.matchExpressions ?? [];
  const fieldExprs = term.matchFields ?? [];
  const labels = exprs.length > 0 ? compileLabelRequirements(exprs, errors) : null;
  const fields = fieldExprs.length > 0 ? compileFieldRequirements(fieldExprs, errors) : null;
  return { index, error: errors.length > 0 ? errors.join('; ') : null, labels, fields };
}

/** The node's fields as extractNodeFields sees them: only metadata.name, and only when non-empty. */
function fieldValue(node: K8sNode, key: string): string {
  return key === 'metadata.name' ? node.metadata.name : '';
}

function labelState(labels: Labels, key: string): string {
  const v = labelValue(labels, key);
  return v === undefined ? `node has no label ${key}` : `node has ${key}=${JSON.stringify(v)}`;
}

/** Returns null when the (error-free) term matches, else why not. */
function termMismatch(term: CompiledTerm, node: K8sNode): string | null {
  const labels = node.metadata.labels;
  if (term.labels) {
    for (const r of term.labels) {
      if (!requirementMatches(r, labels)) return `${describeRequirement(r.key, r.operator, r.values)} fails: ${labelState(labels, r.key)}`;
    }
  }
  // nodeaffinity.go: matchFields are only checked when the node has fields (a non-empty name).
  if (term.fields && node.metadata.name) {
    for (const f of term.fields) {
      const actual = fieldValue(node, f.key);
      if ((actual === f.value) !== (f.operator === 'In')) {
        return `field ${f.key} ${f.operator} [${f.value}] fails: node ${f.key} is ${JSON.stringify(actual)}`;
      }
    }
  }
  return null;
}

function termMatches(term: CompiledTerm, node: K8sNode): boolean {
  if (term.error !== null) return false;
  const labels = node.metadata.labels;
  if (term.labels) for (const r of term.labels) if (!requirementMatches(r, labels)) return false;
  if (term.fields && node.metadata.name) {
    for (const f of term.fields) if ((fieldValue(node, f.key) === f.value) !== (f.operator === 'In')) return false;
  }
  return true;
}

/** Returns the required node selector parsed once, with LazyErrorNodeSelector semantics (nodeaffinity.go). */
export function compileNodeSelector(selector: NodeSelector): CompiledNodeSelector {
  const rawTerms = selector.nodeSelectorTerms ?? [];
  const terms: CompiledTerm[] = [];
  // nil or empty terms select no objects and are skipped (NewLazyErrorNodeSelector).
  rawTerms.forEach((term, i) => {
    if (!isEmptyTerm(term)) terms.push(compileTerm(term, i));
  });
  const termErrors = terms.filter((t) => t.error !== null).map((t) => ({ term: t.index, error: t.error! }));
  const matches = (node: K8sNode): boolean => {
    for (const t of terms) if (termMatches(t, node)) return true;
    return false;
  };
  const mismatch = (node: K8sNode): string | null => {
    if (matches(node)) return null;
    if (rawTerms.length === 0) return 'required node affinity has no nodeSelectorTerms, so it matches no node';
    if (terms.length === 0) return 'required node affinity has only empty nodeSelectorTerms, so it matches no node';
    const parts = terms.map((t) => `term ${t.index}: ${t.error !== null ? `never matches, invalid: ${t.error}` : termMismatch(t, node)}`);
    return `no required nodeSelectorTerm matches: ${parts.join(' | ')}`;
  };
  return { matches, mismatch, termErrors };
}

/** Returns whether `node` matches required node affinity terms `selector` (OR over terms, AND within). */
export function matchesNodeSelectorTerms(selector: NodeSelector, node: K8sNode): boolean {
  return compileNodeSelector(selector).matches(node);
}

/** A pod's nodeSelector map plus required node affinity, parsed once (nodeaffinity.go:RequiredNodeAffinity). */
export interface CompiledNodeAffinity {
  /** Returns null when `node` fits, else the first reason (nodeSelector is checked before affinity). */
  mismatch(node: K8sNode): AffinityMismatch | null;
  /** Returns whether `node` fits nodeSelector and required node affinity. */
  matches(node: K8sNode): boolean;
  /** Parse errors in required node affinity terms (empty when none). */
  readonly termErrors: readonly { term: number; error: string }[];
}

/** Returns the first failing entry of pre-split nodeSelector `entries`, or null. */
function entriesMismatch(entries: readonly (readonly [string, string])[], labels: Labels): AffinityMismatch | null {
  for (const [key, expected] of entries) {
    const actual = labelValue(labels, key);
    if (actual !== expected) return { kind: 'node-selector', key, expected, actual: actual ?? null };
  }
  return null;
}

/** Returns the first nodeSelector entry `labels` fail, or null: every key must exist with an equal value, "" included. */
export function nodeSelectorMismatch(nodeSelector: Readonly<Record<string, string>> | null | undefined, labels: Labels): AffinityMismatch | null {
  return nodeSelector ? entriesMismatch(Object.entries(nodeSelector), labels) : null;
}

/** Returns whether `labels` satisfy a nodeSelector map (labels.SelectorFromSet: exact equality, no validation). */
export function matchesNodeSelector(nodeSelector: Readonly<Record<string, string>> | null | undefined, labels: Labels): boolean {
  return nodeSelectorMismatch(nodeSelector, labels) === null;
}

/** Returns `spec.nodeSelector` and required node affinity parsed once (nodeaffinity.go:GetRequiredNodeAffinity). */
export function compileNodeAffinity(spec: Pick<PodSpec, 'nodeSelector' | 'affinity'>): CompiledNodeAffinity {
  // labels.SelectorFromSet: no validation, exact equality; split once so the per-node loop allocates nothing.
  const entries = Object.entries(spec.nodeSelector ?? {});
  const required = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  const selector = required ? compileNodeSelector(required) : null;
  return {
    matches(node) {
      const labels = node.metadata.labels;
      for (const [key, expected] of entries) if (labelValue(labels, key) !== expected) return false;
      return selector ? selector.matches(node) : true;
    },
    mismatch(node) {
      const m = entriesMismatch(entries, node.metadata.labels);
      if (m) return m;
      if (!selector) return null;
      const detail = selector.mismatch(node);
      return detail === null ? null : { kind: 'node-affinity', detail };
    },
    termErrors: selector ? selector.termErrors : [],
  };
}

/** Returns whether `node` fits the pod spec's nodeSelector and required node affinity (parse errors ignored, as the controller does). */
export function matchesRequiredNodeAffinity(spec: Pick<PodSpec, 'nodeSelector' | 'affinity'>, node: K8sNode): boolean {
  return compileNodeAffinity(spec).matches(node);
}
