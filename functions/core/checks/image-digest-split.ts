// image/digest-split: one image reference (registry/repository:tag, not pinned by digest) whose pods
// report different registry digests in containerStatuses[].imageID across nodes: a re-pushed mutable tag.
import { digestFromImageID, parseImageRef } from '../image-ref.js';
import type { Finding } from '../types.js';
import type { Check } from './context.js';
import { findingFor, forEachNodeWithPods } from './helpers.js';

export const imageDigestSplit: Check = {
  rules: ['image/digest-split'],
  run(ctx) {
    const out: Finding[] = [];
    for (const pair of ctx.daemonSets) {
      // container \0 normalized reference -> digest -> node count
      const seen = new Map<string, Map<string, number>>();
      forEachNodeWithPods(ctx, pair, (_node, _i, pods) => {
        for (const p of pods) {
          const statuses = [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])];
          if (!statuses.length) continue;
          const specImages = new Map<string, string>();
          for (const c of p.spec.initContainers ?? []) specImages.set(c.name, c.image ?? '');
          for (const c of p.spec.containers) specImages.set(c.name, c.image ?? '');
          for (const s of statuses) {
            const digest = digestFromImageID(s.imageID);
            const ref = digest ? parseImageRef(specImages.get(s.name) ?? s.image ?? '') : null;
            if (!digest || !ref || ref.digest) continue;
            const key = `${s.name}\u0000${ref.normalized}`;
            let byDigest = seen.get(key);
            if (!byDigest) seen.set(key, (byDigest = new Map()));
            byDigest.set(digest, (byDigest.get(digest) ?? 0) + 1);
          }
        }
      });
      for (const [key, byDigest] of [...seen].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        if (byDigest.size < 2) continue;
        const [container, ref] = key.split('\u0000') as [string, string];
        const digests = [...byDigest].sort(([da, a], [db, b]) => b - a || (da < db ? -1 : 1)).map(([digest, nodes]) => ({ digest, nodes }));
        const list = digests.map((d) => `${d.digest} on ${d.nodes} node${d.nodes === 1 ? '' : 's'}`).join(', ');
        out.push(findingFor(ctx, 'image/digest-split', pair, null,
          `container ${container}: image ${ref} runs as ${digests.length} different digests across nodes: ${list}`,
          { container, expected: digests[0]!.digest, actual: digests }));
      }
    }
    return out;
  },
};
