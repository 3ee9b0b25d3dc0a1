// Reads the report `notify` works from: a local file, or `s3://bucket/key`. The S3 read is a
// plain GetObject with the store adapter's client (region and credential chain, AWS_ENDPOINT_URL_S3,
// path-style addressing for custom endpoints, checksums only when required).
// The JSON is checked for the fields notify relies on, naming the bad one.
import { readFile } from 'node:fs/promises';
import { InputError, StoreError } from '../core/errors.js';
import type { Report } from '../core/types.js';

/** Returns the raw text at a path or `s3://bucket/key`. */
export async function readReportText(location: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const s3 = /^s3:\/\/([^/]+)\/(.+)$/.exec(location);
  if (!s3) {
    try {
      return await readFile(location, 'utf8');
    } catch (err) {
      throw new InputError(`failed to read report ${location}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
    }
  }
  const { GetObjectCommand } = await import('@aws-sdk/client-s3');
  const { s3ClientFor } = await import('./store/index.js');
  // The store's client: AWS_REGION, the credential chain or keys in env, AWS_ENDPOINT_URL_S3 path-style.
  const client = s3ClientFor({ env: { ...env, AWS_ENDPOINT_URL_S3: env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL } });
  try {
    const res = await client.send(new GetObjectCommand({ Bucket: s3[1], Key: s3[2] }));
    return await res.Body!.transformToString('utf8');
  } catch (err) {
    throw new StoreError(`failed to read report ${location}: ${(err as Error).name}: ${(err as Error).message}`, { cause: err });
  } finally {
    client.destroy();
  }
}

/** Returns the report parsed from `text`, or throws an InputError naming the first bad field. */
export function parseReport(text: string, location: string): Report {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new InputError(`failed to parse report ${location}: ${(err as Error).message}`, { cause: err });
  }
  const r = data as Partial<Report> | null;
  const bad = (field: string, want: string) => new InputError(`failed to read report ${location}: field ${field} must be ${want}`);
  if (typeof r !== 'object' || r === null) throw bad('(root)', 'an object');
  if (r.schemaVersion !== 1) throw bad('schemaVersion', '1');
  if (typeof r.cluster !== 'string' || r.cluster === '') throw bad('cluster', 'a non-empty string');
  if (typeof r.complete !== 'boolean') throw bad('complete', 'true or false');
  if (typeof r.generatedAt !== 'string') throw bad('generatedAt', 'an RFC 3339 string');
  if (!Array.isArray(r.findings)) throw bad('findings', 'an array');
  if (!Array.isArray(r.waived)) throw bad('waived', 'an array');
  if (!Array.isArray(r.coverage)) throw bad('coverage', 'an array');
  if (!Array.isArray(r.gaps)) throw bad('gaps', 'an array');
  if (typeof r.inputs !== 'object' || r.inputs === null || typeof r.inputs.snapshot !== 'object' || typeof r.inputs.desired !== 'object') throw bad('inputs', 'an object with snapshot and desired');
  r.findings.forEach((f, i) => {
    if (typeof f?.rule !== 'string' || typeof f.namespace !== 'string' || typeof f.daemonSet !== 'string' || !['critical', 'warning', 'info'].includes(f.severity)) {
      throw bad(`findings[${i}]`, 'a finding with rule, severity, namespace and daemonSet');
    }
  });
  // Fail closed: a report that says complete but records what it could not read would let notify close issues.
  if (r.complete && (r.gaps.length > 0 || r.findings.some((f) => f.rule === 'audit/incomplete'))) {
    throw bad('complete', 'false: the report records gaps (what could not be read), so it is not complete');
  }
  return r as Report;
}

/** Returns the report at a path or `s3://bucket/key`. */
export async function readReport(location: string, env: NodeJS.ProcessEnv = process.env): Promise<Report> {
  return parseReport(await readReportText(location, env), location);
}
