// manifest/invalid and manifest/unrendered: problems found while reading Git, as findings with file and line.
import type { Check } from '../context.js';
import { findingFor } from '../helpers.js';

export const manifestProblems: Check = {
  rules: ['manifest/invalid', 'manifest/unrendered'],
  run(ctx) {
    // A problem inside a named DaemonSet is that DaemonSet's finding (its issue, its waivers).
    const owner = (key: string | undefined) => {
      if (!key) return null;
      const slash = key.indexOf('/');
      return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
    };
    return ctx.desired.problems.map((p) => findingFor(ctx, p.rule, owner(p.daemonSet), null,
      `${p.file}${p.line !== undefined ? `:${p.line}` : ''}: ${p.message}`,
      { file: p.file, ...(p.line !== undefined ? { line: p.line } : {}) }));
  },
};
