// Per DaemonSet and container: the image Git wants, the image the live template names, and what the
// pods run (the image each pod's spec asked for, the digest its containerStatuses report, and how many
// pods). Renderers put them side by side; the image/* checks judge them. One pass over the owned pods.
import type { DaemonSetPair } from './checks/context.js';
import { memoize } from './checks/helpers.js';
import { compareStrings } from './findings.js';
import { digestFromImageID } from './image-ref.js';
import type { Container, ContainerStatus } from './k8s-types.js';
import type { ContainerImages } from './types.js';

/** Returns the DaemonSet's containers (Git's order, init containers first, then live-only ones) with their Git, live and running images. */
export function computeImages(pair: DaemonSetPair): ContainerImages[] {
  const byName = new Map<string, ContainerImages>();
  const entry = (name: string, init: boolean): ContainerImages => {
    let e = byName.get(name);
    if (!e) byName.set(name, (e = { container: name, ...(init ? { init } : {}), git: null, live: null, running: [] }));
    return e;
  };
  const gitSpec = pair.desired?.manifest.spec.template.spec;
  for (const c of gitSpec?.initContainers ?? []) entry(c.name, true).git = c.image ?? '';
  for (const c of gitSpec?.containers ?? []) entry(c.name, false).git = c.image ?? '';
  const liveSpec = pair.live?.spec.template.spec;
  for (const c of liveSpec?.initContainers ?? []) entry(c.name, true).live = c.image ?? '';
  for (const c of liveSpec?.containers ?? []) entry(c.name, false).live = c.image ?? '';

  // container -> image -> digest ('' when not reported) -> pods
  const counts = new Map<string, Map<string, Map<string, number>>>();
  const digestOf = memoize((id) => digestFromImageID(id) ?? '');
  const count = (c: Container, init: boolean, statuses: ContainerStatus[] | undefined): void => {
    entry(c.name, init);
    const image = c.image ?? '';
    const status = statuses?.find((s) => s.name === c.name);
    const digest = status?.imageID ? digestOf(status.imageID) : '';
    let byImage = counts.get(c.name);
    if (!byImage) counts.set(c.name, (byImage = new Map()));
    let byDigest = byImage.get(image);
    if (!byDigest) byImage.set(image, (byDigest = new Map()));
    byDigest.set(digest, (byDigest.get(digest) ?? 0) + 1);
  };
  for (const pods of pair.podsByNode.values()) {
    for (const p of pods) {
      for (const c of p.spec.initContainers ?? []) count(c, true, p.status?.initContainerStatuses);
      for (const c of p.spec.containers) count(c, false, p.status?.containerStatuses);
    }
  }
  for (const [name, byImage] of counts) {
    byName.get(name)!.running = [...byImage]
      .flatMap(([image, byDigest]) => [...byDigest].map(([digest, pods]) => ({ image, digest: digest || null, pods })))
      .sort((a, b) => b.pods - a.pods || compareStrings(a.image, b.image) || compareStrings(a.digest ?? '', b.digest ?? ''));
  }
  return [...byName.values()];
}
