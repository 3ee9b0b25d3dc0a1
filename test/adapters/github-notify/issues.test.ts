// A sequence of notify runs against the GitHub emulator, with the real octokit client.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { notify, syncIssues, WriteBudget } from '../../../functions/adapters/github-notify/index.js';
import { createOctokit, type Octokit } from '../../../functions/adapters/github-client.js';
import { formatIssueMarker } from '../../../functions/core/github-issues/marker.js';
import type { Report } from '../../../functions/core/types.js';
import { issueRoutes, labelRoutes } from '../../emulators/github/issues.js';
import { newRepo, startGitHubEmulator, type EmuIssue, type EmuRepo, type GitHubEmulator, type LoggedRequest } from '../../emulators/github/server.js';
import { finding, report } from '../../core/github-issues/reports.js';

let emu: GitHubEmulator;
let repo: EmuRepo;
let octokit: Octokit;

beforeEach(async () => {
  emu = await startGitHubEmulator([...issueRoutes, ...labelRoutes]);
  repo = newRepo('acme', 'ops');
  emu.state.repos.set('acme/ops', repo);
  octokit = await createOctokit({ env: {}, token: 't', baseUrl: emu.url, throttle: false, retries: 0 });
});
afterEach(async () => {
  await emu.close();
});

const DS = 'kube-system/node-exporter';
const missing = (node: string) => finding(DS, 'coverage/missing', { node, message: `no node-exporter pod on ${node}` });

/** Runs notify and returns the write calls it made. */
async function run(
  r: Report,
  extra: Partial<Parameters<typeof notify>[1]> = {},
): Promise<{ writes: LoggedRequest[]; result: Awaited<ReturnType<typeof notify>> }> {
  const before = emu.writes().length;
  const result = await notify(r, { repo: 'acme/ops', octokit, ...extra });
  return { writes: emu.writes().slice(before), result };
}

const calls = (writes: LoggedRequest[]) => writes.map((w) => `${w.method} ${w.path.replace('/repos/acme/ops', '')} ${w.status}`);
const ours = () => repo.issues.filter((i) => i.body.includes(`daemonset=${encodeURIComponent(DS)}`));

describe('notify()', () => {
  it('creates, keeps, edits, closes and reopens one issue over a sequence of runs', async () => {
    const first = await run(report([missing('n1'), missing('n2')], { generatedAt: '2026-06-01T00:00:00Z' }));
    const same = await run(report([missing('n2'), missing('n1')], { generatedAt: '2026-06-01T01:00:00Z' }));
    const changed = await run(report([missing('n2'), missing('n3')], { generatedAt: '2026-06-01T02:00:00Z' }));
    const resolved = await run(report([], { audited: [DS], generatedAt: '2026-06-01T03:00:00Z' }));
    const stillClean = await run(report([], { audited: [DS], generatedAt: '2026-06-01T04:00:00Z' }));
    const returned = await run(report([missing('n1')], { generatedAt: '2026-06-01T05:00:00Z' }));

    expect(calls(first.writes)).toEqual(['POST /labels 201', 'POST /labels 201', 'POST /labels 201', 'POST /issues 201']);
    expect([calls(same.writes), same.result.writes]).toEqual([[], 0]);
    expect(calls(changed.writes)).toEqual(['PATCH /issues/1 200', 'POST /issues/1/comments 201']);
    expect(calls(resolved.writes)).toEqual(['POST /issues/1/comments 201', 'PATCH /issues/1 200']);
    expect(calls(stillClean.writes)).toEqual([]);
    expect(calls(returned.writes)).toEqual(['PATCH /issues/1 200', 'POST /issues/1/comments 201']);
    const issue = repo.issues[0]!;
    expect([repo.issues.length, issue.state, issue.labels.sort(), issue.comments.length]).toEqual([
      1,
      'open',
      ['cluster:prod-eu', 'drift', 'severity:warning'],
      3,
    ]);
    expect(issue.comments.map((c) => c.body.split('\n')[0]!.replace(/ in (the audit|cluster) .*/, ''))).toEqual([
      'The drift changed',
      'No findings at or above warning remain for DaemonSet kube\\-system/node\\-exporter',
      'The drift returned',
    ]);
    expect(/Appeared \(1\)[\s\S]*n3[\s\S]*Resolved \(1\)[\s\S]*n1/.test(issue.comments[0]!.body)).toEqual(true);
  });

  it('never closes an issue from an incomplete report', async () => {
    await run(report([missing('n1')]));

    const partial = await run(report([], { audited: [DS], complete: false }));

    expect([calls(partial.writes), ours()[0]!.state]).toEqual([[], 'open']);
  });

  it('heals the duplicate two concurrent runs without a lock created, keeping the oldest, and says so', async () => {
    repo.labels = new Set(['drift', 'severity:warning', 'cluster:prod-eu']);
    const r = report([missing('n1')]);

    const raced = await Promise.all([run(r), run(r)]);
    const after = await run(r);

    // Each run looks again by marker before creating; what still slips through is closed as a duplicate.
    const open = ours().filter((i) => i.state === 'open');
    const closed = ours().filter((i) => i.state === 'closed');
    expect([open.map((i) => i.number), closed.every((i) => /duplicate of #1/.test(i.comments[0]!.body))]).toEqual([[1], true]);
    const healed = raced.flatMap((x) => x.result.duplicates);
    expect(healed.length > 0).toEqual(closed.length > 0);
    expect(raced.map((x) => x.result.complete)).toEqual(raced.map((x) => x.result.duplicates.length === 0));
    expect(closed.flatMap((i) => i.comments).length).toEqual(closed.length); // one duplicate comment each
    expect(calls(after.writes)).toEqual([]);
  });

  it('heals two issues left by an earlier race on the next run, and exits non-zero once', async () => {
    repo.labels = new Set(['drift', 'severity:warning', 'cluster:prod-eu']);
    const r = report([missing('n1')]);
    await run(r);
    repo.issues.push({ ...ours()[0]!, number: 2, comments: [] });

    const heal = await run(r);
    const after = await run(r);

    expect(calls(heal.writes)).toEqual(['POST /issues/2/comments 201', 'PATCH /issues/2 200']);
    expect([heal.result.complete, heal.result.duplicates]).toEqual([false, [`issue #2 for ${DS} duplicates #1`]]);
    expect(heal.result.summary).toMatch(/DUPLICATES found and healed: 1/);
    expect(ours().map((i) => [i.number, i.state])).toEqual([
      [1, 'open'],
      [2, 'closed'],
    ]);
    expect([calls(after.writes), after.result.complete]).toEqual([[], true]);
  });

  it('finds its issue among more than 100 drift issues across pages, and skips pull requests', async () => {
    await run(report([missing('n1')]));
    const other = formatIssueMarker({ cluster: 'prod-us', daemonSet: 'a/b', fingerprint: '0'.repeat(64) });
    for (let i = 0; i < 150; i++) {
      repo.issues.push({
        number: 100 + i,
        title: `t${i}`,
        body: other,
        state: i % 2 ? 'open' : 'closed',
        labels: ['drift'],
        comments: [],
        created_at: '2026-01-01T00:00:00Z',
        updated_at: '2026-01-01T00:00:00Z',
      });
    }
    // A PR carrying our marker and label: the issues list returns PRs too, and they must not count.
    const pr: EmuIssue = { ...ours()[0]!, number: 999, state: 'closed', pull_request: true, comments: [] };
    repo.issues.push(pr);
    const before = emu.log.length;

    const again = await run(report([missing('n1')], { generatedAt: '2026-06-02T00:00:00Z' }));

    const pages = emu.log.slice(before).filter((l) => l.method === 'GET' && l.path === '/repos/acme/ops/issues').length;
    expect([calls(again.writes), pages]).toEqual([[], 2]);
  });

  it('plans without writing in a dry run', async () => {
    await run(report([missing('n1')]));
    const lines: string[] = [];

    const dry = await run(report([missing('n2')]), { dryRun: true, log: (l) => lines.push(l) });
    const fresh = await run(report([finding('a/x', 'image/drift')]), { dryRun: true, log: (l) => lines.push(l) });

    expect([calls(dry.writes), calls(fresh.writes)]).toEqual([[], []]);
    expect(lines).toEqual([
      `cluster prod-eu: 1 action(s), 2 write(s)\n  edit    ${DS}: #1 (+comment: 1 appeared, 1 resolved)`,
      `cluster prod-eu: 2 action(s), 3 write(s)\n  create  a/x: new issue [drift, severity:warning, cluster:prod-eu]\n  close   ${DS}: #1 (+comment) drift resolved`,
    ]);
    expect(dry.result.summary).toMatch(/\(planned\): 0 created, 1 edited/);
  });

  it('stops at --max-writes and reports what was not done', async () => {
    repo.labels = new Set(['drift', 'severity:warning', 'cluster:prod-eu']);
    const r = report(['a/x', 'b/y', 'c/z'].map((ds) => finding(ds, 'image/drift')));

    const capped = await run(r, { maxWrites: 2 });

    expect([calls(capped.writes).length, capped.result.complete, capped.result.notDone]).toEqual([2, false, ['create c/z: write cap (2) reached']]);
  });

  it('escapes cluster text so that issue bodies and comments cannot mention, link or inject HTML', async () => {
    const evil = (node: string) =>
      finding(DS, 'coverage/missing', {
        node,
        container: '@org/team',
        message: 'see #123 <script>alert(1)</script> [x](javascript:alert(1)) @octocat',
        actual: '](javascript:alert(1))',
        expected: '<img src=x onerror=alert(1)>',
      });

    await run(report([evil('node-@org/team-#123')]));
    await run(report([evil('node-<script>'), evil('n2](javascript:alert(1))')]));
    await run(report([], { audited: [DS] }));

    const texts = ours().flatMap((i) => [i.title, i.body, ...i.comments.map((c) => c.body)]);
    expect(texts.length).toEqual(4);
    for (const t of texts) {
      expect(t).not.toMatch(/@(org|octocat)/);
      expect(t).not.toMatch(/#123/);
      expect(t).not.toMatch(/(^|[^\\])<(script|img)/i); // `\<script` renders as text
      expect(t).not.toMatch(/\]\(javascript:/);
    }
  });
});

describe('syncIssues()', () => {
  it('retries a 403 secondary rate limit after retry-after with throttling on', async () => {
    repo.labels = new Set(['drift', 'severity:warning', 'cluster:prod-eu']);
    const limits: string[] = [];
    const throttled = await createOctokit({
      env: {},
      token: 't',
      baseUrl: emu.url,
      throttle: true,
      retries: 0,
      onRateLimit: (i) => limits.push(`${i.kind} ${i.retryAfterSeconds} ${i.willRetry}`),
    });
    emu.faults.push({
      match: (req) => req.method === 'POST' && req.path === '/repos/acme/ops/issues',
      times: 1,
      response: {
        status: 403,
        headers: { 'retry-after': '1' },
        body: {
          message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
          documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
        },
      },
    });

    const result = await syncIssues(throttled, { owner: 'acme', repo: 'ops' }, report([missing('n1')]), new WriteBudget(50), { minSeverity: 'warning' });

    expect(limits).toEqual(['secondary 1 true']);
    expect(calls(emu.writes())).toEqual(['POST /issues 403', 'POST /issues 201']);
    expect([result.outcomes.map((o) => o.status), repo.issues.length]).toEqual([['done'], 1]);
  });
});
