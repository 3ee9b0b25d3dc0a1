import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { pack } from 'tar-stream';
import { stringify } from 'yaml';
import { ChartSource } from '../../../functions/adapters/render/chart-source.js';
import { findTool } from '../../../functions/adapters/tools.js';
import { pushChart, startOciRegistry, type OciRegistry } from '../../emulators/oci-registry/server.js';
import { CHARTS } from './repo.js';

/** A packaged chart named `name` (Chart.yaml only), as `helm package` lays it out. */
async function chartTgz(name: string): Promise<Buffer> {
  const p = pack();
  p.entry({ name: `${name}/Chart.yaml` }, `apiVersion: v2\nname: ${name}\nversion: 1.0.0\n`);
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p) chunks.push(c as Buffer);
  return gzipSync(Buffer.concat(chunks));
}

interface Hostile {
  url: string;
  requests: { path: string; headers: IncomingHttpHeaders }[];
}

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

/** A loopback chart repository serving `routes` (path -> body; a function streams chunks without a length). */
async function hostileRepo(routes: (url: string) => Record<string, Buffer | string | (() => AsyncIterable<Buffer>)>): Promise<Hostile> {
  const requests: Hostile['requests'] = [];
  let table: ReturnType<typeof routes> = {};
  server = createServer((req, res) => {
    requests.push({ path: req.url ?? '', headers: req.headers });
    const body = table[req.url ?? ''];
    if (body === undefined) res.writeHead(404).end();
    else if (typeof body === 'function') {
      res.writeHead(200);
      void (async () => {
        for await (const c of body()) if (!res.write(c)) await new Promise((r) => res.once('drain', r));
        res.end();
      })().catch(() => res.destroy());
    } else res.writeHead(200).end(body);
  });
  const url = await new Promise<string>((resolve) =>
    server!.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server!.address() as { port: number }).port}`)),
  );
  table = routes(url);
  return { url, requests };
}

function index(entries: Record<string, { version: string; urls: string[] }[]>): string {
  return stringify({ apiVersion: 'v1', entries });
}

describe('ChartSource.pull()', () => {
  it.each([
    ['a chart name', '../../../escaped', '1.0.0'],
    ['an index version', 'app', '../../../../escaped'],
  ])('refuses %s that would leave the cache folder, writing nothing outside it', async (_what, chart, version) => {
    const tgz = await chartTgz('app');
    const repo = await hostileRepo(() => ({ '/index.yaml': index({ [chart]: [{ version, urls: ['/c.tgz'] }] }), '/c.tgz': tgz }));
    const root = mkdtempSync(join(tmpdir(), 'chart-escape-'));
    const source = new ChartSource({ cacheDir: join(root, 'cache') });

    const pulled = source.pull({ repoURL: repo.url, chart, version });

    await expect(pulled).rejects.toThrow(/is not a plain name/);
    expect(readdirSync(root).filter((f) => f !== 'cache')).toEqual([]);
  });

  it.each([
    ['with a Content-Length', (big: Buffer) => big],
    [
      'streamed without a length',
      (big: Buffer) =>
        async function* () {
          for (let i = 0; i < big.length; i += 1024) yield big.subarray(i, i + 1024);
        },
    ],
  ])('refuses an index.yaml larger than its cap (%s)', async (_how, serve) => {
    const big = Buffer.from(`${index({ app: [{ version: '1.0.0', urls: ['/c.tgz'] }] })}# ${'x'.repeat(64 * 1024)}\n`);
    const repo = await hostileRepo(() => ({ '/index.yaml': serve(big) }));
    const source = new ChartSource({ cacheDir: mkdtempSync(join(tmpdir(), 'chart-cap-')), maxBytes: 16 * 1024 });

    const pulled = source.pull({ repoURL: repo.url, chart: 'app', version: '1.0.0' });

    await expect(pulled).rejects.toThrow(`failed to fetch ${repo.url}/index.yaml: larger than 16384 bytes`);
  });

  it('sends credentials only under their repository URL, not to a longer path that merely starts with it', async () => {
    const tgz = await chartTgz('app');
    const repo = await hostileRepo(() => ({
      '/charts/index.yaml': index({ app: [{ version: '1.0.0', urls: ['/charts-elsewhere/app-1.0.0.tgz'] }] }),
      '/charts-elsewhere/app-1.0.0.tgz': tgz,
    }));
    const env = { DRIFT_AUDITOR_HELM_CREDENTIALS: JSON.stringify({ [`${repo.url}/charts`]: { username: 'u', password: 'planted-secret' } }) };
    const source = new ChartSource({ cacheDir: mkdtempSync(join(tmpdir(), 'chart-creds-')), env });

    await source.pull({ repoURL: `${repo.url}/charts`, chart: 'app', version: '1.0.0' });

    expect(repo.requests.map((r) => [r.path, r.headers.authorization !== undefined])).toEqual([
      ['/charts/index.yaml', true],
      ['/charts-elsewhere/app-1.0.0.tgz', false],
    ]);
  });

  it('follows a chart repository redirected to another host without the credentials', async () => {
    const tgz = await chartTgz('app');
    const seen: (string | undefined)[] = [];
    const elsewhere = createServer((req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(200).end(req.url === '/index.yaml' ? index({ app: [{ version: '1.0.0', urls: ['/c.tgz'] }] }) : tgz);
    });
    const port = await new Promise<number>((resolve) => elsewhere.listen(0, 'localhost', () => resolve((elsewhere.address() as { port: number }).port)));
    const repo = await hostileRepo(() => ({}));
    server!.removeAllListeners('request');
    server!.on('request', (req: IncomingMessage, res: ServerResponse) => {
      repo.requests.push({ path: req.url ?? '', headers: req.headers });
      res.writeHead(302, { location: `http://localhost:${port}${req.url}` }).end();
    });
    const env = { DRIFT_AUDITOR_HELM_CREDENTIALS: JSON.stringify({ [repo.url]: { username: 'u', password: 'planted-secret' } }) };
    const source = new ChartSource({ cacheDir: mkdtempSync(join(tmpdir(), 'chart-redirect-')), env });

    try {
      await source.pull({ repoURL: repo.url, chart: 'app', version: '1.0.0' });
    } finally {
      await new Promise((resolve) => elsewhere.close(resolve));
    }

    expect([repo.requests.every((r) => r.headers.authorization !== undefined), seen]).toEqual([true, [undefined, undefined]]);
  });

  it.each([
    ['not JSON', 'planted-secret', 'DRIFT_AUDITOR_HELM_CREDENTIALS is not JSON'],
    ['null', 'null', 'DRIFT_AUDITOR_HELM_CREDENTIALS must be a JSON object'],
    ['an array', '["planted-secret"]', 'DRIFT_AUDITOR_HELM_CREDENTIALS must be a JSON object'],
    ['a password string as an entry', '{"http://127.0.0.1": "planted-secret"}', 'DRIFT_AUDITOR_HELM_CREDENTIALS entry 1: must be an object'],
    [
      'a number as a password',
      '{"http://127.0.0.1": {"username": "u", "password": 12345678}}',
      'DRIFT_AUDITOR_HELM_CREDENTIALS entry 1: password must be a string',
    ],
  ])('names DRIFT_AUDITOR_HELM_CREDENTIALS %s without echoing its value', async (_what, raw, message) => {
    const repo = await hostileRepo(() => ({}));
    const source = new ChartSource({ cacheDir: mkdtempSync(join(tmpdir(), 'chart-bad-creds-')), env: { DRIFT_AUDITOR_HELM_CREDENTIALS: raw } });

    const error = await source.pull({ repoURL: repo.url, chart: 'app', version: '1.0.0' }).catch((e: Error) => e);

    expect([(error as Error).message.startsWith(message), /planted-secret|12345678/.test((error as Error).message), repo.requests]).toEqual([true, false, []]);
  });

  it('refuses an OCI chart larger than the cap, and pulls it under a cap it fits', async () => {
    const helm = await findTool('helm');
    const registry = await startOciRegistry();
    try {
      await pushChart(registry, { helm, chartDir: `${CHARTS}node-agent`, version: '1.4.0', path: 'charts' });
      const req = { repoURL: `oci://${registry.host}/charts`, chart: 'node-agent', version: '1.4.0' };
      const small = new ChartSource({ cacheDir: mkdtempSync(join(tmpdir(), 'chart-oci-cap-')), helm: () => Promise.resolve(helm), maxBytes: 256 });
      const fits = new ChartSource({ cacheDir: mkdtempSync(join(tmpdir(), 'chart-oci-ok-')), helm: () => Promise.resolve(helm) });

      await expect(small.pull(req)).rejects.toThrow(`failed to pull chart oci://${registry.host}/charts/node-agent 1.4.0: larger than 256 bytes`);
      expect(existsSync(join((await fits.pull(req)).dir, 'Chart.yaml'))).toBe(true);
    } finally {
      await registry.close();
    }
  });

  it('gives helm the registry credentials for the registry only: a chart blob redirected to another host is fetched without them', async () => {
    const helm = await findTool('helm');
    const auth = { username: 'robot', password: 'planted-secret' };
    let registry: OciRegistry | undefined;
    const seen: (string | undefined)[] = [];
    const storage = createServer((req, res) => {
      seen.push(req.headers.authorization);
      const data = registry?.blobs.get((req.url ?? '').slice(1));
      if (data) res.writeHead(200, { 'content-length': data.length }).end(data);
      else res.writeHead(404).end();
    });
    const port = await new Promise<number>((resolve) => storage.listen(0, 'localhost', () => resolve((storage.address() as { port: number }).port)));
    try {
      registry = await startOciRegistry({ auth, redirectBlobsTo: `http://localhost:${port}/` });
      await pushChart(registry, { helm, chartDir: `${CHARTS}node-agent`, version: '1.4.0', path: 'charts', auth });
      const env = { DRIFT_AUDITOR_HELM_CREDENTIALS: JSON.stringify({ [`oci://${registry.host}`]: auth }) };
      const source = new ChartSource({ cacheDir: mkdtempSync(join(tmpdir(), 'chart-oci-redirect-')), env, helm: () => Promise.resolve(helm) });

      const pulled = await source.pull({ repoURL: `oci://${registry.host}/charts`, chart: 'node-agent', version: '1.4.0' });

      expect(existsSync(join(pulled.dir, 'Chart.yaml'))).toBe(true);
      expect([seen.length > 0, seen.filter((a) => a !== undefined)]).toEqual([true, []]);
    } finally {
      await registry?.close();
      await new Promise((resolve) => storage.close(resolve));
    }
  });

  it('pulls a chart from a repository that stays inside its limits (the cases above fail for their one reason)', async () => {
    const tgz = await chartTgz('app');
    const repo = await hostileRepo(() => ({ '/index.yaml': index({ app: [{ version: '1.0.0', urls: ['/c.tgz'] }] }), '/c.tgz': tgz }));
    const source = new ChartSource({ cacheDir: mkdtempSync(join(tmpdir(), 'chart-ok-')), maxBytes: 16 * 1024 });

    const pulled = await source.pull({ repoURL: repo.url, chart: 'app', version: '1.0.0' });

    expect(existsSync(join(pulled.dir, 'Chart.yaml'))).toBe(true);
  });
});
