// `audit --store` retried and doubled, through the CLI: in one process (Promise.all) and as two
// processes, against a local folder and s3rver with S3's conditional-write answers (issue 10, item 4).
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { main, type CliIO } from '../../../functions/cli/main.js';
import { LocalStore, openStore, type ReportStore } from '../../../functions/adapters/store/index.js';
import { startS3Server, type S3Server } from './s3-server.js';

const EXAMPLE = [
  'audit',
  '--snapshot',
  'examples/cluster',
  '--manifests',
  'examples/gitops',
  '--rules',
  'examples/policy.yaml',
  '--cluster',
  'example',
  '--format',
  'json',
  '--fail-on',
  'none',
];
const at = (now: string): string[] => [...EXAMPLE, '--now', now];
const S3_ENV = {
  AWS_ACCESS_KEY_ID: 'S3RVER',
  AWS_SECRET_ACCESS_KEY: 'S3RVER',
  AWS_REGION: 'us-east-1',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

function io(env: NodeJS.ProcessEnv = {}): CliIO & { err: string[] } {
  const err: string[] = [];
  return { err, stdout: () => {}, stderr: (s) => err.push(s), env, isTTY: false };
}

interface Target {
  args: string[];
  env: NodeJS.ProcessEnv;
  store: ReportStore;
}

let dir: string | undefined;
let server: S3Server | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  await server?.close();
  dir = undefined;
  server = undefined;
});

const TARGETS: [string, () => Promise<Target>][] = [
  [
    'a local folder',
    async () => {
      dir = await mkdtemp(join(tmpdir(), 'drift-auditor-cli-store-'));
      return { args: ['--store', dir], env: {}, store: new LocalStore(dir) };
    },
  ],
  [
    's3rver',
    async () => {
      server = await startS3Server({ conditionalWrites: true });
      const args = ['--store', `s3://${server.bucket}/audit`, '--s3-endpoint', server.endpoint];
      return { args, env: S3_ENV, store: openStore(`s3://${server.bucket}/audit`, { endpoint: server.endpoint, env: S3_ENV }) };
    },
  ],
];

const exec = promisify(execFile);
/** Runs the real CLI in its own process; returns its exit code and stderr. */
async function cli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stderr: string }> {
  try {
    const { stderr } = await exec(process.execPath, ['bin/drift-auditor.mjs', ...args], {
      env: { ...process.env, ...env },
      timeout: 120_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stderr };
  } catch (err) {
    const e = err as { code?: number; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stderr: e.stderr ?? String(err) };
  }
}

describe.each(TARGETS)('drift-auditor audit --store (%s)', (_name, make) => {
  it('succeeds twice with the same inputs and --now, the second run a no-op', async () => {
    const t = await make();
    const first = io(t.env);
    const second = io(t.env);

    const codes = [await main([...at('2026-11-20T10:00:00Z'), ...t.args], first), await main([...at('2026-11-20T10:00:00Z'), ...t.args], second)];

    expect(codes).toEqual([0, 0]);
    expect(second.err.join('')).toMatch(/stored run \S+ in /);
    expect((await t.store.listRuns('example')).length).toEqual(1);
  });

  it('succeeds for two identical audits at once, and stores one run', async () => {
    const t = await make();

    const codes = await Promise.all([0, 1].map(() => main([...at('2026-11-20T10:00:00Z'), ...t.args], io(t.env))));

    const runs = await t.store.listRuns('example');
    expect([codes, runs.length]).toEqual([[0, 0], 1]);
    expect((await t.store.verifyRun('example', runs[0]!.runId)).ok).toBe(true);
  });

  it('stores an older run retried after a newer one, and lists both', async () => {
    const t = await make();
    await main([...at('2026-11-20T10:00:00Z'), ...t.args], io(t.env));
    await main([...at('2026-11-21T10:00:00Z'), ...t.args], io(t.env));

    const retried = await main([...at('2026-11-20T10:00:00Z'), ...t.args], io(t.env));
    const older = await main([...at('2026-11-19T10:00:00Z'), ...t.args], io(t.env));

    expect([retried, older]).toEqual([0, 0]);
    expect((await t.store.listRuns('example')).map((r) => r.generatedAt.slice(0, 10))).toEqual(['2026-11-21', '2026-11-20', '2026-11-19']);
    expect((await t.store.getRun('example', 'latest')).report.generatedAt.slice(0, 10)).toEqual('2026-11-21');
  });

  it('succeeds for two CLI processes storing the same audit at once', async () => {
    const t = await make();

    const results = await Promise.all([0, 1].map(() => cli([...at('2026-11-20T10:00:00Z'), ...t.args], t.env)));

    expect(results.map((r) => [r.code, r.stderr.match(/stored run \S+/)?.[0]])).toEqual(
      [0, 1].map(() => [0, expect.stringMatching(/^stored run 20261120T100000Z-[0-9a-f]{8}$/)]),
    );
    const runs = await t.store.listRuns('example');
    expect(runs.length).toEqual(1);
    expect((await t.store.verifyRun('example', runs[0]!.runId)).ok).toBe(true);
  });
});
