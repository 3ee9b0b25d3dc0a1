// The audit function's bundle, as `cdk synth` builds it, rendering the Argo CD example with helm and kubectl
// from the kubectl layer laid out as Lambda mounts it under /opt, in a fresh Node process.
import { readdirSync, rmSync } from 'node:fs';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTool } from '../../functions/adapters/tools.js';
import type { Report } from '../../functions/core/types.js';
import type { AuditOutput } from '../../functions/handlers/shared/contract.js';
import { CHARTS } from '../adapters/render/repo.js';
import { seedRepo } from '../emulators/github/repos.js';
import { pushChart, startOciRegistry } from '../emulators/oci-registry/server.js';
import { startArgoCdLambdaEnvironment, type ArgoCdLambdaEnvironment } from './argocd-lambda.js';
import { resultsOf, runBundle, synthBundles } from './bundle-runner.js';
import { exampleConfig } from './environment.js';

const AUTH = { username: 'robot', password: 'e2e-chart-Pa55word' };
let lambda: ArgoCdLambdaEnvironment;
let built: ReturnType<typeof synthBundles>;

beforeAll(async () => {
  built = synthBundles(exampleConfig());
  lambda = await startArgoCdLambdaEnvironment();
});

afterAll(async () => {
  await lambda?.close();
  if (built) rmSync(built.outdir, { recursive: true, force: true });
});

describe('the audit function with the kubectl layer', () => {
  it("renders the Argo CD example with the layer's helm and kubectl and finds the planted Helm-values drift", async () => {
    const event = await lambda.stage(built.bundles.snapshot!, 'argocd-1');

    const [out] = resultsOf(await runBundle(built.bundles.audit!, [event], lambda.env)) as AuditOutput[];

    expect(out!.report.complete).toBe(true);
    const body = await lambda.pipeline.s3.client().send(new GetObjectCommand({ Bucket: lambda.pipeline.s3.bucket, Key: out!.report.keys['report.json'] }));
    const report = JSON.parse(await body.Body!.transformToString()) as Report;
    const drift = report.findings.filter((f) => f.rule === 'spec/drift').map((f) => [f.daemonSet, f.path]);
    expect(drift).toEqual([
      ['node-exporter', expect.stringContaining('resources.limits.memory')],
      ['node-exporter', expect.stringContaining('resources.requests.memory')],
    ]);
    const provenance = Object.fromEntries(report.coverage.map((c) => [c.name, c.provenance]));
    expect(provenance['node-exporter']).toMatchObject({
      entryPoint: { kind: 'Application', name: 'node-exporter' },
      renderer: 'helm',
      valueFiles: ['examples/argocd/values/node-exporter.yaml'],
      renderers: { helm: 'v4.1.4', kubectl: expect.stringMatching(/^v1\.35\./) },
    });
    expect(provenance.fluentd).toMatchObject({
      entryPoint: { kind: 'Application', name: 'fluentd' },
      renderer: 'kustomize',
      path: 'examples/argocd/overlays/fluentd',
    });
    expect(report.inputs.desired.commit).toBe(out!.report.commit);
  });

  it("finds helm and kubectl in the layer's folder: nothing is unpacked into the function's /tmp", async () => {
    const event = await lambda.stage(built.bundles.snapshot!, 'argocd-2');

    resultsOf(await runBundle(built.bundles.audit!, [event], lambda.env));

    expect(
      readdirSync(lambda.cacheDir, { recursive: true })
        .map(String)
        .filter((f) => f.includes('kubectl-layer')),
    ).toEqual([]);
    expect(readdirSync(lambda.layerRoot).sort()).toEqual(['helm', 'kubectl']);
  });

  it('pulls a private OCI chart with the credentials from Secrets Manager, and without them names the chart in the failed, incomplete audit', async () => {
    const registry = await startOciRegistry({ auth: AUTH });
    try {
      await pushChart(registry, { helm: await findTool('helm'), chartDir: `${CHARTS}node-agent`, version: '1.4.0', path: 'charts', auth: AUTH });
      seedRepo(lambda.pipeline.github.state, 'acme', 'oci-apps', {
        'apps/agent.yaml': JSON.stringify({
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Application',
          metadata: { name: 'agent', namespace: 'argocd' },
          spec: {
            source: { repoURL: `${registry.host}/charts`, chart: 'node-agent', targetRevision: '1.4.0', helm: { valuesObject: { clusterName: 'example' } } },
            destination: { name: 'example', namespace: 'monitoring' },
          },
        }),
      });
      lambda.pipeline.secrets.secrets.set('drift-auditor/chart-credentials', JSON.stringify({ [`oci://${registry.host}`]: AUTH }));
      const staged = await lambda.stage(built.bundles.snapshot!, 'argocd-oci');
      const event = { ...staged, cluster: { ...staged.cluster, manifests: 'github:acme/oci-apps@main:apps' } };

      // Without first: once pulled, the pinned chart is served from the function's /tmp on a warm instance.
      const without = await runBundle(built.bundles.audit!, [event], lambda.env);
      const withSecret = await runBundle(built.bundles.audit!, [event], {
        ...lambda.env,
        DRIFT_AUDITOR_HELM_CREDENTIALS_SECRET: 'drift-auditor/chart-credentials',
      });

      const [out] = resultsOf(withSecret) as AuditOutput[];
      const body = await lambda.pipeline.s3.client().send(new GetObjectCommand({ Bucket: lambda.pipeline.s3.bucket, Key: out!.report.keys['report.json'] }));
      const report = JSON.parse(await body.Body!.transformToString()) as Report;
      expect(report.coverage.find((c) => c.name === 'agent-node-agent')?.provenance?.chart).toMatchObject({
        name: 'node-agent',
        version: '1.4.0',
        repo: `oci://${registry.host}/charts`,
      });
      expect(lambda.pipeline.secrets.requests).toContain('drift-auditor/chart-credentials');
      expect(without.outputs[0]).toEqual({
        error: {
          name: 'AuditIncompleteError',
          message: expect.stringContaining(
            `failed to pull chart oci://${registry.host}/charts/node-agent 1.4.0: a private registry, and no credentials for it`,
          ),
        },
      });
    } finally {
      await registry.close();
    }
  });
});
