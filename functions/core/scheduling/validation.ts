// The parts of DaemonSet API validation that change placement or rollout, for manifests that never
// went through an API server (Git) and for live objects created before a rule tightened
// (kubernetes/kubernetes@v1.34.0:pkg/apis/apps/validation/validation.go:ValidateDaemonSetSpec, ValidateRollingUpdateDaemonSet).
import type { K8sDaemonSet } from '../k8s-types.js';
import { compileLabelSelector } from './label-selector.js';
import { compileNodeAffinity } from './node-affinity.js';
import { effectiveUpdateStrategy } from './rollout.js';

/** One problem in a DaemonSet spec: the field path and what is wrong. */
export interface SpecProblem {
  field: string;
  message: string;
}

/** Returns an int-or-percent's raw value (percent without '%'), or null when it is neither. */
function intOrPercentValue(v: number | string | null | undefined): { value: number; percent: boolean } | null {
  if (typeof v === 'number') return Number.isInteger(v) ? { value: v, percent: false } : null;
  if (typeof v === 'string' && /^[0-9]+%$/.test(v)) return { value: Number(v.slice(0, -1)), percent: true };
  return null;
}

/** Returns the problems ValidateRollingUpdateDaemonSet reports after defaults: non-negative int or percent, ≤100%, exactly one of maxUnavailable/maxSurge non-zero. */
export function rollingUpdateProblems(ds: K8sDaemonSet): SpecProblem[] {
  const s = effectiveUpdateStrategy(ds);
  if (s.type === 'OnDelete') return [];
  const base = 'spec.updateStrategy';
  if (s.type !== 'RollingUpdate')
    return [{ field: `${base}.type`, message: `unsupported value "${s.type}": supported values are "RollingUpdate", "OnDelete"` }];
  const problems: SpecProblem[] = [];
  const parsed = (['maxUnavailable', 'maxSurge'] as const).map((name) => {
    const field = `${base}.rollingUpdate.${name}`;
    const v = intOrPercentValue(s[name]);
    if (!v) problems.push({ field, message: `must be an integer or percentage (e.g. '5%'), got ${JSON.stringify(s[name])}` });
    else if (v.value < 0) problems.push({ field, message: 'must be greater than or equal to 0' });
    else if (v.percent && v.value > 100) problems.push({ field, message: 'must not be greater than 100%' });
    return v?.value ?? 0;
  });
  const [unavailable, surge] = parsed as [number, number];
  if (unavailable !== 0 && surge !== 0) problems.push({ field: `${base}.rollingUpdate.maxSurge`, message: 'may not be set when maxUnavailable is non-zero' });
  if (unavailable === 0 && surge === 0) problems.push({ field: `${base}.rollingUpdate.maxUnavailable`, message: 'cannot be 0 when maxSurge is 0' });
  return problems;
}

/**
 * Returns the spec problems that decide where and whether a DaemonSet's pods run: selector empty, invalid or
 * not matching the template labels; restartPolicy other than Always; activeDeadlineSeconds; rolling-update
 * limits; and required node-affinity terms that can never match because they do not parse (the API accepts
 * most of those, and the controller silently skips them).
 */
export function daemonSetSpecProblems(ds: K8sDaemonSet): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const selector = compileLabelSelector(ds.spec?.selector);
  const template = ds.spec?.template;
  if (!ds.spec?.selector) problems.push({ field: 'spec.selector', message: 'required' });
  else if (selector.error) problems.push({ field: 'spec.selector', message: selector.error });
  else if (selector.empty) problems.push({ field: 'spec.selector', message: 'empty selector is invalid for daemonset' });
  else if (!selector.matches(template?.metadata?.labels))
    problems.push({ field: 'spec.template.metadata.labels', message: '`selector` does not match template `labels`' });
  const spec = template?.spec;
  if (!spec) return [...problems, { field: 'spec.template.spec', message: 'required' }];
  const restartPolicy = spec['restartPolicy'];
  if (restartPolicy !== undefined && restartPolicy !== 'Always')
    problems.push({ field: 'spec.template.spec.restartPolicy', message: `unsupported value ${JSON.stringify(restartPolicy)}: supported values are "Always"` });
  if (spec['activeDeadlineSeconds'] !== undefined && spec['activeDeadlineSeconds'] !== null)
    problems.push({ field: 'spec.template.spec.activeDeadlineSeconds', message: 'activeDeadlineSeconds in DaemonSet is not Supported' });
  problems.push(...rollingUpdateProblems(ds));
  for (const { term, error } of compileNodeAffinity(spec).termErrors) {
    problems.push({
      field: `spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[${term}]`,
      message: `never matches any node: ${error}`,
    });
  }
  return problems;
}
