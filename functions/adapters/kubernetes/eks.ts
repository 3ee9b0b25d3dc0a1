// EKS access from a Lambda with no aws CLI: the bearer token `aws eks get-token` prints, built in-process
// from a SigV4-presigned STS GetCallerIdentity URL that signs the `x-k8s-aws-id: <cluster>` header.
// Format and validity: aws-cli customizations/eks/get_token.py, aws-iam-authenticator pkg/token/token.go.
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { KubeConfig, type User } from '@kubernetes/client-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import type * as https from 'node:https';
import { KubernetesError } from '../../core/errors.js';

/** Token prefix the EKS authenticator expects. */
export const EKS_TOKEN_PREFIX = 'k8s-aws-v1.';
/** The server accepts a token for 15 minutes after X-Amz-Date; refresh well before (the aws CLI says 14). */
export const EKS_TOKEN_REFRESH_MS = 10 * 60_000;

export interface EksTokenOptions {
  clusterName: string;
  region: string;
  /** Default: the SDK's Node credential chain (env, web identity, container/instance role, SSO, profile). */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Signing time (tests); default now. */
  now?: Date;
}

/** Returns an EKS bearer token: `k8s-aws-v1.` + unpadded base64url of the presigned STS URL. */
export async function createEksToken(o: EksTokenOptions): Promise<string> {
  const hostname = stsHostname(o.region);
  const signer = new SignatureV4({ service: 'sts', region: o.region, credentials: o.credentials ?? defaultProvider(), sha256: NodeSha256 });
  const signed = await signer.presign(
    {
      method: 'GET',
      protocol: 'https:',
      hostname,
      path: '/',
      headers: { host: hostname, 'x-k8s-aws-id': o.clusterName },
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
    },
    { expiresIn: 60, ...(o.now ? { signingDate: o.now } : {}) },
  );
  const query = Object.entries(signed.query ?? {})
    .map(([k, v]) => `${rfc3986(k)}=${rfc3986(String(Array.isArray(v) ? v[0] : v))}`)
    .join('&');
  const url = `https://${hostname}/?${query}`;
  return EKS_TOKEN_PREFIX + Buffer.from(url).toString('base64url');
}

export interface EksClusterAccess {
  clusterName: string;
  /** API server URL (`https://…eks.amazonaws.com`). */
  endpoint: string;
  /** Base64 PEM of the cluster CA, as DescribeCluster returns it. */
  caData: string;
  region: string;
  credentials?: EksTokenOptions['credentials'];
}

/** Returns a KubeConfig for an EKS cluster whose bearer token is made in-process and renewed every 10 minutes. */
export function kubeConfigForEks(o: EksClusterAccess): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: o.clusterName, server: o.endpoint, caData: o.caData, skipTLSVerify: false }],
    users: [{ name: 'drift-auditor', authProvider: { name: EKS_AUTH_PROVIDER, config: {} } }],
    contexts: [{ name: o.clusterName, cluster: o.clusterName, user: 'drift-auditor' }],
    currentContext: o.clusterName,
  });
  let cached: { token: string; at: number } | undefined;
  kc.addAuthenticator({
    isAuthProvider: (user: User) => user.authProvider?.name === EKS_AUTH_PROVIDER,
    async applyAuthentication(_user: User, opts: https.RequestOptions) {
      if (!cached || Date.now() - cached.at > EKS_TOKEN_REFRESH_MS) {
        const at = Date.now();
        try {
          cached = { token: await createEksToken({ clusterName: o.clusterName, region: o.region, credentials: o.credentials }), at };
        } catch (err) {
          throw new KubernetesError(`failed to create an EKS token for ${o.clusterName}: ${(err as Error).message}`, { cause: err });
        }
      }
      opts.headers = { ...opts.headers, Authorization: `Bearer ${cached.token}` };
    },
  });
  return kc;
}

/** Returns the endpoint and CA of an EKS cluster from `eks:DescribeCluster`. */
export async function describeEksCluster(
  name: string,
  region: string,
  client: EKSClient = new EKSClient({ region }),
): Promise<{ endpoint: string; caData: string }> {
  try {
    const { cluster } = await client.send(new DescribeClusterCommand({ name }));
    if (!cluster?.endpoint || !cluster.certificateAuthority?.data) throw new Error('the cluster has no endpoint or CA yet (is it ACTIVE?)');
    return { endpoint: cluster.endpoint, caData: cluster.certificateAuthority.data };
  } catch (err) {
    throw new KubernetesError(`failed to describe EKS cluster ${name} in ${region}: ${(err as Error).message}`, { cause: err });
  }
}

const EKS_AUTH_PROVIDER = 'drift-auditor-eks';

function stsHostname(region: string): string {
  return region.startsWith('cn-') ? `sts.${region}.amazonaws.com.cn` : `sts.${region}.amazonaws.com`;
}

function rfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** SHA-256 / HMAC-SHA-256 over node:crypto in the shape @smithy/signature-v4 wants. */
class NodeSha256 {
  private hash: Hash | Hmac;
  constructor(private readonly secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = NodeSha256.create(secret);
  }
  private static create(secret: string | ArrayBuffer | ArrayBufferView | undefined): Hash | Hmac {
    if (secret === undefined) return createHash('sha256');
    return createHmac('sha256', toBinary(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(toBinary(data));
  }
  async digest(): Promise<Uint8Array> {
    return this.hash.digest();
  }
  reset(): void {
    this.hash = NodeSha256.create(this.secret);
  }
}

function toBinary(d: string | ArrayBuffer | ArrayBufferView): string | Buffer {
  if (typeof d === 'string') return d;
  return ArrayBuffer.isView(d) ? Buffer.from(d.buffer, d.byteOffset, d.byteLength) : Buffer.from(d);
}
