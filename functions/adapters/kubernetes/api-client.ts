// Raw JSON reads from the API server with the kubeconfig's own auth and TLS (client-node's
// `applyToHTTPSOptions`), but without client-node's model classes: typed deserialisation costs 2.5× the
// parse and 1.4 GB at 150k pods (docs/platform-notes.md §5). Pagination, retries and timeouts live here.
import type { KubeConfig } from '@kubernetes/client-node';
import * as http from 'node:http';
import * as https from 'node:https';
import { gunzipSync } from 'node:zlib';
import { KubernetesError } from '../../core/errors.js';
import { ListSyntaxError, scanList } from './list-scanner.js';

export interface RetryOptions {
  /** Retries per request after the first attempt (default 6). */
  retries?: number;
  /** First backoff in ms (default 250); doubles per retry, with jitter. */
  baseDelayMs?: number;
  /** Cap of one backoff, and of a server's `Retry-After` (default 30,000). */
  maxDelayMs?: number;
  /** Times one list restarts from scratch after its continue token expired (410) (default 3). */
  listRestarts?: number;
}

export interface ClientOptions {
  requestTimeoutMs?: number;
  retry?: RetryOptions;
  userAgent?: string;
}

/** What a list call reads: the resource, its API prefix and an optional namespace (absent = all). */
export interface ListTarget {
  resource: 'nodes' | 'pods' | 'daemonsets' | 'controllerrevisions';
  namespace?: string;
}

export interface ListResult<T> {
  items: T[];
  /** How many objects the server returned (before the keep filter). */
  listed: number;
  pages: number;
  resourceVersion: string;
}

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A network failure worth retrying (reset, refused, timeout, dropped connection). */
class TransientError extends Error {}

// Never projected, and large: cut out before parsing (managedFields is 20-50% of a real pod's JSON;
// a node's status.images lists every image it holds). DaemonSets keep theirs: they are few, and their
// managedFields say who changed a drifted field (core/attribution).
const DROPPED_KEYS = ['managedFields'];
const NODE_DROPPED_KEYS = ['managedFields', 'images'];

const RETRYABLE_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ECONNABORTED', 'ENETUNREACH', 'EHOSTUNREACH']);

/** Reads JSON from the API server the kubeconfig's current context points at. */
export class KubeApiClient {
  private readonly base: URL;
  private agent?: http.Agent;
  private readonly timeoutMs: number;
  private readonly retry: Required<RetryOptions>;
  private readonly userAgent: string;

  constructor(
    private readonly kc: KubeConfig,
    o: ClientOptions = {},
  ) {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new KubernetesError(`failed to read the kubeconfig: context "${kc.getCurrentContext()}" names no cluster`);
    try {
      this.base = new URL(cluster.server);
    } catch (err) {
      throw new KubernetesError(`failed to read the kubeconfig: cluster "${cluster.name}" has an invalid server URL "${cluster.server}"`, { cause: err });
    }
    this.timeoutMs = o.requestTimeoutMs ?? 60_000;
    this.retry = { retries: 6, baseDelayMs: 250, maxDelayMs: 30_000, listRestarts: 3, ...o.retry };
    this.userAgent = o.userAgent ?? 'drift-auditor';
  }

  /** Closes the keep-alive connections (the client can still be used; it reconnects). */
  close(): void {
    this.agent?.destroy();
    this.agent = undefined;
  }

  /** Returns `server` from the kubeconfig. */
  get server(): string {
    return this.base.href;
  }

  /** GETs a JSON document (with retries), e.g. `/version`; `what` names it in errors. */
  async getJson(path: string, what: string): Promise<unknown> {
    const res = await this.getWithRetry(path, what);
    if (res.status !== 200) throw statusError(res, what);
    return parseJson(res.body, what);
  }

  /**
   * Lists every object of a target page by page (`limit`/`continue`), projecting each page as it arrives
   * with `keep` (return undefined to drop an object; `onlyContaining` skips, unparsed, objects that cannot be
   * kept). An expired continue token (410) restarts the list.
   */
  async list<T>(
    target: ListTarget,
    keep: (raw: Record<string, unknown>) => T | undefined,
    o: { pageSize?: number; onPage?: (objects: number) => void; onlyContaining?: string } = {},
  ): Promise<ListResult<T>> {
    const what = describeTarget(target);
    const path = listPath(target);
    const pageSize = o.pageSize ?? 500;
    for (let restart = 0; ; restart++) {
      const items: T[] = [];
      let listed = 0;
      let pages = 0;
      let resourceVersion: string | undefined;
      let expired = false;
      const pagePath = (cont?: string): string => `${path}?limit=${pageSize}${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`;
      let next: Promise<RawResponse> | undefined = this.getWithRetry(pagePath(), what);
      while (next) {
        const res: RawResponse = await next;
        next = undefined;
        if (res.status === 410) {
          expired = true;
          break;
        }
        if (res.status !== 200) throw statusError(res, what);
        // The API server sends metadata before items: ask for the next page before parsing this one, so
        // the server and the network work while we parse (one extra page in flight at most).
        const early = continueOf(safeScan(() => scanList(res.body, () => undefined, { headOnly: true }), what).fields);
        if (early) {
          next = this.prefetch(pagePath(early), what);
          await new Promise<void>((resolve) => setImmediate(resolve)); // lets the request go out
        }
        const pageItems: T[] = [];
        const scanned = safeScan(
          () =>
            scanList(
              res.body,
              (raw) => {
                const kept = keep(raw);
                if (kept !== undefined) pageItems.push(kept);
              },
              {
                dropKeys: target.resource === 'nodes' ? NODE_DROPPED_KEYS : target.resource === 'daemonsets' ? [] : DROPPED_KEYS,
                onlyContaining: o.onlyContaining,
              },
            ),
          what,
        );
        if (!scanned.hasItems) throw new KubernetesError(`failed to ${what}: the server's response has no items array`);
        for (const item of pageItems) items.push(item);
        pages++;
        resourceVersion ??= (scanned.fields.metadata as { resourceVersion?: string } | undefined)?.resourceVersion;
        listed += scanned.items;
        o.onPage?.(scanned.items);
        const cont = continueOf(scanned.fields);
        if (cont && !next) next = this.getWithRetry(pagePath(cont), what);
      }
      if (!expired) return { items, listed, pages, resourceVersion: resourceVersion ?? '' };
      if (restart >= this.retry.listRestarts) {
        throw new KubernetesError(
          `failed to ${what}: the list's continue token expired (410) ${restart + 1} times; the cluster changes faster than it can be listed, try again or narrow --namespace`,
        );
      }
    }
  }

  /** Starts a request whose failure is only reported when it is awaited. */
  private prefetch(path: string, what: string): Promise<RawResponse> {
    const p = this.getWithRetry(path, what);
    p.catch(() => undefined);
    return p;
  }

  private async getWithRetry(path: string, what: string): Promise<RawResponse> {
    let last = '';
    for (let attempt = 0; ; attempt++) {
      let res: RawResponse | undefined;
      try {
        res = await this.requestOnce(path);
      } catch (err) {
        if (!(err instanceof TransientError)) {
          // client-node (like kubectl) refuses to send credentials over plain http:// unless the cluster is marked insecure.
          const why = /HTTP protocol is not allowed/.test((err as Error).message)
            ? 'the kubeconfig server is plain http://, which is refused unless the cluster sets insecure-skip-tls-verify: true (use https://)'
            : `cannot reach ${this.base.origin}: ${(err as Error).message}`;
          throw new KubernetesError(`failed to ${what}: ${why}`, { cause: err });
        }
        last = err.message;
      }
      if (res && !(res.status === 429 || res.status >= 500)) return res;
      if (res) last = `${res.status} ${statusMessage(res)}`;
      if (attempt >= this.retry.retries) throw new KubernetesError(`failed to ${what}: ${last}, after ${attempt + 1} attempts`);
      await sleep(this.backoff(attempt, res?.headers['retry-after']));
    }
  }

  /** Capped exponential backoff with jitter; a server's Retry-After (seconds) wins when it is longer. */
  private backoff(attempt: number, retryAfter: string | string[] | undefined): number {
    const exp = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** attempt);
    const jittered = exp / 2 + Math.random() * (exp / 2);
    const seconds = Number(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter);
    const server = Number.isFinite(seconds) && seconds > 0 ? Math.min(this.retry.maxDelayMs, seconds * 1000) : 0;
    return Math.max(jittered, server);
  }

  private async requestOnce(path: string): Promise<RawResponse> {
    // Asked per request so that expiring credentials (exec plugins, the EKS token) are refreshed.
    const opts: https.RequestOptions = { headers: {} };
    await this.kc.applyToHTTPSOptions(opts);
    this.agent ??= keepAliveAgent(opts.agent as http.Agent | undefined);
    const base = this.base;
    const isHttps = base.protocol === 'https:';
    const headers: Record<string, string> = {
      ...(opts.headers as Record<string, string>),
      Accept: 'application/json',
      'Accept-Encoding': 'gzip',
      'User-Agent': this.userAgent,
    };
    if (opts.auth) headers.Authorization = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
    const request = isHttps ? https.request : http.request;
    return new Promise<RawResponse>((resolve, reject) => {
      const req = request(
        {
          protocol: base.protocol,
          hostname: base.hostname.replace(/^\[|\]$/g, ''),
          port: base.port || (isHttps ? 443 : 80),
          path: base.pathname.replace(/\/$/, '') + path,
          method: 'GET',
          headers,
          agent: this.agent,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', (err) => {
            clearTimeout(timer);
            reject(new TransientError(err.message));
          });
          res.on('aborted', () => {
            clearTimeout(timer);
            reject(new TransientError('connection dropped while reading the response'));
          });
          res.on('end', () => {
            clearTimeout(timer);
            if (!res.complete) {
              reject(new TransientError('connection dropped while reading the response'));
              return;
            }
            let body = Buffer.concat(chunks);
            try {
              if (res.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
            } catch (err) {
              reject(new TransientError(`corrupt gzip response: ${(err as Error).message}`));
              return;
            }
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
          });
        },
      );
      const timer = setTimeout(() => req.destroy(new TransientError(`no complete response within ${this.timeoutMs} ms`)), this.timeoutMs);
      timer.unref();
      req.on('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        if (err instanceof TransientError) reject(err);
        else if ((err.code && RETRYABLE_CODES.has(err.code)) || /socket hang up/.test(err.message)) reject(new TransientError(err.code ?? err.message));
        else reject(err);
      });
      req.end();
    });
  }
}

function continueOf(fields: Record<string, unknown>): string | undefined {
  const c = (fields.metadata as { continue?: unknown } | undefined)?.continue;
  return typeof c === 'string' && c ? c : undefined;
}

function safeScan<R>(scan: () => R, what: string): R {
  try {
    return scan();
  } catch (err) {
    if (err instanceof ListSyntaxError)
      throw new KubernetesError(`failed to ${what}: the server's response is not a JSON list: ${err.message}`, { cause: err });
    throw err;
  }
}

/** `list pods in all namespaces`, `list daemonsets in namespace x`, `list nodes`. */
export function describeTarget(t: ListTarget): string {
  if (t.resource === 'nodes') return 'list nodes';
  return `list ${t.resource} ${t.namespace ? `in namespace ${t.namespace}` : 'in all namespaces'}`;
}

function listPath(t: ListTarget): string {
  const prefix = t.resource === 'nodes' || t.resource === 'pods' ? '/api/v1' : '/apis/apps/v1';
  return t.namespace ? `${prefix}/namespaces/${encodeURIComponent(t.namespace)}/${t.resource}` : `${prefix}/${t.resource}`;
}

/** Reuses client-node's agent settings (CA, client cert, skipTLSVerify) with keep-alive for the page loop. */
function keepAliveAgent(agent: http.Agent | undefined): http.Agent | undefined {
  if (!agent) return undefined;
  const options = (agent as http.Agent & { options?: http.AgentOptions }).options ?? {};
  if (agent.constructor === https.Agent) return new https.Agent({ ...options, keepAlive: true });
  if (agent.constructor === http.Agent) return new http.Agent({ ...options, keepAlive: true });
  return agent; // a proxy agent: keep as configured
}

function parseJson(body: Buffer, what: string): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new KubernetesError(`failed to ${what}: the server's response is not JSON`, { cause: err });
  }
}

function statusMessage(res: RawResponse): string {
  try {
    const s = JSON.parse(res.body.toString('utf8')) as { message?: string };
    if (s && typeof s.message === 'string') return s.message;
  } catch {
    // not a Status body
  }
  return res.body.subarray(0, 200).toString('utf8').trim();
}

const RBAC_HINT: Record<string, string> = {
  nodes: 'nodes',
  pods: 'pods',
  daemonsets: 'daemonsets (apps)',
  controllerrevisions: 'controllerrevisions (apps)',
};

function statusError(res: RawResponse, what: string): KubernetesError {
  const server = statusMessage(res);
  const cause = new Error(server);
  if (res.status === 403) {
    const resource = /^list (\w+)/.exec(what)?.[1];
    const needs = resource && RBAC_HINT[resource] ? `the auditor needs get/list on ${RBAC_HINT[resource]}; see deploy/rbac.yaml` : 'see deploy/rbac.yaml';
    return new KubernetesError(`failed to ${what}: forbidden (403): ${needs}`, { cause });
  }
  if (res.status === 401)
    return new KubernetesError(`failed to ${what}: unauthorized (401): the API server rejected the credentials; check the kubeconfig user or token`, { cause });
  if (res.status === 410) return new KubernetesError(`failed to ${what}: gone (410): ${server}`, { cause });
  return new KubernetesError(`failed to ${what}: ${res.status}: ${server}`, { cause });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
