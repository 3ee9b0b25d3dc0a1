// Shared by the practice/* checks: they judge the spec that will run (Git's when the DaemonSet is in Git,
// else the live one) and point at Git's file and line when there is one.
import type { Container } from '../k8s-types.js';
import type { Finding } from '../types.js';
import type { DaemonSetPair } from './context.js';

/** Returns where a finding about the pair's spec points: Git's file and line when the spec is Git's. */
export function specSource(pair: DaemonSetPair): Pick<Finding, 'file' | 'line'> {
  return pair.desired ? { file: pair.desired.file, line: pair.desired.line } : {};
}

/** Returns every container of the spec with its JSON path prefix (init containers first). */
export function containersOf(pair: DaemonSetPair): { c: Container; path: string }[] {
  const spec = pair.spec.spec?.template?.spec;
  return [
    ...(spec?.initContainers ?? []).map((c) => ({ c, path: `spec.template.spec.initContainers[name=${c.name}]` })),
    ...(spec?.containers ?? []).map((c) => ({ c, path: `spec.template.spec.containers[name=${c.name}]` })),
  ];
}
