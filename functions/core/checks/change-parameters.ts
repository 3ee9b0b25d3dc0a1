// The parameters of the change/* rules (pr-check, functions/core/change/compare.ts), declared here
// because compare.ts imports the audit and so cannot be imported by the check registry. The defaults
// equal compare.ts's CHANGE_DEFAULTS; test/rules/catalog.test.ts keeps the two equal.
import { z } from 'zod';

/** Parameter schemas of the change/* rules that take any. */
export const CHANGE_PARAMETERS = {
  /** The head may take down at most this share of its nodes at once. */
  'change/rollout-risk': z.object({ maxUnavailablePercent: z.number().min(0).max(100).default(25) }).strict(),
  /** The snapshot may be this old (26 h: a daily snapshot plus slack). */
  'change/snapshot-stale': z
    .object({
      maxAgeSeconds: z
        .number()
        .int()
        .nonnegative()
        .default(26 * 3600),
    })
    .strict(),
} as const;
