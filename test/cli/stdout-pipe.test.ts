import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalStore } from '../../functions/adapters/store/index.js';
import { sampleReport, sampleRun } from '../adapters/store/harness.js';
import { exampleCluster } from '../adapters/kubernetes/example-cluster.js';
import { kubeconfigFor, startK8sApi, type K8sApi } from '../emulators/k8s-api/server.js';

const EXAMPLE = ['--snapshot', 'examples/cluster', '--manifests', 'examples/gitops', '--rules', 'examples/policy.yaml', '--fail-on', 'none'];

/** Runs the real CLI with stdout a pipe whose reader has gone before the first write (`| head -c 0`); returns its exit code and stderr. */
function runIntoClosedPipe(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/drift-auditor.mjs', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

let api: K8sApi;
let kubeconfig: string;
let store: string;
beforeAll(async () => {
  api = await startK8sApi({ ...exampleCluster(), token: 'pipe-token' });
  const dir = mkdtempSync(join(tmpdir(), 'cli-pipe-'));
  kubeconfig = kubeconfigFor(api, { dir });
  store = join(dir, 'store');
  await new LocalStore(store).putRun(sampleRun(sampleReport('2026-06-01T12:00:00.000Z')));
});
afterAll(async () => {
  await api.close();
});

describe('drift-auditor output into a pipe whose reader has gone', () => {
  it.each([
    ['audit -o json', () => ['audit', ...EXAMPLE, '-o', 'json']],
    ['audit -o markdown', () => ['audit', ...EXAMPLE, '-o', 'markdown']],
    ['snapshot -o yaml', () => ['snapshot', '--kubeconfig', kubeconfig, '-o', 'yaml']],
    ['snapshot --out -', () => ['snapshot', '--kubeconfig', kubeconfig, '--out', '-']],
    ['reports get -o csv --out -', () => ['reports', 'get', '--store', store, '--cluster', 'prod-eu-1', '-o', 'csv', '--out', '-']],
    ['reports get -o html --out -', () => ['reports', 'get', '--store', store, '--cluster', 'prod-eu-1', '-o', 'html', '--out', '-']],
  ])('%s ends quietly with exit 0', async (_name, args) => {
    const { code, stderr } = await runIntoClosedPipe(args());

    // snapshot's one summary line is all stderr may hold: no EPIPE, no stack trace, no 'unexpected error'.
    expect([code, stderr.split('\n').filter((l) => l && !l.startsWith('printed the snapshot: '))]).toEqual([0, []]);
  });
});

describe('drift-auditor output to a stdout that cannot be written', () => {
  it('says so in one line and exits 2 (a full disk: > /dev/full)', async () => {
    const full = openSync('/dev/full', 'w');
    const child = spawn(process.execPath, ['bin/drift-auditor.mjs', 'audit', ...EXAMPLE, '-o', 'json'], { stdio: ['ignore', full, 'pipe'] });
    closeSync(full);
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString('utf8')));

    const code = await new Promise((resolve) => child.on('close', resolve));

    expect([code, stderr]).toEqual([2, 'drift-auditor: failed to write to stdout: ENOSPC\n']);
  });
});

describe('drift-auditor with a stderr whose reader has gone', () => {
  it('still stores the run and exits with its own code (it stopped at the first progress line, exit 1, nothing stored)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-stderr-'));
    const child = spawn(
      process.execPath,
      ['bin/drift-auditor.mjs', 'audit', ...EXAMPLE, '--cluster', 'example', '--out', join(dir, 'out'), '--store', join(dir, 'store')],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    child.stderr!.destroy();

    const code = await new Promise((resolve) => child.on('close', resolve));

    expect([code, (await new LocalStore(join(dir, 'store')).listRuns('example')).length]).toEqual([0, 1]);
  });
});
