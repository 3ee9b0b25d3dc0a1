// A loopback OCI registry: the part of the OCI distribution API (opencontainers/distribution-spec, spec.md)
// that the real helm v4 uses to push and pull charts. `GET /v2/`, blob uploads (POST then PUT with the
// digest, PATCH chunks too), blobs and manifests by tag or digest with their HEAD variants, and the tag
// list helm reads to resolve a version range. Optional basic auth answers 401 with `WWW-Authenticate:
// Basic`, as registries without a token service do. Charts are pushed with the real `helm push`.
import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface OciRegistryOptions {
  /** When set, every request must carry these basic-auth credentials (else 401). */
  auth?: { username: string; password: string };
  /** When set, a blob GET is answered with a 307 to this URL plus the digest (blob storage elsewhere, as registries backed by S3 do). */
  redirectBlobsTo?: string;
}

export interface OciRegistry {
  /** `127.0.0.1:PORT`: what `oci://` URLs and registry configs name. */
  host: string;
  /** Requests in order: `METHOD path status`. */
  log: string[];
  /** Tag -> manifest digest, per repository (`charts/node-agent`). */
  tags: Map<string, Map<string, string>>;
  /** Blobs and manifests by digest. */
  blobs: Map<string, Buffer>;
  close(): Promise<void>;
}

const NAME = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*';
const ROUTE = new RegExp(`^/v2/(${NAME})/(blobs/uploads/([^/]*)|blobs/([^/]+)|manifests/([^/]+)|tags/list)$`);
const MANIFEST_TYPE = 'application/vnd.oci.image.manifest.v1+json';

/** Starts the registry on 127.0.0.1 with a free port. */
export async function startOciRegistry(opts: OciRegistryOptions = {}): Promise<OciRegistry> {
  const log: string[] = [];
  const tags = new Map<string, Map<string, string>>();
  const blobs = new Map<string, Buffer>();
  const manifestTypes = new Map<string, string>();
  const uploads = new Map<string, Buffer[]>();
  const want = opts.auth ? `Basic ${Buffer.from(`${opts.auth.username}:${opts.auth.password}`).toString('base64')}` : undefined;

  const handle = (req: IncomingMessage, res: ServerResponse, body: Buffer): void => {
    const url = new URL(req.url ?? '/', 'http://registry');
    const send = (status: number, headers: Record<string, string | number> = {}, data?: Buffer | string): void => {
      log.push(`${req.method} ${url.pathname} ${status}`);
      res.writeHead(status, { 'docker-distribution-api-version': 'registry/2.0', ...headers });
      res.end(req.method === 'HEAD' ? undefined : data);
    };
    const error = (status: number, code: string, message: string): void => {
      send(status, { 'content-type': 'application/json' }, JSON.stringify({ errors: [{ code, message }] }));
    };
    if (want && req.headers.authorization !== want) {
      send(
        401,
        { 'www-authenticate': 'Basic realm="oci-registry"', 'content-type': 'application/json' },
        JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }),
      );
      return;
    }
    if (url.pathname === '/v2/' || url.pathname === '/v2') {
      send(200, { 'content-type': 'application/json' }, '{}');
      return;
    }
    const m = ROUTE.exec(url.pathname);
    if (!m) {
      error(404, 'NAME_UNKNOWN', 'no such route');
      return;
    }
    const [, repo, , uploadId, blobDigest, reference] = m as unknown as [string, string, string, string | undefined, string | undefined, string | undefined];

    if (uploadId !== undefined) {
      if (req.method === 'POST' && uploadId === '') {
        const digest = url.searchParams.get('digest');
        if (digest) {
          storeBlob(digest, body);
          return;
        } // monolithic upload in one POST
        const id = randomUUID();
        uploads.set(id, []);
        send(202, { location: `/v2/${repo}/blobs/uploads/${id}`, 'docker-upload-uuid': id, range: '0-0', 'content-length': 0 });
        return;
      }
      const parts = uploads.get(uploadId);
      if (!parts) {
        error(404, 'BLOB_UPLOAD_UNKNOWN', 'no such upload');
        return;
      }
      if (req.method === 'PATCH') {
        parts.push(body);
        const size = parts.reduce((n, p) => n + p.length, 0);
        send(202, {
          location: `/v2/${repo}/blobs/uploads/${uploadId}`,
          'docker-upload-uuid': uploadId,
          range: `0-${Math.max(0, size - 1)}`,
          'content-length': 0,
        });
        return;
      }
      if (req.method === 'PUT') {
        const digest = url.searchParams.get('digest');
        if (!digest) {
          error(400, 'DIGEST_INVALID', 'digest missing');
          return;
        }
        uploads.delete(uploadId);
        storeBlob(digest, Buffer.concat([...parts, body]));
        return;
      }
      error(405, 'UNSUPPORTED', `${req.method} on an upload`);
      return;

      function storeBlob(digest: string, data: Buffer): void {
        if (digest !== sha256(data)) {
          error(400, 'DIGEST_INVALID', `content is ${sha256(data)}, not ${digest}`);
          return;
        }
        blobs.set(digest, data);
        send(201, { location: `/v2/${repo}/blobs/${digest}`, 'docker-content-digest': digest, 'content-length': 0 });
      }
    }

    if (blobDigest !== undefined) {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        error(405, 'UNSUPPORTED', `${req.method} on a blob`);
        return;
      }
      const data = blobs.get(blobDigest);
      if (!data || manifestTypes.has(blobDigest)) {
        error(404, 'BLOB_UNKNOWN', 'blob unknown to registry');
        return;
      }
      if (opts.redirectBlobsTo && req.method === 'GET') {
        send(307, { location: `${opts.redirectBlobsTo}${blobDigest}` });
        return;
      }
      send(200, { 'content-type': 'application/octet-stream', 'content-length': data.length, 'docker-content-digest': blobDigest }, data);
      return;
    }

    if (reference !== undefined) {
      const repoTags = tags.get(repo) ?? new Map<string, string>();
      if (req.method === 'PUT') {
        const digest = sha256(body);
        if (reference.startsWith('sha256:') && reference !== digest) {
          error(400, 'DIGEST_INVALID', 'manifest digest mismatch');
          return;
        }
        let parsed: { mediaType?: string; config?: { digest?: string }; layers?: { digest?: string }[] };
        try {
          parsed = JSON.parse(body.toString('utf8')) as typeof parsed;
        } catch {
          error(400, 'MANIFEST_INVALID', 'not JSON');
          return;
        }
        const missing = [parsed.config?.digest, ...(parsed.layers ?? []).map((l) => l.digest)].find((d) => !d || !blobs.has(d));
        if (missing !== undefined) {
          error(400, 'MANIFEST_BLOB_UNKNOWN', `blob ${missing} unknown`);
          return;
        }
        blobs.set(digest, body);
        manifestTypes.set(digest, parsed.mediaType ?? String(req.headers['content-type'] ?? MANIFEST_TYPE));
        if (!reference.startsWith('sha256:')) {
          repoTags.set(reference, digest);
          tags.set(repo, repoTags);
        }
        send(201, { location: `/v2/${repo}/manifests/${digest}`, 'docker-content-digest': digest, 'content-length': 0 });
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        error(405, 'UNSUPPORTED', `${req.method} on a manifest`);
        return;
      }
      const digest = reference.startsWith('sha256:') ? reference : repoTags.get(reference);
      const data = digest ? blobs.get(digest) : undefined;
      if (!digest || !data || !manifestTypes.has(digest)) {
        error(404, 'MANIFEST_UNKNOWN', `manifest ${reference} unknown`);
        return;
      }
      send(200, { 'content-type': manifestTypes.get(digest)!, 'content-length': data.length, 'docker-content-digest': digest }, data);
      return;
    }

    if (req.method !== 'GET') {
      error(405, 'UNSUPPORTED', `${req.method} on tags`);
      return;
    }
    const list = [...(tags.get(repo)?.keys() ?? [])].sort();
    if (!tags.has(repo)) {
      error(404, 'NAME_UNKNOWN', `repository ${repo} unknown`);
      return;
    }
    send(200, { 'content-type': 'application/json' }, JSON.stringify({ name: repo, tags: list }));
  };

  let server: Server;
  const port = await new Promise<number>((resolve) => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => handle(req, res, Buffer.concat(chunks)));
    });
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });
  return {
    host: `127.0.0.1:${port}`,
    log,
    tags,
    blobs,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function sha256(b: Buffer): string {
  return `sha256:${createHash('sha256').update(b).digest('hex')}`;
}

/** Packages `chartDir` as `version` with the real helm and pushes it to `oci://<host>/<path>` (async: the registry shares this process). */
export async function pushChart(
  registry: OciRegistry,
  o: { helm: string; chartDir: string; version: string; appVersion?: string; path: string; auth?: { username: string; password: string } },
): Promise<void> {
  const run = (args: string[], env: Record<string, string>) =>
    new Promise<void>((resolve, reject) => {
      execFile(o.helm, args, { env }, (err, _out, stderr) => (err ? reject(new Error(`helm ${args[0]}: ${stderr}`)) : resolve()));
    });
  const dir = await mkdtemp(join(tmpdir(), 'oci-push-'));
  try {
    const env = { PATH: process.env.PATH ?? '', HOME: dir };
    const config = join(dir, 'registry.json');
    const auths = o.auth ? { [registry.host]: { auth: Buffer.from(`${o.auth.username}:${o.auth.password}`).toString('base64') } } : {};
    await writeFile(config, JSON.stringify({ auths }), { mode: 0o600 });
    await run(['package', o.chartDir, '--version', o.version, ...(o.appVersion ? ['--app-version', o.appVersion] : []), '--destination', dir], env);
    const name = (await readdir(dir)).find((f) => f.endsWith('.tgz'))!;
    await run(['push', join(dir, name), `oci://${registry.host}/${o.path}`, '--plain-http', '--registry-config', config], env);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
