// Shared octokit construction for every GitHub adapter (manifest source, issues, pull requests).
// Auth: a token (GITHUB_TOKEN, else GH_TOKEN) or a GitHub App installation (GITHUB_APP_ID +
// GITHUB_APP_PRIVATE_KEY, installation found with apps.getRepoInstallation for the repository);
// base URL from GITHUB_API_URL (GitHub Enterprise, loopback emulators). The bundled throttling and
// retry plugins stay on: rate-limit answers are retried a bounded number of times with a bounded
// wait, then surface as errors. Tests pass `throttle: false` (the write group waits 1 s per write).
//
// Stable signature (other adapters import it):
//   createOctokit(options?: GitHubClientOptions): Promise<Octokit>
//   describeGitHubError(err, what): GitHubError
import { App, Octokit, RequestError } from 'octokit';
import { GitHubError } from '../core/errors.js';

export type { Octokit };

export interface GitHubClientOptions {
  /** Environment to read GITHUB_TOKEN / GH_TOKEN / GITHUB_APP_* / GITHUB_API_URL from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Explicit token; wins over the environment. */
  token?: string;
  /** Explicit API base URL; wins over GITHUB_API_URL. Default https://api.github.com. */
  baseUrl?: string;
  /** Repository the client is for; required for GitHub App auth (to find the installation). */
  repository?: { owner: string; repo: string };
  /** Keep the throttling plugin on (default true). Turn off in tests: writes otherwise wait 1 s each. */
  throttle?: boolean;
  /** How many times a rate-limited request is retried (default 1, as octokit's default handlers). */
  rateLimitRetries?: number;
  /** Longest wait (seconds) accepted before retrying a rate-limited request; longer → give up (default 60). */
  maxRateLimitWaitSeconds?: number;
  /** Retries of 5xx answers by the retry plugin (default 3); 0 disables. */
  retries?: number;
  /** Called when a rate limit is hit (for logging); never gets secrets. */
  onRateLimit?: (info: {
    kind: 'primary' | 'secondary';
    retryAfterSeconds: number;
    method: string;
    url: string;
    retryCount: number;
    willRetry: boolean;
  }) => void;
  /** User agent suffix (default drift-auditor). */
  userAgent?: string;
}

/** Returns the auth mode the environment selects (for messages and tests), without reading secrets' values. */
export function githubAuthMode(opts: GitHubClientOptions = {}): 'token' | 'app' | 'none' {
  const env = opts.env ?? process.env;
  if (opts.token || env.GITHUB_TOKEN || env.GH_TOKEN) return 'token';
  if (env.GITHUB_APP_ID && env.GITHUB_APP_PRIVATE_KEY) return 'app';
  return 'none';
}

/** Returns an authenticated octokit (token or App installation) with throttling and retry configured. */
export async function createOctokit(opts: GitHubClientOptions = {}): Promise<Octokit> {
  const env = opts.env ?? process.env;
  const baseUrl = (opts.baseUrl ?? env.GITHUB_API_URL ?? 'https://api.github.com').replace(/\/+$/, '');
  const maxRetries = opts.rateLimitRetries ?? 1;
  const maxWait = opts.maxRateLimitWaitSeconds ?? 60;
  const handler =
    (kind: 'primary' | 'secondary') =>
    (retryAfter: number, options: { method: string; url: string }, _o: unknown, retryCount: number): boolean => {
      const willRetry = retryCount < maxRetries && retryAfter <= maxWait;
      opts.onRateLimit?.({ kind, retryAfterSeconds: retryAfter, method: options.method, url: options.url, retryCount, willRetry });
      return willRetry;
    };
  const defaults = {
    baseUrl,
    userAgent: opts.userAgent ?? 'drift-auditor',
    throttle: {
      enabled: opts.throttle ?? true,
      onRateLimit: handler('primary'),
      onSecondaryRateLimit: handler('secondary'),
    },
    retry: { enabled: (opts.retries ?? 3) > 0, retries: opts.retries ?? 3 },
    // octokit logs rate-limit warnings through `log.warn`; our handler reports them instead.
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
  };
  const token = opts.token ?? env.GITHUB_TOKEN ?? env.GH_TOKEN;
  if (token) return new Octokit({ ...defaults, auth: token });
  if (env.GITHUB_APP_ID && env.GITHUB_APP_PRIVATE_KEY) {
    if (!opts.repository) throw new GitHubError('failed to authenticate as GitHub App: no repository given to find the installation');
    const { owner, repo } = opts.repository;
    const app = new App({
      appId: env.GITHUB_APP_ID,
      // Secrets stores often keep the PEM on one line with literal "\n".
      privateKey: env.GITHUB_APP_PRIVATE_KEY.replace(/\\n/g, '\n'),
      Octokit: Octokit.defaults(defaults),
    });
    let installationId: number;
    try {
      const { data } = await app.octokit.rest.apps.getRepoInstallation({ owner, repo });
      installationId = data.id;
    } catch (err) {
      throw describeGitHubError(err, `find the GitHub App installation for ${owner}/${repo}`);
    }
    return (await app.getInstallationOctokit(installationId)) as unknown as Octokit;
  }
  return new Octokit(defaults);
}

/** Returns `text` with the userinfo of every URL in it removed (`https://user:pass@host` → `https://host`): URLs we print never carry credentials. */
export function withoutUserinfo(text: string): string {
  return text.replace(/\b([a-zA-Z][a-zA-Z0-9+.-]*:\/\/)[^\s/?#"'<>`]+@/g, '$1');
}

/** Returns a GitHubError for a failed request, saying what to check (token, access, rate limit); URLs in it carry no userinfo. */
export function describeGitHubError(err: unknown, what: string): GitHubError {
  const e = describeError(err, what);
  const message = withoutUserinfo(e.message);
  const c = e.cause instanceof Error ? withoutUserinfo(e.cause.message) : undefined;
  if (message === e.message && (c === undefined || c === (e.cause as Error).message)) return e;
  // The CLI prints the cause's first line too: it must not carry the credentials either.
  const cause = c === undefined ? e.cause : Object.assign(new Error(c), { name: (e.cause as Error).name });
  return new GitHubError(message, { cause });
}

function describeError(err: unknown, what: string): GitHubError {
  if (err instanceof GitHubError) return err;
  if (err instanceof RequestError) {
    const headers = err.response?.headers ?? {};
    const body = err.response?.data as { message?: string } | undefined;
    const msg = body?.message ?? err.message;
    let why: string;
    if (err.status === 404) why = 'not found or no access — check the name and GITHUB_TOKEN';
    else if (err.status === 401) why = 'bad credentials — check GITHUB_TOKEN (or the GitHub App key)';
    else if ((err.status === 403 || err.status === 429) && /secondary rate/i.test(msg)) {
      why = `secondary rate limit exceeded (retry-after ${headers['retry-after'] ?? '?'} s): ${msg}`;
    } else if ((err.status === 403 || err.status === 429) && headers['x-ratelimit-remaining'] === '0') {
      const reset = Number(headers['x-ratelimit-reset']);
      why = `rate limit exceeded${Number.isFinite(reset) && reset > 0 ? ` until ${new Date(reset * 1000).toISOString()}` : ''}: ${msg}`;
    } else if (err.status === 403) why = `forbidden — the token lacks access: ${msg}`;
    else why = `HTTP ${err.status}: ${msg}`;
    return new GitHubError(`failed to ${what}: ${why}`, { cause: err });
  }
  const m = err instanceof Error ? err.message : String(err);
  return new GitHubError(`failed to ${what}: ${m}`, { cause: err });
}
