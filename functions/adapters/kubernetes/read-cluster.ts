// readCluster: one consistent, redacted Snapshot from the API server, or a KubernetesError. Nodes are
// always read cluster-wide; DaemonSets, their ControllerRevisions and pods per namespace when asked.
import type { KubeConfig } from '@kubernetes/client-node';
import { readFile } from 'node:fs/promises';
import type { K8sControllerRevision, K8sDaemonSet, K8sNode, K8sPod } from '../../core/k8s-types.js';
import type { Snapshot } from '../../core/types.js';
import { KubernetesError } from '../../core/errors.js';
import { KubeApiClient, type ListTarget, type RetryOptions } from './api-client.js';
import { clusterNameOf, loadKubeConfig } from './kubeconfig.js';
import { Interner, projectControllerRevision, projectDaemonSet, projectNode, projectPod } from './projection.js';

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

/** Reads nodes, DaemonSets, DaemonSet-owned pods and their ControllerRevisions; a later list that fails is a gap, an unreachable server or refused credentials a KubernetesError. */
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
  const interner = new Interner();

  const read = async <T>(target: ListTarget, keep: (raw: Record<string, unknown>) => T | undefined): Promise<T[]> => {
    // Pods and revisions are kept only when a DaemonSet owns them: the others are not even parsed.
    const onlyContaining = target.resource === 'pods' || target.resource === 'controllerrevisions' ? 'DaemonSet' : undefined;
    const r = await client.list(target, keep, { pageSize: o.pageSize, onPage, onlyContaining });
    resourceVersions[target.namespace ? `${target.resource}/${target.namespace}` : target.resource] = r.resourceVersion;
    return r.items;
  };
  const gaps: Snapshot['gaps'] = [];
  // Once the server answered (version, nodes), a list that still fails after its retries is a gap: the
  // audit runs and says INCOMPLETE (exit 1). Credentials and RBAC refused (401/403) stay errors (exit 2).
  const orGap = async <T>(target: ListTarget, keep: (raw: Record<string, unknown>) => T | undefined): Promise<T[]> => {
    try {
      return await read(target, keep);
    } catch (err) {
      if (!(err instanceof KubernetesError) || /\((401|403)\)/.test(err.message)) throw err;
      gaps.push({ source: `kubernetes:list ${target.resource}${target.namespace ? ` in ${target.namespace}` : ''}`, message: err.message });
      return [];
    }
  };
  const perNamespace = async <T>(resource: ListTarget['resource'], keep: (raw: Record<string, unknown>) => T | undefined): Promise<T[]> => {
    if (!namespaces) return orGap({ resource }, keep);
    const out: T[] = [];
    for (const namespace of namespaces) out.push(...(await orGap({ resource, namespace }, keep)));
    return out;
  };

  // One list after the other: a page's garbage is collected before the next arrives (peak RSS), and a
  // real API server's per-page latency is the same either way for the pod list, which dominates.
  let version: { gitVersion?: string } | undefined;
  let nodes: K8sNode[];
  let daemonSets: K8sDaemonSet[];
  let controllerRevisions: K8sControllerRevision[];
  let pods: K8sPod[];
  try {
    version = (await client.getJson('/version', 'get the server version (/version)')) as { gitVersion?: string } | undefined;
    nodes = await read({ resource: 'nodes' }, (raw) => projectNode(raw, interner));
    daemonSets = await perNamespace('daemonsets', projectDaemonSet);
    controllerRevisions = await perNamespace('controllerrevisions', projectControllerRevision);
    pods = await perNamespace('pods', (raw) => projectPod(raw, interner));
  } finally {
    client.close();
    o.onProgress?.({ objects, pages, elapsedMs: Date.now() - started, done: true });
  }

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
    gaps,
  };
}

async function packageVersion(): Promise<string> {
  try {
    const pkg = JSON.parse(await readFile(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown'; // bundled (Lambda): pass auditorVersion
  }
}
