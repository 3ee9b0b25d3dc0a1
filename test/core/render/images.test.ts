import { describe, expect, it } from 'vitest';
import { imageViews, mismatchText, shortDigest, shortImage } from '../../../functions/core/render/images.js';
import type { ContainerImages } from '../../../functions/core/types.js';
import { coverageOf } from '../../support/report-builder.js';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;

function viewsOf(...images: ContainerImages[]) {
  return imageViews(coverageOf('logging/fluentd', {}, { images }));
}

describe('imageViews()', () => {
  it("marks a running image other than Git's, and a live template that differs from Git", () => {
    const [view] = viewsOf({
      container: 'ctr',
      git: 'nvcr.io/nvidia/k8s-device-plugin:v0.20.0',
      live: 'nvcr.io/nvidia/k8s-device-plugin:v0.17.1',
      running: [
        { image: 'nvcr.io/nvidia/k8s-device-plugin:v0.17.1', digest: D1, pods: 2 },
        { image: 'nvcr.io/nvidia/k8s-device-plugin:v0.20.0', digest: null, pods: 1 },
      ],
    });

    expect(view!.liveDiffers).toBe(true);
    expect(view!.running.map((r) => [r.pods, r.same, r.mismatch])).toEqual([
      [2, false, 'tag'],
      [1, true, null],
    ]);
    expect(mismatchText(view!, 'tag')).toEqual('differs from Git');
  });

  it('reads a normalised reference as the same image (fluentd:v1 = docker.io/library/fluentd:v1)', () => {
    const [view] = viewsOf({
      container: 'ctr',
      git: 'fluentd:v1',
      live: 'docker.io/library/fluentd:v1',
      running: [{ image: 'docker.io/library/fluentd:v1', digest: D1, pods: 3 }],
    });

    expect([view!.liveDiffers, view!.running[0]!.mismatch]).toEqual([false, null]);
  });

  it('marks every digest of a tag that runs as several', () => {
    const [view] = viewsOf({
      container: 'fluentd',
      git: 'fluent/fluentd:v1',
      live: 'fluent/fluentd:v1',
      running: [
        { image: 'fluent/fluentd:v1', digest: D1, pods: 7 },
        { image: 'fluent/fluentd:v1', digest: D2, pods: 5 },
      ],
    });

    expect(view!.running.map((r) => [r.same, r.mismatch])).toEqual([
      [true, 'digest-split'],
      [true, 'digest-split'],
    ]);
  });

  it('does not judge a reference pinned by digest by the digests its pods report, as image/digest-split does not', () => {
    const pinned = `fluent/fluentd:v1@${D1}`;
    const [view] = viewsOf({
      container: 'fluentd',
      git: pinned,
      live: pinned,
      running: [
        { image: pinned, digest: D2, pods: 1 },
        { image: pinned, digest: D1, pods: 4 },
      ],
    });

    expect(view!.running.map((r) => r.mismatch)).toEqual([null, null]);
  });

  it('judges running images against the live template when Git has none', () => {
    const [view] = viewsOf({
      container: 'netshoot',
      git: null,
      live: 'nicolaka/netshoot:v0.13',
      running: [{ image: 'nicolaka/netshoot:v0.12', digest: null, pods: 1 }],
    });

    expect([view!.reference, view!.liveDiffers, view!.running[0]!.mismatch]).toEqual(['the live template', false, 'tag']);
    expect(mismatchText(view!, 'tag')).toEqual('differs from the live template');
  });

  it('returns nothing for a report written before coverage[].images existed', () => {
    expect(imageViews(coverageOf('logging/fluentd', {}))).toEqual([]);
  });
});

describe('shortImage()', () => {
  it.each([
    ['nvcr.io/nvidia/k8s-device-plugin:v0.20.0', 'k8s-device-plugin:v0.20.0'],
    ['nginx', 'nginx'],
    [`registry.k8s.io/kube-proxy:v1.33@${D1}`, 'kube-proxy:v1.33@sha256:111111111111…'],
  ])('shortens %s to %s', (image, short) => {
    expect(shortImage(image)).toEqual(short);
  });
});

describe('shortDigest()', () => {
  it('keeps 12 hex digits', () => {
    expect(shortDigest(D2)).toEqual('sha256:222222222222…');
  });
});
