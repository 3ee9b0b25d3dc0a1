import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { main, type CliIO } from '../../functions/cli/main.js';
import type { Report } from '../../functions/core/types.js';
import { makeRepo } from '../adapters/render/repo.js';

// The example cluster (examples/cluster, named 'example') against a platform repository whose agents are
// not in it: a DaemonSet that the flags make desired shows as resource/missing in the audit, and as added
// in a pull-request check.
const SNAPSHOT = ['--snapshot', 'examples/cluster', '--cluster', 'example', '--now', '2026-11-20T10:00:00Z', '--fail-on', 'none'];
const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

function daemonSet(name: string): string {
  return `apiVersion: apps/v1
kind: DaemonSet
metadata: { name: ${name}, namespace: team }
spec:
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec: { containers: [ { name: agent, image: registry.example.com/${name}:1 } ] }
`;
}

/** An Application deploying agents/NAME to `destination` (YAML flow-map entries). */
function application(name: string, destination: string): string {
  return `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: { name: ${name}, namespace: argocd }
spec:
  source: { repoURL: https://github.com/acme/platform, path: agents/${name} }
  destination: { ${destination}, namespace: team }
`;
}

function platformRepo(): string {
  const dir = makeRepo(
    {
      'apps/by-server.yaml': application('server-agent', 'server: https://prod.k8s.example.com'),
      'apps/by-label.yaml': `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: { name: by-label, namespace: argocd }
spec:
  generators: [ { clusters: { selector: { matchLabels: { env: prod } } } } ]
  template:
    metadata: { name: '{{name}}-label-agent' }
    spec:
      source: { repoURL: https://github.com/acme/platform, path: agents/label-agent }
      destination: { name: '{{name}}', namespace: team }
`,
      'agents/server-agent/daemonset.yaml': daemonSet('server-agent'),
      'agents/label-agent/daemonset.yaml': daemonSet('label-agent'),
    },
    {},
    { origin: 'git@github.com:acme/platform.git' },
  );
  made.push(dir);
  return dir;
}

function captureIO(): CliIO & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (s) => void out.push(s), stderr: (s) => void err.push(s), env: { PATH: process.env.PATH }, isTTY: false };
}

// An empty list: nothing in the repository is destined to the cluster, so its desired state is unknown (a gap), not empty.
const CASES: [string, string[], string[]][] = [
  ['no server or labels', [], []],
  ['the matching --cluster-server', ['--cluster-server', 'https://prod.k8s.example.com/'], ['server-agent']],
  ['another --cluster-server', ['--cluster-server', 'https://staging.k8s.example.com'], []],
  ['the selected --cluster-label', ['--cluster-label', 'env=prod', '--cluster-label', 'tier=gpu'], ['label-agent']],
  ['another label value', ['--cluster-label', 'env=staging'], []],
];

describe('drift-auditor audit --cluster-server/--cluster-label', () => {
  it.each(CASES)('with %s, renders exactly the Argo CD entry points destined to the cluster', async (_what, flags, expected) => {
    const io = captureIO();

    const code = await main(['audit', ...SNAPSHOT, '--manifests', platformRepo(), '-o', 'json', ...flags], io);

    const report = JSON.parse(io.out.join('')) as Report;
    expect(
      report.findings
        .filter((f) => f.rule === 'resource/missing')
        .map((f) => f.daemonSet)
        .sort(),
    ).toEqual(expected);
    expect([code, report.complete, report.gaps.map((g) => g.source)]).toEqual(expected.length ? [0, true, []] : [1, false, ['render:.']]);
  });

  it.each([
    [['--cluster-label', 'env'], "drift-auditor: --cluster-label must be KEY=VALUE with a Kubernetes label value, not 'env'"],
    [['--cluster-label', 'env=prod\nspec: {}'], 'drift-auditor: --cluster-label must be KEY=VALUE with a Kubernetes label value, not "env=prod\\nspec: {}"'],
    [['--cluster-label', 'env={{name}}'], "drift-auditor: --cluster-label must be KEY=VALUE with a Kubernetes label value, not 'env={{name}}'"],
    [['--cluster-label', 'env=a: b'], "drift-auditor: --cluster-label must be KEY=VALUE with a Kubernetes label value, not 'env=a: b'"],
    [
      ['--cluster-server', 'https://prod\nx'],
      'drift-auditor: --cluster-server must be the API server\'s URL as Argo CD names it (https://…), not "https://prod\\nx"',
    ],
    [
      ['--cluster-server', 'prod.k8s.example.com'],
      "drift-auditor: --cluster-server must be the API server's URL as Argo CD names it (https://…), not 'prod.k8s.example.com'",
    ],
  ])('refuses %j with exit 2 and one line naming the flag', async (flags, message) => {
    const io = captureIO();

    const code = await main(['audit', ...SNAPSHOT, '--manifests', platformRepo(), ...flags], io);

    expect([code, io.err.join('')]).toEqual([2, `${message}\n`]);
  });
});

describe('drift-auditor pr-check --cluster-server/--cluster-label', () => {
  it.each(CASES)('with %s, checks exactly the Argo CD entry points destined to the cluster', async (_what, flags, expected) => {
    const io = captureIO();
    const base = makeRepo({ 'README.md': 'nothing deployed yet\n' });
    made.push(base);

    const code = await main(['pr-check', ...SNAPSHOT, '--base', base, '--head', platformRepo(), '-o', 'json', ...flags], io);

    const check = JSON.parse(io.out.join('')) as { complete: boolean; daemonSets: { name: string; change: string }[] };
    expect(
      check.daemonSets
        .filter((d) => d.change === 'added')
        .map((d) => d.name)
        .sort(),
    ).toEqual(expected);
    expect([code, check.complete]).toEqual(expected.length ? [0, true] : [1, false]);
  });
});

describe('drift-auditor audit --argocd-cluster', () => {
  function hubRepo(): string {
    const dir = makeRepo(
      {
        'apps/in-cluster.yaml': application('hub-agent', 'server: https://kubernetes.default.svc'),
        'apps/spoke.yaml': application('spoke-agent', 'name: example'),
        'agents/hub-agent/daemonset.yaml': daemonSet('hub-agent'),
        'agents/spoke-agent/daemonset.yaml': daemonSet('spoke-agent'),
      },
      {},
      { origin: 'git@github.com:acme/platform.git' },
    );
    made.push(dir);
    return dir;
  }

  it.each([
    ['without it, https://kubernetes.default.svc is the audited cluster', [], ['hub-agent', 'spoke-agent']],
    ["naming another cluster (a hub), the in-cluster Application is not this cluster's", ['--argocd-cluster', 'hub'], ['spoke-agent']],
    ["naming this cluster, the in-cluster Application is this cluster's", ['--argocd-cluster', 'example'], ['hub-agent', 'spoke-agent']],
  ])('%s', async (_what, flags, expected) => {
    const io = captureIO();

    const code = await main(['audit', ...SNAPSHOT, '--manifests', hubRepo(), '-o', 'json', ...flags], io);

    expect(code).toBe(0);
    const report = JSON.parse(io.out.join('')) as Report;
    expect(
      report.findings
        .filter((f) => f.rule === 'resource/missing')
        .map((f) => f.daemonSet)
        .sort(),
    ).toEqual(expected);
  });

  it('refuses a name with spaces with exit 2 and one line naming the flag', async () => {
    const io = captureIO();

    const code = await main(['audit', ...SNAPSHOT, '--manifests', hubRepo(), '--argocd-cluster', 'my hub'], io);

    expect([code, io.err.join('').trim().split('\n')[0]]).toEqual([
      2,
      "drift-auditor: --argocd-cluster must name the cluster Argo CD runs in (its destination name), not 'my hub'",
    ]);
  });
});
