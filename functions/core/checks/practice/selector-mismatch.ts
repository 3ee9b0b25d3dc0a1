// practice/selector-mismatch: spec.selector does not select the template's own labels, is empty or invalid
// (kubernetes/kubernetes:pkg/apis/apps/validation/validation.go:ValidateDaemonSetSpec rejects all three).
import { compileLabelSelector } from '../../scheduling/label-selector.js';
import type { Finding } from '../../types.js';
import type { Check } from '../context.js';
import { findingFor } from '../helpers.js';
import { specSource } from '../practice-helpers.js';

export const practiceSelectorMismatch: Check = {
  name: 'practice/selector-mismatch',
  rules: ['practice/selector-mismatch'],
  run(ctx) {
    const out: Finding[] = [];
    for (const pair of ctx.daemonSets) {
      const selector = pair.spec.spec?.selector;
      const labels = pair.spec.spec?.template?.metadata?.labels ?? {};
      const compiled = compileLabelSelector(selector);
      let why: string | null = null;
      if (!selector) why = 'spec.selector is missing';
      else if (compiled.error) why = `spec.selector is invalid: ${compiled.error}`;
      else if (compiled.empty) why = 'spec.selector is empty (it would select every pod)';
      else if (!compiled.matches(labels)) why = 'spec.selector does not match the labels of spec.template.metadata.labels';
      if (!why) continue;
      out.push(
        findingFor(ctx, 'practice/selector-mismatch', pair, null, why, {
          expected: selector ?? null,
          actual: labels,
          path: 'spec.selector',
          ...specSource(pair),
        }),
      );
    }
    return out;
  },
};
