// The S3 store (also MinIO and other S3-compatible servers). Create-only writes: a HeadObject check
// first (servers such as s3rver ignore conditional headers), then PutObject with `If-None-Match: *`
// so real S3 refuses the write if another writer created the key in between (412). Every object
// carries its sha256 (x-amz-meta-sha256, and x-amz-checksum-sha256 that S3 verifies on upload),
// its content type, and a server-side encryption request. Transient errors: the SDK's maxAttempts.
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client, type PutObjectCommandInput } from '@aws-sdk/client-s3';
import { StoreError } from '../../core/errors.js';
import { BaseReportStore, ObjectExistsError, sha256Hex, type StoredObject } from './report-store.js';

export interface S3StoreOptions {
  /** KMS key id or ARN: objects are encrypted with SSE-KMS; otherwise SSE-S3 (AES256). */
  kmsKeyId?: string;
  /** Keys per ListObjectsV2 page (default: the server's, 1,000 on S3). */
  listPageSize?: number;
}

/** A report store in an S3 bucket under a key prefix. */
export class S3Store extends BaseReportStore {
  readonly prefix: string;

  constructor(
    readonly bucket: string,
    prefix: string,
    readonly client: S3Client,
    private readonly options: S3StoreOptions = {},
  ) {
    super();
    const p = prefix.replace(/^\/+|\/+$/g, '');
    this.prefix = p ? `${p}/` : '';
  }

  describe(key: string): string {
    return `s3://${this.bucket}/${this.prefix}${key}`;
  }

  protected async createObject(key: string, body: Buffer, contentType: string, sha256: string): Promise<'created' | 'unchanged'> {
    if (await this.sameOrConflict(key, sha256)) return 'unchanged';
    try {
      await this.client.send(new PutObjectCommand({ ...this.putInput(key, body, contentType, sha256), IfNoneMatch: '*' }));
      return 'created';
    } catch (err) {
      // Another writer created the key between our check and our write (S3 enforces If-None-Match).
      if (status(err) === 412 || status(err) === 409) {
        if (await this.sameOrConflict(key, sha256)) return 'unchanged';
      }
      throw this.wrap('write', key, err);
    }
  }

  /** True when `key` exists with this sha256; ObjectExistsError when it exists with another; false when absent. */
  private async sameOrConflict(key: string, sha256: string): Promise<boolean> {
    // Some S3-compatible servers (s3rver) show an object before its metadata and bytes are complete:
    // an object without sha256 metadata is looked at again a few times before it counts as different.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.sameOrConflictOnce(key, sha256);
      } catch (err) {
        if (!(err instanceof UnsettledObject) || attempt >= 4) throw err instanceof UnsettledObject ? err.conflict : err;
        await new Promise((r) => setTimeout(r, 50 * attempt));
      }
    }
  }

  private async sameOrConflictOnce(key: string, sha256: string): Promise<boolean> {
    let existing: string | undefined;
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }));
      existing = head.Metadata?.sha256 ?? '';
    } catch (err) {
      // 403: without s3:ListBucket, S3 answers a missing key with 403; the If-None-Match put still guards it.
      if (status(err) === 404 || status(err) === 403) return false;
      throw this.wrap('check', key, err);
    }
    if (existing === sha256) return true;
    // No sha256 metadata (written by another tool, or seen mid-write by servers that store metadata
    // apart from the bytes): the bytes decide.
    const conflict = new ObjectExistsError(`failed to write ${this.describe(key)}: it already exists with different content (sha256 ${existing || 'unknown'})`);
    if (!existing) {
      const o = await this.readObject(key);
      if (o && sha256Hex(o.body) === sha256) return true;
      throw new UnsettledObject(conflict);
    }
    throw conflict;
  }

  protected async readObject(key: string): Promise<StoredObject | null> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }));
      const body = Buffer.from(await out.Body!.transformToByteArray());
      return { body, sha256: out.Metadata?.sha256, contentType: out.ContentType, version: out.ETag };
    } catch (err) {
      if (status(err) === 404) return null;
      const hint = status(err) === 403 ? ' (S3 also answers 403 for a missing key when the caller lacks s3:ListBucket on the bucket)' : '';
      throw this.wrap('read', key, err, hint);
    }
  }

  protected async listKeys(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const out = await this.list({ Prefix: this.prefix + prefix, ContinuationToken: token }, prefix);
      for (const o of out.Contents ?? []) if (o.Key) keys.push(o.Key.slice(this.prefix.length));
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
    return keys;
  }

  protected async listChildren(prefix: string): Promise<string[]> {
    const names: string[] = [];
    let token: string | undefined;
    do {
      const out = await this.list({ Prefix: this.prefix + prefix, Delimiter: '/', ContinuationToken: token }, prefix);
      for (const p of out.CommonPrefixes ?? []) if (p.Prefix) names.push(p.Prefix.slice(this.prefix.length + prefix.length).replace(/\/$/, ''));
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
    return names;
  }

  protected async swapObject(key: string, body: Buffer, contentType: string, sha256: string, expected: string | null): Promise<boolean> {
    try {
      await this.client.send(
        new PutObjectCommand({ ...this.putInput(key, body, contentType, sha256), ...(expected === null ? { IfNoneMatch: '*' } : { IfMatch: expected }) }),
      );
      return true;
    } catch (err) {
      if (status(err) === 412 || status(err) === 409) return false;
      throw this.wrap('write', key, err);
    }
  }

  private async list(input: { Prefix: string; Delimiter?: string; ContinuationToken?: string }, prefix: string) {
    try {
      return await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, ...input, ...(this.options.listPageSize ? { MaxKeys: this.options.listPageSize } : {}) }),
      );
    } catch (err) {
      throw this.wrap('list', prefix, err);
    }
  }

  private putInput(key: string, body: Buffer, contentType: string, sha256: string): PutObjectCommandInput {
    return {
      Bucket: this.bucket,
      Key: this.prefix + key,
      Body: body,
      ContentType: contentType,
      ContentLength: body.length,
      Metadata: { sha256 },
      ChecksumSHA256: Buffer.from(sha256, 'hex').toString('base64'),
      ...(this.options.kmsKeyId ? { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: this.options.kmsKeyId } : { ServerSideEncryption: 'AES256' }),
    };
  }

  private wrap(verb: string, key: string, err: unknown, hint = ''): StoreError {
    const e = err as { name?: string; message?: string };
    return new StoreError(`failed to ${verb} ${this.describe(key)}: ${e.name ?? 'Error'}: ${e.message ?? String(err)}${hint}`, { cause: err });
  }
}

/** An object seen without its sha256 metadata and with other bytes: possibly still being written. */
class UnsettledObject extends Error {
  constructor(readonly conflict: ObjectExistsError) {
    super(conflict.message);
  }
}

function status(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}
