// A live read of the cluster as an input of the pipeline: the CLI's `audit --kubeconfig` and `snapshot`, and
// the snapshot Lambda. Kept apart from inputs.ts so that what only reads dumps (the audit Lambda) does not load
// the Kubernetes client.
import type { Snapshot } from '../core/types.js';
import { checkSnapshotTarget, progressPrinter, readCluster, serializeSnapshot, writeSnapshotFile, type ReadClusterOptions } from '../adapters/kubernetes/index.js';

export type LiveInput = ReadClusterOptions;

export { checkSnapshotTarget, progressPrinter };

/** Returns the live cluster's redacted snapshot; throws KubernetesError when any read fails (fail closed). */
export function readLiveSnapshot(input: LiveInput): Promise<Snapshot> {
  return readCluster(input);
}

/** Writes the snapshot file atomically (gzipped unless `gzip` is false); returns its path, sha256 and size. */
export function saveSnapshot(snapshot: Snapshot, path: string, opts: { gzip?: boolean } = {}): Promise<{ path: string; sha256: string; bytes: number }> {
  return writeSnapshotFile(snapshot, path, opts);
}

/** Returns the snapshot as the gzipped file content the audit reads back (the Lambdas' hand-off). */
export function snapshotBytes(snapshot: Snapshot): Buffer {
  return serializeSnapshot(snapshot);
}
