// The values that flow through one audit: Snapshot (what runs) + DesiredState (what Git wants) +
// Policy (what the user requires, waives, overrides) -> Report (findings as values).
// Adapters build the inputs; renderers and stores consume the Report. Nothing here does I/O.
import type { K8sControllerRevision, K8sDaemonSet, K8sNode, K8sPod } from './k8s-types.js';

export type Severity = 'critical' | 'warning' | 'info';

/** Severity order, most severe first; used for sorting and `--fail-on`. */
export const SEVERITIES: readonly Severity[] = ['critical', 'warning', 'info'];

/** A part of an input that could not be read. Any gap makes the report `complete: false`. */
export interface Gap {
  /** What failed, e.g. `kubernetes:list pods`, `github:archive`, `file:examples/x.json`. */
  source: string;
  message: string;
}

/** Something the user should look at that does not make the audit incomplete (a policy namespace nothing lives in). */
export interface Warning {
  /** What it is about, e.g. `policy:namespaces`. */
  source: string;
  message: string;
}

/** The observed cluster, as read from a dump or the API server. */
export interface Snapshot {
  cluster: string;
  nodes: K8sNode[];
  daemonSets: K8sDaemonSet[];
  pods: K8sPod[];
  controllerRevisions: K8sControllerRevision[];
  /** Where it came from: dump files (with sha256) or a live read (API server version, times). */
  source: SnapshotSource;
  /** Reads that failed; a snapshot with gaps is never audited as clean. */
  gaps: Gap[];
}

export interface SnapshotSource {
  kind: 'dump' | 'live';
  /** sha256 (hex) of each input file, or of the snapshot file written by a live read. */
  files?: { path: string; sha256: string }[];
  sha256?: string;
  serverVersion?: string;
  startedAt?: string;
  finishedAt?: string;
  auditorVersion?: string;
  /** Namespaces read; absent means all. */
  namespaces?: string[];
  /** What the audit judged differently because of the input, without a gap (a dump without ControllerRevisions). */
  notes?: string[];
  /** Live reads: each list's resourceVersion, keyed `resource` or `resource/namespace`. */
  resourceVersions?: Record<string, string>;
}

/** A DaemonSet as written in Git, with where it was found. */
export interface DesiredDaemonSet {
  manifest: K8sDaemonSet;
  /** Repository-relative file path. */
  file: string;
  /** 1-based line of the document's start in the file. */
  line: number;
  /** Index of the document in a multi-document file (0-based). */
  documentIndex: number;
  /** Where the rendered desired state came from (absent for a plain file read as is). */
  provenance?: Provenance;
}

/** The GitOps object that declares a piece of the desired state. */
export interface EntryPoint {
  kind: 'Application' | 'ApplicationSet' | 'Kustomization' | 'HelmRelease' | 'Path';
  name: string;
  namespace?: string;
  /** Repository-relative file that declares it. */
  file?: string;
}

/** How a DaemonSet's desired state was produced: the entry point, the renderer and its inputs. */
export interface Provenance {
  entryPoint?: EntryPoint;
  renderer: 'plain' | 'kustomize' | 'helm';
  /** Repository-relative folder or file rendered (a chart in Git, a kustomization, a directory). */
  path?: string;
  /** A chart pulled from a Helm or OCI repository. */
  chart?: { name: string; version?: string; repo?: string; digest?: string };
  releaseName?: string;
  /** Value files in the order helm reads them (later wins). */
  valueFiles?: string[];
  /** Renderer versions, e.g. { helm: 'v4.1.4', kustomize: 'v5.7.1' }. */
  renderers?: Record<string, string>;
  commit?: string;
}

/** The marks a controller leaves on the live objects it applies: how a live DaemonSet is mapped to its entry point. */
export interface OwnerMarks {
  /** Argo CD: application name (label `app.kubernetes.io/instance`, annotation `argocd.argoproj.io/tracking-id` prefix). */
  argocdApp?: string;
  /** Flux Kustomization `namespace/name` (labels kustomize.toolkit.fluxcd.io/name, /namespace). */
  fluxKustomization?: string;
  /** Flux HelmRelease `namespace/name` (labels helm.toolkit.fluxcd.io/name, /namespace). */
  fluxHelmRelease?: string;
  /** Helm release name (annotation meta.helm.sh/release-name). */
  helmRelease?: string;
}

/** A manifest problem found while reading Git: unparseable file, unrendered kustomization. */
export interface ManifestProblem {
  rule: 'manifest/invalid' | 'manifest/unrendered';
  file: string;
  /** `namespace/name` when the problem is in a DaemonSet whose name could be read. */
  daemonSet?: string;
  line?: number;
  message: string;
  /** An unrendered entry point: the marks its live objects carry, so the DaemonSets it owns are named, never unmanaged. */
  owner?: OwnerMarks;
}

/** What Git wants. */
export interface DesiredState {
  source: DesiredSource;
  daemonSets: DesiredDaemonSet[];
  /** Namespaces that Git manages (any object in Git with that namespace, or a Namespace object). */
  managedNamespaces: string[];
  problems: ManifestProblem[];
  gaps: Gap[];
}

export interface DesiredSource {
  /** `none`: audited live-only (`--live-only`), against the live DaemonSets' own specs, with no Git comparison. */
  kind: 'folder' | 'github' | 'none';
  /** Folder path, or `owner/repo` (empty for `none`). */
  location: string;
  path?: string;
  ref?: string;
  commit?: string;
  /** Local folder only: the git work tree had uncommitted changes under the folder when read. */
  dirty?: boolean;
  /** Renderer versions used (helm, kustomize), when anything was rendered. */
  renderers?: Record<string, string>;
  /** What the render could not reproduce exactly, e.g. Helm `lookup` rendering empty. */
  notes?: string[];
}

/** A rule as declared in `rules/<category>/<name>.yaml`. */
export interface RuleDefinition {
  /** `category/name`, equal to the file path under rules/ without extension. */
  id: string;
  /** The check that implements it (functions/core/checks/<check>.ts); rule files always name one. */
  check?: string;
  title: string;
  severity: Severity;
  description: string;
  remediation: string;
  enabled?: boolean;
  parameters?: Record<string, unknown>;
}

export interface RequiredCoverage {
  name?: string;
  /** Nodes this requirement applies to. */
  nodeSelector: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] };
  /** Optionally also match on taints the node carries (`key`, optional `value` and `effect`). */
  taints?: { key: string; value?: string; effect?: string }[];
  /** `namespace/name` of DaemonSets that must run on those nodes. */
  daemonSets: string[];
}

export interface Waiver {
  rule: string;
  /** `namespace/name`, glob `*` allowed. */
  daemonSet: string;
  /** Node name glob; absent means any node (and DaemonSet-level findings). */
  node?: string;
  reason: string;
  owner: string;
  /** ISO date (YYYY-MM-DD) or RFC 3339; the waiver applies while now < expires. */
  expires: string;
  /** When set, Git should follow the cluster for this drift (notify may open a PR). */
  gitFollowsCluster?: boolean;
}

export interface SeverityOverride {
  rule: string;
  /** `namespace/name` glob; absent means every DaemonSet. */
  daemonSet?: string;
  severity: Severity;
}

/** Validated policy: what the user requires, waives, overrides. */
export interface Policy {
  /** The rule catalog (from rules/), after enabling/disabling. */
  rules: RuleDefinition[];
  /** Namespaces in scope; empty means all. */
  namespaces: string[];
  requiredCoverage: RequiredCoverage[];
  severityOverrides: SeverityOverride[];
  waivers: Waiver[];
  thresholds: {
    /** A pod may be unready this long before `coverage/unready` fires. */
    unreadyGraceSeconds: number;
    /** A rollout may run this long before `rollout/stuck` fires. */
    rolloutStuckSeconds: number;
  };
}

export interface Finding {
  rule: string;
  severity: Severity;
  namespace: string;
  daemonSet: string;
  node: string | null;
  container?: string;
  message: string;
  expected?: unknown;
  actual?: unknown;
  /** JSON path for spec drift, file/line for manifest problems, etc. */
  path?: string;
  file?: string;
  line?: number;
  /** A reason code (CamelCase, e.g. coverage/unready's `CrashLoopBackOff`, `NodeNotReady`): what GitHub issues show instead of the message. */
  reason?: string;
  /** spec/drift and image/drift: the field manager that last set the live field (from managedFields), when known. */
  changedBy?: { manager: string; operation: string; time?: string };
  /** Set when a waiver hides this finding (it is then listed in `waived`, not `findings`). */
  waiver?: Pick<Waiver, 'reason' | 'owner' | 'expires' | 'gitFollowsCluster'>;
}

export type PodState = 'running' | 'unready' | 'missing' | 'misscheduled' | 'kept' | 'not-eligible';

/** Per-DaemonSet coverage, the DESIRED/CURRENT/READY/UP-TO-DATE columns recomputed. */
export interface DaemonSetCoverage {
  namespace: string;
  name: string;
  inGit: boolean;
  inCluster: boolean;
  /** Nodes where shouldRun is true (recomputed desiredNumberScheduled, from the Git spec). */
  eligible: number;
  /** Eligible nodes with a pod (currentNumberScheduled). */
  covered: number;
  /** Eligible nodes whose pod is of the current revision (updatedNumberScheduled). */
  upToDate: number;
  /** Eligible nodes whose pod is Ready (numberReady). */
  ready: number;
  /** Nodes with a pod but shouldRun false (numberMisscheduled). */
  misscheduled: number;
  /** The DaemonSet's own status, for comparison; null when not in the cluster. */
  reported: { desired: number; current: number; ready: number; upToDate: number; misscheduled: number } | null;
  /** Per-node state for the coverage matrix, keyed by node name (only nodes not `not-eligible`). */
  nodes: Record<string, PodState>;
  /** Where Git's desired state for it came from, when it was rendered (Application, chart, values, renderers, commit). */
  provenance?: Provenance;
  /** Per container: the image Git wants, the live template's, and what the pods run. Absent in reports written before it existed. */
  images?: ContainerImages[];
}

/** One container of a DaemonSet: Git's image, the live template's image, and the images its pods run. */
export interface ContainerImages {
  container: string;
  /** Present (true) for an init container. */
  init?: boolean;
  /** The image Git's template names; null when Git has no such container (or the audit had no Git). */
  git: string | null;
  /** The image the live DaemonSet's template names; null when it has no such container (or is not in the cluster). */
  live: string | null;
  /** What the owned pods run: the image the pod spec names, the digest its container status reports (null when none), the number of pods; most pods first. */
  running: { image: string; digest: string | null; pods: number }[];
}

/** One requiredCoverage entry and DaemonSet at the time of a run: the nodes it must cover, and those it did. */
export interface RequiredCoverageResult {
  /** The requirement's `name`, else its selector as JSON. */
  requirement: string;
  /** `namespace/name` */
  daemonSet: string;
  /** Nodes the requirement selects, sorted by name. */
  nodes: string[];
  /** Of those, nodes with a Ready daemon pod (or one the controller keeps). */
  covered: string[];
}

export interface Report {
  schemaVersion: 1;
  cluster: string;
  generatedAt: string;
  auditorVersion: string;
  inputs: {
    snapshot: SnapshotSource;
    desired: DesiredSource;
    policy?: { file?: string; sha256?: string };
  };
  /** False when any input had gaps: then the report never claims "no drift". */
  complete: boolean;
  gaps: Gap[];
  /** Present when there is something to warn about (reports before it have none). */
  warnings?: Warning[];
  summary: {
    nodes: number;
    daemonSets: number;
    findings: number;
    bySeverity: Record<Severity, number>;
    waived: number;
  };
  /** Node facts the renderers group by (zone, node group, arch), sorted by name. */
  nodes: { name: string; zone?: string; nodeGroup?: string; arch?: string; ready: boolean; unschedulable: boolean; taints: string[] }[];
  coverage: DaemonSetCoverage[];
  /** Per requiredCoverage entry and DaemonSet: required and covered nodes (evidence over time reads it). */
  requiredCoverage?: RequiredCoverageResult[];
  findings: Finding[];
  waived: Finding[];
  /** Each rule that has a finding (not only waived ones), sorted by id: what it is and what to do. Absent in reports written before it existed. */
  rules?: ReportRule[];
}

/** A rule as a report shows it to people: its title, severity, remediation and file. */
export interface ReportRule {
  id: string;
  title: string;
  /** The rule's severity after the policy's rule-level setting (findings may still differ per DaemonSet). */
  severity: Severity;
  remediation: string;
  /** The rule file, repository-relative: `rules/<id>.yaml`. */
  docs: string;
}
