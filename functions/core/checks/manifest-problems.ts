// manifest/invalid and manifest/unrendered: problems found while reading Git, as findings with file and line.
import type { Check } from './context.js';
import { findingFor } from './helpers.js';

export const manifestProblems: Check = {
  rules: ['manifest/invalid', 'manifest/unrendered'],
  run(ctx) {
    return ctx.desired.problems.map((p) => findingFor(ctx, p.rule, null, null,
      `${p.file}${p.line !== undefined ? `:${p.line}` : ''}: ${p.message}`,
      { file: p.file, ...(p.line !== undefined ? { line: p.line } : {}) }));
  },
};
