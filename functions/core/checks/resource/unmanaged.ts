// resource/unmanaged: a DaemonSet in the cluster, in a namespace Git manages, that Git does not declare.
import { unrenderedOwners } from '../../ownership.js';
import type { Finding } from '../../types.js';
import type { Check } from '../context.js';
import { findingFor } from '../helpers.js';

export const resourceUnmanaged: Check = {
  name: 'resource/unmanaged',
  rules: ['resource/unmanaged'],
  run(ctx) {
    const out: Finding[] = [];
    const managed = new Set(ctx.desired.managedNamespaces);
    // Declared in Git but unreadable there: manifest/invalid says so; "not in Git" would be wrong.
    const declared = new Set(ctx.desired.problems.map((p) => p.daemonSet).filter(Boolean));
    // Applied by an entry point that could not be rendered: unknown, not unmanaged (manifest/unrendered says so).
    for (const key of unrenderedOwners(ctx.desired.problems, ctx.snapshot.daemonSets).keys()) declared.add(key);
    for (const pair of ctx.daemonSets) {
      if (pair.desired || !pair.live || !managed.has(pair.namespace) || declared.has(pair.key)) continue;
      out.push(
        findingFor(
          ctx,
          'resource/unmanaged',
          pair,
          null,
          `DaemonSet ${pair.key} runs in the cluster, in namespace ${pair.namespace} that Git manages, but no manifest in Git declares it`,
          { expected: 'absent', actual: 'present' },
        ),
      );
    }
    return out;
  },
};
