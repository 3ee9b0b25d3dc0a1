// Reads the report `notify` works from: a local file, or `s3://bucket/key`. The S3 read goes through the
// store adapter (region and credential chain, AWS_ENDPOINT_URL_S3, path-style addressing for custom
// endpoints, checksums only when required).
// The JSON is checked field by field against the report's shape (core/report-shape.ts), naming the bad one.
import { readFile } from 'node:fs/promises';
import { InputError, StoreError } from '../core/errors.js';
import { formatReportProblem, reportShapeProblem } from '../core/report-shape.js';
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
  const { openStore } = await import('./store/index.js');
  const store = openStore(`s3://${s3[1]}`, { env: { ...env, AWS_ENDPOINT_URL_S3: env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL } });
  try {
    return (await store.getObject(s3[2]!)).toString('utf8');
  } catch (err) {
    throw new StoreError(`failed to read report ${location}: ${(err as Error).message}`, { cause: err });
  }
}

/** Returns the report parsed from `text`, or throws an InputError naming the first bad field (core/report-shape.ts). */
export function parseReport(text: string, location: string): Report {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new InputError(`failed to parse report ${location}: ${(err as Error).message}`, { cause: err });
  }
  const problem = reportShapeProblem(data);
  if (problem) throw new InputError(`failed to read report ${location}: ${formatReportProblem(problem)}`);
  return data as Report;
}

/** Returns the report at a path or `s3://bucket/key`. */
export async function readReport(location: string, env: NodeJS.ProcessEnv = process.env): Promise<Report> {
  return parseReport(await readReportText(location, env), location);
}
