// s3rver on loopback, with two optional behaviours in front of it that real S3 has and s3rver lacks
// or that tests need: conditional writes (If-None-Match: * and If-Match answer 412) and injected
// failures (a PUT to a matching key answers 500 a given number of times, or always).
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';

export interface S3ServerOptions {
  /** Answer 412 to conditional PUTs like S3 does (s3rver ignores the headers). */
  conditionalWrites?: boolean;
  /** Answer 403 for HEAD/GET of a missing key, as S3 does when the caller lacks s3:ListBucket. */
  forbidMissing?: boolean;
}

export interface S3Server {
  endpoint: string;
  bucket: string;
  /** A client for the server (path-style, fixed credentials, checksums only when required). */
  client(maxAttempts?: number): S3Client;
  /** Makes PUTs to keys matching `pattern` fail with 500 `times` times (Infinity: always). */
  failPuts(pattern: RegExp, times: number): void;
  /** Ends every injected failure. */
  clearFailures(): void;
  /** Number of PUT requests seen per key (after injected failures too). */
  puts: Map<string, number>;
  close(): Promise<void>;
}

interface FsStore {
  getMetadata(bucket: string, key: string): Promise<Record<string, string> | null>;
  existsObject(bucket: string, key: string): Promise<boolean>;
}

/** Starts s3rver with one bucket on 127.0.0.1 and a random port. */
export async function startS3Server(opts: S3ServerOptions = {}): Promise<S3Server> {
  const directory = await mkdtemp(join(tmpdir(), 'drift-auditor-s3rver-'));
  const bucket = 'evidence';
  const s3rver = new S3rver({ silent: true, directory, configureBuckets: [{ name: bucket, configs: [] }] });
  await s3rver.configureBuckets();
  const handler = s3rver.callback();
  const store = (s3rver as unknown as { store: FsStore }).store;
  const failures: { pattern: RegExp; left: number }[] = [];
  const puts = new Map<string, number>();
  const queues = new Map<string, Promise<void>>();
  /** Waits for the key's earlier conditional writes; returns the function that lets the next one go. */
  const turn = async (key: string): Promise<() => void> => {
    const before = queues.get(key) ?? Promise.resolve();
    let done!: () => void;
    const mine = new Promise<void>((r) => {
      done = r;
    });
    queues.set(
      key,
      before.then(() => mine),
    );
    await before;
    return done;
  };

  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const [, b, ...rest] = decodeURIComponent(url.pathname).split('/');
      const key = rest.join('/');
      if (opts.forbidMissing && (req.method === 'HEAD' || req.method === 'GET') && key && b === bucket && !(await store.existsObject(bucket, key))) {
        return reply(req, res, 403, 'AccessDenied', 'Access Denied');
      }
      if (req.method === 'PUT' && key && !url.searchParams.has('tagging')) {
        puts.set(key, (puts.get(key) ?? 0) + 1);
        const f = failures.find((x) => x.pattern.test(key) && x.left > 0);
        if (f) {
          f.left--;
          return reply(req, res, 500, 'InternalError', 'injected failure');
        }
        const conditional = req.headers['if-none-match'] !== undefined || req.headers['if-match'] !== undefined;
        if (opts.conditionalWrites && b === bucket && !req.headers['x-amz-copy-source'] && conditional) {
          // One conditional write per key at a time, check and write together, as S3 does atomically.
          const done = await turn(key);
          res.on('close', done);
          const meta = await store.getMetadata(bucket, key).catch(() => null);
          const exists = await store.existsObject(bucket, key);
          const ifNoneMatch = req.headers['if-none-match'];
          const ifMatch = req.headers['if-match'];
          if ((ifNoneMatch === '*' && exists) || (ifMatch !== undefined && (!exists || meta?.etag !== ifMatch))) {
            return reply(req, res, 412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold');
          }
        }
      }
      handler(req, res);
    })();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clients: S3Client[] = [];
  return {
    endpoint,
    bucket,
    puts,
    client(maxAttempts = 3) {
      const c = new S3Client({
        endpoint,
        region: 'us-east-1',
        forcePathStyle: true,
        maxAttempts,
        credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      });
      clients.push(c);
      return c;
    },
    failPuts(pattern, times) {
      failures.push({ pattern, left: times });
    },
    clearFailures() {
      failures.length = 0;
    },
    async close() {
      for (const c of clients) c.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** Drains the request body, then answers with an S3 error document. */
async function reply(req: IncomingMessage, res: ServerResponse, status: number, code: string, message: string): Promise<void> {
  for await (const _chunk of req) {
    /* discard */
  }
  res.writeHead(status, { 'content-type': 'application/xml' });
  res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>injected</RequestId></Error>`);
}
