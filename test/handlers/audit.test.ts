// The audit handler in-process, fed by the state machine the CDK app synthesizes from a deployment config:
// what the config says of the cluster's Argo CD identity reaches the render. A hub repository has one
// Application for the audited cluster (by name) and one for https://kubernetes.default.svc, the cluster
// Argo CD runs in: the example cluster itself by default, another one with clusters[].argocdCluster.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../functions/core/types.js';
import type { AuditOutput, RunInput, SnapshotOutput } from '../../functions/handlers/shared/contract.js';
import { seedRepo } from '../emulators/github/repos.js';
import { exampleConfig, ROOT, startPipelineEnvironment, synthDefinition, type PipelineEnvironment } from '../e2e/environment.js';
import { mapItems } from '../e2e/state-machine.js';

let pipeline: PipelineEnvironment;
const savedEnv = { ...process.env };

/** Returns an Argo CD Application of acme/hub's `path`, for `destination`. */
function application(name: string, path: string, destination: Record<string, string>): string {
  // directory.recurse: Argo CD reads only a plain path's top folder unless told to recurse.
  return stringify({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name, namespace: 'argocd' },
    spec: { project: 'default', source: { repoURL: 'https://github.com/acme/hub', targetRevision: 'main', path, directory: { recurse: true } }, destination },
  });
}

beforeAll(async () => {
  pipeline = await startPipelineEnvironment();
  Object.assign(process.env, pipeline.env, { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' });
  const gitops = join(ROOT, 'examples/gitops');
  const files: Record<string, string> = {
    'apps/spoke.yaml': application('spoke-agents', 'clusters/example', { name: 'example', namespace: 'default' }),
    'apps/hub.yaml': application('hub-agents', 'hub', { server: 'https://kubernetes.default.svc', namespace: 'monitoring' }),
    'hub/hub-agent.yaml': stringify({
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'hub-agent', namespace: 'monitoring' },
      spec: {
        selector: { matchLabels: { app: 'hub-agent' } },
        template: {
          metadata: { labels: { app: 'hub-agent' } },
          spec: { containers: [{ name: 'agent', image: 'registry.example.com/hub-agent:1.0.0', resources: { limits: { cpu: '100m', memory: '64Mi' } } }] },
        },
      },
    }),
  };
  for (const f of readdirSync(gitops, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()))
    files[`clusters/example/${relative(gitops, join(f.parentPath, f.name))}`] = readFileSync(join(f.parentPath, f.name), 'utf8');
  seedRepo(pipeline.github.state, 'acme', 'hub', files);
});

afterAll(async () => {
  for (const k of Object.keys(process.env)) if (!(k in savedEnv)) delete process.env[k];
  Object.assign(process.env, savedEnv);
  await pipeline?.close();
});

/** Runs the snapshot and audit handlers on the example cluster's item of the state machine synthesized with `cluster` settings; returns the stored report. */
async function auditWith(runId: string, cluster: Record<string, unknown>): Promise<Report> {
  const config = exampleConfig() as { clusters: Record<string, unknown>[] };
  const definition = synthDefinition({ ...config, clusters: [{ ...config.clusters[0], manifests: 'github:acme/hub@main:apps', ...cluster }] });
  const [item] = mapItems(definition, { name: runId, startTime: new Date().toISOString() });
  const [snapshot, audit] = await Promise.all([import('../../functions/handlers/snapshot.js'), import('../../functions/handlers/audit.js')]);
  const staged = (await snapshot.handler(item as unknown as RunInput)) as SnapshotOutput;
  const out = (await audit.handler(staged)) as AuditOutput;
  const body = await pipeline.s3.client().send(new GetObjectCommand({ Bucket: pipeline.s3.bucket, Key: out.report.keys['report.json'] }));
  return JSON.parse(await body.Body!.transformToString()) as Report;
}

describe('handler() of the audit function', () => {
  it.each([
    ['the audited cluster when argocdCluster is not set', {}, [['resource/missing', 'hub-agent']]],
    ['another cluster with argocdCluster: hub, so its Application is ignored', { argocdCluster: 'hub' }, []],
  ])('takes https://kubernetes.default.svc as %s', async (_what, cluster, hubFindings) => {
    const report = await auditWith(`argocd-cluster-${Object.keys(cluster).length}`, cluster);

    expect(report.complete).toBe(true);
    expect(report.findings.filter((f) => f.daemonSet === 'hub-agent').map((f) => [f.rule, f.daemonSet])).toEqual(hubFindings);
    expect(report.findings.filter((f) => f.rule === 'image/drift').map((f) => f.daemonSet)).toEqual(['nvidia-device-plugin-daemonset']);
  });
});
