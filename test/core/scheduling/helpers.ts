// Small builders and fixture loaders for the scheduling tests: only the fields a case cares about.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { K8sDaemonSet, K8sNode, K8sPod, PodSpec, Taint } from '../../../functions/core/k8s-types.js';
import { CAPTURES as FIXTURES } from '../../support/captures.js';

/** Parses `key=value:Effect` or `key:Effect`. */
export function taint(s: string): Taint {
  const [kv, effect] = s.split(':') as [string, string];
  const [key, value] = kv.split('=') as [string, string | undefined];
  return value === undefined ? { key, effect } : { key, value, effect };
}

/** A node with the given labels and taints (`key=value:Effect` strings). */
export function node(name: string, labels: Record<string, string> = {}, taints: string[] = []): K8sNode {
  return { metadata: { name, labels }, spec: taints.length ? { taints: taints.map(taint) } : {} };
}

/** A DaemonSet whose template spec carries `spec` (uid `ds-uid`, selector app=x). */
export function daemonSet(spec: Partial<PodSpec> = {}, extra: Partial<K8sDaemonSet['spec']> = {}): K8sDaemonSet {
  return {
    metadata: { name: 'x', namespace: 'kube-system', uid: 'ds-uid' },
    spec: {
      selector: { matchLabels: { app: 'x' } },
      template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'x', image: 'x:1' }], ...spec } },
      ...extra,
    },
  };
}

/** A pod with the given metadata/spec/status overrides. */
export function pod(name: string, o: { meta?: Partial<K8sPod['metadata']>; spec?: Partial<PodSpec>; status?: K8sPod['status'] } = {}): K8sPod {
  return { metadata: { name, namespace: 'kube-system', ...o.meta }, spec: { containers: [], ...o.spec }, ...(o.status ? { status: o.status } : {}) };
}

/** Items of a NodeList fixture. */
export function loadNodes(file: string): K8sNode[] {
  return (JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as { items: K8sNode[] }).items;
}

/** The single DaemonSet document in a YAML fixture. */
export function loadDaemonSet(file: string): K8sDaemonSet {
  const docs = parseAllDocuments(readFileSync(join(FIXTURES, file), 'utf8')).map((d) => d.toJS() as K8sDaemonSet | null);
  const ds = docs.filter((d) => d?.kind === 'DaemonSet');
  if (ds.length !== 1) throw new Error(`expected one DaemonSet in ${file}, found ${ds.length}`);
  return ds[0]!;
}

/** A JSON fixture parsed as-is. */
export function loadJson<T>(file: string): T {
  return JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as T;
}
