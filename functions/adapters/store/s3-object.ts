// Single S3 objects outside the runs: the Lambdas' snapshot hand-off under staging/ (which a retry may
// replace) and failed-run records. Runs, reports and every read go through the ReportStore.
// Endpoint from AWS_ENDPOINT_URL_S3 (path-style then), checksums only when required (s3rver corrupts
// streamed bodies otherwise), SSE-KMS requested.
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { StoreError } from '../../core/errors.js';
import { sha256Hex } from '../sha256.js';
import { s3ClientFor } from './index.js';

let client: S3Client | undefined;

/** Returns the shared S3 client, configured from the environment as the store configures its own. */
export function s3Client(env: NodeJS.ProcessEnv = process.env): S3Client {
  client ??= s3ClientFor({ env });
  return client;
}

/** Forgets the cached client (tests that change the endpoint). */
export function resetS3Client(): void {
  client = undefined;
}

/** Puts one object with its sha256 in metadata (SSE-KMS with DRIFT_AUDITOR_KMS_KEY_ID); returns the sha256. Throws StoreError. */
export async function putS3Object(o: { bucket: string; key: string; body: Buffer | string; contentType: string; createOnly?: boolean }): Promise<string> {
  const sha256 = sha256Hex(o.body);
  try {
    await s3Client().send(
      new PutObjectCommand({
        Bucket: o.bucket,
        Key: o.key,
        Body: o.body,
        ContentType: o.contentType,
        Metadata: { sha256 },
        // Create-only keys (the bucket policy denies writes there without If-None-Match).
        ...(o.createOnly ? { IfNoneMatch: '*' } : {}),
        // The bucket's own KMS key (DRIFT_AUDITOR_KMS_KEY_ID); the bucket default applies it too.
        ServerSideEncryption: 'aws:kms',
        ...(process.env.DRIFT_AUDITOR_KMS_KEY_ID ? { SSEKMSKeyId: process.env.DRIFT_AUDITOR_KMS_KEY_ID } : {}),
      }),
    );
  } catch (err) {
    throw new StoreError(`failed to put s3://${o.bucket}/${o.key}: ${(err as Error).name}: ${(err as Error).message}`, { cause: err });
  }
  return sha256;
}
