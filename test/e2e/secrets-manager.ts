// A loopback AWS Secrets Manager for the end-to-end test: GetSecretValue over the real AWS JSON 1.1
// protocol, so the handlers' real SDK client reaches it through AWS_ENDPOINT_URL_SECRETS_MANAGER.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SecretsManagerEmulator {
  url: string;
  /** Secret name -> SecretString; change values at any time. */
  secrets: Map<string, string>;
  /** SecretIds requested, in order. */
  requests: string[];
  close(): Promise<void>;
}

/** Starts the emulator on 127.0.0.1 with a free port. */
export async function startSecretsManager(secrets: Record<string, string>): Promise<SecretsManagerEmulator> {
  const map = new Map(Object.entries(secrets));
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { SecretId?: string };
      const send = (status: number, json: object, type?: string): void => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', ...(type ? { 'x-amzn-errortype': type } : {}) });
        res.end(JSON.stringify(json));
      };
      if (target !== 'secretsmanager.GetSecretValue') return send(400, { __type: 'UnknownOperationException', message: target }, 'UnknownOperationException');
      requests.push(body.SecretId ?? '');
      const value = map.get(body.SecretId ?? '');
      if (value === undefined)
        return send(400, { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." }, 'ResourceNotFoundException');
      send(200, {
        ARN: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${body.SecretId}-AbCdEf`,
        Name: body.SecretId,
        SecretString: value,
        VersionId: 'v1',
        CreatedDate: 1_700_000_000,
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    secrets: map,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
