// Which cluster and credentials to use, the way kubectl decides: --kubeconfig, then KUBECONFIG (merged
// list), then the in-cluster service account when KUBERNETES_SERVICE_HOST is set, then ~/.kube/config.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { KubernetesError } from '../../core/errors.js';

export interface KubeConfigSource {
  /** Path from --kubeconfig; wins over KUBECONFIG. */
  kubeconfig?: string;
  /** Context from --context; default: the file's current-context. */
  context?: string;
  /** Environment to read KUBECONFIG / KUBERNETES_SERVICE_HOST from (default process.env). */
  env?: NodeJS.ProcessEnv;
}

/** Returns a KubeConfig loaded like kubectl loads one, with the chosen context current. */
export function loadKubeConfig(o: KubeConfigSource = {}): KubeConfig {
  const env = o.env ?? process.env;
  const kc = new KubeConfig();
  const where =
    o.kubeconfig ?? (env.KUBECONFIG ? `KUBECONFIG=${env.KUBECONFIG}` : env.KUBERNETES_SERVICE_HOST ? 'the in-cluster service account' : '~/.kube/config');
  try {
    if (o.kubeconfig) kc.loadFromFile(o.kubeconfig);
    else if (env.KUBECONFIG) withEnv(env, () => kc.loadFromDefault());
    else if (env.KUBERNETES_SERVICE_HOST) withEnv(env, () => kc.loadFromCluster());
    else {
      // client-node would fall back to http://localhost:8080 here; kubectl's error for that case
      // ("connection refused") hides the real problem, so say it.
      const home = join(env.HOME ?? homedir(), '.kube', 'config');
      if (!existsSync(home)) {
        throw new KubernetesError(
          `failed to load kubeconfig: KUBECONFIG is not set, ${home} does not exist and this is not a pod in a cluster; pass --kubeconfig FILE (or --snapshot for a saved dump)`,
        );
      }
      kc.loadFromFile(home);
    }
  } catch (err) {
    if (err instanceof KubernetesError) throw err;
    // One line: the YAML parser's message carries a multi-line code frame; an empty file fails inside client-node.
    const first = (err as Error).message.split('\n')[0]!.trim();
    const why = err instanceof TypeError ? 'not a kubeconfig (empty, or no clusters, contexts and users)' : first;
    throw new KubernetesError(`failed to load kubeconfig from ${where}: ${why}`, { cause: err });
  }
  if (o.context) {
    if (!kc.getContextObject(o.context)) {
      const known =
        kc
          .getContexts()
          .map((c) => c.name)
          .join(', ') || 'none';
      throw new KubernetesError(`failed to load kubeconfig from ${where}: context "${o.context}" not found (contexts: ${known})`);
    }
    kc.setCurrentContext(o.context);
  }
  if (!kc.getCurrentCluster()) {
    throw new KubernetesError(`failed to load kubeconfig from ${where}: no current context with a cluster; pass --context`);
  }
  return kc;
}

/** Returns the name to report the cluster under: the context name, else the kubeconfig cluster name. */
export function clusterNameOf(kc: KubeConfig): string {
  return kc.getCurrentContext() || kc.getCurrentCluster()?.name || 'cluster';
}

// client-node's loaders read process.env themselves; run them against the given env.
const LOADER_ENV = ['KUBECONFIG', 'KUBERNETES_SERVICE_HOST', 'KUBERNETES_SERVICE_PORT'] as const;

function withEnv(env: NodeJS.ProcessEnv, fn: () => void): void {
  if (env === process.env) {
    fn();
    return;
  }
  const saved = LOADER_ENV.map((k) => [k, process.env[k]] as const);
  try {
    for (const k of LOADER_ENV) {
      if (env[k] === undefined) delete process.env[k];
      else process.env[k] = env[k];
    }
    fn();
  } finally {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
