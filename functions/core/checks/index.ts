// The checks audit() runs: checks/<category>/<name>.ts is the check a rule file names with
// `check: <category>/<name>`. To add one: write rules/<id>.yaml and the check, append the check to
// CHECKS (order does not matter: findings are sorted), add the id to RULE_IDS (rules.ts) and cases in
// test/rules/<id>/; test/rules/catalog.test.ts holds the three together.
import { CHANGE_PARAMETERS } from './change-parameters.js';
import type { Check } from './context.js';
import { coverageDuplicate } from './coverage/duplicate.js';
import { coverageKept } from './coverage/kept.js';
import { coverageMisscheduled } from './coverage/misscheduled.js';
import { coverageMissing } from './coverage/missing.js';
import { coverageUnready } from './coverage/unready.js';
import { imageDigestSplit } from './image/digest-split.js';
import { imageDrift } from './image/drift.js';
import { imageOutdatedPod } from './image/outdated-pod.js';
import { manifestInvalid } from './manifest/invalid.js';
import { manifestUnrendered } from './manifest/unrendered.js';
import { resourceMissing } from './resource/missing.js';
import { resourceUnmanaged } from './resource/unmanaged.js';
import { practiceMutableImageTag } from './practice/mutable-image-tag.js';
import { practiceOnDelete } from './practice/on-delete-strategy.js';
import { practicePriorityClass } from './practice/no-priority-class.js';
import { practiceResourceLimits } from './practice/no-resource-limits.js';
import { practiceSelectorMismatch } from './practice/selector-mismatch.js';
import { requiredCoverage } from './coverage/required-missing.js';
import { rolloutStuck } from './rollout/stuck.js';
import { specDrift } from './spec/drift.js';

/** Every check, run by audit() for the rules the policy enables. */
export const CHECKS: Check[] = [
  coverageMissing,
  coverageMisscheduled,
  coverageKept,
  coverageDuplicate,
  coverageUnready,
  imageDrift,
  imageOutdatedPod,
  imageDigestSplit,
  resourceMissing,
  resourceUnmanaged,
  manifestInvalid,
  manifestUnrendered,
  specDrift,
  rolloutStuck,
  requiredCoverage,
  practiceResourceLimits,
  practiceMutableImageTag,
  practiceOnDelete,
  practiceSelectorMismatch,
  practicePriorityClass,
];

/**
 * Rules raised outside CHECKS; their rule files name these. audit/incomplete comes from the inputs'
 * gaps after the policy is applied, so nothing can hide it (functions/core/audit.ts);
 * policy/waiver-expired while the policy is applied (functions/core/policy/apply.ts); change/* by
 * `pr-check`, which compares two sides of a pull request (functions/core/change/compare.ts).
 */
export const AUDIT_CHECKS: readonly Pick<Check, 'name' | 'rules' | 'parameters'>[] = [
  { name: 'audit/incomplete', rules: ['audit/incomplete'] },
  { name: 'policy/waiver-expired', rules: ['policy/waiver-expired'] },
  ...(['change/coverage-gained', 'change/coverage-lost', 'change/image', 'change/required-coverage-lost'] as const).map((id) => ({ name: id, rules: [id] })),
  { name: 'change/rollout-risk', rules: ['change/rollout-risk'], parameters: CHANGE_PARAMETERS['change/rollout-risk'] },
  { name: 'change/snapshot-stale', rules: ['change/snapshot-stale'], parameters: CHANGE_PARAMETERS['change/snapshot-stale'] },
];

/** Returns the check (or audit-raised rule source) a rule file names, or undefined. */
export function checkNamed(name: string): Pick<Check, 'name' | 'rules' | 'parameters'> | undefined {
  return CHECKS.find((c) => c.name === name) ?? AUDIT_CHECKS.find((c) => c.name === name);
}
