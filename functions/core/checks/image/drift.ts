// image/drift: the live DaemonSet's container images against Git's, per container (and init container),
// compared normalised (nginx:1.27 = docker.io/library/nginx:1.27; digest pins compare by digest).
import { sameImage } from '../../image-ref.js';
import { changedByOf } from '../../attribution/index.js';
import type { Finding } from '../../types.js';
import type { Check } from '../context.js';
import { containerImages, containerPath, findingFor } from '../helpers.js';
import { describeChangedBy } from '../spec/drift.js';

export const imageDrift: Check = {
  name: 'image/drift',
  rules: ['image/drift'],
  run(ctx) {
    const out: Finding[] = [];
    for (const pair of ctx.daemonSets) {
      if (!pair.desired || !pair.live) continue;
      const gitSpec = pair.desired.manifest.spec.template.spec;
      const liveSpec = pair.live.spec.template.spec;
      const git = containerImages(gitSpec);
      const live = containerImages(liveSpec);
      const where = { file: pair.desired.file, line: pair.desired.line };
      for (const [name, want] of git) {
        const have = live.get(name);
        if (have === undefined) {
          out.push(
            findingFor(ctx, 'image/drift', pair, null, `container ${name} is in Git (image ${want}) but not in the live DaemonSet`, {
              container: name,
              expected: want,
              actual: null,
              path: containerPath(gitSpec, name),
              ...where,
            }),
          );
        } else if (!sameImage(have, want)) {
          const path = containerPath(gitSpec, name);
          const changedBy = changedByOf(pair.live.metadata.managedFields, path);
          out.push(
            findingFor(ctx, 'image/drift', pair, null, `container ${name}: the live DaemonSet runs ${have}, Git wants ${want}${describeChangedBy(changedBy)}`, {
              container: name,
              expected: want,
              actual: have,
              path,
              ...where,
              ...(changedBy ? { changedBy } : {}),
            }),
          );
        }
      }
      for (const [name, have] of live) {
        if (git.has(name)) continue;
        const path = containerPath(liveSpec, name);
        const changedBy = changedByOf(pair.live.metadata.managedFields, path.replace(/\.image$/, ''));
        out.push(
          findingFor(
            ctx,
            'image/drift',
            pair,
            null,
            `container ${name} (image ${have}) runs in the live DaemonSet but is not in Git${describeChangedBy(changedBy)}`,
            { container: name, expected: null, actual: have, path, ...where, ...(changedBy ? { changedBy } : {}) },
          ),
        );
      }
    }
    return out;
  },
};
