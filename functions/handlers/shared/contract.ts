// The JSON that flows between the Step Functions states, one cluster per Map branch:
// RunInput -> snapshot -> SnapshotOutput -> audit -> AuditOutput -> notify -> NotifyOutput,
// and on any error { ...state, error } -> record-failure -> FailureOutput. Only small values travel
// (S3 keys, sha256s, counts, commit SHAs), never a snapshot or report: Step Functions caps a state at 256 KB.

/** One configured cluster, as the state machine passes it to every function. */
export interface ClusterTarget {
  name: string;
  type: 'eks' | 'kubeconfig';
  /** EKS cluster name (type eks). */
  eksClusterName?: string;
  /** EKS cluster region (type eks; default AWS_REGION). */
  region?: string;
  /** Secrets Manager secret holding the kubeconfig (type kubeconfig). */
  kubeconfigSecretName?: string;
  kubeconfigContext?: string;
  /** `github:owner/repo@ref:path`; absent when `liveOnly`. */
  manifests?: string;
  /** Audit against the live DaemonSets' own specs, with no Git comparison (the report says so). */
  liveOnly?: boolean;
  namespaces?: string[];
  /** The cluster's API server URL as Argo CD names it (`destination.server`). */
  server?: string;
  /** The cluster's Argo CD cluster Secret labels, for ApplicationSet cluster generators. */
  labels?: Record<string, string>;
  /** The cluster Argo CD runs in, when it is not this one: what `https://kubernetes.default.svc` and `in-cluster` name. */
  argocdCluster?: string;
  /** Policy file inside the audit function's bundle (`policies/<cluster>.yaml`); absent = default policy. */
  policy?: string;
}

/** What the state machine hands to the snapshot function (and every later state keeps). */
export interface RunInput {
  cluster: ClusterTarget;
  /** The Step Functions execution name: one id for the run across clusters. */
  runId: string;
  /** The execution's start time (RFC 3339). */
  startedAt: string;
}

/** Where the snapshot function left the snapshot. */
export interface SnapshotRef {
  bucket: string;
  key: string;
  sha256: string;
  bytes: number;
  objects: { nodes: number; daemonSets: number; pods: number; controllerRevisions: number };
  gaps: number;
}

export interface SnapshotOutput extends RunInput {
  snapshot: SnapshotRef;
}

/** Where the audit function stored the run, and what it found. */
export interface ReportRef {
  /** The store's run id (may differ from the execution's runId). */
  runId: string;
  /** Artifact name (`report.json`, `report.md`, `report.html`, `findings.csv`, `snapshot.json.gz`) -> S3 key. */
  keys: Record<string, string>;
  complete: boolean;
  findings: number;
  bySeverity: Record<string, number>;
  /** The Git commit the desired state was read at. */
  commit?: string;
}

export interface AuditOutput extends SnapshotOutput {
  report: ReportRef;
}

export interface NotifyOutput extends AuditOutput {
  notify: { summary: string; writes: number };
}

/** The error Step Functions' Catch adds at `$.error`. */
export interface CaughtError {
  Error: string;
  Cause?: string;
}

export type FailureInput = RunInput & Partial<Pick<AuditOutput, 'snapshot' | 'report'>> & { error: CaughtError };

/** What record-failure returns; the Map collects one per failed cluster. */
export interface FailureOutput {
  cluster: string;
  runId: string;
  status: 'failed';
  /** S3 key of the failed-run record, `clusters/<cluster>/failures/<ts>.json`. */
  failureKey: string;
  error: string;
}

/**
 * Errors a Task retries (with backoff) before its Catch records the failure. Step Functions matches the
 * error class's exact `name`, so subclasses are listed too. Not retried: KubernetesError (the reader already
 * retries 429/5xx itself; what remains is 401/403 or a broken cluster), bad input, incomplete audits, and
 * Lambda timeouts (a retry would double a long run's cost; raise the timeout instead).
 */
export const TRANSIENT_ERRORS = ['StoreError', 'RunStoreError', 'GitHubError'] as const;

/** S3 prefix of the snapshot function's output (the audit copies it into the run, then lifecycle expires it). */
export const STAGING_PREFIX = 'staging/';

/** Returns the staging key of a run's snapshot: `staging/<cluster>/<runId>/snapshot.json.gz`. */
export function stagingSnapshotKey(cluster: string, runId: string): string {
  return `${STAGING_PREFIX}${cluster}/${safeSegment(runId)}/snapshot.json.gz`;
}

/** Returns the failed-run record key: `clusters/<cluster>/failures/<ts>-<runId>.json`. */
export function failureKey(cluster: string, runId: string, at: Date): string {
  return `clusters/${cluster}/failures/${at.toISOString().replace(/[:.]/g, '-')}-${safeSegment(runId)}.json`;
}

function safeSegment(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 120);
}
