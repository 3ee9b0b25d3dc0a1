// The values of a pull-request check: what the base and the head of a change place on the nodes of
// one snapshot, per DaemonSet, and the change/* findings that follow. JSON output is this shape.
import type { DesiredSource, Finding, Gap, Severity, SnapshotSource } from '../types.js';

/** Where a DaemonSet is declared on one side of the change. */
export interface ManifestRef {
  file: string;
  line: number;
}

/** Nodes of one group (node pool × zone × taints) that a change takes away or adds, with the deciding reason. */
export interface NodeGroup {
  /** Node pool / node group label value, or null when the node carries none. */
  pool: string | null;
  zone: string | null;
  /** The node's taints, `key=value:Effect`. */
  taints: string[];
  /** Why (lost: why the head excludes these nodes; gained: why the base excluded them). */
  reason: string;
  nodes: number;
  /** Up to 5 node names, sorted. */
  examples: string[];
}

export type ChangeKind = 'added' | 'removed' | 'modified' | 'unchanged';

/** One DaemonSet's placement before (base) and after (head) the change. */
export interface DaemonSetChange {
  namespace: string;
  name: string;
  change: ChangeKind;
  base: ManifestRef | null;
  head: ManifestRef | null;
  /** Nodes where the base template places a daemon pod (NodeShouldRunDaemonPod's shouldRun). */
  nodesBefore: number;
  nodesAfter: number;
  lost: number;
  gained: number;
  lostBy: NodeGroup[];
  gainedBy: NodeGroup[];
  /** Containers whose image differs (null: the container is absent on that side). */
  images: { container: string; before: string | null; after: string | null }[];
}

export interface ChangeReport {
  schemaVersion: 1;
  kind: 'pr-check';
  cluster: string;
  generatedAt: string;
  auditorVersion: string;
  inputs: {
    snapshot: SnapshotSource;
    base: DesiredSource;
    head: DesiredSource;
    policy?: { file?: string; sha256?: string };
  };
  /** False when the snapshot or either side could not be read or rendered: the check then never passes. */
  complete: boolean;
  gaps: Gap[];
  /** When the snapshot was taken (recorded time, else the newest node heartbeat), or null when unknown. */
  snapshotTakenAt: string | null;
  snapshotAgeSeconds: number | null;
  summary: {
    nodes: number;
    daemonSets: number;
    changed: number;
    lost: number;
    gained: number;
    findings: number;
    bySeverity: Record<Severity, number>;
    waived: number;
  };
  daemonSets: DaemonSetChange[];
  findings: Finding[];
  waived: Finding[];
}
