// The one sha256 of the Node side (adapters, pipeline, handlers, CLI): evidence files, stored objects,
// redacted values. The pure core cannot import node:crypto and has its own (core/github-issues/sha256.ts).
import { createHash } from 'node:crypto';

/** Returns the lowercase hex sha256 of bytes or of a string's UTF-8. */
export function sha256Hex(body: Buffer | Uint8Array | string): string {
  return createHash('sha256').update(body).digest('hex');
}
