// The deployed pipeline on one machine: the state machine definition the CDK app synthesizes, run
// branch by branch (test/e2e/state-machine.ts), calling the four real Lambda handlers in-process
// against the Kubernetes API emulator (serving the example cluster), s3rver, the GitHub emulator and
// a Secrets Manager emulator, all on loopback and reached through the SDKs' own endpoint settings.
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDump } from '../../functions/adapters/dump-reader.js';
import type { Report } from '../../functions/core/types.js';
import type { AuditOutput, FailureOutput, NotifyOutput, SnapshotOutput } from '../../functions/handlers/shared/contract.js';
import type { S3Server } from '../adapters/store/s3-server.js';
import type { GitHubEmulator } from '../emulators/github/server.js';
import { startK8sApi, type K8sApi } from '../emulators/k8s-api/server.js';
import { CLUSTER, exampleConfig, GITHUB_TOKEN, K8S_TOKEN, ROOT, startPipelineEnvironment, synthDefinition, type PipelineEnvironment } from './environment.js';
import { mapItems, runBranch, type Definition, type Step, type Tasks } from './state-machine.js';

let pipeline: PipelineEnvironment;
let k8s: K8sApi;
let github: GitHubEmulator;
let s3: S3Server;
let definition: Definition;
let tasks: Tasks;
let logs = '';
const savedEnv = { ...process.env };
const restoreStdout = process.stdout.write.bind(process.stdout);
const restoreStderr = process.stderr.write.bind(process.stderr);

beforeAll(async () => {
  pipeline = await startPipelineEnvironment();
  ({ k8s, github, s3, definition } = pipeline);
  Object.assign(process.env, pipeline.env);
  for (const k of ['GITHUB_TOKEN', 'GH_TOKEN', 'KUBECONFIG', 'DRIFT_AUDITOR_RULES_DIR', 'DRIFT_AUDITOR_KMS_KEY_ID']) delete process.env[k];
  // Powertools writes JSON lines to stdout (warnings and errors to stderr): keep them to check that no secret is ever logged.
  const capture = ((chunk: string | Uint8Array) => {
    logs += chunk.toString();
    return true;
  }) as typeof process.stdout.write;
  process.stdout.write = capture;
  process.stderr.write = capture;

  const [snapshot, audit, notify, recordFailure] = await Promise.all([
    import('../../functions/handlers/snapshot.js'),
    import('../../functions/handlers/audit.js'),
    import('../../functions/handlers/notify.js'),
    import('../../functions/handlers/record-failure.js'),
  ]);
  tasks = {
    Snapshot: (i) => snapshot.handler(i as never),
    Audit: (i) => audit.handler(i as never),
    Notify: (i) => notify.handler(i as never),
    RecordFailure: (i) => recordFailure.handler(i as never),
  };
});

afterAll(async () => {
  process.stdout.write = restoreStdout;
  process.stderr.write = restoreStderr;
  for (const k of Object.keys(process.env)) if (!(k in savedEnv)) delete process.env[k];
  Object.assign(process.env, savedEnv);
  await pipeline?.close();
});

/** Runs the example cluster's branch of execution `name`, as Step Functions would. */
async function execute(name: string): Promise<{ result: Record<string, unknown>; steps: Step[] }> {
  const [item] = mapItems(definition, { name, startTime: new Date().toISOString() });
  const { result, steps } = await runBranch(definition, item!, tasks);
  return { result: result as Record<string, unknown>, steps };
}

describe('the serverless pipeline on one machine', () => {
  let first: { result: Record<string, unknown>; steps: Step[] };
  let writesAfterFirst = 0;

  it('passes only small JSON between the states, never the snapshot or the report', async () => {
    first = await execute('run-1');
    // On failure, say why (the handlers' own error log line) rather than only which state failed.
    if (first.steps.some((s) => s.error))
      throw new Error(
        logs
          .split('\n')
          .filter((l) => l.includes('step failed'))
          .join('\n'),
      );

    const sizes = first.steps.map((s) => JSON.stringify(s.output ?? null).length);
    expect(first.steps.map((s) => [s.state, s.error])).toEqual([
      ['Snapshot', undefined],
      ['Audit', undefined],
      ['Notify', undefined],
      ['ClusterSucceeded', undefined],
    ]);
    expect(Math.max(...sizes)).toBeLessThan(8_000);
    const audited = first.steps[1]!.output as AuditOutput;
    expect(audited.snapshot.objects.nodes).toBeGreaterThan(0);
    expect(audited.snapshot.key).toEqual('staging/example/run-1/snapshot.json.gz');
    expect(audited.report.commit).toMatch(/^[0-9a-f]{40}$/);
  });

  it('stores the run in S3: reports, the snapshot copy and the latest pointer', async () => {
    const keys = await listKeys('clusters/example/');
    const audited = first.steps[1]!.output as AuditOutput;

    for (const name of ['report.json', 'report.md', 'report.html', 'findings.csv', 'snapshot.json.gz', 'manifest.json']) {
      expect(keys.some((k) => k.startsWith(`clusters/example/runs/`) && k.endsWith(`/${audited.report.runId}/${name}`))).toEqual(true);
    }
    expect(keys).toContain('clusters/example/latest.json');
    const report = JSON.parse(await getText(audited.report.keys['report.json']!)) as Report;
    expect([report.cluster, report.complete, report.auditorVersion, report.summary.findings > 0]).toEqual([CLUSTER, true, '0.0.0-e2e', true]);
    expect(report.inputs.desired.commit).toEqual(audited.report.commit);
  });

  it('opens the drift issues in the GitHub repository', () => {
    const notified = first.steps[2]!.output as NotifyOutput;
    const issues = github.state.repos.get('acme/drift')!.issues;

    expect(notified.notify.writes).toBeGreaterThan(0);
    expect(issues.length).toBeGreaterThan(0);
    expect(issues.every((i) => i.state === 'open' && i.labels.includes('drift'))).toEqual(true);
    expect(issues.map((i) => i.title).join('\n')).toMatch(/node-exporter/);
    writesAfterFirst = github.writes().length;
  });

  it('adds a second run to S3 and makes no GitHub write when the drift is the same', async () => {
    const second = await execute('run-2');

    const runs = (await listKeys('clusters/example/runs/')).filter((k) => k.endsWith('/report.json'));
    expect(second.steps.map((s) => s.state)).toEqual(['Snapshot', 'Audit', 'Notify', 'ClusterSucceeded']);
    expect(runs.length).toEqual(2);
    expect((second.steps[2]!.output as NotifyOutput).notify.writes).toEqual(0);
    expect(github.writes().length).toEqual(writesAfterFirst);
  });

  it('records a failed snapshot (403) without touching latest.json, and notifies nothing as clean', async () => {
    const latestBefore = await getText('clusters/example/latest.json');
    const issuesBefore = JSON.stringify(github.state.repos.get('acme/drift')!.issues);
    k8s.faults.push({ kind: '403', resource: 'nodes' });

    const failed = await execute('run-3');

    expect(failed.steps.map((s) => [s.state, s.error])).toEqual([
      ['Snapshot', 'KubernetesError'],
      ['RecordFailure', undefined],
      ['ClusterFailed', undefined],
    ]);
    const result = failed.result as unknown as FailureOutput;
    expect([result.status, result.error]).toEqual(['failed', 'KubernetesError']);
    expect(result.failureKey).toMatch(/^clusters\/example\/failures\/.*-run-3\.json$/);
    const record = JSON.parse(await getText(result.failureKey)) as { failedStep: string; error: { name: string; message: string }; snapshot: unknown };
    expect([record.failedStep, record.error.name, record.snapshot]).toEqual(['snapshot', 'KubernetesError', null]);
    expect(record.error.message).toMatch(/403|forbidden/i);
    expect(await getText('clusters/example/latest.json')).toEqual(latestBefore);
    expect(github.writes().length).toEqual(writesAfterFirst);
    expect(JSON.stringify(github.state.repos.get('acme/drift')!.issues)).toEqual(issuesBefore);
    expect((await listKeys('staging/example/')).some((k) => k.includes('run-3'))).toEqual(false);
  });

  it('stores an incomplete audit, then fails the step so that notify never runs and the failure is recorded', async () => {
    // A snapshot whose header records a gap (what a partial read would be, were the reader not fail-closed).
    const handOff = first.steps[0]!.output as SnapshotOutput;
    const list = JSON.parse(
      gunzipSync(
        Buffer.from(await (await s3.client().send(new GetObjectCommand({ Bucket: s3.bucket, Key: handOff.snapshot.key }))).Body!.transformToByteArray()),
      ).toString('utf8'),
    ) as { metadata: { annotations: Record<string, string> } };
    list.metadata.annotations['drift-auditor.io/gaps'] = JSON.stringify([{ source: 'kubernetes:list pods', message: 'page 3 of 7 could not be read' }]);
    const body = gzipSync(JSON.stringify(list));
    const key = 'staging/example/run-4/snapshot.json.gz';
    await s3.client().send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: body }));
    const reportsBefore = (await listKeys('clusters/example/runs/')).filter((k) => k.endsWith('/report.json'));
    const state = {
      ...handOff,
      runId: 'run-4',
      snapshot: { ...handOff.snapshot, key, sha256: createHash('sha256').update(body).digest('hex'), bytes: body.length, gaps: 1 },
    };

    const failed = await runBranch(definition, state, tasks, 'Audit');

    expect(failed.steps.map((s) => [s.state, s.error])).toEqual([
      ['Audit', 'AuditIncompleteError'],
      ['RecordFailure', undefined],
      ['ClusterFailed', undefined],
    ]);
    const stored = (await listKeys('clusters/example/runs/')).filter((k) => k.endsWith('/report.json') && !reportsBefore.includes(k));
    expect(stored.length).toEqual(1);
    const report = JSON.parse(await getText(stored[0]!)) as Report;
    expect([report.complete, report.gaps.map((g) => g.source)]).toEqual([false, ['kubernetes:list pods']]);
    const record = JSON.parse(await getText((failed.result as unknown as FailureOutput).failureKey)) as { failedStep: string; error: { message: string } };
    expect(record.failedStep).toEqual('audit');
    expect(record.error.message).toContain(stored[0]!);
    expect(github.writes().length).toEqual(writesAfterFirst);
  });

  it('contains a failing cluster in its own Map branch: the other cluster is audited, the execution is marked failed', async () => {
    // Two clusters: the example, and one whose kubeconfig secret was never put.
    const config = exampleConfig() as { clusters: Record<string, unknown>[] };
    const two = synthDefinition({
      ...config,
      maxConcurrency: 2,
      clusters: [
        ...config.clusters,
        { name: 'broken', type: 'kubeconfig', kubeconfigSecretName: 'drift-auditor/kubeconfig/broken', manifests: 'github:acme/gitops@main:clusters/example' },
      ],
    });

    // Map: the branches are independent. On AWS each invocation has its own sandbox; here they share one
    // process (and the module-level logger and metrics), so they run one after the other.
    const items = mapItems(two, { name: 'run-two', startTime: new Date().toISOString() });
    const results: { cluster: string; status: string }[] = [];
    for (const item of items) results.push((await runBranch(two, item, tasks)).result as { cluster: string; status: string });

    expect(results.map((r) => [r.cluster, r.status])).toEqual([
      [CLUSTER, 'succeeded'],
      ['broken', 'failed'],
    ]);
    expect((two.States.AuditClusters as unknown as { MaxConcurrency: number }).MaxConcurrency).toEqual(2);
    // The Choice after the Map fails the execution (so ExecutionsFailed alarms) when any branch result is failed.
    expect((two.States.AnyClusterFailed as unknown as { Choices: { Condition: string }[] }).Choices[0]!.Condition).toEqual(
      "{% 'failed' in $states.input.results.status %}",
    );
    const record = JSON.parse(await getText((results[1] as unknown as FailureOutput).failureKey)) as {
      failedStep: string;
      error: { name: string; message: string };
    };
    expect([record.failedStep, record.error.name]).toEqual(['snapshot', 'InputError']);
    expect(record.error.message).toMatch(/failed to read secret drift-auditor\/kubeconfig\/broken: ResourceNotFoundException/);
  });

  it("audits with the default policy from the bundle's rules/ when the cluster names no policy file", async () => {
    const handOff = first.steps[0]!.output as SnapshotOutput;
    const { policy: _policy, ...cluster } = handOff.cluster;
    // Mark the bundle's copy (not the repository's) so the report shows which default policy was read.
    const bundled = join(process.env.LAMBDA_TASK_ROOT!, 'rules/default-policy.yaml');
    writeFileSync(bundled, readFileSync(bundled, 'utf8').replace(/^namespaces: \[\]$/m, 'namespaces: [logging]'));

    const audited = (await tasks.Audit!({ ...handOff, cluster, runId: 'run-default-policy' })) as AuditOutput;

    const report = JSON.parse(await getText(audited.report.keys['report.json']!)) as Report;
    expect([report.complete, report.inputs.policy?.file]).toEqual([true, undefined]);
    expect([...new Set(report.coverage.map((c) => c.namespace))]).toEqual(['logging']);
  });

  it('reads an EKS cluster through eks:DescribeCluster and an in-process token (no aws CLI)', async () => {
    // The EKS control plane: DescribeCluster answered on loopback (AWS_ENDPOINT_URL_EKS), the API server with TLS.
    const example = await readDump([join(ROOT, 'examples/cluster')], { cluster: 'eks' });
    const api = await startK8sApi({
      nodes: example.nodes,
      daemonSets: example.daemonSets,
      pods: example.pods,
      controllerRevisions: example.controllerRevisions,
      tls: true,
    });
    const described: string[] = [];
    const eks = http.createServer((req, res) => {
      described.push(decodeURIComponent(req.url ?? ''));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          cluster: { name: 'prod-eks', status: 'ACTIVE', endpoint: api.url, certificateAuthority: { data: Buffer.from(api.caPem!).toString('base64') } },
        }),
      );
    });
    await new Promise<void>((r) => eks.listen(0, '127.0.0.1', r));
    process.env.AWS_ENDPOINT_URL_EKS = `http://127.0.0.1:${(eks.address() as AddressInfo).port}`;
    try {
      const input = {
        cluster: { name: 'eks', type: 'eks', eksClusterName: 'prod-eks', region: 'eu-west-1', manifests: 'github:acme/gitops@main:clusters/example' },
        runId: 'run-eks',
        startedAt: new Date().toISOString(),
      };

      const out = (await tasks.Snapshot!(input)) as SnapshotOutput;

      expect(described).toEqual(['/clusters/prod-eks']);
      // The same cluster read through kubeconfig in run-1: the same objects.
      expect(out.snapshot.objects).toEqual((first.steps[0]!.output as SnapshotOutput).snapshot.objects);
      const auth = [...new Set(api.requests.map((r) => r.authorization?.slice(0, 'Bearer k8s-aws-v1.'.length)))];
      expect(auth).toEqual(['Bearer k8s-aws-v1.']);
      const url = Buffer.from(api.requests[0]!.authorization!.slice('Bearer k8s-aws-v1.'.length), 'base64url').toString('utf8');
      expect(url).toMatch(/^https:\/\/sts\.eu-west-1\.amazonaws\.com\/\?Action=GetCallerIdentity&.*X-Amz-SignedHeaders=host%3Bx-k8s-aws-id/);
    } finally {
      delete process.env.AWS_ENDPOINT_URL_EKS;
      eks.closeAllConnections();
      await new Promise<void>((r) => eks.close(() => r()));
      await api.close();
    }
  });

  it('logs structured JSON per step and never a token or kubeconfig', () => {
    const lines = logs.split('\n').filter((l) => l.startsWith('{'));
    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);

    expect(logs).not.toContain(GITHUB_TOKEN);
    expect(logs).not.toContain(K8S_TOKEN);
    expect(
      records
        .filter((r) => r.message === 'step succeeded')
        .map((r) => r.step)
        .join(' '),
    ).toMatch(/^Snapshot Audit Notify Snapshot Audit Notify RecordFailure RecordFailure .*Audit Snapshot$/);
    expect(records.filter((r) => r.message === 'step failed').map((r) => [r.step, r.cluster, r.errorName])).toEqual([
      ['Snapshot', CLUSTER, 'KubernetesError'],
      ['Audit', CLUSTER, 'AuditIncompleteError'],
      ['Snapshot', 'broken', 'InputError'],
    ]);
  });

  it('publishes per-cluster metrics: findings by severity, objects read, durations and the failure count', () => {
    const emf = logs
      .split('\n')
      .filter((l) => l.includes('"_aws"'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const names = new Set(
      emf.flatMap((m) => (m._aws as { CloudWatchMetrics: { Metrics: { Name: string }[] }[] }).CloudWatchMetrics[0]!.Metrics.map((x) => x.Name)),
    );

    expect([...new Set(emf.map((m) => `${m.service}/${m.cluster}`))].sort()).toEqual(['drift-auditor/broken', 'drift-auditor/eks', `drift-auditor/${CLUSTER}`]);
    for (const n of [
      'FindingsCritical',
      'FindingsWarning',
      'FindingsInfo',
      'ObjectsRead',
      'SnapshotDurationMs',
      'AuditDurationMs',
      'NotifyDurationMs',
      'RunFailed',
    ])
      expect(names.has(n)).toEqual(true);
  });
});

async function listKeys(prefix: string): Promise<string[]> {
  const out = await s3.client().send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix }));
  return (out.Contents ?? []).map((o) => o.Key!);
}

async function getText(key: string): Promise<string> {
  const out = await s3.client().send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
  return out.Body!.transformToString();
}
