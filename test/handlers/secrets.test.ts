import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../functions/core/errors.js';
import { clearSecretCache, githubEnv, helmCredentialsEnv, readSecret } from '../../functions/handlers/shared/secrets.js';
import { startSecretsManager, type SecretsManagerEmulator } from '../e2e/secrets-manager.js';

const PEM = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----';
let sm: SecretsManagerEmulator;
const saved = { ...process.env };

beforeAll(async () => {
  sm = await startSecretsManager({});
  Object.assign(process.env, { AWS_ENDPOINT_URL_SECRETS_MANAGER: sm.url, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' });
});

afterEach(() => {
  clearSecretCache();
  sm.secrets.clear();
  sm.requests.length = 0;
});

afterAll(async () => {
  for (const k of ['AWS_ENDPOINT_URL_SECRETS_MANAGER', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) delete process.env[k];
  Object.assign(process.env, saved);
  await sm.close();
});

describe('readSecret()', () => {
  it('reads the value once and serves it from the cache afterwards', async () => {
    sm.secrets.set('a/b', 'value-1');

    const values = [await readSecret('a/b'), await readSecret('a/b')];

    expect(values).toEqual(['value-1', 'value-1']);
    expect(sm.requests).toEqual(['a/b']);
  });

  it('names the missing secret in an InputError', async () => {
    await expect(readSecret('missing/secret')).rejects.toThrow(InputError);
    await expect(readSecret('missing/secret')).rejects.toThrow(/failed to read secret missing\/secret: ResourceNotFoundException/);
  });
});

describe('githubEnv()', () => {
  const base = { DRIFT_AUDITOR_GITHUB_SECRET: 'gh', GITHUB_TOKEN: 'stale-token-from-env', KEEP: 'x' };

  it.each([
    ['a plain token', 'token', 'ghp_plain', { GITHUB_TOKEN: 'ghp_plain' }],
    ['a JSON token', 'token', '{"token":"ghp_json"}', { GITHUB_TOKEN: 'ghp_json' }],
    ['a GitHub App key', 'app', JSON.stringify({ appId: 42, privateKey: PEM }), { GITHUB_APP_ID: '42', GITHUB_APP_PRIVATE_KEY: PEM }],
  ])("puts %s into the adapters' environment, replacing any GitHub credential already there", async (_what, auth, value, expected) => {
    sm.secrets.set('gh', value);

    const env = await githubEnv({ ...base, DRIFT_AUDITOR_GITHUB_AUTH: auth });

    expect(env).toEqual({ DRIFT_AUDITOR_GITHUB_SECRET: 'gh', DRIFT_AUDITOR_GITHUB_AUTH: auth, KEEP: 'x', ...expected });
  });

  it.each([
    ['an App secret that is not JSON', 'app', PEM, /must be JSON \{"appId"/],
    ['an App secret without a key', 'app', '{"appId":"1"}', /needs "appId" and "privateKey"/],
    ['an empty token', 'token', '{"token":""}', /no token in it/],
  ])('rejects %s without echoing the value', async (_what, auth, value, message) => {
    sm.secrets.set('gh', value);

    const err = await githubEnv({ ...base, DRIFT_AUDITOR_GITHUB_AUTH: auth }).catch((e: Error) => e);

    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).not.toContain('BEGIN RSA');
  });

  it('says which setting is missing', async () => {
    await expect(githubEnv({})).rejects.toThrow('failed to read setting DRIFT_AUDITOR_GITHUB_SECRET: the environment variable is not set');
  });
});

describe('helmCredentialsEnv()', () => {
  const creds = { 'oci://registry.example.com/charts': { username: 'robot', password: 'chart-Pa55' } };

  it("puts the chart credentials JSON into the renderers' environment", async () => {
    sm.secrets.set('helm', JSON.stringify(creds, null, 2));

    const env = await helmCredentialsEnv({ DRIFT_AUDITOR_HELM_CREDENTIALS_SECRET: 'helm', KEEP: 'x' });

    expect(env).toEqual({ DRIFT_AUDITOR_HELM_CREDENTIALS_SECRET: 'helm', KEEP: 'x', DRIFT_AUDITOR_HELM_CREDENTIALS: JSON.stringify(creds) });
    expect(sm.requests).toEqual(['helm']);
  });

  it('leaves the environment as it is when no secret is configured', async () => {
    const env = await helmCredentialsEnv({ KEEP: 'x' });

    expect(env).toEqual({ KEEP: 'x' });
    expect(sm.requests).toEqual([]);
  });

  it.each([
    ['a value that is not JSON', 'robot:chart-Pa55', /must be JSON/],
    ['a JSON array', '["chart-Pa55"]', /must be a JSON object keyed by repository URL/],
    [
      'an entry without a password',
      JSON.stringify({ 'https://charts.example.com': { username: 'robot', token: 'chart-Pa55' } }),
      /the entry for "https:\/\/charts.example.com" needs string "username" and "password"/,
    ],
  ])('rejects %s, naming the secret without echoing the value', async (_what, value, message) => {
    sm.secrets.set('helm', value);

    const err = await helmCredentialsEnv({ DRIFT_AUDITOR_HELM_CREDENTIALS_SECRET: 'helm' }).catch((e: Error) => e);

    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(/^failed to read secret helm: /);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).not.toContain('chart-Pa55');
  });
});
