// `drift-auditor notify` offline and in parallel (issue 11 item 7, issue 10 item 5): an unreachable
// GitHub is one line and exit 2 without octokit's retries, --plan-only needs no network at all, and
// two runs at once with --lock-store leave one issue per DaemonSet.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { notifyCommand } from '../../../functions/cli/commands/notify.js';
import type { CliIO } from '../../../functions/cli/main.js';
import { main } from '../../../functions/cli/main.js';
import { issueRoutes, labelRoutes } from '../../emulators/github/issues.js';
import { newRepo, startGitHubEmulator, type GitHubEmulator } from '../../emulators/github/server.js';
import { finding, report } from '../../core/github-issues/reports.js';

let emu: GitHubEmulator;
let dir: string;
let reportPath: string;

beforeEach(async () => {
  emu = await startGitHubEmulator([...issueRoutes, ...labelRoutes]);
  const repo = newRepo('acme', 'ops');
  repo.labels = new Set(['drift', 'severity:warning', 'severity:critical', 'cluster:prod-eu']);
  emu.state.repos.set('acme/ops', repo);
  dir = await mkdtemp(join(tmpdir(), 'notify-cli-'));
  reportPath = join(dir, 'report.json');
  const r = report([
    finding('kube-system/node-exporter', 'coverage/missing', { node: 'ip-10-0-1-57', message: 'no pod <script>alert(1)</script> @octocat' }),
    finding('kube-system/fluentd', 'image/drift', { severity: 'critical' }),
  ]);
  await writeFile(reportPath, JSON.stringify(r));
});
afterEach(async () => {
  await emu.close();
  await rm(dir, { recursive: true, force: true });
});

function io(env: NodeJS.ProcessEnv): CliIO & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (s) => out.push(s), stderr: (s) => err.push(s), env: { GITHUB_TOKEN: 't', ...env }, isTTY: false };
}

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

// The production command: octokit's retry plugin on. A hang guard, not a timing assertion: without the
// fail-fast check the retries alone take 14 s.
const FAST = { timeout: 10_000 };

describe('drift-auditor notify without GitHub', () => {
  it('says it cannot reach an unresolvable host, in one line, exit 2', FAST, async () => {
    const cli = io({ GITHUB_API_URL: 'http://nonexistent.invalid' });

    const code = await main(['notify', '--report', reportPath, '--repo', 'acme/ops', '--dry-run'], cli);

    expect([code, cli.out.join('')]).toEqual([2, '']);
    expect(cli.err.join('')).toMatch(
      /^drift-auditor: cannot reach nonexistent\.invalid \(DNS: (ENOTFOUND|EAI_AGAIN)\); check the network and GITHUB_API_URL\n$/,
    );
  });

  it('says the connection was refused on a closed loopback port, in one line, exit 2', FAST, async () => {
    const port = await closedPort();
    const cli = io({ GITHUB_API_URL: `http://127.0.0.1:${port}` });

    const code = await main(['notify', '--report', reportPath, '--repo', 'acme/ops'], cli);

    expect(code).toEqual(2);
    expect(cli.err).toEqual([`drift-auditor: cannot reach 127.0.0.1:${port} (connection refused: ECONNREFUSED); check the network and GITHUB_API_URL\n`]);
  });

  it('says why an API URL with user:password@ cannot work, without echoing the password', FAST, async () => {
    const cli = io({ GITHUB_API_URL: `http://user:s3cret-pass@127.0.0.1:${await closedPort()}` });

    const code = await main(['notify', '--report', reportPath, '--repo', 'acme/ops', '--dry-run'], cli);

    expect([code, cli.err.length]).toEqual([2, 1]);
    expect(cli.err[0]).toMatch(
      /^drift-auditor: cannot reach 127\.0\.0\.1:\d+: the API URL \(GITHUB_API_URL\) carries user:password@, which fetch refuses; give the credentials as GITHUB_TOKEN\n$/,
    );
    expect(cli.err[0]).not.toContain('s3cret');
  });

  it('prints the issues a first run would open with --plan-only, making no request', async () => {
    const cli = io({ GITHUB_API_URL: emu.url });

    const code = await main(['notify', '--report', reportPath, '--plan-only', '--label', 'team:platform'], cli);

    const out = cli.out.join('');
    expect([code, emu.log.length]).toEqual([0, 0]);
    expect(out.split('\n').filter((l) => /^(cluster| {2}create|=== |title: |labels: )/.test(l))).toEqual([
      'cluster prod-eu: 2 action(s), 2 write(s)',
      '  create  kube-system/fluentd: new issue [drift, severity:critical, cluster:prod-eu, team:platform]',
      '  create  kube-system/node-exporter: new issue [drift, severity:warning, cluster:prod-eu, team:platform]',
      '=== create kube-system/fluentd (new issue)',
      'title: Drift: DaemonSet kube-system/fluentd on cluster prod-eu',
      'labels: drift, severity:critical, cluster:prod-eu, team:platform',
      '=== create kube-system/node-exporter (new issue)',
      'title: Drift: DaemonSet kube-system/node-exporter on cluster prod-eu',
      'labels: drift, severity:warning, cluster:prod-eu, team:platform',
    ]);
    expect(out).toContain('<!-- drift-auditor:v1 cluster=prod-eu daemonset=kube-system%2Fnode-exporter fingerprint=');
    expect(out).toContain('ip\\-10\\-0\\-1\\-57');
  });

  it('works with --plan-only when GitHub is unresolvable', FAST, async () => {
    const cli = io({ GITHUB_API_URL: 'http://nonexistent.invalid' });

    const code = await main(['notify', '--report', reportPath, '--repo', 'acme/ops', '--plan-only'], cli);

    expect([code, cli.err]).toEqual([0, []]);
    expect(cli.out.join('')).toMatch(/^cluster prod-eu: 2 action\(s\), 2 write\(s\)\n/);
  });

  it.each([
    [['--plan-only', '--dry-run'], /^--plan-only makes no request at all: it takes no --dry-run\n/],
    [['--dry-run'], /^--repo is required/],
  ])('refuses %j as usage (exit 2)', async (flags, message) => {
    const cli = io({ GITHUB_API_URL: emu.url });

    const code = await main(['notify', '--report', reportPath, ...flags], cli);

    expect([code, emu.log.length]).toEqual([2, 0]);
    expect(cli.err.join('').replace(/^drift-auditor: /, '')).toMatch(message);
  });
});

describe('drift-auditor notify --lock-store', () => {
  it('leaves one issue per DaemonSet for two runs at once, both exit 0', async () => {
    const run = notifyCommand({ throttle: false, lockOptions: { pollMs: 10 } });
    const lockDir = join(dir, 'store');
    const args = ['--report', reportPath, '--repo', 'acme/ops', '--lock-store', lockDir];

    const codes = await Promise.all([0, 1].map(() => run(args, io({ GITHUB_API_URL: emu.url }))));

    const issues = emu.state.repos.get('acme/ops')!.issues;
    expect([codes, issues.length, issues.map((i) => i.state)]).toEqual([[0, 0], 2, ['open', 'open']]);
    expect(emu.writes().filter((w) => w.path.endsWith('/issues')).length).toEqual(2);
  });
});
