import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { main, type CliIO } from '../../functions/cli/main.js';
import { kubeconfigFor, startK8sApi, type K8sApi, type K8sFault } from '../emulators/k8s-api/server.js';
import { exampleCluster } from '../adapters/kubernetes/example-cluster.js';

let api: K8sApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

function io(isTTY = false): CliIO & { out: string; err: string } {
  const r = { out: '', err: '', env: {}, isTTY, stdout: (s: string) => void (r.out += s), stderr: (s: string) => void (r.err += s) };
  return r;
}

async function setup(faults: K8sFault[] = []): Promise<{ kubeconfig: string; dir: string }> {
  api = await startK8sApi({ ...exampleCluster(), token: 'cli-token', faults });
  const dir = mkdtempSync(join(tmpdir(), 'cli-snapshot-'));
  return { kubeconfig: kubeconfigFor(api, { dir }), dir };
}

describe('drift-auditor snapshot', () => {
  it('writes the snapshot file and says what it wrote', async () => {
    const { kubeconfig, dir } = await setup();
    const out = join(dir, 'snap.json.gz');
    const cli = io();

    const code = await main(['snapshot', '--kubeconfig', kubeconfig, '--cluster', 'prod', '-n', 'kube-system', '--out', out], cli);

    expect(code).toEqual(0);
    const list = JSON.parse(gunzipSync(readFileSync(out)).toString('utf8'));
    expect(list.metadata.annotations['drift-auditor.io/cluster']).toEqual('prod');
    expect(list.metadata.annotations['drift-auditor.io/namespaces']).toEqual('kube-system');
    expect(cli.err).toMatch(/^wrote .*snap\.json\.gz: 4 nodes, 3 DaemonSets, 7 daemon pods, 2 revisions \(\d+ bytes, sha256 [0-9a-f]{64}\)\n$/);
    expect(cli.out).toEqual('');
  });

  it('shows a progress line on a terminal only', async () => {
    const { kubeconfig, dir } = await setup();
    const tty = io(true);
    const pipe = io(false);
    const lists = Object.values(exampleCluster()).map((items: unknown[]) => items.length);
    const objects = lists.reduce((a, b) => a + b, 0);
    const pages = lists.reduce((a, n) => a + Math.ceil(n / 2), 0);

    await main(['snapshot', '--kubeconfig', kubeconfig, '--page-size', '2', '--out', join(dir, 'a.json.gz')], tty);
    await main(['snapshot', '--kubeconfig', kubeconfig, '--page-size', '2', '--out', join(dir, 'b.json.gz')], pipe);

    expect(tty.err).toMatch(/^\rread \d+ objects in \d+ pages, \d+\.\ds/);
    expect(tty.err).toMatch(new RegExp(`\\rread ${objects} objects in ${pages} pages, \\d+\\.\\ds\\nwrote `));
    expect(pipe.err.includes('\r')).toBe(false);
  });

  it('exits 2 with one line and writes no file when the read fails', async () => {
    const { kubeconfig, dir } = await setup([{ kind: '403', resource: 'pods' }]);
    const out = join(dir, 'never.json.gz');
    const cli = io();

    const code = await main(['snapshot', '--kubeconfig', kubeconfig, '--out', out], cli);

    expect(code).toEqual(2);
    expect(cli.err.split('\n').filter(Boolean)).toEqual([expect.stringMatching(/^drift-auditor: failed to list pods in all namespaces: forbidden \(403\): the auditor needs get\/list on pods; see deploy\/rbac\.yaml/)]);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('never'))).toEqual([]);
  });

  it('exits 2 before reading the cluster when the --out folder does not exist', async () => {
    const { kubeconfig, dir } = await setup();
    const cli = io();

    const code = await main(['snapshot', '--kubeconfig', kubeconfig, '--out', join(dir, 'missing', 'snap.json.gz')], cli);

    expect([code, cli.err]).toEqual([2, `drift-auditor: failed to write snapshot ${join(dir, 'missing', 'snap.json.gz')}: folder ${join(dir, 'missing')} does not exist\n`]);
    expect(api!.requests).toEqual([]);
  });

  it('prints one line, without the parser\'s code frame, for a kubeconfig that is a Helm template', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-snapshot-'));
    writeFileSync(join(dir, 'config'), 'clusters:\n  - {{ .Values.cluster | toYaml | nindent 4 }}\n');
    const cli = io();

    const code = await main(['snapshot', '--kubeconfig', join(dir, 'config'), '--out', join(dir, 'x.json.gz')], cli);

    expect([code, cli.err.split('\n').filter(Boolean).length]).toEqual([2, 1]);
    expect(cli.err).toMatch(/^drift-auditor: failed to load kubeconfig from .*config: /);
  });

  it.each([
    [['snapshot'], /--out is required/],
    [['snapshot', '--out', 'x', '--page-size', '0'], /--page-size must be a positive integer, not '0'/],
    [['snapshot', '--bogus'], /Unknown option '--bogus'/],
  ])('exits 2 on bad usage %j', async (argv, message) => {
    const cli = io();

    const code = await main(argv, cli);

    expect(code).toEqual(2);
    expect(cli.err).toMatch(message);
  });
});
