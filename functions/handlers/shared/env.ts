// Settings of the Lambda handlers, from the environment the CDK stack sets (DRIFT_AUDITOR_*), plus the
// ecosystem's own variables (AWS_REGION, AWS_ENDPOINT_URL_S3, GITHUB_API_URL) read by the SDKs.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../../core/errors.js';

/** Returns a required environment variable; throws InputError naming it when it is missing. */
export function requireEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (!value) throw new InputError(`failed to read setting ${name}: the environment variable is not set`);
  return value;
}

/** Returns the folder the function's files live in: LAMBDA_TASK_ROOT on Lambda, the repository root elsewhere. */
export function bundleRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.LAMBDA_TASK_ROOT || fileURLToPath(new URL('../../../', import.meta.url));
}

/** Returns the rules folder: DRIFT_AUDITOR_RULES_DIR, else rules/ in the bundle (copied there at bundling). */
export function rulesDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DRIFT_AUDITOR_RULES_DIR) return env.DRIFT_AUDITOR_RULES_DIR;
  const dir = join(bundleRoot(env), 'rules');
  if (!existsSync(dir)) throw new InputError(`failed to find the rules folder: ${dir} does not exist (set DRIFT_AUDITOR_RULES_DIR)`);
  return dir;
}

/** Returns the auditor version recorded in reports: DRIFT_AUDITOR_VERSION (set by the stack), else 'dev'. */
export function auditorVersion(env: NodeJS.ProcessEnv = process.env): string {
  return env.DRIFT_AUDITOR_VERSION || 'dev';
}
