// spec/drift: the live DaemonSet against its Git manifest, field by field after normalisation
// (functions/core/spec-drift/): one finding per differing JSON path with Git's and the live value.
import { diffDaemonSets } from '../spec-drift/index.js';
import type { Finding } from '../types.js';
import type { Check } from './context.js';
import { findingFor } from './helpers.js';

/** Returns a short, one-line rendering of a value for a message (absent values say so). */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  // Keys sorted: the same object read from the API or from a kubectl dump must read the same.
  const s = JSON.stringify(v, (_k, x: unknown) => (x && typeof x === 'object' && !Array.isArray(x)
    ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x)) ?? String(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

export const specDrift: Check = {
  rules: ['spec/drift'],
  run(ctx) {
    const out: Finding[] = [];
    for (const pair of ctx.daemonSets) {
      if (!pair.desired || !pair.live) continue;
      for (const d of diffDaemonSets(pair.desired.manifest, pair.live, { hash: ctx.hash })) {
        const container = /\.(?:init)?[cC]ontainers\[name=([^\]]+)\]/.exec(d.path)?.[1];
        const message = d.actual === undefined
          ? `${d.path}: Git sets ${describeValue(d.expected)}, the live DaemonSet does not have it`
          : d.expected === undefined
            ? `${d.path}: the live DaemonSet has ${describeValue(d.actual)}, which Git does not set`
            : `${d.path}: Git sets ${describeValue(d.expected)}, the live DaemonSet has ${describeValue(d.actual)}`;
        out.push(findingFor(ctx, 'spec/drift', pair, null, message, {
          ...(container !== undefined ? { container } : {}),
          // null stands for "absent" so the JSON report keeps both keys.
          expected: d.expected ?? null,
          actual: d.actual ?? null,
          path: d.path,
          file: pair.desired.file,
          line: pair.desired.line,
        }));
      }
    }
    return out;
  },
};
