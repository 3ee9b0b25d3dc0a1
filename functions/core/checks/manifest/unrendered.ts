// manifest/unrendered: a folder or entry point that needs rendering (kustomize, Helm, Argo CD, Flux)
// and could not be rendered, as a finding with the file; and each live DaemonSet such an entry point
// applies, since what Git wants for it is then unknown (core/ownership.ts).
import { unrenderedOwners } from '../../ownership.js';
import type { Check } from '../context.js';
import { findingFor, manifestFindings } from '../helpers.js';

export const manifestUnrendered: Check = {
  name: 'manifest/unrendered',
  rules: ['manifest/unrendered'],
  run(ctx) {
    const findings = manifestFindings(ctx, 'manifest/unrendered');
    const owned = unrenderedOwners(
      ctx.desired.problems,
      ctx.daemonSets.flatMap((d) => (d.live && !d.desired ? [d.live] : [])),
    );
    for (const [key, problems] of owned) {
      const pair = ctx.daemonSets.find((d) => d.key === key)!;
      findings.push(
        findingFor(
          ctx,
          'manifest/unrendered',
          pair,
          null,
          `DaemonSet ${key} is applied by an entry point that could not be rendered, so what Git wants for it is unknown: ${problems.map((p) => `${p.file}: ${p.message}`).join('; ')}`,
          { file: problems[0]!.file },
        ),
      );
    }
    return findings;
  },
};
