// The one test that really bundles: esbuild (local, no Docker) builds the five functions exactly as
// `cdk deploy` would, and each bundle must stay under the size budget, load as ESM on Node, carry the
// files it reads at run time (rules/ and the policies for the audit function), and run the pipeline
// against the loopback environment of the e2e test, each in its own fresh Node process.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditOutput, NotifyOutput, SnapshotOutput } from '../../functions/handlers/shared/contract.js';
import { resultsOf, runBundle, synthBundles } from '../e2e/bundle-runner.js';
import { exampleConfig, ROOT, startPipelineEnvironment } from '../e2e/environment.js';
import { mapItems } from '../e2e/state-machine.js';

/** Budget for each minified index.mjs (the AWS SDK is external: the runtime provides it). */
const BUDGET_BYTES = 2.5 * 1024 * 1024;

let outdir: string;
let bundles: Record<string, string>;

beforeAll(() => {
  // The bundles exactly as `cdk synth` builds them for the example config, as bench/lambda.ts builds them too.
  ({ outdir, bundles } = synthBundles(exampleConfig()));
});

afterAll(() => {
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

describe('NodejsFunction bundles', () => {
  it('bundles all five functions locally with esbuild', () => {
    expect(Object.keys(bundles).sort()).toEqual(['audit', 'evidence', 'notify', 'recordFailure', 'snapshot']);
    for (const dir of Object.values(bundles)) expect(existsSync(join(dir, 'index.mjs'))).toEqual(true);
  });

  it('keeps each minified bundle under the size budget', () => {
    const sizes = Object.fromEntries(Object.entries(bundles).map(([name, dir]) => [name, statSync(join(dir, 'index.mjs')).size]));
    // Printed so that the figures land in the test log (and in the closing note).
    console.log(
      `bundle sizes (index.mjs, minified): ${Object.entries(sizes)
        .map(([n, b]) => `${n} ${(b / 1024 / 1024).toFixed(2)} MB`)
        .join(', ')}; budget ${(BUDGET_BYTES / 1024 / 1024).toFixed(1)} MB`,
    );

    expect(Object.entries(sizes).filter(([, b]) => b >= BUDGET_BYTES)).toEqual([]);
  });

  it('copies rules/ and the configured policies into the audit bundle only', () => {
    const ruleFiles = (dir: string): string[] =>
      existsSync(join(dir, 'rules'))
        ? readdirSync(join(dir, 'rules'), { recursive: true })
            .map(String)
            .filter((f) => f.endsWith('.yaml'))
        : [];

    expect(ruleFiles(bundles.audit!).length).toEqual(ruleFiles(ROOT).length);
    expect(ruleFiles(bundles.audit!).length).toBeGreaterThan(5);
    expect(readFileSync(join(bundles.audit!, 'policies/example.yaml'), 'utf8')).toEqual(readFileSync(join(ROOT, 'examples/policy.yaml'), 'utf8'));
    expect([ruleFiles(bundles.snapshot!), ruleFiles(bundles.notify!), ruleFiles(bundles.recordFailure!)]).toEqual([[], [], []]);
  });

  it('runs the pipeline from the bundles alone: snapshot, audit, notify, each in a fresh process', async () => {
    const pipeline = await startPipelineEnvironment();
    try {
      const env = { ...pipeline.env, POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' };
      const [item] = mapItems(pipeline.definition, { name: 'bundled-1', startTime: new Date().toISOString() });

      const [snapshotOut] = resultsOf(await runBundle(bundles.snapshot!, [item], env)) as SnapshotOutput[];
      const [auditOut] = resultsOf(await runBundle(bundles.audit!, [snapshotOut], env)) as AuditOutput[];
      const [notifyOut] = resultsOf(await runBundle(bundles.notify!, [auditOut], env)) as NotifyOutput[];

      expect([auditOut!.report.complete, auditOut!.report.findings > 0, notifyOut!.notify.writes > 0]).toEqual([true, true, true]);
      expect(pipeline.github.state.repos.get('acme/drift')!.issues.length).toBeGreaterThan(0);
    } finally {
      await pipeline.close();
    }
  });

  it('loads each bundle as an ES module on Node, and its errors keep their class names through minification', () => {
    // With no DRIFT_AUDITOR_BUCKET every handler throws InputError first; Step Functions matches Retry/Catch on that name.
    const script = (dir: string): string => `const m = await import(${JSON.stringify(join(dir, 'index.mjs'))});
      const err = await m.handler({ cluster: { name: 'x', type: 'kubeconfig', manifests: 'github:a/b' }, runId: 'r', startedAt: 'now' }).catch((e) => e);
      process.stdout.write(typeof m.handler + ' ' + err.name);`;
    const { DRIFT_AUDITOR_BUCKET: _b, ...env } = process.env;
    const loaded = Object.values(bundles).map((dir) =>
      execFileSync(process.execPath, ['--input-type=module', '-e', script(dir)], {
        env: { ...env, POWERTOOLS_METRICS_DISABLED: 'true', POWERTOOLS_LOG_LEVEL: 'SILENT', AWS_REGION: 'us-east-1' },
        encoding: 'utf8',
      }),
    );

    expect(loaded).toEqual(Array(5).fill('function InputError'));
  });
});
