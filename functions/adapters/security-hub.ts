// Security Hub: imports ASFF findings (core/render/asff.ts) with BatchImportFindings, honouring its
// limits: at most 100 findings and 240 KB per call, retries with backoff on throttling and 5xx, and
// FailedFindings reported by Id rather than lost. The wire is a SigV4-signed POST /findings/import
// (restJson1, as the SDK sends it) through a small client interface, so tests drive it over real HTTP.
import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { AsffFinding, AsffOptions } from '../core/render/asff.js';
import { DriftAuditorError, UsageError } from '../core/errors.js';

/** Security Hub refused or could not be reached. */
export class SecurityHubError extends DriftAuditorError {}

export interface BatchImportResult {
  SuccessCount: number;
  FailedCount: number;
  FailedFindings: { Id: string; ErrorCode: string; ErrorMessage: string }[];
}

/** The one call drift-auditor makes; `HttpSecurityHub` implements it over HTTPS. */
export interface SecurityHubClient {
  batchImportFindings(findings: AsffFinding[]): Promise<BatchImportResult>;
}

export const MAX_FINDINGS_PER_CALL = 100;
const MAX_BYTES_PER_CALL = 240 * 1024;

/** Returns the ASFF destination from the environment: account, Region, and optionally the EKS cluster ARN; UsageError when the account is missing. */
export function asffOptionsFromEnv(env: NodeJS.ProcessEnv): Pick<AsffOptions, 'awsAccountId' | 'region' | 'eksClusterArn'> {
  const awsAccountId = env.DRIFT_AUDITOR_AWS_ACCOUNT_ID ?? '';
  if (!/^\d{12}$/.test(awsAccountId))
    throw new UsageError(
      `ASFF findings need the AWS account that imports them: set DRIFT_AUDITOR_AWS_ACCOUNT_ID to a 12-digit account id${awsAccountId ? `, not '${awsAccountId}'` : ''}`,
    );
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1';
  return { awsAccountId, region, ...(env.DRIFT_AUDITOR_EKS_CLUSTER_ARN ? { eksClusterArn: env.DRIFT_AUDITOR_EKS_CLUSTER_ARN } : {}) };
}

/** Returns the findings in batches of at most 100 findings and 240 KB of JSON each. */
export function batchesOf(findings: AsffFinding[]): AsffFinding[][] {
  const out: AsffFinding[][] = [];
  let batch: AsffFinding[] = [];
  let bytes = 16;
  for (const f of findings) {
    const size = Buffer.byteLength(JSON.stringify(f)) + 1;
    if (batch.length && (batch.length >= MAX_FINDINGS_PER_CALL || bytes + size > MAX_BYTES_PER_CALL)) {
      out.push(batch);
      batch = [];
      bytes = 16;
    }
    batch.push(f);
    bytes += size;
  }
  if (batch.length) out.push(batch);
  return out;
}

export interface ImportSummary {
  imported: number;
  failed: { Id: string; ErrorCode: string; ErrorMessage: string }[];
  calls: number;
}

/** Imports every finding, batch by batch; returns what was imported and which findings Security Hub refused. */
export async function importFindings(client: SecurityHubClient, findings: AsffFinding[]): Promise<ImportSummary> {
  const summary: ImportSummary = { imported: 0, failed: [], calls: 0 };
  for (const batch of batchesOf(findings)) {
    const r = await client.batchImportFindings(batch);
    summary.calls++;
    summary.imported += r.SuccessCount;
    summary.failed.push(...r.FailedFindings);
  }
  return summary;
}

type Bytes = string | ArrayBuffer | ArrayBufferView;
const toBuffer = (d: Bytes): string | Buffer =>
  typeof d === 'string' ? d : ArrayBuffer.isView(d) ? Buffer.from(d.buffer, d.byteOffset, d.byteLength) : Buffer.from(d);

/** sha256 and HMAC-sha256 for the SigV4 signer, from node:crypto. */
class Sha256 {
  private readonly h;
  constructor(secret?: Bytes) {
    this.h = secret === undefined ? createHash('sha256') : createHmac('sha256', toBuffer(secret));
  }
  update(data: Bytes): void {
    this.h.update(toBuffer(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.h.digest());
  }
}

export interface HttpSecurityHubOptions {
  region: string;
  /** Default https://securityhub.<region>.amazonaws.com; also AWS_ENDPOINT_URL_SECURITYHUB. */
  endpoint?: string;
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Attempts per call, including the first (default 5). */
  maxAttempts?: number;
  baseDelayMs?: number;
}

/** BatchImportFindings over HTTPS, signed with SigV4 (service `securityhub`). */
export class HttpSecurityHub implements SecurityHubClient {
  private readonly url: URL;
  private readonly signer: SignatureV4;

  constructor(private readonly o: HttpSecurityHubOptions) {
    this.url = new URL('/findings/import', o.endpoint ?? `https://securityhub.${o.region}.amazonaws.com`);
    this.signer = new SignatureV4({ service: 'securityhub', region: o.region, credentials: o.credentials, sha256: Sha256 });
  }

  async batchImportFindings(findings: AsffFinding[]): Promise<BatchImportResult> {
    if (findings.length > MAX_FINDINGS_PER_CALL)
      throw new SecurityHubError(`failed to import findings: ${findings.length} in one call, at most ${MAX_FINDINGS_PER_CALL} allowed`);
    const body = JSON.stringify({ Findings: findings });
    const attempts = this.o.maxAttempts ?? 5;
    for (let attempt = 1; ; attempt++) {
      const signed = await this.signer.sign({
        method: 'POST',
        protocol: this.url.protocol,
        hostname: this.url.hostname,
        port: this.url.port ? Number(this.url.port) : undefined,
        path: this.url.pathname,
        headers: { host: this.url.host, 'content-type': 'application/json' },
        body,
      });
      let res: Response;
      try {
        res = await fetch(this.url, { method: 'POST', headers: signed.headers as Record<string, string>, body });
      } catch (err) {
        if (attempt < attempts) {
          await sleep(this.delay(attempt));
          continue;
        }
        throw new SecurityHubError(`failed to import findings into Security Hub at ${this.url.origin}: ${(err as Error).message}`, { cause: err });
      }
      const text = await res.text();
      if (res.ok) return parseResult(text);
      const code = res.headers.get('x-amzn-errortype')?.split(':')[0] ?? String(res.status);
      if ((res.status === 429 || res.status >= 500) && attempt < attempts) {
        await sleep(this.delay(attempt));
        continue;
      }
      throw new SecurityHubError(`failed to import findings into Security Hub: ${res.status} ${code}: ${text.slice(0, 300).replace(/\s+/g, ' ')}`);
    }
  }

  private delay(attempt: number): number {
    const base = this.o.baseDelayMs ?? 200;
    return Math.min(10_000, base * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
  }
}

function parseResult(text: string): BatchImportResult {
  try {
    const r = JSON.parse(text) as Partial<BatchImportResult>;
    return { SuccessCount: r.SuccessCount ?? 0, FailedCount: r.FailedCount ?? 0, FailedFindings: r.FailedFindings ?? [] };
  } catch (err) {
    throw new SecurityHubError(`failed to read Security Hub's answer: ${(err as Error).message}`, { cause: err });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
