// Fail fast when GitHub cannot be reached at all. octokit turns a DNS failure or a refused connection
// into "HTTP 500", and its retry plugin then waits 1 + 4 + 9 s before giving up. One request with no
// retry tells the two apart: an answer of any status means the host is there (the real requests keep
// their retries); no answer because of DNS or the connection is one line, exit 2.
import type { Octokit } from 'octokit';
import { GitHubError } from '../../core/errors.js';

/** Error codes that mean the host is not there (no retry can help within a run). */
const UNREACHABLE: Record<string, string> = {
  ENOTFOUND: 'DNS',
  EAI_AGAIN: 'DNS',
  EAI_FAIL: 'DNS',
  EAI_NONAME: 'DNS',
  ECONNREFUSED: 'connection refused',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
};

/** Returns the first network error code in an error's cause chain (and AggregateError members). */
export function networkErrorCode(err: unknown, depth = 0): string | undefined {
  if (!err || typeof err !== 'object' || depth > 6) return undefined;
  const e = err as { code?: unknown; cause?: unknown; errors?: unknown[] };
  if (typeof e.code === 'string' && e.code in UNREACHABLE) return e.code;
  for (const inner of [e.cause, ...(Array.isArray(e.errors) ? e.errors : [])]) {
    const code = networkErrorCode(inner, depth + 1);
    if (code) return code;
  }
  return undefined;
}

/** Returns the host (and port) of an API URL, without any user:password@ part. */
export function apiHost(baseUrl: string): string {
  try {
    return new URL(baseUrl).host;
  } catch {
    return 'the GitHub API';
  }
}

/** Throws a one-line GitHubError when the API host cannot be resolved or connected to. */
export async function checkReachable(octokit: Octokit): Promise<void> {
  const baseUrl = String(octokit.request.endpoint.DEFAULTS.baseUrl);
  try {
    await octokit.request('GET /rate_limit', { request: { retries: 0 } });
  } catch (err) {
    const code = networkErrorCode(err);
    if (code) throw new GitHubError(`cannot reach ${apiHost(baseUrl)} (${UNREACHABLE[code]}: ${code}); check the network and GITHUB_API_URL`);
    if (hasUserinfo(baseUrl)) {
      throw new GitHubError(
        `cannot reach ${apiHost(baseUrl)}: the API URL (GITHUB_API_URL) carries user:password@, which fetch refuses; give the credentials as GITHUB_TOKEN`,
      );
    }
    // Any HTTP answer (even 404 on a server without /rate_limit) means the host is there.
  }
}

function hasUserinfo(baseUrl: string): boolean {
  try {
    const u = new URL(baseUrl);
    return u.username !== '' || u.password !== '';
  } catch {
    return false;
  }
}
