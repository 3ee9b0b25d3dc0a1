// PRs where Git follows the cluster, against the GitHub emulator's git data and pull routes.
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { notify } from '../../../functions/adapters/github-notify/index.js';
import { createOctokit, type Octokit } from '../../../functions/adapters/github-client.js';
import type { Finding, Report } from '../../../functions/core/types.js';
import { gitDataRoutes } from '../../emulators/github/git-data.js';
import { issueRoutes, labelRoutes } from '../../emulators/github/issues.js';
import { mergePull, pullRoutes } from '../../emulators/github/pulls.js';
import { reposRoutes, seedRepo } from '../../emulators/github/repos.js';
import { newRepo, startGitHubEmulator, type EmuRepo, type GitHubEmulator, type LoggedRequest } from '../../emulators/github/server.js';
import { finding, report } from '../../core/github-issues/reports.js';
import { capture } from '../../support/captures.js';

const ORIGINAL = readFileSync(capture('k8s-device-plugin/nvidia-device-plugin.yml'), 'utf8');
const FILE = 'gpu/nvidia-device-plugin.yml';
const DS = 'kube-system/nvidia-device-plugin-daemonset';
const BRANCH = 'drift-auditor/prod-eu/kube-system-nvidia-device-plugin-daemonset';
const IMAGE = 'nvcr.io/nvidia/k8s-device-plugin';

let emu: GitHubEmulator;
let gitops: EmuRepo;
let octokit: Octokit;

beforeEach(async () => {
  // Route order does not matter: git-data.ts and repos.ts compute the same tree SHAs.
  emu = await startGitHubEmulator([...gitDataRoutes, ...pullRoutes, ...issueRoutes, ...labelRoutes, ...reposRoutes]);
  emu.state.repos.set('acme/ops', newRepo('acme', 'ops'));
  seedRepo(emu.state, 'acme', 'gitops', { [FILE]: ORIGINAL, 'README.md': '# gitops\n' });
  gitops = emu.state.repos.get('acme/gitops')!;
  octokit = await createOctokit({ env: {}, token: 't', baseUrl: emu.url, throttle: false, retries: 0 });
});
afterEach(async () => {
  await emu.close();
});

function hotfix(tag: string, o: Partial<Finding> = {}): Report {
  const waived = finding(DS, 'image/drift', {
    container: 'nvidia-device-plugin-ctr',
    expected: `${IMAGE}:v0.20.0`,
    actual: tag.startsWith('sha256:') ? `${IMAGE}@${tag}` : `${IMAGE}:${tag}`,
    file: FILE,
    line: 15,
    waiver: { reason: 'CVE hot-fix rolled by @sec-team, see #42', owner: 'platform', expires: '2026-12-31', gitFollowsCluster: true },
    ...o,
  });
  return report([], { waived: [waived], desired: { kind: 'github', location: 'acme/gitops', ref: 'main', commit: gitops.refs.get('refs/heads/main') } });
}

async function run(r: Report, extra: Partial<Parameters<typeof notify>[1]> = {}) {
  const before = emu.writes().length;
  const result = await notify(r, { repo: 'acme/ops', octokit, ...extra });
  return { writes: emu.writes().slice(before), result };
}

const calls = (writes: LoggedRequest[]) => writes.map((w) => `${w.method} ${w.path.replace('/repos/acme/gitops', '')} ${w.status}`);
const branchFile = () => gitops.commits.get(gitops.refs.get(`refs/heads/${BRANCH}`)!)!.files.get(FILE)!;

function changedLines(a: string, b: string): number[] {
  const x = a.split('\n');
  const y = b.split('\n');
  return x.length !== y.length ? [-1] : x.flatMap((l, i) => (l === y[i] ? [] : [i + 1]));
}

describe('notify() pull requests', () => {
  it('opens a PR whose commit changes exactly the image line of the upstream manifest', async () => {
    const { writes, result } = await run(hotfix('v0.20.1'));

    expect(calls(writes)).toEqual(['POST /git/blobs 201', 'POST /git/trees 201', 'POST /git/commits 201', 'POST /git/refs 201', 'POST /pulls 201']);
    expect([changedLines(ORIGINAL, branchFile()), branchFile().split('\n')[40]]).toEqual([[41], `      - image: ${IMAGE}:v0.20.1`]);
    expect(gitops.commits.get(gitops.refs.get(`refs/heads/${BRANCH}`)!)!.files.get('README.md')).toEqual('# gitops\n');
    const pr = gitops.pulls[0]!;
    expect([gitops.pulls.length, pr.head, pr.base, pr.state, result.pulls.map((p) => p.status)]).toEqual([1, BRANCH, 'main', 'open', ['created']]);
    expect(pr.body).toMatch(/cluster \*\*prod\\-eu\*\*/);
    expect(pr.body).toMatch(/3 of 3 eligible nodes/);
    expect(pr.body).toMatch(/CVE hot\\-fix rolled by @\u200dsec\\-team, see \\#\u200d42/);
    expect(pr.body).toMatch(/not pinned \(tag\)/);
  });

  it('makes no write when the open PR already has the cluster image', async () => {
    await run(hotfix('v0.20.1'));

    const { writes, result } = await run(hotfix('v0.20.1'));

    expect([calls(writes), result.pulls.map((p) => p.status)]).toEqual([[], ['unchanged']]);
  });

  it('updates the open PR with a new commit on its branch when the cluster image moves again', async () => {
    await run(hotfix('v0.20.1'));
    const head = gitops.refs.get(`refs/heads/${BRANCH}`)!;

    const { writes } = await run(hotfix('v0.20.2'));

    expect(calls(writes)).toEqual([
      'POST /git/blobs 201',
      'POST /git/trees 201',
      'POST /git/commits 201',
      `PATCH /git/refs/heads/${BRANCH} 200`,
      'PATCH /pulls/1 200',
    ]);
    expect([gitops.pulls.length, changedLines(ORIGINAL, branchFile()), gitops.commits.get(gitops.refs.get(`refs/heads/${BRANCH}`)!)!.parents]).toEqual([
      1,
      [41],
      [head],
    ]);
    expect(branchFile()).toMatch(/image: nvcr\.io\/nvidia\/k8s-device-plugin:v0\.20\.2\n/);
  });

  it('respects a merged PR for the same images and a closed one, then opens a new PR when the images change', async () => {
    await run(hotfix('v0.20.1'));
    mergePull(gitops, 1);
    const afterMerge = await run(hotfix('v0.20.1'));
    const digest = `sha256:${'c'.repeat(64)}`;

    const next = await run(hotfix(digest));

    expect([calls(afterMerge.writes), afterMerge.result.pulls.map((p) => p.status)]).toEqual([[], ['respected']]);
    // The branch from the merged PR still exists: createRef answers 422 and the branch is moved.
    expect(calls(next.writes)).toEqual([
      'POST /git/blobs 201',
      'POST /git/trees 201',
      'POST /git/commits 201',
      'POST /git/refs 422',
      `PATCH /git/refs/heads/${BRANCH} 200`,
      'POST /pulls 201',
    ]);
    expect(gitops.pulls.map((p) => [p.number, p.state, p.merged])).toEqual([
      [1, 'closed', true],
      [2, 'open', false],
    ]);
    expect(branchFile().split('\n')[40]).toEqual(`      - image: ${IMAGE}@${digest}`);
    expect(gitops.pulls[1]!.body).toMatch(/sha256\\:c{64}/);
  });

  it('does not reopen or recreate a PR closed without merging', async () => {
    await run(hotfix('v0.20.1'));
    gitops.pulls[0]!.state = 'closed';

    const { writes, result } = await run(hotfix('v0.20.1'));

    expect([calls(writes), result.pulls.map((p) => [p.status, p.detail])]).toEqual([[], [['respected', 'closed for these images: respected']]]);
  });

  it('plans a PR without writing in a dry run', async () => {
    const { writes, result } = await run(hotfix('v0.20.1'), { dryRun: true });

    expect([calls(writes), result.pulls.map((p) => [p.status, p.detail])]).toEqual([
      [],
      [['dry-run', `would open a PR changing nvidia-device-plugin-ctr line 41 in ${FILE}`]],
    ]);
  });

  it('skips a finding that names no manifest file, saying why', async () => {
    const { writes, result } = await run(hotfix('v0.20.1', { file: undefined }));

    expect([calls(writes), result.pulls.map((p) => [p.status, p.detail])]).toEqual([[], [['skipped', 'the findings name no manifest file']]]);
  });
});
