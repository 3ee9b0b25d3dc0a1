// Runs a Lambda bundle (the index.mjs `cdk synth` builds) the way the Lambda runtime would: a fresh Node
// process imports it once (the cold start) and calls `handler` for each event in turn (warm calls).
// Shared by test/infra/bundle.test.ts and bench/lambda.ts.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../infra/app.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const CHILD = `
const [bundle, eventsFile, outFile] = process.argv.slice(1);
const { readFileSync, writeFileSync } = await import('node:fs');
const t0 = performance.now();
const m = await import(bundle);
const t1 = performance.now();
const events = JSON.parse(readFileSync(eventsFile, 'utf8'));
const outputs = [];
const times = [];
for (const e of events) {
  const s = performance.now();
  try {
    outputs.push({ ok: await m.handler(e, { functionName: 'local', awsRequestId: 'local-' + times.length }) });
  } catch (err) {
    outputs.push({ error: { name: err.name, message: err.message } });
  }
  times.push(performance.now() - s);
}
// VmHWM: this process's own peak RSS (ru_maxrss would include the parent's, which survives exec on Linux).
const hwm = Number(/VmHWM:\\s+(\\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0);
writeFileSync(outFile, JSON.stringify({ importMs: t1 - t0, times, outputs, maxRssKB: hwm }));
`;

export interface BundleRun {
  /** Process start to handler ready (Node boot + module init: what Lambda reports as Init Duration), ms. */
  coldStartMs: number;
  importMs: number;
  /** Duration of each call, ms. */
  times: number[];
  /** Each call's result, or the error it threw (name and message). */
  outputs: ({ ok: unknown } | { error: { name: string; message: string } })[];
  peakRssMB: number;
}

/**
 * Runs `events` through the bundle in `bundleDir` in one fresh process with `env` (plus LAMBDA_TASK_ROOT);
 * `onSpawn` gets the process id (to sample its memory with its children's).
 */
export async function runBundle(
  bundleDir: string,
  events: unknown[],
  env: Record<string, string>,
  opts: { onSpawn?: (pid: number) => void } = {},
): Promise<BundleRun> {
  const dir = mkdtempSync(join(tmpdir(), 'drift-auditor-bundle-run-'));
  try {
    const eventsFile = join(dir, 'events.json');
    const outFile = join(dir, 'out.json');
    writeFileSync(eventsFile, JSON.stringify(events));
    const started = performance.now();
    const child = run(process.execPath, ['--input-type=module', '-e', CHILD, join(bundleDir, 'index.mjs'), eventsFile, outFile], {
      env: { PATH: process.env.PATH ?? '', NODE_OPTIONS: '--enable-source-maps', ...env, LAMBDA_TASK_ROOT: bundleDir },
      maxBuffer: 64 * 1024 * 1024,
    });
    if (child.child.pid !== undefined) opts.onSpawn?.(child.child.pid);
    await child;
    const wall = performance.now() - started;
    const r = JSON.parse(readFileSync(outFile, 'utf8')) as { importMs: number; times: number[]; outputs: BundleRun['outputs']; maxRssKB: number };
    return { coldStartMs: wall - r.times.reduce((a, b) => a + b, 0), importMs: r.importMs, times: r.times, outputs: r.outputs, peakRssMB: r.maxRssKB / 1024 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Returns the results of a run, throwing the first error a call threw (with its name). */
export function resultsOf(run: BundleRun): unknown[] {
  return run.outputs.map((o) => {
    if ('error' in o) throw Object.assign(new Error(o.error.message), { name: o.error.name });
    return o.ok;
  });
}

/**
 * Bundles the functions exactly as `cdk synth` does for `config` (esbuild, locally) into a new folder under
 * node_modules/.cache (so the bundles' external @aws-sdk/* imports resolve); returns function name -> bundle folder.
 */
export function synthBundles(config: Record<string, unknown>): { outdir: string; bundles: Record<string, string> } {
  const cache = join(ROOT, 'node_modules/.cache');
  mkdirSync(cache, { recursive: true });
  const outdir = mkdtempSync(join(cache, 'drift-auditor-bundles-'));
  const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true, driftAuditor: config } });
  const template = Template.fromStack(buildApp(app).stack);
  const bundles = Object.fromEntries(
    Object.values(template.findResources('AWS::Lambda::Function')).map((r) => {
      const res = r as { Properties: { Description: string }; Metadata: { 'aws:asset:path': string } };
      return [res.Properties.Description.replace('drift-auditor ', ''), join(outdir, res.Metadata['aws:asset:path'])];
    }),
  );
  return { outdir, bundles };
}
