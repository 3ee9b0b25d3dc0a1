// `npm run bench -- --only lambda`: each Lambda function as deployed (the esbuild bundle `cdk synth`
// makes) run in a fresh Node process against the loopback pipeline environment of the e2e test with
// the example cluster: cold start (process start + module import, what Lambda reports as Init Duration),
// first and warm invocation, peak RSS; then the monthly cost per cluster those figures imply. Then the
// audit function rendering the Argo CD example (Helm and Kustomize agents) with helm and kubectl from the
// kubectl layer laid out as under /opt: cold start, render (first call), warm call, the peak memory of the
// function's whole process tree (Node plus the helm and kubectl it runs), and that run's monthly cost.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { FUNCTION_SIZING, type FunctionName } from '../infra/auditor-stack.js';
import { startArgoCdLambdaEnvironment } from '../test/e2e/argocd-lambda.js';
import { runBundle, resultsOf, synthBundles } from '../test/e2e/bundle-runner.js';
import { exampleConfig, ROOT, startPipelineEnvironment } from '../test/e2e/environment.js';

const run = promisify(execFile);

/** Prices assumed (us-east-1, on demand, November 2026 list prices; check yours). */
export const PRICES = {
  lambdaArmGbSecond: 0.0000133334,
  /** The audit function runs on x86_64: the kubectl layer's helm and kubectl are amd64 only. */
  lambdaX86GbSecond: 0.0000166667,
  lambdaRequest: 0.2 / 1e6,
  stepFunctionsTransition: 0.025 / 1000,
  s3Put: 0.005 / 1000,
  s3Get: 0.0004 / 1000,
  s3StandardGbMonth: 0.023,
  logsIngestGb: 0.5,
} as const;

interface Measure {
  fn: FunctionName;
  memoryMB: number;
  bundleMB: number;
  spawnToReadyMs: number;
  importMs: number;
  firstMs: number;
  warmMs: number;
  peakRssMB: number;
}

/** Runs the benchmark and prints its table and cost estimate; with `sizes`, also the audit at those node counts. */
export async function benchLambda(o: { repeat?: number; sizes?: number[] } = {}): Promise<Measure[]> {
  const measures = await benchExample(o);
  await benchArgoCdAudit(
    o,
    measures.find((m) => m.fn === 'audit'),
  );
  for (const nodes of o.sizes ?? []) await benchAuditAtScale(nodes);
  return measures;
}

async function benchExample(o: { repeat?: number }): Promise<Measure[]> {
  // The bundles, exactly as `cdk synth` builds them for this config.
  const { outdir, bundles } = synthBundles(exampleConfig()) as { outdir: string; bundles: Record<FunctionName, string> };
  const pipeline = await startPipelineEnvironment();
  try {
    const invoke = async (fn: FunctionName, events: unknown[]): Promise<{ m: Measure; outputs: unknown[] }> => {
      let best: { m: Measure; outputs: unknown[] } | undefined;
      for (let i = 0; i < (o.repeat ?? 1); i++) {
        const r = await runBundle(bundles[fn], events, { ...pipeline.env, POWERTOOLS_LOG_LEVEL: 'WARN', POWERTOOLS_METRICS_DISABLED: 'true' });
        const m: Measure = {
          fn,
          memoryMB: FUNCTION_SIZING[fn].memoryMB,
          bundleMB: statSync(join(bundles[fn], 'index.mjs')).size / 1024 / 1024,
          spawnToReadyMs: r.coldStartMs,
          importMs: r.importMs,
          firstMs: r.times[0]!,
          warmMs: Math.min(...r.times.slice(1)),
          peakRssMB: r.peakRssMB,
        };
        // The fastest cold start, but the last run's outputs: each run rewrites the same staging keys.
        best = { m: !best || m.spawnToReadyMs < best.m.spawnToReadyMs ? m : best.m, outputs: resultsOf(r) };
      }
      return best!;
    };

    // Two executions in one warm container per function, passing outputs on exactly as the state machine does.
    const startTime = new Date().toISOString();
    const inputs = ['bench-1', 'bench-2'].map((name) => ({
      cluster: (pipeline.definition.States.ListClusters!.Parameters as { clusters: unknown[] }).clusters[0],
      runId: name,
      startedAt: startTime,
    }));
    const snap = await invoke('snapshot', inputs);
    const aud = await invoke('audit', snap.outputs);
    const not = await invoke('notify', aud.outputs);
    const rec = await invoke(
      'recordFailure',
      snap.outputs.map((s) => ({ ...(s as object), error: { Error: 'KubernetesError', Cause: JSON.stringify({ errorMessage: 'bench' }) } })),
    );
    const measures = [snap.m, aud.m, not.m, rec.m];

    console.log('function       memory  bundle   cold start (boot+import)  first call  warm call  peak RSS');
    for (const m of measures) {
      console.log(
        `${m.fn.padEnd(14)} ${String(m.memoryMB).padStart(5)} MB ${m.bundleMB.toFixed(2).padStart(5)} MB ${m.spawnToReadyMs.toFixed(0).padStart(9)} ms (import ${m.importMs.toFixed(0).padStart(4)} ms) ${m.firstMs.toFixed(0).padStart(7)} ms ${m.warmMs.toFixed(0).padStart(7)} ms ${m.peakRssMB.toFixed(0).padStart(6)} MB`,
      );
    }
    printCost(measures);
    return measures;
  } finally {
    await pipeline.close();
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** Prints the monthly cost of one cluster at one run a day and one an hour, from cold-start runs (the worst case). */
function printCost(measures: Measure[]): void {
  const ok = measures.filter((m) => m.fn !== 'recordFailure');
  // Billed duration of a cold run: init + first call (Lambda bills init for on-demand functions since 2025).
  const gbSeconds = ok.reduce((sum, m) => sum + ((m.spawnToReadyMs + m.firstMs) / 1000) * (m.memoryMB / 1024), 0);
  const lambdaCost = ok.reduce((sum, m) => sum + ((m.spawnToReadyMs + m.firstMs) / 1000) * (m.memoryMB / 1024) * gbSecondPrice(m.fn), 0);
  const perRun = {
    lambda: lambdaCost + ok.length * PRICES.lambdaRequest,
    // Per cluster: Map iteration, Snapshot, Audit, Notify, ClusterSucceeded (+ start/choice/end shared by all clusters).
    stepFunctions: 5 * PRICES.stepFunctionsTransition,
    // staging snapshot + 5 run files + manifest + index + latest; reads: staged snapshot, heads, report.
    s3: 9 * PRICES.s3Put + 12 * PRICES.s3Get,
  };
  const total = perRun.lambda + perRun.stepFunctions + perRun.s3;
  console.log(
    `\ncost per cluster per run (cold, example cluster): Lambda $${perRun.lambda.toFixed(7)} (${gbSeconds.toFixed(2)} GB-s), Step Functions $${perRun.stepFunctions.toFixed(7)}, S3 requests $${perRun.s3.toFixed(7)} = $${total.toFixed(6)}`,
  );
  console.log(
    `per cluster per month: daily $${(total * 30).toFixed(4)}, hourly $${(total * 730).toFixed(4)} (plus storage, logs, and the fixed $0.40/secret + $1/KMS key a month)`,
  );
  console.log(
    `prices assumed: ${Object.entries(PRICES)
      .map(([k, v]) => `${k} $${Number(v.toPrecision(6))}`)
      .join(', ')}`,
  );
}

/** The price of a GB-second of `fn`: x86_64 for the audit function (it runs helm and kubectl), arm64 for the others. */
function gbSecondPrice(fn: FunctionName): number {
  return fn === 'audit' ? PRICES.lambdaX86GbSecond : PRICES.lambdaArmGbSecond;
}

/**
 * The audit function rendering the Argo CD example (examples/argocd: node-exporter from a Helm chart with a value
 * file, fluentd from a Kustomize overlay, the add-ons as plain YAML) in a fresh process, with helm and kubectl from
 * the layer laid out as under /opt and an empty /tmp: cold start, first call (the render starts every helm and
 * kubectl process cold), a warm call on another staged snapshot, and the peak memory of the process tree.
 */
async function benchArgoCdAudit(o: { repeat?: number }, plain: Measure | undefined): Promise<void> {
  const { outdir, bundles } = synthBundles(exampleConfig()) as { outdir: string; bundles: Record<FunctionName, string> };
  try {
    let best: { r: Awaited<ReturnType<typeof runBundle>>; treeMB: number } | undefined;
    for (let i = 0; i < (o.repeat ?? 1); i++) {
      // A fresh environment each time: the function's /tmp (pulled charts) starts empty, as on a new instance.
      const lambda = await startArgoCdLambdaEnvironment();
      try {
        const events = [await lambda.stage(bundles.snapshot, `bench-argocd-${i}-1`), await lambda.stage(bundles.snapshot, `bench-argocd-${i}-2`)];
        let treeMB = 0;
        let timer: NodeJS.Timeout | undefined;
        const r = await runBundle(bundles.audit, events, lambda.env, {
          onSpawn: (pid) => {
            timer = setInterval(() => {
              treeMB = Math.max(treeMB, treeRssMB(pid));
            }, 25);
          },
        });
        clearInterval(timer);
        resultsOf(r);
        if (!best || r.coldStartMs + r.times[0]! < best.r.coldStartMs + best.r.times[0]!) best = { r, treeMB };
      } finally {
        await lambda.close();
      }
    }
    const { r, treeMB } = best!;
    const memoryMB = FUNCTION_SIZING.audit.memoryMB;
    console.log(`
audit function, Argo CD example (Helm + Kustomize + plain; helm and kubectl from the layer under a /opt-like root), ${memoryMB} MB, x86_64:`);
    console.log(
      `  cold start ${r.coldStartMs.toFixed(0)} ms (import ${r.importMs.toFixed(0)} ms); first call ${r.times[0]!.toFixed(0)} ms${plain ? ` (the plain example's: ${plain.firstMs.toFixed(0)} ms, so rendering ≈ ${(r.times[0]! - plain.firstMs).toFixed(0)} ms)` : ''}; warm call ${r.times[1]!.toFixed(0)} ms`,
    );
    console.log(`  peak RSS: Node ${r.peakRssMB.toFixed(0)} MB; whole process tree (Node + helm + kubectl, sampled every 25 ms) ${treeMB.toFixed(0)} MB`);
    const billedSeconds = (r.coldStartMs + r.times[0]!) / 1000;
    const perRun = billedSeconds * (memoryMB / 1024) * PRICES.lambdaX86GbSecond + PRICES.lambdaRequest;
    console.log(
      `  cost of a cold audit run: ${billedSeconds.toFixed(2)} s billed × ${(memoryMB / 1024).toFixed(0)} GB × $${PRICES.lambdaX86GbSecond} = $${perRun.toFixed(7)}; per cluster per month: daily $${(perRun * 30).toFixed(4)}, hourly $${(perRun * 730).toFixed(4)} (the audit function alone; x86_64 price)`,
    );
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** Returns the resident memory of process `root` and all its descendants, in MB (0 once it has exited). */
function treeRssMB(root: number): number {
  const parent = new Map<number, number>();
  const rss = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // Fields after the parenthesised command name: state ppid … rss is the 24th field overall.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(name), Number(fields[1]));
      rss.set(Number(name), Number(fields[21]) * 4096);
    } catch {
      /* the process exited meanwhile */
    }
  }
  const inTree = (pid: number): boolean => {
    for (let p = pid, hops = 0; p > 1 && hops < 64; p = parent.get(p) ?? 0, hops++) if (p === root) return true;
    return false;
  };
  let bytes = 0;
  for (const [pid, b] of rss) if (inTree(pid)) bytes += b;
  return bytes / 1024 / 1024;
}

/**
 * The audit function's work at scale: a generated cluster of `nodes` nodes (30 DaemonSets) projected and
 * serialized as the snapshot function writes it, then, in a fresh process, gunzip + parse + audit + render as
 * the audit handler does. Prints the snapshot size, phase times and peak RSS (what the function's memory must hold).
 */
export async function benchAuditAtScale(nodes: number): Promise<void> {
  const dir = mkdtempSync(join(ROOT, 'node_modules/.cache/drift-auditor-scale-'));
  try {
    const child = async (...args: string[]): Promise<string> =>
      (
        await run(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), ...args], {
          maxBuffer: 1 << 20,
          env: { ...process.env, POWERTOOLS_METRICS_DISABLED: 'true' },
        })
      ).stdout;
    // Two processes: the generator's own peak must not count against the audit's.
    await child('--scale-generate', String(nodes), dir);
    process.stdout.write(await child('--scale-audit', dir));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function scaleGenerate(nodes: number, dir: string): Promise<void> {
  const { generateCluster } = await import('./generate-cluster.js');
  const k8s = await import('../functions/adapters/kubernetes/index.js');
  const c = generateCluster({ nodes, daemonSets: 30, extraPodsPerNode: 0 });
  // Projected as the snapshot function's reader keeps them, then serialized exactly as it writes them.
  const wire = <T>(x: T): Record<string, unknown> => JSON.parse(JSON.stringify(x)) as Record<string, unknown>;
  writeFileSync(
    join(dir, 'snapshot.json.gz'),
    k8s.serializeSnapshot({
      cluster: 'scale',
      nodes: c.nodes.map((n) => k8s.projectNode(wire(n))),
      daemonSets: c.daemonSets.map((d) => k8s.projectDaemonSet(wire(d))),
      pods: c.pods.flatMap((p) => k8s.projectPod(wire(p)) ?? []),
      controllerRevisions: c.controllerRevisions.flatMap((r) => k8s.projectControllerRevision(wire(r)) ?? []),
      source: { kind: 'live' },
      gaps: [],
    }),
  );
  writeFileSync(join(dir, 'manifests.json'), JSON.stringify(c.manifests));
}

async function scaleAudit(dir: string): Promise<void> {
  const { gunzipSync } = await import('node:zlib');
  const { audit } = await import('../functions/core/audit.js');
  const { emptyDumpContents, parseDumpText, snapshotFromDump } = await import('../functions/core/dump.js');
  const { loadRules } = await import('../functions/adapters/rules-loader.js');
  const { loadPolicy } = await import('../functions/adapters/policy-loader.js');
  const { renderHtml } = await import('../functions/core/render/html.js');
  const { renderMarkdown } = await import('../functions/core/render/markdown.js');
  const { renderCsv } = await import('../functions/core/render/csv.js');
  const { desiredOf } = await import('../test/support/builders.js');
  const gz = readFileSync(join(dir, 'snapshot.json.gz'));
  const manifests = JSON.parse(readFileSync(join(dir, 'manifests.json'), 'utf8')) as never;
  const before = readHwmMB();

  const t0 = performance.now();
  const text = gunzipSync(gz).toString('utf8');
  const snapshot = snapshotFromDump(parseDumpText('scale', text, emptyDumpContents()), [{ path: 'scale', sha256: '-' }], 'scale');
  const t1 = performance.now();
  const report = audit(snapshot, desiredOf(manifests), await loadPolicy(undefined, await loadRules()), new Date('2026-11-20T10:00:00Z'), {});
  const t2 = performance.now();
  const sizes = [renderHtml(report).length, renderMarkdown(report).length, renderCsv(report).length, JSON.stringify(report).length];
  const t3 = performance.now();
  console.log(
    `audit at scale: ${snapshot.nodes.length} nodes, ${snapshot.pods.length} pods, snapshot ${(gz.length / 1048576).toFixed(1)} MB gzipped (${(text.length / 1048576).toFixed(0)} MB JSON): ` +
      `gunzip+parse ${(t1 - t0).toFixed(0)} ms, audit ${(t2 - t1).toFixed(0)} ms, render ${(t3 - t2).toFixed(0)} ms (report.json ${(sizes[3]! / 1048576).toFixed(1)} MB, report.html ${(sizes[0]! / 1048576).toFixed(1)} MB); ` +
      `peak RSS ${readHwmMB().toFixed(0)} MB (${before.toFixed(0)} MB after loading tsx and the inputs)`,
  );
}

function readHwmMB(): number {
  return Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) / 1024;
}

if (process.argv[1] && import.meta.url === `file://${process.argv[1]}`) {
  const [flag, a, b] = process.argv.slice(2);
  if (flag === '--scale-generate') await scaleGenerate(Number(a), b!);
  else if (flag === '--scale-audit') await scaleAudit(a!);
  else await benchLambda();
}
