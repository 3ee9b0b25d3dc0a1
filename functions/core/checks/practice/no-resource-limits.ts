// practice/no-resource-limits: a container without the limits the rule requires (default memory and cpu).
import type { Finding } from '../../types.js';
import type { Check } from '../context.js';
import { findingFor } from '../helpers.js';
import { containersOf, specSource, stringList } from '../practice-helpers.js';

export const practiceResourceLimits: Check = {
  rules: ['practice/no-resource-limits'],
  run(ctx) {
    const out: Finding[] = [];
    const required = stringList(ctx.rule('practice/no-resource-limits')?.parameters?.require, ['memory', 'cpu']);
    for (const pair of ctx.daemonSets) {
      for (const { c, path } of containersOf(pair)) {
        const limits = c.resources?.limits ?? {};
        const missing = required.filter((r) => limits[r] === undefined || limits[r] === null || limits[r] === '');
        if (!missing.length) continue;
        out.push(findingFor(ctx, 'practice/no-resource-limits', pair, null,
          `container ${c.name} sets no ${missing.join(' or ')} limit`,
          { container: c.name, expected: Object.fromEntries(missing.map((m) => [m, 'a limit'])), actual: c.resources?.limits ?? null, path: `${path}.resources.limits`, ...specSource(pair) }));
      }
    }
    return out;
  },
};
