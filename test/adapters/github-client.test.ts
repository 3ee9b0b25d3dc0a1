import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOctokit, describeGitHubError, githubAuthMode, withoutUserinfo } from '../../functions/adapters/github-client.js';
import { main } from '../../functions/cli/main.js';
import { GitHubError } from '../../functions/core/errors.js';
import { reposRoutes, seedRepo } from '../emulators/github/repos.js';
import { startGitHubEmulator, type GitHubEmulator } from '../emulators/github/server.js';

let emu: GitHubEmulator;
beforeAll(async () => {
  emu = await startGitHubEmulator(reposRoutes);
  emu.state.tokens.add('gh_cli_token');
  seedRepo(emu.state, 'acme', 'private', { 'a.yaml': 'a: 1\n' }, { private: true });
});
afterAll(async () => {
  await emu.close();
});

describe('createOctokit()', () => {
  it.each([
    ['GITHUB_TOKEN', { GITHUB_TOKEN: 'gh_cli_token' }],
    ['GH_TOKEN', { GH_TOKEN: 'gh_cli_token' }],
  ])('authenticates with %s against GITHUB_API_URL', async (_name, tokenEnv) => {
    const octokit = await createOctokit({ env: { GITHUB_API_URL: `${emu.url}/`, ...tokenEnv }, throttle: false });

    const { data } = await octokit.rest.repos.get({ owner: 'acme', repo: 'private' });

    expect([data.full_name, data.private]).toEqual(['acme/private', true]);
  });

  it('requires a repository to find a GitHub App installation', async () => {
    await expect(createOctokit({ env: { GITHUB_APP_ID: '1', GITHUB_APP_PRIVATE_KEY: 'x' } })).rejects.toThrow(GitHubError);
  });
});

describe('githubAuthMode()', () => {
  it.each([
    [{ GITHUB_TOKEN: 't' }, 'token'],
    [{ GH_TOKEN: 't', GITHUB_APP_ID: '1', GITHUB_APP_PRIVATE_KEY: 'k' }, 'token'],
    [{ GITHUB_APP_ID: '1', GITHUB_APP_PRIVATE_KEY: 'k' }, 'app'],
    [{ GITHUB_APP_ID: '1' }, 'none'],
    [{}, 'none'],
  ])('reads %j as %s', (env, mode) => {
    expect(githubAuthMode({ env })).toEqual(mode);
  });
});

describe('describeGitHubError()', () => {
  it('wraps a non-HTTP failure with what was being done', () => {
    const err = describeGitHubError(new Error('socket hang up'), 'download the archive of a/b@123');

    expect([err.name, err.message, err.exitCode]).toEqual(['GitHubError', 'failed to download the archive of a/b@123: socket hang up', 2]);
  });
});

describe('withoutUserinfo()', () => {
  it('removes user:password@ from every URL in a message', () => {
    expect(withoutUserinfo('fetch https://user:s3cret@ghe.example.com/api/v3/repos failed; see http://tok@x/y')).toBe(
      'fetch https://ghe.example.com/api/v3/repos failed; see http://x/y',
    );
  });
});

describe('drift-auditor with GITHUB_API_URL carrying user:password@', () => {
  it('never prints the password on stderr', async () => {
    const err: string[] = [];
    const io = {
      stdout: () => {},
      stderr: (s: string) => err.push(s),
      env: { GITHUB_TOKEN: 't', GITHUB_API_URL: 'http://admin:s3cretpw@127.0.0.1:9/api' },
      isTTY: false,
    };

    const code = await main(['audit', '--snapshot', 'examples/cluster', '--manifests', 'github:acme/gitops@main', '--format', 'json'], io);

    expect(code).toBe(2);
    expect(err.join('')).not.toContain('s3cretpw');
    expect(err.join('')).toMatch(/127\.0\.0\.1/);
  });
});
