// metav1.LabelSelector matching with LabelSelectorAsSelector semantics
// (kubernetes/apimachinery@v0.34.0:pkg/apis/meta/v1/helpers.go:LabelSelectorAsSelector): null selects nothing,
// `{}` selects everything, matchLabels AND matchExpressions, and an invalid selector selects nothing
// (the controller gets an error and syncs no pods).
import type { LabelSelector } from '../k8s-types.js';
import { type Labels, parseRequirement, type Requirement, requirementMatches } from './labels.js';

/** A label selector parsed once. */
export interface CompiledLabelSelector {
  /** Returns whether `labels` are selected. */
  matches(labels: Labels): boolean;
  /** True when the selector has no requirements (`{}` selects everything). */
  readonly empty: boolean;
  /** Why the selector is invalid (it then selects nothing), or null. */
  readonly error: string | null;
}

const NOTHING: CompiledLabelSelector = Object.freeze({ matches: () => false, empty: false, error: null });
const EVERYTHING: CompiledLabelSelector = Object.freeze({ matches: () => true, empty: true, error: null });
const cache = new WeakMap<object, CompiledLabelSelector>();

/** Returns the selector parsed once (cached per selector object) with LabelSelectorAsSelector semantics. */
export function compileLabelSelector(selector: LabelSelector | null | undefined): CompiledLabelSelector {
  if (selector === null || selector === undefined) return NOTHING;
  const cached = cache.get(selector);
  if (cached) return cached;
  const compiled = parseLabelSelector(selector);
  cache.set(selector, compiled);
  return compiled;
}

function parseLabelSelector(selector: LabelSelector): CompiledLabelSelector {
  const matchLabels = Object.entries(selector.matchLabels ?? {});
  const matchExpressions = selector.matchExpressions ?? [];
  if (matchLabels.length + matchExpressions.length === 0) return EVERYTHING;
  const requirements: Requirement[] = [];
  const fail = (error: string): CompiledLabelSelector => Object.freeze({ matches: () => false, empty: false, error });
  for (const [key, value] of matchLabels) {
    const [r, error] = parseRequirement(key, 'Equals', [value]);
    if (error !== null) return fail(`matchLabels: ${error}`);
    requirements.push(r);
  }
  for (const [i, expr] of matchExpressions.entries()) {
    if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(expr.operator)) {
      return fail(`matchExpressions[${i}]: "${expr.operator}" is not a valid label selector operator`);
    }
    const [r, error] = parseRequirement(expr.key, expr.operator, expr.values);
    if (error !== null) return fail(`matchExpressions[${i}]: ${error}`);
    requirements.push(r);
  }
  return Object.freeze({
    matches: (labels: Labels) => {
      for (const r of requirements) if (!requirementMatches(r, labels)) return false;
      return true;
    },
    empty: false,
    error: null,
  });
}

/** Returns whether `labels` are selected by `selector` (null selects nothing, `{}` everything, invalid nothing). */
export function matchesLabelSelector(selector: LabelSelector | null | undefined, labels: Labels): boolean {
  return compileLabelSelector(selector).matches(labels);
}
