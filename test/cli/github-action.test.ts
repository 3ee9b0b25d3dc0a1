// The GitHub Action: action.yml, its committed bundle (current with the source), and runs of it
// against the GitHub emulator as the Actions runner starts it (INPUT_* variables, the event file).
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { parse } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { actionArguments, runAction } from '../../functions/cli/github-action.js';
import { ACTION_BUILD } from '../../scripts/build-action.js';
import { checkRoutes, checkRunsOf, seedPullRequest } from '../emulators/github/checks.js';
import { issueRoutes } from '../emulators/github/issues.js';
import { reposRoutes, seedRepo } from '../emulators/github/repos.js';
import { startGitHubEmulator, type GitHubEmulator } from '../emulators/github/server.js';

const CP_NODE = 'ip-10-0-0-11.eu-west-1.compute.internal';

/** Returns the files of a folder as repository path -> content, under `prefix`. */
async function filesOf(dir: string, prefix: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const full = path.join(e.parentPath, e.name);
    out[`${prefix}/${path.relative(dir, full)}`] = await readFile(full, 'utf8');
  }
  return out;
}

let emu: GitHubEmulator;
let baseSha: string;
let headSha: string;
let number: number;
let env: NodeJS.ProcessEnv;

beforeEach(async () => {
  emu = await startGitHubEmulator([...reposRoutes, ...checkRoutes, ...issueRoutes]);
  // The pull request of the example: base is examples/gitops, head narrows fluentd's tolerations.
  baseSha = seedRepo(emu.state, 'acme', 'gitops', await filesOf('examples/gitops', 'clusters/example'));
  headSha = seedRepo(emu.state, 'acme', 'gitops', await filesOf('examples/pr/narrow-fluentd-tolerations', 'clusters/example'), { branch: 'narrow-fluentd' });
  number = seedPullRequest(emu.state, emu.state.repos.get('acme/gitops')!);
  const dir = await mkdtemp(path.join(tmpdir(), 'drift-auditor-action-'));
  const event = path.join(dir, 'event.json');
  await writeFile(event, JSON.stringify({ pull_request: { number, head: { sha: headSha }, base: { sha: baseSha } } }));
  env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GITHUB_ACTIONS: 'true',
    GITHUB_API_URL: emu.url,
    GITHUB_REPOSITORY: 'acme/gitops',
    GITHUB_EVENT_PATH: event,
    GITHUB_STEP_SUMMARY: path.join(dir, 'summary.md'),
    INPUT_SNAPSHOT: 'examples/cluster',
    INPUT_CLUSTER: 'example',
    INPUT_PATH: 'clusters/example',
    INPUT_RULES: 'examples/policy.yaml',
    'INPUT_FAIL-ON': 'critical',
    'INPUT_GITHUB-TOKEN': 'ghs_token',
  };
});
afterEach(async () => {
  await emu.close();
});

describe('action.yml', () => {
  it('runs the committed bundle, and declares every input the entry point reads', async () => {
    const action = parse(await readFile('action.yml', 'utf8')) as { runs: { using: string; main: string }; inputs: Record<string, unknown> };
    const source = await readFile('functions/cli/github-action.ts', 'utf8');

    const read = [...source.matchAll(/input\('([a-z0-9-]+)'\)|actionInput\(env, '([a-z0-9-]+)'\)/g)].map((m) => m[1] ?? m[2]);

    expect(action.runs).toEqual({ using: 'node20', main: 'dist/pr-check/index.mjs' });
    expect([...new Set(read)].filter((name) => !(name! in action.inputs))).toEqual([]);
  });

  it('has a committed bundle that is what `npm run build:action` builds from the current source', async () => {
    const fresh = await build({ ...ACTION_BUILD, write: false });

    const committed = await readFile('dist/pr-check/index.mjs', 'utf8');

    // On failure: run `npm run build:action` and commit dist/pr-check/index.mjs.
    expect(committed === fresh.outputFiles[0]!.text).toBe(true);
  });
});

describe('runAction()', () => {
  it("defaults base and head to the pull request's two commits under `path`", async () => {
    const args = await actionArguments(env);

    expect(args).toEqual([
      '--snapshot',
      'examples/cluster',
      '--cluster',
      'example',
      '--base',
      `github:acme/gitops@${baseSha}:clusters/example`,
      '--head',
      `github:acme/gitops@${headSha}:clusters/example`,
      '--rules',
      'examples/policy.yaml',
      '--fail-on',
      'critical',
      '-o',
      'markdown',
      '--github',
    ]);
  });

  it.each([
    ['one a line', 'env=prod\ntopology.example.com/tier=gpu\n'],
    ['comma-separated', 'env=prod, topology.example.com/tier=gpu'],
    ['both, with blank items', 'env=prod,\n\ntopology.example.com/tier=gpu,'],
  ])("passes the cluster's Argo CD identity on to pr-check, cluster-labels written %s", async (_how, labels) => {
    env['INPUT_CLUSTER-SERVER'] = ' https://ABC.gr7.eu-west-1.eks.amazonaws.com ';
    env['INPUT_CLUSTER-LABELS'] = labels;
    env['INPUT_ARGOCD-CLUSTER'] = 'hub';

    const args = await actionArguments(env);

    expect(args.slice(0, 14)).toEqual([
      '--snapshot',
      'examples/cluster',
      '--cluster',
      'example',
      '--cluster-server',
      'https://ABC.gr7.eu-west-1.eks.amazonaws.com',
      '--cluster-label',
      'env=prod',
      '--cluster-label',
      'topology.example.com/tier=gpu',
      '--argocd-cluster',
      'hub',
      '--base',
      `github:acme/gitops@${baseSha}:clusters/example`,
    ]);
  });

  it('exits 2 with one line naming the flag when a cluster label is not KEY=VALUE', async () => {
    env['INPUT_CLUSTER-LABELS'] = 'env=prod\ngpu';
    const err: string[] = [];

    const code = await runAction(env, { stdout: () => {}, stderr: (s) => err.push(s), isTTY: false });

    expect(code).toBe(2);
    expect(err).toEqual(["drift-auditor: --cluster-label must be KEY=VALUE with a Kubernetes label value, not 'gpu'\n"]);
    expect(checkRunsOf(emu.state, 'acme/gitops')).toEqual([]);
  });

  it('reads both commits through the API, fails the check on the lost node, and writes the job summary', async () => {
    const err: string[] = [];

    const code = await runAction(env, { stdout: () => {}, stderr: (s) => err.push(s), isTTY: false }, { github: { throttle: false, retries: 0 } });

    expect(code).toBe(1);
    const runs = checkRunsOf(emu.state, 'acme/gitops');
    expect(runs.map((r) => [r.head_sha, r.conclusion, r.annotations.map((a) => [a.path, a.annotation_level])])).toEqual([
      [headSha, 'failure', [['clusters/example/logging/fluentd.yaml', 'failure']]],
    ]);
    const comments = emu.state.repos.get('acme/gitops')!.issues.find((i) => i.number === number)!.comments;
    expect(comments.length).toBe(1);
    expect(comments[0]!.body).toContain(CP_NODE.replace(/[-.]/g, (c) => `\\${c}`));
    expect(await readFile(env.GITHUB_STEP_SUMMARY!, 'utf8')).toBe(comments[0]!.body);
    expect(err.join('')).toContain('drift-auditor: 1 finding(s) at or above critical');
  });

  it('exits 2 with one line when the event is not a pull request and no base is given', async () => {
    await writeFile(env.GITHUB_EVENT_PATH!, JSON.stringify({ ref: 'refs/heads/main' }));
    const err: string[] = [];

    const code = await runAction(env, { stdout: () => {}, stderr: (s) => err.push(s), isTTY: false });

    expect(code).toBe(2);
    expect(err).toEqual(["drift-auditor: the 'base' input is empty and the event has no pull_request.base.sha: run on a pull_request event or give 'base'\n"]);
  });
});

describe('dist/pr-check/index.mjs', () => {
  it('runs as the Actions runner starts it: node on the bundle, inputs in INPUT_* variables', async () => {
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(process.execPath, ['dist/pr-check/index.mjs'], { env, timeout: 60_000 }, (error, _stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stderr }),
      );
    });

    expect(result.code).toBe(1);
    expect(checkRunsOf(emu.state, 'acme/gitops').map((r) => [r.name, r.conclusion, r.annotations.length])).toEqual([
      ['drift-auditor pr-check (example)', 'failure', 1],
    ]);
    expect(result.stderr).toMatch(/pr-check: check run \d+ on acme\/gitops@[0-9a-f]{12} \(1 request\(s\)\); comment created on #1/);
  });
});
