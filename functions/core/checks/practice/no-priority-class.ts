// practice/no-priority-class: a node agent without a node-critical priority class, so it may be evicted or
// pre-empted first when the node runs short (kubelet eviction and scheduler pre-emption order by priority).
import type { Finding } from '../../types.js';
import type { Check } from '../context.js';
import { findingFor } from '../helpers.js';
import { specSource, stringList } from '../practice-helpers.js';

export const practicePriorityClass: Check = {
  rules: ['practice/no-priority-class'],
  run(ctx) {
    const out: Finding[] = [];
    const classes = stringList(ctx.rule('practice/no-priority-class')?.parameters?.classes, ['system-node-critical', 'system-cluster-critical']);
    for (const pair of ctx.daemonSets) {
      const pc = pair.spec.spec?.template?.spec?.priorityClassName;
      if (pc && classes.includes(pc)) continue;
      out.push(findingFor(ctx, 'practice/no-priority-class', pair, null,
        pc ? `priorityClassName is ${pc}, not one of ${classes.join(', ')}` : `no priorityClassName: the pods may be evicted or pre-empted before other workloads`,
        { expected: classes, actual: pc ?? null, path: 'spec.template.spec.priorityClassName', ...specSource(pair) }));
    }
    return out;
  },
};
