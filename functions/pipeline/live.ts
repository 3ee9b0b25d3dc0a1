// A live read of the cluster as an input of the pipeline: the CLI's `audit --kubeconfig` and `snapshot`, and
// the snapshot Lambda. Kept apart from inputs.ts so that what only reads dumps (the audit Lambda) does not load
// the Kubernetes client.
import type { Snapshot } from '../core/types.js';
import {
  checkSnapshotTarget,
  progressPrinter,
  readCluster,
  serializeSnapshot,
  snapshotJsonChunks,
  snapshotYamlChunks,
  writeSnapshotFile,
  type ReadClusterOptions,
} from '../adapters/kubernetes/index.js';

export type LiveInput = ReadClusterOptions;

/** The text formats of a snapshot: a `v1 List` as JSON (what kubectl -o json prints) or as YAML. */
export type SnapshotFormat = 'json' | 'yaml';

export { checkSnapshotTarget, progressPrinter };

/** Returns the live cluster's redacted snapshot; throws KubernetesError when any read fails (fail closed). */
export function readLiveSnapshot(input: LiveInput): Promise<Snapshot> {
  return readCluster(input);
}

/**
 * Writes the snapshot file atomically, in `format` (default JSON), gzipped only when the name ends in .gz
 * (`prod.json` is plain JSON that jq opens); returns its path, sha256 and size.
 */
export function saveSnapshot(
  snapshot: Snapshot,
  path: string,
  opts: { format?: SnapshotFormat } = {},
): Promise<{ path: string; sha256: string; bytes: number }> {
  return writeSnapshotFile(snapshot, path, { gzip: /\.gz$/i.test(path), format: opts.format ?? 'json' });
}

/** Yields the snapshot's text in `format` in chunks, for stdout (the same List a file holds, never gzipped). */
export function snapshotText(snapshot: Snapshot, format: SnapshotFormat): Generator<string> {
  return format === 'yaml' ? snapshotYamlChunks(snapshot) : snapshotJsonChunks(snapshot);
}

/** Returns the snapshot as the gzipped file content the audit reads back (the Lambdas' hand-off). */
export function snapshotBytes(snapshot: Snapshot): Buffer {
  return serializeSnapshot(snapshot);
}
