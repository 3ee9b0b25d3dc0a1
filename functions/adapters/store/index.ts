// Opens the report store named on the command line or in the Lambda's environment: a folder
// (the default) or `s3://bucket/prefix`. S3 settings follow the SDK's conventions: AWS_REGION,
// the default credential chain, AWS_ENDPOINT_URL_S3 or --s3-endpoint (then path-style addressing).
import { S3Client } from '@aws-sdk/client-s3';
import { StoreError } from '../../core/errors.js';
import { LocalStore } from './local-store.js';
import type { ReportStore } from './report-store.js';
import { S3Store } from './s3-store.js';

export * from './report-store.js';
export { LocalStore } from './local-store.js';
export { S3Store } from './s3-store.js';
export { readHistory, type HistoryPoint } from './history.js';

/** The folder used when no store is given. */
export const DEFAULT_STORE = 'reports';

export interface OpenStoreOptions {
  /** S3-compatible endpoint (MinIO, on-prem, a local emulator); wins over AWS_ENDPOINT_URL_S3. */
  endpoint?: string;
  env: NodeJS.ProcessEnv;
  /** Attempts per S3 request, including the first (SDK retry with backoff); default 5. */
  maxAttempts?: number;
}

/** Returns the store for `spec`: `s3://bucket[/prefix]` or a folder path. */
export function openStore(spec: string, opts: OpenStoreOptions): ReportStore {
  if (!spec.startsWith('s3://')) return new LocalStore(spec);
  const { bucket, prefix } = parseS3Spec(spec);
  return new S3Store(bucket, prefix, s3ClientFor(opts), { kmsKeyId: opts.env.DRIFT_AUDITOR_KMS_KEY_ID || undefined });
}

/** Splits `s3://bucket/some/prefix` into bucket and prefix. */
export function parseS3Spec(spec: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(spec);
  if (!m) throw new StoreError(`failed to open store '${spec}': expected s3://BUCKET[/PREFIX] with a valid bucket name`);
  return { bucket: m[1]!, prefix: (m[2] ?? '').replace(/\/+$/, '') };
}

/** Returns an S3 client configured from the options and environment (region, endpoint, retries). */
export function s3ClientFor(opts: OpenStoreOptions): S3Client {
  const endpoint = opts.endpoint ?? (opts.env.AWS_ENDPOINT_URL_S3 || undefined);
  if (endpoint !== undefined && !/^https?:\/\/[^/\s]+/.test(endpoint)) {
    throw new StoreError(`failed to open store: S3 endpoint '${endpoint}' (--s3-endpoint or AWS_ENDPOINT_URL_S3) is not an http(s):// URL`);
  }
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken } = opts.env;
  return new S3Client({
    region: opts.env.AWS_REGION || opts.env.AWS_DEFAULT_REGION || 'us-east-1',
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
    // Explicit env (the CLI's io.env) wins; otherwise the SDK's default credential chain.
    ...(accessKeyId && secretAccessKey ? { credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } } : {}),
    maxAttempts: opts.maxAttempts ?? 5,
    // We send x-amz-checksum-sha256 ourselves; SDK-computed checksums corrupt uploads to some S3-compatible servers.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}
