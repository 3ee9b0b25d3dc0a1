// practice/no-priority-class: a node agent without a node-critical priority class, so it may be evicted or
// pre-empted first when the node runs short (kubelet eviction and scheduler pre-emption order by priority).
import { z } from 'zod';
import type { Finding } from '../../types.js';
import { type Check, parametersOf } from '../context.js';
import { findingFor } from '../helpers.js';
import { specSource } from '../practice-helpers.js';

/** Parameters: the priority classes that count as node-critical. */
const Parameters = z
  .object({
    classes: z.array(z.string().min(1)).min(1).default(['system-node-critical', 'system-cluster-critical']),
  })
  .strict();

export const practicePriorityClass: Check = {
  name: 'practice/no-priority-class',
  rules: ['practice/no-priority-class'],
  parameters: Parameters,
  run(ctx) {
    const out: Finding[] = [];
    const { classes } = parametersOf(ctx, 'practice/no-priority-class', Parameters);
    for (const pair of ctx.daemonSets) {
      const pc = pair.spec.spec?.template?.spec?.priorityClassName;
      if (pc && classes.includes(pc)) continue;
      out.push(
        findingFor(
          ctx,
          'practice/no-priority-class',
          pair,
          null,
          pc
            ? `priorityClassName is ${pc}, not one of ${classes.join(', ')}`
            : `no priorityClassName: the pods may be evicted or pre-empted before other workloads`,
          { expected: classes, actual: pc ?? null, path: 'spec.template.spec.priorityClassName', ...specSource(pair) },
        ),
      );
    }
    return out;
  },
};
