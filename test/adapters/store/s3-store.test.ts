import { HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalStore, openStore, parseS3Spec, RunStoreError, S3Store, serializeRun } from '../../../functions/adapters/store/index.js';
import { sampleReport, sampleRun } from './harness.js';
import { startS3Server, type S3Server } from './s3-server.js';

let server: S3Server | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Records the headers of every PutObject request the client sends, by key. */
function recordPuts(client: S3Client): Map<string, Record<string, string>> {
  const seen = new Map<string, Record<string, string>>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'PutObjectCommand') {
        const req = args.request as { headers: Record<string, string> };
        seen.set((args.input as { Key: string }).Key, { ...req.headers });
      }
      return next(args);
    },
    { step: 'finalizeRequest', name: 'recordPuts' },
  );
  return seen;
}

describe('S3Store', () => {
  it('stores each object with its sha256 metadata and content type', async () => {
    server = await startS3Server();
    const store = new S3Store(server.bucket, 'audit/', server.client());

    const { keys } = await store.putRun(sampleRun());

    const key = keys['report.html']!;
    const head = await server.client().send(new HeadObjectCommand({ Bucket: server.bucket, Key: `audit/${key}` }));
    const manifest = (await store.getRun('prod-eu-1', 'latest')).manifest;
    expect(head.ContentType).toEqual('text/html; charset=utf-8');
    expect(head.Metadata?.sha256).toEqual(manifest.objects.find((o) => o.name === 'report.html')!.sha256);
  });

  it.each([
    [undefined, { 'x-amz-server-side-encryption': 'AES256' }],
    [
      'arn:aws:kms:eu-west-1:111122223333:key/abc',
      { 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-aws-kms-key-id': 'arn:aws:kms:eu-west-1:111122223333:key/abc' },
    ],
  ])('requests server-side encryption (KMS key %s) and sends a verifiable checksum and a create-only condition', async (kmsKeyId, sse) => {
    server = await startS3Server();
    const client = server.client();
    const seen = recordPuts(client);
    const store = new S3Store(server.bucket, 'audit', client, { kmsKeyId });

    const { keys } = await store.putRun(sampleRun());

    const manifest = (await store.getRun('prod-eu-1', 'latest')).manifest;
    const md = manifest.objects.find((o) => o.name === 'report.md')!;
    const headers = seen.get(`audit/${keys['report.md']}`)!;
    expect(headers).toMatchObject({
      ...sse,
      'if-none-match': '*',
      'x-amz-meta-sha256': md.sha256,
      'x-amz-checksum-sha256': Buffer.from(md.sha256, 'hex').toString('base64'),
    });
  });

  it('follows ListObjectsV2 pages when listing runs and clusters', async () => {
    server = await startS3Server();
    const store = new S3Store(server.bucket, 'audit', server.client(), { listPageSize: 2 });
    const ids: string[] = [];
    for (const day of ['01', '02', '03', '04', '05']) ids.push((await store.putRun(sampleRun(sampleReport(`2026-06-${day}T00:00:00.000Z`)))).runId);
    for (const cluster of ['a', 'b']) await store.putRun({ report: sampleReport(undefined, { cluster }), artifacts: {} });

    const runs = await store.listRuns('prod-eu-1');

    expect(runs.map((r) => r.runId)).toEqual([...ids].reverse());
    expect(await store.listClusters()).toEqual(['a', 'b', 'prod-eu-1']);
  });

  it('swaps latest.json only if it is unchanged since it was read (If-Match)', async () => {
    server = await startS3Server({ conditionalWrites: true });
    const client = server.client();
    const seen = recordPuts(client);
    const store = new S3Store(server.bucket, 'audit', client);
    await store.putRun(sampleRun(sampleReport('2026-06-01T00:00:00.000Z')));
    const etag = (await server.client().send(new HeadObjectCommand({ Bucket: server.bucket, Key: 'audit/clusters/prod-eu-1/latest.json' }))).ETag;

    const { runId } = await store.putRun(sampleRun(sampleReport('2026-06-02T00:00:00.000Z')));

    expect(seen.get('audit/clusters/prod-eu-1/latest.json')).toMatchObject({ 'if-match': etag });
    expect((await store.getRun('prod-eu-1', 'latest')).runId).toEqual(runId);
  });

  it('writes a run when S3 answers 403 for missing keys (no s3:ListBucket), but says why latest.json cannot be read', async () => {
    server = await startS3Server({ conditionalWrites: true, forbidMissing: true });
    const store = new S3Store(server.bucket, 'audit', server.client());
    const run = sampleRun();

    const err = await store.putRun(run).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(RunStoreError);
    expect((err as RunStoreError).missing).toEqual(['latest.json']);
    expect((err as Error).message).toMatch(/AccessDenied.*lacks s3:ListBucket.*run \S+ itself is stored completely/);
    expect((await store.verifyRun('prod-eu-1', serializeRun(run).runId)).ok).toBe(true);
  });

  it('retries transient server errors (SDK maxAttempts)', async () => {
    server = await startS3Server();
    const store = new S3Store(server.bucket, 'audit', server.client(3));
    const run = sampleRun();
    const key = `audit/${serializeRun(run).prefix}report.html`;
    server.failPuts(/report\.html$/, 2);

    await store.putRun(run);

    expect(server.puts.get(key)).toEqual(3);
    expect((await store.verifyRun('prod-eu-1', 'latest')).ok).toBe(true);
  });

  it('refuses the write when another writer creates the key between its check and its put (If-None-Match: *)', async () => {
    server = await startS3Server({ conditionalWrites: true });
    const client = server.client();
    const racer = server.client();
    const run = sampleRun();
    const key = `audit/${serializeRun(run).prefix}report.md`;
    // The racing writer gets in after our HeadObject said "absent", right before our PutObject.
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'PutObjectCommand' && (args.input as { Key: string }).Key === key) {
          await racer.send(new PutObjectCommand({ Bucket: server!.bucket, Key: key, Body: 'the other writer' }));
        }
        return next(args);
      },
      { step: 'initialize', name: 'racer' },
    );
    const store = new S3Store(server.bucket, 'audit', client);

    const err = await store.putRun(run).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(RunStoreError);
    expect((err as RunStoreError).missing).toEqual(['report.md', 'manifest.json']);
    expect((await store.getObject(key.slice('audit/'.length))).toString()).toEqual('the other writer');
  });
});

describe('openStore()', () => {
  const creds = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'eu-west-1' };

  it.each([
    ['the --s3-endpoint option', (s: S3Server) => ({ endpoint: s.endpoint, env: creds })],
    ['AWS_ENDPOINT_URL_S3', (s: S3Server) => ({ env: { ...creds, AWS_ENDPOINT_URL_S3: s.endpoint } })],
  ])('reaches an S3-compatible endpoint given by %s, path-style', async (_how, opts) => {
    server = await startS3Server();
    const store = openStore(`s3://${server.bucket}/team/audits/`, opts(server));

    const { runId } = await store.putRun(sampleRun(sampleReport()));

    expect(store).toBeInstanceOf(S3Store);
    expect((store as S3Store).prefix).toEqual('team/audits/');
    expect(await store.listRuns('prod-eu-1')).toMatchObject([{ runId }]);
  });

  it('opens a folder for anything that is not an s3:// URL', () => {
    expect(openStore('reports', { env: {} })).toBeInstanceOf(LocalStore);
  });

  it.each([
    ['--s3-endpoint', { endpoint: 'not a url', env: {} }],
    ['AWS_ENDPOINT_URL_S3', { env: { AWS_ENDPOINT_URL_S3: 'minio:9000' } }],
  ])('refuses an %s that is not an http(s) URL before any request', (_how, opts) => {
    expect(() => openStore('s3://evidence', opts)).toThrow(
      /^failed to open store: S3 endpoint '.*' \(--s3-endpoint or AWS_ENDPOINT_URL_S3\) is not an http\(s\):\/\/ URL$/,
    );
  });

  it('uses the region from AWS_REGION', async () => {
    const store = openStore('s3://evidence', { env: { AWS_REGION: 'ap-southeast-2' } }) as S3Store;

    expect(await store.client.config.region()).toEqual('ap-southeast-2');
  });
});

describe('parseS3Spec()', () => {
  it.each([
    ['s3://my-bucket', { bucket: 'my-bucket', prefix: '' }],
    ['s3://my-bucket/', { bucket: 'my-bucket', prefix: '' }],
    ['s3://my.bucket/a/b/', { bucket: 'my.bucket', prefix: 'a/b' }],
  ])('parses %s', (spec, expected) => {
    expect(parseS3Spec(spec)).toEqual(expected);
  });

  it.each(['s3://', 's3://UPPER', 's3://a'])('rejects %s', (spec) => {
    expect(() => parseS3Spec(spec)).toThrow(/expected s3:\/\/BUCKET\[\/PREFIX\]/);
  });
});
