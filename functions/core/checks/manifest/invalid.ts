// manifest/invalid and manifest/unrendered: problems found while reading Git, as findings with file and line.
import { unrenderedOwners } from '../../ownership.js';
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
    const findings = ctx.desired.problems.map((p) => findingFor(ctx, p.rule, owner(p.daemonSet), null,
      `${p.file}${p.line !== undefined ? `:${p.line}` : ''}: ${p.message}`,
      { file: p.file, ...(p.line !== undefined ? { line: p.line } : {}) }));
    // A live DaemonSet whose entry point could not be rendered is unknown, named by its own finding (core/ownership.ts).
    const owned = unrenderedOwners(ctx.desired.problems, ctx.daemonSets.flatMap((d) => (d.live && !d.desired ? [d.live] : [])));
    for (const [key, problems] of owned) {
      const pair = ctx.daemonSets.find((d) => d.key === key)!;
      findings.push(findingFor(ctx, 'manifest/unrendered', pair, null,
        `DaemonSet ${key} is applied by an entry point that could not be rendered, so what Git wants for it is unknown: ${problems.map((p) => `${p.file}: ${p.message}`).join('; ')}`,
        { file: problems[0]!.file }));
    }
    return findings;
  },
};
