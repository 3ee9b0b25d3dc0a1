// practice/no-resource-limits: a container without the limits the rule requires (default memory and cpu).
import { z } from 'zod';
import type { Finding } from '../../types.js';
import { type Check, parametersOf } from '../context.js';
import { findingFor } from '../helpers.js';
import { containersOf, specSource } from '../practice-helpers.js';

/** Parameters: the limits every container must set. */
const Parameters = z
  .object({
    require: z
      .array(z.enum(['cpu', 'memory', 'ephemeral-storage']))
      .min(1)
      .default(['memory', 'cpu']),
  })
  .strict();

export const practiceResourceLimits: Check = {
  name: 'practice/no-resource-limits',
  rules: ['practice/no-resource-limits'],
  parameters: Parameters,
  run(ctx) {
    const out: Finding[] = [];
    const required = parametersOf(ctx, 'practice/no-resource-limits', Parameters).require;
    for (const pair of ctx.daemonSets) {
      for (const { c, path } of containersOf(pair)) {
        const limits = c.resources?.limits ?? {};
        const missing = required.filter((r) => limits[r] === undefined || limits[r] === null || limits[r] === '');
        if (!missing.length) continue;
        out.push(
          findingFor(ctx, 'practice/no-resource-limits', pair, null, `container ${c.name} sets no ${missing.join(' or ')} limit`, {
            container: c.name,
            expected: Object.fromEntries(missing.map((m) => [m, 'a limit'])),
            actual: c.resources?.limits ?? null,
            path: `${path}.resources.limits`,
            ...specSource(pair),
          }),
        );
      }
    }
    return out;
  },
};
