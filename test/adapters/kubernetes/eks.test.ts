import { afterEach, describe, expect, it, vi } from 'vitest';
import { EKSClient } from '@aws-sdk/client-eks';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createEksToken, describeEksCluster, EKS_TOKEN_PREFIX, kubeConfigForEks } from '../../../functions/adapters/kubernetes/index.js';

const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'session/token+with=chars' };
// aws-iam-authenticator pkg/token/token.go: the only query parameters a token URL may carry.
const ALLOWED = [
  'Action',
  'Version',
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-Security-Token',
  'X-Amz-Signature',
  'X-Amz-SignedHeaders',
];

function decode(token: string): URL {
  return new URL(Buffer.from(token.slice(EKS_TOKEN_PREFIX.length), 'base64url').toString('utf8'));
}

describe('createEksToken()', () => {
  it('returns k8s-aws-v1. and an unpadded base64url presigned STS GetCallerIdentity URL', async () => {
    const token = await createEksToken({ clusterName: 'prod-eu', region: 'eu-west-1', credentials: CREDENTIALS, now: new Date('2026-06-01T12:00:00Z') });

    const url = decode(token);
    expect(token.startsWith(EKS_TOKEN_PREFIX)).toBe(true);
    expect(/^[A-Za-z0-9_-]+$/.test(token.slice(EKS_TOKEN_PREFIX.length))).toBe(true);
    expect(`${url.protocol}//${url.host}${url.pathname}`).toEqual('https://sts.eu-west-1.amazonaws.com/');
    expect([...url.searchParams.keys()].every((k) => ALLOWED.includes(k))).toBe(true);
    expect(Object.fromEntries([...url.searchParams].filter(([k]) => k !== 'X-Amz-Signature'))).toEqual({
      Action: 'GetCallerIdentity',
      Version: '2011-06-15',
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': 'AKIDEXAMPLE/20260601/eu-west-1/sts/aws4_request',
      'X-Amz-Date': '20260601T120000Z',
      'X-Amz-Expires': '60',
      'X-Amz-Security-Token': CREDENTIALS.sessionToken,
      'X-Amz-SignedHeaders': 'host;x-k8s-aws-id',
    });
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(token.length).toBeLessThan(4096);
  });

  it('signs the cluster name: another cluster gives another signature', async () => {
    const at = new Date('2026-06-01T12:00:00Z');

    const a = decode(await createEksToken({ clusterName: 'a', region: 'us-east-1', credentials: CREDENTIALS, now: at }));
    const b = decode(await createEksToken({ clusterName: 'b', region: 'us-east-1', credentials: CREDENTIALS, now: at }));

    expect(a.searchParams.get('X-Amz-Signature')).not.toEqual(b.searchParams.get('X-Amz-Signature'));
  });
});

describe('kubeConfigForEks()', () => {
  it('sends the EKS token as a bearer token and reuses it while it is fresh', async () => {
    const kc = kubeConfigForEks({
      clusterName: 'prod-eu',
      endpoint: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com',
      caData: Buffer.from('-----BEGIN CERTIFICATE-----\n').toString('base64'),
      region: 'eu-west-1',
      credentials: CREDENTIALS,
    });
    const first: { headers?: Record<string, string> } = {};
    const second: { headers?: Record<string, string> } = {};

    await kc.applyToHTTPSOptions(first);
    await kc.applyToHTTPSOptions(second);

    expect(first.headers!.Authorization).toMatch(/^Bearer k8s-aws-v1\.[A-Za-z0-9_-]+$/);
    expect(second.headers!.Authorization).toEqual(first.headers!.Authorization);
    expect(decode(first.headers!.Authorization!.slice('Bearer '.length)).host).toEqual('sts.eu-west-1.amazonaws.com');
    expect(kc.getCurrentCluster()).toMatchObject({ name: 'prod-eu', server: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com', skipTLSVerify: false });
  });

  it('makes a new token once the cached one is 10 minutes old', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-06-01T12:00:00Z'));
    const kc = kubeConfigForEks({ clusterName: 'prod-eu', endpoint: 'https://x.eks.amazonaws.com', caData: '', region: 'eu-west-1', credentials: CREDENTIALS });
    const dates: string[] = [];

    for (const minutes of [0, 9, 11]) {
      vi.setSystemTime(new Date(Date.parse('2026-06-01T12:00:00Z') + minutes * 60_000));
      const o: { headers?: Record<string, string> } = {};
      await kc.applyToHTTPSOptions(o);
      dates.push(decode(o.headers!.Authorization!.slice('Bearer '.length)).searchParams.get('X-Amz-Date')!);
    }

    expect(dates).toEqual(['20260601T120000Z', '20260601T120000Z', '20260601T121100Z']);
  });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('describeEksCluster()', () => {
  it.each([
    [
      'returns the endpoint and CA of an active cluster',
      200,
      { cluster: { name: 'prod-eu', status: 'ACTIVE', endpoint: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com', certificateAuthority: { data: 'Q0FEQVRB' } } },
      { endpoint: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com', caData: 'Q0FEQVRB' },
    ],
    [
      'fails naming the cluster when it has no endpoint yet',
      200,
      { cluster: { name: 'prod-eu', status: 'CREATING' } },
      /^failed to describe EKS cluster prod-eu in eu-west-1: the cluster has no endpoint or CA yet/,
    ],
    [
      'fails naming the cluster when EKS says it does not exist',
      404,
      { message: 'No cluster found for name: prod-eu.' },
      /^failed to describe EKS cluster prod-eu in eu-west-1: No cluster found for name: prod-eu\./,
    ],
  ])('%s', async (_name, status, body, expected) => {
    const paths: string[] = [];
    const server = createServer((req, res) => {
      paths.push(`${req.method} ${req.url}`);
      res.writeHead(status, { 'content-type': 'application/json', ...(status === 404 ? { 'x-amzn-errortype': 'ResourceNotFoundException' } : {}) });
      res.end(JSON.stringify(body));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const client = new EKSClient({
      region: 'eu-west-1',
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      credentials: CREDENTIALS,
      maxAttempts: 1,
    });

    const result = describeEksCluster('prod-eu', 'eu-west-1', client).catch((e: Error) => e);

    const value = await result;
    server.close();
    expect(paths).toEqual(['GET /clusters/prod-eu']);
    if (expected instanceof RegExp) expect((value as Error).message).toMatch(expected);
    else expect(value).toEqual(expected);
  });
});
