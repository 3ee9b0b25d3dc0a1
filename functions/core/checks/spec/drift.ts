// spec/drift: the live DaemonSet against its Git manifest, field by field after normalisation
// (functions/core/spec-drift/): one finding per differing JSON path with Git's and the live value.
import { changedByOf, DEFAULT_HAND_MANAGERS, handOwnerOf, type ChangedBy } from '../../attribution/index.js';
import { z } from 'zod';
import { diffDaemonSets } from '../../spec-drift/index.js';
import type { Finding } from '../../types.js';
import { type Check, parametersOf } from '../context.js';
import { findingFor } from '../helpers.js';

/** Parameters: field managers that are people's hands, not controllers (`*` globs): their live-only fields are drift anywhere. */
const Parameters = z
  .object({
    handManagers: z.array(z.string().min(1)).default(() => [...DEFAULT_HAND_MANAGERS]),
  })
  .strict();

/** Returns `; last set by <manager> (<operation>) at <time>` for a message, or '' without attribution. */
export function describeChangedBy(by: ChangedBy | undefined): string {
  return by ? `; last set by ${by.manager} (${by.operation})${by.time ? ` at ${by.time}` : ''}` : '';
}

/** Returns a short, one-line rendering of a value for a message (absent values say so). */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  // Keys sorted: the same object read from the API or from a kubectl dump must read the same.
  const s =
    JSON.stringify(v, (_k, x: unknown) =>
      x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x,
    ) ?? String(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

export const specDrift: Check = {
  name: 'spec/drift',
  rules: ['spec/drift'],
  parameters: Parameters,
  run(ctx) {
    const out: Finding[] = [];
    const { handManagers } = parametersOf(ctx, 'spec/drift', Parameters);
    for (const pair of ctx.daemonSets) {
      if (!pair.desired || !pair.live) continue;
      // Dumps made without --show-managed-fields have none: then there is no attribution, and fields only
      // the cluster has stay ignored outside the full regions, as before.
      const managed = pair.live.metadata.managedFields;
      const handOwned = Array.isArray(managed) && managed.length ? (path: string) => handOwnerOf(managed, path, handManagers) !== undefined : undefined;
      for (const d of diffDaemonSets(pair.desired.manifest, pair.live, { hash: ctx.hash, handOwned })) {
        const container = /\.(?:init)?[cC]ontainers\[name=([^\]]+)\]/.exec(d.path)?.[1];
        const message =
          d.actual === undefined
            ? `${d.path}: Git sets ${describeValue(d.expected)}, the live DaemonSet does not have it`
            : d.expected === undefined
              ? `${d.path}: the live DaemonSet has ${describeValue(d.actual)}, which Git does not set`
              : `${d.path}: Git sets ${describeValue(d.expected)}, the live DaemonSet has ${describeValue(d.actual)}`;
        // Who set the live value; a value Git sets that the live object lacks has no owner to name.
        const changedBy = d.actual === undefined ? undefined : changedByOf(managed, d.path);
        out.push(
          findingFor(ctx, 'spec/drift', pair, null, message + describeChangedBy(changedBy), {
            ...(container !== undefined ? { container } : {}),
            // null stands for "absent" so the JSON report keeps both keys.
            expected: d.expected ?? null,
            actual: d.actual ?? null,
            path: d.path,
            file: pair.desired.file,
            line: pair.desired.line,
            ...(changedBy ? { changedBy } : {}),
          }),
        );
      }
    }
    return out;
  },
};
