// Secrets for the handlers, from AWS Secrets Manager (AWS_ENDPOINT_URL_SECRETS_MANAGER points the SDK
// at another endpoint). Values are cached per warm container for five minutes and never logged.
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { InputError } from '../../core/errors.js';
import { requireEnv } from './env.js';

const TTL_MS = 5 * 60_000;
const cache = new Map<string, { value: string; at: number }>();
let client: SecretsManagerClient | undefined;

/** Returns a secret's string value; throws InputError naming the secret (never its value) when it cannot be read. */
export async function readSecret(id: string): Promise<string> {
  const hit = cache.get(id);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.value;
  client ??= new SecretsManagerClient({});
  let value: string | undefined;
  try {
    value = (await client.send(new GetSecretValueCommand({ SecretId: id }))).SecretString;
  } catch (err) {
    throw new InputError(`failed to read secret ${id}: ${(err as Error).name}: ${(err as Error).message}`, { cause: err });
  }
  if (!value) throw new InputError(`failed to read secret ${id}: it has no string value (put one with aws secretsmanager put-secret-value)`);
  cache.set(id, { value, at: Date.now() });
  return value;
}

/** Forgets cached secret values (tests; a rotated secret is picked up after the TTL anyway). */
export function clearSecretCache(): void {
  cache.clear();
  client = undefined;
}

/**
 * Returns an environment for the GitHub adapters: process.env plus GITHUB_TOKEN, or GITHUB_APP_ID and
 * GITHUB_APP_PRIVATE_KEY, from the secret named by DRIFT_AUDITOR_GITHUB_SECRET (auth DRIFT_AUDITOR_GITHUB_AUTH).
 */
export async function githubEnv(env: NodeJS.ProcessEnv = process.env): Promise<NodeJS.ProcessEnv> {
  const id = requireEnv('DRIFT_AUDITOR_GITHUB_SECRET', env);
  const auth = env.DRIFT_AUDITOR_GITHUB_AUTH ?? 'token';
  const value = (await readSecret(id)).trim();
  const { GITHUB_TOKEN: _t, GH_TOKEN: _g, GITHUB_APP_ID: _a, GITHUB_APP_PRIVATE_KEY: _k, ...rest } = env;
  if (auth === 'app') {
    let parsed: { appId?: unknown; privateKey?: unknown };
    try {
      parsed = JSON.parse(value) as typeof parsed;
    } catch {
      throw new InputError(`failed to read secret ${id}: a GitHub App secret must be JSON {"appId": "...", "privateKey": "..."}`);
    }
    if (!parsed.appId || typeof parsed.privateKey !== 'string')
      throw new InputError(`failed to read secret ${id}: a GitHub App secret needs "appId" and "privateKey"`);
    return { ...rest, GITHUB_APP_ID: String(parsed.appId), GITHUB_APP_PRIVATE_KEY: parsed.privateKey };
  }
  // A token may be stored plain or as {"token": "..."}.
  const token = value.startsWith('{') ? String((JSON.parse(value) as { token?: unknown }).token ?? '') : value;
  if (!token) throw new InputError(`failed to read secret ${id}: no token in it`);
  return { ...rest, GITHUB_TOKEN: token };
}

/**
 * Returns `env` plus DRIFT_AUDITOR_HELM_CREDENTIALS (chart repository credentials, read by the renderers'
 * chart source) from the secret named by DRIFT_AUDITOR_HELM_CREDENTIALS_SECRET; `env` unchanged when that is unset.
 * The secret is JSON `{"<repository URL prefix>": {"username": "…", "password": "…"}}`.
 */
export async function helmCredentialsEnv(env: NodeJS.ProcessEnv = process.env): Promise<NodeJS.ProcessEnv> {
  const id = env.DRIFT_AUDITOR_HELM_CREDENTIALS_SECRET;
  if (!id) return env;
  const value = (await readSecret(id)).trim();
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new InputError(`failed to read secret ${id}: chart credentials must be JSON {"<repository URL>": {"username": "...", "password": "..."}}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new InputError(`failed to read secret ${id}: chart credentials must be a JSON object keyed by repository URL`);
  for (const [repo, c] of Object.entries(parsed as Record<string, unknown>)) {
    const ok =
      !!c && typeof c === 'object' && typeof (c as { username?: unknown }).username === 'string' && typeof (c as { password?: unknown }).password === 'string';
    // The repository URL is not secret; the values are never echoed.
    if (!ok) throw new InputError(`failed to read secret ${id}: the entry for ${JSON.stringify(repo).slice(0, 200)} needs string "username" and "password"`);
  }
  return { ...env, DRIFT_AUDITOR_HELM_CREDENTIALS: JSON.stringify(parsed) };
}
