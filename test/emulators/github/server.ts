// A GitHub REST API emulator on loopback for tests: real HTTP, driven by the real `octokit` client.
// This file is the framework (state, routing, pagination, fault injection, request log); route
// modules beside it add endpoints: repos.ts (refs, commits, tarball), issues.ts, git-data.ts, pulls.ts.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EmuCommit {
  sha: string;
  parents: string[];
  message: string;
  /** Full tree: repository path -> file content. */
  files: Map<string, string>;
}

export interface EmuIssue {
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  labels: string[];
  comments: { id: number; body: string; created_at: string }[];
  created_at: string;
  updated_at: string;
  pull_request?: boolean;
}

export interface EmuPull {
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  merged: boolean;
  head: string;
  base: string;
}

export interface EmuRepo {
  owner: string;
  name: string;
  private: boolean;
  defaultBranch: string;
  /** refs/heads/<name> and refs/tags/<name> -> commit sha */
  refs: Map<string, string>;
  commits: Map<string, EmuCommit>;
  /** git blobs created through the git data API: sha -> content */
  blobs: Map<string, string>;
  /** git trees created through the git data API: sha -> files */
  trees: Map<string, Map<string, string>>;
  issues: EmuIssue[];
  pulls: EmuPull[];
  labels: Set<string>;
}

export interface EmuState {
  repos: Map<string, EmuRepo>;
  /** Accepted tokens (Authorization: token X / Bearer X); empty means any token or none. */
  tokens: Set<string>;
  /** Next issue/PR number and comment id, shared as on GitHub. */
  nextNumber: Map<string, number>;
  nextId: number;
}

export interface EmuRequest {
  method: string;
  /** Decoded pathname (octokit percent-encodes path parameters: `a%2Fb` arrives as `a/b`). */
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: unknown;
  rawBody: Buffer;
  params: Record<string, string>;
  baseUrl: string;
}

export interface EmuResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Raw bytes instead of JSON (tarballs). */
  raw?: Buffer;
}

export interface Route {
  method: string;
  /** Path pattern with `:name` parameters; a trailing `*name` captures the rest (may contain `/`). */
  pattern: string;
  handle(req: EmuRequest, state: EmuState): EmuResponse | Promise<EmuResponse>;
}

/**
 * A fault to inject: the next `times` requests matching `match` get `response` instead. With
 * `afterHandling`, the request is served first (GitHub really creates the issue) and the client still
 * gets `response`, as when a proxy or GitHub itself fails after the write (a 502 after the create).
 */
export interface Fault {
  match: (req: EmuRequest) => boolean;
  times: number;
  response: EmuResponse;
  afterHandling?: boolean;
}

export interface LoggedRequest {
  method: string;
  path: string;
  status: number;
}

export interface GitHubEmulator {
  url: string;
  state: EmuState;
  /** Every request served, in order. */
  log: LoggedRequest[];
  faults: Fault[];
  /** Requests with a non-GET method (what "zero writes" means). */
  writes(): LoggedRequest[];
  addRoutes(routes: Route[]): void;
  close(): Promise<void>;
}

/** Returns an empty repository record. */
export function newRepo(owner: string, name: string, opts: Partial<Pick<EmuRepo, 'private' | 'defaultBranch'>> = {}): EmuRepo {
  return {
    owner,
    name,
    private: opts.private ?? false,
    defaultBranch: opts.defaultBranch ?? 'main',
    refs: new Map(),
    commits: new Map(),
    blobs: new Map(),
    trees: new Map(),
    issues: [],
    pulls: [],
    labels: new Set(),
  };
}

/** Returns the repository named by `:owner/:repo` params, or a 404 response. */
export function findRepo(req: EmuRequest, state: EmuState): EmuRepo | EmuResponse {
  const repo = state.repos.get(`${req.params.owner}/${req.params.repo}`);
  if (!repo) return notFound();
  if (repo.private && state.tokens.size > 0 && !authorized(req, state)) return notFound();
  return repo;
}

export function notFound(): EmuResponse {
  return { status: 404, body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' } };
}

export function isResponse(x: unknown): x is EmuResponse {
  return typeof x === 'object' && x !== null && 'status' in x && typeof (x as EmuResponse).status === 'number';
}

function authorized(req: EmuRequest, state: EmuState): boolean {
  const auth = req.headers.authorization ?? '';
  const token = auth.replace(/^(token|bearer)\s+/i, '');
  return state.tokens.has(token);
}

/**
 * Slices `items` by `per_page`/`page` and sets a `Link` header like GitHub's, so that
 * `octokit.paginate` follows it.
 */
export function paginate<T>(req: EmuRequest, items: T[], defaultPerPage = 30): EmuResponse {
  const perPage = Math.min(100, Number(req.query.get('per_page') ?? defaultPerPage) || defaultPerPage);
  const page = Math.max(1, Number(req.query.get('page') ?? 1) || 1);
  const slice = items.slice((page - 1) * perPage, page * perPage);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const headers: Record<string, string> = {};
  if (page < last) {
    const link = (p: number) => {
      const q = new URLSearchParams(req.query);
      q.set('page', String(p));
      q.set('per_page', String(perPage));
      return `${req.baseUrl}${req.path}?${q.toString()}`;
    };
    headers.link = `<${link(page + 1)}>; rel="next", <${link(last)}>; rel="last"`;
  }
  return { status: 200, body: slice, headers };
}

function compile(pattern: string): { re: RegExp; names: string[] } {
  const names: string[] = [];
  const src = pattern
    .split('/')
    .map((seg) => {
      if (seg.startsWith(':')) {
        names.push(seg.slice(1));
        return '([^/]+)';
      }
      if (seg.startsWith('*')) {
        names.push(seg.slice(1));
        return '(.+)';
      }
      return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { re: new RegExp(`^${src}$`), names };
}

/** Starts the emulator on 127.0.0.1 with a free port and the given route modules. */
export async function startGitHubEmulator(routes: Route[] = [], state?: Partial<EmuState>): Promise<GitHubEmulator> {
  const st: EmuState = {
    repos: state?.repos ?? new Map(),
    tokens: state?.tokens ?? new Set(),
    nextNumber: state?.nextNumber ?? new Map(),
    nextId: state?.nextId ?? 1,
  };
  const compiled: { route: Route; re: RegExp; names: string[] }[] = [];
  const log: LoggedRequest[] = [];
  const faults: Fault[] = [];
  const addRoutes = (rs: Route[]) => {
    for (const route of rs) compiled.push({ route, ...compile(route.pattern) });
  };
  addRoutes(routes);

  let baseUrl = '';
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const url = new URL(req.url ?? '/', baseUrl);
        const path = decodeURIComponent(url.pathname.replace(/\/+$/, '') || '/');
        const rawBody = Buffer.concat(chunks);
        let body: unknown = undefined;
        if (rawBody.length > 0) {
          try {
            body = JSON.parse(rawBody.toString('utf8'));
          } catch {
            body = rawBody.toString('utf8');
          }
        }
        const emuReq: EmuRequest = { method: req.method ?? 'GET', path, query: url.searchParams, headers: req.headers, body, rawBody, params: {}, baseUrl };
        let out: EmuResponse = notFound();
        const fault = faults.find((f) => f.times > 0 && f.match(emuReq));
        if (fault) fault.times -= 1;
        if (fault && !fault.afterHandling) {
          out = fault.response;
        } else {
          for (const c of compiled) {
            if (c.route.method !== emuReq.method) continue;
            const m = c.re.exec(path);
            if (!m) continue;
            emuReq.params = Object.fromEntries(c.names.map((n, i) => [n, m[i + 1]!]));
            try {
              out = await c.route.handle(emuReq, st);
            } catch (err) {
              out = { status: 500, body: { message: `emulator error: ${(err as Error).message}` } };
            }
            break;
          }
          if (fault) out = fault.response;
        }
        log.push({ method: emuReq.method, path, status: out.status });
        const headers: Record<string, string> = { 'x-github-api-version-selected': '2022-11-28', ...out.headers };
        if (out.raw) {
          res.writeHead(out.status, { 'content-type': 'application/octet-stream', ...headers });
          res.end(out.raw);
        } else if (out.body === undefined) {
          res.writeHead(out.status, headers);
          res.end();
        } else {
          res.writeHead(out.status, { 'content-type': 'application/json; charset=utf-8', ...headers });
          res.end(JSON.stringify(out.body));
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: baseUrl,
    state: st,
    log,
    faults,
    writes: () => log.filter((r) => r.method !== 'GET' && r.method !== 'HEAD'),
    addRoutes,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
