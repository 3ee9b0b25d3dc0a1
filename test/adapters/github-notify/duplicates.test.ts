// Duplicate issues and comments (issue 10, item 5), against the GitHub emulator with the real octokit
// client, its retry plugin ON: concurrent notify runs of one report, and 502s answered after GitHub
// really carried out the POST.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { notify } from '../../../functions/adapters/github-notify/index.js';
import { createOctokit, type Octokit } from '../../../functions/adapters/github-client.js';
import { LocalStore } from '../../../functions/adapters/store/index.js';
import type { Report } from '../../../functions/core/types.js';
import { issueRoutes, labelRoutes } from '../../emulators/github/issues.js';
import { newRepo, startGitHubEmulator, type EmuRequest, type EmuRepo, type GitHubEmulator } from '../../emulators/github/server.js';
import { finding, report } from '../../core/github-issues/reports.js';

let emu: GitHubEmulator;
let repo: EmuRepo;
let octokit: Octokit;
let dir: string;
let lock: LocalStore;

beforeEach(async () => {
  emu = await startGitHubEmulator([...issueRoutes, ...labelRoutes]);
  repo = newRepo('acme', 'ops');
  repo.labels = new Set(['drift', 'severity:warning', 'severity:critical', 'cluster:prod-eu']);
  emu.state.repos.set('acme/ops', repo);
  // The production retry setting (3 retries of 5xx): a blindly retried POST would create twice.
  octokit = await createOctokit({ env: {}, token: 't', baseUrl: emu.url, throttle: false, retries: 3 });
  dir = await mkdtemp(join(tmpdir(), 'notify-lock-'));
  lock = new LocalStore(dir);
});
afterEach(async () => {
  await emu.close();
  await rm(dir, { recursive: true, force: true });
});

const DAEMONSETS = ['kube-system/node-exporter', 'kube-system/fluentd', 'logging/vector'];
const drift = (nodes: string[], generatedAt = '2026-06-01T12:00:00Z'): Report =>
  report(
    DAEMONSETS.flatMap((ds) => nodes.map((node) => finding(ds, 'coverage/missing', { node }))),
    { generatedAt },
  );

const BAD_GATEWAY = { status: 502, body: { message: 'Server Error' } };
const post = (path: RegExp) => (req: EmuRequest) => req.method === 'POST' && path.test(req.path);

/** Open issues per DaemonSet, all issues, and comments per issue. */
function tally(): { open: Record<string, number>; issues: number; comments: number[] } {
  const open: Record<string, number> = {};
  for (const i of repo.issues.filter((x) => x.state === 'open')) {
    const ds = DAEMONSETS.find((d) => i.body.includes(`daemonset=${encodeURIComponent(d)}`))!;
    open[ds] = (open[ds] ?? 0) + 1;
  }
  return { open, issues: repo.issues.length, comments: repo.issues.map((i) => i.comments.length) };
}
const ONE_EACH = Object.fromEntries(DAEMONSETS.map((d) => [d, 1]));

describe('notify() under faults', () => {
  it('does not create a second issue when GitHub answers 502 after really creating it', async () => {
    emu.faults.push({ match: post(/\/issues$/), times: 1, response: BAD_GATEWAY, afterHandling: true });

    const result = await notify(drift(['n1']), { repo: 'acme/ops', octokit, throttle: false });

    expect(tally()).toEqual({ open: ONE_EACH, issues: 3, comments: [0, 0, 0] });
    expect([result.complete, result.recovered.length, emu.log.filter((l) => l.method === 'POST' && l.path.endsWith('/issues')).length]).toEqual([true, 1, 3]);
    expect(result.recovered[0]).toMatch(
      /^create kube-system\/fluentd: failed to create the issue for kube-system\/fluentd: HTTP 502: Server Error, yet GitHub created #1$/,
    );
  });

  it('does not post a comment twice when GitHub answers 502 after really posting it', async () => {
    await notify(drift(['n1']), { repo: 'acme/ops', octokit, throttle: false });
    emu.faults.push({ match: post(/\/comments$/), times: 3, response: BAD_GATEWAY, afterHandling: true });

    const result = await notify(drift(['n1', 'n2'], '2026-06-02T12:00:00Z'), { repo: 'acme/ops', octokit, throttle: false });

    expect(tally()).toEqual({ open: ONE_EACH, issues: 3, comments: [1, 1, 1] });
    expect([result.complete, result.recovered.length]).toEqual([true, 3]);
  });

  it('reports a create that failed without creating, and the next run creates it once', async () => {
    emu.faults.push({ match: post(/\/issues$/), times: 1, response: BAD_GATEWAY });

    const failed = await notify(drift(['n1']), { repo: 'acme/ops', octokit, throttle: false });
    const next = await notify(drift(['n1']), { repo: 'acme/ops', octokit, throttle: false });

    expect([failed.complete, failed.notDone]).toEqual([
      false,
      ['create kube-system/fluentd: failed to create the issue for kube-system/fluentd: HTTP 502: Server Error'],
    ]);
    expect([next.complete, tally()]).toEqual([true, { open: ONE_EACH, issues: 3, comments: [0, 0, 0] }]);
  });
});

describe('notify() runs at once', () => {
  it('leaves exactly one issue per DaemonSet for three runs of one report at once, with the store lock', async () => {
    const runs = await Promise.all(
      [0, 1, 2].map(() => notify(drift(['n1']), { repo: 'acme/ops', octokit, throttle: false, lock, lockOptions: { pollMs: 10 } })),
    );

    expect(tally()).toEqual({ open: ONE_EACH, issues: 3, comments: [0, 0, 0] });
    expect(runs.map((r) => [r.complete, r.duplicates.length])).toEqual([
      [true, 0],
      [true, 0],
      [true, 0],
    ]);
    expect(runs.map((r) => r.issues.outcomes.filter((o) => o.action.kind === 'create').length).sort()).toEqual([0, 0, 3]);
  });

  it('posts one comment per issue for two runs of a changed report at once, with the store lock', async () => {
    await notify(drift(['n1']), { repo: 'acme/ops', octokit, throttle: false });

    const runs = await Promise.all(
      [0, 1].map(() => notify(drift(['n2'], '2026-06-02T12:00:00Z'), { repo: 'acme/ops', octokit, throttle: false, lock, lockOptions: { pollMs: 10 } })),
    );

    expect(tally()).toEqual({ open: ONE_EACH, issues: 3, comments: [1, 1, 1] });
    expect(runs.map((r) => r.complete)).toEqual([true, true]);
  });

  it('leaves one open issue and one comment each for two runs at once without a lock, and a run that healed says so', async () => {
    const created = await Promise.all([0, 1].map(() => notify(drift(['n1']), { repo: 'acme/ops', octokit, throttle: false })));
    const changed = await Promise.all([0, 1].map(() => notify(drift(['n2'], '2026-06-02T12:00:00Z'), { repo: 'acme/ops', octokit, throttle: false })));

    const t = tally();
    expect(t.open).toEqual(ONE_EACH);
    const openComments = repo.issues.filter((i) => i.state === 'open').map((i) => i.comments.length);
    expect(openComments).toEqual([1, 1, 1]);
    for (const r of [...created, ...changed]) expect(r.complete).toEqual(r.duplicates.length === 0);
    const closedDuplicates = repo.issues.filter((i) => i.state === 'closed').length;
    expect(created.flatMap((r) => r.duplicates).filter((d) => d.startsWith('issue')).length >= closedDuplicates).toBe(true);
  });

  it('survives ten rounds of two runs at once with 502s after real writes, leaving no duplicate', async () => {
    let faults = 0;
    for (let round = 0; round < 10; round++) {
      const at = `2026-06-${String(round + 1).padStart(2, '0')}T12:00:00Z`;
      emu.faults.push({ match: post(/\/(issues|comments)$/), times: 2, response: BAD_GATEWAY, afterHandling: true });
      faults += 2;
      const nodes = round % 3 === 2 ? [] : [`n${round}`];
      const r = report(
        DAEMONSETS.flatMap((ds) => nodes.map((node) => finding(ds, 'coverage/missing', { node }))),
        { generatedAt: at, audited: DAEMONSETS },
      );
      await Promise.all([0, 1].map(() => notify(r, { repo: 'acme/ops', octokit, throttle: false, lock, lockOptions: { pollMs: 10 } })));
      emu.faults.length = 0;
    }

    const markers = repo.issues.flatMap((i) => i.comments.map((c) => `${i.number} ${/<!-- drift-auditor:comment [^>]*-->/.exec(c.body)?.[0]}`));
    expect([faults, repo.issues.length, markers.length - new Set(markers).size]).toEqual([20, 3, 0]);
    expect(Object.values(tally().open).every((n) => n <= 1)).toBe(true);
  });
});
