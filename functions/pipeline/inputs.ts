// The inputs of a run, one reader each: a dump (files or the bytes of a staged snapshot) through the dump
// reader, the desired state through readManifests (or none, for a live-only audit that says so), and the rule
// catalog plus the user's policy. A live read is in live.ts (it loads the Kubernetes client).
import { StoreError } from '../core/errors.js';
import type { DesiredState, Policy, Snapshot } from '../core/types.js';
import { readDump, readDumpBytes } from '../adapters/dump-reader.js';
import { projectSnapshot } from '../adapters/kubernetes/projection.js';
import { readManifests } from '../adapters/manifest-source.js';
import { capabilitiesOf } from '../adapters/render/index.js';
import { loadPolicy } from '../adapters/policy-loader.js';
import { loadRules } from '../adapters/rules-loader.js';
import { sha256Hex } from '../adapters/sha256.js';

/** Where the observed cluster comes from, when it is not read live. */
export type SnapshotInput =
  /** kubectl dumps or drift-auditor snapshot files and folders. */
  | { kind: 'dump'; paths: string[]; cluster?: string }
  /** A snapshot file read live earlier and handed over as bytes (the Lambdas' hand-off), checked against its sha256. */
  | { kind: 'staged'; location: string; bytes: Buffer; sha256: string; cluster: string };

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

/** Returns the snapshot held by a dump or a staged snapshot file; throws InputError naming the file, StoreError for staged bytes that changed. */
export async function readSnapshot(input: SnapshotInput): Promise<Snapshot> {
  // A dump is projected and redacted exactly as a live read is, before anything reads it.
  if (input.kind === 'dump') return projectSnapshot(await readDump(input.paths, { cluster: input.cluster }));
  const actual = sha256Hex(input.bytes);
  if (actual !== input.sha256) {
    throw new StoreError(`failed to read snapshot ${input.location}: its sha256 ${actual} differs from the ${input.sha256} recorded when it was written`);
  }
  const snapshot = await readDumpBytes(input.location, input.bytes, { cluster: input.cluster });
  // It was read live by the snapshot function; the file is only the hand-off, named by its sha256.
  return { ...snapshot, source: { ...snapshot.source, kind: 'live', sha256: input.sha256 } };
}

/**
 * Returns the desired state: the manifests at `spec` (Helm charts rendered for the snapshot's cluster name and
 * Kubernetes version), or the empty, stated absence of Git for a live-only audit.
 */
export async function readDesired(input: DesiredInput, opts: { env: NodeJS.ProcessEnv; snapshot: Snapshot }): Promise<DesiredState> {
  if (input.kind === 'manifests') return readManifests(input.spec, { env: opts.env, cluster: { name: opts.snapshot.cluster }, capabilities: capabilitiesOf(opts.snapshot) });
  return { source: { kind: 'none', location: '' }, daemonSets: [], managedNamespaces: [], problems: [], gaps: [] };
}

/** Returns the policy (rule catalog plus the user's file) and how the report names it. */
export async function readPolicy(input: PolicyInput): Promise<{ policy: Policy; policySource?: { file: string } }> {
  const catalog = await loadRules(input.rulesDir);
  const policy = await loadPolicy(input.file, catalog, input.rulesDir ? { rulesDir: input.rulesDir } : {});
  const name = input.name ?? input.file;
  return name ? { policy, policySource: { file: name } } : { policy };
}
