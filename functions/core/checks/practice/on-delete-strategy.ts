// practice/on-delete-strategy: updateStrategy OnDelete, where template changes reach nodes only as pods are deleted
// (kubernetes/kubernetes:pkg/controller/daemon/update.go).
import { effectiveUpdateStrategy } from '../../scheduling/rollout.js';
import type { Finding } from '../../types.js';
import type { Check } from '../context.js';
import { findingFor } from '../helpers.js';
import { specSource } from '../practice-helpers.js';

export const practiceOnDelete: Check = {
  name: 'practice/on-delete-strategy',
  rules: ['practice/on-delete-strategy'],
  run(ctx) {
    const out: Finding[] = [];
    for (const pair of ctx.daemonSets) {
      if (effectiveUpdateStrategy(pair.spec).type !== 'OnDelete') continue;
      out.push(
        findingFor(
          ctx,
          'practice/on-delete-strategy',
          pair,
          null,
          'updateStrategy is OnDelete: changes to the pod template reach a node only when its pod is deleted',
          { expected: 'RollingUpdate', actual: 'OnDelete', path: 'spec.updateStrategy.type', ...specSource(pair) },
        ),
      );
    }
    return out;
  },
};
