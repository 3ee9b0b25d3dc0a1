// A loopback Security Hub for tests: POST /findings/import (BatchImportFindings, restJson1) with the
// service's limits (at most 100 findings per call), SigV4 signatures checked against the test
// credentials, and each finding validated against the ASFF required fields and enumerations. Valid
// findings are kept by (ProductArn, Id), so an import with a known Id updates it in place, as the real
// service does; invalid ones come back in FailedFindings. `throttle` answers the next N calls with 429.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';

export const TEST_CREDENTIALS = { accessKeyId: 'AKIDSECURITYHUBTEST', secretAccessKey: 'security-hub-test-secret' };

export interface StoredFinding {
  finding: Record<string, unknown>;
  /** Imports of this (ProductArn, Id), the first included. */
  imports: number;
}

export interface SecurityHubEmulator {
  url: string;
  region: string;
  /** By `${ProductArn}|${Id}`. */
  findings: Map<string, StoredFinding>;
  calls: { status: number; findings: number }[];
  /** Answer the next N calls with 429 TooManyRequestsException. */
  throttle(n: number): void;
  close(): Promise<void>;
}

const TYPE_NAMESPACES = ['Software and Configuration Checks', 'TTPs', 'Effects', 'Unusual Behaviors', 'Sensitive Data Identifications'];
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Returns why a finding is not valid ASFF for BatchImportFindings, or null. */
export function asffProblem(f: Record<string, unknown>, account: string): string | null {
  const str = (k: string, max: number) =>
    typeof f[k] === 'string' && (f[k] as string).length > 0 && (f[k] as string).length <= max ? null : `${k} must be a string of 1-${max} characters`;
  for (const [k, max] of [
    ['SchemaVersion', 32],
    ['Id', 512],
    ['ProductArn', 512],
    ['GeneratorId', 512],
    ['AwsAccountId', 12],
    ['CreatedAt', 64],
    ['UpdatedAt', 64],
    ['Title', 256],
    ['Description', 1024],
  ] as const) {
    const e = str(k, max);
    if (e) return e;
  }
  if (f.SchemaVersion !== '2018-10-08') return 'SchemaVersion must be 2018-10-08';
  if (f.AwsAccountId !== account) return `AwsAccountId must be the caller's account ${account}`;
  if (!/^arn:aws[a-z-]*:securityhub:[a-z0-9-]+:\d{12}:product\/[^/]+\/[^/]+$/.test(f.ProductArn as string))
    return 'ProductArn is not a Security Hub product ARN';
  for (const k of ['CreatedAt', 'UpdatedAt', 'FirstObservedAt', 'LastObservedAt'])
    if (f[k] !== undefined && !ISO.test(String(f[k]))) return `${k} must be an ISO 8601 time`;
  const types = f.Types;
  if (!Array.isArray(types) || types.length === 0 || types.length > 50) return 'Types must hold 1-50 entries';
  for (const t of types)
    if (typeof t !== 'string' || !TYPE_NAMESPACES.includes(t.split('/')[0]!) || t.split('/').length > 3)
      return `Types entry '${String(t)}' is not namespace/category/classifier`;
  const sev = f.Severity as { Label?: unknown; Normalized?: unknown } | undefined;
  if (!sev || (sev.Label === undefined && sev.Normalized === undefined)) return 'Severity needs Label or Normalized';
  if (sev.Label !== undefined && !['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'].includes(String(sev.Label)))
    return `Severity.Label '${String(sev.Label)}' is not valid`;
  const resources = f.Resources;
  if (!Array.isArray(resources) || resources.length === 0 || resources.length > 32) return 'Resources must hold 1-32 entries';
  for (const r of resources as Record<string, unknown>[]) {
    if (typeof r.Type !== 'string' || typeof r.Id !== 'string' || !r.Id) return 'each resource needs Type and Id';
    const other = (r.Details as { Other?: Record<string, unknown> } | undefined)?.Other;
    if (other && Object.entries(other).some(([k, v]) => typeof v !== 'string' || k.length > 128 || v.length > 1024))
      return 'Details.Other must map keys (<= 128) to strings (<= 1024)';
    if (r.Type === 'AwsEksCluster' && !/^arn:aws[a-z-]*:eks:/.test(r.Id)) return 'an AwsEksCluster resource Id must be the cluster ARN';
  }
  const enumOf = (path: string, v: unknown, allowed: string[]) =>
    v === undefined || allowed.includes(String(v)) ? null : `${path} '${String(v)}' is not valid`;
  return (
    enumOf('Compliance.Status', (f.Compliance as { Status?: unknown } | undefined)?.Status, ['PASSED', 'WARNING', 'FAILED', 'NOT_AVAILABLE']) ??
    enumOf('Workflow.Status', (f.Workflow as { Status?: unknown } | undefined)?.Status, ['NEW', 'NOTIFIED', 'RESOLVED', 'SUPPRESSED']) ??
    enumOf('RecordState', f.RecordState, ['ACTIVE', 'ARCHIVED'])
  );
}

class Sha256 {
  private readonly h;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.h = secret === undefined ? createHash('sha256') : createHmac('sha256', typeof secret === 'string' ? secret : Buffer.from(secret as Uint8Array));
  }
  update(d: string | ArrayBuffer | ArrayBufferView): void {
    this.h.update(typeof d === 'string' ? d : Buffer.from(d as Uint8Array));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.h.digest());
  }
}

/** Returns whether the request carries a valid SigV4 signature by TEST_CREDENTIALS for securityhub in `region`. */
async function signatureValid(req: http.IncomingMessage, body: string, region: string): Promise<boolean> {
  const auth = String(req.headers.authorization ?? '');
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/securityhub\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(auth);
  const date = String(req.headers['x-amz-date'] ?? '');
  if (!m || m[1] !== TEST_CREDENTIALS.accessKeyId || m[3] !== region || !/^\d{8}T\d{6}Z$/.test(date)) return false;
  const headers: Record<string, string> = {};
  for (const h of m[4]!.split(';')) headers[h] = String(req.headers[h] ?? '');
  const signer = new SignatureV4({ service: 'securityhub', region, credentials: TEST_CREDENTIALS, sha256: Sha256 });
  const when = new Date(`${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${date.slice(9, 11)}:${date.slice(11, 13)}:${date.slice(13, 15)}Z`);
  const url = new URL(req.url ?? '/', 'http://x');
  const signed = await signer.sign(
    { method: req.method ?? 'POST', protocol: 'http:', hostname: String(req.headers.host).split(':')[0]!, path: url.pathname, headers, body },
    { signingDate: when },
  );
  return signed.headers.authorization === auth || signed.headers.Authorization === auth;
}

/** Starts the emulator on a free loopback port for `account` in `region`. */
export async function startSecurityHub(o: { account: string; region?: string }): Promise<SecurityHubEmulator> {
  const region = o.region ?? 'eu-west-1';
  const findings = new Map<string, StoredFinding>();
  const calls: SecurityHubEmulator['calls'] = [];
  let throttled = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on(
      'end',
      () =>
        void (async () => {
          const body = Buffer.concat(chunks).toString('utf8');
          const send = (status: number, payload: unknown, errorType?: string, n = 0) => {
            calls.push({ status, findings: n });
            res.writeHead(status, { 'content-type': 'application/json', ...(errorType ? { 'x-amzn-errortype': errorType } : {}) });
            res.end(JSON.stringify(payload));
          };
          if (req.method !== 'POST' || req.url !== '/findings/import') return send(404, { message: 'not found' }, 'ResourceNotFoundException');
          if (!(await signatureValid(req, body, region)))
            return send(403, { message: 'The request signature we calculated does not match the signature you provided.' }, 'InvalidSignatureException');
          if (throttled > 0) {
            throttled--;
            return send(429, { message: 'Rate exceeded' }, 'TooManyRequestsException');
          }
          let parsed: { Findings?: unknown };
          try {
            parsed = JSON.parse(body) as { Findings?: unknown };
          } catch {
            return send(400, { message: 'body is not JSON' }, 'InvalidInputException');
          }
          const list = parsed.Findings;
          if (!Array.isArray(list) || list.length === 0 || list.length > 100)
            return send(400, { message: 'Findings must hold 1-100 findings' }, 'InvalidInputException', Array.isArray(list) ? list.length : 0);
          const failed: { Id: string; ErrorCode: string; ErrorMessage: string }[] = [];
          for (const f of list as Record<string, unknown>[]) {
            const problem = asffProblem(f, o.account);
            if (problem) {
              failed.push({ Id: String(f.Id ?? ''), ErrorCode: 'InvalidInput', ErrorMessage: problem });
              continue;
            }
            const key = `${String(f.ProductArn)}|${String(f.Id)}`;
            const before = findings.get(key);
            findings.set(key, { finding: f, imports: (before?.imports ?? 0) + 1 });
          }
          send(200, { FailedCount: failed.length, SuccessCount: list.length - failed.length, FailedFindings: failed }, undefined, list.length);
        })(),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    region,
    findings,
    calls,
    throttle: (n) => {
      throttled = n;
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
}
