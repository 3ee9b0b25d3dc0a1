// A loopback Kubernetes API server for tests and benchmarks: discovery, /version and the list endpoints
// of nodes, pods, DaemonSets and ControllerRevisions with real pagination, selectors and injectable faults.
// STABLE API (used by other suites, e.g. the serverless end-to-end test): `startK8sApi(options)` and
// `kubeconfigFor(emulator, options?)`; add options, never change the meaning of existing ones.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { K8sControllerRevision, K8sDaemonSet, K8sNode, K8sPod } from '../../../functions/core/k8s-types.js';

export type K8sResource = 'nodes' | 'pods' | 'daemonsets' | 'controllerrevisions';

/** A fault fires on the next `times` (default 1) list requests that match it, then is spent. */
export interface K8sFault {
  kind: '429' | '500' | '410' | 'drop' | 'slow' | '403' | '401';
  /** Only requests for this resource (default: any list). */
  resource?: K8sResource;
  /** Only requests for this namespace (`''` = cluster-wide; default: any). */
  namespace?: string;
  /** Only the page with this 0-based index (default: any page; `410` defaults to pages > 0, it needs a continue token). */
  page?: number;
  times?: number;
  /** Seconds for the `Retry-After` header of a 429 (default 1). */
  retryAfter?: number;
  /** Delay of a `slow` page in ms (default 1000). */
  delayMs?: number;
}

export interface K8sApiOptions {
  nodes?: Iterable<K8sNode>;
  daemonSets?: Iterable<K8sDaemonSet>;
  pods?: Iterable<K8sPod>;
  controllerRevisions?: Iterable<K8sControllerRevision>;
  /** Serve HTTPS with a self-signed certificate for 127.0.0.1 (made with the `openssl` CLI). */
  tls?: boolean;
  /** Require `Authorization: Bearer <token>`; others get 401. */
  token?: string;
  faults?: K8sFault[];
  /** `gitVersion` served by /version (default v1.33.2). */
  gitVersion?: string;
  /** Page size when the client sends no `limit` (default: everything in one page, like the real server). */
  defaultLimit?: number;
  /** Gzip list responses of 128 KiB and more when the client accepts it, as the API server does. */
  gzip?: boolean;
  /** Put `metadata` after `items` in list responses (valid JSON, unlike the real server's order). */
  metadataLast?: boolean;
}

export interface K8sRequestLog {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization?: string;
  status: number;
  /** `gzip` when the response was compressed. */
  contentEncoding?: string;
}

export interface K8sApi {
  url: string;
  port: number;
  /** PEM of the server certificate (also its CA) when `tls` is set. */
  caPem?: string;
  token?: string;
  /** Every request served, in order. */
  requests: K8sRequestLog[];
  /** Faults still armed (spent ones are removed); push more at any time. */
  faults: K8sFault[];
  close(): Promise<void>;
}

interface Entry {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  nodeName?: string;
  json: Buffer;
}

interface ResourceInfo {
  kind: string;
  listKind: string;
  apiVersion: string;
  namespaced: boolean;
  shortNames?: string[];
  singular: string;
}

const RESOURCES: Record<K8sResource, ResourceInfo> = {
  nodes: { kind: 'Node', listKind: 'NodeList', apiVersion: 'v1', namespaced: false, shortNames: ['no'], singular: 'node' },
  pods: { kind: 'Pod', listKind: 'PodList', apiVersion: 'v1', namespaced: true, shortNames: ['po'], singular: 'pod' },
  daemonsets: { kind: 'DaemonSet', listKind: 'DaemonSetList', apiVersion: 'apps/v1', namespaced: true, shortNames: ['ds'], singular: 'daemonset' },
  controllerrevisions: {
    kind: 'ControllerRevision',
    listKind: 'ControllerRevisionList',
    apiVersion: 'apps/v1',
    namespaced: true,
    singular: 'controllerrevision',
  },
};

const LIST_PATH = /^\/(?:api\/v1|apis\/apps\/v1)(?:\/namespaces\/([^/]+))?\/(nodes|pods|daemonsets|controllerrevisions)$/;

/** Starts the emulator on 127.0.0.1 with a free port. Items are serialised once; pages are cached buffers. */
export async function startK8sApi(options: K8sApiOptions = {}): Promise<K8sApi> {
  let resourceVersion = 1000;
  const store: Record<K8sResource, Entry[]> = {
    nodes: index(options.nodes ?? []),
    pods: index(options.pods ?? []),
    daemonsets: index(options.daemonSets ?? []),
    controllerrevisions: index(options.controllerRevisions ?? []),
  };
  function index(
    items: Iterable<{
      apiVersion?: string;
      kind?: string;
      metadata: { name: string; namespace?: string; labels?: Record<string, string>; resourceVersion?: string };
      spec?: unknown;
    }>,
  ): Entry[] {
    const out: Entry[] = [];
    for (const item of items) {
      // The real server sends list items without kind/apiVersion.
      const { kind: _kind, apiVersion: _apiVersion, ...rest } = item;
      const metadata = { ...item.metadata, resourceVersion: item.metadata.resourceVersion ?? String(++resourceVersion) };
      out.push({
        namespace: item.metadata.namespace ?? '',
        name: item.metadata.name,
        labels: item.metadata.labels ?? {},
        nodeName: (item.spec as { nodeName?: string } | undefined)?.nodeName,
        json: Buffer.from(JSON.stringify({ ...rest, metadata })),
      });
    }
    out.sort((a, b) => (a.namespace === b.namespace ? cmp(a.name, b.name) : cmp(a.namespace, b.namespace)));
    return out;
  }
  const listRv = String(++resourceVersion);
  const filtered = new Map<string, Entry[]>();
  const pages = new Map<string, Buffer>();
  const gzipped = new WeakMap<Buffer, Buffer>();
  const faults = [...(options.faults ?? [])];
  const requests: K8sRequestLog[] = [];
  const gitVersion = options.gitVersion ?? 'v1.33.2';

  function handler(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    const query = Object.fromEntries(url.searchParams);
    const log: K8sRequestLog = { method: req.method ?? 'GET', path: url.pathname, query, authorization: req.headers.authorization, status: 200 };
    requests.push(log);
    const send = (status: number, body: Buffer | string | object, headers: Record<string, string> = {}): void => {
      log.status = status;
      const buf = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(buf.length), ...headers });
      res.end(buf);
    };
    if (options.token && req.headers.authorization !== `Bearer ${options.token}`) {
      send(401, status(401, 'Unauthorized', 'Unauthorized'));
      return;
    }
    if (req.method !== 'GET') {
      send(405, status(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`));
      return;
    }
    const discovery = discoveryDoc(url.pathname, gitVersion);
    if (discovery) {
      send(200, discovery);
      return;
    }
    const m = LIST_PATH.exec(url.pathname);
    const resource = m?.[2] as K8sResource | undefined;
    if (
      !m ||
      !resource ||
      (m[1] && !RESOURCES[resource].namespaced) ||
      !url.pathname.startsWith(RESOURCES[resource].apiVersion === 'v1' ? '/api/v1/' : '/apis/apps/v1/')
    ) {
      send(404, status(404, 'NotFound', 'the server could not find the requested resource'));
      return;
    }
    const namespace = m[1] ? decodeURIComponent(m[1]) : '';
    const cont = query.continue;
    let offset = 0;
    if (cont) {
      try {
        const parsed = JSON.parse(Buffer.from(cont, 'base64url').toString()) as { rv: string; start: number };
        if (parsed.rv !== listRv || !Number.isInteger(parsed.start)) throw new Error('bad token');
        offset = parsed.start;
      } catch {
        send(400, status(400, 'BadRequest', 'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)'));
        return;
      }
    }
    const limit = query.limit ? Number(query.limit) : (options.defaultLimit ?? 0);
    const pageIndex = limit > 0 ? Math.floor(offset / limit) : 0;
    const fault = takeFault(resource, namespace, pageIndex, Boolean(cont));
    const serve = (): void => {
      if (fault) {
        const verb = `list resource "${resource}" in API group "${RESOURCES[resource].apiVersion === 'v1' ? '' : 'apps'}"`;
        switch (fault.kind) {
          case '429':
            send(429, status(429, 'TooManyRequests', 'Too many requests, please try again later.'), { 'retry-after': String(fault.retryAfter ?? 1) });
            return;
          case '500':
            send(500, status(500, 'InternalError', 'Internal error occurred: etcdserver: request timed out'));
            return;
          case '410':
            send(
              410,
              status(
                410,
                'Expired',
                'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.',
              ),
            );
            return;
          case '403':
            send(
              403,
              status(
                403,
                'Forbidden',
                `${resource} is forbidden: User "system:serviceaccount:drift-auditor:auditor" cannot ${verb} ${namespace ? `in the namespace "${namespace}"` : 'at the cluster scope'}`,
                { group: RESOURCES[resource].apiVersion === 'v1' ? '' : 'apps', kind: resource },
              ),
            );
            return;
          case '401':
            send(401, status(401, 'Unauthorized', 'Unauthorized'));
            return;
          case 'drop':
            log.status = 0;
            req.socket.destroy();
            return;
          case 'slow':
            break;
        }
      }
      let result: { body: Buffer; status: number };
      try {
        result = listPage(resource, namespace, query, offset, limit);
      } catch (err) {
        send(400, status(400, 'BadRequest', (err as Error).message));
        return;
      }
      if (options.gzip && result.body.length >= 128 * 1024 && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
        let gz = gzipped.get(result.body);
        if (!gz) gzipped.set(result.body, (gz = gzipSync(result.body, { level: 1 })));
        log.contentEncoding = 'gzip';
        send(result.status, gz, { 'content-encoding': 'gzip' });
        return;
      }
      send(result.status, result.body);
    };
    if (fault?.kind === 'slow') setTimeout(serve, fault.delayMs ?? 1000);
    else serve();
  }

  function takeFault(resource: K8sResource, namespace: string, page: number, isContinue: boolean): K8sFault | undefined {
    const i = faults.findIndex(
      (f) =>
        (f.resource === undefined || f.resource === resource) &&
        (f.namespace === undefined || f.namespace === namespace) &&
        (f.page === undefined ? f.kind !== '410' || isContinue : f.page === page),
    );
    if (i < 0) return undefined;
    const f = faults[i]!;
    const left = (f.times ?? 1) - 1;
    if (left <= 0) faults.splice(i, 1);
    else faults[i] = { ...f, times: left };
    return f;
  }

  function listPage(resource: K8sResource, namespace: string, query: Record<string, string>, offset: number, limit: number): { body: Buffer; status: number } {
    const key = `${resource}|${namespace}|${query.labelSelector ?? ''}|${query.fieldSelector ?? ''}`;
    let entries = filtered.get(key);
    if (!entries) {
      const labelMatch = parseLabelSelector(query.labelSelector ?? '');
      const fieldMatch = parseFieldSelector(query.fieldSelector ?? '', resource);
      entries = store[resource].filter((e) => (!namespace || e.namespace === namespace) && labelMatch(e.labels) && fieldMatch(e));
      filtered.set(key, entries);
    }
    const pageKey = `${key}|${offset}|${limit}`;
    let body = pages.get(pageKey);
    if (!body) {
      const end = limit > 0 ? Math.min(entries.length, offset + limit) : entries.length;
      const remaining = entries.length - end;
      const meta: Record<string, unknown> = { resourceVersion: listRv };
      if (remaining > 0) {
        meta.continue = Buffer.from(JSON.stringify({ rv: listRv, start: end })).toString('base64url');
        meta.remainingItemCount = remaining;
      }
      const info = RESOURCES[resource];
      const head = `{"kind":"${info.listKind}","apiVersion":"${info.apiVersion}"`;
      const parts: Buffer[] = [Buffer.from(options.metadataLast ? `${head},"items":[` : `${head},"metadata":${JSON.stringify(meta)},"items":[`)];
      for (let i = offset; i < end; i++) {
        if (i > offset) parts.push(COMMA);
        parts.push(entries[i]!.json);
      }
      parts.push(Buffer.from(options.metadataLast ? `],"metadata":${JSON.stringify(meta)}}` : ']}'));
      body = Buffer.concat(parts);
      pages.set(pageKey, body);
    }
    return { body, status: 200 };
  }

  let caPem: string | undefined;
  let server: http.Server;
  if (options.tls) {
    const { key, cert } = selfSignedCertificate();
    caPem = cert;
    server = https.createServer({ key, cert }, handler);
  } else {
    server = http.createServer(handler);
  }
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    caPem,
    token: options.token,
    requests,
    faults,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface KubeconfigOptions {
  /** Folder for the file (default: a new temp folder). */
  dir?: string;
  /** Context (and cluster/user) name (default `emulator`). */
  context?: string;
  /** Token to put in the file (default: the emulator's token, or `test-token`). */
  token?: string;
}

/** Writes a kubeconfig for the emulator (token auth; CA data when TLS) and returns its path. */
export function kubeconfigFor(api: Pick<K8sApi, 'url' | 'caPem' | 'token'>, o: KubeconfigOptions = {}): string {
  const dir = o.dir ?? mkdtempSync(join(tmpdir(), 'k8s-api-'));
  const name = o.context ?? 'emulator';
  const cluster: Record<string, unknown> = { server: api.url };
  if (api.caPem) cluster['certificate-authority-data'] = Buffer.from(api.caPem).toString('base64');
  else cluster['insecure-skip-tls-verify'] = true;
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster }],
    users: [{ name, user: { token: o.token ?? api.token ?? 'test-token' } }],
    contexts: [{ name, context: { cluster: name, user: name } }],
    'current-context': name,
  };
  const path = join(dir, `kubeconfig-${name}`);
  // JSON is valid YAML: kubectl and client-node both read it.
  writeFileSync(path, JSON.stringify(config, null, 2), { mode: 0o600 });
  return path;
}

const COMMA = Buffer.from(',');

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function status(code: number, reason: string, message: string, details?: Record<string, unknown>): object {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

function discoveryDoc(path: string, gitVersion: string): object | undefined {
  const resourceList = (groupVersion: string, names: K8sResource[]): object => ({
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion,
    resources: names.map((n) => ({
      name: n,
      singularName: RESOURCES[n].singular,
      namespaced: RESOURCES[n].namespaced,
      kind: RESOURCES[n].kind,
      verbs: ['get', 'list'],
      ...(RESOURCES[n].shortNames ? { shortNames: RESOURCES[n].shortNames } : {}),
    })),
  });
  switch (path) {
    case '/version': {
      const [major, minor] = gitVersion.replace(/^v/, '').split('.');
      return {
        major,
        minor,
        gitVersion,
        gitCommit: '0000000000000000000000000000000000000000',
        gitTreeState: 'clean',
        buildDate: '2026-01-01T00:00:00Z',
        goVersion: 'go1.24.4',
        compiler: 'gc',
        platform: 'linux/amd64',
      };
    }
    case '/api':
      return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1:443' }] };
    case '/apis':
      return {
        kind: 'APIGroupList',
        apiVersion: 'v1',
        groups: [{ name: 'apps', versions: [{ groupVersion: 'apps/v1', version: 'v1' }], preferredVersion: { groupVersion: 'apps/v1', version: 'v1' } }],
      };
    case '/api/v1':
      return resourceList('v1', ['nodes', 'pods']);
    case '/apis/apps/v1':
      return resourceList('apps/v1', ['daemonsets', 'controllerrevisions']);
    default:
      return undefined;
  }
}

/** Label selector as the API server parses it (`k=v`, `k==v`, `k!=v`, `k`, `!k`, `k in (a,b)`, `k notin (a,b)`). */
function parseLabelSelector(s: string): (labels: Record<string, string>) => boolean {
  if (!s.trim()) return () => true;
  const tests: ((l: Record<string, string>) => boolean)[] = [];
  for (const raw of s.match(/(?:[^,(]|\([^)]*\))+/g) ?? []) {
    const term = raw.trim();
    let m: RegExpExecArray | null;
    if ((m = /^(\S+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term))) {
      const [, key, op, list] = m as unknown as [string, string, string, string];
      const values = new Set(list.split(',').map((v) => v.trim()));
      tests.push(op === 'in' ? (l) => key in l && values.has(l[key]!) : (l) => !(key in l) || !values.has(l[key]!));
    } else if ((m = /^([^!=\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(term))) {
      const [, key, op, value] = m as unknown as [string, string, string, string];
      tests.push(op === '!=' ? (l) => l[key] !== value : (l) => l[key] === value);
    } else if ((m = /^!\s*(\S+)$/.exec(term))) {
      const key = m[1]!;
      tests.push((l) => !(key in l));
    } else if (/^\S+$/.test(term)) {
      tests.push((l) => term in l);
    } else {
      throw new Error(`unable to parse requirement: invalid label selector "${s}"`);
    }
  }
  return (l) => tests.every((t) => t(l));
}

function parseFieldSelector(s: string, resource: K8sResource): (e: Entry) => boolean {
  if (!s.trim()) return () => true;
  const tests: ((e: Entry) => boolean)[] = [];
  for (const term of s.split(',')) {
    const m = /^([a-zA-Z.]+)(==|=|!=)(.*)$/.exec(term.trim());
    if (!m) throw new Error(`invalid field selector: '${term}'`);
    const [, field, op, value] = m as unknown as [string, string, string, string];
    const get: ((e: Entry) => string | undefined) | undefined =
      field === 'metadata.name'
        ? (e) => e.name
        : field === 'metadata.namespace'
          ? (e) => e.namespace
          : field === 'spec.nodeName' && resource === 'pods'
            ? (e) => e.nodeName ?? ''
            : undefined;
    if (!get) throw new Error(`field label not supported: ${field}`);
    tests.push(op === '!=' ? (e) => get(e) !== value : (e) => get(e) === value);
  }
  return (e) => tests.every((t) => t(e));
}

/** A self-signed certificate for 127.0.0.1/localhost, made with the `openssl` CLI (also its own CA). */
function selfSignedCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'k8s-api-tls-'));
  const keyPath = join(dir, 'key.pem');
  const certPath = join(dir, 'cert.pem');
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '2',
        '-subj',
        '/CN=k8s-api-emulator',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-addext',
        'basicConstraints=critical,CA:TRUE',
        '-addext',
        'keyUsage=critical,digitalSignature,keyCertSign',
        '-addext',
        'extendedKeyUsage=serverAuth',
        '-keyout',
        keyPath,
        '-out',
        certPath,
      ],
      { stdio: 'pipe' },
    );
  } catch (err) {
    throw new Error(`failed to create a TLS certificate for the emulator: the openssl CLI is needed (${(err as Error).message})`, { cause: err });
  }
  return { key: readFileSync(keyPath, 'utf8'), cert: readFileSync(certPath, 'utf8') };
}
