// practice/mutable-image-tag: an image by `:latest` or no tag, not pinned by digest (image-ref.ts:isMutableTag).
import { isMutableTag } from '../../image-ref.js';
import type { Finding } from '../../types.js';
import type { Check } from '../context.js';
import { findingFor } from '../helpers.js';
import { containersOf, specSource } from '../practice-helpers.js';

export const practiceMutableImageTag: Check = {
  name: 'practice/mutable-image-tag',
  rules: ['practice/mutable-image-tag'],
  run(ctx) {
    const out: Finding[] = [];
    for (const pair of ctx.daemonSets) {
      for (const { c, path } of containersOf(pair)) {
        if (!c.image || !isMutableTag(c.image)) continue;
        out.push(
          findingFor(
            ctx,
            'practice/mutable-image-tag',
            pair,
            null,
            `container ${c.name} uses ${c.image}, a mutable tag that may resolve to different images on different nodes`,
            { container: c.name, expected: 'a versioned tag or a digest', actual: c.image, path: `${path}.image`, ...specSource(pair) },
          ),
        );
      }
    }
    return out;
  },
};
