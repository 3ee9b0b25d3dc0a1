// The checks audit() runs, one per idea; each implements rules from rules/<category>/<name>.yaml.
// To add a check: write it next to these, then append it to CHECKS (order does not matter: findings are sorted).
import type { Check } from './context.js';
import { coverageDuplicate } from './coverage/duplicate.js';
import { coverageKept } from './coverage/kept.js';
import { coverageMisscheduled } from './coverage/misscheduled.js';
import { coverageMissing } from './coverage/missing.js';
import { coverageUnready } from './coverage/unready.js';
import { imageDigestSplit } from './image/digest-split.js';
import { imageDrift } from './image/drift.js';
import { imageOutdatedPod } from './image/outdated-pod.js';
import { manifestProblems } from './manifest/invalid.js';
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
  manifestProblems,
  specDrift, rolloutStuck, requiredCoverage, practiceResourceLimits, practiceMutableImageTag, practiceOnDelete, practiceSelectorMismatch, practicePriorityClass,
];
