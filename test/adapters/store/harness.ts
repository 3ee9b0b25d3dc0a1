// The two stores behind one test harness, so the contract tests run against both: a LocalStore in
// a temporary folder and an S3Store against s3rver on loopback, driven by the real SDK.
import { mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { LocalStore, S3Store, type ReportStore, type RunInput } from '../../../functions/adapters/store/index.js';
import { renderCsv } from '../../../functions/core/render/csv.js';
import { renderHtml } from '../../../functions/core/render/html.js';
import { renderMarkdown } from '../../../functions/core/render/markdown.js';
import type { Report } from '../../../functions/core/types.js';
import { coverageOf, finding, reportNode, reportOf } from '../../support/report-builder.js';
import { startS3Server, type S3Server } from './s3-server.js';

export interface Harness {
  store: ReportStore;
  /** Replaces an object's bytes behind the store's back (an attacker or a careless admin). */
  tamper(key: string, body: string): Promise<void>;
  remove(key: string): Promise<void>;
  /** Makes every write of `key` fail from now on (a real failure of the backend). */
  breakKey(key: string): Promise<void>;
  /** Undoes breakKey: writes of `key` succeed again (the failure was transient). */
  repairKey(key: string): Promise<void>;
  close(): Promise<void>;
}

export const STORES: [string, () => Promise<Harness>][] = [
  ['LocalStore', localHarness],
  ['S3Store', async () => s3Harness(await startS3Server())],
];

/** Returns a LocalStore in a fresh temporary folder. */
export async function localHarness(): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'drift-auditor-store-'));
  return {
    store: new LocalStore(dir),
    tamper: (key, body) => writeFile(join(dir, key), body),
    remove: (key) => unlink(join(dir, key)),
    // A directory where the object should go: the create-only link fails and the object cannot be read.
    breakKey: async (key) => {
      await mkdir(join(dir, key), { recursive: true });
    },
    repairKey: (key) => rm(join(dir, key), { recursive: true, force: true }),
    close: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Returns an S3Store (prefix `audit/`) on the given server; retries kept short for fast failures. */
export function s3Harness(server: S3Server, maxAttempts = 2): Harness & { server: S3Server; s3: S3Store } {
  const s3 = new S3Store(server.bucket, 'audit', server.client(maxAttempts));
  const direct = server.client();
  return {
    server,
    s3,
    store: s3,
    tamper: async (key, body) => {
      await direct.send(new PutObjectCommand({ Bucket: server.bucket, Key: `audit/${key}`, Body: body }));
    },
    remove: async (key) => {
      await direct.send(new DeleteObjectCommand({ Bucket: server.bucket, Key: `audit/${key}` }));
    },
    breakKey: async (key) => server.failPuts(new RegExp(`^audit/${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`), Infinity),
    repairKey: async () => server.clearFailures(),
    close: () => server.close(),
  };
}

/** Returns a small report generated at `generatedAt` (default 2026-06-01T12:00:00Z). */
export function sampleReport(generatedAt = '2026-06-01T12:00:00.000Z', o: Partial<Report> = {}): Report {
  return reportOf({
    generatedAt,
    nodes: [reportNode('n1', { zone: 'eu-west-1a' }), reportNode('n2', { zone: 'eu-west-1b' })],
    coverage: [coverageOf('kube-system/aws-node', { n1: 'running', n2: 'missing' })],
    findings: [finding('kube-system/aws-node', 'n2')],
    ...o,
  });
}

/** Returns a full run: the report, its three rendered artifacts and a gzipped snapshot. */
export function sampleRun(report: Report = sampleReport()): RunInput {
  const snapshot = gzipSync(Buffer.from(JSON.stringify({ cluster: report.cluster, nodes: [], daemonSets: [], pods: [] })));
  const withoutSha = { ...report, inputs: { ...report.inputs, snapshot: { kind: 'live' as const } } };
  return {
    report: withoutSha,
    artifacts: {
      'report.md': { body: renderMarkdown(withoutSha), contentType: 'text/markdown; charset=utf-8' },
      'report.html': { body: renderHtml(withoutSha), contentType: 'text/html; charset=utf-8' },
      'findings.csv': { body: renderCsv(withoutSha), contentType: 'text/csv; charset=utf-8' },
    },
    snapshot,
  };
}
