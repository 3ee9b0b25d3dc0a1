import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile, mkdir, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { auditCommand } from '../../functions/cli/commands/audit.js';
import { main, type CliIO } from '../../functions/cli/main.js';
import { issueRoutes, labelRoutes } from '../emulators/github/issues.js';
import { kubeconfigFor, startK8sApi } from '../emulators/k8s-api/server.js';
import { newRepo, startGitHubEmulator } from '../emulators/github/server.js';
import type { Report } from '../../functions/core/types.js';

const EXAMPLE = [
  '--snapshot',
  'examples/cluster',
  '--manifests',
  'examples/gitops',
  '--rules',
  'examples/policy.yaml',
  '--cluster',
  'example',
  '--now',
  '2026-11-20T10:00:00Z',
];

function captureIO(env: NodeJS.ProcessEnv = {}): CliIO & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (s) => out.push(s), stderr: (s) => err.push(s), env, isTTY: false };
}

async function tmp(): Promise<string> {
  return mkdtemp(path.join(tmpdir(), 'drift-auditor-cli-'));
}

const NODE = {
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name: 'n1', uid: 'u-n1', labels: { 'kubernetes.io/os': 'linux' } },
  spec: {},
  status: { conditions: [{ type: 'Ready', status: 'True' }] },
};

describe('drift-auditor audit', () => {
  it('prints only the report on stdout with --format json', async () => {
    const io = captureIO();

    const code = await main(['audit', ...EXAMPLE, '--format', 'json', '--fail-on', 'none'], io);

    expect(code).toBe(0);
    const report = JSON.parse(io.out.join('')) as Report;
    expect(report.schemaVersion).toBe(1);
    expect(report.cluster).toBe('example');
    expect(report.generatedAt).toBe('2026-11-20T10:00:00.000Z');
    expect(report.complete).toBe(true);
    expect(report.findings.length).toBeGreaterThan(0);
  });

  it('takes -o as the output format, as kubectl does', async () => {
    const io = captureIO();

    const code = await main(['audit', ...EXAMPLE, '-o', 'json', '--fail-on', 'none'], io);

    expect(code).toBe(0);
    expect((JSON.parse(io.out.join('')) as Report).cluster).toBe('example');
  });

  it('audits coverage alone with --live-only: no Git comparison, and the report and its Markdown say so', async () => {
    const live = EXAMPLE.filter((a, i) => a !== 'examples/gitops' && EXAMPLE[i + 1] !== 'examples/gitops');
    const json = captureIO();
    const md = captureIO();

    const code = await main(['audit', ...live, '--live-only', '-o', 'json', '--fail-on', 'none'], json);
    await main(['audit', ...live, '--live-only', '-o', 'markdown'], md);

    expect(live).not.toContain('--manifests');
    expect(code).toBe(0);
    const report = JSON.parse(json.out.join('')) as Report;
    expect(report.inputs.desired.kind).toBe('none');
    expect(report.findings.filter((f) => /^(resource|spec|manifest)\//.test(f.rule) || f.rule === 'image/drift')).toEqual([]);
    expect(report.findings.map((f) => f.rule)).toContain('coverage/missing');
    expect(md.out.join('')).toMatch(/live[- ]only|without Git|no Git/i);
  });

  it('is deterministic: two runs at the same --now give the same report', async () => {
    const a = captureIO();
    const b = captureIO();

    await main(['audit', ...EXAMPLE, '--format', 'json'], a);
    await main(['audit', ...EXAMPLE, '--format', 'json'], b);

    expect(a.out.join('')).toEqual(b.out.join(''));
  });

  it.each([
    ['critical', 1],
    ['warning', 1],
    ['none', 0],
  ])('exits %s → %i with --fail-on', async (failOn, expected) => {
    const io = captureIO();

    const code = await main(['audit', ...EXAMPLE, '--format', 'json', '--fail-on', failOn], io);

    expect(code).toBe(expected);
  });

  it('exits 1 on a critical finding without --fail-on, as linters and policy checkers do', async () => {
    const io = captureIO();

    const code = await main(['audit', ...EXAMPLE, '--format', 'json'], io);

    const critical = (JSON.parse(io.out.join('')) as Report).findings.filter((f) => f.severity === 'critical').length;
    expect(critical).toBeGreaterThan(0);
    expect([code, io.err.join('')]).toEqual([1, `drift-auditor: ${critical} finding(s) at or above critical\n`]);
  });

  it('exits 0 without --fail-on when no finding is critical', async () => {
    const dir = await tmp();
    const policy =
      `${await readFile('examples/policy.yaml', 'utf8')}severityOverrides:\n` +
      '  - { rule: coverage/missing, severity: warning }\n  - { rule: coverage/required-missing, severity: warning }\n';
    await writeFile(path.join(dir, 'policy.yaml'), policy);
    const io = captureIO();

    const code = await main(['audit', ...EXAMPLE, '--format', 'json', '--rules', path.join(dir, 'policy.yaml')], io);

    expect((JSON.parse(io.out.join('')) as Report).findings.filter((f) => f.severity === 'critical')).toEqual([]);
    expect(code).toBe(0);
  });

  it('writes report.json, report.md, report.html and findings.csv with --out', async () => {
    const dir = await tmp();
    const io = captureIO();

    await main(['audit', ...EXAMPLE, '--out', dir], io);

    expect((await readdir(dir)).sort()).toEqual(['findings.csv', 'report.html', 'report.json', 'report.md']);
    const report = JSON.parse(await readFile(path.join(dir, 'report.json'), 'utf8')) as Report;
    expect(await readFile(path.join(dir, 'findings.csv'), 'utf8')).toContain(report.findings[0]!.rule);
  });

  it.each([
    [['--manifests', 'examples/gitops'], /--snapshot|kubeconfig|no Node|KUBECONFIG|cluster/i],
    [['--snapshot', 'does/not/exist.json', '--manifests', 'examples/gitops'], /does\/not\/exist\.json/],
    [['--snapshot', 'examples/cluster'], /--manifests DIR\|github:… or --live-only is required/],
    [['--snapshot', 'examples/cluster', '--manifests', 'examples/gitops', '--live-only'], /--manifests and --live-only contradict/],
    [['--snapshot', 'examples/cluster', '--manifests', 'examples/gitops', '-o', 'json', '--format', 'markdown'], /disagree/],
    [['--manifests', 'examples/gitops', '-A', '-n', 'kube-system'], /-A\/--all-namespaces and -n\/--namespace contradict/],
    [['--snapshot', 'examples/cluster', '--manifests', 'examples/gitops', '--format', 'xml'], /--format/],
    [['--snapshot', 'examples/cluster', '--manifests', 'examples/gitops', '--fail-on', 'sometimes'], /--fail-on/],
    [
      ['--snapshot', 'examples/cluster', '--manifests', 'examples/gitops', '--notify-dry-run'],
      /^drift-auditor: --notify-dry-run needs --notify-repo OWNER\/REPO/,
    ],
    [['--manifests', 'examples/gitops', '--save-snapshot', '-'], /^drift-auditor: --save-snapshot names a file \(stdout carries the report\)/],
    [
      ['--snapshot', 'examples/cluster', '--manifests', 'examples/gitops', '--out', '-'],
      /^drift-auditor: --out names the folder for report\.json, report\.md, report\.html and findings\.csv, not stdout: print with -o json\|markdown\n$/,
    ],
    [['--snapshot', 'examples/cluster', '--manifests', 'examples/gitops', '--now', 'yesterday'], /--now/],
    [['--snapshot', 'examples/cluster', '--manifests', 'examples/gitops', '--bogus'], /bogus/],
    [
      ['--snapshot', 'examples/cluster', '--manifests', 'examples/gitops', '--namespace', 'kube-system'],
      /--namespace applies to a live read, not to --snapshot/,
    ],
    [
      ['--snapshot', 'examples/cluster', '--manifests', 'examples/gitops', '--save-snapshot', 'x.json.gz'],
      /--save-snapshot applies to a live read, not to --snapshot/,
    ],
    [
      ['--snapshot', 'examples/cluster', '--manifests', 'examples/gitops', '--notify-repo', 'acme'],
      /^drift-auditor: failed to read --notify-repo: expected OWNER\/REPO, got 'acme'\n$/,
    ],
    [['--snapshot', 'examples/cluster', '--manifests', 'github:acme'], /failed to parse --manifests 'github:acme': expected github:OWNER\/REPO/],
    [['--snapshot', 'examples/cluster', '--manifests', 'github:/x'], /failed to parse --manifests 'github:\/x'/],
  ])('exits 2 with a one-line reason for bad usage %j', async (args, message) => {
    const io = captureIO({ KUBECONFIG: '/nonexistent/kubeconfig' });

    const code = await main(['audit', ...args], io);

    expect(code).toBe(2);
    const err = io.err.join('');
    expect(err).toMatch(message);
    expect(err).not.toMatch(/\n\s+at /); // no stack trace
  });

  it.each([
    ['DRIFT_AUDITOR_HELM_CREDENTIALS', '{"https://charts.example.com": {"username": "robot", "password": hunter2-planted}'],
    ['DRIFT_AUDITOR_HELM_CREDENTIALS', '{"https://charts.example.com": "hunter2-planted"}'],
    ['DRIFT_AUDITOR_OCI_PLAIN_HTTP', 'registry.example.com,http://x'],
  ])('exits 2 before auditing when %s is unusable, with one line naming it and no credential', async (name, value) => {
    const io = captureIO({ [name]: value });

    const code = await main(['audit', ...EXAMPLE], io);

    expect([code, io.out, io.err.join('').split('\n').filter(Boolean)]).toEqual([2, [], [expect.stringMatching(new RegExp(`^drift-auditor: ${name} `))]]);
    expect(io.err.join('')).not.toContain('hunter2');
  });

  it.each([
    ['a file', (dir: string) => path.join(dir, 'taken')],
    ['below a file', (dir: string) => path.join(dir, 'taken', 'out')],
  ])('exits 2 before auditing when --out is %s, with one line naming it', async (_case, outOf) => {
    const dir = await tmp();
    await writeFile(path.join(dir, 'taken'), '');
    const io = captureIO();

    const code = await main(['audit', ...EXAMPLE, '--out', outOf(dir)], io);

    expect([code, io.out, io.err.join('').split('\n').filter(Boolean)]).toEqual([
      2,
      [],
      [expect.stringMatching(new RegExp(`^drift-auditor: failed to create output folder ${outOf(dir)}: a file is in the way`))],
    ]);
  });

  it('prints Markdown without the control characters a container wrote into its termination message', async () => {
    const dir = await tmp();
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'p1',
        namespace: 'kube-system',
        uid: 'u-p1',
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: 'u-ds', controller: true }],
      },
      spec: { nodeName: 'n1', containers: [{ name: 'agent', image: 'r/agent:1' }] },
      status: {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'False' }],
        containerStatuses: [
          { name: 'agent', ready: false, restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff', message: 'bye \u001b]0;pwned\u0007\u001b[2J' } } },
        ],
      },
    };
    const ds = {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'agent', namespace: 'kube-system', uid: 'u-ds' },
      spec: {
        selector: { matchLabels: { app: 'agent' } },
        template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'agent', image: 'r/agent:1' }] } },
      },
    };
    await writeFile(
      path.join(dir, 'dump.json'),
      JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [NODE, ds, { ...pod, metadata: { ...pod.metadata, labels: { app: 'agent' } } }] }),
    );
    await mkdir(path.join(dir, 'gitops'));
    const io = captureIO();

    await main(
      ['audit', '--snapshot', path.join(dir, 'dump.json'), '--manifests', path.join(dir, 'gitops'), '--format', 'markdown', '--now', '2026-11-20T10:00:00Z'],
      io,
    );

    expect(io.out.join('')).toContain('bye \\<U\\+001B\\>\\]0;pwned\\<U\\+0007\\>\\<U\\+001B\\>\\[2J');
    expect([...io.out.join('')].filter((c) => c < ' ' && c !== '\n')).toEqual([]);
  });

  it('warns when a policy namespace holds no DaemonSet anywhere (a typo reads as "No drift found")', async () => {
    const dir = await tmp();
    await writeFile(path.join(dir, 'policy.yaml'), 'apiVersion: drift-auditor.io/v1\nkind: Policy\nnamespaces: [kube-sytem, logging]\n');
    const io = captureIO();

    const code = await main(
      ['audit', '--snapshot', 'examples/cluster', '--manifests', 'examples/gitops', '--rules', path.join(dir, 'policy.yaml'), '--format', 'json'],
      io,
    );

    expect([code, io.err.filter((l) => l.includes('warning'))]).toEqual([
      0,
      [
        "drift-auditor: warning: policy namespace 'kube-sytem' holds no DaemonSet in the cluster and is not managed in Git: nothing there is audited (a typo?)\n",
      ],
    ]);
  });

  it('exits 2 naming the file for a dump without nodes, and for a non-List JSON file', async () => {
    const dir = await tmp();
    await writeFile(path.join(dir, 'empty-list.json'), JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [] }));
    await writeFile(path.join(dir, 'not-a-list.json'), '{"hello": "world"');

    const noNodes = captureIO();
    const broken = captureIO();
    const a = await main(['audit', '--snapshot', path.join(dir, 'empty-list.json'), '--manifests', 'examples/gitops'], noNodes);
    const b = await main(['audit', '--snapshot', path.join(dir, 'not-a-list.json'), '--manifests', 'examples/gitops'], broken);

    expect(a).toBe(2);
    expect(noNodes.err.join('')).toMatch(/empty-list\.json/);
    expect(b).toBe(2);
    expect(broken.err.join('')).toMatch(/not-a-list\.json/);
  });

  it('audits a gzipped dump and still reports a broken manifest as a finding', async () => {
    const dir = await tmp();
    await writeFile(path.join(dir, 'cluster.json.gz'), gzipSync(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [NODE] })));
    await mkdir(path.join(dir, 'gitops'));
    await writeFile(path.join(dir, 'gitops', 'broken.yaml'), 'apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: x\n');
    const io = captureIO();

    const code = await main(['audit', '--snapshot', path.join(dir, 'cluster.json.gz'), '--manifests', path.join(dir, 'gitops'), '--format', 'json'], io);

    expect(code).toBe(0);
    const report = JSON.parse(io.out.join('')) as Report;
    expect(report.findings.map((f) => [f.rule, f.file])).toContainEqual(['manifest/invalid', 'broken.yaml']);
  });

  it('exits 1 and says INCOMPLETE when the snapshot records a failed read, whatever --fail-on says', async () => {
    const dir = await tmp();
    const gaps = JSON.stringify([{ source: 'kubernetes:list pods', message: 'connection reset on page 3\u001b[2J' }]);
    const list = { apiVersion: 'v1', kind: 'List', metadata: { annotations: { 'drift-auditor.io/gaps': gaps } }, items: [NODE] };
    await writeFile(path.join(dir, 'snap.json'), JSON.stringify(list));
    await mkdir(path.join(dir, 'gitops'));
    const io = captureIO();

    const code = await main(
      ['audit', '--snapshot', path.join(dir, 'snap.json'), '--manifests', path.join(dir, 'gitops'), '--format', 'json', '--fail-on', 'none'],
      io,
    );

    expect(code).toBe(1);
    expect(io.err.join('')).toMatch(/INCOMPLETE.*connection reset on page 3\?\[2J\n/);
    const report = JSON.parse(io.out.join('')) as Report;
    expect(report.complete).toBe(false);
    expect(report.findings.map((f) => f.rule)).toContain('audit/incomplete');
  });

  it('stores a redacted snapshot as evidence that re-audits to the same findings, and names its sha256', async () => {
    const store = await tmp();
    const first = captureIO();
    await main(['audit', ...EXAMPLE, '--format', 'json', '--store', store], first);
    const report = JSON.parse(first.out.join('')) as Report;
    const runDir = path.dirname((await findFile(store, 'snapshot.json.gz'))!);
    const evidence = await readFile(path.join(runDir, 'snapshot.json.gz'));
    const again = captureIO();

    const code = await main(
      ['audit', '--snapshot', path.join(runDir, 'snapshot.json.gz'), ...EXAMPLE.slice(2), '--format', 'json', '--fail-on', 'none'],
      again,
    );

    expect(code).toBe(0);
    const { createHash } = await import('node:crypto');
    expect(report.inputs.snapshot.sha256).toBe(createHash('sha256').update(evidence).digest('hex'));
    const strip = (r: Report) => r.findings.map(({ rule, node, daemonSet, message }) => ({ rule, node, daemonSet, message }));
    expect(strip(JSON.parse(again.out.join('')) as Report)).toEqual(strip(report));
    const { gunzipSync } = await import('node:zlib');
    const text = gunzipSync(evidence).toString('utf8');
    // The example's aws-node pods carry plain env values in the dump; the evidence keeps only hashes.
    expect(await readFile('examples/cluster/workloads.json', 'utf8')).toMatch(/"name": ?"ADDITIONAL_ENI_TAGS",\s*"value"/);
    expect(text).toContain('ADDITIONAL_ENI_TAGS');
    expect(text).not.toMatch(/"name":"ADDITIONAL_ENI_TAGS","value"/);
    expect(text).toMatch(/"name":"ADDITIONAL_ENI_TAGS","valueSha256":"[0-9a-f]{64}"/);
  });
});

describe('drift-auditor audit with an output folder it cannot create', () => {
  it.each([['--out'], ['--store']])('exits 2 naming the folder for %s under /proc (instead of hanging)', async (flag) => {
    const io = captureIO();

    const code = await main(['audit', ...EXAMPLE, '--format', 'json', flag, '/proc/drift-auditor-test'], io);

    expect(code).toBe(2);
    expect(io.err.join('')).toMatch(/\/proc\/drift-auditor-test/);
  });
});

describe('drift-auditor audit --store', () => {
  it('draws the trend of earlier runs of the cluster in the stored HTML report', async () => {
    const store = await tmp();
    const runAt = (day: string) =>
      main(['audit', ...EXAMPLE.slice(0, -1), `2026-11-${day}T10:00:00Z`, '--format', 'json', '--fail-on', 'none', '--store', store], captureIO());

    for (const day of ['20', '21', '22']) expect(await runAt(day)).toBe(0);

    const html = await readFile((await findFile(path.join(store, 'clusters/example/runs/2026/11/22'), 'report.html'))!, 'utf8');
    const trend = html.slice(html.indexOf('<section id="trend">'));
    expect(trend.match(/<g class="bar">/g)).toHaveLength(3);
    expect(trend).toContain('2026-11-20T10:00:00.000Z');
  });
});

/** Serves the example cluster's dump (examples/cluster) from the Kubernetes API emulator. */
async function startExampleApi(): Promise<Awaited<ReturnType<typeof startK8sApi>>> {
  const items = (
    await Promise.all(
      ['nodes.json', 'workloads.json'].map(
        async (f) => (JSON.parse(await readFile(path.join('examples/cluster', f), 'utf8')) as { items: { kind: string }[] }).items,
      ),
    )
  ).flat();
  const ofKind = <T>(kind: string) => items.filter((i) => i.kind === kind) as unknown as T[];
  return startK8sApi({
    nodes: ofKind('Node'),
    daemonSets: ofKind('DaemonSet'),
    pods: ofKind('Pod'),
    controllerRevisions: ofKind('ControllerRevision'),
    token: 'auditor-token',
  });
}

describe('drift-auditor audit --kubeconfig', () => {
  it('reads the live cluster and finds exactly what the audit of its kubectl dump finds', async () => {
    const api = await startExampleApi();
    const saved = path.join(await tmp(), 'live.json.gz');
    const live = captureIO();
    const dump = captureIO();
    try {
      const code = await main(
        ['audit', '--kubeconfig', kubeconfigFor(api), ...EXAMPLE.slice(2), '--format', 'json', '--fail-on', 'none', '--save-snapshot', saved],
        live,
      );
      await main(['audit', ...EXAMPLE, '--format', 'json'], dump);

      expect(code).toBe(0);
    } finally {
      await api.close();
    }

    const liveReport = JSON.parse(live.out.join('')) as Report;
    const dumpReport = JSON.parse(dump.out.join('')) as Report;
    expect(liveReport.inputs.snapshot.kind).toBe('live');
    expect(liveReport.complete).toBe(true);
    expect(liveReport.findings).toEqual(dumpReport.findings);
    expect(liveReport.coverage).toEqual(dumpReport.coverage);
    const again = captureIO();
    await main(['audit', '--snapshot', saved, ...EXAMPLE.slice(2), '--format', 'json'], again);
    expect((JSON.parse(again.out.join('')) as Report).findings).toEqual(dumpReport.findings);
  });
});

describe('drift-auditor audit -A/--all-namespaces and -n', () => {
  it('reads every namespace with -A or --all-namespaces, as without either, and one namespace with -n', async () => {
    const api = await startExampleApi();
    const run = async (scope: string[]) => {
      const io = captureIO();
      const from = api.requests.length;
      await main(['audit', '--kubeconfig', kubeconfigFor(api), ...EXAMPLE.slice(2), '-o', 'json', '--fail-on', 'none', ...scope], io);
      const daemonSetLists = api.requests
        .slice(from)
        .map((r) => r.path)
        .filter((p) => p.endsWith('/daemonsets'));
      return { report: JSON.parse(io.out.join('')) as Report, daemonSetLists };
    };
    try {
      const [none, short, long, one] = [await run([]), await run(['-A']), await run(['--all-namespaces']), await run(['-n', 'logging'])];

      expect(none.daemonSetLists).toEqual(['/apis/apps/v1/daemonsets']);
      expect([short.daemonSetLists, long.daemonSetLists]).toEqual([none.daemonSetLists, none.daemonSetLists]);
      expect([short.report.findings, long.report.findings]).toEqual([none.report.findings, none.report.findings]);
      expect(none.report.inputs.snapshot.namespaces).toBeUndefined();
      expect(one.daemonSetLists).toEqual(['/apis/apps/v1/namespaces/logging/daemonsets']);
      expect(new Set(one.report.coverage.map((c) => c.namespace))).toEqual(new Set(['logging']));
    } finally {
      await api.close();
    }
  });
});

describe('drift-auditor audit -o table', () => {
  const longest = (report: Report) => report.findings.map((f) => f.message).sort((a, b) => b.length - a.length)[0]!;

  it('keeps every cell whole when stdout is a pipe, with a readable header for each count', async () => {
    const report = captureIO();
    await main(['audit', ...EXAMPLE, '-o', 'json', '--fail-on', 'none'], report);
    const exec = promisify(execFile);

    const { stdout } = await exec(process.execPath, ['bin/drift-auditor.mjs', 'audit', ...EXAMPLE, '--fail-on', 'none'], {
      timeout: 120_000,
      maxBuffer: 16 * 1024 * 1024,
    });

    const message = longest(JSON.parse(report.out.join('')) as Report);
    expect(message.length).toBeGreaterThan(100);
    expect([stdout.includes(message), stdout.includes('…')]).toEqual([true, false]);
    expect(
      stdout
        .split('\n')
        .find((l) => l.startsWith('DAEMONSET'))!
        .split(/ {2,}/),
    ).toEqual(['DAEMONSET', 'IN GIT', 'IN CLUSTER', 'ELIGIBLE', 'COVERED', 'READY', 'UP-TO-DATE', 'MISSCHEDULED']);
    expect(stdout).not.toContain('D/C/R/U/M');
  }, 120_000);

  it('cuts cells to the width of a terminal', async () => {
    const report = captureIO();
    const terminal = { ...captureIO(), stdoutColumns: 200 };
    await main(['audit', ...EXAMPLE, '-o', 'json', '--fail-on', 'none'], report);

    await main(['audit', ...EXAMPLE, '--fail-on', 'none'], terminal);

    const rows = terminal.out
      .join('')
      .split('\n')
      .filter((l) => /^(critical|warning|info) /.test(l));
    expect(rows.length).toBe((JSON.parse(report.out.join('')) as Report).findings.length);
    expect(terminal.out.join('')).not.toContain(longest(JSON.parse(report.out.join('')) as Report));
    expect(terminal.out.join('')).toContain('…');
    expect(rows.every((l) => l.length <= 200)).toBe(true);
  });
});

describe('drift-auditor audit --notify-repo', () => {
  it('opens one issue per drifting DaemonSet right after the audit, and writes nothing when run again', async () => {
    const emu = await startGitHubEmulator([...issueRoutes, ...labelRoutes]);
    emu.state.repos.set('acme/ops', newRepo('acme', 'ops'));
    const run = auditCommand({ notify: { throttle: false } });
    const env = { GITHUB_TOKEN: 't', GITHUB_API_URL: emu.url };
    try {
      const first = await run([...EXAMPLE, '--format', 'json', '--fail-on', 'none', '--notify-repo', 'acme/ops'], captureIO(env));
      const issues = emu.state.repos.get('acme/ops')!.issues;
      const writesAfterFirst = emu.writes().length;

      const second = await run([...EXAMPLE, '--format', 'json', '--fail-on', 'none', '--notify-repo', 'acme/ops'], captureIO(env));

      expect([first, second]).toEqual([0, 0]);
      const report = JSON.parse((await captureReport()).out.join('')) as Report;
      const drifting = new Set(report.findings.filter((f) => f.severity !== 'info').map((f) => `${f.namespace}/${f.daemonSet}`));
      expect(issues.length).toBe(drifting.size);
      for (const ds of drifting) expect(issues.some((i) => i.body.includes(`daemonset=${encodeURIComponent(ds)} `))).toBe(true);
      expect(emu.writes().length).toBe(writesAfterFirst);
    } finally {
      await emu.close();
    }
  });
});

async function captureReport(): Promise<ReturnType<typeof captureIO>> {
  const io = captureIO();
  await main(['audit', ...EXAMPLE, '--format', 'json'], io);
  return io;
}

async function findFile(dir: string, name: string): Promise<string | undefined> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      const found = await findFile(p, name);
      if (found) return found;
    } else if (entry.name === name) return p;
  }
  return undefined;
}
