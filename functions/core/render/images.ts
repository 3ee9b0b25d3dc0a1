// Git image versus live images per DaemonSet container, as the HTML and Markdown DaemonSet tables show
// them: what Git wants, the live template when it differs, and each image and digest the pods run with
// its pod count, marked where the tag or the digest differs. The data is the report's coverage[].images.
import { parseImageRef, sameImage } from '../image-ref.js';
import type { ContainerImages, DaemonSetCoverage } from '../types.js';

/**
 * What differs about a running image: its reference (tag or repository) from Git's, or one tag running as
 * several digests. A reference pinned by digest is not judged by the digests pods report, as image/digest-split
 * does not (a multi-arch index and a platform manifest have different digests).
 */
export type ImageMismatch = 'tag' | 'digest-split';

/** One container's images, with the mismatches a reader should see. */
export interface ImageView {
  container: string;
  init: boolean;
  /** Git's image; null when Git has none (not in Git, a live-only audit): then running images are judged against the live template. */
  git: string | null;
  /** The live template's image; null when the DaemonSet is not in the cluster or its template lacks the container. */
  live: string | null;
  /** Git and the live template name different images (image/drift). */
  liveDiffers: boolean;
  /** What running images are judged against: Git's image, else the live template's, else nothing. */
  reference: 'Git' | 'the live template' | null;
  /** `same`: the image is the reference's (a digest may still differ). */
  running: { image: string; digest: string | null; pods: number; same: boolean; mismatch: ImageMismatch | null }[];
}

/** Returns the views of a DaemonSet's containers; empty for reports written before coverage[].images existed. */
export function imageViews(c: DaemonSetCoverage): ImageView[] {
  return (c.images ?? []).map(imageView);
}

function imageView(ci: ContainerImages): ImageView {
  const want = ci.git ?? ci.live;
  const digestsOf = new Map<string, Set<string>>();
  for (const r of ci.running) {
    if (r.digest && !parseImageRef(r.image)?.digest) digestsOf.set(r.image, (digestsOf.get(r.image) ?? new Set()).add(r.digest));
  }
  return {
    container: ci.container,
    init: ci.init === true,
    git: ci.git,
    live: ci.live,
    liveDiffers: ci.live !== null && ci.git !== null && !sameImage(ci.live, ci.git),
    reference: ci.git !== null ? 'Git' : ci.live !== null ? 'the live template' : null,
    running: ci.running.map((r) => {
      const same = want !== null && sameImage(r.image, want);
      let mismatch: ImageMismatch | null = null;
      if (want !== null && !same) mismatch = 'tag';
      else if ((digestsOf.get(r.image)?.size ?? 0) > 1) mismatch = 'digest-split';
      return { ...r, same, mismatch };
    }),
  };
}

/** Returns how a running image reads when it is the reference's: `as Git`, `as the live template`. */
export function sameText(view: ImageView): string {
  return `as ${view.reference ?? 'Git'}`;
}

/** Returns how a mismatch reads next to a running image of `view`. */
export function mismatchText(view: ImageView, m: ImageMismatch): string {
  switch (m) {
    case 'tag':
      return `differs from ${view.reference ?? 'Git'}`;
    case 'digest-split':
      return 'one tag, several digests';
  }
}

/** Returns the image without its registry and repository path (`k8s-device-plugin:v0.20.0`); digests shortened to 12 hex digits. */
export function shortImage(image: string): string {
  const at = image.indexOf('@');
  const name = at >= 0 ? image.slice(0, at) : image;
  const digest = at >= 0 ? `@${shortDigest(image.slice(at + 1))}` : '';
  return `${name.slice(name.lastIndexOf('/') + 1)}${digest}`;
}

/** Returns `sha256:` and the first 12 hex digits of a digest, with `…`. */
export function shortDigest(digest: string): string {
  const colon = digest.indexOf(':');
  return digest.length > colon + 13 ? `${digest.slice(0, colon + 13)}…` : digest;
}
