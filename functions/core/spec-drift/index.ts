// Spec drift without false positives: normalise the Git manifest and the live DaemonSet the way the API
// server would (defaults, canonical quantities, server-owned fields dropped), then diff them field by
// field with lists of named items matched by key. Pure: the caller injects hashing for redacted env.
export { diffDaemonSets, FULL_REGIONS, plain, type DiffOptions, type SpecDifference } from './diff.js';
export { ACTION_ANNOTATIONS, defaultPullPolicy, normaliseDaemonSet, Quantity, SERVER_ANNOTATIONS, type Norm } from './normalise.js';
export { quantityNanos, sameQuantity } from './quantity.js';
