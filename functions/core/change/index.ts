// Pull-request checks: what a change to the GitOps manifests does to the nodes of a real cluster.
// The base and the head of the change are placed on every node of one snapshot with the DaemonSet
// controller's own rules (../scheduling), and the nodes that flip become change/* findings. Pure.
export { CHANGE_DEFAULTS, CHANGE_RULES, canonical, compareChange, type CompareOptions, formatDuration, snapshotTime } from './compare.js';
export { changeAnnotations, type CheckAnnotation } from './annotations.js';
export { changeCommentMarker, changeExitCode, renderChangeMarkdown, renderChangeTable } from './render.js';
export type { ChangeKind, ChangeReport, DaemonSetChange, ManifestRef, NodeGroup } from './types.js';
