// Charts from Helm repositories: HTTP(S) (index.yaml plus packaged charts, as `helm pull` reads them)
// and OCI registries (through `helm pull oci://…`). A version may be exact or a semver range (Flux
// HelmRelease `version`, Argo CD `targetRevision`). Pulled charts are checked against the index's
// digest and cached unpacked under <cache>/charts/ by repository, name, version and digest, so a
// warm run downloads nothing for a pinned version. Credentials come from the environment:
// DRIFT_AUDITOR_HELM_CREDENTIALS = {"<repository URL prefix>": {"username": "…", "password": "…"}}. They
// never reach a command line (other processes can read /proc/<pid>/cmdline): HTTP repositories get our own
// Authorization header, and helm gets OCI credentials in a registry config file, 0600 in a private temp
// folder that is removed after the pull.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { gunzipSync } from 'node:zlib';
import semver from 'semver';
import { extract } from 'tar-stream';
import { parse as parseYaml } from 'yaml';
import { RenderError, runTool } from './exec.js';

export interface ChartRequest {
  /** `https://charts.example.com`, or `oci://registry/path` (the chart name is appended). */
  repoURL: string;
  chart: string;
  /** Exact version or semver range; absent means the newest stable version. */
  version?: string;
}

export interface PulledChart {
  /** Absolute folder of the unpacked chart. */
  dir: string;
  name: string;
  version: string;
  repo: string;
  /** sha256 of the packaged chart. */
  digest: string;
}

export interface ChartSourceOptions {
  cacheDir: string;
  env?: NodeJS.ProcessEnv;
  /** Finds helm, for OCI pulls (called only when an OCI chart is pulled). */
  helm?: () => Promise<string>;
  timeoutMs?: number;
  /** The most bytes one download (index.yaml or packaged chart) may hold; MAX_DOWNLOAD_BYTES unless set. */
  maxBytes?: number;
}

/** 100 MiB: helm's own cap on a decompressed chart (MaxDecompressedChartSize); an index or a chart beyond it is refused, not read. */
export const MAX_DOWNLOAD_BYTES = 100 * 1024 * 1024;

interface IndexEntry {
  version: string;
  urls?: string[];
  digest?: string;
}
interface Credentials {
  username?: string;
  password?: string;
}

/** Normalises a repository URL for comparison and cache keys: no trailing slash. */
export function normaliseRepoURL(u: string): string {
  return u.trim().replace(/\/+$/, '');
}

/** Pulls charts from Helm repositories, with one index read per repository and a digest-keyed cache. */
export class ChartSource {
  private readonly indexes = new Map<string, Promise<Record<string, IndexEntry[]>>>();
  private readonly pulls = new Map<string, Promise<PulledChart>>();

  constructor(private readonly opts: ChartSourceOptions) {}

  /** Returns the chart unpacked on disk; rejects with RenderError saying why (no such version, credentials, digest). */
  pull(req: ChartRequest): Promise<PulledChart> {
    const key = JSON.stringify([normaliseRepoURL(req.repoURL), req.chart, req.version ?? '']);
    let p = this.pulls.get(key);
    if (!p) {
      p = req.repoURL.startsWith('oci://') ? this.pullOci(req) : this.pullHttp(req);
      this.pulls.set(key, p);
    }
    return p;
  }

  private credentials(url: string): Credentials | undefined {
    const raw = (this.opts.env ?? process.env).DRIFT_AUDITOR_HELM_CREDENTIALS;
    if (!raw) return undefined;
    const map = parseCredentials(raw);
    // An OCI repository may be named with or without its oci:// scheme (Argo CD writes it without). A key
    // matches whole path segments only: https://charts.example.com is not a prefix of https://charts.example.com.evil.net.
    const bare = url.replace(/^oci:\/\//, '');
    const within = (u: string, prefix: string): boolean => u === prefix || u.startsWith(`${prefix}/`);
    const hit = Object.keys(map)
      .filter((k) => within(url, normaliseRepoURL(k)) || within(bare, normaliseRepoURL(k).replace(/^oci:\/\//, '')))
      .sort((a, b) => b.length - a.length)[0];
    return hit ? map[hit] : undefined;
  }

  private async get(url: string): Promise<Buffer> {
    const creds = this.credentials(url);
    const headers: Record<string, string> = {};
    if (creds?.username !== undefined) headers.authorization = `Basic ${Buffer.from(`${creds.username}:${creds.password ?? ''}`).toString('base64')}`;
    let res: Response;
    try {
      res = await fetch(url, { headers, signal: AbortSignal.timeout(this.opts.timeoutMs ?? 60_000) });
    } catch (err) {
      throw new RenderError(`failed to fetch ${url}: ${(err as Error).cause ? String((err as { cause: unknown }).cause) : (err as Error).message}`, {
        cause: err,
      });
    }
    if (res.status === 401 || res.status === 403) {
      throw new RenderError(
        creds
          ? `failed to fetch ${url}: ${res.status}: the credentials were refused`
          : `failed to fetch ${url}: ${res.status}: a private chart repository, and no credentials for it (set DRIFT_AUDITOR_HELM_CREDENTIALS)`,
      );
    }
    if (!res.ok) throw new RenderError(`failed to fetch ${url}: HTTP ${res.status}`);
    return readCapped(res, url, this.opts.maxBytes ?? MAX_DOWNLOAD_BYTES);
  }

  private index(repo: string): Promise<Record<string, IndexEntry[]>> {
    let p = this.indexes.get(repo);
    if (!p) {
      p = this.get(`${repo}/index.yaml`).then((b) => {
        const doc = parseYaml(b.toString('utf8'), { maxAliasCount: -1 }) as { entries?: Record<string, IndexEntry[]> } | null;
        if (!doc || typeof doc.entries !== 'object') throw new RenderError(`failed to read ${repo}/index.yaml: no entries`);
        return doc.entries;
      });
      this.indexes.set(repo, p);
      p.catch(() => this.indexes.delete(repo));
    }
    return p;
  }

  private async pullHttp(req: ChartRequest): Promise<PulledChart> {
    const repo = normaliseRepoURL(req.repoURL);
    const exact = req.version && semver.valid(req.version) ? semver.clean(req.version)! : undefined;
    if (exact) {
      const cached = await this.cached(repo, req.chart, exact);
      if (cached) return cached;
    }
    const entries = (await this.index(repo))[req.chart];
    if (!entries?.length) throw new RenderError(`chart ${req.chart} is not in ${repo}/index.yaml`);
    const entry = pickVersion(entries, req.version);
    if (!entry)
      throw new RenderError(
        `no version of chart ${req.chart} in ${repo} matches '${req.version}' (has ${entries
          .slice(0, 5)
          .map((e) => e.version)
          .join(', ')}${entries.length > 5 ? ', …' : ''})`,
      );
    const url = entry.urls?.[0];
    if (!url) throw new RenderError(`chart ${req.chart} ${entry.version} in ${repo} has no download URL`);
    const tgz = await this.get(new URL(url, `${repo}/`).toString());
    const digest = sha256(tgz);
    if (entry.digest && entry.digest !== digest)
      throw new RenderError(
        `chart ${req.chart} ${entry.version} from ${repo}: digest ${digest.slice(0, 12)} differs from the index's ${entry.digest.slice(0, 12)}`,
      );
    return this.store(repo, req.chart, entry.version, tgz, digest);
  }

  private async pullOci(req: ChartRequest): Promise<PulledChart> {
    const repo = normaliseRepoURL(req.repoURL);
    const version = req.version && semver.valid(req.version) ? semver.clean(req.version)! : req.version;
    if (version && semver.valid(version)) {
      const cached = await this.cached(repo, req.chart, version);
      if (cached) return cached;
    }
    const ref = `${repo}/${req.chart}`;
    const what = `chart ${ref}${version ? ` ${version}` : ''}`;
    if (!this.opts.helm) throw new RenderError(`cannot pull ${what}: no helm`);
    const host = ociHost(repo);
    const env = this.opts.env ?? process.env;
    const plainHttp = isLoopbackHost(host) || plainHttpRegistries(env).includes(host);
    const creds = this.credentials(repo);
    const helm = await this.opts.helm();
    await mkdir(this.opts.cacheDir, { recursive: true });
    const temp = await mkdtemp(join(this.opts.cacheDir, '.pull-'));
    try {
      // helm reads OCI credentials from this file only: never --password on argv, never the user's own config.
      const registryConfig = join(temp, 'registry.json');
      await writeFile(registryConfig, JSON.stringify(registryConfigFor(host, creds)), { mode: 0o600 });
      const out = join(temp, 'chart');
      await mkdir(out);
      const args = ['pull', ref, '--destination', out, '--registry-config', registryConfig];
      if (version) args.push('--version', version);
      if (plainHttp) args.push('--plain-http');
      try {
        await runTool(helm, args, { timeoutMs: this.opts.timeoutMs, env: helmHomes(this.opts.cacheDir) });
      } catch (err) {
        const msg = (err as Error).message;
        const denied = /\b(401|403)\b|basic credential not found|unauthorized|denied/i.test(msg);
        const why = denied
          ? creds
            ? 'the registry refused the credentials'
            : 'a private registry, and no credentials for it (set DRIFT_AUDITOR_HELM_CREDENTIALS)'
          : msg;
        throw new RenderError(`failed to pull ${what}: ${why}`, { cause: err });
      }
      const file = (await readdir(out)).find((f) => f.endsWith('.tgz'));
      if (!file) throw new RenderError(`failed to pull ${what}: helm wrote no chart`);
      // helm has written the layer into our private temp folder (removed below); we read no more of it than an HTTP download.
      const max = this.opts.maxBytes ?? MAX_DOWNLOAD_BYTES;
      if ((await stat(join(out, file))).size > max) throw new RenderError(`failed to pull ${what}: larger than ${max} bytes`);
      const tgz = await readFile(join(out, file));
      const pulledVersion = file.slice(req.chart.length + 1, -4);
      return await this.store(repo, req.chart, pulledVersion, tgz, sha256(tgz));
    } finally {
      await rm(temp, { recursive: true, force: true });
    }
  }

  private folder(repo: string, name: string, version: string): string {
    // Both come from Git or from the repository's index: a '../' in either would place (and first remove) a folder outside the cache.
    for (const [what, v] of [
      ['chart name', name],
      ['chart version', version],
    ])
      if (!/^[\w+-][\w.+-]*$/.test(v))
        throw new RenderError(`failed to pull chart ${JSON.stringify(name)} from ${repo}: the ${what} ${JSON.stringify(v)} is not a plain name`);
    return join(this.opts.cacheDir, 'charts', sha256(Buffer.from(repo)).slice(0, 16), `${name}-${version}`);
  }

  private async cached(repo: string, name: string, version: string): Promise<PulledChart | undefined> {
    const dir = this.folder(repo, name, version);
    const meta = await readFile(join(dir, 'pulled.json'), 'utf8').catch(() => undefined);
    if (!meta) return undefined;
    const { digest } = JSON.parse(meta) as { digest: string };
    return { dir: join(dir, 'chart', name), name, version, repo, digest };
  }

  private async store(repo: string, name: string, version: string, tgz: Buffer, digest: string): Promise<PulledChart> {
    const dir = this.folder(repo, name, version);
    await mkdir(join(dir, '..'), { recursive: true });
    const temp = await mkdtemp(`${dir}.unpack-`);
    try {
      await unpackChart(tgz, join(temp, 'chart'));
      await writeFile(join(temp, 'pulled.json'), JSON.stringify({ repo, name, version, digest }));
      await rm(dir, { recursive: true, force: true });
      await rename(temp, dir);
    } catch (err) {
      await rm(temp, { recursive: true, force: true });
      if (!(await stat(join(dir, 'pulled.json')).catch(() => null))) throw err;
    }
    return { dir: join(dir, 'chart', name), name, version, repo, digest };
  }
}

/** Returns the index entry a version or range selects: the exact version, else the highest satisfying stable one. */
export function pickVersion(entries: IndexEntry[], want?: string): IndexEntry | undefined {
  if (want && entries.some((e) => e.version === want)) return entries.find((e) => e.version === want);
  const range = !want || want === 'latest' ? '*' : want;
  if (!semver.validRange(range)) return undefined;
  const best = semver.maxSatisfying(
    entries.map((e) => e.version).filter((v) => semver.valid(v)),
    range,
  );
  return best ? entries.find((e) => e.version === best) : undefined;
}

/** HELM_*_HOME folders under the cache, so helm never reads or writes the user's own configuration. */
export function helmHomes(cacheDir: string): Record<string, string> {
  return {
    HELM_CACHE_HOME: join(cacheDir, 'helm', 'cache'),
    HELM_CONFIG_HOME: join(cacheDir, 'helm', 'config'),
    HELM_DATA_HOME: join(cacheDir, 'helm', 'data'),
  };
}

/** Returns the registry host (`host[:port]`) of an `oci://host/path` repository. */
export function ociHost(repo: string): string {
  return repo
    .replace(/^oci:\/\//, '')
    .split('/')[0]!
    .toLowerCase();
}

/** True for a registry on this machine (127.0.0.0/8, ::1, localhost), which may be spoken to without TLS. */
export function isLoopbackHost(host: string): boolean {
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d+$/, '');
  return name === 'localhost' || name === '::1' || /^127(\.\d{1,3}){3}$/.test(name);
}

/** The registries DRIFT_AUDITOR_OCI_PLAIN_HTTP names (comma-separated `host[:port]`), which helm may reach without TLS. */
function plainHttpRegistries(env: NodeJS.ProcessEnv): string[] {
  const raw = env.DRIFT_AUDITOR_OCI_PLAIN_HTTP?.trim();
  if (!raw) return [];
  const hosts = raw
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  const bad = hosts.find((h) => !/^[a-z0-9.-]+(:\d+)?$/.test(h) || !/[a-z]|\./.test(h));
  if (bad !== undefined) throw new RenderError(`DRIFT_AUDITOR_OCI_PLAIN_HTTP must list registry hosts (host[:port], comma-separated), not '${bad}'`);
  return hosts;
}

/** A registry config (docker config.json format, as helm and oras read it) holding only `host`'s credentials. */
function registryConfigFor(host: string, creds: Credentials | undefined): { auths: Record<string, { auth: string }> } {
  if (creds?.username === undefined) return { auths: {} };
  const auth = { auth: Buffer.from(`${creds.username}:${creds.password ?? ''}`).toString('base64') };
  // Docker Hub's credentials are stored under its legacy index URL.
  const keys = host === 'docker.io' || host === 'registry-1.docker.io' ? [host, 'https://index.docker.io/v1/'] : [host];
  return { auths: Object.fromEntries(keys.map((k) => [k, auth])) };
}

/** Throws RenderError naming DRIFT_AUDITOR_HELM_CREDENTIALS or DRIFT_AUDITOR_OCI_PLAIN_HTTP when either is set but unusable (before any chart needs it). */
export function checkChartSettings(env: NodeJS.ProcessEnv): void {
  if (env.DRIFT_AUDITOR_HELM_CREDENTIALS) parseCredentials(env.DRIFT_AUDITOR_HELM_CREDENTIALS);
  plainHttpRegistries(env);
}

/** Parses DRIFT_AUDITOR_HELM_CREDENTIALS; an error names the variable and what is wrong, never its value. */
function parseCredentials(raw: string): Record<string, Credentials> {
  let map: unknown;
  try {
    map = JSON.parse(raw);
  } catch {
    throw new RenderError('DRIFT_AUDITOR_HELM_CREDENTIALS is not JSON');
  }
  const bad = (why: string) => new RenderError(`DRIFT_AUDITOR_HELM_CREDENTIALS ${why}`);
  if (!map || typeof map !== 'object' || Array.isArray(map)) throw bad('must be a JSON object of repository URL -> {"username", "password"}');
  for (const [key, c] of Object.entries(map as Record<string, unknown>)) {
    const where = `entry ${Object.keys(map).indexOf(key) + 1}`;
    if (!c || typeof c !== 'object' || Array.isArray(c)) throw bad(`${where}: must be an object with username and password`);
    for (const field of ['username', 'password'])
      if ((c as Record<string, unknown>)[field] !== undefined && typeof (c as Record<string, unknown>)[field] !== 'string')
        throw bad(`${where}: ${field} must be a string`);
  }
  return map as Record<string, Credentials>;
}

/** Reads a response body of at most `max` bytes; a larger one is cancelled and refused, never read whole. */
async function readCapped(res: Response, url: string, max: number): Promise<Buffer> {
  const tooBig = () => new RenderError(`failed to fetch ${url}: larger than ${max} bytes`);
  if (Number(res.headers.get('content-length') ?? 0) > max) {
    await res.body?.cancel();
    throw tooBig();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  if (res.body) {
    for await (const chunk of res.body) {
      size += (chunk as Uint8Array).byteLength;
      if (size > max) throw tooBig(); // leaving the loop early cancels the body
      chunks.push(Buffer.from(chunk as Uint8Array));
    }
  }
  return Buffer.concat(chunks);
}

function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

/** Unpacks a packaged chart (.tgz) under `dir`, refusing paths that leave it. */
async function unpackChart(tgz: Buffer, dir: string): Promise<void> {
  const tar = gunzipSync(tgz, { maxOutputLength: 256 * 1024 * 1024 });
  const ex = extract();
  const files: { path: string; data: Buffer }[] = [];
  await new Promise<void>((resolve, reject) => {
    ex.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const p = posix.normalize(header.name);
        if (header.type === 'file' && !p.startsWith('..') && !p.startsWith('/')) files.push({ path: p, data: Buffer.concat(chunks) });
        next();
      });
      stream.on('error', reject);
    });
    ex.on('finish', resolve);
    ex.on('error', reject);
    ex.end(tar);
  });
  for (const f of files) {
    await mkdir(join(dir, posix.dirname(f.path)), { recursive: true });
    await writeFile(join(dir, f.path), f.data);
  }
}
