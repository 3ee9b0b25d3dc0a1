// manifest/invalid: a manifest in Git that cannot be parsed or used, as a finding with file and line
// (the problems are found while reading Git: functions/adapters/manifest-folder.ts).
import type { Check } from '../context.js';
import { manifestFindings } from '../helpers.js';

export const manifestInvalid: Check = {
  name: 'manifest/invalid',
  rules: ['manifest/invalid'],
  run: (ctx) => manifestFindings(ctx, 'manifest/invalid'),
};
