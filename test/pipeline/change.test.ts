// The pull-request check's wiring (functions/pipeline/change.ts): snapshots from files, from S3 objects (s3rver on
// loopback, read through the store adapter as bytes) and from an evidence store's latest run.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import { runChangeCheck, type ChangeCheckInput } from '../../functions/pipeline/change.js';
import { readDesired, readPolicy, readSnapshot, readStoredSnapshot } from '../../functions/pipeline/inputs.js';
import { runAudit } from '../../functions/pipeline/run.js';
import { openRunStore, storeRun } from '../../functions/pipeline/store.js';
import { startS3Server, type S3Server } from '../adapters/store/s3-server.js';

const AT = new Date('2026-11-20T10:00:00Z');
const S3_ENV = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'eu-west-1' };

function check(snapshot: ChangeCheckInput['snapshot']): ChangeCheckInput {
  return {
    snapshot,
    base: 'examples/gitops',
    head: 'examples/pr/narrow-fluentd-tolerations',
    policy: { file: 'examples/policy.yaml' },
    at: AT,
    auditorVersion: 'test',
    env: {},
  };
}

/** Returns a folder store holding one audit run of the example cluster, with its evidence snapshot. */
async function storeWithExampleRun(): Promise<{ store: string; runId: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'drift-auditor-change-'));
  const snapshot = await readSnapshot({ kind: 'dump', paths: ['examples/cluster'], cluster: 'example' });
  const desired = await readDesired({ kind: 'manifests', spec: 'examples/gitops' }, { env: {}, snapshot });
  const { policy } = await readPolicy({ file: 'examples/policy.yaml' });
  const { runId } = await storeRun(openRunStore(dir, { env: {} }), runAudit({ snapshot, desired, policy, at: AT, auditorVersion: 'test' }, 'redacted'));
  return { store: dir, runId };
}

let server: S3Server | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('runChangeCheck()', () => {
  it('reads s3://BUCKET/KEY snapshots as bytes through the store adapter, with the same check as the files and naming the objects', async () => {
    server = await startS3Server();
    const put = async (key: string, body: Buffer) => server!.client().send(new PutObjectCommand({ Bucket: server!.bucket, Key: key, Body: body }));
    await put('dumps/nodes.json', await readFile('examples/cluster/nodes.json'));
    await put('dumps/workloads.json.gz', gzipSync(await readFile('examples/cluster/workloads.json')));
    const objects = [`s3://${server.bucket}/dumps/nodes.json`, `s3://${server.bucket}/dumps/workloads.json.gz`];

    const fromS3 = await runChangeCheck(check({ kind: 'dump', paths: objects, cluster: 'example', s3: { env: S3_ENV, endpoint: server.endpoint } }));
    const fromFiles = await runChangeCheck(check({ kind: 'dump', paths: ['examples/cluster'], cluster: 'example' }));

    expect(fromS3.inputs.snapshot.files?.map((f) => f.path)).toEqual(objects);
    expect(fromS3.findings.map((f) => [f.rule, f.node])).toEqual([['change/required-coverage-lost', 'ip-10-0-0-11.eu-west-1.compute.internal']]);
    expect(fromS3.findings).toEqual(fromFiles.findings);
    expect(fromS3.daemonSets).toEqual(fromFiles.daemonSets);
  });

  it('fails with one line naming the S3 object that is not there', async () => {
    server = await startS3Server();

    const run = runChangeCheck(check({ kind: 'dump', paths: [`s3://${server.bucket}/dumps/none.json`], s3: { env: S3_ENV, endpoint: server.endpoint } }));

    await expect(run).rejects.toThrow(/^failed to read s3:\/\/evidence\/dumps\/none\.json: no such object$/);
  });

  it("reads the store's latest snapshot of the cluster and tells the caller which run it came from", async () => {
    const { store, runId } = await storeWithExampleRun();
    const runs: string[] = [];

    const report = await runChangeCheck({ ...check({ kind: 'stored', store, cluster: 'example' }), onStoredSnapshot: (id) => runs.push(id) });

    expect(runs).toEqual([runId]);
    expect(report.inputs.snapshot.files?.map((f) => f.path)).toEqual([
      expect.stringMatching(new RegExp(`^${store}/clusters/example/runs/.*/${runId}/snapshot\\.json\\.gz$`)),
    ]);
    expect(report.findings.map((f) => f.rule)).toEqual(['change/required-coverage-lost']);
  });
});

describe('readStoredSnapshot()', () => {
  it('refuses a stored snapshot whose bytes differ from the sha256 in its run manifest', async () => {
    const { store } = await storeWithExampleRun();
    const { snapshot } = await readStoredSnapshot({ kind: 'stored', store, cluster: 'example' });
    const file = snapshot.source.files![0]!.path;
    await writeFile(file, gzipSync('{"kind":"List","items":[]}'));

    const read = readStoredSnapshot({ kind: 'stored', store, cluster: 'example' });

    await expect(read).rejects.toThrow(
      /^failed to read the snapshot of example: .*snapshot\.json\.gz does not match the sha256 in its run manifest \(tampered or corrupt\)$/,
    );
  });
});
