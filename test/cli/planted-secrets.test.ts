// Issue 10 items 1, 2 and 7: secrets planted in a live DaemonSet (and its pod and node) that Git also
// manages with other values must not reach the stored snapshot, any report, stdout/stderr or GitHub.
import { mkdtemp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { auditCommand } from '../../functions/cli/commands/audit.js';
import { main, type CliIO } from '../../functions/cli/main.js';
import type { K8sDaemonSet, K8sNode, K8sPod } from '../../functions/core/k8s-types.js';
import type { Report } from '../../functions/core/types.js';
import { issueRoutes, labelRoutes } from '../emulators/github/issues.js';
import { newRepo, startGitHubEmulator } from '../emulators/github/server.js';
import { kubeconfigFor, startK8sApi } from '../emulators/k8s-api/server.js';

/** One secret per vector; Git holds the same vectors with other values (`git-` instead of `live-`). */
const VECTORS = {
  shortFlag: 'p-short-flag-9f2c',
  shellExport: 'export-token-7a1d',
  probeBearer: 'probe-bearer-4e8b',
  imageCredentials: 'image-cred-3c5f',
  dbUrl: 'db-url-pass-6b0e',
  waitingMessage: 'waiting-msg-1d9a',
  envValue: 'env-value-8c3b',
  initContainerFlag: 'init-flag-2f7e',
  nodeAnnotation: 'node-annotation-5a4c',
  podAnnotation: 'pod-annotation-0b6d',
  daemonSetAnnotation: 'ds-annotation-9e1f',
  lifecycleCommand: 'lifecycle-cmd-3d2a',
  probeExecToken: 'probe-exec-7c4e',
  terminationMessage: 'termination-msg-6f8b',
  podStatusMessage: 'pod-status-msg-2a9c',
  nodeConditionMessage: 'node-condition-4b1e',
  queryToken: 'query-token-8d5f',
} as const;

const secret = (side: 'live' | 'git', k: keyof typeof VECTORS): string => `${side}-${VECTORS[k]}`;

function daemonSet(side: 'live' | 'git'): K8sDaemonSet {
  const s = (k: keyof typeof VECTORS) => secret(side, k);
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: {
      name: 'agent',
      namespace: 'kube-system',
      ...(side === 'live' ? { uid: 'u-ds', generation: 2 } : {}),
      annotations: { 'team/db-note': `pw ${s('daemonSetAnnotation')}` },
    },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      template: {
        metadata: { labels: { app: 'agent' } },
        spec: {
          initContainers: [{ name: 'init', image: 'registry.example.com/init:1', args: [`--password=${s('initContainerFlag')}`] }],
          containers: [
            {
              name: 'agent',
              image: `robot:${s('imageCredentials')}@registry.example.com/agent:1.0`,
              command: ['sh', '-c', `export TOKEN=${s('shellExport')}; exec mysqladmin ping -p ${s('shortFlag')}`],
              args: ['-p', s('shortFlag'), '--db-url', `postgres://admin:${s('dbUrl')}@db:5432/app`, '--v', '2'],
              env: [{ name: 'API_KEY', value: s('envValue') }],
              livenessProbe: {
                httpGet: {
                  path: `/healthz?token=${s('queryToken')}`,
                  port: 8080,
                  httpHeaders: [{ name: 'Authorization', value: `Bearer ${s('probeBearer')}` }],
                },
              },
              readinessProbe: { exec: { command: ['agent', 'check', '--token', s('probeExecToken')] } },
              lifecycle: { preStop: { exec: { command: ['/bin/sh', '-c', `curl -X POST http://svc/drain -d ${s('lifecycleCommand')}`] } } },
            },
          ],
        },
      },
    },
  } as unknown as K8sDaemonSet;
}

const NODE = {
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name: 'n1', uid: 'u-n1', labels: { 'kubernetes.io/os': 'linux' }, annotations: { 'ops/console-password': secret('live', 'nodeAnnotation') } },
  spec: {},
  status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: `kubelet ok ${secret('live', 'nodeConditionMessage')}` }] },
} as unknown as K8sNode;

const POD = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'agent-x1',
    namespace: 'kube-system',
    uid: 'u-p1',
    labels: { app: 'agent', 'controller-revision-hash': 'r1' },
    annotations: { 'debug/token': secret('live', 'podAnnotation') },
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: 'u-ds', controller: true }],
    creationTimestamp: '2026-11-19T10:00:00Z',
  },
  spec: {
    nodeName: 'n1',
    containers: [
      {
        name: 'agent',
        image: `robot:${secret('live', 'imageCredentials')}@registry.example.com/agent:1.0`,
        env: [{ name: 'API_KEY', value: secret('live', 'envValue') }],
      },
    ],
  },
  status: {
    phase: 'Running',
    message: `evicted ${secret('live', 'podStatusMessage')}`,
    startTime: '2026-11-19T10:00:00Z',
    conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: '2026-11-19T10:00:00Z' }],
    containerStatuses: [
      {
        name: 'agent',
        ready: false,
        restartCount: 4,
        image: `robot:${secret('live', 'imageCredentials')}@registry.example.com/agent:1.0`,
        state: {
          waiting: { reason: 'ImagePullBackOff', message: `failed to pull https://robot:${secret('live', 'waitingMessage')}@registry.example.com/v2/agent` },
        },
        lastState: {
          terminated: { exitCode: 1, reason: 'Error', message: `panic: ${secret('live', 'terminationMessage')}`, finishedAt: '2026-11-20T09:00:00Z' },
        },
      },
    ],
  },
} as unknown as K8sPod;

function captureIO(env: NodeJS.ProcessEnv): CliIO & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (s) => out.push(s), stderr: (s) => err.push(s), env, isTTY: false };
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else out.push(p);
  }
  return out;
}

describe('drift-auditor audit with secrets planted in the cluster and in Git', () => {
  it('leaks none of them into the stored snapshot, the reports, stdout/stderr, GitHub, audit -o table|markdown|openmetrics, snapshot -o json|yaml or reports get', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'planted-'));
    await mkdir(path.join(dir, 'gitops'));
    await writeFile(path.join(dir, 'gitops', 'agent.json'), JSON.stringify(daemonSet('git')));
    const api = await startK8sApi({ nodes: [NODE], daemonSets: [daemonSet('live')], pods: [POD], controllerRevisions: [], token: 'auditor-token' });
    const emu = await startGitHubEmulator([...issueRoutes, ...labelRoutes]);
    emu.state.repos.set('acme/ops', newRepo('acme', 'ops'));
    const bodies: string[] = [];
    emu.faults.push({
      match: (req) => {
        bodies.push(req.rawBody.toString('utf8'), req.path);
        return false;
      },
      times: Infinity,
      response: { status: 500, body: {} },
    });
    const io = captureIO({ GITHUB_TOKEN: 't', GITHUB_API_URL: emu.url });
    const out = path.join(dir, 'out');
    const store = path.join(dir, 'store');
    let code: number;
    const printed: Record<string, CliIO & { out: string[]; err: string[] }> = {};
    const inputs = ['--kubeconfig', kubeconfigFor(api), '--manifests', path.join(dir, 'gitops'), '--cluster', 'prod', '--now', '2026-11-20T10:00:00Z'];
    try {
      code = await auditCommand({ notify: { throttle: false } })(
        [...inputs, '--format', 'json', '--out', out, '--store', store, '--notify-repo', 'acme/ops'],
        io,
      );
      // The same cluster printed by snapshot, and the stored run printed back by reports get.
      for (const format of ['json', 'yaml']) {
        printed[`snapshot -o ${format}`] = captureIO({});
        await main(['snapshot', '--kubeconfig', kubeconfigFor(api), '--cluster', 'prod', '-o', format], printed[`snapshot -o ${format}`]);
      }
      for (const format of ['table', 'markdown', 'openmetrics']) {
        printed[`audit -o ${format}`] = captureIO({});
        await main(['audit', ...inputs, '-o', format], printed[`audit -o ${format}`]);
      }
      for (const format of ['json', 'markdown', 'html', 'csv']) {
        printed[`reports get -o ${format}`] = captureIO({});
        await main(['reports', 'get', '--store', store, '--cluster', 'prod', '-o', format, '--out', '-'], printed[`reports get -o ${format}`]);
      }
    } finally {
      await api.close();
      await emu.close();
    }

    const report = JSON.parse(io.out.join('')) as Report;
    const sources: Record<string, string> = { stdout: io.out.join(''), stderr: io.err.join('') };
    for (const f of ['report.json', 'report.md', 'report.html', 'findings.csv']) sources[f] = await readFile(path.join(out, f), 'utf8');
    for (const f of await filesUnder(store)) {
      const bytes = await readFile(f);
      sources[`store:${path.relative(store, f)}`] = f.endsWith('.gz') ? gunzipSync(bytes).toString('utf8') : bytes.toString('utf8');
    }
    sources.github = bodies.join('\n');
    for (const [command, cli] of Object.entries(printed)) {
      sources[`${command} stdout`] = cli.out.join('');
      sources[`${command} stderr`] = cli.err.join('');
    }
    const planted = Object.keys(VECTORS).flatMap((k) => [secret('live', k as keyof typeof VECTORS), secret('git', k as keyof typeof VECTORS)]);
    const leaks = planted.flatMap((p) =>
      Object.entries(sources)
        .filter(([, text]) => text.includes(p))
        .map(([where]) => `${p} in ${where}`),
    );

    // The run did what it is for: drift found, one issue opened, the snapshot stored.
    expect(code).toBe(0);
    expect(report.findings.map((f) => f.rule)).toEqual(expect.arrayContaining(['spec/drift', 'image/drift', 'coverage/unready']));
    expect(Object.keys(sources).some((k) => k.endsWith('snapshot.json.gz'))).toBe(true);
    expect(bodies.some((b) => b.includes('drift-auditor:v1'))).toBe(true);
    expect(planted).toHaveLength(2 * Object.keys(VECTORS).length);
    // Each printing command printed what it was asked for (a leak check over empty output cannot fail).
    expect(Object.entries(printed).map(([command, cli]) => [command, cli.out.join('').length > 1000])).toEqual(
      Object.keys(printed).map((command) => [command, true]),
    );
    expect(sources['reports get -o html stdout']).toContain('registry.example.com/agent:1.0');
    expect(leaks).toEqual([]);
    expect(sources['report.json']).toMatch(/sha256:[0-9a-f]{16}/);
    // The hashed values still compare: Git and the cluster differ, so each changed field is drift.
    const paths = report.findings.filter((f) => f.rule === 'spec/drift').map((f) => f.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'spec.template.spec.containers[name=agent].args',
        'spec.template.spec.containers[name=agent].command',
        'spec.template.spec.containers[name=agent].env[name=API_KEY].value',
      ]),
    );
  }, 60_000);
});
