// `drift-auditor notify` end to end: a report file (or s3:// object) in, the GitHub emulator out.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { notifyCommand } from '../../functions/cli/commands/notify.js';
import { main, type CliIO } from '../../functions/cli/main.js';
import type { Report } from '../../functions/core/types.js';
import { issueRoutes, labelRoutes } from '../emulators/github/issues.js';
import { newRepo, startGitHubEmulator, type GitHubEmulator } from '../emulators/github/server.js';
import { startS3Server } from '../adapters/store/s3-server.js';
import { finding, report } from '../core/github-issues/reports.js';

let emu: GitHubEmulator;
let dir: string;

beforeEach(async () => {
  emu = await startGitHubEmulator([...issueRoutes, ...labelRoutes]);
  const repo = newRepo('acme', 'ops');
  repo.labels = new Set(['drift', 'severity:warning', 'severity:critical', 'cluster:prod-eu']);
  emu.state.repos.set('acme/ops', repo);
  dir = await mkdtemp(join(tmpdir(), 'notify-cli-'));
});
afterEach(async () => {
  await emu.close();
  await rm(dir, { recursive: true, force: true });
});

function io(env: NodeJS.ProcessEnv = {}): CliIO & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (s) => out.push(s), stderr: (s) => err.push(s), env: { GITHUB_TOKEN: 't', GITHUB_API_URL: emu.url, ...env }, isTTY: false };
}

async function reportFile(r: Report | string, name = 'report.json'): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, typeof r === 'string' ? r : JSON.stringify(r));
  return path;
}

const run = notifyCommand({ throttle: false });
const drift = report([
  finding('kube-system/node-exporter', 'coverage/missing', { node: 'n1' }),
  finding('kube-system/fluentd', 'image/drift', { severity: 'critical' }),
]);

describe('drift-auditor notify', () => {
  it('prints the plan and writes nothing with --dry-run', async () => {
    const path = await reportFile(drift);
    const cli = io();

    const code = await run(['--report', path, '--repo', 'acme/ops', '--dry-run'], cli);

    expect([code, emu.writes().length]).toEqual([0, 0]);
    expect(cli.out.join('')).toEqual(
      [
        'cluster prod-eu: 2 action(s), 2 write(s)',
        '  create  kube-system/fluentd: new issue [drift, severity:critical, cluster:prod-eu]',
        '  create  kube-system/node-exporter: new issue [drift, severity:warning, cluster:prod-eu]',
        '',
      ].join('\n'),
    );
  });

  it('creates the issues, then makes no write on the same report', async () => {
    const path = await reportFile(drift);

    const first = await run(['--report', path, '--repo', 'acme/ops', '--label', 'team:platform'], io());
    const writes = emu.writes().length;
    const second = await run(['--report', path, '--repo', 'acme/ops', '--label', 'team:platform'], io());

    expect([first, second, writes, emu.writes().length]).toEqual([0, 0, 3, 3]); // one missing label + two issues
    expect(emu.state.repos.get('acme/ops')!.issues.map((i) => i.labels.includes('team:platform'))).toEqual([true, true]);
  });

  it('exits 1 and says what was not done when --max-writes is reached', async () => {
    const path = await reportFile(drift);
    const cli = io();

    const code = await run(['--report', path, '--repo', 'acme/ops', '--max-writes', '1'], cli);

    expect([code, emu.writes().length]).toEqual([1, 1]);
    expect(cli.err.join('')).toMatch(/not done: create kube-system\/node-exporter: write cap \(1\) reached/);
  });

  it('exits 1 for an incomplete report and says that nothing was closed', async () => {
    const path = await reportFile(report([], { complete: false }));
    const cli = io();

    const code = await run(['--report', path, '--repo', 'acme/ops'], cli);

    expect([code, cli.err.join('')]).toEqual([1, expect.stringContaining('the report is INCOMPLETE: no issue was closed')]);
  });

  it.each([
    ['gaps', { ...drift, gaps: [{ source: 'kubernetes:list pods', message: 'forbidden' }] }],
    ['an audit/incomplete finding', { ...drift, findings: [...drift.findings, finding('/', 'audit/incomplete', { severity: 'critical' })] }],
  ])('exits 2 and writes nothing for a report that says complete but has %s', async (_case, forged) => {
    const path = await reportFile(forged);
    const cli = io();

    const code = await main(['notify', '--report', path, '--repo', 'acme/ops'], cli);

    expect([code, emu.writes().length, cli.err.join('')]).toEqual([2, 0, expect.stringMatching(/field complete must be false: the report records gaps/)]);
  });

  it.each([
    [['--repo', 'acme/ops'], /--report is required/],
    [['--report', 'r.json'], /--repo is required/],
    [['--report', 'r.json', '--repo', 'acme'], /--repo: expected OWNER\/REPO/],
    [['--report', 'r.json', '--repo', 'acme/ops', '--min-severity', 'high'], /--min-severity must be one of critical, warning, info/],
    [['--report', 'r.json', '--repo', 'acme/ops', '--max-writes', 'many'], /--max-writes must be a whole number/],
  ])('exits 2 on bad usage %j', async (argv, message) => {
    const cli = io();

    const code = await main(['notify', ...argv], cli);

    expect([code, cli.err.join('')]).toEqual([2, expect.stringMatching(message)]);
  });

  it('exits 2 naming the bad field of a report', async () => {
    const path = await reportFile(JSON.stringify({ ...drift, complete: 'yes' }));
    const cli = io();

    const code = await main(['notify', '--report', path, '--repo', 'acme/ops'], cli);

    expect([code, cli.err.join('')]).toEqual([2, `drift-auditor: failed to read report ${path}: field complete must be true or false, not string "yes"\n`]);
  });

  it('reads the report from s3:// through AWS_ENDPOINT_URL_S3', async () => {
    const s3 = await startS3Server();
    try {
      await s3.client().send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'runs/prod-eu/report.json', Body: JSON.stringify(drift) }));
      const cli = io({ AWS_ENDPOINT_URL_S3: s3.endpoint, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' });

      const code = await run(['--report', `s3://${s3.bucket}/runs/prod-eu/report.json`, '--repo', 'acme/ops', '--dry-run'], cli);

      expect([code, cli.out.join('').split('\n')[0]]).toEqual([0, 'cluster prod-eu: 2 action(s), 2 write(s)']);
    } finally {
      await s3.close();
    }
  });
});
