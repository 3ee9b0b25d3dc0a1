// The inputs of a run, one reader each: a dump (files, s3://BUCKET/KEY objects, the bytes of a staged snapshot,
// or the snapshot kept with a cluster's latest run in an evidence store) through the dump reader, the desired
// state through readManifests (or none, for a live-only audit that says so), and the rule catalog plus the
// user's policy. A live read is in live.ts (it loads the Kubernetes client).
import { InputError, StoreError } from '../core/errors.js';
import type { DesiredState, Policy, Snapshot } from '../core/types.js';
import { readDump, readDumpBytes, type DumpSource } from '../adapters/dump-reader.js';
import { readManifests } from '../adapters/manifest-source.js';
import { capabilitiesOf } from '../adapters/render/index.js';
import { checkChartSettings } from '../adapters/render/chart-source.js';
import { loadPolicy } from '../adapters/policy-loader.js';
import { loadRules } from '../adapters/rules-loader.js';
import { sha256Hex } from '../adapters/sha256.js';
import type { OpenStoreOptions, ReportStore } from '../adapters/store/index.js';

/** Where the observed cluster comes from, when it is not read live. */
export type SnapshotInput =
  /**
   * kubectl dumps or drift-auditor snapshot files and folders; an `s3://BUCKET/KEY` path is that object, read
   * through the store adapter (settings from `s3`, default the process environment) and handed over as bytes.
   */
  | { kind: 'dump'; paths: string[]; cluster?: string; s3?: OpenStoreOptions }
  /** A snapshot file read live earlier and handed over as bytes (the Lambdas' hand-off), checked against its sha256. */
  | { kind: 'staged'; location: string; bytes: Buffer; sha256: string; cluster: string }
  /** The snapshot kept with the cluster's latest run in an evidence store (a folder or s3://BUCKET/PREFIX). */
  | StoredSnapshotInput;

export interface StoredSnapshotInput {
  kind: 'stored';
  store: string;
  cluster: string;
  s3?: OpenStoreOptions;
}

/** Where the desired state comes from: a folder or `github:…` spec, or `none` (`--live-only`). */
export type DesiredInput = { kind: 'manifests'; spec: string } | { kind: 'none' };

export interface PolicyInput {
  /** Rule catalog folder (default: the project's rules/, or DRIFT_AUDITOR_RULES_DIR). */
  rulesDir?: string;
  /** The policy file to read (default: the catalog's default-policy.yaml). */
  file?: string;
  /** How the report names the policy file (default: `file`). */
  name?: string;
}

/** Returns the snapshot held by a dump, a staged or a stored snapshot; throws InputError naming the file, StoreError for S3 and for staged or stored bytes that changed. */
export async function readSnapshot(input: SnapshotInput): Promise<Snapshot> {
  // The dump reader projects and redacts every object as it reads it, exactly as a live read does (dumpProjector):
  // nothing unprojected is ever held, so no second pass is needed (it cost 3.2-3.5 s CPU on 78k pods, ~15% of the read).
  if (input.kind === 'dump') return readDump(await dumpSources(input.paths, input.s3), { cluster: input.cluster });
  if (input.kind === 'stored') return (await readStoredSnapshot(input)).snapshot;
  const actual = sha256Hex(input.bytes);
  if (actual !== input.sha256) {
    throw new StoreError(`failed to read snapshot ${input.location}: its sha256 ${actual} differs from the ${input.sha256} recorded when it was written`);
  }
  const snapshot = await readDumpBytes(input.location, input.bytes, { cluster: input.cluster });
  // It was read live by the snapshot function; the file is only the hand-off, named by its sha256.
  return { ...snapshot, source: { ...snapshot.source, kind: 'live', sha256: input.sha256 } };
}

/**
 * Returns the snapshot of the cluster's latest stored run and that run's id; throws StoreError when the run was
 * stored without one or its bytes do not match the sha256 in the run's manifest.
 */
export async function readStoredSnapshot(input: StoredSnapshotInput): Promise<{ snapshot: Snapshot; runId: string }> {
  const store = await openStore(input.store, input.s3);
  const run = await store.getRun(input.cluster, 'latest');
  const object = run.manifest.objects.find((o) => o.name === 'snapshot.json.gz');
  if (!object) throw new StoreError(`failed to read the snapshot of ${input.cluster}: run ${run.runId} in ${store.describe('')} was stored without one`);
  const bytes = await store.getObject(object.key);
  if (sha256Hex(bytes) !== object.sha256) {
    throw new StoreError(
      `failed to read the snapshot of ${input.cluster}: ${store.describe(object.key)} does not match the sha256 in its run manifest (tampered or corrupt)`,
    );
  }
  const snapshot = await readDumpBytes(store.describe(object.key), bytes, { cluster: input.cluster });
  return { snapshot, runId: run.runId };
}

/** Returns the dump paths with each `s3://BUCKET/KEY` replaced by that object's bytes, read through the store adapter. */
async function dumpSources(paths: string[], s3: OpenStoreOptions | undefined): Promise<DumpSource[]> {
  const out: DumpSource[] = [];
  for (const p of paths) {
    if (!p.startsWith('s3://')) {
      out.push(p);
      continue;
    }
    const m = /^(s3:\/\/[^/]+)\/(.+)$/.exec(p);
    if (!m) throw new InputError(`failed to read snapshot ${p}: expected s3://BUCKET/KEY`);
    // The store's errors name the object (`failed to read s3://BUCKET/KEY: no such object`).
    out.push({ name: p, bytes: await (await openStore(m[1]!, s3)).getObject(m[2]!) });
  }
  return out;
}

/** Opens a store, loading the S3 client only for a run that reads from one (a local audit never does). */
async function openStore(spec: string, s3: OpenStoreOptions | undefined): Promise<ReportStore> {
  const store = await import('../adapters/store/index.js');
  return store.openStore(spec, s3 ?? { env: process.env });
}

/** What Argo CD knows of the audited cluster besides its name: its API server URL, its cluster Secret's labels, and where Argo CD runs. */
export interface ClusterHints {
  /** Matched against Application `destination.server` (and given to ApplicationSet cluster generators). */
  server?: string;
  /** For ApplicationSet cluster generators' selectors. */
  labels?: Record<string, string>;
  /** The cluster Argo CD runs in (hub and spokes), which `https://kubernetes.default.svc` and `in-cluster` name; default: the audited one. */
  argocdCluster?: string;
}

/** Throws InputError when a rendering setting of the environment (chart credentials, plain-HTTP registries) is unusable: bad input, found before the work. */
export function checkRenderSettings(env: NodeJS.ProcessEnv): void {
  try {
    checkChartSettings(env);
  } catch (err) {
    throw new InputError((err as Error).message, { cause: err });
  }
}

/**
 * Returns the desired state: the manifests at `spec` (Helm charts rendered for the snapshot's cluster name and
 * Kubernetes version), or the empty, stated absence of Git for a live-only audit.
 */
export async function readDesired(input: DesiredInput, opts: { env: NodeJS.ProcessEnv; snapshot: Snapshot; cluster?: ClusterHints }): Promise<DesiredState> {
  if (input.kind === 'manifests')
    return readManifests(input.spec, { env: opts.env, cluster: { ...opts.cluster, name: opts.snapshot.cluster }, capabilities: capabilitiesOf(opts.snapshot) });
  return { source: { kind: 'none', location: '' }, daemonSets: [], managedNamespaces: [], problems: [], gaps: [] };
}

/** Returns the policy (rule catalog plus the user's file) and how the report names it. */
export async function readPolicy(input: PolicyInput): Promise<{ policy: Policy; policySource?: { file: string } }> {
  const catalog = await loadRules(input.rulesDir);
  const policy = await loadPolicy(input.file, catalog, input.rulesDir ? { rulesDir: input.rulesDir } : {});
  const name = input.name ?? input.file;
  return name ? { policy, policySource: { file: name } } : { policy };
}
