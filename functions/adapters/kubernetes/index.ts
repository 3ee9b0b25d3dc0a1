// The Kubernetes adapter: reads a live cluster (kubeconfig, in-cluster or EKS) into a redacted Snapshot
// and writes it as a gzipped `v1 List`. All I/O with the API server lives in this folder; it fails closed
// (a KubernetesError, never a partial snapshot) and never lists Secrets or ConfigMaps.
export { readCluster, type ReadClusterOptions, type ReadProgress } from './read-cluster.js';
export { loadKubeConfig, clusterNameOf, type KubeConfigSource } from './kubeconfig.js';
export { kubeConfigForEks, describeEksCluster, createEksToken, EKS_TOKEN_PREFIX, type EksClusterAccess, type EksTokenOptions } from './eks.js';
export {
  writeSnapshotFile,
  checkSnapshotTarget,
  serializeSnapshot,
  snapshotAnnotations,
  snapshotJsonChunks,
  snapshotYamlChunks,
  SNAPSHOT_ANNOTATIONS,
} from './snapshot-file.js';
export { projectPod, projectDaemonSet, projectNode, projectControllerRevision, projectSnapshot, redactEnv, LAST_APPLIED } from './projection.js';
export { progressPrinter } from './progress.js';
export type { RetryOptions } from './api-client.js';
