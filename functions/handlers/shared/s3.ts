// The few S3 calls the handlers make themselves (the snapshot hand-off under staging/ and failed-run
// records); runs and reports go through the store adapter. Endpoint from AWS_ENDPOINT_URL_S3 (path-style
// then), checksums only when required (s3rver corrupts streamed bodies otherwise), SSE-KMS requested.
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { StoreError } from '../../core/errors.js';
import { s3ClientFor } from '../../adapters/store/index.js';

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

/** Returns the hex sha256 of bytes. */
export function sha256Hex(body: Buffer | string): string {
  return createHash('sha256').update(body).digest('hex');
}

/** Puts one object with its sha256 in metadata; returns the sha256. Throws StoreError. */
export async function putObject(o: { bucket: string; key: string; body: Buffer | string; contentType: string; createOnly?: boolean }): Promise<string> {
  const sha256 = sha256Hex(o.body);
  try {
    await s3Client().send(new PutObjectCommand({
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
    }));
  } catch (err) {
    throw new StoreError(`failed to put s3://${o.bucket}/${o.key}: ${(err as Error).name}: ${(err as Error).message}`, { cause: err });
  }
  return sha256;
}

/** Returns one object's bytes; when `sha256` is given, checks it (a mismatch is a StoreError). */
export async function getObject(o: { bucket: string; key: string; sha256?: string }): Promise<Buffer> {
  let body: Buffer;
  try {
    const res = await s3Client().send(new GetObjectCommand({ Bucket: o.bucket, Key: o.key }));
    body = Buffer.from(await res.Body!.transformToByteArray());
  } catch (err) {
    throw new StoreError(`failed to get s3://${o.bucket}/${o.key}: ${(err as Error).name}: ${(err as Error).message}`, { cause: err });
  }
  if (o.sha256 && sha256Hex(body) !== o.sha256) {
    throw new StoreError(`failed to get s3://${o.bucket}/${o.key}: its sha256 ${sha256Hex(body)} differs from the ${o.sha256} recorded when it was written`);
  }
  return body;
}
