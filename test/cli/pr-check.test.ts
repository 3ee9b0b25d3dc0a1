import { mkdir, mkdtemp, readFile, writeFile, cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { prCheckCommand } from '../../functions/cli/commands/pr-check.js';
import { main, type CliIO } from '../../functions/cli/main.js';
import type { ChangeReport } from '../../functions/core/change/index.js';
import { checkRoutes, checkRunsOf, seedPullRequest } from '../emulators/github/checks.js';
import { issueRoutes } from '../emulators/github/issues.js';
import { seedRepo } from '../emulators/github/repos.js';
import { startGitHubEmulator } from '../emulators/github/server.js';

const CP_NODE = 'ip-10-0-0-11.eu-west-1.compute.internal';
const EXAMPLE = ['--snapshot', 'examples/cluster', '--rules', 'examples/policy.yaml', '--cluster', 'example', '--now', '2026-11-20T10:00:00Z'];
const PR = [...EXAMPLE, '--base', 'examples/gitops', '--head', 'examples/pr/narrow-fluentd-tolerations'];

function captureIO(env: NodeJS.ProcessEnv = {}): CliIO & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (s) => out.push(s), stderr: (s) => err.push(s), env, isTTY: false };
}

async function tmp(): Promise<string> {
  return mkdtemp(path.join(tmpdir(), 'drift-auditor-pr-check-'));
}

async function check(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; report: ChangeReport; err: string }> {
  const io = captureIO(env);
  const code = await main(['pr-check', ...args, '-o', 'json'], io);
  return { code, report: JSON.parse(io.out.join('')) as ChangeReport, err: io.err.join('') };
}

describe('drift-auditor pr-check', () => {
  it('reports exactly the node the example PR takes fluentd away from, as critical (the policy requires it), and exits 1', async () => {
    const { code, report, err } = await check(PR);

    expect(code).toBe(1);
    expect(report.findings.map((f) => [f.rule, f.severity, `${f.namespace}/${f.daemonSet}`, f.node])).toEqual([
      ['change/required-coverage-lost', 'critical', 'logging/fluentd', CP_NODE],
    ]);
    expect(report.findings[0]!.message).toContain('the node has taint node-role.kubernetes.io/control-plane:NoSchedule, which the DaemonSet does not tolerate');
    expect(report.daemonSets.filter((d) => d.change !== 'unchanged').map((d) => [d.name, d.nodesBefore, d.nodesAfter, d.lost, d.gained, d.head])).toEqual([
      ['fluentd', 11, 10, 1, 0, { file: 'examples/pr/narrow-fluentd-tolerations/logging/fluentd.yaml', line: 45 }],
    ]);
    expect([report.complete, report.snapshotTakenAt, report.snapshotAgeSeconds]).toEqual([true, '2026-11-20T09:59:37.000Z', 23]);
    expect(err).toBe('drift-auditor: 1 finding(s) at or above critical\n');
  });

  it('passes an unchanged head with no change finding and exit 0', async () => {
    const { code, report } = await check([...EXAMPLE, '--base', 'examples/gitops', '--head', 'examples/gitops']);

    expect(code).toBe(0);
    expect(report.findings).toEqual([]);
    expect(report.summary).toMatchObject({ changed: 0, lost: 0, gained: 0, daemonSets: 5 });
  });

  it('reports a stale snapshot as a warning, failing only with --fail-on warning', async () => {
    const late = [...PR.filter((a) => a !== '2026-11-20T10:00:00Z' && a !== '--now'), '--now', '2026-11-23T10:00:00Z'];

    const none = await check([...late, '--fail-on', 'none']);
    const warning = await check([...late, '--fail-on', 'warning']);

    expect(none.code).toBe(0);
    expect(none.report.findings.map((f) => f.rule)).toEqual(['change/required-coverage-lost', 'change/snapshot-stale']);
    expect(none.report.findings[1]!.message).toMatch(/^the snapshot was taken 3 d before this check/);
    expect(warning.code).toBe(1);
  });

  it('is incomplete and exits 1 when the head has a DaemonSet manifest that does not parse', async () => {
    const head = await tmp();
    await cp('examples/gitops', head, { recursive: true });
    await writeFile(path.join(head, 'logging/fluentd.yaml'), 'apiVersion: apps/v1\nkind: DaemonSet\nmetadata: { name: fluentd, namespace: logging\nspec: [\n');

    const { code, report, err } = await check([...EXAMPLE, '--base', 'examples/gitops', '--head', head, '--fail-on', 'none']);

    expect(code).toBe(1);
    expect(report.complete).toBe(false);
    expect(report.gaps.map((g) => g.source)).toEqual([expect.stringMatching(/^head:logging\/fluentd\.yaml/)]);
    expect(report.findings[0]!.rule).toBe('audit/incomplete');
    expect(err).toMatch(/^drift-auditor: the check is INCOMPLETE/);
  });

  it('renders Kustomize on both sides: a patch that drops a toleration loses the nodes with that taint', async () => {
    const dir = await tmp();
    const fluentd = await readFile('examples/gitops/logging/fluentd.yaml', 'utf8');
    for (const side of ['base', 'head']) {
      await mkdir(path.join(dir, side), { recursive: true });
      await writeFile(path.join(dir, side, 'fluentd.yaml'), fluentd);
    }
    await writeFile(path.join(dir, 'base/kustomization.yaml'), 'resources: [fluentd.yaml]\n');
    await writeFile(
      path.join(dir, 'head/kustomization.yaml'),
      [
        'resources: [fluentd.yaml]',
        'patches:',
        '  - target: { kind: DaemonSet, name: fluentd }',
        '    patch: |-',
        '      - op: remove',
        '        path: /spec/template/spec/tolerations/0',
        '',
      ].join('\n'),
    );

    const { code, report } = await check([...EXAMPLE, '--base', path.join(dir, 'base'), '--head', path.join(dir, 'head')]);

    expect(report.complete).toBe(true);
    expect(report.findings.map((f) => [f.rule, f.node])).toEqual([['change/required-coverage-lost', CP_NODE]]);
    expect(code).toBe(1);
  });

  it('reads the latest snapshot of a cluster from the evidence store', async () => {
    const store = await tmp();
    expect(
      await main(
        [
          'audit',
          '--snapshot',
          'examples/cluster',
          '--manifests',
          'examples/gitops',
          '--cluster',
          'example',
          '--now',
          '2026-11-20T10:00:00Z',
          '--format',
          'json',
          '--fail-on',
          'none',
          '--store',
          store,
        ],
        captureIO(),
      ),
    ).toBe(0);

    const { code, report, err } = await check([
      '--store',
      store,
      '--cluster',
      'example',
      '--rules',
      'examples/policy.yaml',
      '--now',
      '2026-11-20T10:00:00Z',
      '--base',
      'examples/gitops',
      '--head',
      'examples/pr/narrow-fluentd-tolerations',
    ]);

    expect(code).toBe(1);
    expect(report.findings.map((f) => f.node)).toEqual([CP_NODE]);
    expect(err).toMatch(/^pr-check: snapshot of example from run /);
  });

  it.each([
    [['--base', 'examples/gitops', '--head', 'examples/gitops'], /^drift-auditor: --snapshot or --store is required/],
    [['--snapshot', 'examples/cluster', '--head', 'examples/gitops'], /^drift-auditor: --base and --head are required/],
    [['--store', 'x', '--base', 'a', '--head', 'b'], /^drift-auditor: --store needs --cluster/],
    [
      ['--snapshot', 'examples/cluster', '--base', 'examples/gitops', '--head', 'examples/gitops', '--fail-on', 'sometimes'],
      /^drift-auditor: --fail-on must be one of none, info, warning, critical, not 'sometimes'\n$/,
    ],
    [['--snapshot', 'examples/cluster', '--base', 'examples/gitops', '--head', 'no/such/folder'], /^drift-auditor: .*no\/such\/folder/],
    [
      ['--snapshot', 'examples/cluster', '--base', 'examples/gitops', '--head', 'examples/gitops', '--out', '-'],
      /^drift-auditor: --out - would print the JSON check beside the -o output: print it with -o json\n$/,
    ],
  ])('exits 2 with one line for bad input %j', async (args, message) => {
    const io = captureIO();

    const code = await main(['pr-check', ...args], io);

    expect(code).toBe(2);
    expect(io.err.join('')).toMatch(message);
    expect(io.out).toEqual([]);
  });

  it('exits 2 with one line naming DRIFT_AUDITOR_HELM_CREDENTIALS when it is not JSON, without its value', async () => {
    const io = captureIO({ DRIFT_AUDITOR_HELM_CREDENTIALS: '{hunter2-planted' });

    const code = await main(['pr-check', '--snapshot', 'examples/cluster', '--base', 'examples/gitops', '--head', 'examples/gitops'], io);

    expect([code, io.out, io.err.join('')]).toEqual([2, [], 'drift-auditor: DRIFT_AUDITOR_HELM_CREDENTIALS is not JSON\n']);
  });

  it('prints the PR comment with -o markdown, strings from the manifests escaped', async () => {
    const io = captureIO();

    await main(['pr-check', ...PR, '-o', 'markdown'], io);

    const md = io.out.join('');
    expect(md.split('\n')[0]).toBe('<!-- drift-auditor:pr-check cluster=example -->');
    expect(md).toContain('| `logging/fluentd` | modified | 11 | 10 | 1 | 0 |');
    expect(md).toContain('ip\\-10\\-0\\-0\\-11\\.eu\\-west\\-1\\.compute\\.internal');
  });
});

describe('drift-auditor pr-check --github', () => {
  it('puts a check run with annotations on the head commit and keeps one PR comment across reruns', async () => {
    const emu = await startGitHubEmulator([...checkRoutes, ...issueRoutes]);
    try {
      const headSha = seedRepo(emu.state, 'acme', 'gitops', { 'logging/fluentd.yaml': 'kind: DaemonSet\n' });
      const repo = emu.state.repos.get('acme/gitops')!;
      const number = seedPullRequest(emu.state, repo);
      const dir = await tmp();
      const event = path.join(dir, 'event.json');
      await writeFile(event, JSON.stringify({ pull_request: { number, head: { sha: headSha }, base: { sha: 'b'.repeat(40) } } }));
      const env = { GITHUB_TOKEN: 't', GITHUB_API_URL: emu.url, GITHUB_REPOSITORY: 'acme/gitops', GITHUB_EVENT_PATH: event };
      const run = prCheckCommand({ github: { throttle: false, retries: 0 } });

      const first = await run([...PR, '--github'], captureIO(env));
      const rerun = await run(
        [...PR.filter((a) => a !== '2026-11-20T10:00:00Z' && a !== '--now'), '--now', '2026-11-20T10:05:00Z', '--github'],
        captureIO(env),
      );
      const unchanged = await run([...EXAMPLE, '--base', 'examples/gitops', '--head', 'examples/gitops', '--github'], captureIO(env));

      expect([first, rerun, unchanged]).toEqual([1, 1, 0]);
      const runs = checkRunsOf(emu.state, 'acme/gitops');
      expect(runs.map((r) => [r.name, r.head_sha, r.status, r.conclusion, r.annotations.length])).toEqual([
        ['drift-auditor pr-check (example)', headSha, 'completed', 'failure', 1],
        ['drift-auditor pr-check (example)', headSha, 'completed', 'failure', 1],
        ['drift-auditor pr-check (example)', headSha, 'completed', 'success', 0],
      ]);
      expect(runs[0]!.annotations[0]).toMatchObject({
        path: 'examples/pr/narrow-fluentd-tolerations/logging/fluentd.yaml',
        start_line: 45,
        annotation_level: 'failure',
        title: 'logging/fluentd loses 1 node (change/required-coverage-lost)',
      });
      const comments = repo.issues.find((i) => i.number === number)!.comments;
      expect(comments.length).toBe(1);
      expect(comments[0]!.body).toMatch(/^<!-- drift-auditor:pr-check cluster=example -->\n/);
      expect(comments[0]!.body).toContain('No DaemonSet changes');
    } finally {
      await emu.close();
    }
  });
});
