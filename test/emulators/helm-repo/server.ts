// A loopback Helm chart repository: index.yaml plus packaged charts, as `helm repo index` lays them out,
// served over HTTP with optional basic auth. The charts are packaged by the real helm (`helm package`)
// in the test setup, and the index is written by `helm repo index`, so what is served is what a real
// chart repository serves.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';

export interface HelmRepoEmulator {
  url: string;
  /** Paths requested, in order. */
  log: string[];
  close(): Promise<void>;
}

export interface HelmRepoOptions {
  /** `chart folder -> versions to package it as`. */
  charts: { dir: string; versions: string[]; appVersion?: string }[];
  helm: string;
  /** When set, every request must carry these basic-auth credentials (else 401). */
  auth?: { username: string; password: string };
}

/** Packages the charts with helm, indexes them, and serves the folder on 127.0.0.1. */
export async function startHelmRepo(opts: HelmRepoOptions): Promise<HelmRepoEmulator> {
  const dir = mkdtempSync(join(tmpdir(), 'helm-repo-'));
  for (const c of opts.charts) {
    for (const v of c.versions) {
      execFileSync(opts.helm, ['package', c.dir, '--version', v, ...(c.appVersion ? ['--app-version', c.appVersion] : []), '--destination', dir], {
        stdio: 'pipe',
        env: { PATH: process.env.PATH ?? '', HOME: dir },
      });
    }
  }
  const log: string[] = [];
  let server: Server;
  const url = await new Promise<string>((resolve) => {
    server = createServer((req, res) => {
      const path = decodeURIComponent((req.url ?? '/').split('?')[0]!);
      log.push(path);
      if (opts.auth) {
        const want = `Basic ${Buffer.from(`${opts.auth.username}:${opts.auth.password}`).toString('base64')}`;
        if (req.headers.authorization !== want) {
          res.writeHead(401, { 'www-authenticate': 'Basic realm="charts"' }).end('unauthorized');
          return;
        }
      }
      const file = normalize(join(dir, path));
      if (!file.startsWith(dir)) {
        res.writeHead(400).end();
        return;
      }
      try {
        const body = readFileSync(file);
        res.writeHead(200, { 'content-type': path.endsWith('.yaml') ? 'text/yaml' : 'application/gzip' }).end(body);
      } catch {
        res.writeHead(404).end('not found');
      }
    });
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address() as { port: number };
      resolve(`http://127.0.0.1:${addr.port}`);
    });
  });
  execFileSync(opts.helm, ['repo', 'index', dir, '--url', `${url}/charts`], { stdio: 'pipe', env: { PATH: process.env.PATH ?? '', HOME: dir } });
  // Packaged charts are served under /charts/, as many repositories do (the index names absolute URLs).
  const { mkdirSync, renameSync, readdirSync } = await import('node:fs');
  mkdirSync(join(dir, 'charts'));
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.tgz'))) renameSync(join(dir, f), join(dir, 'charts', f));
  return {
    url,
    log,
    close: () =>
      new Promise<void>((resolve) =>
        server.close(() => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        }),
      ),
  };
}
