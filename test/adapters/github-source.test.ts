import { generateKeyPairSync } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOctokit } from '../../functions/adapters/github-client.js';
import { extractManifestFiles, parseGitHubSpec, readGitHubManifests } from '../../functions/adapters/github-source.js';
import { GitHubError, UsageError } from '../../functions/core/errors.js';
import { reposRoutes, seedRepo, tarballOf } from '../emulators/github/repos.js';
import { startGitHubEmulator, type GitHubEmulator } from '../emulators/github/server.js';
import { capture } from '../support/captures.js';

const dsYaml = (ns: string, name: string, image = `registry.example.com/${name}:1.0.0`) => `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  selector:
    matchLabels: { app: ${name} }
  template:
    metadata:
      labels: { app: ${name} }
    spec:
      containers:
        - name: ${name}
          image: ${image}
`;

function filesUnder(dir: string, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else out[`${prefix}${relative(dir, p)}`] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

let emu: GitHubEmulator;
const env = () => ({ GITHUB_API_URL: emu.url, GITHUB_TOKEN: 'ghp_good' });
const client = { throttle: false } as const;

beforeAll(async () => {
  emu = await startGitHubEmulator(reposRoutes);
  emu.state.tokens.add('ghp_good');
});
afterAll(async () => {
  await emu.close();
});

describe('parseGitHubSpec()', () => {
  it.each([
    ['github:acme/gitops', { owner: 'acme', repo: 'gitops' }],
    ['github:acme/gitops@main', { owner: 'acme', repo: 'gitops', ref: 'main' }],
    ['github:acme/gitops@v1.2.0:clusters/prod', { owner: 'acme', repo: 'gitops', ref: 'v1.2.0', path: 'clusters/prod' }],
    ['github:acme/gitops:clusters/prod/', { owner: 'acme', repo: 'gitops', path: 'clusters/prod' }],
    ['github:acme/gitops@release/2026-05:/apps', { owner: 'acme', repo: 'gitops', ref: 'release/2026-05', path: 'apps' }],
  ])('parses %s', (spec, expected) => {
    expect(parseGitHubSpec(spec)).toEqual(expected);
  });

  it.each(['github:acme', 'github:acme/gitops@', 'github:acme/gitops:../../etc', 'github:ac me/gitops', 'github:acme/gitops@a..b'])(
    'rejects %s with a UsageError',
    (spec) => {
      expect(() => parseGitHubSpec(spec)).toThrow(UsageError);
    },
  );
});

describe('readGitHubManifests()', () => {
  it('resolves the ref to a commit and reads the folder from one archive download', async () => {
    const sha = seedRepo(emu.state, 'acme', 'gitops', {
      'clusters/prod/logging.yaml': dsYaml('logging', 'fluent-bit'),
      'clusters/prod/ns.json': JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'monitoring' } }),
      'clusters/staging/logging.yaml': dsYaml('logging', 'fluent-bit', 'registry.example.com/fluent-bit:2.0.0'),
      'clusters/prod/README.md': '# not a manifest',
    });
    const before = emu.log.length;

    const desired = await readGitHubManifests(parseGitHubSpec('github:acme/gitops@main:clusters/prod'), { env: env(), client });

    expect(desired.source).toEqual({ kind: 'github', location: 'acme/gitops', ref: 'main', commit: sha, path: 'clusters/prod' });
    expect(desired.daemonSets.map((d) => [d.file, d.manifest.spec.template.spec.containers[0]!.image])).toEqual([
      ['clusters/prod/logging.yaml', 'registry.example.com/fluent-bit:1.0.0'],
    ]);
    expect(desired.managedNamespaces).toEqual(['logging', 'monitoring']);
    expect(emu.log.slice(before).map((r) => `${r.status} ${r.path}`)).toEqual([
      '200 /repos/acme/gitops/commits/main',
      `302 /repos/acme/gitops/tarball/${sha}`,
      `200 /_codeload/acme/gitops/legacy.tar.gz/${sha}`,
    ]);
  });

  it('reads the default branch when no ref is given, and a tag or a sha when one is', async () => {
    const first = seedRepo(emu.state, 'acme', 'tags', { 'ds.yaml': dsYaml('kube-system', 'agent', 'r/agent:1') }, { tag: 'v1', defaultBranch: 'trunk' });
    const second = seedRepo(emu.state, 'acme', 'tags', { 'ds.yaml': dsYaml('kube-system', 'agent', 'r/agent:2') });

    const head = await readGitHubManifests(parseGitHubSpec('github:acme/tags'), { env: env(), client });
    const tag = await readGitHubManifests(parseGitHubSpec('github:acme/tags@v1'), { env: env(), client });
    const bySha = await readGitHubManifests(parseGitHubSpec(`github:acme/tags@${first.slice(0, 10)}`), { env: env(), client });

    expect([head.source.ref, head.source.commit, head.daemonSets[0]!.manifest.spec.template.spec.containers[0]!.image]).toEqual(['trunk', second, 'r/agent:2']);
    expect([tag.source.commit, tag.daemonSets[0]!.manifest.spec.template.spec.containers[0]!.image]).toEqual([first, 'r/agent:1']);
    expect(bySha.source.commit).toEqual(first);
  });

  it('reads a single file when PATH names one', async () => {
    seedRepo(emu.state, 'acme', 'single', { 'deploy/agent.yaml': dsYaml('kube-system', 'agent'), 'deploy/other.yaml': dsYaml('kube-system', 'other') });

    const desired = await readGitHubManifests(parseGitHubSpec('github:acme/single:deploy/agent.yaml'), { env: env(), client });

    expect(desired.daemonSets.map((d) => d.file)).toEqual(['deploy/agent.yaml']);
  });

  it('renders a kustomize overlay whose base lies outside PATH', async () => {
    seedRepo(emu.state, 'kubernetes', 'node-problem-detector', filesUnder(capture('node-problem-detector'), ''));

    const desired = await readGitHubManifests(parseGitHubSpec('github:kubernetes/node-problem-detector@main:test/e2e/manifests'), { env: env(), client });

    expect(desired.problems).toEqual([]);
    expect(desired.daemonSets.map((d) => [d.file, d.manifest.metadata.name, d.manifest.spec.template.spec.containers[0]!.image])).toEqual([
      ['test/e2e/manifests/kustomization.yaml', 'node-problem-detector', 'gcr.io/k8s-staging-npd/node-problem-detector:master'],
    ]);
  });

  it('reports a kustomization as manifest/unrendered when no renderer is available', async () => {
    seedRepo(emu.state, 'flannel-io', 'flannel', filesUnder(capture('flannel/kube-flannel'), 'Documentation/kustomization/kube-flannel/'));

    const desired = await readGitHubManifests(parseGitHubSpec('github:flannel-io/flannel:Documentation'), { env: env(), client, renderer: null });

    expect(desired.daemonSets).toEqual([]);
    expect(desired.problems.map((p) => [p.rule, p.file])).toEqual([['manifest/unrendered', 'Documentation/kustomization/kube-flannel/kustomization.yaml']]);
  });

  it.each([
    ['a missing repository', 'github:acme/nope', { GITHUB_TOKEN: 'ghp_good' }, /failed to .*acme\/nope.*not found or no access — check .*GITHUB_TOKEN/],
    [
      'a private repository with a bad token',
      'github:acme/private',
      { GITHUB_TOKEN: 'ghp_bad' },
      /failed to .*acme\/private.*not found or no access — check .*GITHUB_TOKEN/,
    ],
    ['a private repository without a token', 'github:acme/private', {}, /not found or no access/],
    [
      'an unknown ref',
      'github:acme/private@no-such-branch',
      { GITHUB_TOKEN: 'ghp_good' },
      /failed to resolve ref acme\/private@no-such-branch: no branch, tag or commit named 'no-such-branch'/,
    ],
    [
      'a missing folder',
      'github:acme/private@main:clusters/nope',
      { GITHUB_TOKEN: 'ghp_good' },
      /failed to read acme\/private@main:clusters\/nope: no such folder/,
    ],
  ])('throws a GitHubError for %s', async (_case, spec, tokenEnv, message) => {
    seedRepo(emu.state, 'acme', 'private', { 'ds.yaml': dsYaml('kube-system', 'agent') }, { private: true });

    const read = readGitHubManifests(parseGitHubSpec(spec), { env: { GITHUB_API_URL: emu.url, ...tokenEnv }, client });

    await expect(read).rejects.toThrow(GitHubError);
    await expect(read).rejects.toThrow(message);
  });

  it('reports oversized files and links under PATH as manifest/invalid problems', async () => {
    seedRepo(emu.state, 'acme', 'sizes', {
      'apps/big.yaml': `# ${'x'.repeat(2000)}\n${dsYaml('kube-system', 'big')}`,
      'apps/ok.yaml': dsYaml('kube-system', 'ok'),
    });

    const desired = await readGitHubManifests(parseGitHubSpec('github:acme/sizes:apps'), { env: env(), client, maxFileBytes: 1000 });

    expect(desired.daemonSets.map((d) => d.file)).toEqual(['apps/ok.yaml']);
    expect(desired.problems).toEqual([{ rule: 'manifest/invalid', file: 'apps/big.yaml', message: 'file exceeds the 1000-byte limit and was not read' }]);
  });

  it('throws a GitHubError naming the rate limit when throttling is off', async () => {
    seedRepo(emu.state, 'acme', 'limited-429', { 'ds.yaml': dsYaml('kube-system', 'agent') });
    emu.faults.push({
      match: (r) => r.path.startsWith('/repos/acme/limited-429/'),
      times: 1,
      response: { status: 403, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1800000000' }, body: { message: 'API rate limit exceeded' } },
    });

    const read = readGitHubManifests(parseGitHubSpec('github:acme/limited-429@main'), { env: env(), client });

    await expect(read).rejects.toThrow(
      'failed to resolve ref acme/limited-429@main: rate limit exceeded until 2027-01-15T08:00:00.000Z: API rate limit exceeded',
    );
  });

  it('throws a GitHubError naming bad credentials on 401', async () => {
    seedRepo(emu.state, 'acme', 'creds', { 'ds.yaml': dsYaml('kube-system', 'agent') });
    emu.faults.push({ match: (r) => r.path.startsWith('/repos/acme/creds/'), times: 1, response: { status: 401, body: { message: 'Bad credentials' } } });

    const read = readGitHubManifests(parseGitHubSpec('github:acme/creds@main'), { env: env(), client });

    await expect(read).rejects.toThrow(/failed to resolve ref acme\/creds@main: bad credentials — check GITHUB_TOKEN/);
  });

  it('gives up with a clear error when the primary rate limit resets later than it will wait', async () => {
    seedRepo(emu.state, 'acme', 'limited', { 'ds.yaml': dsYaml('kube-system', 'agent') });
    const reset = Math.floor(Date.now() / 1000) + 3600;
    emu.faults.push({
      match: (r) => r.path.startsWith('/repos/acme/limited/'),
      times: 5,
      response: {
        status: 403,
        headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-limit': '5000', 'x-ratelimit-reset': String(reset) },
        body: { message: 'API rate limit exceeded for installation ID 1.' },
      },
    });
    const before = emu.log.length;

    const err: unknown = await readGitHubManifests(parseGitHubSpec('github:acme/limited@main'), {
      env: env(),
      client: { throttle: true, maxRateLimitWaitSeconds: 5 },
    }).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(GitHubError);
    expect((err as Error).message).toEqual(
      `failed to resolve ref acme/limited@main: rate limit exceeded until ${new Date(reset * 1000).toISOString()}: API rate limit exceeded for installation ID 1.`,
    );
    expect(emu.log.slice(before).map((r) => r.status)).toEqual([403]);
    emu.faults.length = 0;
  });

  it('waits out a secondary rate limit with retry-after and then succeeds', async () => {
    const sha = seedRepo(emu.state, 'acme', 'secondary', { 'ds.yaml': dsYaml('kube-system', 'agent') });
    emu.faults.push({
      match: (r) => r.path === '/repos/acme/secondary/commits/main',
      times: 1,
      response: {
        status: 403,
        headers: { 'retry-after': '1' },
        body: { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' },
      },
    });
    const limits: string[] = [];

    const desired = await readGitHubManifests(parseGitHubSpec('github:acme/secondary@main'), {
      env: env(),
      client: { throttle: true, onRateLimit: (i) => limits.push(`${i.kind} ${i.retryAfterSeconds}s retry=${i.willRetry}`) },
    });

    expect(desired.source.commit).toEqual(sha);
    expect(limits).toEqual(['secondary 1s retry=true']);
  });

  it('authenticates as a GitHub App installation', async () => {
    const sha = seedRepo(emu.state, 'acme', 'app-private', { 'ds.yaml': dsYaml('kube-system', 'agent') }, { private: true });
    const { privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const before = emu.log.length;

    const octokit = await createOctokit({
      env: { GITHUB_API_URL: emu.url, GITHUB_APP_ID: '1', GITHUB_APP_PRIVATE_KEY: privateKey },
      repository: { owner: 'acme', repo: 'app-private' },
      throttle: false,
    });
    const desired = await readGitHubManifests(parseGitHubSpec('github:acme/app-private@main'), { octokit });

    expect(desired.source.commit).toEqual(sha);
    expect(
      emu.log
        .slice(before)
        .map((r) => `${r.method} ${r.path.replace(/\d+/g, 'N')}`)
        .slice(0, 3),
    ).toEqual(['GET /repos/acme/app-private/installation', 'POST /app/installations/N/access_tokens', 'GET /repos/acme/app-private/commits/main']);
  });
});

describe('extractManifestFiles()', () => {
  it('keeps YAML/JSON under the prefix and skips path traversal, links and oversized files', async () => {
    const repo = emu.state.repos.get('acme/gitops')!;
    const commit = [...repo.commits.values()][0]!;
    const top = `acme-gitops-${commit.sha.slice(0, 7)}/`;
    const gz = await tarballOf(repo, commit, [
      { name: `${top}clusters/prod/../../../../etc/evil.yaml`, content: 'kind: x' },
      { name: `${top}clusters/prod/link.yaml`, content: '', type: 'symlink', linkname: '/etc/passwd' },
      { name: `${top}clusters/prod/big.yaml`, content: 'x'.repeat(2000) },
    ]);

    const out = await extractManifestFiles(gz, { prefix: 'clusters/prod', maxFileBytes: 1000, maxTotalBytes: 1 << 20 });

    expect(out.files.map((f) => f.path)).toEqual(['clusters/prod/logging.yaml', 'clusters/prod/ns.json']);
    expect(out.skipped).toEqual([
      { path: '(entry outside the repository)', reason: 'unsafe-path' },
      { path: 'clusters/prod/link.yaml', reason: 'link' },
      { path: 'clusters/prod/big.yaml', reason: 'too-large' },
    ]);
  });
});
