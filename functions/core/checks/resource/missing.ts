// resource/missing: a DaemonSet declared in Git that the cluster does not have (by namespace/name).
import type { Finding } from '../../types.js';
import type { Check } from '../context.js';
import { findingFor } from '../helpers.js';

export const resourceMissing: Check = {
  name: 'resource/missing',
  rules: ['resource/missing'],
  run(ctx) {
    const out: Finding[] = [];
    // A snapshot restricted to some namespaces says nothing about the others.
    const read = ctx.snapshot.source.namespaces;
    for (const pair of ctx.daemonSets) {
      if (!pair.desired || pair.live) continue;
      if (read && read.length && !read.includes(pair.namespace)) continue;
      out.push(
        findingFor(
          ctx,
          'resource/missing',
          pair,
          null,
          `DaemonSet ${pair.key} is declared in Git (${pair.desired.file}:${pair.desired.line}) but does not exist in the cluster`,
          { expected: 'present', actual: 'absent', file: pair.desired.file, line: pair.desired.line },
        ),
      );
    }
    return out;
  },
};
