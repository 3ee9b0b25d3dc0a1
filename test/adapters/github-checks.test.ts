// The check run and the PR comment against the GitHub emulator, with the real octokit client.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOctokit, type Octokit } from '../../functions/adapters/github-client.js';
import { createCheckRun, ensurePullRequestComment, readPullRequestContext, type PullRequestContext } from '../../functions/adapters/github-checks.js';
import type { CheckAnnotation } from '../../functions/core/change/index.js';
import { checkRoutes, checkRunsOf, seedPullRequest } from '../emulators/github/checks.js';
import { issueRoutes } from '../emulators/github/issues.js';
import { seedRepo } from '../emulators/github/repos.js';
import { startGitHubEmulator, type GitHubEmulator } from '../emulators/github/server.js';

let emu: GitHubEmulator;
let octokit: Octokit;
let pr: PullRequestContext;

beforeEach(async () => {
  emu = await startGitHubEmulator([...checkRoutes, ...issueRoutes]);
  const headSha = seedRepo(emu.state, 'acme', 'gitops', { 'logging/agent.yaml': 'kind: DaemonSet\n' });
  const number = seedPullRequest(emu.state, emu.state.repos.get('acme/gitops')!);
  pr = { owner: 'acme', repo: 'gitops', number, headSha };
  octokit = await createOctokit({ env: {}, token: 't', baseUrl: emu.url, throttle: false, retries: 0 });
});
afterEach(async () => {
  await emu.close();
});

function annotations(n: number): CheckAnnotation[] {
  return Array.from({ length: n }, (_, i) => ({
    path: 'logging/agent.yaml',
    start_line: i + 1,
    end_line: i + 1,
    annotation_level: 'warning',
    title: `t${i}`,
    message: `m${i}`,
  }));
}

const calls = () => emu.writes().map((w) => `${w.method} ${w.path.replace('/repos/acme/gitops', '')} ${w.status}`);

describe('createCheckRun()', () => {
  it('sends 120 annotations as 50 + 50 + 20 and keeps all of them on one completed run', async () => {
    const result = await createCheckRun(octokit, pr, {
      name: 'drift-auditor pr-check (prod)',
      conclusion: 'failure',
      title: 't',
      summary: 's',
      annotations: annotations(120),
    });

    const runs = checkRunsOf(emu.state, 'acme/gitops');
    expect(calls()).toEqual([`POST /check-runs 201`, `PATCH /check-runs/${result.id} 200`, `PATCH /check-runs/${result.id} 200`]);
    expect(result.requests).toBe(3);
    expect(runs.map((r) => [r.name, r.head_sha, r.status, r.conclusion, r.annotations.length])).toEqual([
      ['drift-auditor pr-check (prod)', pr.headSha, 'completed', 'failure', 120],
    ]);
    expect(runs[0]!.annotations.map((a) => a.message).slice(48, 52)).toEqual(['m48', 'm49', 'm50', 'm51']);
  });

  it('is needed: the emulator, like GitHub, refuses 51 annotations in one request', async () => {
    const send = octokit.rest.checks.create({
      owner: 'acme',
      repo: 'gitops',
      name: 'c',
      head_sha: pr.headSha,
      status: 'completed',
      conclusion: 'success',
      output: { title: 't', summary: 's', annotations: annotations(51) },
    });

    await expect(send).rejects.toMatchObject({ status: 422 });
  });

  it('makes one request when there are no annotations', async () => {
    await createCheckRun(octokit, pr, { name: 'c', conclusion: 'success', title: 't', summary: 's', annotations: [] });

    expect(calls()).toEqual(['POST /check-runs 201']);
  });

  it('fails with a GitHubError naming the permission when the commit is unknown', async () => {
    const bad = { ...pr, headSha: 'f'.repeat(40) };

    await expect(createCheckRun(octokit, bad, { name: 'c', conclusion: 'success', title: 't', summary: 's', annotations: [] })).rejects.toThrow(
      /^failed to create check run 'c' on acme\/gitops@ffffffffffff \(needs checks: write\): HTTP 422/,
    );
  });
});

describe('ensurePullRequestComment()', () => {
  it('creates one comment, leaves it when unchanged, edits it when the text changes', async () => {
    const marker = '<!-- drift-auditor:pr-check cluster=prod -->';
    const issue = emu.state.repos.get('acme/gitops')!.issues[0]!;
    issue.comments.push({ id: 900, body: 'LGTM', created_at: '2026-01-01T00:00:00Z' });

    const first = await ensurePullRequestComment(octokit, pr, marker, `${marker}\none`);
    const again = await ensurePullRequestComment(octokit, pr, marker, `${marker}\none`);
    const changed = await ensurePullRequestComment(octokit, pr, marker, `${marker}\ntwo`);

    expect([first, again, changed]).toEqual(['created', null, 'updated']);
    expect(issue.comments.map((c) => c.body)).toEqual(['LGTM', `${marker}\ntwo`]);
  });
});

describe('readPullRequestContext()', () => {
  it('reads the repository and the pull request event as Actions sets them', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'drift-auditor-event-'));
    const event = path.join(dir, 'event.json');
    await writeFile(event, JSON.stringify({ pull_request: { number: 7, head: { sha: 'a'.repeat(40) }, base: { sha: 'b'.repeat(40) } } }));

    const ctx = await readPullRequestContext({ GITHUB_REPOSITORY: 'acme/gitops', GITHUB_EVENT_PATH: event });

    expect(ctx).toEqual({ owner: 'acme', repo: 'gitops', number: 7, headSha: 'a'.repeat(40), baseSha: 'b'.repeat(40) });
  });

  it.each([
    [{ GITHUB_EVENT_PATH: '/nonexistent' }, /GITHUB_REPOSITORY must be OWNER\/REPO/],
    [{ GITHUB_REPOSITORY: 'acme/gitops' }, /GITHUB_EVENT_PATH is not set/],
    [{ GITHUB_REPOSITORY: 'acme/gitops', GITHUB_EVENT_PATH: '/nonexistent/event.json' }, /failed to read the pull request event \/nonexistent\/event.json/],
  ])('names what is missing (%j)', async (env, message) => {
    await expect(readPullRequestContext(env)).rejects.toThrow(message);
  });

  it('refuses an event that is not a pull request', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'drift-auditor-event-'));
    const event = path.join(dir, 'event.json');
    await writeFile(event, JSON.stringify({ ref: 'refs/heads/main' }));

    await expect(readPullRequestContext({ GITHUB_REPOSITORY: 'acme/gitops', GITHUB_EVENT_PATH: event })).rejects.toThrow(/pull_request.number is missing/);
  });
});
