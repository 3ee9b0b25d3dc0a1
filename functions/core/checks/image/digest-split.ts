// image/digest-split: one image reference (registry/repository:tag, not pinned by digest) whose pods
// report different registry digests in containerStatuses[].imageID across nodes: a re-pushed mutable tag.
import { digestFromImageID, parseImageRef } from '../../image-ref.js';
import type { ContainerStatus, K8sPod } from '../../k8s-types.js';
import type { Finding } from '../../types.js';
import type { Check } from '../context.js';
import { findingFor, forEachNodeWithPods, memoize } from '../helpers.js';

export const imageDigestSplit: Check = {
  name: 'image/digest-split',
  rules: ['image/digest-split'],
  run(ctx) {
    const out: Finding[] = [];
    // Image IDs and references repeat across the fleet: parse each distinct string once.
    const digestOf = memoize(digestFromImageID);
    const refOf = memoize((s) => {
      const ref = parseImageRef(s);
      return ref && !ref.digest ? ref.normalized : null;
    });
    for (const pair of ctx.daemonSets) {
      // container -> normalised reference -> digest -> pods
      const seen = new Map<string, Map<string, Map<string, number>>>();
      const count = (p: K8sPod, s: ContainerStatus): void => {
        const digest = s.imageID ? digestOf(s.imageID) : null;
        if (!digest) return;
        // The reference the pod asked for (spec), not the one the runtime reports back.
        const spec = p.spec.containers.find((c) => c.name === s.name) ?? p.spec.initContainers?.find((c) => c.name === s.name);
        const ref = refOf(spec?.image ?? s.image ?? '');
        if (!ref) return;
        let byRef = seen.get(s.name);
        if (!byRef) seen.set(s.name, (byRef = new Map()));
        let byDigest = byRef.get(ref);
        if (!byDigest) byRef.set(ref, (byDigest = new Map()));
        byDigest.set(digest, (byDigest.get(digest) ?? 0) + 1);
      };
      forEachNodeWithPods(ctx, pair, (_node, _i, pods) => {
        for (const p of pods) {
          if (p.status?.initContainerStatuses) for (const s of p.status.initContainerStatuses) count(p, s);
          if (p.status?.containerStatuses) for (const s of p.status.containerStatuses) count(p, s);
        }
      });
      for (const container of [...seen.keys()].sort()) {
        const byRef = seen.get(container)!;
        for (const ref of [...byRef.keys()].sort()) {
          const byDigest = byRef.get(ref)!;
          if (byDigest.size < 2) continue;
          const digests = [...byDigest].sort(([da, a], [db, b]) => b - a || (da < db ? -1 : 1)).map(([digest, nodes]) => ({ digest, nodes }));
          const list = digests.map((d) => `${d.digest} on ${d.nodes} node${d.nodes === 1 ? '' : 's'}`).join(', ');
          out.push(
            findingFor(
              ctx,
              'image/digest-split',
              pair,
              null,
              `container ${container}: image ${ref} runs as ${digests.length} different digests across nodes: ${list}`,
              { container, expected: digests[0]!.digest, actual: digests },
            ),
          );
        }
      }
    }
    return out;
  },
};
