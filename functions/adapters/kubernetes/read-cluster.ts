// readCluster: one consistent, redacted Snapshot from the API server, or a KubernetesError. Nodes are
// always read cluster-wide; DaemonSets, their ControllerRevisions and pods per namespace when asked.
import type { KubeConfig } from '@kubernetes/client-node';
import { readFile } from 'node:fs/promises';
import { KubernetesError } from '../../core/errors.js';
import type { K8sControllerRevision, K8sDaemonSet, K8sNode, K8sPod } from '../../core/k8s-types.js';
import type { Snapshot } from '../../core/types.js';
import { KubeApiClient, type ListResult, type ListTarget, type RetryOptions } from './api-client.js';
import { clusterNameOf, loadKubeConfig } from './kubeconfig.js';
import { projectControllerRevision, projectDaemonSet, projectNode, projectPod } from './projection.js';

export interface ReadProgress {
  /** Objects received so far (all lists, before filtering). */
  objects: number;
  pages: number;
  elapsedMs: number;
  /** Set on the last call, when the read ended (successfully or not). */
  done?: boolean;
}

export interface ReadClusterOptions {
  /** --kubeconfig; default KUBECONFIG, in-cluster, ~/.kube/config (like kubectl). */
  kubeconfig?: string;
  context?: string;
  /** Read DaemonSets, pods and revisions in these namespaces only (nodes are always cluster-wide). */
  namespaces?: string[];
  /** Name to report the cluster under; default the context name. */
  cluster?: string;
  /** A prebuilt KubeConfig (e.g. `kubeConfigForEks`); wins over kubeconfig/context. */
  kubeConfig?: KubeConfig;
  onProgress?: (p: ReadProgress) => void;
  /** Objects per page (default 500). */
  pageSize?: number;
  /** Per-request timeout in ms (default 60,000). */
  requestTimeoutMs?: number;
  retry?: RetryOptions;
  /** Environment for kubeconfig discovery (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Recorded in the snapshot; default the package.json version. */
  auditorVersion?: string;
}

/** Reads nodes, DaemonSets, DaemonSet-owned pods and their ControllerRevisions; throws KubernetesError when any read fails. */
export async function readCluster(o: ReadClusterOptions = {}): Promise<Snapshot> {
  const kc = o.kubeConfig ?? loadKubeConfig({ kubeconfig: o.kubeconfig, context: o.context, env: o.env });
  const client = new KubeApiClient(kc, { requestTimeoutMs: o.requestTimeoutMs, retry: o.retry, userAgent: `drift-auditor/${o.auditorVersion ?? 'dev'}` });
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  const namespaces = o.namespaces?.length ? [...new Set(o.namespaces)].sort() : undefined;
  let objects = 0;
  let pages = 0;
  const onPage = (n: number): void => {
    objects += n;
    pages++;
    o.onProgress?.({ objects, pages, elapsedMs: Date.now() - started });
  };
  const resourceVersions: Record<string, string> = {};

  let version: { gitVersion?: string };
  try {
    version = (await client.getJson('/version', 'get the server version (/version)')) as { gitVersion?: string };
  } catch (err) {
    o.onProgress?.({ objects, pages, elapsedMs: Date.now() - started, done: true });
    throw err;
  }
  const read = async <T>(target: ListTarget, keep: (raw: Record<string, unknown>) => T | undefined): Promise<T[]> => {
    let r: ListResult<T>;
    try {
      r = await client.list(target, keep, { pageSize: o.pageSize, onPage });
    } catch (err) {
      client.aborted = true; // the other reads stop at their next page
      throw err;
    }
    resourceVersions[target.namespace ? `${target.resource}/${target.namespace}` : target.resource] = r.resourceVersion;
    return r.items;
  };
  const perNamespace = async <T>(resource: ListTarget['resource'], keep: (raw: Record<string, unknown>) => T | undefined): Promise<T[]> => {
    if (!namespaces) return read({ resource }, keep);
    const out: T[] = [];
    for (const namespace of namespaces) out.push(...(await read({ resource, namespace }, keep)));
    return out;
  };

  // Four lists in parallel: a real API server's latency, not our CPU, dominates each page.
  const results = await Promise.allSettled([
    read<K8sNode>({ resource: 'nodes' }, projectNode),
    perNamespace<K8sDaemonSet>('daemonsets', projectDaemonSet),
    perNamespace<K8sControllerRevision>('controllerrevisions', projectControllerRevision),
    perNamespace<K8sPod>('pods', projectPod),
  ]);
  o.onProgress?.({ objects, pages, elapsedMs: Date.now() - started, done: true });
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw firstRealError(results, failed.reason);
  const [nodes, daemonSets, controllerRevisions, pods] = results.map((r) => (r as PromiseFulfilledResult<unknown[]>).value) as [K8sNode[], K8sDaemonSet[], K8sControllerRevision[], K8sPod[]];

  return {
    cluster: o.cluster ?? clusterNameOf(kc),
    nodes,
    daemonSets,
    pods,
    controllerRevisions,
    source: {
      kind: 'live',
      serverVersion: version?.gitVersion ?? 'unknown',
      startedAt,
      finishedAt: new Date().toISOString(),
      auditorVersion: o.auditorVersion ?? (await packageVersion()),
      ...(namespaces ? { namespaces } : {}),
      resourceVersions,
    },
    gaps: [],
  };
}

// A list that stopped because another failed says "another read failed"; report the one that failed first.
function firstRealError(results: PromiseSettledResult<unknown>[], fallback: unknown): unknown {
  for (const r of results) {
    if (r.status === 'rejected' && !(r.reason instanceof KubernetesError && r.reason.message.endsWith('another read failed'))) return r.reason;
  }
  return fallback;
}

async function packageVersion(): Promise<string> {
  try {
    const pkg = JSON.parse(await readFile(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown'; // bundled (Lambda): pass auditorVersion
  }
}
